package gateway

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/policy"
)

// runnable lists the policies the gateway executes. A configuration that
// uses any other policy does not load: tollgate never skips a policy
// silently.
var runnable = map[string]bool{
	"base": true, "choose": true, "set-variable": true, "set-header": true, "set-query-parameter": true,
	"set-body": true, "set-status": true, "set-method": true, "rewrite-uri": true, "set-backend-service": true,
	"forward-request": true, "return-response": true, "mock-response": true, "retry": true, "wait": true,
	"send-request": true, "send-one-way-request": true, "trace": true, "find-and-replace": true,
	"check-header": true, "ip-filter": true, "authentication-basic": true, "emit-metric": true,
	"log-to-eventhub": true, "limit-concurrency": true, "jsonp": true, "include-fragment": true,
	"cors": true, "rate-limit": true, "rate-limit-by-key": true, "quota": true, "quota-by-key": true,
	"validate-jwt": true, "validate-client-certificate": true, "validate-azure-ad-token": true, "cache-lookup": true, "cache-store": true,
	"cache-lookup-value": true, "cache-store-value": true, "cache-remove-value": true,
	"authentication-managed-identity": true, "json-to-xml": true, "xml-to-json": true, "authentication-certificate": true,
	"validate-content": true, "validate-parameters": true, "validate-headers": true, "validate-status-code": true,
	"llm-token-limit": true, "azure-openai-token-limit": true, "llm-emit-token-metric": true, "azure-openai-emit-token-metric": true,
	"llm-semantic-cache-lookup": true, "azure-openai-semantic-cache-lookup": true, "llm-semantic-cache-store": true,
	"azure-openai-semantic-cache-store": true, "llm-content-safety": true, "get-authorization-context": true,
	"redirect-content-urls": true, "proxy": true, "cross-domain": true, "validate-odata-request": true, "validate-graphql-request": true,
	"invoke-dapr-binding": true, "publish-to-dapr": true, "send-service-bus-message": true,
}

// Runnable reports whether the gateway executes the policy name.
func Runnable(name string) bool { return runnable[name] }

