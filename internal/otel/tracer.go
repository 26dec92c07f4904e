package otel

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/eventhub"
	"github.com/tollgate/tollgate/internal/gateway"
)

// Attribute keys of tollgate's own span and log attributes.
const (
	AttrCorrelationID  = attribute.Key("tollgate.correlation_id")
	AttrAPIID          = attribute.Key("tollgate.api.id")
	AttrAPIRevision    = attribute.Key("tollgate.api.revision")
	AttrOperationID    = attribute.Key("tollgate.operation.id")
	AttrProductID      = attribute.Key("tollgate.product.id")
	AttrSubscriptionID = attribute.Key("tollgate.subscription.id")
	AttrBackendID      = attribute.Key("tollgate.backend.id")
	AttrCache          = attribute.Key("tollgate.cache")
	AttrPolicy         = attribute.Key("tollgate.policy")
	AttrLogger         = attribute.Key("tollgate.logger")
	AttrTraceSource    = attribute.Key("tollgate.trace.source")
)

// Keys of the semantic conventions' attributes tollgate sets.
const (
	keyMethod               = string(semconv.HTTPRequestMethodKey)
	keyURLPath              = string(semconv.URLPathKey)
	keyURLScheme            = string(semconv.URLSchemeKey)
	keyURLFull              = string(semconv.URLFullKey)
	keyProtocolVersion      = string(semconv.NetworkProtocolVersionKey)
	keyServerAddress        = string(semconv.ServerAddressKey)
	keyServerPort           = string(semconv.ServerPortKey)
	keyClientAddress        = string(semconv.ClientAddressKey)
	keyUserAgent            = string(semconv.UserAgentOriginalKey)
	keyRoute                = string(semconv.HTTPRouteKey)
	keyStatusCode           = string(semconv.HTTPResponseStatusCodeKey)
	keyErrorType            = string(semconv.ErrorTypeKey)
	keyMessagingSystem      = string(semconv.MessagingSystemKey)
	keyMessagingDestination = string(semconv.MessagingDestinationNameKey)
	keyMessagingOperation   = string(semconv.MessagingOperationTypeKey)
)

// LastErrorEvent names the span event that carries a request's or a call's
// LastError.
const LastErrorEvent = "tollgate.last_error"

// Tracer returns the gateway's tracer: spans when traces are exported, and
// the trace policy's messages as log records when logs are. It is nil when
// neither is on.
func (t *Telemetry) Tracer() gateway.Tracer {
	if t == nil || !(t.signals.Traces || t.signals.Logs) {
		return nil
	}
	return (*gatewayTracer)(t)
}

type gatewayTracer Telemetry

// spanKey is the context key of the request's span.
type spanKey struct{}

// start begins a span under parent (nil for none) or, without one, under
// the caller's traceparent and tracestate.
func (t *Telemetry) start(parent *span, h http.Header, kind uint8, name string) *span {
	s := newSpan()
	s.tel, s.kind, s.name = t, kind, name
	// A span's times are the gateway's clock readings, given at its end
	// (the log record's, the call's): a clock reading costs as much as
	// recording a few attributes.
	s.spanID = newSpanID()
	hasParent, parentSampled := false, false
	switch {
	case parent != nil:
		s.traceID, s.parentID, s.traceState = parent.traceID, parent.spanID, parent.traceState
		hasParent, parentSampled = true, parent.sampled
	case h != nil:
		if tp := h["Traceparent"]; len(tp) == 1 {
			if tid, sid, sampled, ok := parseTraceparent(tp[0]); ok {
				s.traceID, s.parentID, s.remoteParent = tid, sid, true
				hasParent, parentSampled = true, sampled
				if ts := h["Tracestate"]; len(ts) > 0 {
					s.traceState = traceState(ts)
				}
			}
		}
	}
	if !hasParent {
		s.traceID = newTraceID()
	}
	s.sampled = t.signals.Traces && t.settings.Load().sampler.sample(s.traceID, hasParent, parentSampled)
	return s
}

