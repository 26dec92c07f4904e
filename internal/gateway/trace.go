package gateway

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate/internal/reqtrace"
)

// TracePathPrefix is where the gateway serves request traces: the
// Ocp-Apim-Trace-Location header of a traced request points below it.
const TracePathPrefix = "/_tollgate/traces/"

// startTrace begins a trace when the request asks for one
// (Ocp-Apim-Trace: true) and its subscription allows tracing. A request
// without that right gets no trace and no hint of one.
func (x *exchange) startTrace() {
	if x.g.traces == nil || !strings.EqualFold(x.r.Header.Get("Ocp-Apim-Trace"), "true") {
		return
	}
	if x.acc.sub == nil || !x.acc.sub.AllowTracing {
		return
	}
	t := x.trace
	if t == nil {
		t = reqtrace.New(x.rec.CorrelationID, x.start)
		x.trace = t
	}
	x.traceRequested = true
	x.rec.IsTraceAllowed = true
	t.Mask(x.acc.key, x.acc.sub.PrimaryKey, x.acc.sub.SecondaryKey)
	t.Mask(x.r.Header.Values("Authorization")...)
	t.Mask(x.st.secrets...)
	r := x.r
	t.Add(reqtrace.Entry{Section: reqtrace.Inbound, Source: "api-inspector",
		Message: fmt.Sprintf("%s %s", r.Method, x.requestURL()),
		Data:    map[string]any{"request": map[string]any{"method": r.Method, "url": x.requestURL(), "headers": traceHeaders(r.Header)}}})
	cfg := map[string]any{
		"api":       map[string]any{"id": x.m.api.ID, "from": "/" + x.m.api.Path, "to": x.m.api.ServiceURL, "revision": x.m.api.Revision, "version": x.m.api.APIVersion},
		"operation": map[string]any{"id": x.m.op.Name, "method": x.m.op.Method, "uriTemplate": x.m.op.URLTemplate},
	}
	msg := fmt.Sprintf("API %s, operation %s", x.m.api.ID, x.m.op.Name)
	if p := x.acc.product; p != nil {
		cfg["product"] = map[string]any{"id": p.Name}
		msg += ", product " + p.Name
	}
	cfg["subscription"] = map[string]any{"id": x.acc.sub.Name}
	msg += ", subscription " + x.acc.sub.Name
	t.Add(reqtrace.Entry{Section: reqtrace.Inbound, Source: "api-inspector", Message: msg, Data: map[string]any{"configuration": cfg}})
}

// traceURL is the location of the request's trace.
func (x *exchange) traceURL() string {
	scheme := "http"
	if x.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + x.r.Host + TracePathPrefix + x.trace.ID
}

// serveTrace answers GET /_tollgate/traces/{id} with the trace as JSON.
func (g *Gateway) serveTrace(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, TracePathPrefix)
	t := g.traces.Get(id)
	if t == nil || r.Method != http.MethodGet {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, errorBody(404, "Resource not found"))
		return
	}
	b, err := t.MarshalJSON()
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// Trace returns the trace of the request with the given correlation id,
// or nil.
func (g *Gateway) Trace(id string) *reqtrace.Trace {
	if g.traces == nil {
		return nil
	}
	return g.traces.Get(id)
}
