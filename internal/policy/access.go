package policy

import (
	"github.com/tollgate/tollgate/internal/xmlscan"
)

// CORS is <cors>: answers preflights and adds CORS headers.
type CORS struct {
	AllowCredentials          Bool // default false
	TerminateUnmatchedRequest Bool // default true
	Origins                   []Value
	Methods                   []Value // absent: GET and POST
	PreflightMaxAge           Int     // allowed-methods@preflight-result-max-age, default 0
	Headers                   []Value
	ExposeHeaders             []Value
}

// PolicyName implements Policy.
func (*CORS) PolicyName() string { return "cors" }

func parseCORS(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &CORS{AllowCredentials: a.boolean("allow-credentials", false, expr),
		TerminateUnmatchedRequest: a.boolean("terminate-unmatched-request", true, expr)}
	a.done()
	origins := false
	for _, k := range l.elems(e, "allowed-origins", "allowed-methods", "allowed-headers", "expose-headers") {
		switch k.Name {
		case "allowed-origins":
			l.attrs(k, false).done()
			p.Origins, origins = l.textList(k, "origin"), true
		case "allowed-methods":
			b := l.attrs(k, false)
			p.PreflightMaxAge = b.integer("preflight-result-max-age", 0, 0, maxInt, expr)
			b.done()
			p.Methods = l.textList(k, "method")
		case "allowed-headers":
			l.attrs(k, false).done()
			p.Headers = l.textList(k, "header")
		case "expose-headers":
			l.attrs(k, false).done()
			p.ExposeHeaders = l.textList(k, "header")
		}
	}
	if !origins {
		l.diags.Errorf(e.NameSpan, "missing-element", "<cors> requires <allowed-origins>")
	}
	return p
}

// RateLimit is <rate-limit> (per subscription) and its per-API and
// per-operation limits.
type RateLimit struct {
	Calls                      Int // required, literal
	RenewalPeriod              Int // seconds, required, ≤ 300
	RetryAfterHeaderName       Value
	RetryAfterVariableName     Value
	RemainingCallsHeaderName   Value
	RemainingCallsVariableName Value
	TotalCallsHeaderName       Value
	APIs                       []Limit
}

// Limit is an <api> or <operation> child of rate-limit or quota.
type Limit struct {
	Name, ID         Value
	Calls, Bandwidth Int
	RenewalPeriod    Int
	Operations       []Limit
}

// PolicyName implements Policy.
func (*RateLimit) PolicyName() string { return "rate-limit" }

func parseRateLimit(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &RateLimit{Calls: a.integer("calls", 0, 1, maxInt, req), RenewalPeriod: a.integer("renewal-period", 0, 1, 300, req)}
	p.RetryAfterHeaderName = a.str("retry-after-header-name", opt)
	p.RetryAfterVariableName = a.str("retry-after-variable-name", opt)
	p.RemainingCallsHeaderName = a.str("remaining-calls-header-name", opt)
	p.RemainingCallsVariableName = a.str("remaining-calls-variable-name", opt)
	p.TotalCallsHeaderName = a.str("total-calls-header-name", opt)
	a.done()
	p.APIs = l.limits(e, "api", false)
	return p
}

// limits reads <api> (and nested <operation>) children of rate-limit and
// quota.
func (l *loader) limits(e *xmlscan.Element, child string, quota bool) []Limit {
	var out []Limit
	for _, k := range l.elems(e, child) {
		a := l.attrs(k, false)
		x := Limit{Name: a.str("name", opt), ID: a.str("id", opt), Calls: a.integer("calls", 0, 0, maxInt, opt),
			RenewalPeriod: a.integer("renewal-period", 0, 0, maxInt, opt)}
		if quota {
			x.Bandwidth = a.integer("bandwidth", 0, 0, maxInt, opt)
		}
		a.done()
		if !x.Name.Set && !x.ID.Set {
			l.diags.Errorf(k.NameSpan, "missing-attribute", "<%s> requires attribute \"name\" or \"id\"", k.Name)
		}
		if child == "api" {
			x.Operations = l.limits(k, "operation", quota)
		} else {
			l.leaf(k)
		}
		out = append(out, x)
	}
	return out
}

// RateLimitByKey is <rate-limit-by-key>: a sliding-window limit per key
// value, shared by every policy using the same key.
type RateLimitByKey struct {
	Calls                      Int
	RenewalPeriod              Int
	CounterKey                 Value
	IncrementCondition         Bool
	IncrementCount             Int // default 1
	RetryAfterHeaderName       Value
	RetryAfterVariableName     Value
	RemainingCallsHeaderName   Value
	RemainingCallsVariableName Value
	TotalCallsHeaderName       Value
}

// PolicyName implements Policy.
func (*RateLimitByKey) PolicyName() string { return "rate-limit-by-key" }

