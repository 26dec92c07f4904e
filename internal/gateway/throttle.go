package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// OutageMode says what throttling and caching policies do when their store
// (Redis) cannot be reached.
type OutageMode int

const (
	// FailOpen admits requests and treats caches as empty: an outage of the
	// store never fails a request by itself. The default.
	FailOpen OutageMode = iota
	// FailClosed rejects requests that a throttling policy cannot count,
	// with 503 and reason StoreUnavailable.
	FailClosed
)

// deferredCount is a counter increment decided after the response is known:
// rate-limit-by-key and quota-by-key with an increment-condition, and quota
// bandwidth.
type deferredCount struct {
	st      *policy.Step
	key     string
	cond    policy.Bool // evaluated after outbound; zero when unconditional
	hasCond bool
	rate    bool // a rate limit (else a quota)
	limit   int64
	period  time.Duration
	cost    int64
	quota   limit.Quota
	calls   int64
	bytes   bool // add the request and response sizes to a bandwidth quota
}

// storeOutage handles a store error: logged and traced, then failing open or
// closed as configured.
func (x *exchange) storeOutage(st *policy.Step, err error) *Error {
	note := fmt.Sprintf("%s at %s: the counter store is unavailable (%v)", st.Name, st.Span().Pos(), err)
	x.rec.Notes = append(x.rec.Notes, note)
	x.traceStep(traceSection(x.section), st.Name, "%s", note)
	if x.g.outage == FailOpen {
		return nil
	}
	return &Error{Source: st.Name, Reason: "StoreUnavailable", Status: http.StatusServiceUnavailable,
		Message: "The throttling store is unavailable.", Body: errorBody(503, "Service Unavailable"),
		Cause: note + "; tollgate is configured to fail closed (--store-outage=closed)"}
}

// storeFailure handles an error of the counter store: an outage fails open
// or closed as configured; anything else is a 500 with the store's message.
func (x *exchange) storeFailure(st *policy.Step, message string, err error) *Error {
	if errors.Is(err, limit.ErrUnavailable) {
		return x.storeOutage(st, err)
	}
	return &Error{Source: st.Name, Reason: "StoreError", Status: 500, Message: message, Cause: err.Error()}
}

// rateExceeded builds APIM's 429 for a rate limit, with Retry-After.
func (x *exchange) rateExceeded(st *policy.Step, r limit.Rate, retryHeader, cause string) *Error {
	e := policyError(st.Name, "RateLimitExceeded", "Rate limit is exceeded", http.StatusTooManyRequests, cause)
	e.Body = errorBody(429, r.Message())
	if retryHeader == "" {
		retryHeader = "Retry-After"
	}
	e.Header = http.Header{http.CanonicalHeaderKey(retryHeader): {strconv.FormatInt(r.RetryAfterSeconds(), 10)}}
	return e
}

// rateHeaders writes the remaining and total calls where the policy asks.
func (x *exchange) rateHeaders(r limit.Rate, remainingHeader, remainingVar, totalHeader policy.Value, retryVar policy.Value) {
	if remainingHeader.Set {
		x.addResponseHeader(remainingHeader.Resolved(), strconv.FormatInt(r.Remaining, 10))
	}
	if totalHeader.Set {
		x.addResponseHeader(totalHeader.Resolved(), strconv.FormatInt(r.Limit, 10))
	}
	if remainingVar.Set {
		x.vars().Set(remainingVar.Resolved(), int32(r.Remaining))
	}
	if retryVar.Set && !r.Allowed {
		x.vars().Set(retryVar.Resolved(), int32(r.RetryAfterSeconds()))
	}
}

// addResponseHeader adds a header to whatever response is finally sent.
func (x *exchange) addResponseHeader(name, value string) {
	if x.extraHeaders == nil {
		x.extraHeaders = http.Header{}
	}
	x.extraHeaders.Set(name, value)
}

