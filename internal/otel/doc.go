// Package otel sends tollgate's traces, logs and metrics to an OpenTelemetry
// collector over OTLP/HTTP, configured only by the standard environment
// variables (OTEL_EXPORTER_OTLP_ENDPOINT and its per-signal forms,
// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG, ...). With no endpoint set nothing is started and
// the gateway pays nothing.
//
// Traces: a server span per request with HTTP semantic conventions and the
// API, operation, product and subscription (never the key) as attributes,
// the request's LastError as a span event, and client spans for
// forward-request, send-request and send-one-way-request, whose W3C
// traceparent and tracestate headers continue the caller's trace.
//
// Logs: the messages of the trace policy, as log records with their
// severity and metadata, in the request's trace.
//
// Spans and log records are recorded by this package, not by the SDK: the
// request path writes ids, times and a fixed set of attributes into a
// pooled span, encodes the span at its end to OTLP protobuf straight into
// its signal's current batch (protowire.go, spans.go), and an exporter
// goroutine per signal frames each batch in place and posts it
// (export.go), configured by the same variables as the SDK's batch
// processors and OTLP/HTTP exporters. A full queue drops, never blocks.
//
// Metrics: every metric of package metrics, read from its Prometheus
// registry by the OpenTelemetry Prometheus bridge and exported over OTLP, so
// that each metric is recorded once and exported both ways.
package otel
