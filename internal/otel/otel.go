package otel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	promBridge "go.opentelemetry.io/contrib/bridges/prometheus"
	otelapi "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/tollgate/tollgate/internal/metrics"
)

// instrumentation names the tracer and logger.
const instrumentation = "github.com/tollgate/tollgate"

// Options configure Start.
type Options struct {
	// Getenv reads the environment; nil uses none. Traces are configured
	// from it entirely (endpoint, headers, timeout, compression, TLS files,
	// sampler, batching); the SDK's log and metric exporters and the
	// resource read the variables that tune them from the process
	// environment themselves.
	Getenv func(string) string
	// Metrics are exported over OTLP when metrics are configured; nil
	// exports none.
	Metrics *metrics.Metrics
	// Version is tollgate's version, the resource's service.version.
	Version string
	// Errors receives export failures, one line each; nil discards them.
	Errors io.Writer
}

// Signals says which signals the environment turns on.
type Signals struct {
	Traces, Logs, Metrics bool
}

// Any reports whether any signal is on.
func (s Signals) Any() bool { return s.Traces || s.Logs || s.Metrics }

// String lists the signals on, for the startup line.
func (s Signals) String() string {
	var on []string
	if s.Traces {
		on = append(on, "traces")
	}
	if s.Logs {
		on = append(on, "logs")
	}
	if s.Metrics {
		on = append(on, "metrics")
	}
	return strings.Join(on, ", ")
}

// SignalsFromEnv reads which signals to export: a signal is on when
// OTEL_EXPORTER_OTLP_ENDPOINT or its own OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT
// is set, unless OTEL_<SIGNAL>_EXPORTER is "none" or OTEL_SDK_DISABLED is
// true. The protocol must be http/protobuf, the only one tollgate speaks.
func SignalsFromEnv(getenv func(string) string) (Signals, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var s Signals
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return s, nil
	}
	var errs []error
	on := func(signal string) bool {
		switch exp := strings.TrimSpace(getenv("OTEL_" + signal + "_EXPORTER")); exp {
		case "", "otlp":
		case "none":
			return false
		default:
			errs = append(errs, fmt.Errorf("OTEL_%s_EXPORTER=%q: tollgate exports otlp or none", signal, exp))
			return false
		}
		if getenv("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
			return false
		}
		name, proto := "OTEL_EXPORTER_OTLP_"+signal+"_PROTOCOL", getenv("OTEL_EXPORTER_OTLP_"+signal+"_PROTOCOL")
		if proto == "" {
			name, proto = "OTEL_EXPORTER_OTLP_PROTOCOL", getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
		}
		if proto != "" && proto != "http/protobuf" {
			errs = append(errs, fmt.Errorf("%s=%q: tollgate sends OTLP over HTTP; set http/protobuf and the collector's OTLP/HTTP endpoint (port 4318)", name, proto))
			return false
		}
		return true
	}
	s.Traces, s.Logs, s.Metrics = on("TRACES"), on("LOGS"), on("METRICS")
	return s, errors.Join(errs...)
}

// Telemetry holds the exporters the environment asked for.
type Telemetry struct {
	signals Signals
	spans   *exporter // nil when traces are off
	logs    *exporter // nil when logs are off
	mp      *sdkmetric.MeterProvider

	// settings are the sampler and the trace policy's least severity,
	// replaced whole by Follow; envSampler is set when
	// OTEL_TRACES_SAMPLER chose the sampler, which then stays.
	settings   atomic.Pointer[traceSettings]
	envSampler bool
	getenv     func(string) string
}

// traceSettings are what a request reads to decide what it records: the
// service's settings, and those of the APIs that have their own.
type traceSettings struct {
	scopeSettings
	apis map[string]*scopeSettings // by API folder name
}

// scopeSettings are the settings of the service or of one API.
type scopeSettings struct {
	sampler sampler
	// minSeverity is the least severity (OTLP's numbers) of the trace
	// policy's messages sent as log records; 0 sends all.
	minSeverity int
	// alwaysLogErrors traces every failed request, sampled or not.
	alwaysLogErrors bool
}

// forAPI returns the settings of the API whose folder name is api.
func (ts *traceSettings) forAPI(api string) *scopeSettings {
	if a := ts.apis[api]; a != nil {
		return a
	}
	return &ts.scopeSettings
}

// Diagnostic is what tollgate takes from the configuration folder's
// Application Insights diagnostics (diagnostics/applicationinsights, and
// apis/<api>/diagnostics/applicationinsights).
type Diagnostic struct {
	// SamplingPercentage samples traces, from 0 to 100, unless
	// OTEL_TRACES_SAMPLER is set; nil samples as the variables say.
	SamplingPercentage *float64
	// Verbosity is the least severity of the trace policy's messages sent
	// as log records: "verbose" or "" (all), "information" or "error".
	Verbosity string
	// AlwaysLogErrors (alwaysLog: allErrors) traces every failed request
	// (400 or more, or a LastError) that sampling skipped, by its server
	// span, unless OTEL_TRACES_SAMPLER is set.
	AlwaysLogErrors bool
	// APIs are the diagnostics of the APIs that have their own, by API
	// folder name: each replaces the service's for its API, as in APIM.
	// Their own APIs are ignored.
	APIs map[string]Diagnostic
}

