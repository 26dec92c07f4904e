package otel

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

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

// StartRequest implements gateway.Tracer.
func (g *gatewayTracer) StartRequest(r *http.Request) (context.Context, gateway.RequestSpan) {
	ctx := g.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	attrs := []attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(method(r.Method)),
		semconv.URLPath(r.URL.Path),
		semconv.URLScheme(scheme),
		semconv.NetworkProtocolVersion(protocolVersion(r.ProtoMajor, r.ProtoMinor)),
	}
	if host, port := splitHostPort(r.Host); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		attrs = append(attrs, semconv.ClientAddress(ip))
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(ua))
	}
	ctx, span := g.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
	return ctx, &requestSpan{g: g, ctx: ctx, span: span}
}

// StartCall implements gateway.Tracer.
func (g *gatewayTracer) StartCall(ctx context.Context, source, m string, u *url.URL, h http.Header) gateway.CallSpan {
	attrs := []attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(method(m)),
		semconv.URLFull(fullURL(u)),
		AttrPolicy.String(source),
	}
	if host, port := splitHostPort(u.Host); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port == 0 {
			port = defaultPort(u.Scheme)
		}
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	ctx, span := g.tracer.Start(ctx, m, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	g.prop.Inject(ctx, propagation.HeaderCarrier(h))
	return callSpan{span}
}

// StartPublish begins the producer span of one log-to-eventhub message
// under the request's context and returns what ends it. Kafka's answer
// comes after the request is done; the span still belongs to its trace.
func (t *Telemetry) StartPublish(ctx context.Context, logger, topic string) func(error) {
	if t == nil || !t.signals.Traces {
		return nil
	}
	_, span := t.tracer.Start(ctx, "send "+topic, trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(
		semconv.MessagingSystemKafka, semconv.MessagingDestinationName(topic),
		semconv.MessagingOperationTypeSend, AttrLogger.String(logger), AttrPolicy.String("log-to-eventhub")))
	return func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}

type requestSpan struct {
	g    *gatewayTracer
	ctx  context.Context
	span trace.Span
}

// TraceID implements gateway.RequestSpan.
func (s *requestSpan) TraceID() string {
	sc := s.span.SpanContext()
	if !sc.HasTraceID() {
		return ""
	}
	return sc.TraceID().String()
}

// End implements gateway.RequestSpan.
func (s *requestSpan) End(rec *gateway.LogRecord, route string) {
	if s.span.IsRecording() {
		attrs := make([]attribute.KeyValue, 0, 12)
		if route != "" {
			s.span.SetName(rec.Method + " " + route)
			attrs = append(attrs, semconv.HTTPRoute(route))
		}
		attrs = append(attrs, AttrCorrelationID.String(rec.CorrelationID))
		if rec.ResponseCode != 0 {
			attrs = append(attrs, semconv.HTTPResponseStatusCode(rec.ResponseCode))
		}
		attrs = appendIf(attrs, AttrAPIID, rec.APIID)
		attrs = appendIf(attrs, AttrAPIRevision, rec.APIRevision)
		attrs = appendIf(attrs, AttrOperationID, rec.OperationID)
		attrs = appendIf(attrs, AttrProductID, rec.ProductID)
		attrs = appendIf(attrs, AttrSubscriptionID, rec.APIMSubscriptionID)
		attrs = appendIf(attrs, AttrBackendID, rec.BackendID)
		if rec.Cache != "" && rec.Cache != "none" {
			attrs = append(attrs, AttrCache.String(rec.Cache))
		}
		switch {
		case rec.ResponseCode >= 500:
			attrs = append(attrs, semconv.ErrorTypeKey.String(strconv.Itoa(rec.ResponseCode)))
			s.span.SetStatus(codes.Error, lastErrorReason(rec.LastError))
		case rec.ResponseCode == 0 && rec.LastError != nil:
			// The client went away.
			attrs = append(attrs, semconv.ErrorTypeKey.String(rec.LastError.Reason))
			s.span.SetStatus(codes.Error, rec.LastError.Reason)
		}
		s.span.SetAttributes(attrs...)
		if e := rec.LastError; e != nil {
			s.span.AddEvent(LastErrorEvent, trace.WithTimestamp(rec.TimeGenerated.Add(rec.LastErrorElapsed)), trace.WithAttributes(lastErrorAttrs(e)...))
		}
	}
	s.span.End()
	if len(rec.TraceRecords) > 0 && s.g.signals.Logs {
		s.g.emitTraceRecords(s.ctx, rec)
	}
}

// emitTraceRecords sends the trace policy's messages as log records, in the
// request's trace.
func (g *gatewayTracer) emitTraceRecords(ctx context.Context, rec *gateway.LogRecord) {
	now := time.Now()
	for _, tr := range rec.TraceRecords {
		var r log.Record
		r.SetTimestamp(now)
		r.SetObservedTimestamp(now)
		sev, text := severity(tr.Severity)
		r.SetSeverity(sev)
		r.SetSeverityText(text)
		r.SetEventName("tollgate.trace")
		r.SetBody(attribute.StringValue(tr.Message))
		r.AddAttributes(AttrTraceSource.String(tr.Source), AttrCorrelationID.String(rec.CorrelationID))
		if rec.APIID != "" {
			r.AddAttributes(AttrAPIID.String(rec.APIID))
		}
		if rec.OperationID != "" {
			r.AddAttributes(AttrOperationID.String(rec.OperationID))
		}
		for k, v := range tr.Metadata {
			r.AddAttributes(attribute.String(k, v))
		}
		g.logger.Emit(ctx, r)
	}
}

// severity maps the trace policy's severity to OpenTelemetry's.
func severity(s string) (log.Severity, string) {
	switch strings.ToLower(s) {
	case "error":
		return log.SeverityError, "Error"
	case "information":
		return log.SeverityInfo, "Information"
	}
	return log.SeverityDebug, "Verbose"
}

type callSpan struct{ span trace.Span }

// End implements gateway.CallSpan.
func (c callSpan) End(status int, err *gateway.Error) {
	if c.span.IsRecording() {
		if status != 0 {
			c.span.SetAttributes(semconv.HTTPResponseStatusCode(status))
		}
		switch {
		case err != nil:
			c.span.SetAttributes(semconv.ErrorTypeKey.String(err.Reason))
			c.span.AddEvent(LastErrorEvent, trace.WithAttributes(lastErrorAttrs(err)...))
			c.span.SetStatus(codes.Error, err.Reason)
		case status >= 400:
			c.span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(status)))
			c.span.SetStatus(codes.Error, "")
		}
	}
	c.span.End()
}

func lastErrorAttrs(e *gateway.Error) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		attribute.String("source", e.Source),
		attribute.String("reason", e.Reason),
		attribute.String("message", e.Message),
		attribute.String("section", e.Section),
		attribute.String("path", e.Path),
	}
	if e.PolicyID != "" {
		attrs = append(attrs, attribute.String("policy_id", e.PolicyID))
	}
	if e.Cause != "" {
		attrs = append(attrs, attribute.String("cause", e.Cause))
	}
	return attrs
}

func lastErrorReason(e *gateway.Error) string {
	if e == nil {
		return ""
	}
	return e.Reason
}

func appendIf(attrs []attribute.KeyValue, k attribute.Key, v string) []attribute.KeyValue {
	if v == "" {
		return attrs
	}
	return append(attrs, k.String(v))
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
	return strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

func splitHostPort(hostport string) (string, int) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, 0
	}
	p, _ := strconv.Atoi(port)
	return host, p
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
// without user information.
func fullURL(u *url.URL) string {
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return c.String()
}
