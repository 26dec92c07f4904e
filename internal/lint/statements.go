package lint

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/policy"
)

// maxIdle is how long Azure's network keeps an idle connection, in seconds.
const maxIdle = 240

// statement judges one statement of a document on its own.
func (c *checker) statement(st *policy.Statement) {
	switch p := st.Policy.(type) {
	case *policy.CORS:
		c.corsStatement(st, p)
	case *policy.ForwardRequest:
		c.timeout(st, p.Timeout)
	case *policy.SendRequest:
		c.timeout(st, p.Timeout)
	case *policy.Retry:
		c.retry(st, p)
	case *policy.ValidateJWT:
		for _, u := range p.OpenIDConfigs {
			if lit, ok := literal(u); ok && strings.HasPrefix(strings.ToLower(lit), "http://") {
				c.reportAt(TG022, u.Span,
					fmt.Sprintf("validate-jwt loads its OpenID configuration and signing keys over plain HTTP from %s", u.String()),
					"use https://"+lit[len("http://"):])
			}
		}
	case *policy.IPFilter:
		c.ipFilter(st, p)
	case *policy.RateLimit:
		c.nestedLimits(st, "rate-limit", p.Calls, p.RenewalPeriod, p.APIs)
	case *policy.Quota:
		c.nestedLimits(st, "quota", p.Calls, p.RenewalPeriod, p.APIs)
	}
	c.namedValuesInExpressions(st)
}

// literal returns the trimmed text of v when it is written, not an
// expression, and holds no secret named value (whose value must never reach
// a message).
func literal(v policy.Value) (string, bool) {
	if !v.Set || v.IsExpr() || v.HasSecret() {
		return "", false
	}
	return strings.TrimSpace(v.Resolved()), true
}

// timeout reports timeouts above 240 seconds (TG012).
func (c *checker) timeout(st *policy.Statement, t policy.Int) {
	if t.Set && !t.IsExpr() && t.N > maxIdle {
		c.reportAt(TG012, t.Span,
			fmt.Sprintf("%s waits up to %d s for the backend, but Azure's network drops idle connections after about %d s: the call ends as a dropped connection, not a timeout", st.Name, t.N, maxIdle),
			fmt.Sprintf("set timeout to %d or less", maxIdle))
	}
}

// retry reports retries whose attempts cannot finish within 240 seconds
// (TG013).
func (c *checker) retry(st *policy.Statement, p *policy.Retry) {
	count, ok1 := intLiteral(p.Count)
	interval, ok2 := intLiteral(p.Interval)
	if !ok1 || !ok2 || p.MaxInterval.IsExpr() || p.Delta.IsExpr() || p.FirstFastRetry.IsExpr() {
		return
	}
	waits := 0
	for k := 0; k < count; k++ {
		w := interval + k*p.Delta.N
		if p.MaxInterval.Set && w > p.MaxInterval.N {
			w = p.MaxInterval.N
		}
		if k == 0 && p.FirstFastRetry.B {
			w = 0
		}
		waits += w
	}
	walkStatements(p.Body, func(inner *policy.Statement, _ []*policy.Statement) {
		var t policy.Int
		switch q := inner.Policy.(type) {
		case *policy.ForwardRequest:
			t = q.Timeout
		case *policy.SendRequest:
			t = q.Timeout
		default:
			return
		}
		if t.IsExpr() {
			return
		}
		total := (count+1)*t.N + waits
		if total <= maxIdle {
			return
		}
		span, written := t.Span, fmt.Sprintf("timeout=\"%d\"", t.N)
		if !t.Set {
			span, written = inner.Elem.NameSpan, fmt.Sprintf("the default timeout of %d s", t.N)
		}
		best := (maxIdle - waits) / (count + 1)
		fix := fmt.Sprintf("set the timeout of %s to what the backend needs, at most %d s for %d retries, or lower count", inner.Name, best, count)
		if best < 1 {
			fix = fmt.Sprintf("lower count or interval of the retry at %s: its waits alone take %d s", shortPos(st), waits)
		}
		c.reportAt(TG013, span,
			fmt.Sprintf("%s inside retry (%s) with %s: %d attempts and %d s of waiting take up to %d s, more than the %d s after which Azure drops the caller's connection",
				inner.Name, shortPos(st), written, count+1, waits, total, maxIdle),
			fix, Location{Span: p.Count.Span, Message: fmt.Sprintf("%d retries", count)})
	})
}

