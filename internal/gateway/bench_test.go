package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
)

// The two benchmarks below send the same request through a real loopback
// listener to the same loopback backend: once through the gateway (routing,
// key check, forwarding, log line) and once through a bare
// httputil.ReverseProxy. Compare them with benchstat; the gateway's budget is
// 1.2x the bare proxy.

func benchBackend(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":17,"status":"shipped","lines":[{"sku":"A-1","qty":2}]}`)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchClient(b *testing.B, target string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	req, _ := http.NewRequest("GET", target, nil)
	req.Header.Set(keyHeader, goldKey)
	req.Header.Set("Accept", "application/json")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

func BenchmarkGatewayRequest(b *testing.B) {
	backend := benchBackend(b)
	dir := copyTree(b, "shop", map[string]string{"$BACKEND$": backend.URL, "$DOWN$": "http://127.0.0.1:9"})
	snap, diags := config.Load(dir, config.Options{})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	gw, err := New(snap, Options{Log: NewLogWriter(io.Discard)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	benchClient(b, srv.URL+"/orders/orders/17?expand=lines")
}

func BenchmarkBareReverseProxy(b *testing.B) {
	backend := benchBackend(b)
	target, _ := url.Parse(backend.URL + "/orders-r1")
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.SetXForwarded()
	}}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	benchClient(b, srv.URL+"/orders/17?expand=lines")
}

// BenchmarkRoute measures matching one request to an API and operation.
func BenchmarkRoute(b *testing.B) {
	dir := copyTree(b, "shop", map[string]string{"$BACKEND$": "http://127.0.0.1:1", "$DOWN$": "http://127.0.0.1:9"})
	snap, diags := config.Load(dir, config.Options{})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	r, err := newRouter(snap.APIs)
	if err != nil {
		b.Fatal(err)
	}
	h := func(string) string { return "" }
	b.ReportAllocs()
	for b.Loop() {
		m := r.route("GET", "/pets/v2/pets/7", nil, h)
		if m == nil || m.op == nil {
			b.Fatal("no match")
		}
	}
}
