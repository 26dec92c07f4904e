package gateway

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// execForward runs forward-request: it sends the request as the policies
// shaped it and makes the backend's response the current response.
func (x *exchange) execForward(st *policy.Step, p *policy.ForwardRequest, began time.Time) *Error {
	timeout, err := x.integer(st, p.Timeout)
	if err != nil {
		return err
	}
	follow, err := x.boolean(st, p.FollowRedirects)
	if err != nil {
		return err
	}
	failOnError, err := x.boolean(st, p.FailOnErrorStatusCode)
	if err != nil {
		return err
	}
	// Without a timeout attribute the gateway's setting applies (APIM's 300
	// seconds unless configured otherwise).
	d := x.g.timeout
	if p.Timeout.Set {
		d = time.Duration(timeout) * time.Second
	}
	if p.BufferRequestBody.B && x.req.body != nil {
		x.req.body.load()
	}
	e := x.forward(d, follow)
	if e != nil {
		return e
	}
	if failOnError && x.rec.BackendResponseCode >= 400 {
		return &Error{Source: st.Name, Reason: "BackendStatusCode", Status: 500, Message: fmt.Sprintf("Backend responded with status code %d.", x.rec.BackendResponseCode),
			Cause: "fail-on-error-status-code=\"true\" turns a backend error status into an error"}
	}
	return nil
}

