package otel

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	collogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/metrics"
)

// receiver is an OTLP/HTTP collector: it decodes what tollgate exports.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	spans   []*tracepb.Span
	res     []*commonpb.KeyValue // resource attributes of the spans
	logs    []*logspb.LogRecord
	metrics []string // metric names
	raw     bytes.Buffer
}

func startReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "bad request", 400)
			return
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.raw.Write(body)
		var resp proto.Message
		switch r.URL.Path {
		case "/v1/traces":
			var req coltrace.ExportTraceServiceRequest
			if err := proto.Unmarshal(body, &req); err != nil {
				t.Errorf("decoding traces: %v", err)
			}
			for _, rs := range req.ResourceSpans {
				rc.res = rs.Resource.Attributes
				for _, ss := range rs.ScopeSpans {
					rc.spans = append(rc.spans, ss.Spans...)
				}
			}
			resp = &coltrace.ExportTraceServiceResponse{}
		case "/v1/logs":
			var req collogs.ExportLogsServiceRequest
			if err := proto.Unmarshal(body, &req); err != nil {
				t.Errorf("decoding logs: %v", err)
			}
			for _, rl := range req.ResourceLogs {
				for _, sl := range rl.ScopeLogs {
					rc.logs = append(rc.logs, sl.LogRecords...)
				}
			}
			resp = &collogs.ExportLogsServiceResponse{}
		case "/v1/metrics":
			var req colmetrics.ExportMetricsServiceRequest
			if err := proto.Unmarshal(body, &req); err != nil {
				t.Errorf("decoding metrics: %v", err)
			}
			for _, rm := range req.ResourceMetrics {
				for _, sm := range rm.ScopeMetrics {
					for _, m := range sm.Metrics {
						rc.metrics = append(rc.metrics, m.Name)
					}
				}
			}
			resp = &colmetrics.ExportMetricsServiceResponse{}
		default:
			http.NotFound(w, r)
			return
		}
		out, _ := proto.Marshal(resp)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) span(name string) *tracepb.Span {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, s := range rc.spans {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// spansWith returns the spans whose attribute key has value v.
func (rc *receiver) spansWith(key, v string) []*tracepb.Span {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []*tracepb.Span
	for _, s := range rc.spans {
		if attr(s.Attributes, key) == v {
			out = append(out, s)
		}
	}
	return out
}

func attr(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.Key == key {
			switch v := kv.Value.Value.(type) {
			case *commonpb.AnyValue_StringValue:
				return v.StringValue
			case *commonpb.AnyValue_IntValue:
				return strconv.FormatInt(v.IntValue, 10)
			}
		}
	}
	return ""
}

// backendSeen records the traceparent header of every backend call by path.
type backendSeen struct {
	mu     sync.Mutex
	byPath map[string][]string
}

func (b *backendSeen) get(path string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byPath[path]
}

const (
	key         = "s1-primary-key-0123456789abcdef"
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
)

// startGateway serves an API whose policy traces a message, calls the
// backend with send-request and send-one-way-request, and forwards.
func startGateway(t *testing.T, tracer gateway.Tracer, log io.Writer) (string, *backendSeen) {
	seen := &backendSeen{byPath: map[string][]string{}}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.mu.Lock()
		seen.byPath[r.URL.Path] = append(seen.byPath[r.URL.Path], r.Header.Get("traceparent"))
		seen.mu.Unlock()
		io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(backend.Close)
	dir := t.TempDir()
	files := map[string]string{
		"apis/shop/apiInformation.json": `{"properties":{"path":"shop","serviceUrl":"` + backend.URL + `","subscriptionRequired":true}}`,
		"apis/shop/specification.yaml":  "openapi: 3.0.1\ninfo: {title: shop, version: '1'}\npaths:\n  /items/{id}:\n    get:\n      operationId: get-item\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {'200': {description: OK}}\n",
		"apis/shop/policy.xml": `<policies><inbound><base/>
<trace source="shop-api" severity="information"><message>looking up the item</message><metadata name="Region" value="west"/></trace>
<send-request mode="new" response-variable-name="lookup" timeout="5"><set-url>` + backend.URL + `/lookup</set-url><set-method>GET</set-method></send-request>
<send-one-way-request mode="new"><set-url>` + backend.URL + `/audit</set-url><set-method>POST</set-method></send-one-way-request>
</inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`,
		"products/basic/productInformation.json":              `{"properties":{"displayName":"Basic","state":"published","subscriptionRequired":true}}`,
		"products/basic/apis/shop/productApiInformation.json": `{}`,
		"subscriptions/s1/subscriptionInformation.json":       `{"properties":{"scope":"/products/basic","state":"active","primaryKey":"` + key + `"}}`,
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap, diags := gateway.LoadFolder(dir, config.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	gw, err := gateway.New(snap, gateway.Options{Tracer: tracer, Log: gateway.NewLogWriter(log)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	return srv.URL, seen
}

func call(t *testing.T, url string, headers ...string) int {
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func setEnv(t *testing.T, endpoint string) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
	t.Setenv("OTEL_SERVICE_NAME", "tollgate-test")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test")
	t.Setenv("OTEL_TRACES_SAMPLER", "")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "")
}

// A request through a real gateway: its server span continues the caller's
// trace, the backend, send-request and send-one-way-request calls are client
// spans below it and carry traceparent to the backend, the trace policy's
// message is a log record in the trace, and the log line has the trace id.
func TestSpansAndLogsReachTheCollector(t *testing.T) {
	rc := startReceiver(t)
	setEnv(t, rc.URL)
	met := metrics.New()
	var errs bytes.Buffer
	tel, err := Start(context.Background(), Options{Getenv: os.Getenv, Metrics: met, Errors: &errs})
	if err != nil || tel == nil {
		t.Fatalf("Start: %v, %v", tel, err)
	}
	defer tel.Shutdown(context.Background())
	if s := tel.Signals(); !s.Traces || !s.Logs || !s.Metrics {
		t.Fatalf("signals %v, want all three", s)
	}
	var logLines bytes.Buffer
	base, seen := startGateway(t, tel.Tracer(), &logLines)

	parent := "00-" + callerTrace + "-" + callerSpan + "-01"
	if code := call(t, base+"/shop/items/7", "Ocp-Apim-Subscription-Key", key, "traceparent", parent, "tracestate", "vendor=x"); code != 200 {
		t.Fatalf("status %d", code)
	}
	if code := call(t, base+"/shop/items/8"); code != 401 {
		t.Fatalf("status %d without a key", code)
	}
	met.Begin()
	met.Observe(&metrics.Request{API: "shop", Operation: "get-item", Status: 200})
	waitFor(t, func() bool { return len(seen.get("/audit")) == 1 })
	if err := tel.Flush(context.Background()); err != nil {
		t.Fatalf("flush: %v (%s)", err, errs.String())
	}

	server := rc.span("GET /shop/items/{id}")
	if server == nil {
		t.Fatalf("no server span GET /shop/items/{id} among %v", rc.names())
	}
	if got := hex.EncodeToString(server.TraceId); got != callerTrace {
		t.Errorf("server span trace id %s, want the caller's %s", got, callerTrace)
	}
	if got := hex.EncodeToString(server.ParentSpanId); got != callerSpan {
		t.Errorf("server span parent %s, want the caller's span %s", got, callerSpan)
	}
	if server.Kind != tracepb.Span_SPAN_KIND_SERVER {
		t.Errorf("server span kind %v", server.Kind)
	}
	for k, want := range map[string]string{
		"http.request.method": "GET", "http.route": "/shop/items/{id}", "http.response.status_code": "200", "url.path": "/shop/items/7",
		"tollgate.api.id": "shop", "tollgate.operation.id": "get-item", "tollgate.product.id": "basic", "tollgate.subscription.id": "s1",
	} {
		if got := attr(server.Attributes, k); got != want {
			t.Errorf("server span %s = %q, want %q", k, got, want)
		}
	}
	if server.TraceState != "vendor=x" {
		t.Errorf("tracestate %q, want the caller's", server.TraceState)
	}
	serverID := hex.EncodeToString(server.SpanId)
	for _, source := range []string{"forward-request", "send-request", "send-one-way-request"} {
		calls := rc.spansWith("tollgate.policy", source)
		if len(calls) != 1 {
			t.Errorf("%d %s spans, want 1", len(calls), source)
			continue
		}
		c := calls[0]
		if c.Kind != tracepb.Span_SPAN_KIND_CLIENT || hex.EncodeToString(c.ParentSpanId) != serverID || hex.EncodeToString(c.TraceId) != callerTrace {
			t.Errorf("%s span: kind %v parent %x trace %x; want a client span below %s in %s", source, c.Kind, c.ParentSpanId, c.TraceId, serverID, callerTrace)
		}
		if attr(c.Attributes, "http.response.status_code") != "200" || attr(c.Attributes, "server.address") != "127.0.0.1" {
			t.Errorf("%s span attributes %v", source, c.Attributes)
		}
		// The call's times are the gateway's readings around it: within
		// the request's, except the one-way call's, which may outlive it.
		if c.StartTimeUnixNano == 0 || c.EndTimeUnixNano < c.StartTimeUnixNano || c.StartTimeUnixNano < server.StartTimeUnixNano ||
			(source != "send-one-way-request" && c.EndTimeUnixNano > server.EndTimeUnixNano) {
			t.Errorf("%s span from %d to %d, the request's from %d to %d", source, c.StartTimeUnixNano, c.EndTimeUnixNano, server.StartTimeUnixNano, server.EndTimeUnixNano)
		}
		path := map[string]string{"forward-request": "/items/7", "send-request": "/lookup", "send-one-way-request": "/audit"}[source]
		want := "00-" + callerTrace + "-" + hex.EncodeToString(c.SpanId) + "-01"
		if got := seen.get(path); len(got) != 1 || got[0] != want {
			t.Errorf("backend %s saw traceparent %q, want %q (the %s span)", path, got, want, source)
		}
	}

	// The request without a key: its LastError is an event.
	var refused *tracepb.Span
	for _, s := range rc.spansWith("http.response.status_code", "401") {
		refused = s
	}
	if refused == nil {
		t.Fatal("no span of the 401 request")
	}
	if len(refused.Events) != 1 || refused.Events[0].Name != LastErrorEvent ||
		attr(refused.Events[0].Attributes, "reason") != "SubscriptionKeyNotFound" || attr(refused.Events[0].Attributes, "source") != "authorization" {
		t.Errorf("401 span events %v, want the LastError", refused.Events)
	}
	if len(refused.ParentSpanId) != 0 {
		t.Errorf("a request without traceparent starts a trace, its span has parent %x", refused.ParentSpanId)
	}

	rc.mu.Lock()
	logs := rc.logs
	res := rc.res
	raw := rc.raw.String()
	names := rc.metrics
	rc.mu.Unlock()
	if attr(res, "service.name") != "tollgate-test" || attr(res, "deployment.environment.name") != "test" {
		t.Errorf("resource %v: want OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES", res)
	}
	if len(logs) != 1 {
		t.Fatalf("%d log records, want the trace policy's one", len(logs))
	}
	l := logs[0]
	if l.Body.GetStringValue() != "looking up the item" || l.SeverityNumber != logspb.SeverityNumber_SEVERITY_NUMBER_INFO ||
		attr(l.Attributes, "Region") != "west" || attr(l.Attributes, "tollgate.trace.source") != "shop-api" {
		t.Errorf("log record %v", l)
	}
	if hex.EncodeToString(l.TraceId) != callerTrace || hex.EncodeToString(l.SpanId) != serverID {
		t.Errorf("log record in trace %x span %x, want %s %s", l.TraceId, l.SpanId, callerTrace, serverID)
	}
	if strings.Contains(raw, key) {
		t.Error("the subscription key reached the collector")
	}
	if !contains(names, "tollgate_requests_total") || !contains(names, "tollgate_request_duration_seconds") {
		t.Errorf("metrics exported: %v; want tollgate_requests_total and tollgate_request_duration_seconds", names)
	}

	var first struct{ TraceId string }
	json.Unmarshal([]byte(strings.SplitN(logLines.String(), "\n", 2)[0]), &first)
	if first.TraceId != callerTrace {
		t.Errorf("log line TraceId %q, want %s", first.TraceId, callerTrace)
	}
}

// A caller's unsampled trace is followed (parentbased sampling): nothing is
// exported, and the backend still gets the caller's trace id.
func TestUnsampledCallerIsFollowed(t *testing.T) {
	rc := startReceiver(t)
	setEnv(t, rc.URL)
	t.Setenv("OTEL_TRACES_SAMPLER", "parentbased_always_on")
	tel, err := Start(context.Background(), Options{Getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	var logLines bytes.Buffer
	base, seen := startGateway(t, tel.Tracer(), &logLines)
	call(t, base+"/shop/items/7", "Ocp-Apim-Subscription-Key", key, "traceparent", "00-"+callerTrace+"-"+callerSpan+"-00")
	waitFor(t, func() bool { return len(seen.get("/audit")) == 1 })
	tel.Flush(context.Background())
	if n := len(rc.names()); n != 0 {
		t.Errorf("%d spans exported of an unsampled trace", n)
	}
	got := seen.get("/items/7")
	if len(got) != 1 || !strings.HasPrefix(got[0], "00-"+callerTrace+"-") || !strings.HasSuffix(got[0], "-00") ||
		strings.Contains(got[0], callerSpan) || strings.Contains(got[0], "-0000000000000000-") {
		t.Errorf("backend saw traceparent %q, want the caller's trace, unsampled, under a span id of tollgate's", got)
	}
	if !strings.Contains(logLines.String(), `"TraceId":"`+callerTrace+`"`) {
		t.Errorf("log line without the trace id: %s", logLines.String())
	}
}

func TestSignalsFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want Signals
		err  string
	}{
		{env: map[string]string{}, want: Signals{}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, want: Signals{true, true, true}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, want: Signals{Traces: true}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_METRICS_EXPORTER": "none", "OTEL_LOGS_EXPORTER": "none"}, want: Signals{Traces: true}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, want: Signals{}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, want: Signals{true, true, true}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
			err: `OTEL_EXPORTER_OTLP_PROTOCOL="grpc": tollgate sends OTLP over HTTP; set http/protobuf and the collector's OTLP/HTTP endpoint (port 4318)`},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "zipkin"}, err: `OTEL_TRACES_EXPORTER="zipkin": tollgate exports otlp or none`},
	} {
		got, err := SignalsFromEnv(func(k string) string { return tc.env[k] })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %s", tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%v: %+v, %v; want %+v", tc.env, got, err, tc.want)
		}
	}
}