func (x *exchange) execRateLimit(st *policy.Step, p *policy.RateLimit, began time.Time) *Error {
	if x.acc.sub == nil {
		x.tracePolicy(st, began, "skipped: the request has no subscription (rate-limit counts per subscription)")
		return nil
	}
	ctx := x.r.Context()
	sub := x.acc.sub.Name
	var buf [4]rateCounter
	counters := append(buf[:0], rateCounter{limit.SubscriptionKey("rate-limit", sub, "", ""), int64(p.Calls.N), p.RenewalPeriod.N, sub, "", ""})
	api, op := x.m.api, x.m.op
	for _, a := range p.APIs {
		if !limitMatches(a, api.Name, api.DisplayName) {
			continue
		}
		if a.Calls.N > 0 {
			counters = append(counters, rateCounter{limit.SubscriptionKey("rate-limit", sub, api.Name, ""), int64(a.Calls.N), a.RenewalPeriod.N, sub, api.Name, ""})
		}
		for _, o := range a.Operations {
			if limitMatches(o, op.Name, op.DisplayName) && o.Calls.N > 0 {
				counters = append(counters, rateCounter{limit.SubscriptionKey("rate-limit", sub, api.Name, op.Name), int64(o.Calls.N), o.RenewalPeriod.N, sub, "", op.Name})
			}
		}
	}
	refused := func(c *rateCounter, r limit.Rate) *Error {
		x.rateHeaders(r, p.RemainingCallsHeaderName, p.RemainingCallsVariableName, p.TotalCallsHeaderName, p.RetryAfterVariableName)
		return x.rateExceeded(st, r, p.RetryAfterHeaderName.Resolved(),
			fmt.Sprintf("the %s scope rate-limit allows %s; %d were used in the current window, which renews in %d s%s", st.Scope, c.String(), r.Used, r.RetryAfterSeconds(), x.looserLimits(st, c.calls, c.period())))
	}
	// With several counters, every one is checked before any is counted,
	// so a request refused by one limit is not counted by the others.
	if len(counters) > 1 {
		for i := range counters {
			c := &counters[i]
			r, err := x.g.limits.Peek(ctx, c.key, c.calls, c.period(), 1)
			if err != nil {
				return x.storeFailure(st, "Rate limit could not be evaluated.", err)
			}
			if !r.Allowed {
				return refused(c, r)
			}
		}
	}
	var first limit.Rate
	for i := range counters {
		c := &counters[i]
		r, err := x.g.limits.Take(ctx, c.key, c.calls, c.period(), 1)
		if err != nil {
			return x.storeFailure(st, "Rate limit could not be evaluated.", err)
		}
		if !r.Allowed && len(counters) == 1 {
			return refused(c, r)
		}
		if !r.Allowed {
			// Another request took the last call between the check and now.
			return x.rateExceeded(st, r, p.RetryAfterHeaderName.Resolved(),
				fmt.Sprintf("the %s scope rate-limit allows %s; the last call of the window was taken by a concurrent request", st.Scope, c.String()))
		}
		if i == 0 {
			first = r
		}
	}
	x.rateHeaders(first, p.RemainingCallsHeaderName, p.RemainingCallsVariableName, p.TotalCallsHeaderName, p.RetryAfterVariableName)
	if x.trace != nil {
		x.tracePolicy(st, began, "%v", &rateTrace{sub: sub, remaining: first.Remaining, limit: first.Limit, seconds: p.RenewalPeriod.N})
	}
	return nil
}