// exec runs one statement, which began at began when the request is traced
// (the zero time when it is not: began is only for the trace's Took).
func (x *exchange) exec(st *policy.Step, began time.Time) (flow, *Error) {
	switch p := st.Policy.(type) {
	case *policy.Choose:
		return x.execChoose(st, p, began)
	case *policy.SetVariable:
		return next, x.execSetVariable(st, p, began)
	case *policy.SetHeader:
		if p.Query {
			return next, x.execSetQuery(st, p, began)
		}
		return next, x.execSetHeader(st, p, x.headersFor(), began)
	case *policy.SetBody:
		return next, x.execSetBody(st, p, x.bodyFor(), began)
	case *policy.SetStatus:
		return next, x.execSetStatus(st, p, began)
	case *policy.SetMethod:
		m, err := x.str(st, p.Method)
		if err != nil {
			return next, err
		}
		x.req.method = strings.ToUpper(strings.TrimSpace(m))
		x.tracePolicy(st, began, "method set to %s", x.req.method)
		return next, nil
	case *policy.RewriteURI:
		return next, x.execRewriteURI(st, p, began)
	case *policy.SetBackendService:
		return next, x.execSetBackendService(st, p, began)
	case *policy.ForwardRequest:
		return next, x.execForward(st, p, began)
	case *policy.ReturnResponse:
		return x.execReturnResponse(st, p, began)
	case *policy.MockResponse:
		return x.execMockResponse(st, p, began)
	case *policy.Retry:
		return x.execRetry(st, p, began)
	case *policy.Wait:
		// wait runs its children one after another: the outcome is the same
		// as APIM's concurrent run, only slower.
		return x.runBlock(st, 0)
	case *policy.LimitConcurrency:
		return x.execLimitConcurrency(st, p, began)
	case *policy.CORS:
		return x.execCORS(st, p, began)
	case *policy.RateLimit:
		return next, x.execRateLimit(st, p, began)
	case *policy.RateLimitByKey:
		return next, x.execRateLimitByKey(st, p, began)
	case *policy.Quota:
		return next, x.execQuota(st, p, began)
	case *policy.QuotaByKey:
		return next, x.execQuotaByKey(st, p, began)
	case *policy.ValidateJWT, *policy.ValidateAzureADToken:
		return next, x.execValidateToken(st, began)
	case *policy.CacheLookup:
		return x.execCacheLookup(st, p, began)
	case *policy.CacheStore:
		return next, x.execCacheStore(st, p, began)
	case *policy.CacheLookupValue:
		return next, x.execCacheLookupValue(st, p, began)
	case *policy.CacheStoreValue:
		return next, x.execCacheStoreValue(st, p, began)
	case *policy.CacheRemoveValue:
		return next, x.execCacheRemoveValue(st, p, began)
	case *policy.SendRequest:
		return next, x.execSendRequest(st, p, began)
	case *policy.Trace:
		return next, x.execTrace(st, p, began)
	case *policy.FindAndReplace:
		return next, x.execFindAndReplace(st, p, began)
	case *policy.CheckHeader:
		return next, x.execCheckHeader(st, p, began)
	case *policy.ValidateClientCertificate:
		return next, x.execValidateClientCertificate(st, p, began)
	case *policy.IPFilter:
		return next, x.execIPFilter(st, p, began)
	case *policy.AuthenticationBasic:
		return next, x.execAuthBasic(st, p, began)
	case *policy.EmitMetric:
		return next, x.execEmitMetric(st, p, began)
	case *policy.LogToEventHub:
		return next, x.execLogToEventHub(st, p, began)
	case *policy.JSONToXML:
		return next, x.execJSONToXML(st, p, began)
	case *policy.XMLToJSON:
		return next, x.execXMLToJSON(st, p, began)
	case *policy.AuthenticationCertificate:
		return next, x.execAuthCertificate(st, p, began)
	case *policy.AuthenticationManagedIdentity:
		return next, x.execManagedIdentity(st, p, began)
	case *policy.JSONP:
		return next, x.execJSONP(st, p, began)
	case *policy.Proxy:
		return next, x.execProxy(st, p, began)
	case *policy.RedirectContentURLs:
		return next, x.execRedirectContentURLs(st, began)
	case *policy.ValidateContent:
		return next, x.execValidateContent(st, p, began)
	case *policy.ValidateGraphQLRequest:
		return next, x.execValidateGraphQLRequest(st, p, began)
	case *policy.ValidateODataRequest:
		return next, x.execValidateODataRequest(st, p, began)
	case *policy.CrossDomain:
		return x.execCrossDomain(st, p, began)
	case *policy.InvokeDaprBinding:
		return next, x.execInvokeDaprBinding(st, p, began)
	case *policy.PublishToDapr:
		return next, x.execPublishToDapr(st, p, began)
	case *policy.SendServiceBusMessage:
		return next, x.execSendServiceBusMessage(st, p, began)
	case *policy.ValidateParameters:
		return next, x.execValidateParameters(st, p, began)
	case *policy.ValidateHeaders:
		return next, x.execValidateHeaders(st, p, began)
	case *policy.ValidateStatusCode:
		return next, x.execValidateStatusCode(st, p, began)
	case *policy.LLMTokenLimit:
		return next, x.execLLMTokenLimit(st, p, began)
	case *policy.LLMEmitTokenMetric:
		return next, x.execLLMEmitTokenMetric(st, p, began)
	case *policy.LLMSemanticCacheLookup:
		return x.execSemanticLookup(st, p, began)
	case *policy.LLMSemanticCacheStore:
		return next, x.execSemanticStore(st, p, began)
	case *policy.LLMContentSafety:
		return next, x.execContentSafety(st, p, began)
	case *policy.GetAuthorizationContext:
		return next, x.execGetAuthorizationContext(st, p, began)
	}
	return next, &Error{Source: st.Name, Reason: "PolicyNotSupported", Status: 500, Message: "Policy execution failed.",
		Cause: fmt.Sprintf("policy %s is not supported by tollgate yet", st.Name)}
}

// runBlock runs the i-th nested block of a container statement.
func (x *exchange) runBlock(st *policy.Step, i int) (flow, *Error) {
	if i >= len(st.Blocks) {
		return next, nil
	}
	return x.runSteps(st.Blocks[i].Steps)
}

// inRequest reports whether message policies act on the request (inbound
// and backend) or on the response (outbound and on-error).
func (x *exchange) inRequest() bool {
	return x.section == policy.Inbound || x.section == policy.Backend
}

func (x *exchange) headersFor() http.Header {
	if x.inRequest() {
		return x.req.header
	}
	if x.resp.header == nil {
		x.resp.header = http.Header{}
	}
	return x.resp.header
}

