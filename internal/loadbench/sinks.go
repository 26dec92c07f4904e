package loadbench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// ScrapeInterval is how often the tollgate-sinks target's /metrics is
// scraped, four times as often as Prometheus's default of 15 s so that a
// measurement of 10 s holds scrapes.
const ScrapeInterval = 5 * time.Second

// MetricExportInterval is OTEL_METRIC_EXPORT_INTERVAL for the
// tollgate-sinks target, in milliseconds (the default is 60 s, longer than a
// measurement).
const MetricExportInterval = "5000"

// SinkStats counts what the sinks of cmd/loadsink received.
type SinkStats struct {
	// TraceExports, LogExports and MetricExports count the OTLP/HTTP
	// requests to /v1/traces, /v1/logs and /v1/metrics, and the Bytes
	// fields their bodies.
	TraceExports, TraceBytes   int64
	LogExports, LogBytes       int64
	MetricExports, MetricBytes int64
	// KafkaProduces counts the produce requests of the Kafka broker and
	// KafkaRecords the records in them.
	KafkaProduces, KafkaRecords int64
	// Scrapes counts the /metrics scrapes answered 200, ScrapeFailures the
	// others, ScrapeBytes what the answers held.
	Scrapes, ScrapeFailures, ScrapeBytes int64
}

// String summarizes the counts for the harness's log.
func (s SinkStats) String() string {
	return fmt.Sprintf("OTLP: %d trace exports (%d KB), %d log exports (%d KB), %d metric exports (%d KB); Kafka: %d records in %d produce requests; /metrics: %d scrapes (%d KB), %d failed",
		s.TraceExports, s.TraceBytes>>10, s.LogExports, s.LogBytes>>10, s.MetricExports, s.MetricBytes>>10,
		s.KafkaRecords, s.KafkaProduces, s.Scrapes, s.ScrapeBytes>>10, s.ScrapeFailures)
}

// Sinks is the receiving end of the tollgate-sinks target, as cmd/loadsink
// runs it: an OTLP/HTTP receiver and a /metrics scraper, with counters the
// Kafka broker adds to. Its handler answers /stats with the counts as JSON.
type Sinks struct {
	traceExports, traceBytes   atomic.Int64
	logExports, logBytes       atomic.Int64
	metricExports, metricBytes atomic.Int64
	kafkaProduces, kafkaRecord atomic.Int64
	scrapes, scrapeFailures    atomic.Int64
	scrapeBytes                atomic.Int64
}

// Stats returns the counts so far.
func (s *Sinks) Stats() SinkStats {
	return SinkStats{
		TraceExports: s.traceExports.Load(), TraceBytes: s.traceBytes.Load(),
		LogExports: s.logExports.Load(), LogBytes: s.logBytes.Load(),
		MetricExports: s.metricExports.Load(), MetricBytes: s.metricBytes.Load(),
		KafkaProduces: s.kafkaProduces.Load(), KafkaRecords: s.kafkaRecord.Load(),
		Scrapes: s.scrapes.Load(), ScrapeFailures: s.scrapeFailures.Load(), ScrapeBytes: s.scrapeBytes.Load(),
	}
}

// AddProduce counts one Kafka produce request of records records.
func (s *Sinks) AddProduce(records int) {
	s.kafkaProduces.Add(1)
	s.kafkaRecord.Add(int64(records))
}

// Handler is the OTLP/HTTP receiver: it reads each export's protobuf body,
// counts it and answers 200 with an empty export response (an empty
// protobuf message is zero bytes), as a collector that accepted
// everything. GET /stats answers the counts.
func (s *Sinks) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/stats" {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(s.Stats())
			return
		}
		var exports, bytes *atomic.Int64
		switch r.URL.Path {
		case "/v1/traces":
			exports, bytes = &s.traceExports, &s.traceBytes
		case "/v1/logs":
			exports, bytes = &s.logExports, &s.logBytes
		case "/v1/metrics":
			exports, bytes = &s.metricExports, &s.metricBytes
		default:
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "want POST with application/x-protobuf", http.StatusBadRequest)
			return
		}
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		exports.Add(1)
		bytes.Add(n)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	})
}

// Scrape gets url (a /metrics endpoint) every interval until ctx ends, as
// Prometheus would, and counts the answers.
func (s *Sinks) Scrape(ctx context.Context, url string, interval time.Duration) {
	client := &http.Client{Timeout: interval}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			s.scrapeFailures.Add(1)
			continue
		}
		req.Header.Set("Accept", "text/plain;version=0.0.4")
		resp, err := client.Do(req)
		if err != nil {
			s.scrapeFailures.Add(1)
			continue
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			s.scrapeFailures.Add(1)
			continue
		}
		s.scrapes.Add(1)
		s.scrapeBytes.Add(n)
	}
}

// RecordsInBatches counts the records of a produce request's record
// batches (Kafka's RecordBatch v2: the count is at byte 57, the batch
// length at byte 8).
func RecordsInBatches(b []byte) int {
	n := 0
	for len(b) >= 61 {
		length := int(int32(uint32(b[8])<<24 | uint32(b[9])<<16 | uint32(b[10])<<8 | uint32(b[11])))
		n += int(int32(uint32(b[57])<<24 | uint32(b[58])<<16 | uint32(b[59])<<8 | uint32(b[60])))
		if length <= 0 || 12+length > len(b) {
			break
		}
		b = b[12+length:]
	}
	return n
}