// looserLimits names the rate limits of narrower scopes later in the
// effective inbound section that allow more calls per second than the one
// that refused the request (seed: a product limit stricter than the API's
// rate-limit-by-key): the stricter, broader limit answers first, so the
// narrower one never takes effect. It runs only for refused requests.
func (x *exchange) looserLimits(refused *policy.Step, calls int64, period time.Duration) string {
	if x.pipe == nil || period <= 0 {
		return ""
	}
	rate := float64(calls) / period.Seconds()
	var out []string
	for _, st := range x.pipe.Sections[policy.Inbound] {
		if st.Scope <= refused.Scope || st.Scope == policy.Fragment {
			continue
		}
		var n, secs int
		switch p := st.Policy.(type) {
		case *policy.RateLimit:
			n, secs = p.Calls.N, p.RenewalPeriod.N
		case *policy.RateLimitByKey:
			if p.Calls.Expr != nil || p.RenewalPeriod.Expr != nil {
				continue
			}
			n, secs = p.Calls.N, p.RenewalPeriod.N
		default:
			continue
		}
		if secs > 0 && float64(n)/float64(secs) > rate {
			out = append(out, fmt.Sprintf("the %s scope %s at %s allows %d calls per %d s", st.Scope, st.Name, st.Where, n, secs))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "; " + strings.Join(out, ", ") + fmt.Sprintf(", but this stricter %s limit answers first, so the looser one never takes effect", refused.Scope)
}

// rateCounter is one counter of a rate-limit policy: the subscription's, or
// its calls to an API or an operation.
type rateCounter struct {
	key     string
	calls   int64
	seconds int // the renewal period
	sub     string
	api, op string // the API or operation counted, "" for all calls
}

func (c *rateCounter) period() time.Duration { return time.Duration(c.seconds) * time.Second }

// String says what the counter allows, for errors.
func (c *rateCounter) String() string {
	s := fmt.Sprintf("%d calls per %d s for subscription %s", c.calls, c.seconds, c.sub)
	switch {
	case c.op != "":
		s += " on operation " + c.op
	case c.api != "":
		s += " on API " + c.api
	}
	return s
}

// rateTrace is rate-limit's trace message.
type rateTrace struct {
	sub              string
	remaining, limit int64
	seconds          int
}

func (t *rateTrace) String() string {
	return fmt.Sprintf("subscription %s: %d of %d calls left in this %d s window", t.sub, t.remaining, t.limit, t.seconds)
}

// limitMatches reports whether an <api> or <operation> child of rate-limit or
// quota names the entity: by id when given, else by name.
func limitMatches(l policy.Limit, id, name string) bool {
	if l.ID.Set {
		return strings.EqualFold(l.ID.Resolved(), id)
	}
	return strings.EqualFold(l.Name.Resolved(), name) || strings.EqualFold(l.Name.Resolved(), id)
}

func (x *exchange) execRateLimitByKey(st *policy.Step, p *policy.RateLimitByKey, began time.Time) *Error {
	calls, err := x.integer(st, p.Calls)
	if err != nil {
		return err
	}
	period, err := x.integer(st, p.RenewalPeriod)
	if err != nil {
		return err
	}
	key, err := x.str(st, p.CounterKey)
	if err != nil {
		return err
	}
	cost, err := x.integer(st, p.IncrementCount)
	if err != nil {
		return err
	}
	ctx := x.r.Context()
	k := limit.ByKey(key)
	d := time.Duration(period) * time.Second
	var r limit.Rate
	var serr error
	conditional := p.IncrementCondition.Expr != nil || (p.IncrementCondition.Set && !p.IncrementCondition.B)
	if conditional {
		// The condition may read the response: decide now, count after.
		r, serr = x.g.limits.Peek(ctx, k, int64(calls), d, int64(cost))
		if serr == nil && r.Allowed {
			x.deferred = append(x.deferred, deferredCount{st: st, key: k, cond: p.IncrementCondition, hasCond: true, rate: true,
				limit: int64(calls), period: d, cost: int64(cost)})
		}
	} else {
		r, serr = x.g.limits.Take(ctx, k, int64(calls), d, int64(cost))
	}
	if serr != nil {
		return x.storeFailure(st, "Rate limit could not be evaluated.", serr)
	}
	x.rateHeaders(r, p.RemainingCallsHeaderName, p.RemainingCallsVariableName, p.TotalCallsHeaderName, p.RetryAfterVariableName)
	if !r.Allowed {
		return x.rateExceeded(st, r, p.RetryAfterHeaderName.Resolved(),
			fmt.Sprintf("the %s scope rate-limit-by-key allows %d calls per %d s for counter key %q; %d were used in the current window, which renews in %d s (the counter is shared by every policy that uses the same key)",
				st.Scope, calls, period, key, r.Used, r.RetryAfterSeconds()))
	}
	x.tracePolicy(st, began, "counter key %q: %d of %d calls left in this %d s window", key, r.Remaining, r.Limit, period)
	return nil
}

func quotaExceeded(st *policy.Step, q limit.QuotaState, cause string) *Error {
	msg := q.Message()
	e := policyError(st.Name, "QuotaExceeded", msg, http.StatusForbidden, cause)
	if q.Renews {
		e.Header = http.Header{"Retry-After": {strconv.FormatInt(q.RetryAfterSeconds(), 10)}}
	}
	return e
}

func (x *exchange) execQuota(st *policy.Step, p *policy.Quota, began time.Time) *Error {
	if x.acc.sub == nil {
		x.tracePolicy(st, began, "skipped: the request has no subscription (quota counts per subscription)")
		return nil
	}
	sub := x.acc.sub.Name
	q := limit.Quota{Calls: int64(p.Calls.N), Kilobytes: int64(p.Bandwidth.N), Period: time.Duration(p.RenewalPeriod.N) * time.Second, FirstPeriodStart: limit.DefaultFirstPeriodStart}
	if s := x.acc.sub; s != nil {
		_ = s // subscriptions carry no start date in tollgate's model: periods align to the default start
	}
	key := limit.SubscriptionKey("quota", sub, "", "")
	return x.takeQuota(st, key, q, began, fmt.Sprintf("subscription %s", sub))
}

func (x *exchange) execQuotaByKey(st *policy.Step, p *policy.QuotaByKey, began time.Time) *Error {
	key, err := x.str(st, p.CounterKey)
	if err != nil {
		return err
	}
	start := limit.DefaultFirstPeriodStart
	if p.FirstPeriodStart.Set {
		t, perr := time.Parse(time.RFC3339, p.FirstPeriodStart.Resolved())
		if perr != nil {
			return &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "first-period-start is not a valid date.",
				Cause: fmt.Sprintf("first-period-start %q is not yyyy-MM-ddTHH:mm:ssZ", p.FirstPeriodStart.Resolved())}
		}
		start = t
	}
	q := limit.Quota{Calls: int64(p.Calls.N), Kilobytes: int64(p.Bandwidth.N), Period: time.Duration(p.RenewalPeriod.N) * time.Second, FirstPeriodStart: start}
	k := limit.ByKey("quota|" + key)
	if p.IncrementCondition.Expr != nil || (p.IncrementCondition.Set && !p.IncrementCondition.B) {
		s, serr := x.g.limits.PeekQuota(x.r.Context(), k, q)
		if serr != nil {
			return x.storeFailure(st, "Quota could not be evaluated.", serr)
		}
		if !s.Allowed {
			return quotaExceeded(st, s, fmt.Sprintf("counter key %q used %d of %d calls (%d of %d KB) in the current period", key, s.Calls, q.Calls, s.Bytes/1024, q.Kilobytes))
		}
		x.deferred = append(x.deferred, deferredCount{st: st, key: k, cond: p.IncrementCondition, hasCond: true, quota: q, calls: 1, bytes: q.Kilobytes > 0})
		return nil
	}
	return x.takeQuota(st, k, q, began, fmt.Sprintf("counter key %q", key))
}

// takeQuota counts one call against a quota and, for bandwidth quotas,
// arranges for the bytes to be added once the response is sent.
func (x *exchange) takeQuota(st *policy.Step, key string, q limit.Quota, began time.Time, who string) *Error {
	// A key counted by an earlier quota policy of this request is not counted
	// again (APIM counts a key once per request).
	for _, d := range x.deferred {
		if d.key == key && !d.rate {
			return nil
		}
	}
	calls := int64(0)
	if q.Calls > 0 {
		calls = 1
	}
	s, err := x.g.limits.TakeQuota(x.r.Context(), key, q, calls)
	if err != nil {
		return x.storeFailure(st, "Quota could not be evaluated.", err)
	}
	if !s.Allowed {
		what := fmt.Sprintf("%d of %d calls", s.Calls, q.Calls)
		if s.Exceeded == limit.QuotaBandwidthExceeded {
			what = fmt.Sprintf("%d of %d KB", s.Bytes/1024, q.Kilobytes)
		}
		return quotaExceeded(st, s, fmt.Sprintf("the %s scope %s is exhausted for %s: %s used in the current period", st.Scope, st.Name, who, what))
	}
	if q.Kilobytes > 0 {
		x.deferred = append(x.deferred, deferredCount{st: st, key: key, quota: q, bytes: true})
	} else {
		x.deferred = append(x.deferred, deferredCount{st: st, key: key, quota: q})
	}
	x.tracePolicy(st, began, "%s: %d calls used in this period", who, s.Calls)
	return nil
}

// finishCounts performs the increments decided after the response: those
// with an increment-condition and quota bandwidth.
func (x *exchange) finishCounts() {
	if len(x.deferred) == 0 {
		return
	}
	ctx := x.r.Context()
	prevSection := x.section
	x.section = policy.Outbound
	for _, d := range x.deferred {
		if d.hasCond {
			ok, err := x.boolean(d.st, d.cond)
			if err != nil {
				x.rec.Notes = append(x.rec.Notes, fmt.Sprintf("%s at %s: increment-condition failed: %s", d.st.Name, d.st.Span().Pos(), err.Message))
				continue
			}
			if !ok {
				x.traceStep(reqtrace.Outbound, d.st.Name, "increment-condition is false: the call is not counted")
				continue
			}
		}
		var err error
		switch {
		case d.rate:
			_, err = x.g.limits.Add(ctx, d.key, d.limit, d.period, d.cost)
		case d.hasCond || d.bytes:
			var b int64
			if d.bytes {
				b = x.rec.RequestSize + x.rec.ResponseSize
			}
			calls := d.calls
			if !d.hasCond {
				calls = 0 // the call was counted when the policy ran
			}
			_, err = x.g.limits.AddQuota(ctx, d.key, d.quota, calls, b)
		}
		if err != nil {
			x.rec.Notes = append(x.rec.Notes, fmt.Sprintf("%s at %s: the count after the response was lost: %v", d.st.Name, d.st.Span().Pos(), err))
		}
	}
	x.section = prevSection
}

// execLimitConcurrency runs the block with at most max-count requests per
// key at once.
func (x *exchange) execLimitConcurrency(st *policy.Step, p *policy.LimitConcurrency, began time.Time) (flow, *Error) {
	key, err := x.str(st, p.Key)
	if err != nil {
		return next, err
	}
	lease := x.g.timeout + time.Minute
	l, serr := x.g.limits.Acquire(x.r.Context(), "concurrency|"+key, int64(p.MaxCount.N), lease)
	if serr != nil {
		return next, x.storeFailure(st, "Concurrency limit could not be evaluated.", serr)
	}
	if !l.Acquired {
		return next, policyError(st.Name, "ConcurrencyLimitExceeded", "Too many requests are being processed concurrently.", http.StatusTooManyRequests,
			fmt.Sprintf("%d requests with key %q are already running; max-count is %d", l.Active, key, p.MaxCount.N))
	}
	defer x.g.limits.Release(x.r.Context(), "concurrency|"+key, l.Token)
	x.tracePolicy(st, began, "slot %d of %d for key %q", l.Active, p.MaxCount.N, key)
	return x.runBlock(st, 0)
}
