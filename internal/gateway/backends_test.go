package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestBackendEntityTLSAndCircuitBreaker(t *testing.T) {
	var calls atomic.Int64
	tlsBackend := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("X-Api-Key") != "k-123" {
			w.WriteHeader(401)
			return
		}
		w.WriteHeader(500)
		io.WriteString(w, "boom")
	}))
	defer tlsBackend.Close()
	s := newSite(t, map[string]string{
		"named values/be-key/namedValueInformation.json": `{"properties":{"displayName":"be-key","value":"k-123","secret":true}}`,
		"backends/self-signed/backendInformation.json": `{"properties":{"url":"` + tlsBackend.URL + `","protocol":"http",
			"credentials":{"header":{"x-api-key":["{{be-key}}"]}},
			"tls":{"validateCertificateChain":false,"validateCertificateName":false},
			"circuitBreaker":{"rules":[{"name":"five-hundreds","failureCondition":{"count":2,"interval":"PT1M","statusCodeRanges":[{"min":500,"max":599}]},"tripDuration":"PT1M"}]}}}`,
		"apis/test/policy.xml": `<policies><inbound><base/><set-backend-service backend-id="self-signed" /></inbound></policies>`,
	}, Options{})
	for i := 0; i < 2; i++ {
		if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 500 || got.body != "boom" {
			t.Fatalf("call %d: %d %q (the self-signed backend must be reachable with validation off)", i+1, got.status, got.body)
		}
	}
	if n := notes(s.lastLog(t)); !strings.Contains(n, "circuit breaker of backend self-signed") {
		t.Errorf("the trip is not noted: %q", n)
	}
	got := s.do(t, "GET", "/test/items", keyHeader, productKey)
	if got.status != 503 || s.lastLog(t)["LastErrorReason"] != "BackendCircuitBreakerOpen" {
		t.Fatalf("open breaker: %d %s %v", got.status, got.body, s.lastLog(t))
	}
	if calls.Load() != 2 {
		t.Errorf("the backend was called %d times; an open breaker must not call it", calls.Load())
	}
}

func TestBackendPoolPriorityAndWeights(t *testing.T) {
	hits := map[string]*atomic.Int64{"a": {}, "b": {}, "c": {}}
	mk := func(name string, status int) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits[name].Add(1)
			w.WriteHeader(status)
			io.WriteString(w, name)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	a, b, c := mk("a", 200), mk("b", 200), mk("c", 200)
	breaker := `"circuitBreaker":{"rules":[{"name":"r","failureCondition":{"count":1,"interval":"PT1M","statusCodeRanges":[{"min":500,"max":599}]},"tripDuration":"PT1M"}]}`
	s := newSite(t, map[string]string{
		"backends/a/backendInformation.json":    `{"properties":{"url":"` + a.URL + `",` + breaker + `}}`,
		"backends/b/backendInformation.json":    `{"properties":{"url":"` + b.URL + `",` + breaker + `}}`,
		"backends/c/backendInformation.json":    `{"properties":{"url":"` + c.URL + `"}}`,
		"backends/pool/backendInformation.json": `{"properties":{"type":"Pool","pool":{"services":[{"id":"/backends/a","priority":1,"weight":3},{"id":"/backends/b","priority":1,"weight":1},{"id":"/backends/c","priority":2}]}}}`,
		"apis/test/policy.xml":                  `<policies><inbound><base/><set-backend-service backend-id="pool" /></inbound></policies>`,
	}, Options{})
	for i := 0; i < 8; i++ {
		s.do(t, "GET", "/test/items", keyHeader, productKey)
	}
	if hits["a"].Load() != 6 || hits["b"].Load() != 2 || hits["c"].Load() != 0 {
		t.Fatalf("weights 3:1 in priority 1: a=%d b=%d c=%d", hits["a"].Load(), hits["b"].Load(), hits["c"].Load())
	}
	// Trip both priority-1 members: traffic falls to priority 2.
	s.gw.breakers.record("a", &breakerRule{count: 1, interval: time.Minute, tripDuration: time.Minute}, 0, true, 0, time.Now())
	s.gw.breakers.record("b", &breakerRule{count: 1, interval: time.Minute, tripDuration: time.Minute}, 0, true, 0, time.Now())
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.body != "c" {
		t.Errorf("with priority 1 tripped: %q", got.body)
	}
}

func TestParseISODuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"PT1M": time.Minute, "PT30S": 30 * time.Second, "P1D": 24 * time.Hour, "PT1H30M": 90 * time.Minute, "PT0.5S": 500 * time.Millisecond} {
		if got, err := parseISODuration(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if _, err := parseISODuration("1 minute"); err == nil {
		t.Error("accepted a non-ISO duration")
	}
}
