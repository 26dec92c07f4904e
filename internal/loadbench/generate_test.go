package loadbench

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
)

// startBare starts the echo backend and the bare proxy in front of it on
// loopback, and returns the proxy's URL.
func startBare(t *testing.T) string {
	t.Helper()
	echo := httptest.NewServer(Echo())
	t.Cleanup(echo.Close)
	u, _ := url.Parse(echo.URL)
	proxy := httptest.NewServer(BareProxy(u, Key))
	t.Cleanup(proxy.Close)
	return proxy.URL
}

// startBareTLS starts the bare proxy serving HTTPS with the harness's
// certificate, and returns its URL and the certificate.
func startBareTLS(t *testing.T) (string, Certificate) {
	t.Helper()
	echo := httptest.NewServer(Echo())
	t.Cleanup(echo.Close)
	u, _ := url.Parse(echo.URL)
	cert, err := WriteCertificate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(cert.CertFile, cert.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewUnstartedServer(BareProxy(u, Key))
	proxy.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	proxy.EnableHTTP2 = true
	proxy.StartTLS()
	t.Cleanup(proxy.Close)
	return proxy.URL, cert
}

func TestGenerateCountsStatuses(t *testing.T) {
	base := startBare(t)
	tlsBase, cert := startBareTLS(t)
	for _, v := range Variants {
		t.Run(v.Name, func(t *testing.T) {
			l := Load{URL: base, Variant: v, Connections: 4, Duration: 300 * time.Millisecond}
			if v.TLS {
				l.URL, l.CAFile = tlsBase, cert.CertFile
			}
			r, err := Generate(context.Background(), l)
			if err != nil {
				t.Fatal(err)
			}
			if r.Requests == 0 || r.Elapsed < 300*time.Millisecond || r.P50 <= 0 || r.P99 < r.P50 {
				t.Fatalf("result %+v: want requests, the elapsed time and ordered percentiles", r)
			}
			if err := CheckStatuses(v, 4, r); err != nil {
				t.Fatalf("CheckStatuses: %v (result %+v)", err, r)
			}
			if v.FailEvery > 0 && (r.WrongKeySent == 0 || r.Statuses[401] != r.WrongKeySent) {
				t.Fatalf("%d wrong keys sent, %d answered 401: want every wrong key answered 401", r.WrongKeySent, r.Statuses[401])
			}
		})
	}
}

// TestGenerateSeesWrongStatuses points the generator at a server that
// throttles: the check must fail.
func TestGenerateSeesWrongStatuses(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%7 == 0 {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	v := Variants[0]
	r, err := Generate(context.Background(), Load{URL: srv.URL, Variant: v, Connections: 1, Duration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Statuses[429] == 0 || CheckStatuses(v, 1, r) == nil {
		t.Fatalf("result %+v: want 429s counted and the check failing", r)
	}
}

// TestWrk runs the wrk script for one second against the bare proxy: every
// variant must be sent as asked and counted.
func TestWrk(t *testing.T) {
	path, err := exec.LookPath("wrk")
	if err != nil {
		if os.Getenv("TOLLGATE_REQUIRE_LOADTOOLS") != "" {
			t.Fatal("wrk is not on PATH, and TOLLGATE_REQUIRE_LOADTOOLS is set")
		}
		t.Skip("wrk is not on PATH; install the Debian package wrk (scripts/test.sh does) to run this test")
	}
	base := startBare(t)
	for _, v := range []Variant{Variants[2], Variants[3]} { // bodies, failing
		t.Run(v.Name, func(t *testing.T) {
			w := Wrk{Path: path, Dir: t.TempDir()}
			r, err := w.Run(context.Background(), Load{URL: base, Variant: v, Connections: 4, Duration: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckStatuses(v, 4, r); err != nil {
				t.Fatalf("CheckStatuses: %v (result %+v)", err, r)
			}
			if r.Statuses != nil || v.FailEvery > 0 && (r.WrongKeySent == 0 || r.Rejected == 0) {
				t.Fatalf("result %+v: want wrong keys sent and answered 401", r)
			}
			if r.Requests < 10 || r.Elapsed < time.Second || r.P50 <= 0 || r.P99 < r.P50 {
				t.Fatalf("result %+v: want requests, the elapsed time and ordered percentiles", r)
			}
		})
	}
}
