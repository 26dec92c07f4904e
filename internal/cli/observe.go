package cli

import (
	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/logstore"
	"github.com/tollgate/tollgate/internal/metrics"
	"github.com/tollgate/tollgate/internal/serve"
)

// registerCaptureMetrics exposes the capture store's counters.
func registerCaptureMetrics(m *metrics.Metrics, s *capture.Store) {
	m.CounterFunc("tollgate_captured_requests_total", "Failed (and sampled) requests captured with their trace.", func() float64 { return float64(s.Stats().Captured) })
	m.CounterFunc("tollgate_capture_dropped_total", "Requests not captured because the capture queue was full.", func() float64 { return float64(s.Stats().Dropped) })
	m.CounterFunc("tollgate_capture_unpersisted_total", "Captured requests kept in memory only: more of one kind of failure in a second than are written to the state directory.", func() float64 { return float64(s.Stats().Unpersisted) })
	m.CounterFunc("tollgate_capture_skipped_total", "Failed requests not captured (their log line kept): more than 100 failures of one kind in a second.", func() float64 { return float64(s.Stats().Skipped) })
	m.CounterFunc("tollgate_capture_evicted_total", "Captured requests dropped from memory to stay within its budget.", func() float64 { return float64(s.Stats().Evicted) })
}

// registerStoreMetrics exposes the log store's counters.
func registerStoreMetrics(m *metrics.Metrics, s *logstore.Store) {
	m.CounterFunc("tollgate_log_rows_stored_total", "Log lines stored in the log store.", func() float64 { return float64(s.Stored()) })
	m.CounterFunc("tollgate_log_rows_dropped_total", "Log lines and captures dropped because the log store's queue or backlog was full.", func() float64 { return float64(s.Dropped()) })
	m.GaugeFunc("tollgate_log_backlog_bytes", "Bytes of log lines waiting to be stored, in memory and in the journal (compressed there): the store waits for idle time while requests keep the cores busy.", func() float64 { return float64(s.Backlog()) })
	m.CounterFunc("tollgate_log_rows_evicted_total", "Log rows deleted by retention (age or size).", func() float64 { return float64(s.Evicted()) })
}

// registerServeMetrics exposes the listeners' counters.
func registerServeMetrics(m *metrics.Metrics, s *serve.Server) {
	stat := func(f func(serve.Stats) uint64) func() float64 {
		return func() float64 { return float64(f(s.Stats())) }
	}
	m.GaugeFunc("tollgate_connections_open", "Client connections open.", func() float64 { return float64(s.Stats().OpenConnections) })
	m.CounterFunc("tollgate_connections_accepted_total", "Client connections accepted.", stat(func(t serve.Stats) uint64 { return t.AcceptedConnections }))
	m.CounterFunc("tollgate_connections_refused_total", "Client connections refused beyond --max-connections.", stat(func(t serve.Stats) uint64 { return t.RefusedConnections }))
	m.CounterFunc("tollgate_tls_handshake_failures_total", "TLS handshakes that failed.", stat(func(t serve.Stats) uint64 { return t.TLSHandshakeFailures }))
	m.CounterFunc("tollgate_slow_clients_total", "Clients cut off for sending their headers or body too slowly.", stat(func(t serve.Stats) uint64 { return t.SlowHeaders + t.SlowBodies }))
	m.CounterFunc("tollgate_requests_refused_by_limits_total", "Requests answered 431, 414 or 413 by the request limits.", stat(func(t serve.Stats) uint64 { return t.HeaderTooLarge + t.URLTooLong + t.BodyTooLarge }))
	m.CounterFunc("tollgate_certificate_reloads_total", "Successful reloads of the listener's certificates.", stat(func(t serve.Stats) uint64 { return t.CertificateReloads }))
}