// forward sends the current request to the backend. Redirects are followed
// when follow is set.
func (x *exchange) forward(timeout time.Duration, follow bool) *Error {
	if x.req.base == nil {
		return &Error{
			Source: "forward-request", Reason: "BackendUrlMissing", Section: "backend",
			Message: "The backend service URL is not set.", Status: 500,
			Cause: fmt.Sprintf("API %s has no serviceUrl and no policy sets a backend; set serviceUrl in apiInformation.json or use set-backend-service", x.apiID()),
		}
	}
	// The first call sends the exchange's scratch memory; another (retry)
	// sends new copies, since the transport may read those of the previous
	// call until its response body is closed.
	var target *url.URL
	var h http.Header
	if !x.forwarded {
		x.forwarded = true
		target, h = x.req.urlInto(&x.scratch.target), cloneHeader(x.scratch.forward, x.req.header)
	} else {
		target, h = x.req.url(), x.req.header.Clone()
	}
	delete(h, "Host")
	removeHopHeaders(h)
	if ip := x.rec.CallerIPAddress; ip != "" {
		if prior := h["X-Forwarded-For"]; len(prior) > 0 {
			h["X-Forwarded-For"] = []string{strings.Join(prior, ", ") + ", " + ip}
		} else {
			h["X-Forwarded-For"] = []string{ip}
		}
	}
	// The backend entity: circuit breaker, credentials, TLS settings.
	rt := x.g.transport
	be := x.st.backends[x.req.backendID]
	if be != nil {
		if open, until := x.g.breakers.open(be.name, time.Now()); open {
			return circuitOpen("forward-request", be.name, fmt.Sprintf("it tripped and stays open until %s", until.UTC().Format(time.RFC3339)))
		}
		for k, v := range be.header {
			h[k] = v
		}
		if be.auth != "" {
			h["Authorization"] = []string{be.auth}
		}
		if len(be.query) > 0 {
			q := target.Query()
			for k, v := range be.query {
				q[k] = v
			}
			target.RawQuery = q.Encode()
		}
		rt = x.g.trans.forMode(be.tlsMode)
	}
	if c := x.clientCert; c != nil {
		mode := tlsVerify
		if be != nil {
			mode = be.tlsMode
		}
		rt = x.g.clientTrans.get(&c.TLS, c.Thumbprint, mode)
	}
	if x.proxy != nil {
		through, err := x.g.proxyTrans.through(rt, x.proxy)
		if err != nil {
			return &Error{Source: "proxy", Reason: "ProxyInvalid", Status: 500, Message: "Internal server error", Cause: err.Error()}
		}
		rt = through
	}
	var rc io.ReadCloser
	var length int64
	if x.req.body != nil {
		rc, length = x.req.body.reader()
	}
	var counter *countingReader
	if rc != nil {
		counter = &countingReader{r: rc}
		rc = counter
	}
	req := &backendRequest{method: x.req.method, url: target, header: h, body: rc, length: length, timeout: timeout, host: x.hostOverride}
	var ft *forwardTrace // the messages of both trace entries
	x.rec.BackendMethod, x.rec.BackendURL = x.req.method, x.maskedURL(target)
	if x.trace != nil {
		e := reqtrace.Entry{Section: reqtrace.Backend, Source: "forward-request", Where: x.stepWhere(), Path: x.stepPath(), Scope: x.stepScope()}
		if x.traceRequested {
			// The headers sent are shown to the caller who asked for the trace;
			// a trace kept in case of failure saves the work.
			e.Data = map[string]any{"message": fmt.Sprintf("Request is being forwarded to the backend service. Timeout set to %d seconds", int(timeout/time.Second)), "request": map[string]any{"method": x.req.method, "url": x.rec.BackendURL, "headers": traceHeaders(h)}}
		}
		ft = &forwardTrace{timeout: timeout, method: x.req.method, url: x.rec.BackendURL}
		x.trace.AddStep(e, "%v", ft)
	}
	call := x.startCall("forward-request", req.method, target, h)
	began := time.Now()
	resp, err := roundTrip(x.r.Context(), rt, req)
	for hops := 0; err == nil && follow && isRedirect(resp.StatusCode) && hops < 10; hops++ {
		loc, lerr := resp.Location()
		if lerr != nil {
			break
		}
		resp.Body.Close()
		method := x.req.method
		if resp.StatusCode == http.StatusSeeOther || (resp.StatusCode != 307 && resp.StatusCode != 308 && method == http.MethodPost) {
			method = http.MethodGet
		}
		req = &backendRequest{method: method, url: loc, header: h, timeout: timeout}
		resp, err = roundTrip(x.r.Context(), rt, req)
	}
	if be != nil && be.breaker != nil && (err == nil || err.Reason != "ClientConnectionFailure") {
		status, retry := 0, time.Duration(0)
		if resp != nil {
			status = resp.StatusCode
			if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil {
				retry = time.Duration(s) * time.Second
			}
		}
		if x.g.breakers.record(be.name, be.breaker, status, err != nil, retry, time.Now()) {
			x.rec.Notes = append(x.rec.Notes, fmt.Sprintf("the circuit breaker of backend %s (rule %q) tripped on this call", be.name, be.breaker.name))
		}
	}
	if counter != nil {
		x.rec.RequestSize = counter.n.Load()
	}
	ended := time.Now()
	x.backendTime += ended.Sub(began)
	if call != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		call.End(status, err, began, ended)
	}
	if err != nil {
		return err
	}
	x.rec.BackendResponseCode, x.rec.BackendProtocol = resp.StatusCode, resp.Proto
	removeHopHeaders(resp.Header)
	x.resp.body.close()
	x.resp = outResponse{status: resp.StatusCode, reason: strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode))), header: resp.Header,
		body: newStreamBody(resp.Body, resp.ContentLength)}
	x.backendHost = target.Host
	x.backendStarted = began
	if x.trace != nil {
		e := reqtrace.Entry{Section: reqtrace.Backend, Source: "forward-request", Took: time.Since(began), Where: x.stepWhere(), Path: x.stepPath(), Scope: x.stepScope()}
		if x.traceRequested {
			e.Data = map[string]any{"response": map[string]any{"status": map[string]any{"code": resp.StatusCode, "reason": x.resp.reason}, "headers": traceHeaders(resp.Header)}}
		}
		ft.status, ft.reason = resp.StatusCode, x.resp.reason
		x.trace.AddStep(e, "%v", (*forwardResponseTrace)(ft))
	}
	return x.llmResponse()
}

func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

func (x *exchange) apiID() string {
	if x.m != nil && x.m.api != nil {
		return x.m.api.ID
	}
	return "(none)"
}