// traceState is the caller's tracestate when it is valid, as the SDK's
// propagator keeps it, else "".
func traceState(values []string) string {
	ts, err := trace.ParseTraceState(strings.Join(values, ","))
	if err != nil {
		return ""
	}
	return ts.String()
}

// finish encodes a sampled span into the exporter's batch and releases it.
func (s *span) finish() {
	if s.sampled && s.tel.spans != nil {
		if s.end.IsZero() {
			s.end = time.Now()
		}
		if b := s.tel.spans.reserve(); b != nil {
			b.items = appendSpan(b.items, s)
			s.tel.spans.commit(b)
		}
	}
	releaseSpan(s)
}

// spanFrom returns the span ctx carries, nil when none.
func spanFrom(ctx context.Context) *span {
	s, _ := ctx.Value(spanKey{}).(*span)
	return s
}

// StartRequest implements gateway.Tracer.
func (g *gatewayTracer) StartRequest(r *http.Request) (context.Context, gateway.RequestSpan) {
	t := (*Telemetry)(g)
	s := t.start(nil, r.Header, kindServer, r.Method)
	if t.signals.Traces {
		// The span's attributes are encoded at its end, from the request
		// (which the gateway never changes) and its log record: an API's
		// own sampling (Routed), or a failure under alwaysLog (End), may
		// still record a span that sampling skipped at the start. The
		// header map and the URL are read now, while the request's
		// parsing left them in the core's cache.
		s.req, s.path = r, r.URL.Path
		if ua := r.Header["User-Agent"]; len(ua) > 0 {
			s.userAgent = ua[0]
		}
	}
	return context.WithValue(r.Context(), spanKey{}, s), (*requestSpan)(s)
}

// appendRequestAttrs appends the server span's attributes that come from
// the request as it arrived, as KeyValues of field 9 (Span.attributes).
func appendRequestAttrs(b []byte, s *span) []byte {
	r := s.req
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	b = appendStringKV(b, 9, keyMethod, method(r.Method))
	b = appendStringKV(b, 9, keyURLPath, s.path)
	b = appendStringKV(b, 9, keyURLScheme, scheme)
	b = appendStringKV(b, 9, keyProtocolVersion, protocolVersion(r.ProtoMajor, r.ProtoMinor))
	if host, port := splitHostPort(r.Host); host != "" {
		b = appendStringKV(b, 9, keyServerAddress, host)
		if port > 0 {
			b = appendIntKV(b, 9, keyServerPort, int64(port))
		}
	}
	if ip, ok := remoteIP(r.RemoteAddr); ok {
		b = appendStringKV(b, 9, keyClientAddress, ip)
	}
	if s.userAgent != "" {
		b = appendStringKV(b, 9, keyUserAgent, s.userAgent)
	}
	return b
}

// appendRecordAttrs appends the server span's attributes that come from
// the request's log record, as KeyValues of field 9.
func appendRecordAttrs(b []byte, rec *gateway.LogRecord, route string) []byte {
	if route != "" {
		b = appendStringKV(b, 9, keyRoute, route)
	}
	b = appendStringKV(b, 9, string(AttrCorrelationID), rec.CorrelationID)
	if rec.ResponseCode != 0 {
		b = appendIntKV(b, 9, keyStatusCode, int64(rec.ResponseCode))
	}
	for _, kv := range [...]struct{ key, v string }{
		{string(AttrAPIID), rec.APIID},
		{string(AttrAPIRevision), rec.APIRevision},
		{string(AttrOperationID), rec.OperationID},
		{string(AttrProductID), rec.ProductID},
		{string(AttrSubscriptionID), rec.APIMSubscriptionID},
		{string(AttrBackendID), rec.BackendID},
	} {
		if kv.v != "" {
			b = appendStringKV(b, 9, kv.key, kv.v)
		}
	}
	if rec.Cache != "" && rec.Cache != "none" {
		b = appendStringKV(b, 9, string(AttrCache), rec.Cache)
	}
	if errorType, _, failed := requestError(rec); failed {
		b = appendStringKV(b, 9, keyErrorType, errorType)
	}
	return b
}