func (x *exchange) bodyFor() **body {
	if x.inRequest() {
		return &x.req.body
	}
	return &x.resp.body
}

func (x *exchange) execChoose(st *policy.Step, p *policy.Choose, began time.Time) (flow, *Error) {
	for i, w := range p.When {
		ok, err := x.boolean(st, w.Condition)
		if err != nil {
			return next, err
		}
		if ok {
			x.tracePolicy(st, began, "when[%d] condition %s is true", i+1, &p.When[i].Condition)
			return x.runBlock(st, i)
		}
	}
	if p.Otherwise != nil {
		x.tracePolicy(st, began, "no condition is true: running otherwise")
		return x.runBlock(st, len(p.When))
	}
	x.tracePolicy(st, began, "no condition is true and there is no otherwise")
	return next, nil
}

func (x *exchange) execSetVariable(st *policy.Step, p *policy.SetVariable, began time.Time) *Error {
	name := p.Name.Resolved()
	var v expr.Value
	if p.Value.Expr != nil {
		r, err := x.eval(st, p.Value.Expr)
		if err != nil {
			return err
		}
		v = r
	} else {
		v = p.Value.Resolved()
	}
	x.vars().Set(name, v)
	if x.trace != nil {
		x.tracePolicy(st, began, "%v", &setVariableTrace{name: name, value: v, src: &p.Value})
	}
	return nil
}

// setVariableTrace is set-variable's trace message, formatted only when
// the trace is read.
type setVariableTrace struct {
	name  string
	value expr.Value
	src   *policy.Value
}

func (t *setVariableTrace) String() string {
	return fmt.Sprintf("context.Variables[%q] = %s (%s)", t.name, traceValue(t.value, *t.src), expr.TypeName(t.value))
}

// setHeaderTrace is set-header's trace message.
type setHeaderTrace struct{ name, verb, shown string }

func (t *setHeaderTrace) String() string {
	return fmt.Sprintf("header %s %s: %s", t.name, t.verb, t.shown)
}

