package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/eventhub"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/metrics"
	"github.com/tollgate/tollgate/internal/otel"
)

// telemetry is what tollgate run sends beyond its log lines and /metrics:
// OpenTelemetry (when the OTEL_* variables configure it) and
// log-to-eventhub's messages to Kafka.
type telemetry struct {
	otel   *otel.Telemetry // nil when no OTEL_* endpoint is set
	hubs   *eventhub.Sink
	stderr io.Writer
	// followed is what the folder's diagnostic last set, as Follow said it.
	followed string
}

// startTelemetry starts OpenTelemetry and the log-to-eventhub sink for snap
// and sets them in opts.
func startTelemetry(ctx context.Context, snap *config.Snapshot, opts *gateway.Options, met *metrics.Metrics, stderr io.Writer) (*telemetry, error) {
	tel, err := otel.Start(ctx, otel.Options{Getenv: getenv, Metrics: met, Errors: stderr})
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry: %w", err)
	}
	t := &telemetry{otel: tel, stderr: stderr}
	if tr := tel.Tracer(); tr != nil {
		opts.Tracer = tr
	}
	if tel != nil {
		fmt.Fprintf(stderr, "tollgate: OpenTelemetry: exporting %s over OTLP/HTTP\n", tel.Signals())
	}
	t.follow(snap)
	hubOpts := eventhub.Options{Errors: stderr}
	if tr := tel.EventHubTracer(); tr != nil {
		hubOpts.Trace = tr
	}
	hubs, diags := eventhub.New(snap, hubOpts)
	printDiagnostics(stderr, diags)
	t.hubs = hubs
	opts.EventHub = eventHubSink{hubs}
	for _, l := range hubs.Loggers() {
		fmt.Fprintf(stderr, "tollgate: log-to-eventhub logger %s\n", l)
	}
	stat := func(f func(eventhub.Stats) uint64) func() float64 {
		return func() float64 { return float64(f(hubs.Stats())) }
	}
	met.CounterFunc("tollgate_eventhub_events_total", "log-to-eventhub messages accepted for sending to Kafka (APIM's EventHubTotalEvents).", stat(func(s eventhub.Stats) uint64 { return s.Events }))
	met.CounterFunc("tollgate_eventhub_successful_events_total", "log-to-eventhub messages Kafka acknowledged (EventHubSuccessfulEvents).", stat(func(s eventhub.Stats) uint64 { return s.Successful }))
	met.CounterFunc("tollgate_eventhub_failed_events_total", "log-to-eventhub messages the broker refused or did not acknowledge in time (EventHubTotalFailedEvents).", stat(func(s eventhub.Stats) uint64 { return s.Failed }))
	met.CounterFunc("tollgate_eventhub_dropped_events_total", "log-to-eventhub messages not sent: queue full, unknown or unusable logger (EventHubDroppedEvents).", stat(func(s eventhub.Stats) uint64 { return s.Dropped }))
	met.CounterFunc("tollgate_eventhub_bytes_sent_total", "Bytes of log-to-eventhub messages Kafka acknowledged (EventHubTotalBytesSent).", stat(func(s eventhub.Stats) uint64 { return s.BytesSent }))
	return t, nil
}

// reload points the log-to-eventhub sink at the loggers of a reloaded
// configuration.
func (t *telemetry) reload(snap *config.Snapshot) {
	printDiagnostics(t.stderr, t.hubs.Update(snap))
	t.follow(snap)
}

// appInsights is the name of APIM's Application Insights diagnostics.
const appInsights = "applicationinsights"

// diagnosticOf is what OpenTelemetry takes from the diagnostic e.
func diagnosticOf(e *config.DiagnosticEntity) otel.Diagnostic {
	return otel.Diagnostic{SamplingPercentage: e.SamplingPercentage, Verbosity: e.Verbosity,
		AlwaysLogErrors: strings.EqualFold(e.AlwaysLog, "allErrors")}
}

// follow applies the sampling and verbosity of the folder's Application
// Insights diagnostics, the service's and the APIs', to OpenTelemetry, and
// says what changed.
func (t *telemetry) follow(snap *config.Snapshot) {
	var d otel.Diagnostic
	if e := snap.DiagnosticEntities[appInsights]; e != nil {
		d = diagnosticOf(e)
	}
	for _, api := range snap.APIs {
		if e := api.DiagnosticEntities[appInsights]; e != nil {
			if d.APIs == nil {
				d.APIs = map[string]otel.Diagnostic{}
			}
			d.APIs[api.ID] = diagnosticOf(e)
		}
	}
	what := t.otel.Follow(d)
	switch {
	case what != "" && what != t.followed:
		fmt.Fprintf(t.stderr, "tollgate: OpenTelemetry: %s, as the folder's applicationinsights diagnostics say\n", what)
	case what == "" && t.followed != "":
		fmt.Fprintf(t.stderr, "tollgate: OpenTelemetry: the folder's applicationinsights diagnostics no longer set sampling or verbosity\n")
	}
	t.followed = what
}

// stop sends what is buffered, waiting a few seconds at most.
func (t *telemetry) stop() {
	t.hubs.Close(5 * time.Second)
	if t.otel != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		t.otel.Shutdown(ctx)
	}
}

// eventHubSink hands the gateway's log-to-eventhub messages to the sink.
type eventHubSink struct{ s *eventhub.Sink }

func (e eventHubSink) Send(ctx context.Context, m gateway.EventHubMessage) error {
	return e.s.Send(ctx, eventhub.Message{Logger: m.Logger, Body: m.Message, PartitionID: m.PartitionID, PartitionKey: m.PartitionKey})
}
