package metrics

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEmittedMetricSeriesAreBounded(t *testing.T) {
	m := New()
	for i := 0; i < MaxSeriesPerEmittedMetric+5; i++ {
		m.Begin()
		m.Observe(&Request{API: "a", Status: 200, EmittedMetrics: []Emitted{{Name: "calls", Value: 1, Dimensions: map[string]string{"User": fmt.Sprint(i)}}}})
	}
	body := scrape(t, m)
	if n := strings.Count(body, "tollgate_emitted_calls{"); n != MaxSeriesPerEmittedMetric {
		t.Errorf("%d series of tollgate_emitted_calls, want %d", n, MaxSeriesPerEmittedMetric)
	}
	if !strings.Contains(body, "tollgate_emitted_metric_values_dropped_total 5") {
		t.Errorf("dropped values not counted:\n%s", grep(body, "dropped"))
	}
}

func TestCategory(t *testing.T) {
	for code, want := range map[int]string{0: "", 200: "2xx", 404: "4xx", 503: "5xx"} {
		if got := category(code); got != want {
			t.Errorf("category(%d) = %q, want %q", code, got, want)
		}
	}
}

func BenchmarkObserve(b *testing.B) {
	m := New()
	r := &Request{API: "orders", Operation: "get-order", Product: "gold", Listener: "http", Status: 200, BackendStatus: 200, Total: 1e6, Backend: 5e5}
	b.ReportAllocs()
	for b.Loop() {
		m.Begin()
		m.Observe(r)
	}
}

func scrape(t *testing.T, m *Metrics) string {
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func grep(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Requests of different series in turn are each counted in their own,
// whichever the request before was.
func TestObserveSeriesInTurn(t *testing.T) {
	m := New()
	for _, r := range []Request{{API: "a", Status: 200}, {API: "a", Status: 200}, {API: "b", Status: 200}, {API: "a", Status: 200}, {API: "a", Status: 500}, {API: "b", Status: 200}} {
		m.Begin()
		m.Observe(&r)
	}
	body := scrape(t, m)
	for series, want := range map[string]string{`api="a"`: "3", `api="b"`: "2"} {
		line := ""
		for _, l := range strings.Split(grep(body, "tollgate_requests_total{"), "\n") {
			if strings.Contains(l, series) && strings.Contains(l, `gateway_response_code="200"`) {
				line = l
			}
		}
		if !strings.HasSuffix(line, " "+want) {
			t.Errorf("%s: %q, want %s requests", series, line, want)
		}
	}
	if !strings.Contains(grep(body, `gateway_response_code="500"`), `api="a"`) {
		t.Errorf("the 500 of api a is not counted:\n%s", grep(body, "tollgate_requests_total{"))
	}
}
