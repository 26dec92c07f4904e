package cli

import (
	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/metrics"
)

// metricsObserver feeds the gateway's requests to the metrics.
type metricsObserver struct{ m *metrics.Metrics }

func (o metricsObserver) Begin() { o.m.Begin() }

func (o metricsObserver) Observe(rec *gateway.LogRecord) {
	r := metrics.Request{
		API: rec.APIID, Operation: rec.OperationID, Product: rec.ProductID, Listener: "http",
		Status: rec.ResponseCode, BackendStatus: rec.BackendResponseCode,
		Total: rec.TotalTime, Backend: rec.BackendTime, Client: rec.ClientTime, Cache: rec.Cache,
	}
	if rec.ClientTLSVersion != "" {
		r.Listener = "https"
	}
	if e := rec.LastError; e != nil {
		r.LastErrorSource, r.LastErrorReason, r.ThrottledByScope = e.Source, e.Reason, e.Scope
	}
	if len(rec.Metrics) > 0 {
		r.EmittedMetrics = make([]metrics.Emitted, len(rec.Metrics))
		for i, m := range rec.Metrics {
			r.EmittedMetrics[i] = metrics.Emitted{Name: m.Name, Namespace: m.Namespace, Value: m.Value, Dimensions: m.Dimensions}
		}
	}
	o.m.Observe(&r)
}

// registerCaptureMetrics exposes the capture store's counters.
func registerCaptureMetrics(m *metrics.Metrics, s *capture.Store) {
	m.CounterFunc("tollgate_captured_requests_total", "Failed (and sampled) requests captured with their trace.", func() float64 { return float64(s.Stats().Captured) })
	m.CounterFunc("tollgate_capture_dropped_total", "Requests not captured because the capture queue was full.", func() float64 { return float64(s.Stats().Dropped) })
	m.CounterFunc("tollgate_capture_evicted_total", "Captured requests dropped from memory to stay within its budget.", func() float64 { return float64(s.Stats().Evicted) })
}
