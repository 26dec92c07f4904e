package gateway

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
)

// backend is a backend entity compiled for the data plane.
type backend struct {
	name    string
	url     *url.URL // nil for a pool
	header  http.Header
	query   url.Values
	auth    string // Authorization value from credentials.authorization
	tlsMode tlsMode
	breaker *breakerRule // nil without a circuit breaker
	pool    []poolMember // members of a pool, by priority then order
}

type poolMember struct {
	name     string
	priority int
	weight   int
}

type tlsMode int

const (
	tlsVerify       tlsMode = iota // chain and name (the default)
	tlsChainOnly                   // validateCertificateName false
	tlsNoValidation                // validateCertificateChain false
)

// breakerRule is a circuit breaker rule of a backend.
type breakerRule struct {
	name             string
	count            int
	percentage       int
	interval         time.Duration
	ranges           [][2]int
	tripDuration     time.Duration
	acceptRetryAfter bool
}

// nvRef matches {{name}} in backend properties.
var nvRef = regexp.MustCompile(`\{\{([A-Za-z0-9._-]+)\}\}`)

// compileBackends compiles the backend entities of snap, substituting named
// values in their credentials.
func compileBackends(snap *config.Snapshot) (map[string]*backend, diag.List) {
	var diags diag.List
	byDisplay := map[string]*config.NamedValue{}
	for _, nv := range snap.NamedValues {
		byDisplay[strings.ToLower(nv.DisplayName)] = nv
	}
	out := map[string]*backend{}
	for name, be := range snap.Backends {
		errf := func(format string, args ...any) {
			diags.Add(diag.Diagnostic{Severity: diag.Error, Span: be.Info, Pos: diag.Position{Filename: snap.Dir}, Code: "invalid-backend",
				Message: fmt.Sprintf("backend %s: ", name) + fmt.Sprintf(format, args...)})
		}
		subst := func(s string) string {
			return nvRef.ReplaceAllStringFunc(s, func(m string) string {
				ref := m[2 : len(m)-2]
				nv := byDisplay[strings.ToLower(ref)]
				if nv == nil {
					errf("credentials reference the named value %q, which does not exist", ref)
					return m
				}
				if nv.Secret && !nv.HasValue {
					errf("credentials reference the secret named value %q, whose value is not supplied", ref)
				}
				return nv.Value
			})
		}
		b := &backend{name: name, header: http.Header{}, query: url.Values{}}
		props := be.Properties
		if strings.EqualFold(be.Type, "Pool") {
			pool, _ := props["pool"].(map[string]any)
			services, _ := pool["services"].([]any)
			for _, s := range services {
				m, _ := s.(map[string]any)
				id, _ := m["id"].(string)
				member := poolMember{name: id[strings.LastIndex(id, "/")+1:], priority: intOf(m["priority"]), weight: intOf(m["weight"])}
				if member.weight <= 0 {
					member.weight = 1
				}
				b.pool = append(b.pool, member)
			}
			if len(b.pool) == 0 {
				errf("a pool needs pool.services")
			}
		} else {
			u, err := url.Parse(subst(be.URL))
			if err != nil || u.Scheme == "" || u.Host == "" {
				errf("url %q is not an absolute URL", be.URL)
			} else {
				b.url = u
			}
		}
		if cred, ok := props["credentials"].(map[string]any); ok {
			if hs, ok := cred["header"].(map[string]any); ok {
				for k, vs := range hs {
					for _, v := range anyStrings(vs) {
						b.header.Add(k, subst(v))
					}
				}
			}
			if qs, ok := cred["query"].(map[string]any); ok {
				for k, vs := range qs {
					for _, v := range anyStrings(vs) {
						b.query.Add(k, subst(v))
					}
				}
			}
			if auth, ok := cred["authorization"].(map[string]any); ok {
				scheme, _ := auth["scheme"].(string)
				param, _ := auth["parameter"].(string)
				b.auth = strings.TrimSpace(subst(scheme) + " " + subst(param))
			}
			if ids, ok := cred["certificateIds"].([]any); ok && len(ids) > 0 {
				errf("client certificates (credentials.certificateIds) are not supported by tollgate yet")
			}
		}
		if t, ok := props["tls"].(map[string]any); ok {
			if v, ok := t["validateCertificateChain"].(bool); ok && !v {
				b.tlsMode = tlsNoValidation
			} else if v, ok := t["validateCertificateName"].(bool); ok && !v {
				b.tlsMode = tlsChainOnly
			}
		}
		if cb, ok := props["circuitBreaker"].(map[string]any); ok {
			rules, _ := cb["rules"].([]any)
			if len(rules) > 1 {
				errf("a circuit breaker takes one rule")
			}
			if len(rules) > 0 {
				r, _ := rules[0].(map[string]any)
				fc, _ := r["failureCondition"].(map[string]any)
				rule := &breakerRule{count: intOf(fc["count"]), percentage: intOf(fc["percentage"])}
				rule.name, _ = r["name"].(string)
				rule.acceptRetryAfter, _ = r["acceptRetryAfter"].(bool)
				var err error
				if rule.interval, err = parseISODuration(str(fc["interval"])); err != nil {
					errf("circuitBreaker failureCondition.interval: %v", err)
				}
				if rule.tripDuration, err = parseISODuration(str(r["tripDuration"])); err != nil {
					errf("circuitBreaker tripDuration: %v", err)
				}
				ranges, _ := fc["statusCodeRanges"].([]any)
				for _, x := range ranges {
					m, _ := x.(map[string]any)
					rule.ranges = append(rule.ranges, [2]int{intOf(m["min"]), intOf(m["max"])})
				}
				if rule.count <= 0 && rule.percentage <= 0 {
					errf("circuitBreaker failureCondition needs count or percentage")
				}
				b.breaker = rule
			}
		}
		out[name] = b
	}
	for name, b := range out {
		for _, m := range b.pool {
			mb := out[m.name]
			switch {
			case mb == nil:
				diags.Add(diag.Diagnostic{Severity: diag.Error, Span: snap.Backends[name].Info, Code: "unknown-backend",
					Message: fmt.Sprintf("pool %s names backend %s, which does not exist", name, m.name)})
			case len(mb.pool) > 0:
				diags.Add(diag.Diagnostic{Severity: diag.Error, Span: snap.Backends[name].Info, Code: "nested-pool",
					Message: fmt.Sprintf("pool %s contains pool %s; pool members must be single backends", name, m.name)})
			}
		}
	}
	return out, diags
}