// requestError says whether the request's server span is an error span:
// a 5xx answer, or a client that went away (no answer, a LastError), with
// its error.type and status message.
func requestError(rec *gateway.LogRecord) (errorType, statusMsg string, failed bool) {
	switch {
	case rec.ResponseCode >= 500:
		return strconv.Itoa(rec.ResponseCode), lastErrorReason(rec.LastError), true
	case rec.ResponseCode == 0 && rec.LastError != nil:
		return rec.LastError.Reason, rec.LastError.Reason, true
	}
	return "", "", false
}

// StartCall implements gateway.Tracer.
func (g *gatewayTracer) StartCall(ctx context.Context, source, m string, u *url.URL, h http.Header) gateway.CallSpan {
	t := (*Telemetry)(g)
	if !t.signals.Traces {
		// Log records only: the caller's traceparent goes to the backend
		// unchanged, and there is no span to record.
		return unrecordedCall{}
	}
	parent := spanFrom(ctx)
	if parent != nil && !t.settings.Load().sampler.sample(parent.traceID, true, parent.sampled) {
		// The call is not recorded: only its traceparent, with a span id
		// of its own, continues the caller's trace, as the SDK's
		// non-recording span does.
		h["Traceparent"] = traceparentHeader(parent.traceID, newSpanID(), false)
		if parent.traceState != "" {
			h["Tracestate"] = []string{parent.traceState}
		}
		return unrecordedCall{}
	}
	s := t.start(parent, nil, kindClient, m)
	if s.sampled {
		s.setString(keyMethod, method(m))
		s.setURLFull(u)
		s.setString(string(AttrPolicy), source)
		if host, port := splitHostPort(u.Host); host != "" {
			s.setString(keyServerAddress, host)
			if port == 0 {
				port = defaultPort(u.Scheme)
			}
			if port > 0 {
				s.setInt(keyServerPort, int64(port))
			}
		}
	}
	h["Traceparent"] = traceparentHeader(s.traceID, s.spanID, s.sampled)
	if s.traceState != "" {
		h["Tracestate"] = []string{s.traceState}
	}
	return (*callSpan)(s)
}

// unrecordedCall is the span of a call that is not recorded.
type unrecordedCall struct{}

func (unrecordedCall) End(int, *gateway.Error, time.Time, time.Time) {}

// EventHubTracer puts the log-to-eventhub messages that Kafka did not take
// in their requests' traces: a producer span ("send" and the topic) under
// the request's span, from the hand-off to the failure, with an exception
// event and an error status. A delivered message leaves no span, which
// would cost every request a third span for what the metrics count. It
// returns nil when traces are off.
func (t *Telemetry) EventHubTracer() eventhub.Tracer {
	if t == nil || !t.signals.Traces {
		return nil
	}
	return (*hubTracer)(t)
}

type hubTracer Telemetry

// Parent implements eventhub.Tracer: the request's span, when sampled.
func (h *hubTracer) Parent(ctx context.Context) (eventhub.TraceParent, bool) {
	s := spanFrom(ctx)
	if s == nil || !s.sampled {
		return eventhub.TraceParent{}, false
	}
	return eventhub.TraceParent{TraceID: s.traceID, SpanID: s.spanID, TraceState: s.traceState}, true
}