// traceValue shows a value in a trace, masked when a secret named value was
// substituted into the policy attribute it came from.
func traceValue(v expr.Value, src policy.Value) string {
	if src.HasSecret() {
		return "*** (holds a secret named value)"
	}
	s := expr.ToString(v)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// nameAndAction evaluates the name and exists-action of set-header and
// set-query-parameter.
func (x *exchange) nameAndAction(st *policy.Step, p *policy.SetHeader) (name, action string, err *Error) {
	if name, err = x.str(st, p.Name); err != nil {
		return "", "", err
	}
	if action = p.Action(); action == "" {
		a, err := x.str(st, p.ExistsAction)
		if err != nil {
			return "", "", err
		}
		action = strings.ToLower(strings.TrimSpace(a))
	}
	return name, action, nil
}

func (x *exchange) execSetHeader(st *policy.Step, p *policy.SetHeader, h http.Header, began time.Time) *Error {
	name, action, err := x.nameAndAction(st, p)
	if err != nil {
		return err
	}
	key := textproto.CanonicalMIMEHeaderKey(name)
	if isHopHeader(key) {
		x.tracePolicy(st, began, "header %s cannot be set by a policy; ignored", name)
		return nil
	}
	_, exists := h[key]
	switch action {
	case "delete":
		delete(h, key)
		x.tracePolicy(st, began, "header %s deleted", name)
		return nil
	case "skip":
		if exists {
			x.tracePolicy(st, began, "header %s exists; skipped", name)
			return nil
		}
	}
	values := make([]string, 0, len(p.Values))
	for _, v := range p.Values {
		s, err := x.str(st, v)
		if err != nil {
			return err
		}
		values = append(values, s)
	}
	if action == "append" {
		h[key] = append(h[key], values...)
	} else {
		h[key] = values
	}
	if x.trace != nil {
		shown := strings.Join(values, ", ")
		for _, v := range p.Values {
			if v.HasSecret() {
				shown = "***"
			}
		}
		verb := "set"
		if action == "append" {
			verb = "appended"
		}
		x.tracePolicy(st, began, "%v", &setHeaderTrace{name: name, verb: verb, shown: shown})
		if strings.EqualFold(name, "Authorization") || strings.EqualFold(name, x.keyHeader()) {
			x.trace.Mask(values...)
		}
	}
	if x.inRequest() && strings.EqualFold(key, "Host") {
		x.hostOverride = strings.Join(values, "")
	}
	return nil
}

func (x *exchange) keyHeader() string {
	if x.m != nil && x.m.api != nil {
		return x.m.api.KeyHeader
	}
	return "Ocp-Apim-Subscription-Key"
}

func isHopHeader(key string) bool {
	switch key {
	case "Connection", "Content-Length", "Keep-Alive", "Transfer-Encoding":
		return true
	}
	return false
}

func (x *exchange) execSetQuery(st *policy.Step, p *policy.SetHeader, began time.Time) *Error {
	name, action, err := x.nameAndAction(st, p)
	if err != nil {
		return err
	}
	q := queryPairs(x.req.rawQuery)
	idx := -1
	for i := range q {
		if q[i].Name == name {
			idx = i
		}
	}
	switch {
	case action == "delete":
		if idx >= 0 {
			q = append(q[:idx], q[idx+1:]...)
		}
	case action == "skip" && idx >= 0:
		x.tracePolicy(st, began, "query parameter %s exists; skipped", name)
		return nil
	default:
		var values []string
		for _, v := range p.Values {
			s, err := x.str(st, v)
			if err != nil {
				return err
			}
			values = append(values, s)
		}
		switch {
		case idx < 0:
			q = append(q, expr.HeaderPair{Name: name, Values: values})
		case action == "append":
			q[idx].Values = append(q[idx].Values, values...)
		default:
			q[idx].Values = values
		}
	}
	x.req.rawQuery = encodeQuery(q)
	x.urlDirty = true
	x.tracePolicy(st, began, "query parameter %s: %s; query is now ?%s", name, action, x.req.rawQuery)
	return nil
}

func (x *exchange) execSetBody(st *policy.Step, p *policy.SetBody, target **body, began time.Time) *Error {
	var s string
	if p.Liquid() {
		var err *Error
		if s, err = x.renderLiquid(st, p, *target, x.headersFor()); err != nil {
			return err
		}
	} else {
		var err *Error
		if s, err = x.str(st, p.Body); err != nil {
			return err
		}
	}
	if *target == nil {
		*target = newBytesBody(nil)
	}
	(*target).set([]byte(s))
	if x.inRequest() {
		delete(x.req.header, "Content-Length")
	} else if x.resp.header != nil {
		delete(x.resp.header, "Content-Length")
	}
	x.tracePolicy(st, began, "body set (%d bytes)", len(s))
	return nil
}

func (x *exchange) execSetStatus(st *policy.Step, p *policy.SetStatus, began time.Time) *Error {
	code, err := x.integer(st, p.Code)
	if err != nil {
		return err
	}
	reason, err := x.str(st, p.Reason)
	if err != nil {
		return err
	}
	if reason == "" {
		reason = http.StatusText(code)
	}
	if x.resp.header == nil {
		x.resp.header = http.Header{}
	}
	x.resp.status, x.resp.reason = code, reason
	x.tracePolicy(st, began, "status set to %d %s", code, reason)
	return nil
}

// templateParam matches {name} in a rewrite-uri template.
var templateParam = regexp.MustCompile(`\{([^{}]+)\}`)

func (x *exchange) execRewriteURI(st *policy.Step, p *policy.RewriteURI, began time.Time) *Error {
	tmpl, err := x.str(st, p.Template)
	if err != nil {
		return err
	}
	copyUnmatched, err := x.boolean(st, p.CopyUnmatchedParams)
	if err != nil {
		return err
	}
	params := map[string]string{}
	if x.m != nil {
		for _, pr := range x.m.params {
			params[strings.ToLower(pr.name)] = pr.value
		}
	}
	used := map[string]bool{}
	var missing []string
	expanded := templateParam.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := params[strings.ToLower(name)]
		if !ok {
			missing = append(missing, name)
			return m
		}
		used[strings.ToLower(name)] = true
		return url.PathEscape(v)
	})
	if len(missing) > 0 {
		return &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Template parameter not found.",
			Cause: fmt.Sprintf("rewrite-uri template %q uses {%s}, which the operation's URL template does not define", tmpl, strings.Join(missing, "}, {"))}
	}
	path, query, _ := strings.Cut(expanded, "?")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	newQuery := queryPairs(query)
	if copyUnmatched {
		for _, kv := range queryPairs(x.req.rawQuery) {
			if used[strings.ToLower(kv.Name)] || templateQueryHas(x.m, kv.Name) {
				continue
			}
			found := false
			for _, q := range newQuery {
				if q.Name == kv.Name {
					found = true
				}
			}
			if !found {
				newQuery = append(newQuery, kv)
			}
		}
	}
	x.req.path, x.req.rawQuery = path, encodeQuery(newQuery)
	x.urlDirty = true
	if x.trace != nil {
		x.tracePolicy(st, began, "URL rewritten to %s", x.req.url())
	}
	return nil
}

