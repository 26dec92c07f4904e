package gateway

import (
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// traces are reused between requests: with failure capture on, every
// request is traced, and only the failed ones keep their trace.
var tracePool = sync.Pool{New: func() any { return new(reqtrace.Trace) }}

func acquireTrace(id string, start time.Time) *reqtrace.Trace {
	t := tracePool.Get().(*reqtrace.Trace)
	t.Reset(id, start)
	return t
}

func releaseTrace(t *reqtrace.Trace) {
	if t != nil {
		t.Reset("", time.Time{})
		tracePool.Put(t)
	}
}

// captureReason says why the request must be kept, "" when it need not.
func (x *exchange) captureReason() string {
	switch {
	case x.rec.ResponseCode == 0 && x.rec.LastError != nil:
		return capture.ClientAborted
	case x.rec.Failed():
		return capture.Failed
	case x.corsRefused:
		return capture.CORSRefused
	}
	if s := x.g.capture.Sample(); s > 0 && rand.Float64() < s {
		return capture.Sampled
	}
	return ""
}

// finishCapture hands a failed (or sampled) request to the capture store,
// or recycles its trace. It runs after the response was sent.
func (x *exchange) finishCapture() {
	why := x.captureReason()
	t := x.trace
	if why == "" {
		if !x.traceRequested {
			releaseTrace(t)
		}
		x.trace = nil
		return
	}
	if why != capture.Sampled && !x.g.capture.Admit(x.rec.ResponseCode, x.rec.APIID, x.rec.OperationID, x.start) {
		// A flood of one failure: this one keeps its log line only.
		if !x.traceRequested {
			releaseTrace(t)
		}
		x.trace = nil
		return
	}
	// The trace outlives the exchange, whose memory its messages may
	// point to.
	t.Resolve()
	// Every secret this request carried or could reveal is masked in the
	// whole document.
	t.Mask(x.st.secrets...)
	t.Mask(x.acc.key)
	if s := x.acc.sub; s != nil {
		t.Mask(s.PrimaryKey, s.SecondaryKey)
	}
	keyHeader, keyQuery := "Ocp-Apim-Subscription-Key", "subscription-key"
	if x.m != nil && x.m.api != nil {
		keyHeader, keyQuery = x.m.api.KeyHeader, x.m.api.KeyQuery
	}
	// A subscription key is masked wherever the caller put it: in the
	// headers that carry credentials, and in any other header or query
	// parameter (a key sent in X-Api-Key, or in the wrong parameter).
	isKey := x.st.keys.isKey
	secretHeader := func(name, value string) bool {
		return strings.EqualFold(name, keyHeader) || strings.EqualFold(name, "Ocp-Apim-Subscription-Key") ||
			strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") || isKey(strings.TrimSpace(value))
	}
	// keyOwner is the subscription whose key the request carried in any
	// of these places, accepted or not: replay sends its current key.
	keyOwner := ""
	owner := func(v string) {
		if e, ok := x.st.keys.byKey[strings.TrimSpace(v)]; ok && keyOwner == "" {
			keyOwner = e.sub.Name
		}
	}
	for name, vs := range x.r.Header {
		for _, v := range vs {
			if secretHeader(name, v) {
				t.Mask(v)
				owner(v)
				if _, cred, ok := strings.Cut(v, " "); ok {
					t.Mask(cred)
					owner(cred)
				}
			}
		}
	}
	if x.query != nil {
		for k, vs := range x.query {
			for _, v := range vs {
				if strings.EqualFold(k, keyQuery) || strings.EqualFold(k, "subscription-key") || isKey(v) {
					t.Mask(v)
					owner(v)
				}
			}
		}
	}

	r := x.r
	d := capture.Doc{
		ID: x.rec.CorrelationID, Time: x.start.UTC(), Captured: why,
		Request: capture.Request{
			Method: r.Method, URL: x.rec.URL, Path: r.URL.EscapedPath(), Host: r.Host,
			CallerIP: x.rec.CallerIPAddress, Protocol: r.Proto, Headers: captureHeaders(r.Header, secretHeader),
			BodySize: r.ContentLength,
		},
		Response: capture.Response{Status: x.rec.ResponseCode, Headers: captureHeaders(x.w.Header(), nil)},
		Match: capture.Match{
			API: x.rec.APIID, APIRevision: x.rec.APIRevision, Operation: x.rec.OperationID,
			Product: x.rec.ProductID, Subscription: x.rec.APIMSubscriptionID,
			KeyHeader: keyHeader, KeyQuery: keyQuery, KeyOf: keyOwner, AllAccess: x.acc.sub != nil && x.acc.sub.Name == AllAccessName,
		},
		Notes: x.rec.Notes,
	}
	if q := x.maskedURL(r.URL); strings.Contains(q, "?") {
		_, d.Request.Query, _ = strings.Cut(q, "?")
	}
	d.Request.Body, d.Request.BodyKept = x.captureRequestBody()
	d.Response.Body, d.Response.BodyKept = captureBody(x.resp.body, x.g.capture.MaxBody())
	if e := x.rec.LastError; e != nil {
		d.LastError = &capture.LastError{
			Source: e.Source, Reason: e.Reason, Message: e.Message, Scope: e.Scope, Section: e.Section,
			Path: e.Path, PolicyID: e.PolicyID, Cause: e.Cause, ElapsedMs: x.rec.LastErrorElapsed.Milliseconds(),
			Where: e.Where,
		}
	}
	if x.rec.BackendURL != "" || x.rec.BackendResponseCode != 0 {
		d.Backend = &capture.Backend{
			ID: x.req.backendID, Method: x.rec.BackendMethod, URL: x.rec.BackendURL,
			Status: x.rec.BackendResponseCode, TimeMs: x.rec.BackendTime.Milliseconds(),
		}
		if x.rec.BackendResponseCode != 0 {
			d.Backend.StatusLine = http.StatusText(x.rec.BackendResponseCode)
			if x.resp.reason != "" && x.rec.BackendResponseCode == x.resp.status {
				d.Backend.StatusLine = x.resp.reason
			}
		}
	}
	p := &capture.Pending{Doc: d, Trace: t, Line: x.rec.AppendJSON(nil)}
	if !x.traceRequested {
		p.Done = releaseTrace
	}
	x.g.capture.Add(p)
	x.trace = nil
}

// captureHeaders lists h sorted by name, with the values of secret headers
// replaced.
func captureHeaders(h http.Header, secret func(name, value string) bool) []capture.Header {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]capture.Header, 0, len(names))
	for _, k := range names {
		for _, v := range h[k] {
			if secret != nil && secret(k, v) {
				if scheme, _, ok := strings.Cut(v, " "); ok && strings.EqualFold(k, "Authorization") {
					v = scheme + " ***"
				} else {
					v = "***"
				}
			}
			out = append(out, capture.Header{Name: k, Value: v})
		}
	}
	return out
}

// captureRequestBody keeps the request body when a policy read it, or when
// nothing read it yet (a request refused before forwarding): then it is
// read now, up to the capture limit. A body streamed to the backend is gone.
func (x *exchange) captureRequestBody() (string, string) {
	if b := x.req.body; b != nil && (b.loaded || b.stream == nil) {
		return captureBody(b, x.g.capture.MaxBody())
	}
	if x.req.body == nil && x.r.Body != nil && x.r.Body != http.NoBody {
		buf := make([]byte, x.g.capture.MaxBody()+1)
		n, _ := io.ReadFull(x.r.Body, buf)
		if n == 0 {
			return "", "none"
		}
		if n > x.g.capture.MaxBody() {
			return string(buf[:x.g.capture.MaxBody()]), "truncated"
		}
		return string(buf[:n]), "whole"
	}
	if x.r.ContentLength == 0 {
		return "", "none"
	}
	return "", "streamed"
}

func captureBody(b *body, max int) (string, string) {
	if b == nil || (b.loaded && len(b.data) == 0) {
		return "", "none"
	}
	if !b.loaded {
		return "", "streamed"
	}
	if len(b.data) > max {
		return string(b.data[:max]), "truncated"
	}
	return string(b.data), "whole"
}