// Without an endpoint nothing starts and the gateway gets no tracer.
func TestNothingConfiguredStartsNothing(t *testing.T) {
	tel, err := Start(context.Background(), Options{Getenv: func(string) string { return "" }})
	if tel != nil || err != nil {
		t.Fatalf("Start = %v, %v; want nil, nil", tel, err)
	}
	if tr := tel.Tracer(); tr != nil {
		t.Fatalf("Tracer of nil telemetry = %v", tr)
	}
}

func (rc *receiver) names() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, s := range rc.spans {
		out = append(out, s.Name)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// waitFor waits until cond holds, at most five seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// cannedTransport answers every backend call at once, so that the
// benchmarks measure the gateway's own work.
type cannedTransport struct{}

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: 2, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// benchGateway serves an API with a set-header policy and a forward, in
// process.
func benchGateway(b *testing.B, tracer gateway.Tracer) *gateway.Gateway {
	return benchGatewayAt(b, tracer, "")
}

// benchGatewayAt is benchGateway with its backend at backendURL, "" for
// answers made up in process.
func benchGatewayAt(b *testing.B, tracer gateway.Tracer, backendURL string) *gateway.Gateway {
	var transport http.RoundTripper
	if backendURL == "" {
		backendURL, transport = "http://backend.test", cannedTransport{}
	}
	dir := b.TempDir()
	for name, content := range map[string]string{
		"apis/shop/apiInformation.json":                       `{"properties":{"path":"shop","serviceUrl":"` + backendURL + `","subscriptionRequired":true}}`,
		"apis/shop/specification.yaml":                        "openapi: 3.0.1\ninfo: {title: shop, version: '1'}\npaths:\n  /items/{id}:\n    get:\n      operationId: get-item\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {'200': {description: OK}}\n",
		"apis/shop/policy.xml":                                `<policies><inbound><base/><set-header name="X-Via" exists-action="override"><value>tollgate</value></set-header></inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`,
		"products/basic/productInformation.json":              `{"properties":{"displayName":"Basic","state":"published","subscriptionRequired":true}}`,
		"products/basic/apis/shop/productApiInformation.json": `{}`,
		"subscriptions/s1/subscriptionInformation.json":       `{"properties":{"scope":"/products/basic","state":"active","primaryKey":"` + key + `"}}`,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	snap, diags := gateway.LoadFolder(dir, config.Options{})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	gw, err := gateway.New(snap, gateway.Options{Tracer: tracer, Transport: transport, Log: gateway.NewLogWriter(io.Discard)})
	if err != nil {
		b.Fatal(err)
	}
	return gw
}

// benchRequests serves one request b.N times; tel, when not nil, is
// flushed before the process's CPU per request is read (cpu-ns/op), so
// that it counts the export too.
func benchRequests(b *testing.B, gw *gateway.Gateway, tel *Telemetry) {
	req := httptest.NewRequest("GET", "http://gw/shop/items/17", nil)
	req.Header.Set("Ocp-Apim-Subscription-Key", key)
	req.Header.Set("traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	before := processCPU()
	for b.Loop() {
		clear(w.h)
		gw.ServeHTTP(w, req)
	}
	if tel != nil {
		tel.Flush(context.Background())
	}
	reportCPU(b, before)
}

// BenchmarkRequestTracingOff and BenchmarkRequestTracingOn serve the same
// request in process; their difference is what tracing costs a request
// (spans are exported in batches to a loopback collector).
func BenchmarkRequestTracingOff(b *testing.B) {
	benchRequests(b, benchGateway(b, nil), nil)
}

func BenchmarkRequestTracingOn(b *testing.B) {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	b.Setenv("OTEL_METRICS_EXPORTER", "none")
	tel, err := Start(context.Background(), Options{Getenv: os.Getenv})
	if err != nil {
		b.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	benchRequests(b, benchGateway(b, tel.Tracer()), tel)
}

// BenchmarkLoopbackTracingOff and BenchmarkLoopbackTracingOn send the
// request through a real loopback listener to a loopback backend, which is
// what a request costs in service.
func BenchmarkLoopbackTracingOff(b *testing.B) { benchLoopback(b, false) }

func BenchmarkLoopbackTracingOn(b *testing.B) { benchLoopback(b, true) }

func benchLoopback(b *testing.B, tracing bool) {
	var tracer gateway.Tracer
	if tracing {
		collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/x-protobuf")
		}))
		defer collector.Close()
		b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
		b.Setenv("OTEL_METRICS_EXPORTER", "none")
		tel, err := Start(context.Background(), Options{Getenv: os.Getenv})
		if err != nil {
			b.Fatal(err)
		}
		defer tel.Shutdown(context.Background())
		tracer = tel.Tracer()
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":17}`)
	}))
	defer backend.Close()
	gw := benchGatewayAt(b, tracer, backend.URL)
	srv := httptest.NewServer(gw)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	req, _ := http.NewRequest("GET", srv.URL+"/shop/items/17", nil)
	req.Header.Set("Ocp-Apim-Subscription-Key", key)
	b.ReportAllocs()
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

