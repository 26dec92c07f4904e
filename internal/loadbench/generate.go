package loadbench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Load is what a load generator sends: a variant's requests to one target.
type Load struct {
	// URL is the target's base URL, "http://127.0.0.1:PORT".
	URL string
	// Variant is the traffic.
	Variant Variant
	// Connections is the number of connections kept busy, each with one
	// request in flight at a time.
	Connections int
	// Duration is how long the load runs.
	Duration time.Duration
	// CAFile is the PEM certificate an https URL's server is trusted by
	// (the run's Certificate); empty for http.
	CAFile string
}

// loadHeaders returns the headers of the load's requests besides the key: the
// ones the expression policies of the test folder read.
func loadHeaders() map[string]string {
	return map[string]string{"X-Client": "loadbench", "X-Tier": "gold"}
}

// Generate sends l with Go's HTTP client and measures it: the load
// generator of the harness when wrk is not installed. Each of
// l.Connections workers sends one request at a time for l.Duration;
// requests still in flight at the end are neither counted nor failures.
func Generate(ctx context.Context, l Load) (Result, error) {
	req, err := http.NewRequest(l.Variant.Method, l.URL+l.Variant.Target(), nil)
	if err != nil {
		return Result{}, err
	}
	for k, v := range loadHeaders() {
		req.Header.Set(k, v)
	}
	body := bytes.Repeat([]byte("x"), l.Variant.RequestBody)
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: l.Connections,
		MaxConnsPerHost:     l.Connections,
		DisableKeepAlives:   l.Variant.NewConnection,
		DisableCompression:  true,
	}
	if l.CAFile != "" {
		if tr.TLSClientConfig, err = clientTLS(l.CAFile, l.Variant.HTTP2); err != nil {
			return Result{}, err
		}
		tr.ForceAttemptHTTP2 = l.Variant.HTTP2
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	start := time.Now()
	ctx, cancel := context.WithDeadline(ctx, start.Add(l.Duration))
	defer cancel()
	var (
		sequence atomic.Int64
		mu       sync.Mutex
		total    = Result{Statuses: map[int]int64{}}
		hist     Histogram
		wg       sync.WaitGroup
	)
	for range max(1, l.Connections) {
		wg.Go(func() {
			var (
				own Histogram
				res = Result{Statuses: map[int]int64{}}
				buf = make([]byte, 32<<10)
			)
			for ctx.Err() == nil {
				r := req.Clone(ctx)
				wrong := l.Variant.FailEvery > 0 && sequence.Add(1)%int64(l.Variant.FailEvery) == 0
				if wrong {
					r.Header.Set(KeyHeader, WrongKey)
				} else {
					r.Header.Set(KeyHeader, Key)
				}
				if len(body) > 0 {
					r.Body = io.NopCloser(bytes.NewReader(body))
					r.ContentLength = int64(len(body))
				}
				t0 := time.Now()
				resp, err := client.Do(r)
				if err == nil {
					_, err = io.CopyBuffer(io.Discard, resp.Body, buf)
					resp.Body.Close()
				}
				if err == nil && l.Variant.HTTP2 && resp.ProtoMajor != 2 {
					err = errors.New(resp.Proto + " instead of HTTP/2")
				}
				if err != nil {
					if ctx.Err() == nil || !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
						res.Errors++
					}
					continue
				}
				own.Record(time.Since(t0))
				res.Requests++
				res.Statuses[resp.StatusCode]++
				if wrong {
					res.WrongKeySent++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			hist.Merge(&own)
			total.Requests += res.Requests
			total.Errors += res.Errors
			total.WrongKeySent += res.WrongKeySent
			for code, n := range res.Statuses {
				total.Statuses[code] += n
			}
		})
	}
	wg.Wait()
	total.Elapsed = time.Since(start)
	total.P50, total.P99 = hist.Percentile(0.50), hist.Percentile(0.99)
	return total, nil
}