func str(v any) string { s, _ := v.(string); return s }

func intOf(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case string:
		i, _ := strconv.Atoi(n)
		return i
	}
	return 0
}

var isoDuration = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseISODuration parses the ISO 8601 durations ARM uses (PT1M, PT30S, P1D).
func parseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil || s == "" {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT1M", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			d += time.Duration(n) * unit
		}
	}
	if m[4] != "" {
		f, _ := strconv.ParseFloat(m[4], 64)
		d += time.Duration(f * float64(time.Second))
	}
	return d, nil
}

// breakers keeps circuit breaker and pool state across configuration
// reloads. State is per gateway process, as in APIM.
type breakers struct {
	mu      sync.Mutex
	state   map[string]*breakerState
	rrIndex map[string]int // smooth weighted round robin positions per pool
	current map[string][]int
}

type breakerState struct {
	failures     []time.Time
	total        []time.Time
	trippedUntil time.Time
}

func newBreakers() *breakers {
	return &breakers{state: map[string]*breakerState{}, rrIndex: map[string]int{}, current: map[string][]int{}}
}

// open reports whether the breaker of name is tripped, and until when.
func (b *breakers) open(name string, now time.Time) (bool, time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.state[name]
	if s == nil || now.After(s.trippedUntil) {
		return false, time.Time{}
	}
	return true, s.trippedUntil
}

// record notes the outcome of a call to backend name and trips its breaker
// when the rule's failure condition is met. It returns true when this call
// tripped it.
func (b *breakers) record(name string, rule *breakerRule, status int, connFailed bool, retryAfter time.Duration, now time.Time) bool {
	failed := connFailed
	for _, r := range rule.ranges {
		if status >= r[0] && status <= r[1] {
			failed = true
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.state[name]
	if s == nil {
		s = &breakerState{}
		b.state[name] = s
	}
	cut := now.Add(-rule.interval)
	trim := func(ts []time.Time) []time.Time {
		i := 0
		for i < len(ts) && ts[i].Before(cut) {
			i++
		}
		return ts[i:]
	}
	s.total = append(trim(s.total), now)
	if !failed {
		s.failures = trim(s.failures)
		return false
	}
	s.failures = append(trim(s.failures), now)
	trip := rule.count > 0 && len(s.failures) >= rule.count
	if rule.percentage > 0 && len(s.failures)*100 >= rule.percentage*len(s.total) && len(s.total) >= max(rule.count, 1) {
		trip = true
	}
	if !trip {
		return false
	}
	d := rule.tripDuration
	if rule.acceptRetryAfter && retryAfter > 0 {
		d = retryAfter
	}
	s.trippedUntil = now.Add(d)
	s.failures, s.total = nil, nil
	return true
}

// pick chooses a pool member: the highest-priority group (lowest number)
// with a member whose breaker is closed, and within it smooth weighted round
// robin.
func (b *breakers) pick(pool string, members []poolMember, now time.Time) (poolMember, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	best := -1
	for _, m := range members {
		if s := b.state[m.name]; s != nil && now.Before(s.trippedUntil) {
			continue
		}
		if best < 0 || m.priority < best {
			best = m.priority
		}
	}
	if best < 0 {
		return poolMember{}, false
	}
	cur := b.current[pool]
	if len(cur) != len(members) {
		cur = make([]int, len(members))
		b.current[pool] = cur
	}
	total, chosen := 0, -1
	for i, m := range members {
		if m.priority != best {
			continue
		}
		if s := b.state[m.name]; s != nil && now.Before(s.trippedUntil) {
			continue
		}
		cur[i] += m.weight
		total += m.weight
		if chosen < 0 || cur[i] > cur[chosen] {
			chosen = i
		}
	}
	cur[chosen] -= total
	return members[chosen], true
}

// transports holds one backend transport per TLS validation mode.
type transports struct {
	once  sync.Once
	base  http.RoundTripper
	chain *http.Transport
	none  *http.Transport
}

func (t *transports) forMode(m tlsMode) http.RoundTripper {
	t.once.Do(func() {
		t.chain = NewTransport()
		t.chain.TLSClientConfig = &tls.Config{InsecureSkipVerify: true, VerifyConnection: verifyChainOnly}
		t.none = NewTransport()
		t.none.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	})
	switch m {
	case tlsChainOnly:
		return t.chain
	case tlsNoValidation:
		return t.none
	}
	return t.base
}

// verifyChainOnly checks the server's certificate chain against the system
// roots without checking its name (validateCertificateName=false).
func verifyChainOnly(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return fmt.Errorf("the server sent no certificate")
	}
	opts := x509.VerifyOptions{Intermediates: x509.NewCertPool()}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(opts)
	return err
}
