package serve

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkRequest measures a small POST (1 KiB up, 2 bytes down) on a
// kept-alive connection through the server, against net/http serving the
// same handler with nothing of this package in between ("bare").
func BenchmarkRequest(b *testing.B) {
	dir := b.TempDir()
	ca := newCA(b, "CA")
	leaf := ca.issue(b, "localhost", []string{"localhost"}, false)
	s := startServer(b, okHandler, Options{H2C: true, Certificates: []CertSource{pemSource(b, dir, "a", leaf)}})

	bareTLS := startBare(b, okHandler, &tls.Config{Certificates: []tls.Certificate{leaf.tlsCert()}, NextProtos: []string{"h2", "http/1.1"}})
	barePlain := startBare(b, okHandler, nil)

	body := strings.Repeat("x", 1024)
	for _, tc := range []struct {
		name string
		c    *http.Client
		url  string
	}{
		{"plain-http1/serve", http.DefaultClient, "http://" + s.PlainAddr() + "/"},
		{"plain-http1/bare", http.DefaultClient, "http://" + barePlain + "/"},
		{"h2c/serve", h2cClient(), "http://" + s.PlainAddr() + "/"},
		{"tls-http1/serve", client(ca.pool, false), "https://" + s.TLSAddr() + "/"},
		{"tls-http1/bare", client(ca.pool, false), "https://" + bareTLS + "/"},
		{"tls-http2/serve", client(ca.pool, true), "https://" + s.TLSAddr() + "/"},
		{"tls-http2/bare", client(ca.pool, true), "https://" + bareTLS + "/"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := tc.c.Post(tc.url, "text/plain", strings.NewReader(body))
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			})
		})
	}
}

// startBare serves h with net/http alone, over TLS when config is given.
func startBare(b *testing.B, h http.Handler, config *tls.Config) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	if config != nil {
		ln = tls.NewListener(ln, config)
		srv.TLSConfig = config
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// BenchmarkLimitChecks measures what ServeHTTP adds to a request before
// the handler: the request line and header block checks, and for a body
// the guarded reader and writer. No network.
func BenchmarkLimitChecks(b *testing.B) {
	s, err := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(200)
	}), Options{Listen: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	for _, withBody := range []bool{false, true} {
		name := "no-body"
		if withBody {
			name = "1KiB-body"
		}
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("POST", "/orders/42?x=1", nil)
			for i := range 12 {
				req.Header.Set("X-Header-"+strconv.Itoa(i), "some value of a typical length")
			}
			w := httptest.NewRecorder()
			body := strings.Repeat("x", 1024)
			b.ReportAllocs()
			for b.Loop() {
				if withBody {
					req.Body = io.NopCloser(strings.NewReader(body))
				} else {
					req.Body = http.NoBody
				}
				s.ServeHTTP(w, req)
			}
		})
	}
}
