package metrics

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Request is one finished request, as the metrics see it.
type Request struct {
	API, Operation, Product string
	// Listener names where the request arrived ("http", "https").
	Listener         string
	Status           int // 0 when the client went away
	BackendStatus    int // 0 when no backend answered
	LastErrorSource  string
	LastErrorReason  string
	Total, Backend   time.Duration
	Client           time.Duration
	Cache            string // hit, miss, none
	EmittedMetrics   []Emitted
	ThrottledByScope string // scope of the limit policy that refused the request
}

// Emitted is one value of the emit-metric policy.
type Emitted struct {
	Name, Namespace string
	Value           float64
	Dimensions      map[string]string
}

// MaxSeriesPerEmittedMetric bounds the dimension combinations of one
// emit-metric metric; values beyond it are dropped and counted.
const MaxSeriesPerEmittedMetric = 1000

// Metrics holds tollgate's metrics. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	backend   *prometheus.HistogramVec
	client    *prometheus.HistogramVec
	inFlight  prometheus.Gauge
	throttled *prometheus.CounterVec
	cache     *prometheus.CounterVec
	reloads   *prometheus.CounterVec
	emitDrops prometheus.Counter
	emittedMu sync.Mutex
	emitted   map[string]*emittedMetric
	seriesMu  sync.RWMutex
	series    map[seriesKey]*series
	// last is the series observed last: most requests in a row share one,
	// and comparing a key costs less than hashing it and locking the map.
	last       atomic.Pointer[series]
	durBuckets []float64
}

type seriesKey struct {
	api, op, product, listener string
	status, backendStatus      int
	source, reason             string
}

// series caches the observers of one label combination, so that a request
// does not look its labels up again.
type series struct {
	key                       seriesKey
	requests                  prometheus.Counter
	duration, backend, client prometheus.Observer
}

type emittedMetric struct {
	vec    *prometheus.GaugeVec
	counts *prometheus.CounterVec
	labels []string
	seen   map[string]bool
}

// New returns the metrics, registered in a registry of their own with Go's
// runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	buckets := []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
	labels := []string{"api", "operation", "product", "listener", "gateway_response_code", "gateway_response_code_category", "backend_response_code", "backend_response_code_category", "last_error_source", "last_error_reason"}
	durLabels := []string{"api", "operation", "product", "listener"}
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tollgate_requests_total",
			Help: "Requests served, by API, operation, product, listener, gateway and backend response code and category, and LastError source and reason (APIM's Requests metric)."}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tollgate_request_duration_seconds",
			Help: "Overall duration of gateway requests, from the first byte received to the last byte sent (APIM's Duration).", Buckets: buckets}, durLabels),
		backend: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tollgate_backend_duration_seconds",
			Help: "Duration of backend I/O of requests that called a backend (APIM's BackendDuration).", Buckets: buckets}, durLabels),
		client: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tollgate_client_duration_seconds",
			Help: "Duration of sending the response to the client.", Buckets: buckets}, durLabels),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tollgate_requests_in_flight", Help: "Requests being served."}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tollgate_throttled_requests_total",
			Help: "Requests refused by rate-limit, quota and concurrency policies, by policy, reason, scope, API and product."}, []string{"policy", "reason", "scope", "api", "product"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tollgate_cache_lookups_total",
			Help: "Response cache lookups by outcome (hit, miss)."}, []string{"api", "outcome"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tollgate_config_reloads_total",
			Help: "Configuration reloads by outcome (ok, failed)."}, []string{"outcome"}),
		emitDrops: prometheus.NewCounter(prometheus.CounterOpts{Name: "tollgate_emitted_metric_values_dropped_total",
			Help: "emit-metric values dropped because their metric has too many dimension combinations or an invalid name."}),
		emitted: map[string]*emittedMetric{},
		series:  map[seriesKey]*series{},
	}
	reg.MustRegister(m.requests, m.duration, m.backend, m.client, m.inFlight, m.throttled, m.cache, m.reloads, m.emitDrops)
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Gatherer returns the registry the metrics are in, for an exporter that
// sends them elsewhere too (OTLP).
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Begin counts a request in flight; Observe ends it.
func (m *Metrics) Begin() { m.inFlight.Inc() }

