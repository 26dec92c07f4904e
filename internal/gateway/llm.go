package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/cache"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/llm"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// The AI gateway policies: llm-token-limit, llm-emit-token-metric (and
// their azure-openai- twins), the semantic cache and llm-content-safety.
//
// Token accounting happens in three places. The token-limit policy
// decides in inbound (with the estimated prompt tokens when it estimates,
// counting them at once). When the backend's response arrives, a JSON
// response's usage is read and the rest of the tokens counted before
// outbound runs, so that tokens-consumed-variable-name holds the reported
// count there. A streamed response (text/event-stream) is watched as it is
// sent, and its usage counted once it has been sent (finishLLM).

// llmState is the AI gateway work of one request, created by the first AI
// policy that runs.
type llmState struct {
	req       *llm.Request // the parsed request body; nil when not JSON
	reqErr    error
	parsed    bool
	estimated int // prompt tokens estimated for this request, -1 until computed
	limits    []*tokenAccount
	metrics   []tokenMetric
	semantic  *semanticPending
	// usage is filled when the response's usage is known; stream is set
	// while a streamed response is being watched.
	usage  *usageBox
	stream bool
	// completions are the content safety checks with
	// enforce-on-completions, run when the response arrives.
	completions []completionCheck
}

// completionCheck is a content safety policy that also checks completions.
type completionCheck struct {
	st        *policy.Step
	p         *policy.LLMContentSafety
	backendID string
}

// usageBox receives the usage of a streamed response; it is a separate
// object because the stream may end after the exchange is recycled.
type usageBox struct {
	usage llm.Usage
	found bool
	done  bool
}

// tokenAccount is one token-limit policy's counters for this request.
type tokenAccount struct {
	st        *policy.Step
	key       string // the counter-key value
	tpm       int64
	rateKey   string
	quota     limit.Quota
	quotaKey  string
	counted   int64 // tokens already counted (the estimate)
	estimated int64
	names     map[string]policy.Value
}

// tokenMetric is one emit-token-metric policy waiting for the usage.
type tokenMetric struct {
	st         *policy.Step
	namespace  string
	dimensions map[string]string
}

// semanticPending is what a semantic cache lookup leaves for the store after
// a miss.
type semanticPending struct {
	partition string
	vector    []float32
}

func (x *exchange) llmState() *llmState {
	if x.llm == nil {
		x.llm = &llmState{estimated: -1}
	}
	return x.llm
}

// llmRequest parses the request body once (keeping it for the backend).
func (x *exchange) llmRequest() (*llm.Request, error) {
	s := x.llmState()
	if s.parsed {
		return s.req, s.reqErr
	}
	s.parsed = true
	if x.req.body == nil {
		s.reqErr = llm.ErrNotJSON
		return nil, s.reqErr
	}
	data, err := x.req.body.Read(true)
	if err != nil {
		s.reqErr = err
		return nil, err
	}
	s.req, s.reqErr = llm.ParseRequest(data)
	return s.req, s.reqErr
}