func intLiteral(v policy.Int) (int, bool) { return v.N, v.Set && !v.IsExpr() }

// ipEntry is one address or range of an ip-filter.
type ipEntry struct {
	span     diag.Span
	text     string
	from, to netip.Addr
	dead     string // why the entry matches no caller, or ""
}

// ipFilter reports filters that let no caller through (TG023) and filters
// that forbid loopback or private addresses (TG024).
func (c *checker) ipFilter(st *policy.Statement, p *policy.IPFilter) {
	action, ok := literal(p.Action)
	if !ok {
		return
	}
	var entries []ipEntry
	for _, a := range p.Addresses {
		s, ok := literal(a)
		if !ok {
			return
		}
		e := ipEntry{span: a.Span, text: s}
		if addr, err := netip.ParseAddr(s); err != nil {
			e.dead = "is not a single IP address (<address> takes no CIDR or host name; use <address-range>)"
		} else {
			e.from, e.to = addr.Unmap(), addr.Unmap()
		}
		entries = append(entries, e)
	}
	for _, r := range p.Ranges {
		from, ok1 := literal(r[0])
		to, ok2 := literal(r[1])
		if !ok1 || !ok2 {
			return
		}
		e := ipEntry{span: r[0].Span, text: from + "-" + to}
		a, err1 := netip.ParseAddr(from)
		b, err2 := netip.ParseAddr(to)
		switch {
		case err1 != nil || err2 != nil:
			e.dead = "has an end that is not an IP address"
		case a.Unmap().Is4() != b.Unmap().Is4():
			e.dead = "mixes IPv4 and IPv6"
		case b.Unmap().Less(a.Unmap()):
			e.dead = "starts after it ends"
		default:
			e.from, e.to = a.Unmap(), b.Unmap()
		}
		entries = append(entries, e)
	}
	for i := range entries {
		e := &entries[i]
		if e.dead == "" && e.from == e.to && (e.from.IsUnspecified() || e.from == netip.AddrFrom4([4]byte{255, 255, 255, 255})) {
			e.dead = "is an address no caller has"
		}
	}
	switch strings.ToLower(action) {
	case "allow":
		var related []Location
		for _, e := range entries {
			if e.dead == "" {
				return
			}
			related = append(related, Location{Span: e.span, Message: fmt.Sprintf("%s %s", e.text, e.dead)})
		}
		if len(entries) == 0 {
			return
		}
		c.reportAt(TG023, st.Elem.NameSpan,
			fmt.Sprintf("ip-filter action=\"allow\" allows no caller: %s; every request is answered 403", deadList(entries)),
			"write single addresses in <address> and ranges as <address-range from=\"…\" to=\"…\">", related...)
	case "forbid":
		for _, e := range entries {
			if e.dead != "" {
				continue
			}
			if e.from.Is4() && e.from == netip.AddrFrom4([4]byte{}) && e.to == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
				c.reportAt(TG023, e.span, "ip-filter action=\"forbid\" forbids every IPv4 address: every request is answered 403",
					"forbid only the addresses that must not call, or use action=\"allow\" with the ones that may")
				continue
			}
			for _, r := range privateRanges {
				if overlaps(e.from, e.to, r.from, r.to) {
					c.reportAt(TG024, e.span,
						fmt.Sprintf("ip-filter forbids %s, which includes %s addresses (%s) that health probes, Application Gateway or callers in the virtual network use", e.text, r.name, r.text),
						"make sure no probe or proxy calls from these addresses, or narrow the forbidden range")
					break
				}
			}
		}
	}
}

