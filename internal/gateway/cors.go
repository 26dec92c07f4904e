package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/policy"
)

// isPreflight reports whether r is a CORS preflight request.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// corsDecision is a cors policy evaluated for one request.
type corsDecision struct {
	allowed   bool
	why       string // why the origin, method or headers did not match
	origin    string // value for Access-Control-Allow-Origin
	creds     bool
	methods   []string
	headers   []string
	expose    []string
	maxAge    int
	terminate bool
}

// evalCORS evaluates p for the request's Origin (and, for a preflight, its
// requested method and headers).
func (x *exchange) evalCORS(st *policy.Step, p *policy.CORS, preflight bool) (corsDecision, *Error) {
	var d corsDecision
	var err *Error
	if d.creds, err = x.boolean(st, p.AllowCredentials); err != nil {
		return d, err
	}
	if d.terminate, err = x.boolean(st, p.TerminateUnmatchedRequest); err != nil {
		return d, err
	}
	if d.maxAge, err = x.integer(st, p.PreflightMaxAge); err != nil {
		return d, err
	}
	list := func(vs []policy.Value) ([]string, *Error) {
		var out []string
		for _, v := range vs {
			s, err := x.str(st, v)
			if err != nil {
				return nil, err
			}
			out = append(out, strings.TrimSpace(s))
		}
		return out, nil
	}
	origins, err := list(p.Origins)
	if err != nil {
		return d, err
	}
	if d.methods, err = list(p.Methods); err != nil {
		return d, err
	}
	if len(p.Methods) == 0 {
		d.methods = []string{"GET", "POST"}
	}
	if d.headers, err = list(p.Headers); err != nil {
		return d, err
	}
	if d.expose, err = list(p.ExposeHeaders); err != nil {
		return d, err
	}
	origin := x.r.Header.Get("Origin")
	switch {
	case slices.Contains(origins, "*"):
		d.origin = "*"
		if d.creds {
			d.origin = origin
		}
	case originAllowed(origins, origin):
		d.origin = origin
	default:
		d.why = fmt.Sprintf("origin %s is not in allowed-origins %q", origin, origins)
		return d, nil
	}
	if preflight {
		m := strings.ToUpper(strings.TrimSpace(x.r.Header.Get("Access-Control-Request-Method")))
		if !slices.Contains(d.methods, "*") && !slices.ContainsFunc(d.methods, func(s string) bool { return strings.EqualFold(s, m) }) {
			d.why = fmt.Sprintf("method %s is not in allowed-methods %q", m, d.methods)
			return d, nil
		}
		for h := range strings.SplitSeq(x.r.Header.Get("Access-Control-Request-Headers"), ",") {
			h = strings.TrimSpace(h)
			if h == "" || slices.Contains(d.headers, "*") || slices.ContainsFunc(d.headers, func(s string) bool { return strings.EqualFold(s, h) }) {
				continue
			}
			// APIM allows its default subscription key header without listing it.
			if strings.EqualFold(h, "Ocp-Apim-Subscription-Key") {
				continue
			}
			d.why = fmt.Sprintf("request header %s is not in allowed-headers %q", h, d.headers)
			if x.m != nil && x.m.api != nil && strings.EqualFold(h, x.m.api.KeyHeader) {
				d.why += "; it is this API's renamed subscription key header, which cors allows only when listed (only Ocp-Apim-Subscription-Key is allowed by default)"
			}
			return d, nil
		}
	}
	d.allowed = true
	return d, nil
}

// originAllowed compares origins as scheme://host:port, with default ports
// made explicit.
func originAllowed(allowed []string, origin string) bool {
	o := normalizeOrigin(origin)
	for _, a := range allowed {
		if normalizeOrigin(a) == o {
			return true
		}
	}
	return false
}

