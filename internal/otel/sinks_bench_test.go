package otel

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/eventhub"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/loadbench"
	"github.com/tollgate/tollgate/internal/metrics"
)

// processCPU is the CPU time (user and system) the process has used: the
// request's goroutine, the exporters' and the Kafka client's goroutines,
// and the collector.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process's CPU time per iteration since before
// (taken just before the loop), as cpu-ns/op: what a request costs with
// the work done beside it (export, Kafka, garbage collection), which
// ns/op does not count on a machine with a spare core.
func reportCPU(b *testing.B, before time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-before)/float64(b.N), "cpu-ns/op")
	}
}

// The sink process: an OTLP/HTTP collector that discards what it gets and
// a Kafka broker (kfake) that acknowledges records, in a process of their
// own, as loadsink is in the load harness, so that the benchmark's process
// CPU is the gateway's alone.
const sinkHelperEnv = "TOLLGATE_OTEL_SINK_HELPER"

// TestSinkHelper is the sink process when the benchmark starts it; as a
// test it does nothing.
func TestSinkHelper(t *testing.T) {
	if os.Getenv(sinkHelperEnv) != "1" {
		t.Skip("the sink process of BenchmarkAllSinks")
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, loadbench.SinksTopic))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	fmt.Println("sinks", collector.URL, cluster.ListenAddrs()[0])
	io.Copy(io.Discard, os.Stdin) // until the benchmark ends
	collector.Close()
	cluster.Close()
	os.Exit(0)
}

// startSinkProcess starts the sink process and returns the collector's URL
// and the broker's address.
func startSinkProcess(b *testing.B) (string, string) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSinkHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), sinkHelperEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "sinks" {
			go io.Copy(io.Discard, stdout)
			return f[1], f[2]
		}
	}
	b.Fatal("the sink process did not start")
	return "", ""
}

// hubSink hands log-to-eventhub's messages to the sink as tollgate run
// does.
type hubSink struct{ s *eventhub.Sink }

func (h hubSink) Send(ctx context.Context, m gateway.EventHubMessage) error {
	return h.s.Send(ctx, eventhub.Message{Logger: m.Logger, Body: m.Message, PartitionID: m.PartitionID, PartitionKey: m.PartitionKey})
}

// BenchmarkAllSinksOff and BenchmarkAllSinksOn serve the load harness's
// tollgate-sinks-off and tollgate-sinks folders in process (a trace policy
// and a log-to-eventhub per request, the backend answered in process),
// as tollgate run wires them: metrics observed in both; with sinks on,
// every request traced, the trace policy's message a log record, both
// exported over OTLP/HTTP, and the log-to-eventhub message sent to Kafka
// with its producer span. The collector and the broker are another
// process. cpu-ns/op is the process's CPU per request, the exports and
// the Kafka client's work included (both are drained before it is read).
func BenchmarkAllSinksOff(b *testing.B) { benchAllSinks(b, false, 1) }

func BenchmarkAllSinksOn(b *testing.B) { benchAllSinks(b, true, 1) }

// BenchmarkConcurrentSinksOff and BenchmarkConcurrentSinksOn are the same
// with 32 requests at a time per core, each letting the others run at its
// backend call, as under the load harness's 32 connections: what each
// request touches is then colder, which in process only this shows (at
// -cpu 1, the sinks cost twice as much here as one request at a time).
func BenchmarkConcurrentSinksOff(b *testing.B) { benchAllSinks(b, false, 32) }

func BenchmarkConcurrentSinksOn(b *testing.B) { benchAllSinks(b, true, 32) }

// yieldingTransport answers as cannedTransport does after letting the
// other requests run, as a backend call does under load.
type yieldingTransport struct{}

func (yieldingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	runtime.Gosched()
	return cannedTransport{}.RoundTrip(r)
}

func benchAllSinks(b *testing.B, on bool, parallelism int) {
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
	var transport http.RoundTripper = cannedTransport{}
	if parallelism > 1 {
		transport = yieldingTransport{}
	}
	opts := gateway.Options{Transport: transport, Log: gateway.NewLogWriter(io.Discard),
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
	newRequest := func() *http.Request {
		req := httptest.NewRequest("GET", "http://gw/load/items/42", nil)
		req.RemoteAddr = (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}).String()
		req.Header.Set("Ocp-Apim-Subscription-Key", loadbench.Key)
		req.Header.Set("X-Client", "bench")
		req.Header.Set("X-Tier", "gold")
		return req
	}
	// One request first, so that the Kafka client has its metadata and
	// connection before the measurement.
	gw.ServeHTTP(&discardWriter{h: http.Header{}}, newRequest())
	drain := func() {
		if !on {
			return
		}
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if st := hubs.Stats(); st.Successful+st.Failed >= st.Events {
				break
			}
		}
		if err := tel.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	drain()
	b.ReportAllocs()
	before := processCPU()
	serve := func(next func() bool) {
		req, w := newRequest(), &discardWriter{h: http.Header{}}
		for next() {
			clear(w.h)
			gw.ServeHTTP(w, req)
		}
	}
	if parallelism == 1 {
		serve(b.Loop)
	} else {
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) { serve(pb.Next) })
	}
	drain()
	reportCPU(b, before)
	if on {
		if st := hubs.Stats(); st.Successful < uint64(b.N) || st.Dropped+st.Failed > 0 {
			b.Fatalf("Kafka: %+v after %d requests", st, b.N)
		}
	}
}
