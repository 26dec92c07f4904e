package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/metrics"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// The benchmarks below serve, in-process, what the load harness
// (internal/loadbench) sends tollgate: GET /load/items/42 with a
// subscription key, through a product rate-limit and the API's three
// expression policies, with what `tollgate run` turns on (failure capture,
// metrics, the log line, the trace store). The backend answers at once, so
// they measure the gateway's own work; their allocations per request are
// the figure docs/performance.md reports.

// loadFolder is the harness's test folder (internal/loadbench's
// WriteFolder), which this package cannot import.
var loadFolder = map[string]string{
	"policy.xml": `<policies>
  <inbound />
  <backend><forward-request /></backend>
  <outbound />
  <on-error />
</policies>`,
	"apis/load/apiInformation.json": `{"properties": {"displayName": "Load", "path": "load", "serviceUrl": "http://backend.test/load", "protocols": ["http"], "subscriptionRequired": true}}`,
	"apis/load/specification.yaml": `openapi: 3.0.1
info:
  title: Load
  version: "1.0"
paths:
  /items/{id}:
    parameters:
      - name: id
        in: path
        required: true
        schema:
          type: string
    get:
      operationId: get-item
      responses:
        "200":
          description: OK
`,
	"apis/load/policy.xml": `<policies>
  <inbound>
    <base />
    <set-variable name="client" value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Client&quot;, &quot;anonymous&quot;))" />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault(&quot;X-Tier&quot;, &quot;&quot;) == &quot;gold&quot;)">
        <set-header name="X-Tier-Route" exists-action="override"><value>gold</value></set-header>
      </when>
      <otherwise>
        <set-header name="X-Tier-Route" exists-action="override"><value>standard</value></set-header>
      </otherwise>
    </choose>
    <set-header name="X-Item-Path" exists-action="override">
      <value>@(context.Request.Url.Path)</value>
    </set-header>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`,
	"products/load/productInformation.json": `{"properties": {"displayName": "Load", "state": "published", "subscriptionRequired": true, "approvalRequired": false}}`,
	"products/load/policy.xml": `<policies>
  <inbound>
    <base />
    <rate-limit calls="1000000000" renewal-period="60" />
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`,
	"products/load/apis/load/productApiInformation.json": `{}`,
	"subscriptions/load/subscriptionInformation.json":    `{"properties": {"displayName": "Load", "scope": "/products/load", "state": "active", "primaryKey": "load-test-key-0123456789"}}`,
}

// loadGateway builds a gateway on the harness's folder with the options
// `tollgate run` uses; with capture false, failure capture is off.
func loadGateway(b *testing.B, withCapture bool) *Gateway {
	opts := Options{Log: NewLogWriter(io.Discard), Transport: cannedTransport{}, Traces: reqtrace.NewStore(100),
		Observer: MetricsObserver{metrics.New()}}
	if withCapture {
		opts.Capture = capture.NewStore(capture.Options{})
		b.Cleanup(opts.Capture.Close)
	}
	return folderGateway(b, loadFolder, opts)
}

// folderGateway writes files (path: content) as a folder, loads it as
// `tollgate run` does and builds a gateway on it with opts.
func folderGateway(b *testing.B, files map[string]string, opts Options) *Gateway {
	dir := writeFolder(b, files)
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	diags.Append(pd)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	snap.Policies = pols
	gw, err := New(snap, opts)
	if err != nil {
		b.Fatal(err)
	}
	return gw
}

func benchLoad(b *testing.B, gw *Gateway) {
	req := httptest.NewRequest("GET", "http://gw/load/items/42", nil)
	req.Header.Set(keyHeader, "load-test-key-0123456789")
	req.Header.Set("X-Client", "loadgen")
	req.Header.Set("X-Tier", "gold")
	w := &statusWriter{discardWriter: discardWriter{h: http.Header{}}}
	gw.ServeHTTP(w, req)
	if w.status != 200 {
		b.Fatalf("status %d, want 200", w.status)
	}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		gw.ServeHTTP(w, req)
	}
	if w.status != 200 {
		b.Fatalf("status %d, want 200", w.status)
	}
}

// statusWriter is a discardWriter that keeps the status.
type statusWriter struct {
	discardWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code }

// BenchmarkInProcessLoad serves the harness's request as `tollgate run`
// does, failure capture included.
func BenchmarkInProcessLoad(b *testing.B) { benchLoad(b, loadGateway(b, true)) }

// BenchmarkInProcessLoadNoCapture is BenchmarkInProcessLoad without failure
// capture: their difference is what capture costs a successful request.
func BenchmarkInProcessLoadNoCapture(b *testing.B) { benchLoad(b, loadGateway(b, false)) }

// BenchmarkInProcessLoadUnauthorized serves the harness's request with a
// wrong key, as the failing variant does for 1% of its requests: a 401,
// captured with its trace.
func BenchmarkInProcessLoadUnauthorized(b *testing.B) {
	gw := loadGateway(b, true)
	req := httptest.NewRequest("GET", "http://gw/load/items/42", nil)
	req.Header.Set(keyHeader, "wrong-key")
	w := &statusWriter{discardWriter: discardWriter{h: http.Header{}}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		gw.ServeHTTP(w, req)
	}
	if w.status != 401 {
		b.Fatalf("status %d, want 401", w.status)
	}
}
