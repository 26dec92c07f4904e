package otel

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// exportOne queues one span named name on e and exports it.
func exportOne(t *testing.T, e *exporter, name string) error {
	t.Helper()
	s := newSpan()
	s.sampled, s.name, s.spanID = true, name, newSpanID()
	e.enqueue(appendSpan(nil, s))
	releaseSpan(s)
	return e.flush(context.Background())
}

// exportEach exports one span of each name, an export each.
func exportEach(t *testing.T, e *exporter, names ...string) {
	t.Helper()
	for _, name := range names {
		if err := exportOne(t, e, name); err != nil {
			t.Fatal(err)
		}
	}
}

// collectorServer is a collector that decodes what it gets, counting
// connections; answer writes the answer to each export.
type collectorServer struct {
	*httptest.Server
	conns atomic.Int32
	mu    sync.Mutex
	names []string
}

func startCollector(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) *collectorServer {
	c := &collectorServer{}
	c.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			t.Errorf("decoding: %v", err)
		}
		c.mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					c.names = append(c.names, s.Name)
				}
			}
		}
		n := len(c.names)
		c.mu.Unlock()
		if answer != nil {
			answer(w, r, n)
		}
	}))
	c.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			c.conns.Add(1)
		}
	}
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func (c *collectorServer) received() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.names, ",")
}

func newTestExporter(t *testing.T, env map[string]string) *exporter {
	t.Helper()
	env["OTEL_BSP_SCHEDULE_DELAY"] = "600000"
	e, err := newExporter(traces, func(k string) string { return env[k] }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.shutdown(context.Background()) })
	return e
}

// Exports to a plain-HTTP collector go over one kept connection, written
// by the exporter itself; a collector that closes connections, or one
// that closed the kept connection while it was idle, still gets every
// export.
func TestPosterKeepsItsConnection(t *testing.T) {
	t.Run("kept", func(t *testing.T) {
		c := startCollector(t, nil)
		e := newTestExporter(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.URL})
		if e.poster == nil {
			t.Fatal("a plain-HTTP collector is posted to by net/http")
		}
		exportEach(t, e, "a", "b", "c")
		if got := c.received(); got != "a,b,c" {
			t.Errorf("collector got %s", got)
		}
		if n := c.conns.Load(); n != 1 {
			t.Errorf("%d connections for three exports, want 1", n)
		}
	})
	t.Run("closed by the collector's answer", func(t *testing.T) {
		c := startCollector(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.Header().Set("Connection", "close") })
		e := newTestExporter(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.URL})
		exportEach(t, e, "a", "b")
		if got, n := c.received(), c.conns.Load(); got != "a,b" || n != 2 {
			t.Errorf("collector got %s over %d connections, want a,b over 2", got, n)
		}
	})
	t.Run("closed while idle", func(t *testing.T) {
		// The export is sent again at once: the exporter's own retry,
		// after a second, would come after the export timeout.
		c := startCollector(t, nil)
		e := newTestExporter(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.URL, "OTEL_BSP_EXPORT_TIMEOUT": "500"})
		if err := exportOne(t, e, "a"); err != nil {
			t.Fatal(err)
		}
		c.CloseClientConnections()
		if err := exportOne(t, e, "b"); err != nil {
			t.Fatalf("after the collector closed the idle connection: %v", err)
		}
		if got := c.received(); got != "a,b" {
			t.Errorf("collector got %s", got)
		}
	})
}

// A collector that asks to retry (503 with Retry-After) gets the export
// again; one that refuses (400) loses it, and the error says so; an answer
// beyond 1 MB keeps its status, and the connection is not used again.
func TestPosterAnswers(t *testing.T) {
	t.Run("retry", func(t *testing.T) {
		c := startCollector(t, func(w http.ResponseWriter, _ *http.Request, n int) {
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})
		e := newTestExporter(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.URL})
		if err := exportOne(t, e, "a"); err != nil {
			t.Fatal(err)
		}
		if got := c.received(); got != "a,a" {
			t.Errorf("collector got %s, want the export twice", got)
		}
	})
	t.Run("refused", func(t *testing.T) {
		c := startCollector(t, func(w http.ResponseWriter, _ *http.Request, _ int) { http.Error(w, "bad", http.StatusBadRequest) })
		e := newTestExporter(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.URL})
		err := exportOne(t, e, "a")
		if err == nil || !strings.Contains(err.Error(), "answered 400 Bad Request; 1 spans lost") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("long answer", func(t *testing.T) {
		big := strings.Repeat("x", 2<<20)
		c := startCollector(t, func(w http.ResponseWriter, _ *http.Request, _ int) { io.WriteString(w, big) })
		e := newTestExporter(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.URL})
		exportEach(t, e, "a", "b")
		if got, n := c.received(), c.conns.Load(); got != "a,b" || n != 2 {
			t.Errorf("collector got %s over %d connections, want a,b over 2", got, n)
		}
	})
}

// A collector that takes the export and never answers fails it after
// OTEL_EXPORTER_OTLP_TIMEOUT, an attempt at a time, within the export
// timeout.
func TestPosterTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go io.Copy(io.Discard, c) // reads, never answers
		}
	}()
	e := newTestExporter(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + ln.Addr().String(),
		"OTEL_EXPORTER_OTLP_TIMEOUT": "100", "OTEL_BSP_EXPORT_TIMEOUT": "300"})
	err = exportOne(t, e, "a")
	if err == nil || !strings.Contains(err.Error(), "1 spans lost") {
		t.Errorf("error %v, want the span lost", err)
	}
}

// Through a proxy, or over TLS, net/http posts.
func TestPosterLeavesProxiesAndTLSToNetHTTP(t *testing.T) {
	proxied := func(*http.Request) (*url.URL, error) { return url.Parse("http://127.0.0.1:1") }
	direct := func(*http.Request) (*url.URL, error) { return nil, nil }
	if p := newPoster("http://collector.example:4318/v1/traces", nil, time.Second, proxied); p != nil {
		t.Error("a proxied endpoint is posted to directly")
	}
	if p := newPoster("http://collector.example:4318/v1/traces", nil, time.Second, direct); p == nil {
		t.Error("a plain-HTTP endpoint without proxy is posted to by net/http")
	}
	if p := newPoster("https://collector.example:4318/v1/traces", nil, time.Second, direct); p != nil {
		t.Error("an https endpoint is posted to in plain text")
	}
	if p := newPoster("http://collector.example:4318/v1/traces", http.Header{"X-Bad": {"a\r\nInjected: 1"}}, time.Second, direct); p != nil {
		t.Error("a header value with a line break is written")
	}
}