// deploymentModel returns the deployment of an Azure OpenAI URL
// (/openai/deployments/{name}/...), which names the model when the body
// does not.
func (x *exchange) deploymentModel() string {
	p := x.r.URL.Path
	i := strings.Index(p, "/deployments/")
	if i < 0 {
		return ""
	}
	rest := p[i+len("/deployments/"):]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// estimatePrompt returns the estimated prompt tokens of the request, 0 for
// a body that is not an OpenAI-compatible JSON request.
func (x *exchange) estimatePrompt() int {
	s := x.llmState()
	if s.estimated >= 0 {
		return s.estimated
	}
	s.estimated = 0
	r, err := x.llmRequest()
	if err != nil {
		return 0
	}
	n, err := llm.EstimatePrompt(r, x.deploymentModel())
	if err == nil {
		s.estimated = n
	}
	return s.estimated
}

// quotaWindow returns the calendar period of a token-quota-period containing
// now (UTC; weeks start on Monday).
func quotaWindow(period string, now time.Time) (time.Time, time.Duration) {
	now = now.UTC()
	var start, end time.Time
	switch strings.ToLower(period) {
	case "hourly":
		start = now.Truncate(time.Hour)
		end = start.Add(time.Hour)
	case "daily":
		start = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		end = start.AddDate(0, 0, 1)
	case "weekly":
		d := (int(now.Weekday()) + 6) % 7
		start = time.Date(now.Year(), now.Month(), now.Day()-d, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(0, 0, 7)
	case "yearly":
		start = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(1, 0, 0)
	default: // monthly
		start = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(0, 1, 0)
	}
	return start, end.Sub(start)
}

// tokenLimitExceeded builds APIM's 429 for a token rate limit.
func tokenLimitExceeded(st *policy.Step, retry int64, header string, cause string) *Error {
	msg := fmt.Sprintf("Token limit is exceeded. Try again in %d seconds.", retry)
	e := policyError(st.Name, "TokenLimitExceeded", msg, http.StatusTooManyRequests, cause)
	if header == "" {
		header = "Retry-After"
	}
	e.Header = http.Header{http.CanonicalHeaderKey(header): {strconv.FormatInt(retry, 10)}}
	return e
}

// tokenQuotaExceeded builds APIM's 403 for a token quota.
func tokenQuotaExceeded(st *policy.Step, retry int64, header string, cause string) *Error {
	msg := fmt.Sprintf("Token quota is exceeded. Try again in %d seconds.", retry)
	e := policyError(st.Name, "TokenQuotaExceeded", msg, http.StatusForbidden, cause)
	if header == "" {
		header = "Retry-After"
	}
	e.Header = http.Header{http.CanonicalHeaderKey(header): {strconv.FormatInt(retry, 10)}}
	return e
}

func (x *exchange) execLLMTokenLimit(st *policy.Step, p *policy.LLMTokenLimit, began time.Time) *Error {
	key, err := x.str(st, p.CounterKey)
	if err != nil {
		return err
	}
	tpm, err := x.integer(st, p.TokensPerMinute)
	if err != nil {
		return err
	}
	quota, err := x.integer(st, p.TokenQuota)
	if err != nil {
		return err
	}
	names := p.HeaderAndVariableNames
	retryHeader, retryVar := names["retry-after-header-name"].Resolved(), names["retry-after-variable-name"].Resolved()
	a := &tokenAccount{st: st, key: key, tpm: int64(tpm), names: names}
	// Streamed requests always estimate: their usage comes too late to stop
	// the request that exceeds the limit.
	r, _ := x.llmRequest()
	estimate := p.EstimatePromptTokens.B || r != nil && r.Stream
	var est int64
	if estimate {
		est = int64(x.estimatePrompt())
	}
	a.estimated = est
	ctx := x.r.Context()
	var rate limit.Rate
	if p.TokensPerMinute.Set && tpm > 0 {
		a.rateKey = limit.ByKey("llm-tokens|" + key)
		var serr error
		if est > 0 {
			rate, serr = x.g.limits.Peek(ctx, a.rateKey, a.tpm, time.Minute, est)
		} else {
			// Without an estimate a request is admitted while the window
			// has a token left; the usage reported afterwards is counted.
			rate, serr = x.g.limits.Peek(ctx, a.rateKey, a.tpm, time.Minute, 1)
		}
		if serr != nil {
			return x.storeFailure(st, "Token limit could not be evaluated.", serr)
		}
		if !rate.Allowed {
			retry := rate.RetryAfterSeconds()
			x.tokenLimitVars(a, rate.Remaining, -1)
			if retryVar != "" {
				x.vars().Set(retryVar, int32(retry))
			}
			what := fmt.Sprintf("%d tokens were used in the current minute", rate.Used)
			if est > 0 {
				what += fmt.Sprintf(" and this prompt is estimated at %d tokens", est)
			}
			return tokenLimitExceeded(st, retry, retryHeader, fmt.Sprintf("the %s scope %s allows %d tokens per minute for counter key %q; %s; the window renews in %d s",
				st.Scope, st.Name, tpm, key, what, retry))
		}
	}
	var qs limit.QuotaState
	if p.TokenQuota.Set && quota > 0 {
		start, length := quotaWindow(p.TokenQuotaPeriod.Resolved(), time.Now())
		a.quota = limit.Quota{Calls: int64(quota), Period: length, FirstPeriodStart: start}
		a.quotaKey = limit.ByKey("llm-token-quota|" + key + "|" + strconv.FormatInt(start.Unix(), 10))
		var serr error
		if est > 0 {
			// Decides and counts the estimate in one step.
			qs, serr = x.g.limits.TakeQuota(ctx, a.quotaKey, a.quota, est)
		} else {
			qs, serr = x.g.limits.PeekQuota(ctx, a.quotaKey, a.quota)
		}
		if serr != nil {
			return x.storeFailure(st, "Token quota could not be evaluated.", serr)
		}
		if !qs.Allowed {
			retry := qs.RetryAfterSeconds()
			x.tokenLimitVars(a, -1, max(a.quota.Calls-qs.Calls, 0))
			if retryVar != "" {
				x.vars().Set(retryVar, int32(retry))
			}
			return tokenQuotaExceeded(st, retry, retryHeader, fmt.Sprintf("the %s scope %s allows %d tokens per %s period for counter key %q; %d were used in the current period; it renews in %d s",
				st.Scope, st.Name, quota, strings.ToLower(p.TokenQuotaPeriod.Resolved()), key, qs.Calls, retry))
		}
	}
	// Admitted: count the estimate now.
	if est > 0 {
		if a.rateKey != "" {
			r2, serr := x.g.limits.Add(ctx, a.rateKey, a.tpm, time.Minute, est)
			if serr != nil {
				return x.storeFailure(st, "Token limit could not be evaluated.", serr)
			}
			rate = r2
		}
		a.counted = est
	}
	remaining, remainingQuota := int64(-1), int64(-1)
	if a.rateKey != "" {
		remaining = rate.Remaining
	}
	if a.quotaKey != "" {
		remainingQuota = max(a.quota.Calls-qs.Calls, 0)
	}
	x.tokenLimitVars(a, remaining, remainingQuota)
	if est > 0 {
		x.tokenConsumed(a, est)
	}
	s := x.llmState()
	s.limits = append(s.limits, a)
	if x.trace != nil {
		x.tracePolicy(st, began, "counter key %q: %s", key, tokenTrace(est, estimate, remaining, remainingQuota))
	}
	return nil
}

func tokenTrace(est int64, estimate bool, remaining, remainingQuota int64) string {
	var parts []string
	if estimate {
		parts = append(parts, fmt.Sprintf("prompt estimated at %d tokens", est))
	}
	if remaining >= 0 {
		parts = append(parts, fmt.Sprintf("%d tokens left this minute", remaining))
	}
	if remainingQuota >= 0 {
		parts = append(parts, fmt.Sprintf("%d tokens left in the quota period", remainingQuota))
	}
	parts = append(parts, "the usage the model reports is counted when the response arrives")
	return strings.Join(parts, "; ")
}

// tokenLimitVars sets the remaining-tokens and remaining-quota-tokens
// headers and variables the policy names; a negative value is not set.
func (x *exchange) tokenLimitVars(a *tokenAccount, remaining, remainingQuota int64) {
	set := func(header, variable string, v int64) {
		if v < 0 {
			return
		}
		if h := a.names[header]; h.Set {
			x.addResponseHeader(h.Resolved(), strconv.FormatInt(v, 10))
		}
		if n := a.names[variable]; n.Set {
			x.vars().Set(n.Resolved(), int32(v))
		}
	}
	set("remaining-tokens-header-name", "remaining-tokens-variable-name", remaining)
	set("remaining-quota-tokens-header-name", "remaining-quota-tokens-variable-name", remainingQuota)
}

// tokenConsumed sets tokens-consumed-header-name and -variable-name.
func (x *exchange) tokenConsumed(a *tokenAccount, n int64) {
	if h := a.names["tokens-consumed-header-name"]; h.Set {
		x.addResponseHeader(h.Resolved(), strconv.FormatInt(n, 10))
	}
	if v := a.names["tokens-consumed-variable-name"]; v.Set {
		x.vars().Set(v.Resolved(), int32(n))
	}
}

func (x *exchange) execLLMEmitTokenMetric(st *policy.Step, p *policy.LLMEmitTokenMetric, began time.Time) *Error {
	ns := p.Namespace.Resolved()
	if ns == "" {
		ns = "API Management"
	}
	m := tokenMetric{st: st, namespace: ns, dimensions: map[string]string{}}
	for _, d := range p.Dimensions {
		val, err := x.str(st, d.Value)
		if err != nil {
			return err
		}
		if !d.Value.Set {
			val = x.defaultDimension(d.Name.Resolved())
		}
		m.dimensions[d.Name.Resolved()] = val
	}
	s := x.llmState()
	s.metrics = append(s.metrics, m)
	x.tracePolicy(st, began, "token metrics %s/{Prompt,Completion,Total} Tokens with %v are emitted when the response's usage is known", ns, m.dimensions)
	return nil
}

// llmResponse runs when forward-request has the backend's response: the
// usage of a JSON response is read and counted now, a streamed response is
// watched until it has been sent.
func (x *exchange) llmResponse() *Error {
	s := x.llm
	if s == nil || len(s.limits) == 0 && len(s.metrics) == 0 && len(s.completions) == 0 {
		return nil
	}
	s.usage = &usageBox{}
	b := x.resp.body
	if b == nil {
		return nil
	}
	ct := strings.ToLower(x.resp.header.Get("Content-Type"))
	if strings.HasPrefix(ct, "text/event-stream") && !b.loaded && b.stream != nil {
		box := s.usage
		s.stream = true
		b.stream = &llm.UsageReader{R: b.stream, Done: func(u llm.Usage, ok bool) {
			box.usage, box.found, box.done = u, ok, true
		}}
		b.length = -1
		if len(s.completions) > 0 {
			x.rec.Notes = append(x.rec.Notes, "enforce-on-completions does not check streamed responses")
		}
		return nil
	}
	data, err := b.Read(true)
	if err != nil {
		return nil
	}
	if x.resp.statusCode() == http.StatusOK {
		for _, c := range s.completions {
			if text := llm.CompletionText(data); strings.TrimSpace(text) != "" {
				if e := x.checkContentSafety(c.st, c.p, c.backendID, text, "completion", time.Now()); e != nil {
					return e
				}
			}
		}
	}
	if u, ok := llm.ParseUsage(data); ok {
		s.usage.usage, s.usage.found, s.usage.done = u, true, true
	} else if bytes.HasPrefix(bytes.TrimSpace(data), []byte("data:")) {
		// An event stream without its content type.
		var su llm.StreamUsage
		su.Write(data)
		s.usage.usage, s.usage.found = su.Usage()
		s.usage.done = true
	}
	if len(s.limits) > 0 || len(s.metrics) > 0 {
		x.countUsage()
	}
	return nil
}

// finishLLM counts the usage of a streamed response once it has been sent.
func (x *exchange) finishLLM() {
	s := x.llm
	if s == nil || !s.stream {
		return
	}
	if !s.usage.done {
		// The client went away before the end: only the estimate counts.
		x.rec.Notes = append(x.rec.Notes, "the streamed response ended early: only the estimated prompt tokens were counted")
		return
	}
	x.countUsage()
}

// countUsage counts the reported usage against every token limit of the
// request and records the token metrics.
func (x *exchange) countUsage() {
	s := x.llm
	u := s.usage
	if !u.found {
		if x.rec.BackendResponseCode < 300 {
			why := "the response reports no usage"
			if s.stream {
				why = "the streamed response reports no usage (the request did not set stream_options.include_usage)"
			}
			x.rec.Notes = append(x.rec.Notes, why+": only the estimated prompt tokens were counted")
		}
		return
	}
	ctx := x.r.Context()
	for _, a := range s.limits {
		extra := u.usage.TotalTokens - a.counted
		if extra > 0 {
			var err error
			if a.rateKey != "" {
				var r limit.Rate
				r, err = x.g.limits.Add(ctx, a.rateKey, a.tpm, time.Minute, extra)
				if err == nil && !s.stream {
					x.tokenLimitVars(a, r.Remaining, -1)
				}
			}
			if a.quotaKey != "" && err == nil {
				var q limit.QuotaState
				q, err = x.g.limits.AddQuota(ctx, a.quotaKey, a.quota, extra, 0)
				if err == nil && !s.stream {
					x.tokenLimitVars(a, -1, max(a.quota.Calls-q.Calls, 0))
				}
			}
			if err != nil {
				x.rec.Notes = append(x.rec.Notes, fmt.Sprintf("%s at %s: %d tokens could not be counted: %v", a.st.Name, a.st.Span().Pos(), extra, err))
			}
			a.counted += extra
		}
		if !s.stream {
			x.tokenConsumed(a, u.usage.TotalTokens)
		}
	}
	for _, m := range s.metrics {
		for _, v := range []struct {
			name string
			n    int64
		}{{"Total Tokens", u.usage.TotalTokens}, {"Prompt Tokens", u.usage.PromptTokens}, {"Completion Tokens", u.usage.CompletionTokens}} {
			x.rec.Metrics = append(x.rec.Metrics, Metric{Name: v.name, Namespace: m.namespace, Value: float64(v.n), Dimensions: m.dimensions})
		}
	}
	if x.trace != nil {
		section := reqtrace.Backend
		if s.stream {
			section = reqtrace.Outbound
		}
		x.traceStep(section, "llm-usage", "the model reports %d prompt and %d completion tokens (%d in all)", u.usage.PromptTokens, u.usage.CompletionTokens, u.usage.TotalTokens)
	}
}

// callBackendEntity POSTs payload to the backend entity id, at path
// relative to its URL, with the entity's credentials.
func (x *exchange) callBackendEntity(st *policy.Step, id, path string, payload []byte) (int, []byte, *Error) {
	be := x.st.backends[id]
	if be == nil {
		return 0, nil, &Error{Source: st.Name, Reason: "BackendNotFound", Status: 500, Message: fmt.Sprintf("Backend with id '%s' could not be found.", id),
			Cause: fmt.Sprintf("no backend entity %q: add backends/%s/backendInformation.json", id, id)}
	}
	if be.url == nil {
		return 0, nil, &Error{Source: st.Name, Reason: "BackendNotFound", Status: 500, Message: fmt.Sprintf("Backend with id '%s' could not be found.", id),
			Cause: fmt.Sprintf("backend %q is a pool; %s needs a single backend", id, st.Name)}
	}
	u := *be.url
	p, q, _ := strings.Cut(path, "?")
	if p != "" {
		u.Path = strings.TrimSuffix(u.Path, "/") + p
		u.RawPath = ""
	}
	query := u.Query()
	if q != "" {
		extra, _ := url.ParseQuery(q)
		for k, v := range extra {
			if !query.Has(k) {
				query[k] = v
			}
		}
	}
	for k, v := range be.query {
		query[k] = v
	}
	u.RawQuery = query.Encode()
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range be.header {
		h[k] = v
	}
	if be.auth != "" {
		h["Authorization"] = []string{be.auth}
	} else if x.g.tokens != nil && len(be.header) == 0 {
		// embeddings-backend-auth="system-assigned": the managed identity's
		// token for Azure AI services.
		tok, err := x.g.tokens.get(x.r.Context(), "https://cognitiveservices.azure.com", "")
		if err == nil {
			h["Authorization"] = []string{"Bearer " + tok}
		}
	}
	timeout := min(x.g.timeout, 60*time.Second)
	resp, err := roundTrip(x.r.Context(), x.g.trans.forMode(be.tlsMode), &backendRequest{method: http.MethodPost, url: &u, header: h,
		body: io.NopCloser(bytes.NewReader(payload)), length: int64(len(payload)), timeout: timeout})
	if err != nil {
		err.Source, err.Section = st.Name, ""
		err.Cause = fmt.Sprintf("calling backend %s: %s", id, err.Cause)
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if rerr != nil {
		return 0, nil, backendFailure(&u, rerr)
	}
	return resp.StatusCode, data, nil
}

// embed returns the embedding of text from the embeddings backend.
func (x *exchange) embed(st *policy.Step, backendID, text string) ([]float32, *Error) {
	status, data, err := x.callBackendEntity(st, backendID, "", llm.EmbeddingsRequest(text))
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, &Error{Source: st.Name, Reason: "EmbeddingsFailure", Status: 500, Message: "Embeddings could not be computed.",
			Cause: fmt.Sprintf("the embeddings backend %s answered %d: %s", backendID, status, snippet(data))}
	}
	v, perr := llm.ParseEmbedding(data)
	if perr != nil {
		return nil, &Error{Source: st.Name, Reason: "EmbeddingsFailure", Status: 500, Message: "Embeddings could not be computed.",
			Cause: fmt.Sprintf("the embeddings backend %s: %v", backendID, perr)}
	}
	return v, nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strconv.Quote(s)
}

// semanticEntry is a cached response: its content type, a newline, the
// body.
func semanticEntry(contentType string, body []byte) []byte {
	return append([]byte(contentType+"\n"), body...)
}

func (x *exchange) execSemanticLookup(st *policy.Step, p *policy.LLMSemanticCacheLookup, began time.Time) (flow, *Error) {
	r, rerr := x.llmRequest()
	if rerr != nil {
		x.tracePolicy(st, began, "not looked up: %v", rerr)
		return next, nil
	}
	if r.Stream {
		x.tracePolicy(st, began, "not looked up: streamed requests are not cached")
		return next, nil
	}
	ignoreSystem, err := x.boolean(st, p.IgnoreSystemMessages)
	if err != nil {
		return next, err
	}
	maxMessages, err := x.integer(st, p.MaxMessageCount)
	if err != nil {
		return next, err
	}
	text, ok := llm.PromptText(r, ignoreSystem, maxMessages)
	if !ok {
		x.tracePolicy(st, began, "not looked up: the conversation has more than max-message-count=%d messages", maxMessages)
		return next, nil
	}
	threshold := p.Threshold
	if p.ScoreThreshold.Expr != nil {
		s, err := x.str(st, p.ScoreThreshold)
		if err != nil {
			return next, err
		}
		f, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if perr != nil {
			return next, &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Expression evaluation failed.",
				Cause: fmt.Sprintf("score-threshold %q is not a number", s)}
		}
		threshold = f
	}
	backendID, err := x.str(st, p.EmbeddingsBackendID)
	if err != nil {
		return next, err
	}
	partition := x.apiID()
	for _, v := range p.VaryBy {
		s, err := x.str(st, v)
		if err != nil {
			return next, err
		}
		partition += "|" + strings.ReplaceAll(s, "|", "||")
	}
	vec, err := x.embed(st, backendID, text)
	if err != nil {
		return next, err
	}
	t0 := time.Now()
	hit, found, serr := x.g.semantic.Lookup(x.r.Context(), partition, vec, threshold)
	x.rec.CacheTime += time.Since(t0)
	if serr != nil {
		if errors.Is(serr, cache.ErrUnavailable) {
			x.cacheOutage(st, serr)
			return next, nil
		}
		return next, &Error{Source: st.Name, Reason: "CacheError", Status: 500, Message: "Semantic cache lookup failed.", Cause: serr.Error()}
	}
	if !found {
		x.rec.Cache = "miss"
		x.llmState().semantic = &semanticPending{partition: partition, vector: vec}
		if hit.Score > 1 {
			x.tracePolicy(st, began, "semantic cache miss: no cached prompt in this partition")
		} else {
			x.tracePolicy(st, began, "semantic cache miss: the closest cached prompt is at score %.4f, above score-threshold %g", hit.Score, threshold)
		}
		return next, nil
	}
	ct, body, _ := bytes.Cut(hit.Response, []byte("\n"))
	x.rec.Cache = "hit"
	x.resp.body.close()
	x.resp = outResponse{status: http.StatusOK, header: http.Header{"Content-Type": {string(ct)}}, body: newBytesBody(body)}
	x.tracePolicy(st, began, "semantic cache hit: a cached prompt is at score %.4f (score-threshold %g)", hit.Score, threshold)
	return cacheHit, nil
}

func (x *exchange) execSemanticStore(st *policy.Step, p *policy.LLMSemanticCacheStore, began time.Time) *Error {
	var pend *semanticPending
	if x.llm != nil {
		pend = x.llm.semantic
	}
	if pend == nil {
		x.tracePolicy(st, began, "nothing to store: no semantic cache lookup missed for this request")
		return nil
	}
	if status := x.resp.statusCode(); status != http.StatusOK {
		x.tracePolicy(st, began, "status %d is not stored (only 200)", status)
		return nil
	}
	ct := x.resp.header.Get("Content-Type")
	if strings.HasPrefix(strings.ToLower(ct), "text/event-stream") {
		x.tracePolicy(st, began, "a streamed response is not stored")
		return nil
	}
	seconds, err := x.integer(st, p.Duration)
	if err != nil {
		return err
	}
	b := x.resp.body
	if b == nil {
		return nil
	}
	data, rerr := b.Read(true)
	if rerr != nil {
		return backendReadError(st, rerr)
	}
	t0 := time.Now()
	serr := x.g.semantic.Store(x.r.Context(), pend.partition, pend.vector, semanticEntry(ct, data), time.Duration(seconds)*time.Second)
	x.rec.CacheTime += time.Since(t0)
	if serr != nil {
		x.cacheOutage(st, serr)
		return nil
	}
	x.tracePolicy(st, began, "response stored for %d s", seconds)
	return nil
}

// maxSafetyChunks bounds the Content Safety calls of one check: text longer
// than maxSafetyChunks × llm.MaxAnalyzeChars characters is refused.
const maxSafetyChunks = 20

// contentSafetyRefused is APIM's answer to a prompt that fails the content
// safety check.
func contentSafetyRefused(st *policy.Step, cause string) *Error {
	return policyError(st.Name, "ContentSafetyViolation", "Request failed content safety check.", http.StatusForbidden, cause)
}

func (x *exchange) execContentSafety(st *policy.Step, p *policy.LLMContentSafety, began time.Time) *Error {
	r, rerr := x.llmRequest()
	if rerr != nil {
		x.tracePolicy(st, began, "nothing to check: %v", rerr)
		return nil
	}
	text, _ := llm.PromptText(r, false, 0)
	if strings.TrimSpace(text) == "" {
		x.tracePolicy(st, began, "nothing to check: the request has no prompt text")
		return nil
	}
	backendID, err := x.str(st, p.BackendID)
	if err != nil {
		return err
	}
	onCompletions, err := x.boolean(st, p.EnforceOnCompletions)
	if err != nil {
		return err
	}
	if onCompletions {
		s := x.llmState()
		s.completions = append(s.completions, completionCheck{st: st, p: p, backendID: backendID})
	}
	return x.checkContentSafety(st, p, backendID, text, "prompt", began)
}

// checkContentSafety sends text to the Content Safety backend and refuses
// it per category threshold, blocklist and prompt shield.
func (x *exchange) checkContentSafety(st *policy.Step, p *policy.LLMContentSafety, backendID, text, what string, began time.Time) *Error {
	thresholds := map[string]int{}
	var names []string
	for _, c := range p.Categories {
		n, err := x.integer(st, c.Threshold)
		if err != nil {
			return err
		}
		thresholds[strings.ToLower(c.Name.Resolved())] = n
		names = append(names, c.Name.Resolved())
	}
	var blocklists []string
	for _, b := range p.Blocklists {
		s, err := x.str(st, b)
		if err != nil {
			return err
		}
		blocklists = append(blocklists, s)
	}
	fail := func(status int, data []byte) *Error {
		return &Error{Source: st.Name, Reason: "ContentSafetyFailure", Status: 500, Message: "Content safety check could not be performed.",
			Cause: fmt.Sprintf("the content safety backend %s answered %d: %s", backendID, status, snippet(data))}
	}
	// Content Safety takes 10,000 characters per call: longer text is
	// checked piece by piece, up to maxSafetyChunks pieces.
	chunks := llm.Chunks(text, llm.MaxAnalyzeChars)
	if len(chunks) > maxSafetyChunks {
		return contentSafetyRefused(st, fmt.Sprintf("the %s is longer than the %d characters tollgate checks", what, maxSafetyChunks*llm.MaxAnalyzeChars))
	}
	shield, err := x.boolean(st, p.ShieldPrompt)
	if err != nil {
		return err
	}
	for _, chunk := range chunks {
		if len(names) > 0 || len(blocklists) > 0 {
			status, data, err := x.callBackendEntity(st, backendID, llm.AnalyzeTextPath, llm.AnalyzeTextRequest(chunk, names, blocklists, p.OutputType.Resolved()))
			if err != nil {
				return err
			}
			if status != http.StatusOK {
				return fail(status, data)
			}
			a, perr := llm.ParseAnalysis(data)
			if perr != nil {
				return fail(status, data)
			}
			for _, m := range a.BlocklistsMatch {
				return contentSafetyRefused(st, fmt.Sprintf("the %s matches blocklist %q", what, m.BlocklistName))
			}
			for _, c := range a.CategoriesAnalysis {
				if t, ok := thresholds[strings.ToLower(c.Category)]; ok && c.Severity >= t {
					return contentSafetyRefused(st, fmt.Sprintf("the %s has severity %d in category %s, at or above its threshold %d", what, c.Severity, c.Category, t))
				}
			}
		}
		if shield && what == "prompt" {
			status, data, err := x.callBackendEntity(st, backendID, llm.ShieldPromptPath, llm.ShieldPromptRequest(chunk))
			if err != nil {
				return err
			}
			if status != http.StatusOK {
				return fail(status, data)
			}
			attack, perr := llm.ParseShield(data)
			if perr != nil {
				return fail(status, data)
			}
			if attack {
				return contentSafetyRefused(st, "Prompt Shields detected an attack in the prompt")
			}
		}
	}
	x.tracePolicy(st, began, "the %s passed the content safety check (%d categories, %d blocklists, shield-prompt %v)", what, len(names), len(blocklists), shield)
	return nil
}

// warmTokenizer loads the token vocabularies in the background when a
// configuration has a token limit, so that the first request does not wait.
func warmTokenizer(pipes map[pipelineKey]*policy.Effective) {
	var has func(steps []*policy.Step) bool
	has = func(steps []*policy.Step) bool {
		for _, s := range steps {
			if _, ok := s.Policy.(*policy.LLMTokenLimit); ok {
				return true
			}
			for _, b := range s.Blocks {
				if has(b.Steps) {
					return true
				}
			}
		}
		return false
	}
	for _, eff := range pipes {
		for _, sec := range eff.Sections {
			if has(sec) {
				go llm.Warm()
				return
			}
		}
	}
}