// traceHeaders lists headers in APIM's trace form.
func traceHeaders(h http.Header) []map[string]string {
	var out []map[string]string
	for _, k := range sortedStrings(mapKeys(h)) {
		out = append(out, map[string]string{"name": k, "value": strings.Join(h[k], ", ")})
	}
	return out
}

func mapKeys(h http.Header) []string {
	out := make([]string, 0, len(h))
	for k := range h {
		out = append(out, k)
	}
	return out
}

func anyStrings(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// execSendRequest runs send-request and send-one-way-request.
func (x *exchange) execSendRequest(st *policy.Step, p *policy.SendRequest, began time.Time) *Error {
	mode := "new"
	if p.Mode.Set {
		m, err := x.str(st, p.Mode)
		if err != nil {
			return err
		}
		mode = strings.ToLower(strings.TrimSpace(m))
	}
	timeout, err := x.integer(st, p.Timeout)
	if err != nil {
		return err
	}
	method := http.MethodGet
	var target *url.URL
	h := http.Header{}
	var payload []byte
	if mode == "copy" {
		method = x.req.method
		target = x.req.url()
		h = x.req.header.Clone()
		if x.req.body != nil {
			payload, _ = x.req.body.Read(true)
		}
	}
	if p.URL.Set {
		s, err := x.str(st, p.URL)
		if err != nil {
			return err
		}
		u, perr := url.Parse(strings.TrimSpace(s))
		if perr != nil || u.Scheme == "" || u.Host == "" {
			return &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Invalid URI: The format of the URI could not be determined.",
				Cause: fmt.Sprintf("set-url gives %q, which is not an absolute URL", s)}
		}
		target = u
	}
	if target == nil {
		return &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "The request URL is not set.", Cause: "send-request has no set-url"}
	}
	if p.Method.Set {
		m, err := x.str(st, p.Method)
		if err != nil {
			return err
		}
		method = strings.ToUpper(strings.TrimSpace(m))
	}
	for _, sh := range p.Headers {
		if err := x.execSetHeader(st, sh, h, began); err != nil {
			return err
		}
	}
	if p.Body != nil {
		var s string
		var err *Error
		if p.Body.Liquid() {
			s, err = x.renderLiquid(st, p.Body, nil, h)
		} else {
			s, err = x.str(st, p.Body.Body)
		}
		if err != nil {
			return err
		}
		payload = []byte(s)
	}
	rt := x.g.transport
	switch a := p.Authentication.(type) {
	case *policy.AuthenticationBasic:
		u, err := x.str(st, a.Username)
		if err != nil {
			return err
		}
		pw, err := x.str(st, a.Password)
		if err != nil {
			return err
		}
		h["Authorization"] = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+pw))}
	case *policy.AuthenticationManagedIdentity:
		tok, err := x.managedIdentityToken(st, a, began)
		if err != nil {
			return err
		}
		if name := a.OutputTokenVariableName.Resolved(); name != "" {
			x.vars().Set(name, tok)
		} else if tok != "" {
			h["Authorization"] = []string{"Bearer " + tok}
		}
	case *policy.AuthenticationCertificate:
		c, err := x.certificateOf(st, a)
		if err != nil {
			return err
		}
		rt = x.g.clientTrans.get(&c.TLS, c.Thumbprint, tlsVerify)
	}
	removeHopHeaders(h)
	source := "send-request"
	if p.OneWay {
		source = "send-one-way-request"
	}
	call := x.startCall(source, method, target, h)
	var callStart time.Time
	if call != nil {
		callStart = time.Now()
	}
	send := func(ctx context.Context) (*http.Response, *Error) {
		var rc io.ReadCloser
		if len(payload) > 0 {
			rc = io.NopCloser(strings.NewReader(string(payload)))
		}
		return roundTrip(ctx, rt, &backendRequest{method: method, url: target, header: h, body: rc, length: int64(len(payload)), timeout: time.Duration(timeout) * time.Second})
	}
	if p.OneWay {
		// The goroutine outlives the exchange, which is reused: it may use
		// only what it captures here.
		ctx := context.WithoutCancel(x.r.Context())
		go func() {
			resp, err := send(ctx)
			status := 0
			if err == nil {
				status = resp.StatusCode
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if call != nil {
				call.End(status, err, callStart, time.Now())
			}
		}()
		x.tracePolicy(st, began, "%s %s sent without waiting for the answer", method, target.Redacted())
		return nil
	}
	resp, serr := send(x.r.Context())
	if call != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		call.End(status, serr, callStart, time.Now())
	}
	name := p.ResponseVariableName.Resolved()
	if serr != nil {
		ignore, err := x.boolean(st, p.IgnoreError)
		if err != nil {
			return err
		}
		if ignore {
			x.vars().Set(name, nil)
			x.tracePolicy(st, began, "%s %s failed (%s); ignore-error=\"true\": context.Variables[%q] = null", method, target.Redacted(), serr.Message, name)
			return nil
		}
		serr.Source = st.Name
		serr.Section = ""
		return serr
	}
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBuffer))
	resp.Body.Close()
	if rerr != nil {
		return backendFailure(target, rerr)
	}
	x.vars().Set(name, responseValue(resp, data))
	x.tracePolicy(st, began, "%s %s answered %d (%d bytes); stored in context.Variables[%q]", method, target.Redacted(), resp.StatusCode, len(data), name)
	return nil
}

