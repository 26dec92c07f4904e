package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/capture"
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

// BenchmarkPolicyStack sends the gateway benchmark's request through a
// typical policy stack: a global set-header with an expression, an API
// choose and set-variable, a rewrite-uri, and an operation
// set-backend-service. Compare with BenchmarkGatewayRequest: the policies'
// budget is 20 µs per request.
func BenchmarkPolicyStack(b *testing.B) {
	backend := benchBackend(b)
	gw := stackGateway(b, backend.URL, nil)
	srv := httptest.NewServer(gw)
	defer srv.Close()
	benchClient(b, srv.URL+"/orders/orders/17?expand=lines")
}

// stackGateway builds the gateway of BenchmarkPolicyStack; with policies
// false it serves the same folder without them.
func stackGateway(b *testing.B, backendURL string, transport http.RoundTripper, noPolicies ...bool) *Gateway {
	dir := copyTree(b, "shop", map[string]string{"$BACKEND$": backendURL, "$DOWN$": "http://127.0.0.1:9"})
	write := func(rel, s string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("policy.xml", `<policies>
  <inbound>
    <set-header name="X-Request-Id" exists-action="override">
      <value>@(context.RequestId.ToString())</value>
    </set-header>
  </inbound>
  <backend><forward-request /></backend>
  <outbound />
  <on-error />
</policies>`)
	write("apis/orders/policy.xml", `<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault(&quot;Accept&quot;, &quot;&quot;).Contains(&quot;json&quot;))">
        <set-variable name="format" value="json" />
      </when>
      <otherwise>
        <set-variable name="format" value="xml" />
      </otherwise>
    </choose>
    <set-variable name="orderId" value="@(context.Request.MatchedParameters[&quot;orderId&quot;])" />
    <rewrite-uri template="/orders/{orderId}" />
  </inbound>
</policies>`)
	write("apis/orders/operations/get-order/policy.xml", `<policies>
  <inbound>
    <base />
    <set-backend-service base-url="`+backendURL+`/orders-r1" />
  </inbound>
</policies>`)
	if len(noPolicies) > 0 && noPolicies[0] {
		for _, f := range []string{"policy.xml", "apis/orders/policy.xml", "apis/orders/operations/get-order/policy.xml"} {
			os.Remove(filepath.Join(dir, filepath.FromSlash(f)))
		}
	}
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	diags.Append(pd)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	snap.Policies = pols
	gw, err := New(snap, Options{Log: NewLogWriter(io.Discard), Transport: transport})
	if err != nil {
		b.Fatal(err)
	}
	return gw
}

// cannedTransport answers every backend request at once, so that the
// in-process benchmarks below measure the gateway's own work.
type cannedTransport struct{}

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: 2, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
}

// discardWriter is a ResponseWriter that keeps nothing.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

func benchInProcess(b *testing.B, gw *Gateway) {
	req := httptest.NewRequest("GET", "http://gw/orders/orders/17?expand=lines", nil)
	req.Header.Set(keyHeader, goldKey)
	req.Header.Set("Accept", "application/json")
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		gw.ServeHTTP(w, req)
	}
}

// BenchmarkInProcessNoPolicies and BenchmarkInProcessPolicyStack serve the
// same request without network I/O; their difference is what the policy
// stack costs.
func BenchmarkInProcessNoPolicies(b *testing.B) {
	benchInProcess(b, stackGateway(b, "http://backend.test", cannedTransport{}, true))
}

func BenchmarkInProcessPolicyStack(b *testing.B) {
	benchInProcess(b, stackGateway(b, "http://backend.test", cannedTransport{}))
}

// BenchmarkInProcessPolicyStackCapture is the policy stack with failure
// capture on: every request is traced in case it fails, and the trace of a
// successful one is recycled. Compare it with BenchmarkInProcessPolicyStack.
func BenchmarkInProcessPolicyStackCapture(b *testing.B) {
	gw := stackGateway(b, "http://backend.test", cannedTransport{})
	store := capture.NewStore(capture.Options{})
	b.Cleanup(store.Close)
	gw.capture = store
	benchInProcess(b, gw)
}