// templateQueryHas reports whether name is a query parameter bound by the
// operation's URL template (those are not copied by rewrite-uri).
func templateQueryHas(m *match, name string) bool {
	if m == nil || m.op == nil {
		return false
	}
	_, q, _ := strings.Cut(m.op.URLTemplate, "?")
	for kv := range strings.SplitSeq(q, "&") {
		if k, _, _ := strings.Cut(kv, "="); k == name {
			return true
		}
	}
	return false
}

func (x *exchange) execSetBackendService(st *policy.Step, p *policy.SetBackendService, began time.Time) *Error {
	if p.BackendID.Set {
		id, err := x.str(st, p.BackendID)
		if err != nil {
			return err
		}
		be := x.st.backends[id]
		if be == nil {
			return &Error{Source: st.Name, Reason: "BackendNotFound", Status: 500, Message: fmt.Sprintf("Backend with id '%s' could not be found.", id),
				Cause: fmt.Sprintf("set-backend-service names backend-id %q, and the configuration has no such backend", id)}
		}
		if len(be.pool) > 0 {
			m, ok := x.g.breakers.pick(be.name, be.pool, time.Now())
			if !ok {
				return circuitOpen(st.Name, be.name, "every member of the pool has its circuit breaker open")
			}
			x.tracePolicy(st, began, "pool %s chose backend %s (priority %d, weight %d)", be.name, m.name, m.priority, m.weight)
			be = x.st.backends[m.name]
		}
		x.req.base, x.req.backendID = be.url, be.name
		x.rec.BackendID = be.name
	} else {
		s, err := x.str(st, p.BaseURL)
		if err != nil {
			return err
		}
		u, perr := url.Parse(strings.TrimSpace(s))
		if perr != nil || u.Scheme == "" || u.Host == "" {
			return &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Invalid URI: The format of the URI could not be determined.",
				Cause: fmt.Sprintf("set-backend-service base-url is %q, which is not an absolute URL", s)}
		}
		x.req.base, x.req.backendID = u, ""
	}
	x.urlDirty = true
	if x.trace != nil {
		x.tracePolicy(st, began, "backend set to %s", x.req.url())
	}
	return nil
}

func (x *exchange) execReturnResponse(st *policy.Step, p *policy.ReturnResponse, began time.Time) (flow, *Error) {
	resp := outResponse{header: http.Header{}, body: newBytesBody(nil)}
	if p.ResponseVariableName.Set {
		name := p.ResponseVariableName.Resolved()
		v, _ := x.vars().Get(name)
		r, ok := v.(*expr.Response)
		if !ok {
			return next, &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Expression evaluation failed. Object reference not set to an instance of an object.",
				Cause: fmt.Sprintf("response-variable-name %q names no response variable (it holds %s)", name, expr.TypeName(v))}
		}
		resp.status, resp.reason = r.StatusCode, r.StatusReason
		if r.Headers != nil {
			for _, n := range r.Headers.Names() {
				vs, _ := r.Headers.Values(n)
				resp.header[textproto.CanonicalMIMEHeaderKey(n)] = vs
			}
		}
		if r.Body != nil {
			b, _ := r.Body.Read(true)
			resp.body = newBytesBody(b)
		}
	}
	x.resp.body.close()
	x.resp = resp
	if p.Status != nil {
		if err := x.execSetStatus(st, p.Status, began); err != nil {
			return next, err
		}
	}
	for _, h := range p.Headers {
		if err := x.execSetHeader(st, h, x.resp.header, began); err != nil {
			return next, err
		}
	}
	if p.Body != nil {
		if err := x.execSetBody(st, p.Body, &x.resp.body, began); err != nil {
			return next, err
		}
	}
	x.tracePolicy(st, began, "return-response: %d", x.resp.statusCode())
	return ended, nil
}