// responseValue is resp, whose body was read as data, as the IResponse that
// policies store in a variable.
func responseValue(resp *http.Response, data []byte) *expr.Response {
	pairs := make(expr.PairHeaders, 0, len(resp.Header))
	for _, k := range sortedStrings(mapKeys(resp.Header)) {
		pairs = append(pairs, expr.HeaderPair{Name: k, Values: resp.Header[k]})
	}
	return &expr.Response{StatusCode: resp.StatusCode, StatusReason: http.StatusText(resp.StatusCode), Headers: pairs, Body: &expr.BytesBody{Data: data}}
}

// traceEntry builds the entry of a trace policy.
func traceEntry(s policy.Section, source string, st *policy.Step, msg string, meta []NameValue) reqtrace.Entry {
	data := map[string]any{"message": msg}
	if len(meta) > 0 {
		m := make(map[string]string, len(meta))
		for _, nv := range meta {
			m[nv.Name] = nv.Value
		}
		data["metadata"] = m
	}
	return reqtrace.Entry{Section: traceSection(s), Source: source, Where: st.Where, Path: st.Path,
		Scope: st.Scope.String(), Message: msg, Data: data}
}

// stepWhere, stepPath and stepScope describe the running statement for
// trace entries recorded below it.
func (x *exchange) stepWhere() string {
	if x.step == nil {
		return ""
	}
	return x.step.Where
}

func (x *exchange) stepPath() string {
	if x.step == nil {
		return ""
	}
	return x.step.Path
}

func (x *exchange) stepScope() string {
	if x.step == nil {
		return ""
	}
	return x.step.Scope.String()
}

// circuitOpen is the error of a call refused because the backend's circuit
// breaker is open: 503, as APIM answers.
func circuitOpen(source, backend, why string) *Error {
	return &Error{Source: source, Reason: "BackendCircuitBreakerOpen", Status: http.StatusServiceUnavailable,
		Message: "Backend circuit breaker is open.", Body: errorBody(503, "Service Unavailable"),
		Cause: fmt.Sprintf("backend %s is not called: %s", backend, why)}
}

// forwardTrace holds forward-request's trace messages, formatted only when
// the trace is read: as a forwardTrace the request sent, as a
// forwardResponseTrace the response received.
type forwardTrace struct {
	timeout     time.Duration
	method, url string
	status      int
	reason      string
}

func (t *forwardTrace) String() string {
	return fmt.Sprintf("Request is being forwarded to the backend service. Timeout set to %s.\n%s %s", formatSeconds(t.timeout), t.method, t.url)
}

// forwardResponseTrace is the message of the response received.
type forwardResponseTrace forwardTrace

func (t *forwardResponseTrace) String() string {
	return fmt.Sprintf("Response received from the backend: %d %s", t.status, t.reason)
}