func deadList(entries []ipEntry) string {
	var parts []string
	for _, e := range entries {
		parts = append(parts, e.text+" "+e.dead)
	}
	return strings.Join(parts, "; ")
}

type addrRange struct {
	name, text string
	from, to   netip.Addr
}

var privateRanges = []addrRange{
	{"loopback", "127.0.0.0/8", netip.MustParseAddr("127.0.0.0"), netip.MustParseAddr("127.255.255.255")},
	{"private", "10.0.0.0/8", netip.MustParseAddr("10.0.0.0"), netip.MustParseAddr("10.255.255.255")},
	{"private", "172.16.0.0/12", netip.MustParseAddr("172.16.0.0"), netip.MustParseAddr("172.31.255.255")},
	{"private", "192.168.0.0/16", netip.MustParseAddr("192.168.0.0"), netip.MustParseAddr("192.168.255.255")},
	{"loopback", "::1", netip.MustParseAddr("::1"), netip.MustParseAddr("::1")},
}

func overlaps(a1, a2, b1, b2 netip.Addr) bool {
	if a1.Is4() != b1.Is4() {
		return false
	}
	return !a2.Less(b1) && !b2.Less(a1)
}

// limit is a calls-per-period limit, read from a literal policy.
type limit struct {
	st     *policy.Statement
	span   diag.Span // the calls attribute
	what   string    // "rate-limit", "quota", "rate-limit-by-key", "<api name=\"x\"> of rate-limit"
	calls  int
	period int // seconds; quotas that never renew count as a very long period
}

func (l limit) String() string {
	return fmt.Sprintf("%s of %d calls per %s", l.what, l.calls, seconds(l.period))
}

func seconds(n int) string {
	if n >= neverRenews {
		return "ever (renewal-period=\"0\")"
	}
	return fmt.Sprintf("%d s", n)
}

const neverRenews = 1 << 40

// stricter reports whether a throttles before b can: it allows fewer calls,
// and fewer calls per second.
func stricter(a, b limit) bool {
	return a.calls < b.calls && float64(a.calls)*float64(b.period) < float64(b.calls)*float64(a.period)
}

// nestedLimits reports <api> and <operation> limits of rate-limit and quota
// that are looser than the limit around them (TG011).
func (c *checker) nestedLimits(st *policy.Statement, name string, calls, period policy.Int, apis []policy.Limit) {
	outer, ok := limitOf(st, name, calls, period)
	if !ok {
		return
	}
	var check func(parent limit, list []policy.Limit, kind string)
	check = func(parent limit, list []policy.Limit, kind string) {
		for _, l := range list {
			label, _ := literal(l.Name)
			if label == "" {
				label, _ = literal(l.ID)
			}
			inner, ok := limitOf(st, fmt.Sprintf("<%s %s> of %s", kind, label, name), l.Calls, l.RenewalPeriod)
			if ok && stricter(parent, inner) {
				c.reportAt(TG011, inner.span,
					fmt.Sprintf("the %s is never reached: the enclosing %s answers first", inner, parent),
					fmt.Sprintf("make the %s limit stricter than %d calls per %s, or remove it", kind, parent.calls, seconds(parent.period)),
					Location{Span: parent.span, Message: "the enclosing limit"})
			}
			if ok {
				check(inner, l.Operations, "operation")
			} else {
				check(parent, l.Operations, "operation")
			}
		}
	}
	check(outer, apis, "api")
}

// limitOf reads a literal limit; quotas by bandwidth only and limits set by
// expressions are not compared.
func limitOf(st *policy.Statement, what string, calls, period policy.Int) (limit, bool) {
	if !calls.Set || calls.IsExpr() || period.IsExpr() || !period.Set || calls.N <= 0 {
		return limit{}, false
	}
	p := period.N
	if p == 0 {
		p = neverRenews
	}
	return limit{st: st, span: calls.Span, what: what, calls: calls.N, period: p}, true
}
