package otel

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/eventhub"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/loadbench"
	"github.com/tollgate/tollgate/internal/metrics"
)

// yieldingTransport answers as cannedTransport does after letting the
// other requests run, as a backend call does under load.
type yieldingTransport struct{}

func (yieldingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	runtime.Gosched()
	return cannedTransport{}.RoundTrip(r)
}

func BenchmarkConcurrentSinksOff(b *testing.B) { benchConcurrentSinks(b, false) }
func BenchmarkConcurrentSinksOn(b *testing.B)  { benchConcurrentSinks(b, true) }

func benchConcurrentSinks(b *testing.B, on bool) {
	dir := b.TempDir()
	kafka, collector := "", ""
	if on {
		collector, kafka = startSinkProcess(b)
	}
	if err := loadbench.WriteSinksFolder(dir, "http://backend.test", kafka); err != nil {
		b.Fatal(err)
	}
	snap, diags := gateway.LoadFolder(dir, config.Options{})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	opts := gateway.Options{Transport: yieldingTransport{}, Log: gateway.NewLogWriter(io.Discard),
		Observer: gateway.MetricsObserver{M: metrics.New()}}
	var tel *Telemetry
	hubOpts := eventhub.Options{QueueSize: 1 << 16}
	if on {
		b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector)
		b.Setenv("OTEL_METRICS_EXPORTER", "none")
		var err error
		if tel, err = Start(context.Background(), Options{Getenv: os.Getenv}); err != nil {
			b.Fatal(err)
		}
		defer tel.Shutdown(context.Background())
		opts.Tracer = tel.Tracer()
		hubOpts.Trace = tel.EventHubTracer()
	}
	hubs, _ := eventhub.New(snap, hubOpts)
	defer hubs.Close(time.Second)
	opts.EventHub = hubSink{hubs}
	gw, err := gateway.New(snap, opts)
	if err != nil {
		b.Fatal(err)
	}
	newReq := func() *http.Request {
		req := httptest.NewRequest("GET", "http://gw/load/items/42", nil)
		req.RemoteAddr = (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}).String()
		req.Header.Set("Ocp-Apim-Subscription-Key", loadbench.Key)
		req.Header.Set("X-Client", "bench")
		req.Header.Set("X-Tier", "gold")
		return req
	}
	gw.ServeHTTP(&discardWriter{h: http.Header{}}, newReq())
	time.Sleep(100 * time.Millisecond)
	b.ReportAllocs()
	b.SetParallelism(32)
	before := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		req := newReq()
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			gw.ServeHTTP(w, req)
		}
	})
	if on {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if st := hubs.Stats(); st.Successful+st.Failed >= st.Events {
				break
			}
		}
		tel.Flush(context.Background())
	}
	reportCPU(b, before)
}
