package console_test

import (
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// BenchmarkGatewayWithConsole measures the gateway's throughput with the
// console closed and with it open and polling, in the same run: the
// console reads the capture store and the log store, never the gateway's
// request path. The polling client asks for the live tail and the Failures
// page every 3 s, as the live tail does, and, as a stress, every 50 ms.
// (The log store here is the tests' stand-in, which scans every line per
// query; what polling costs is the CPU those scans take from the gateway
// on the same cores.)
func BenchmarkGatewayWithConsole(b *testing.B) {
	e := newEnv(b)
	send := sendPings(e.gateway.URL)
	b.Run("closed", send)
	poll := func(every time.Duration) func(b *testing.B) { return func(b *testing.B) { polling(b, e, every, send) } }
	b.Run("polling-3s", poll(3*time.Second))
	b.Run("polling-50ms", poll(50*time.Millisecond))
}

// polling runs send while a client reads the console every so often.
func polling(b *testing.B, e *env, every time.Duration, send func(*testing.B)) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			for _, p := range []string{"/requests?rows=1", "/failures"} {
				if status, _ := e.get(b, p); status != 200 {
					b.Errorf("%s: %d", p, status)
				}
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	send(b)
	close(stop)
	wg.Wait()
}

// sendPings returns a benchmark body that sends GET /health/ping to the
// gateway at base from parallel goroutines and reports requests a second.
func sendPings(base string) func(*testing.B) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := client.Get(base + "/health/ping")
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	}
}