func (x *exchange) execMockResponse(st *policy.Step, p *policy.MockResponse, began time.Time) (flow, *Error) {
	status, ctype := p.StatusCode.N, p.ContentType.Resolved()
	x.resp.body.close()
	x.resp = outResponse{status: status, header: http.Header{}, body: newBytesBody(nil)}
	if x.m != nil && x.m.op != nil {
		for _, r := range x.m.op.Responses {
			if r.Status != status {
				continue
			}
			for media, example := range r.Content {
				if ctype == "" || strings.EqualFold(media, ctype) {
					x.resp.header.Set("Content-Type", media)
					x.resp.body.set([]byte(example))
					ctype = media
					break
				}
			}
		}
	}
	x.tracePolicy(st, began, "mock-response: %d %s", status, ctype)
	return ended, nil
}

func (x *exchange) execRetry(st *policy.Step, p *policy.Retry, began time.Time) (flow, *Error) {
	count, err := x.integer(st, p.Count)
	if err != nil {
		return next, err
	}
	interval, err := x.integer(st, p.Interval)
	if err != nil {
		return next, err
	}
	maxInterval, err := x.integer(st, p.MaxInterval)
	if err != nil {
		return next, err
	}
	delta, err := x.integer(st, p.Delta)
	if err != nil {
		return next, err
	}
	fast, err := x.boolean(st, p.FirstFastRetry)
	if err != nil {
		return next, err
	}
	// A body that a retry may send again must be kept.
	if x.req.body != nil && !x.req.body.loaded {
		x.req.body.load()
	}
	for attempt := 0; ; attempt++ {
		f, ferr := x.runBlock(st, 0)
		if f == ended {
			return ended, ferr
		}
		again, cerr := x.boolean(st, p.Condition)
		if cerr != nil {
			if ferr != nil {
				// The attempt failed and the condition cannot be evaluated
				// (typically context.Response is null): the attempt's error
				// is the one worth reporting.
				ferr.Cause += fmt.Sprintf("; retry could not evaluate its condition afterwards (%s)", cerr.Cause)
				return next, ferr
			}
			return next, cerr
		}
		if !again || attempt >= count {
			x.tracePolicy(st, began, "%d attempt(s); condition now %v", attempt+1, again)
			return next, ferr
		}
		wait := time.Duration(interval) * time.Second
		if delta > 0 {
			wait = time.Duration(interval+attempt*delta) * time.Second
			if maxInterval > 0 && wait > time.Duration(maxInterval)*time.Second {
				wait = time.Duration(maxInterval) * time.Second
			}
		}
		if attempt == 0 && fast {
			wait = 0
		}
		x.traceStep(traceSection(x.section), "retry", "attempt %d: condition is true, retrying in %s", attempt+1, wait)
		select {
		case <-time.After(wait):
		case <-x.r.Context().Done():
			return next, errClientAborted("retry", "the client closed the connection while retry was waiting")
		}
	}
}

func (x *exchange) execTrace(st *policy.Step, p *policy.Trace, began time.Time) *Error {
	msg, err := x.str(st, p.Message)
	if err != nil {
		return err
	}
	meta, err := x.nameValues(st, p.Metadata)
	if err != nil {
		return err
	}
	sev := p.Severity.Resolved()
	if sev == "" {
		sev = "verbose"
	}
	x.rec.TraceRecords = append(x.rec.TraceRecords, TraceRecord{Source: p.Source.Resolved(), Severity: sev, Message: msg, Metadata: meta})
	if x.trace != nil {
		x.trace.Add(traceEntry(x.section, p.Source.Resolved(), st, msg, meta))
	}
	return nil
}

func (x *exchange) execFindAndReplace(st *policy.Step, p *policy.FindAndReplace, began time.Time) *Error {
	from, err := x.str(st, p.From)
	if err != nil {
		return err
	}
	to, err := x.str(st, p.To)
	if err != nil {
		return err
	}
	n, e := x.replaceInBody(st, from, to)
	if e != nil {
		return e
	}
	x.tracePolicy(st, began, "%d occurrence(s) of %q replaced", n, from)
	return nil
}

