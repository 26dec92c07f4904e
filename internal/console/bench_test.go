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
// page every 50 ms (the console's live tail asks every 3 s).
func BenchmarkGatewayWithConsole(b *testing.B) {
	e := newEnv(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	send := func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := client.Get(e.gateway.URL + "/health/ping")
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
	b.Run("closed", send)
	b.Run("polling", func(b *testing.B) {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					for _, p := range []string{"/requests?rows=1", "/failures"} {
						if status, _ := e.get(b, p); status != 200 {
							b.Errorf("%s: %d", p, status)
						}
					}
				}
			}
		}()
		send(b)
		close(stop)
		wg.Wait()
	})
}