// Failed implements eventhub.Tracer.
func (h *hubTracer) Failed(p eventhub.TraceParent, logger, topic string, start time.Time, err error) {
	s := newSpan()
	s.tel, s.kind, s.name, s.route = (*Telemetry)(h), kindProducer, "send", topic
	s.traceID, s.parentID, s.traceState = p.TraceID, p.SpanID, p.TraceState
	s.spanID, s.sampled = newSpanID(), true
	s.start, s.end = start, time.Now()
	s.setString(keyMessagingSystem, "kafka")
	s.setString(keyMessagingDestination, topic)
	s.setString(keyMessagingOperation, "send")
	s.setString(string(AttrLogger), logger)
	s.setString(string(AttrPolicy), "log-to-eventhub")
	s.events = append(s.events, spanEvent{time: s.end, name: "exception", attrs: []spanAttr{
		{key: "exception.type", str: fmt.Sprintf("%T", err)}, {key: "exception.message", str: err.Error()}}})
	s.errorStatus, s.statusMsg = true, err.Error()
	s.finish()
}

type requestSpan span

// TraceID implements gateway.RequestSpan.
func (r *requestSpan) TraceID() string { return r.traceID.String() }

// Routed samples a request of an API with its own diagnostic by that
// diagnostic, unless a caller's traceparent decided already. No span of the
// request has started yet.
func (r *requestSpan) Routed(api string) {
	s := (*span)(r)
	ts := s.tel.settings.Load()
	if ts.apis == nil || s.remoteParent || !s.tel.signals.Traces {
		return
	}
	a := ts.apis[api]
	if a == nil {
		return
	}
	s.sampled = a.sampler.sample(s.traceID, false, false)
}

// End implements gateway.RequestSpan.
func (r *requestSpan) End(rec *gateway.LogRecord, route string) {
	s := (*span)(r)
	if len(rec.TraceRecords) > 0 && s.tel.logs != nil {
		s.tel.emitTraceRecords(s, rec)
	}
	if !s.sampled {
		if !rec.Failed() || s.req == nil || !s.tel.settings.Load().forAPI(rec.APIID).alwaysLogErrors {
			releaseSpan(s)
			return
		}
		// alwaysLog: allErrors. The failure is traced although sampling
		// skipped the request: its server span only, as its backend calls
		// were made unrecorded.
		s.sampled = true
	}
	s.start, s.end = rec.TimeGenerated, rec.TimeGenerated.Add(rec.TotalTime)
	if route != "" {
		s.name, s.route = rec.Method, route
	}
	if _, msg, failed := requestError(rec); failed {
		s.errorStatus, s.statusMsg = true, msg
	}
	if e := rec.LastError; e != nil {
		s.events = append(s.events, spanEvent{time: rec.TimeGenerated.Add(rec.LastErrorElapsed), name: LastErrorEvent, attrs: lastErrorAttrs(e)})
	}
	s.rec = rec
	s.finish()
}

// emitTraceRecords sends the trace policy's messages as log records, in the
// request's trace, each encoded into the log exporter's batch.
func (t *Telemetry) emitTraceRecords(s *span, rec *gateway.LogRecord) {
	// The records are timed at the request's end, as the log line has it:
	// a clock reading costs as much as encoding a record.
	now := rec.TimeGenerated.Add(rec.TotalTime)
	least := t.settings.Load().forAPI(rec.APIID).minSeverity
	var attrs [8]spanAttr
	for _, tr := range rec.TraceRecords {
		r := logRecord{time: now, traceID: s.traceID, spanID: s.spanID, sampled: s.sampled, body: tr.Message, attrs: attrs[:0]}
		r.severity, r.severityText = severity(tr.Severity)
		if r.severity < least {
			continue // below the folder's diagnostic verbosity
		}
		r.attrs = append(r.attrs, spanAttr{key: string(AttrTraceSource), str: tr.Source}, spanAttr{key: string(AttrCorrelationID), str: rec.CorrelationID})
		if rec.APIID != "" {
			r.attrs = append(r.attrs, spanAttr{key: string(AttrAPIID), str: rec.APIID})
		}
		if rec.OperationID != "" {
			r.attrs = append(r.attrs, spanAttr{key: string(AttrOperationID), str: rec.OperationID})
		}
		for _, m := range tr.Metadata {
			r.attrs = append(r.attrs, spanAttr{key: m.Name, str: m.Value})
		}
		if b := t.logs.reserve(); b != nil {
			b.items = appendLogRecord(b.items, &r)
			t.logs.commit(b)
		}
	}
}