// Follow applies d, the folder's diagnostics as they are now (the zero
// Diagnostic when the folder has none), to the requests that start after
// it. It returns what it set, for the gateway's log.
func (t *Telemetry) Follow(d Diagnostic) string {
	if t == nil {
		return ""
	}
	ts := &traceSettings{scopeSettings: t.scope(d)}
	var what []string
	if t.signals.Traces && d.SamplingPercentage != nil && !t.envSampler {
		what = append(what, fmt.Sprintf("traces sampled at %g%% (parent based)", *d.SamplingPercentage))
	}
	if t.signals.Traces && ts.alwaysLogErrors {
		what = append(what, "every failed request traced")
	}
	if t.signals.Logs && ts.minSeverity > 0 {
		what = append(what, "trace messages of severity "+d.Verbosity+" and above")
	}
	if len(d.APIs) > 0 {
		ts.apis = make(map[string]*scopeSettings, len(d.APIs))
		names := make([]string, 0, len(d.APIs))
		for api, ad := range d.APIs {
			s := t.scope(ad)
			ts.apis[api] = &s
			names = append(names, api)
		}
		slices.Sort(names)
		if len(names) > 5 {
			names = append(names[:5], "…")
		}
		if t.signals.Traces && !t.envSampler || t.signals.Logs {
			what = append(what, fmt.Sprintf("%d API(s) with their own (%s)", len(d.APIs), strings.Join(names, ", ")))
		}
	}
	t.settings.Store(ts)
	return strings.Join(what, ", ")
}

// scope makes the settings of one diagnostic.
func (t *Telemetry) scope(d Diagnostic) scopeSettings {
	pct := d.SamplingPercentage
	if t.envSampler {
		pct = nil
	}
	s, err := newSampler(t.getenv, pct)
	if err != nil { // checked by Start
		s = t.settings.Load().sampler
	}
	ss := scopeSettings{sampler: s, alwaysLogErrors: d.AlwaysLogErrors && !t.envSampler}
	switch d.Verbosity {
	case "information":
		ss.minSeverity = severityInfo
	case "error":
		ss.minSeverity = severityError
	}
	return ss
}

// Start starts the exporters the environment configures. It returns nil
// and no error when it configures none.
func Start(ctx context.Context, opts Options) (*Telemetry, error) {
	signals, err := SignalsFromEnv(opts.Getenv)
	if err != nil {
		return nil, err
	}
	if !signals.Any() {
		return nil, nil
	}
	var report func(error)
	if opts.Errors != nil {
		h := errorWriter(opts.Errors)
		otelapi.SetErrorHandler(h)
		report = h
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	version := opts.Version
	if version == "" {
		version = "dev"
	}
	// Later options win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// override the defaults.
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName("tollgate"), semconv.ServiceVersion(version)),
		resource.WithTelemetrySDK(), resource.WithHost(), resource.WithFromEnv())
	if err != nil && res == nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	t := &Telemetry{
		signals:    signals,
		getenv:     getenv,
		envSampler: strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER")) != "",
	}
	// The sampler comes from OTEL_TRACES_SAMPLER and _ARG
	// (parentbased_always_on when unset), until Follow gives the folder's.
	smp, err := newSampler(getenv, nil)
	if err != nil && signals.Traces {
		return nil, fmt.Errorf("OpenTelemetry traces: %w", err)
	}
	t.settings.Store(&traceSettings{scopeSettings: scopeSettings{sampler: smp}})
	if signals.Traces {
		if t.spans, err = newExporter(traces, getenv, res, report); err != nil {
			return nil, fmt.Errorf("OpenTelemetry traces: %w", err)
		}
	}
	if signals.Logs {
		if t.logs, err = newExporter(logs, getenv, res, report); err != nil {
			t.Shutdown(ctx)
			return nil, fmt.Errorf("OpenTelemetry logs: %w", err)
		}
	}
	if signals.Metrics && opts.Metrics != nil {
		exp, err := otlpmetrichttp.New(ctx)
		if err != nil {
			t.Shutdown(ctx)
			return nil, fmt.Errorf("OpenTelemetry metrics: %w", err)
		}
		// The interval comes from OTEL_METRIC_EXPORT_INTERVAL (60s when
		// unset).
		reader := sdkmetric.NewPeriodicReader(exp, sdkmetric.WithProducer(promBridge.NewMetricProducer(promBridge.WithGatherer(opts.Metrics.Gatherer()))))
		t.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithResource(res))
	}
	return t, nil
}

// Signals says which signals are exported.
func (t *Telemetry) Signals() Signals { return t.signals }

// Flush exports what is buffered now.
func (t *Telemetry) Flush(ctx context.Context) error {
	var errs []error
	if t.spans != nil {
		errs = append(errs, t.spans.flush(ctx))
	}
	if t.logs != nil {
		errs = append(errs, t.logs.flush(ctx))
	}
	if t.mp != nil {
		errs = append(errs, t.mp.ForceFlush(ctx))
	}
	return errors.Join(errs...)
}

// Shutdown exports what is buffered and stops the exporters.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	if t.spans != nil {
		errs = append(errs, t.spans.shutdown(ctx))
	}
	if t.logs != nil {
		errs = append(errs, t.logs.shutdown(ctx))
	}
	if t.mp != nil {
		errs = append(errs, t.mp.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// errorWriter writes the SDK's export failures, at most one line every ten
// seconds, so that a collector that is down does not flood the output.
func errorWriter(w io.Writer) otelapi.ErrorHandlerFunc {
	var mu sync.Mutex
	var last time.Time
	var skipped int
	return func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.Sub(last) >= 10*time.Second {
			if skipped > 0 {
				fmt.Fprintf(w, "tollgate: opentelemetry: %v (and %d more failures)\n", err, skipped)
			} else {
				fmt.Fprintf(w, "tollgate: opentelemetry: %v\n", err)
			}
			last, skipped = now, 0
			return
		}
		skipped++
	}
}