// replaceInBody replaces every from with to in the body of the message the
// section works on, within the body budget, and returns the count.
func (x *exchange) replaceInBody(st *policy.Step, from, to string) (int, *Error) {
	b := *x.bodyFor()
	if b == nil || from == "" {
		return 0, nil
	}
	data, rerr := b.Read(true)
	if rerr != nil {
		return 0, backendReadError(st, rerr)
	}
	n := bytes.Count(data, []byte(from))
	if n == 0 {
		return 0, nil
	}
	maxBody := x.g.bodyBudgets.MaxBody
	if maxBody <= 0 {
		maxBody = maxBodyBuffer
	}
	if grow := len(to) - len(from); grow > 0 && n > (maxBody-len(data))/grow {
		return 0, &Error{Source: st.Name, Reason: "FindAndReplaceFailure", Status: 500, Message: "The body could not be rewritten.",
			Cause: fmt.Sprintf("%s at %s: replacing %d occurrence(s) would make a body of %d bytes, over the body budget of %d bytes", st.Name, st.Span().Pos(), n, len(data)+n*grow, maxBody)}
	}
	b.set(bytes.ReplaceAll(data, []byte(from), []byte(to)))
	if x.inRequest() {
		delete(x.req.header, "Content-Length")
	} else if x.resp.header != nil {
		delete(x.resp.header, "Content-Length")
	}
	return n, nil
}

// execRedirectContentURLs rewrites the links of a body: in outbound, links
// to the backend's base URL point to the gateway's URL of the API instead;
// in inbound, the other way round.
func (x *exchange) execRedirectContentURLs(st *policy.Step, began time.Time) *Error {
	if x.req.base == nil {
		return nil
	}
	backend := strings.TrimSuffix(x.req.base.String(), "/")
	scheme := "http"
	if x.r.TLS != nil {
		scheme = "https"
	}
	gateway := scheme + "://" + x.r.Host
	if x.m.api.Path != "" {
		gateway += "/" + strings.Trim(x.m.api.Path, "/")
	}
	from, to := backend, gateway
	if x.inRequest() {
		from, to = gateway, backend
	}
	n, e := x.replaceInBody(st, from, to)
	if e != nil {
		return e
	}
	x.tracePolicy(st, began, "%d link(s) to %s rewritten to %s", n, from, to)
	return nil
}

func backendReadError(st *policy.Step, err error) *Error {
	return &Error{Source: st.Name, Reason: "BodyReadFailure", Status: 500, Message: "Unable to read the message body.", Cause: err.Error()}
}

func (x *exchange) execCheckHeader(st *policy.Step, p *policy.CheckHeader, began time.Time) *Error {
	name, err := x.str(st, p.Name)
	if err != nil {
		return err
	}
	status, err := x.integer(st, p.FailedCheckHTTPCode)
	if err != nil {
		return err
	}
	msg, err := x.str(st, p.FailedCheckErrorMessage)
	if err != nil {
		return err
	}
	ignoreCase, err := x.boolean(st, p.IgnoreCase)
	if err != nil {
		return err
	}
	got, ok := x.req.header[textproto.CanonicalMIMEHeaderKey(name)]
	if !ok {
		e := policyError(st.Name, "HeaderNotFound", fmt.Sprintf("Header %s was not found in the request. Access denied.", name), status,
			fmt.Sprintf("the request has no header %s", name))
		e.Body = errorBody(status, msg)
		return e
	}
	if len(p.Values) == 0 {
		x.tracePolicy(st, began, "header %s is present", name)
		return nil
	}
	var allowed []string
	for _, v := range p.Values {
		s, err := x.str(st, v)
		if err != nil {
			return err
		}
		allowed = append(allowed, s)
	}
	for _, g := range got {
		for _, part := range strings.Split(g, ",") {
			part = strings.TrimSpace(part)
			for _, a := range allowed {
				if part == a || ignoreCase && strings.EqualFold(part, a) {
					x.tracePolicy(st, began, "header %s has an allowed value", name)
					return nil
				}
			}
		}
	}
	cause := fmt.Sprintf("header %s is %q; allowed values: %q", name, strings.Join(got, ","), allowed)
	if !ignoreCase {
		for _, g := range got {
			for _, a := range allowed {
				if strings.EqualFold(strings.TrimSpace(g), a) {
					cause += "; it matches only when case is ignored (ignore-case=\"false\")"
				}
			}
		}
	}
	e := policyError(st.Name, "HeaderValueNotAllowed", fmt.Sprintf("Header %s value of %s is not allowed. Access denied.", name, strings.Join(got, ",")), status, cause)
	e.Body = errorBody(status, msg)
	return e
}

