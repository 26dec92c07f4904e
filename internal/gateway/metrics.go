package gateway

import "github.com/tollgate/tollgate/internal/metrics"

// MetricsObserver feeds every request's log record to m: its API,
// operation, product, listener, statuses, times, LastError and the metrics
// its emit-metric policies emitted.
type MetricsObserver struct{ M *metrics.Metrics }

// Begin implements Observer.
func (o MetricsObserver) Begin() { o.M.Begin() }

// Observe implements Observer.
func (o MetricsObserver) Observe(rec *LogRecord) {
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
	o.M.Observe(&r)
}