func parseRateLimitByKey(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &RateLimitByKey{Calls: a.integer("calls", 0, 1, maxInt, req|expr),
		RenewalPeriod: a.integer("renewal-period", 0, 1, 300, req|expr), CounterKey: a.str("counter-key", req|expr),
		IncrementCondition: a.boolean("increment-condition", true, expr), IncrementCount: a.integer("increment-count", 1, 0, maxInt, expr)}
	p.RetryAfterHeaderName = a.str("retry-after-header-name", opt)
	p.RetryAfterVariableName = a.str("retry-after-variable-name", opt)
	p.RemainingCallsHeaderName = a.str("remaining-calls-header-name", opt)
	p.RemainingCallsVariableName = a.str("remaining-calls-variable-name", opt)
	p.TotalCallsHeaderName = a.str("total-calls-header-name", opt)
	a.done()
	l.leaf(e)
	return p
}

// Quota is <quota> (per subscription, product scope) and its per-API and
// per-operation quotas.
type Quota struct {
	Calls, Bandwidth Int // at least one
	RenewalPeriod    Int // seconds, 0 = never renews
	APIs             []Limit
}

// PolicyName implements Policy.
func (*Quota) PolicyName() string { return "quota" }

func parseQuota(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &Quota{Calls: a.integer("calls", 0, 0, maxInt, opt), Bandwidth: a.integer("bandwidth", 0, 0, maxInt, opt),
		RenewalPeriod: a.integer("renewal-period", 0, 0, maxInt, req)}
	a.done()
	if !p.Calls.Set && !p.Bandwidth.Set {
		l.diags.Errorf(e.NameSpan, "missing-attribute", "<quota> requires attribute \"calls\" or \"bandwidth\"")
	}
	p.APIs = l.limits(e, "api", true)
	return p
}

// QuotaByKey is <quota-by-key>.
type QuotaByKey struct {
	Calls, Bandwidth   Int
	RenewalPeriod      Int
	CounterKey         Value
	IncrementCondition Bool
	IncrementCount     Int // default 1; policy expressions allowed
	FirstPeriodStart   Value
}

// PolicyName implements Policy.
func (*QuotaByKey) PolicyName() string { return "quota-by-key" }

func parseQuotaByKey(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &QuotaByKey{Calls: a.integer("calls", 0, 0, maxInt, opt), Bandwidth: a.integer("bandwidth", 0, 0, maxInt, opt),
		RenewalPeriod: a.integer("renewal-period", 0, 0, maxInt, req), CounterKey: a.str("counter-key", req|expr),
		IncrementCondition: a.boolean("increment-condition", true, expr), IncrementCount: a.integer("increment-count", 1, 0, maxInt, expr),
		FirstPeriodStart: a.str("first-period-start", opt)}
	a.done()
	l.leaf(e)
	if !p.Calls.Set && !p.Bandwidth.Set {
		l.diags.Errorf(e.NameSpan, "missing-attribute", "<quota-by-key> requires attribute \"calls\" or \"bandwidth\"")
	}
	return p
}

// IPFilter is <ip-filter action> with <address> and <address-range>.
type IPFilter struct {
	Action    Value // allow | forbid
	Addresses []Value
	Ranges    [][2]Value // from, to
}

// PolicyName implements Policy.
func (*IPFilter) PolicyName() string { return "ip-filter" }

func parseIPFilter(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &IPFilter{Action: a.enum("action", req|expr, "allow", "forbid")}
	a.done()
	for _, k := range l.elems(e, "address", "address-range") {
		b := l.attrs(k, false)
		if k.Name == "address" {
			b.done()
			p.Addresses = append(p.Addresses, l.text(k, false))
			continue
		}
		p.Ranges = append(p.Ranges, [2]Value{b.str("from", req|expr), b.str("to", req|expr)})
		b.done()
		l.leaf(k)
	}
	if len(p.Addresses)+len(p.Ranges) == 0 {
		l.diags.Errorf(e.NameSpan, "missing-element", "<ip-filter> requires at least one <address> or <address-range>")
	}
	return p
}

// CheckHeader is <check-header>: the header must exist and, with <value>
// children, have one of the values.
type CheckHeader struct {
	Name                    Value
	FailedCheckHTTPCode     Int
	FailedCheckErrorMessage Value
	IgnoreCase              Bool
	Values                  []Value
}

// PolicyName implements Policy.
func (*CheckHeader) PolicyName() string { return "check-header" }

func parseCheckHeader(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &CheckHeader{Name: a.str("name", req|expr), FailedCheckHTTPCode: a.integer("failed-check-httpcode", 0, 100, 999, req|expr),
		FailedCheckErrorMessage: a.str("failed-check-error-message", req|expr), IgnoreCase: a.boolean("ignore-case", false, req|expr)}
	a.done()
	p.Values = l.textList(e, "value")
	return p
}