func (x *exchange) execIPFilter(st *policy.Step, p *policy.IPFilter, began time.Time) *Error {
	action, err := x.str(st, p.Action)
	if err != nil {
		return err
	}
	ip := net.ParseIP(x.rec.CallerIPAddress)
	if ip == nil {
		return policyError(st.Name, "FailedToParseCallerIP", "Failed to establish IP address for the caller. Access denied.", 403,
			fmt.Sprintf("the caller address %q is not an IP address", x.rec.CallerIPAddress))
	}
	matched, what := false, ""
	for _, a := range p.Addresses {
		s, err := x.str(st, a)
		if err != nil {
			return err
		}
		if other := net.ParseIP(strings.TrimSpace(s)); other != nil && other.Equal(ip) {
			matched, what = true, "address "+s
			break
		}
	}
	for _, r := range p.Ranges {
		if matched {
			break
		}
		from, err := x.str(st, r[0])
		if err != nil {
			return err
		}
		to, err := x.str(st, r[1])
		if err != nil {
			return err
		}
		if inRange(ip, net.ParseIP(strings.TrimSpace(from)), net.ParseIP(strings.TrimSpace(to))) {
			matched, what = true, fmt.Sprintf("range %s-%s", from, to)
		}
	}
	switch {
	case strings.EqualFold(action, "allow") && !matched:
		return policyError(st.Name, "CallerIpNotAllowed", fmt.Sprintf("Caller IP address %s is not allowed. Access denied.", ip), 403,
			fmt.Sprintf("%s is in none of the allowed addresses and ranges of this ip-filter; behind a proxy or Application Gateway the caller address is the proxy's, so filter on X-Forwarded-For with check-header or an expression instead", ip))
	case strings.EqualFold(action, "forbid") && matched:
		return policyError(st.Name, "CallerIpBlocked", "Caller IP address is blocked. Access denied.", 403,
			fmt.Sprintf("%s is in the forbidden %s", ip, what))
	}
	x.tracePolicy(st, began, "caller %s %s", ip, map[bool]string{true: "matches " + what, false: "matches no entry"}[matched])
	return nil
}

// inRange reports whether ip lies between from and to, inclusive, in the same
// address family.
func inRange(ip, from, to net.IP) bool {
	if from == nil || to == nil {
		return false
	}
	if v4 := ip.To4(); v4 != nil {
		ip = v4
		from, to = from.To4(), to.To4()
		if from == nil || to == nil {
			return false
		}
	} else {
		from, to = from.To16(), to.To16()
	}
	return bytes.Compare(ip, from) >= 0 && bytes.Compare(ip, to) <= 0
}

func (x *exchange) execAuthBasic(st *policy.Step, p *policy.AuthenticationBasic, began time.Time) *Error {
	user, err := x.str(st, p.Username)
	if err != nil {
		return err
	}
	pass, err := x.str(st, p.Password)
	if err != nil {
		return err
	}
	cred := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	x.req.header["Authorization"] = []string{cred}
	if x.trace != nil {
		x.trace.Mask(cred, pass)
	}
	x.tracePolicy(st, began, "Authorization set to Basic credentials of user %s", user)
	return nil
}

// jsonpCallback is a valid JavaScript identifier path.
var jsonpCallback = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$`)

func (x *exchange) execJSONP(st *policy.Step, p *policy.JSONP, began time.Time) *Error {
	name, err := x.str(st, p.CallbackParameterName)
	if err != nil {
		return err
	}
	cb := ""
	for _, q := range queryPairs(x.r.URL.RawQuery) {
		if q.Name == name && len(q.Values) > 0 {
			cb = q.Values[0]
		}
	}
	if cb == "" {
		return nil
	}
	if !jsonpCallback.MatchString(cb) {
		return policyError(st.Name, "CallbackParameterInvalid", fmt.Sprintf("Value of callback parameter %s is not a valid JavaScript identifier.", name), 400,
			fmt.Sprintf("callback %q is not a JavaScript identifier", cb))
	}
	b := x.resp.body
	if b == nil {
		b = newBytesBody(nil)
		x.resp.body = b
	}
	data, rerr := b.Read(true)
	if rerr != nil {
		return backendReadError(st, rerr)
	}
	b.set([]byte(cb + "(" + string(data) + ")"))
	if x.resp.header == nil {
		x.resp.header = http.Header{}
	}
	x.resp.header.Set("Content-Type", "application/javascript")
	delete(x.resp.header, "Content-Length")
	x.tracePolicy(st, began, "response wrapped in %s(...)", cb)
	return nil
}