// Observe records a finished request.
func (m *Metrics) Observe(r *Request) {
	m.inFlight.Dec()
	k := seriesKey{api: r.API, op: r.Operation, product: r.Product, listener: r.Listener, status: r.Status, backendStatus: r.BackendStatus,
		source: r.LastErrorSource, reason: r.LastErrorReason}
	s := m.last.Load()
	if s == nil || s.key != k {
		m.seriesMu.RLock()
		s = m.series[k]
		m.seriesMu.RUnlock()
		if s == nil {
			s = m.newSeries(k)
		}
		m.last.Store(s)
	}
	s.requests.Inc()
	s.duration.Observe(r.Total.Seconds())
	s.client.Observe(r.Client.Seconds())
	if r.BackendStatus != 0 || r.Backend > 0 {
		s.backend.Observe(r.Backend.Seconds())
	}
	switch r.LastErrorReason {
	case "RateLimitExceeded", "QuotaExceeded", "ConcurrencyLimitExceeded":
		m.throttled.WithLabelValues(r.LastErrorSource, r.LastErrorReason, r.ThrottledByScope, r.API, r.Product).Inc()
	}
	if r.Cache == "hit" || r.Cache == "miss" {
		m.cache.WithLabelValues(r.API, r.Cache).Inc()
	}
	for i := range r.EmittedMetrics {
		m.emit(&r.EmittedMetrics[i])
	}
}

func (m *Metrics) newSeries(k seriesKey) *series {
	m.seriesMu.Lock()
	defer m.seriesMu.Unlock()
	if s := m.series[k]; s != nil {
		return s
	}
	code, bcode := strconv.Itoa(k.status), strconv.Itoa(k.backendStatus)
	s := &series{
		key:      k,
		requests: m.requests.WithLabelValues(k.api, k.op, k.product, k.listener, code, category(k.status), bcode, category(k.backendStatus), k.source, k.reason),
		duration: m.duration.WithLabelValues(k.api, k.op, k.product, k.listener),
		backend:  m.backend.WithLabelValues(k.api, k.op, k.product, k.listener),
		client:   m.client.WithLabelValues(k.api, k.op, k.product, k.listener),
	}
	m.series[k] = s
	return s
}

// category is APIM's response code category: 2xx, 4xx, ..., "" for 0.
func category(code int) string {
	if code < 100 || code > 599 {
		return ""
	}
	return strconv.Itoa(code/100) + "xx"
}

// Reloaded counts a configuration reload.
func (m *Metrics) Reloaded(ok bool) {
	if ok {
		m.reloads.WithLabelValues("ok").Inc()
	} else {
		m.reloads.WithLabelValues("failed").Inc()
	}
}

// CounterFunc registers a counter whose value f reports, such as the log
// store's dropped rows.
func (m *Metrics) CounterFunc(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
}

// GaugeFunc registers a gauge whose value f reports.
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

var invalidName = regexp.MustCompile(`[^a-zA-Z0-9_]`)

// emit records one emit-metric value: the metric's last value as a gauge
// (tollgate_emitted_<namespace>_<name>) and the values' sum and count as
// counters, labelled with its declared dimensions.
func (m *Metrics) emit(e *Emitted) {
	name := metricName(e.Namespace, e.Name)
	dims := make([]string, 0, len(e.Dimensions))
	for k := range e.Dimensions {
		dims = append(dims, k)
	}
	sort.Strings(dims)
	m.emittedMu.Lock()
	defer m.emittedMu.Unlock()
	em := m.emitted[name]
	if em == nil {
		labels := make([]string, len(dims))
		for i, d := range dims {
			labels[i] = strings.ToLower(invalidName.ReplaceAllString(d, "_"))
		}
		em = &emittedMetric{
			vec: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: "Last value emitted by emit-metric " + e.Name + " (namespace " + e.Namespace + ")."}, labels),
			counts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: name + "_sum_total",
				Help: "Sum of the values emitted by emit-metric " + e.Name + "."}, labels),
			labels: dims, seen: map[string]bool{},
		}
		if err := m.reg.Register(em.vec); err != nil {
			m.emitDrops.Inc()
			return
		}
		if err := m.reg.Register(em.counts); err != nil {
			m.emitDrops.Inc()
			return
		}
		m.emitted[name] = em
	}
	if len(dims) != len(em.labels) {
		m.emitDrops.Inc()
		return
	}
	values := make([]string, len(em.labels))
	for i, d := range em.labels {
		v, ok := e.Dimensions[d]
		if !ok {
			m.emitDrops.Inc()
			return
		}
		values[i] = v
	}
	key := strings.Join(values, "\x00")
	if !em.seen[key] {
		if len(em.seen) >= MaxSeriesPerEmittedMetric {
			m.emitDrops.Inc()
			return
		}
		em.seen[key] = true
	}
	em.vec.WithLabelValues(values...).Set(e.Value)
	em.counts.WithLabelValues(values...).Add(max(e.Value, 0))
}

// metricName makes a Prometheus name of an emit-metric namespace and name.
func metricName(namespace, name string) string {
	n := "tollgate_emitted_"
	if namespace != "" {
		n += namespace + "_"
	}
	n += name
	return strings.ToLower(invalidName.ReplaceAllString(n, "_"))
}