func normalizeOrigin(s string) string {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(s), "/"))
	if err != nil || u.Host == "" {
		return strings.ToLower(s)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// execCORS runs cors for an actual (not preflight) request.
func (x *exchange) execCORS(st *policy.Step, p *policy.CORS, began time.Time) (flow, *Error) {
	if x.r.Header.Get("Origin") == "" {
		x.corsRan = true
		x.tracePolicy(st, began, "no Origin header: not a cross-origin request")
		return next, nil
	}
	if x.corsRan {
		// Only the first cors of the effective policy applies.
		x.tracePolicy(st, began, "skipped: an earlier cors policy already handled this request")
		return next, nil
	}
	d, err := x.evalCORS(st, p, false)
	if err != nil {
		return next, err
	}
	x.corsRan = true
	if !d.allowed {
		x.corsRefused = true
		note := fmt.Sprintf("cors at %s (%s scope): %s", st.Span().Pos(), st.Scope, d.why)
		if d.terminate {
			x.rec.Notes = append(x.rec.Notes, note+`; the request was answered with an empty 200 and no CORS headers (terminate-unmatched-request="true"), which browsers report as a CORS error`)
			x.tracePolicy(st, began, "%s: answered with an empty 200 (terminate-unmatched-request)", d.why)
			x.resp.body.close()
			x.resp = outResponse{status: 200, header: http.Header{}, body: newBytesBody(nil)}
			return ended, nil
		}
		x.rec.Notes = append(x.rec.Notes, note+"; the request goes on without CORS headers")
		x.tracePolicy(st, began, "%s: the request goes on without CORS headers", d.why)
		return next, nil
	}
	h := http.Header{"Access-Control-Allow-Origin": {d.origin}}
	if d.creds {
		h["Access-Control-Allow-Credentials"] = []string{"true"}
	}
	if len(d.expose) > 0 {
		h["Access-Control-Expose-Headers"] = []string{strings.Join(d.expose, ",")}
	}
	if d.origin != "*" {
		h["Vary"] = []string{"Origin"}
	}
	x.corsHeaders = h
	x.tracePolicy(st, began, "origin %s allowed: CORS headers added to the response", x.r.Header.Get("Origin"))
	return next, nil
}

// answerPreflight answers a CORS preflight with the cors policies of the
// effective inbound section, as APIM does: only cors runs, no other policy
// and no backend. It reports false when the inbound section has no cors
// policy, so the request is processed as an ordinary OPTIONS request.
func (x *exchange) answerPreflight() bool {
	var corsSteps []*policy.Step
	for _, st := range x.pipe.Sections[policy.Inbound] {
		if _, ok := st.Policy.(*policy.CORS); ok {
			corsSteps = append(corsSteps, st)
		}
	}
	if len(corsSteps) == 0 {
		return false
	}
	x.section = policy.Inbound
	x.resp = outResponse{status: 200, header: http.Header{}, body: newBytesBody(nil)}
	var whys []string
	for _, st := range corsSteps {
		began := time.Now()
		d, err := x.evalCORS(st, st.Policy.(*policy.CORS), true)
		if err != nil {
			x.locate(err, st)
			x.handleError(err)
			return true
		}
		if d.allowed {
			h := x.resp.header
			h.Set("Access-Control-Allow-Origin", d.origin)
			if d.creds {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
			h.Set("Access-Control-Allow-Methods", strings.ToUpper(x.r.Header.Get("Access-Control-Request-Method")))
			if rh := x.r.Header.Get("Access-Control-Request-Headers"); rh != "" {
				h.Set("Access-Control-Allow-Headers", rh)
			}
			if d.maxAge > 0 {
				h.Set("Access-Control-Max-Age", strconv.Itoa(d.maxAge))
			}
			if d.origin != "*" {
				h.Set("Vary", "Origin")
			}
			x.tracePolicy(st, began, "preflight allowed for origin %s", x.r.Header.Get("Origin"))
			return true
		}
		whys = append(whys, fmt.Sprintf("cors at %s (%s scope): %s", st.Span().Pos(), st.Scope, d.why))
		x.tracePolicy(st, began, "preflight not allowed: %s", d.why)
		if d.terminate {
			break
		}
	}
	x.corsRefused = true
	x.rec.Notes = append(x.rec.Notes, "CORS preflight refused: "+strings.Join(whys, "; ")+"; answered with an empty 200 and no CORS headers, which browsers report as a CORS error")
	return true
}

// corsMissingNote explains an error response that a browser will report as a
// CORS failure: the request came from another origin, and the error was
// raised before the effective policy's cors could add its headers.
func (x *exchange) corsMissingNote(err *Error) {
	if x.corsRan || x.r.Header.Get("Origin") == "" || x.pipe == nil {
		return
	}
	for _, st := range x.pipe.Sections[policy.Inbound] {
		if _, ok := st.Policy.(*policy.CORS); ok {
			err.Cause += fmt.Sprintf("; the response has no CORS headers because cors (%s scope, %s) comes after the failing step in the effective inbound policy: browsers will report a CORS error, not this %d — move cors first",
				st.Scope, st.Span().Pos(), err.Status)
			return
		}
	}
}
