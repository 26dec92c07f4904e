package lint

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/policy"
)

// subscriptionLimits returns the unconditional limits of the effective
// inbound section that count calls per subscription: rate-limit and quota,
// and the -by-key forms whose counter key is the subscription.
func subscriptionLimits(eff *policy.Effective) []limit {
	var out []limit
	for _, st := range eff.Sections[policy.Inbound] {
		var l limit
		ok := false
		switch p := st.Policy.(type) {
		case *policy.RateLimit:
			l, ok = limitOf(st.Statement, "rate-limit", p.Calls, p.RenewalPeriod)
		case *policy.Quota:
			l, ok = limitOf(st.Statement, "quota", p.Calls, p.RenewalPeriod)
		case *policy.RateLimitByKey:
			if bySubscription(p.CounterKey) {
				l, ok = limitOf(st.Statement, "rate-limit-by-key", p.Calls, p.RenewalPeriod)
			}
		case *policy.QuotaByKey:
			if bySubscription(p.CounterKey) {
				l, ok = limitOf(st.Statement, "quota-by-key", p.Calls, p.RenewalPeriod)
			}
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// bySubscription reports whether a counter key is the caller's
// subscription, so that the counter counts what a per-subscription limit
// counts (or less).
func bySubscription(key policy.Value) bool {
	if !key.IsExpr() {
		return false
	}
	s := strings.Join(strings.Fields(key.Expr.String()), "")
	return s == "@(context.Subscription.Id)" || s == "@(context.Subscription.Key)" || s == "@(context.Subscription?.Id)"
}

// limits reports product limits that answer before the API's (TG010) and
// API or operation limits that a broader one always answers before (TG011).
func (c *checker) limits(x target) {
	ls := subscriptionLimits(x.eff)
	for _, a := range ls {
		for _, b := range ls {
			// a counts every call b counts when a's scope is as broad as b's.
			if a.st == b.st || a.st.Scope > b.st.Scope || !stricter(a, b) {
				continue
			}
			if a.st.Scope == policy.Product && b.st.Scope != policy.Product {
				c.reportAt(TG010, a.span,
					fmt.Sprintf("the product %s's %s answers before the %s %s (%s) can: callers get the product's limit, and the %s limit is never reached (%s)",
						x.product.Name, a, b.st.Scope, b, shortPos(b.st), b.st.Scope, x),
					fmt.Sprintf("raise calls of the product's %s above %d per %s, or remove the %s limit", a.what, b.calls, seconds(b.period), b.st.Scope),
					Location{Span: b.span, Message: fmt.Sprintf("the %s limit that is never reached", b.st.Scope)})
				continue
			}
			c.reportAt(TG011, b.span,
				fmt.Sprintf("the %s %s is never reached: the %s %s (%s) answers first (%s)", b.st.Scope, b, a.st.Scope, a, shortPos(a.st), x),
				fmt.Sprintf("make this limit stricter than %d calls per %s, or remove it", a.calls, seconds(a.period)),
				Location{Span: a.span, Message: "the stricter limit that answers first"})
		}
	}
}
