package gateway

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Tracer makes the spans of distributed tracing (OpenTelemetry). The
// gateway calls it only when Options.Tracer is set; without one, requests
// pay nothing for tracing.
type Tracer interface {
	// StartRequest begins the server span of r, continuing the caller's
	// trace when r carries a traceparent. The returned context carries the
	// span: backend calls and log-to-eventhub messages are made under it.
	StartRequest(r *http.Request) (context.Context, RequestSpan)
	// StartCall begins a client span under ctx for a call made by source
	// (forward-request, send-request or send-one-way-request) and writes
	// the propagation headers (traceparent, tracestate) into h, which is
	// what the call sends.
	StartCall(ctx context.Context, source, method string, u *url.URL, h http.Header) CallSpan
}

// RequestSpan is the server span of one request.
type RequestSpan interface {
	// TraceID is the trace id in hex, for the log line's TraceId.
	TraceID() string
	// Routed says which API the request matched (its folder name), once
	// it is known and before any backend call: an API may be sampled
	// apart (its own Application Insights diagnostic).
	Routed(apiID string)
	// End ends the span with the request's log record, secrets already
	// masked, and its route ("/orders/{id}", "" when no operation matched).
	// rec must not be kept.
	End(rec *LogRecord, route string)
}

// CallSpan is the client span of one backend call.
type CallSpan interface {
	// End ends the span of the call made from start to end, by the
	// gateway's clock, with the status the backend answered (0 when it
	// did not) and the failure, nil when the call succeeded.
	End(status int, err *Error, start, end time.Time)
}

// EventHubSink receives the messages of log-to-eventhub (Kafka, or Event
// Hubs through its Kafka endpoint).
type EventHubSink interface {
	// Send hands one message over without blocking; ctx is the request's
	// and carries its span. An error says the message will not be sent (no
	// such logger, a full queue); it becomes a note on the log line, where
	// the message is kept in any case.
	Send(ctx context.Context, m EventHubMessage) error
}

// route is the request's route for span names: the API path and the
// operation's URL template.
func (x *exchange) route() string {
	if x.m == nil || x.m.api == nil || x.m.op == nil {
		return ""
	}
	return x.m.route
}

// startCall begins the client span of a backend call when tracing is on.
func (x *exchange) startCall(source, method string, u *url.URL, h http.Header) CallSpan {
	if x.g.tracer == nil {
		return nil
	}
	return x.g.tracer.StartCall(x.telemetryContext(), source, method, u, h)
}

// telemetryContext is the request's context with its span when tracing is
// on: what the tracer and log-to-eventhub are given.
func (x *exchange) telemetryContext() context.Context {
	if x.spanCtx != nil {
		return x.spanCtx
	}
	return x.r.Context()
}