// severity maps the trace policy's severity to OpenTelemetry's.
func severity(s string) (int, string) {
	switch strings.ToLower(s) {
	case "error":
		return severityError, "Error"
	case "information":
		return severityInfo, "Information"
	}
	return severityDebug, "Verbose"
}

type callSpan span

// End implements gateway.CallSpan.
func (c *callSpan) End(status int, err *gateway.Error, start, end time.Time) {
	s := (*span)(c)
	s.start, s.end = start, end
	if s.sampled {
		if status != 0 {
			s.setInt(keyStatusCode, int64(status))
		}
		switch {
		case err != nil:
			s.setString(keyErrorType, err.Reason)
			s.events = append(s.events, spanEvent{time: end, name: LastErrorEvent, attrs: lastErrorAttrs(err)})
			s.errorStatus, s.statusMsg = true, err.Reason
		case status >= 400:
			s.setString(keyErrorType, strconv.Itoa(status))
			s.errorStatus = true
		}
	}
	s.finish()
}

func lastErrorAttrs(e *gateway.Error) []spanAttr {
	attrs := make([]spanAttr, 5, 7)
	attrs[0] = spanAttr{key: "source", str: e.Source}
	attrs[1] = spanAttr{key: "reason", str: e.Reason}
	attrs[2] = spanAttr{key: "message", str: e.Message}
	attrs[3] = spanAttr{key: "section", str: e.Section}
	attrs[4] = spanAttr{key: "path", str: e.Path}
	if e.PolicyID != "" {
		attrs = append(attrs, spanAttr{key: "policy_id", str: e.PolicyID})
	}
	if e.Cause != "" {
		attrs = append(attrs, spanAttr{key: "cause", str: e.Cause})
	}
	return attrs
}

func lastErrorReason(e *gateway.Error) string {
	if e == nil {
		return ""
	}
	return e.Reason
}

// remoteIP is the address of host:port without the port.
func remoteIP(hostport string) (string, bool) {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 {
		return "", false
	}
	host := hostport[:i]
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return host, host != ""
}

// method is http.request.method: the known methods as they are, any other
// as _OTHER, which keeps the attribute's values bounded.
func method(m string) string {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH":
		return m
	}
	return "_OTHER"
}

func protocolVersion(major, minor int) string {
	switch {
	case major == 2:
		return "2"
	case major == 3:
		return "3"
	}
	if major == 1 && minor == 1 {
		return "1.1"
	}
	if major == 1 && minor == 0 {
		return "1.0"
	}
	return strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

// splitHostPort splits a Host header or URL host: the port is 0 when
// there is none.
func splitHostPort(hostport string) (string, int) {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 || strings.IndexByte(hostport[i:], ']') >= 0 {
		return trimBrackets(hostport), 0
	}
	host := hostport[:i]
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	} else if strings.IndexByte(host, ':') >= 0 {
		return hostport, 0 // an IPv6 address without brackets
	}
	p, _ := strconv.Atoi(hostport[i+1:])
	return host, p
}

// trimBrackets is strings.Trim(s, "[]") without building a set of the
// characters on every call.
func trimBrackets(s string) string {
	for len(s) > 0 && (s[0] == '[' || s[0] == ']') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == '[' || s[len(s)-1] == ']') {
		s = s[:len(s)-1]
	}
	return s
}

func defaultPort(scheme string) int {
	switch scheme {
	case "http":
		return 80
	case "https":
		return 443
	}
	return 0
}

// fullURL is url.full without the query string, which may carry keys, and
// without user information, as the exporter writes it.
func fullURL(u *url.URL) string {
	var s span
	s.setURLFull(u)
	return string(appendURLFull(nil, &s))
}