// The folder's Application Insights diagnostic samples traces and sets the
// least severity of the trace policy's messages sent, for the requests
// after Follow; OTEL_TRACES_SAMPLER, when set, keeps the sampling.
func TestFollowDiagnostic(t *testing.T) {
	rc := startReceiver(t)
	setEnv(t, rc.URL)
	tel, err := Start(context.Background(), Options{Getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	base, _ := startGateway(t, tel.Tracer(), io.Discard)
	servers := func() int {
		tel.Flush(context.Background())
		rc.mu.Lock()
		defer rc.mu.Unlock()
		n := 0
		for _, s := range rc.spans {
			if s.Name == "GET /shop/items/{id}" {
				n++
			}
		}
		return n
	}
	records := func() int {
		tel.Flush(context.Background())
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return len(rc.logs)
	}

	ten := 10.0
	if got := tel.Follow(Diagnostic{SamplingPercentage: &ten, Verbosity: "error"}); got != "traces sampled at 10% (parent based), trace messages of severity error and above" {
		t.Errorf("Follow said %q", got)
	}
	for range 300 {
		call(t, base+"/shop/items/7", "Ocp-Apim-Subscription-Key", key)
	}
	// 30 expected; 5 and 75 are more than four standard deviations away.
	if n := servers(); n < 5 || n > 75 {
		t.Errorf("%d of 300 requests traced at 10%%", n)
	}
	if n := records(); n != 0 {
		t.Errorf("%d information messages sent with verbosity error", n)
	}

	before := servers()
	if got := tel.Follow(Diagnostic{Verbosity: "information"}); got != "trace messages of severity information and above" {
		t.Errorf("Follow said %q", got)
	}
	for range 20 {
		call(t, base+"/shop/items/7", "Ocp-Apim-Subscription-Key", key)
	}
	if n := servers() - before; n != 20 {
		t.Errorf("without a sampling percentage, %d of 20 requests traced", n)
	}
	if n := records(); n != 20 {
		t.Errorf("%d information messages sent with verbosity information, want 20", n)
	}

	// An API's own diagnostic replaces the service's for that API only.
	zero := 0.0
	got := tel.Follow(Diagnostic{Verbosity: "information", APIs: map[string]Diagnostic{
		"shop":  {SamplingPercentage: &zero, Verbosity: "error"},
		"other": {SamplingPercentage: &ten},
	}})
	if got != "trace messages of severity information and above, 2 API(s) with their own (other, shop)" {
		t.Errorf("Follow said %q", got)
	}
	before, recordsBefore := servers(), records()
	for range 20 {
		call(t, base+"/shop/items/7", "Ocp-Apim-Subscription-Key", key)
	}
	if n := servers() - before; n != 0 {
		t.Errorf("with the API's diagnostic at 0%%, %d of 20 requests traced", n)
	}
	if n := records() - recordsBefore; n != 0 {
		t.Errorf("with the API's verbosity error, %d information messages sent", n)
	}
	// A caller's sampled traceparent still decides for its trace.
	call(t, base+"/shop/items/7", "Ocp-Apim-Subscription-Key", key, "traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	if n := servers() - before; n != 1 {
		t.Errorf("a sampled caller's request under the API's 0%%: %d spans, want 1", n)
	}
	// The service at 0%, the API at 100%: the span the API samples has the
	// request's attributes, set when it matched.
	hundred := 100.0
	tel.Follow(Diagnostic{SamplingPercentage: &zero, APIs: map[string]Diagnostic{"shop": {SamplingPercentage: &hundred}}})
	before = servers()
	call(t, base+"/shop/items/9", "Ocp-Apim-Subscription-Key", key)
	if n := servers() - before; n != 1 {
		t.Errorf("with the API's diagnostic at 100%% and the service's at 0%%, %d spans, want 1", n)
	} else if s := rc.spansWith("url.path", "/shop/items/9"); len(s) != 1 || attr(s[0].Attributes, "http.request.method") != "GET" || attr(s[0].Attributes, "tollgate.api.id") != "shop" {
		t.Errorf("the API-sampled span lacks the request's attributes: %v", s)
	}

	// alwaysLog: allErrors traces a failure that sampling skipped, with
	// the request's attributes; a success stays unsampled.
	if got := tel.Follow(Diagnostic{SamplingPercentage: &zero, AlwaysLogErrors: true}); got != "traces sampled at 0% (parent based), every failed request traced" {
		t.Errorf("Follow said %q", got)
	}
	before = servers()
	call(t, base+"/shop/items/10", "Ocp-Apim-Subscription-Key", key)
	if code := call(t, base+"/shop/items/11"); code != 401 {
		t.Fatalf("without a key: %d", code)
	}
	if n := servers() - before; n != 1 {
		t.Errorf("at 0%% with alwaysLog, %d spans for a success and a failure, want 1", n)
	} else if s := rc.spansWith("url.path", "/shop/items/11"); len(s) != 1 || attr(s[0].Attributes, "http.response.status_code") != "401" || attr(s[0].Attributes, "http.request.method") != "GET" {
		t.Errorf("the failure's span: %v", s)
	}

	// The variables win over the folder.
	t.Setenv("OTEL_TRACES_SAMPLER", "always_on")
	tel2, err := Start(context.Background(), Options{Getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	defer tel2.Shutdown(context.Background())
	if got := tel2.Follow(Diagnostic{SamplingPercentage: &zero}); got != "" {
		t.Errorf("Follow with OTEL_TRACES_SAMPLER set said %q", got)
	}
	base2, _ := startGateway(t, tel2.Tracer(), io.Discard)
	before = servers()
	for range 10 {
		call(t, base2+"/shop/items/7", "Ocp-Apim-Subscription-Key", key)
	}
	tel2.Flush(context.Background())
	if n := servers() - before; n != 10 {
		t.Errorf("with OTEL_TRACES_SAMPLER=always_on and 0%% in the folder, %d of 10 requests traced", n)
	}
}
