package otel

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// A span with every field tollgate writes, encoded by hand, decodes with the
// OTLP protobuf types to what was recorded.
func TestEncodedSpansDecode(t *testing.T) {
	res := resource.NewSchemaless(attribute.String("service.name", "tg"), attribute.Int64("n", -3),
		attribute.Bool("b", true), attribute.Float64("f", 1.5), attribute.StringSlice("s", []string{"x", ""}))
	e := &exporter{sig: traces, batchSize: 10}
	e.setPrefix(res)

	start := time.Unix(1700000000, 123456789)
	s := newSpan()
	s.traceID, _ = trace.TraceIDFromHex(callerTrace)
	s.spanID, _ = trace.SpanIDFromHex("1111111111111111")
	s.parentID, _ = trace.SpanIDFromHex(callerSpan)
	s.remoteParent, s.sampled, s.traceState = true, true, "vendor=x"
	s.kind, s.name, s.route = kindServer, "GET", "/shop/items/{id}"
	s.start, s.end = start, start.Add(1500*time.Microsecond)
	s.setString(keyMethod, "GET")
	s.setInt(keyStatusCode, 502)
	s.setInt("negative", -1)
	u, _ := url.Parse("http://user:pw@backend.test:8080/a%2Fb/c?key=secret")
	s.setURLFull(u)
	s.setString("long", strings.Repeat("x", 300))
	s.events = append(s.events, lastErrorAt(start.Add(time.Millisecond)))
	s.errorStatus, s.statusMsg = true, "BackendConnectionFailure"

	c := newSpan()
	c.traceID, c.spanID, c.parentID = s.traceID, newSpanID(), s.spanID
	c.kind, c.name, c.sampled = kindClient, "POST", false

	var req coltrace.ExportTraceServiceRequest
	// A batch keeps room for the framing before its items.
	b := &batch{items: appendSpan(appendSpan(make([]byte, e.room), s), c)}
	if err := proto.Unmarshal(e.encode(b), &req); err != nil {
		t.Fatal(err)
	}
	if len(req.ResourceSpans) != 1 || len(req.ResourceSpans[0].ScopeSpans) != 1 {
		t.Fatalf("request %v", &req)
	}
	rs := req.ResourceSpans[0]
	ra := rs.Resource.Attributes // sorted by key
	if len(ra) != 5 || attr(ra, "service.name") != "tg" || attr(ra, "n") != "-3" || ra[0].Value.GetBoolValue() != true ||
		ra[1].Value.GetDoubleValue() != 1.5 || len(ra[3].Value.GetArrayValue().GetValues()) != 2 {
		t.Errorf("resource %v", ra)
	}
	if rs.ScopeSpans[0].Scope.Name != instrumentation {
		t.Errorf("scope %v", rs.ScopeSpans[0].Scope)
	}
	got := rs.ScopeSpans[0].Spans
	if len(got) != 2 {
		t.Fatalf("%d spans", len(got))
	}
	g := got[0]
	if hex.EncodeToString(g.TraceId) != callerTrace || hex.EncodeToString(g.SpanId) != "1111111111111111" ||
		hex.EncodeToString(g.ParentSpanId) != callerSpan || g.TraceState != "vendor=x" {
		t.Errorf("ids %x %x %x %q", g.TraceId, g.SpanId, g.ParentSpanId, g.TraceState)
	}
	if g.Name != "GET /shop/items/{id}" || g.Kind != tracepb.Span_SPAN_KIND_SERVER ||
		g.StartTimeUnixNano != uint64(start.UnixNano()) || g.EndTimeUnixNano != uint64(start.UnixNano())+1500000 {
		t.Errorf("span %v", g)
	}
	if g.Flags != 0x301 {
		t.Errorf("flags %#x, want sampled with a remote parent", g.Flags)
	}
	for k, want := range map[string]string{"http.request.method": "GET", "http.response.status_code": "502", "negative": "-1",
		"url.full": "http://backend.test:8080/a%2Fb/c", "long": strings.Repeat("x", 300)} {
		if v := attr(g.Attributes, k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	if len(g.Events) != 1 || g.Events[0].Name != LastErrorEvent || attr(g.Events[0].Attributes, "reason") != "BackendConnectionFailure" ||
		g.Events[0].TimeUnixNano != uint64(start.Add(time.Millisecond).UnixNano()) {
		t.Errorf("events %v", g.Events)
	}
	if g.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || g.Status.GetMessage() != "BackendConnectionFailure" {
		t.Errorf("status %v", g.Status)
	}
	if c := got[1]; c.Name != "POST" || c.Kind != tracepb.Span_SPAN_KIND_CLIENT || c.Flags != 0x100 || c.Status != nil || len(c.Attributes) != 0 {
		t.Errorf("second span %v", c)
	}
	// url.full is what url.URL writes without query and user.
	for _, raw := range []string{"http://b/a%2Fb/c d?k=1", "https://b:443", "http://[::1]:9/x#f", "http://b/é"} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		want := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
		if got := fullURL(u); got != want {
			t.Errorf("fullURL(%s) = %q, want %q", raw, got, want)
		}
	}
}

func lastErrorAt(at time.Time) spanEvent {
	return spanEvent{time: at, name: LastErrorEvent, attrs: []spanAttr{{key: "reason", str: "BackendConnectionFailure"}}}
}

func TestParseTraceparent(t *testing.T) {
	for _, tc := range []struct {
		h             string
		ok, sampled   bool
		trace, parent string
	}{
		{h: "00-" + callerTrace + "-" + callerSpan + "-01", ok: true, sampled: true},
		{h: "00-" + callerTrace + "-" + callerSpan + "-00", ok: true},
		{h: "01-" + callerTrace + "-" + callerSpan + "-01-future", ok: true, sampled: true},
		{h: "00-" + callerTrace + "-" + callerSpan + "-01-x"},
		{h: "ff-" + callerTrace + "-" + callerSpan + "-01"},
		{h: "00-" + strings.ToUpper(callerTrace) + "-" + callerSpan + "-01"},
		{h: "00-00000000000000000000000000000000-" + callerSpan + "-01"},
		{h: "00-" + callerTrace + "-0000000000000000-01"},
		{h: "00-" + callerTrace + "-" + callerSpan},
		{h: ""},
	} {
		tid, sid, sampled, ok := parseTraceparent(tc.h)
		if ok != tc.ok || sampled != tc.sampled {
			t.Errorf("%q: ok %v sampled %v, want %v %v", tc.h, ok, sampled, tc.ok, tc.sampled)
		}
		if ok && (tid.String() != callerTrace || sid.String() != callerSpan) {
			t.Errorf("%q: ids %s %s", tc.h, tid, sid)
		}
	}
	s := &span{sampled: true}
	s.traceID, _ = trace.TraceIDFromHex(callerTrace)
	s.spanID, _ = trace.SpanIDFromHex(callerSpan)
	if got := traceparentHeader(s.traceID, s.spanID, s.sampled)[0]; got != "00-"+callerTrace+"-"+callerSpan+"-01" {
		t.Errorf("traceparent %q", got)
	}
	if got := traceparentHeader(s.traceID, s.spanID, false)[0]; got != "00-"+callerTrace+"-"+callerSpan+"-00" {
		t.Errorf("traceparent of an unsampled span %q", got)
	}
}

func TestSampler(t *testing.T) {
	env := func(name, arg string) func(string) string {
		return func(k string) string {
			return map[string]string{"OTEL_TRACES_SAMPLER": name, "OTEL_TRACES_SAMPLER_ARG": arg}[k]
		}
	}
	half, err := newSampler(env("traceidratio", "0.5"), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range 4000 {
		if half.sample(newTraceID(), true, false) {
			n++
		}
	}
	if n < 1700 || n > 2300 {
		t.Errorf("traceidratio 0.5 sampled %d of 4000", n)
	}
	for _, tc := range []struct {
		name, arg             string
		root, sampledP, unspP bool
	}{
		{"", "", true, true, false},
		{"parentbased_always_on", "", true, true, false},
		{"always_on", "", true, true, true},
		{"always_off", "", false, false, false},
		{"parentbased_always_off", "", false, true, false},
		{"parentbased_traceidratio", "0", false, true, false},
		{"traceidratio", "1", true, true, true},
	} {
		s, err := newSampler(env(tc.name, tc.arg), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		id := newTraceID()
		if s.sample(id, false, false) != tc.root || s.sample(id, true, true) != tc.sampledP || s.sample(id, true, false) != tc.unspP {
			t.Errorf("%s %s: root %v, sampled parent %v, unsampled parent %v", tc.name, tc.arg, s.sample(id, false, false), s.sample(id, true, true), s.sample(id, true, false))
		}
	}
	for _, bad := range [][2]string{{"jaeger_remote", ""}, {"traceidratio", "2"}, {"traceidratio", "x"}} {
		if _, err := newSampler(env(bad[0], bad[1]), nil); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// A collector that does not answer neither blocks nor slows the request
// path: spans beyond the queue are dropped, counted and reported.
func TestFullQueueDrops(t *testing.T) {
	var mu sync.Mutex
	var errs []string
	report := func(err error) {
		mu.Lock()
		errs = append(errs, err.Error())
		mu.Unlock()
	}
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_BSP_MAX_QUEUE_SIZE": "4",
		"OTEL_BSP_SCHEDULE_DELAY": "600000", "OTEL_BSP_EXPORT_TIMEOUT": "50"}
	e, err := newExporter(traces, func(k string) string { return env[k] }, nil, report)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	e.exportMu.Lock() // an export in progress: the queue does not drain
	for range 10 {
		s := newSpan()
		s.sampled = true
		e.enqueue(appendSpan(nil, s))
	}
	e.exportMu.Unlock()
	if d := time.Since(began); d > 100*time.Millisecond {
		t.Errorf("enqueueing took %v", d)
	}
	if n := e.dropped.Load(); n != 6 {
		t.Errorf("%d spans dropped, want 6", n)
	}
	e.shutdown(context.Background())
	mu.Lock()
	all := strings.Join(errs, "\n")
	mu.Unlock()
	if !strings.Contains(all, "4 spans lost") || !strings.Contains(all, "6 spans dropped") {
		t.Errorf("errors: %s; want the 4 queued spans lost and 6 dropped", all)
	}
}

func TestExporterConfigErrors(t *testing.T) {
	for _, tc := range []struct{ env map[string]string }{
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "localhost:4318"}},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"}},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_BSP_MAX_QUEUE_SIZE": "-1"}},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_CERTIFICATE": "/nonexistent/ca.pem"}},
	} {
		if _, err := newExporter(traces, func(k string) string { return tc.env[k] }, nil, nil); err == nil {
			t.Errorf("%v: no error", tc.env)
		}
	}
}

// OTEL_EXPORTER_OTLP_TRACES_HEADERS and _COMPRESSION reach the collector.
func TestExporterHeadersAndGzip(t *testing.T) {
	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			t.Errorf("body: %v", err)
			return
		}
		body, _ := io.ReadAll(zr)
		got <- r
		bodies <- body
	}))
	defer collector.Close()
	env := map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.URL + "/custom/traces",
		"OTEL_EXPORTER_OTLP_HEADERS": "x-ignored=1", "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "api-key=a%20b, x-team = gw",
		"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "gzip"}
	e, err := newExporter(traces, func(k string) string { return env[k] }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := newSpan()
	s.sampled, s.name, s.spanID = true, "GET", newSpanID()
	e.enqueue(appendSpan(nil, s))
	if err := e.shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.URL.Path != "/custom/traces" || r.Header.Get("Api-Key") != "a b" || r.Header.Get("X-Team") != "gw" || r.Header.Get("X-Ignored") != "" ||
		r.Header.Get("Content-Type") != "application/x-protobuf" {
		t.Errorf("request %s %v", r.URL.Path, r.Header)
	}
	var req coltrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(<-bodies, &req); err != nil || req.ResourceSpans[0].ScopeSpans[0].Spans[0].Name != "GET" {
		t.Errorf("decoded %v, %v", &req, err)
	}
}

// With log records only, the caller's traceparent reaches the backend
// unchanged and the trace policy's record is in the caller's trace.
func TestLogsOnly(t *testing.T) {
	rc := startReceiver(t)
	setEnv(t, rc.URL)
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	t.Setenv("OTEL_METRICS_EXPORTER", "none")
	tel, err := Start(context.Background(), Options{Getenv: os.Getenv})
	if err != nil || tel == nil {
		t.Fatal(tel, err)
	}
	defer tel.Shutdown(context.Background())
	var logLines bytes.Buffer
	base, seen := startGateway(t, tel.Tracer(), &logLines)
	parent := "00-" + callerTrace + "-" + callerSpan + "-01"
	call(t, base+"/shop/items/7", "Ocp-Apim-Subscription-Key", key, "traceparent", parent)
	waitFor(t, func() bool { return len(seen.get("/audit")) == 1 })
	tel.Flush(context.Background())
	if got := seen.get("/items/7"); len(got) != 1 || got[0] != parent {
		t.Errorf("backend saw %q, want the caller's traceparent unchanged", got)
	}
	rc.mu.Lock()
	logs, spans := rc.logs, len(rc.spans)
	rc.mu.Unlock()
	if spans != 0 || len(logs) != 1 || hex.EncodeToString(logs[0].TraceId) != callerTrace {
		t.Errorf("%d spans and log records %v; want none and one in the caller's trace", spans, logs)
	}
}

// Spans go out in batches of OTEL_BSP_MAX_EXPORT_BATCH_SIZE, oldest first,
// every one of them once, and a sent batch's buffer serves the next.
func TestExportBatches(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	var names []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			t.Errorf("decoding: %v", err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				sizes = append(sizes, len(ss.Spans))
				for _, s := range ss.Spans {
					names = append(names, s.Name)
				}
			}
		}
	}))
	defer collector.Close()
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "3",
		"OTEL_BSP_SCHEDULE_DELAY": "600000"}
	res := resource.NewSchemaless(attribute.String("service.name", "tg"))
	e, err := newExporter(traces, func(k string) string { return env[k] }, res, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	send := func(from, to int) {
		for i := from; i < to; i++ {
			s := newSpan()
			s.sampled, s.name, s.spanID = true, fmt.Sprint("span ", i), newSpanID()
			want = append(want, s.name)
			e.enqueue(appendSpan(nil, s))
			releaseSpan(s)
		}
	}
	send(0, 7)
	if err := e.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(e.free) == 0 {
		t.Error("no sent batch kept for reuse")
	}
	send(7, 9)
	if err := e.shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(sizes) != "[3 3 1 2]" {
		t.Errorf("batches of %v spans, want [3 3 1 2]", sizes)
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("spans %v, want %v", names, want)
	}
}

// BenchmarkAppendSpan encodes a server span with the attributes a request
// through an API with a product sets.
func BenchmarkAppendSpan(b *testing.B) {
	s := newSpan()
	s.traceID, s.spanID, s.sampled = newTraceID(), newSpanID(), true
	s.kind, s.name, s.route = kindServer, "GET", "/load/items/{id}"
	s.start = time.Now()
	s.end = s.start.Add(time.Millisecond)
	for _, kv := range [][2]string{{keyMethod, "GET"}, {keyURLPath, "/load/items/42"}, {keyURLScheme, "http"},
		{keyProtocolVersion, "1.1"}, {keyServerAddress, "127.0.0.1"}, {keyClientAddress, "127.0.0.1"},
		{keyRoute, "/load/items/{id}"}, {string(AttrCorrelationID), "0b7c3f0e-5d1a-4c7e-9a51-2f3c1d9e8b70"},
		{string(AttrAPIID), "load"}, {string(AttrOperationID), "get-item"}, {string(AttrProductID), "load"},
		{string(AttrSubscriptionID), "load-sub"}} {
		s.setString(kv[0], kv[1])
	}
	s.setInt(keyServerPort, 8080)
	s.setInt(keyStatusCode, 200)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = appendSpan(buf[:0], s)
	}
	b.SetBytes(int64(len(buf)))
}

// Attributes whose lengths need one-byte and two-byte varints, around the
// boundary, decode to what was written.
func TestStringAttributeLengths(t *testing.T) {
	for _, n := range []int{0, 1, 100, 115, 116, 117, 118, 119, 120, 121, 122, 123, 126, 127, 128, 200} {
		key, value := "k."+strings.Repeat("k", n/3), strings.Repeat("v", n)
		b := appendStringKV(nil, 9, key, value)
		var sp tracepb.Span
		if err := proto.Unmarshal(b, &sp); err != nil {
			t.Fatalf("value of %d bytes: %v", n, err)
		}
		if len(sp.Attributes) != 1 || sp.Attributes[0].Key != key || sp.Attributes[0].Value.GetStringValue() != value {
			t.Errorf("value of %d bytes: decoded %v", n, sp.Attributes)
		}
	}
}

// A log-to-eventhub message that fails has a producer span, a child of the
// request's span named "send" and the topic, from the hand-off to the
// failure, with an exception event and an error status. A delivered
// message, or one of a request not sampled, has none.
func TestPublishSpans(t *testing.T) {
	rc := startReceiver(t)
	setEnv(t, rc.URL)
	t.Setenv("OTEL_METRICS_EXPORTER", "none")
	t.Setenv("OTEL_LOGS_EXPORTER", "none")
	tel, err := Start(context.Background(), Options{Getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	hubs := tel.EventHubTracer()
	r := httptest.NewRequest("GET", "http://gw.test/orders", nil)
	r.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	r.Header.Set("Tracestate", "vendor=1")
	ctx, req := tel.Tracer().StartRequest(r)
	parent, ok := hubs.Parent(ctx)
	if !ok {
		t.Fatal("a sampled request is no parent")
	}
	start := time.Now().Add(-time.Second)
	hubs.Failed(parent, "orders-log", "orders", start, errors.New("broker down"))
	req.End(&gateway.LogRecord{TimeGenerated: time.Now(), Method: "GET", ResponseCode: 200}, "/orders")

	// A request that is not sampled is no parent.
	unsampled := httptest.NewRequest("GET", "http://gw.test/orders", nil)
	unsampled.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")
	ctx2, req2 := tel.Tracer().StartRequest(unsampled)
	if _, ok := hubs.Parent(ctx2); ok {
		t.Error("a request not sampled is a parent")
	}
	req2.End(&gateway.LogRecord{TimeGenerated: time.Now(), Method: "GET", ResponseCode: 200}, "/orders")
	if _, ok := hubs.Parent(context.Background()); ok {
		t.Error("a context without a request is a parent")
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	server := rc.span("GET /orders")
	sent := rc.spansWith(keyMessagingDestination, "orders")
	if server == nil || len(sent) != 1 {
		t.Fatalf("server span %v and %d producer spans, want one and one", server, len(sent))
	}
	s := sent[0]
	if s.Name != "send orders" || s.Kind != tracepb.Span_SPAN_KIND_PRODUCER || !bytes.Equal(s.ParentSpanId, server.SpanId) ||
		!bytes.Equal(s.TraceId, server.TraceId) || s.TraceState != "vendor=1" || attr(s.Attributes, keyMessagingSystem) != "kafka" ||
		attr(s.Attributes, string(AttrLogger)) != "orders-log" || attr(s.Attributes, string(AttrPolicy)) != "log-to-eventhub" ||
		s.StartTimeUnixNano != uint64(start.UnixNano()) || s.EndTimeUnixNano <= s.StartTimeUnixNano {
		t.Errorf("producer span %v", s)
	}
	if s.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || len(s.Events) != 1 ||
		attr(s.Events[0].Attributes, "exception.message") != "broker down" {
		t.Errorf("failed message's span: status %v, events %v", s.Status, s.Events)
	}
	var off *Telemetry
	if off.EventHubTracer() != nil {
		t.Error("a tracer without telemetry")
	}
}

// Spans and log records are encoded as protobuf's own marshalling encodes
// them (fields in order, every length in the fewest bytes), whatever the
// number of bytes their lengths take: the encoder reserves room for the
// lengths and moves a message only when its length needs another size.
func TestEncodingIsCanonical(t *testing.T) {
	canonical := func(what string, b []byte, m proto.Message) {
		t.Helper()
		if err := proto.Unmarshal(b, m); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		want, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s: encoded\n%x\nwant\n%x", what, b, want)
		}
	}
	for _, n := range []int{0, 10, 100, 127, 128, 200, 16000, 16384, 20000, 3 << 20} {
		s := newSpan()
		s.traceID, s.spanID, s.sampled = newTraceID(), newSpanID(), true
		s.kind, s.name = kindClient, "GET"
		s.start = time.Now()
		s.end = s.start.Add(time.Millisecond)
		s.setURLFull(&url.URL{Scheme: "http", Host: "backend.test", Path: "/" + strings.Repeat("p", n)})
		s.setString(keyMethod, "GET")
		s.setInt(keyStatusCode, 200)
		if n > 0 {
			s.setString("k", strings.Repeat("v", n/2))
		}
		if n == 0 {
			s.nattrs = 0 // a span of fewer than 128 bytes
			s.kind, s.start, s.end = 0, time.Time{}, time.Time{}
		}
		var scope tracepb.ScopeSpans
		canonical(fmt.Sprintf("span with %d bytes of attributes", n), appendSpan([]byte{}, s), &scope)
		if n == 0 && len(appendSpan(nil, s)) >= 128 {
			t.Errorf("the small span takes %d bytes", len(appendSpan(nil, s)))
		}
		releaseSpan(s)

		r := logRecord{time: time.Now(), traceID: newTraceID(), spanID: newSpanID(), sampled: true, severity: severityInfo,
			severityText: "Information", body: strings.Repeat("b", n), attrs: []spanAttr{{key: "tier", str: "gold"}}}
		var logs logspb.ScopeLogs
		canonical(fmt.Sprintf("log record with a body of %d bytes", n), appendLogRecord([]byte{}, &r), &logs)
	}
}

// splitHostPort reads hosts with and without a port, bracketed or not.
func TestSplitHostPort(t *testing.T) {
	for in, want := range map[string]string{"gw.test": "gw.test 0", "gw.test:8080": "gw.test 8080", "[::1]": "::1 0",
		"[::1]:443": "::1 443", "::1": "::1 0", "[[x]]": "x 0", "": " 0", "[]": " 0", "127.0.0.1:80": "127.0.0.1 80"} {
		if h, p := splitHostPort(in); fmt.Sprint(h, " ", p) != want {
			t.Errorf("splitHostPort(%q) = %q, %d; want %s", in, h, p, want)
		}
	}
	for _, s := range []string{"", "[", "]", "[]", "a", "[a", "a]", "[[a]]", "][a][", "[a]b]"} {
		if got, want := trimBrackets(s), strings.Trim(s, "[]"); got != want {
			t.Errorf("trimBrackets(%q) = %q, want %q", s, got, want)
		}
	}
}

// BenchmarkTracerPerRequest is the tracer's part of one traced request, as
// the gateway calls it: the server span's start, a backend call's span
// with its traceparent, the trace policy's log record and both spans'
// ends, encoded into batches that a collector in process discards.
func BenchmarkTracerPerRequest(b *testing.B) {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	defer collector.Close()
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "OTEL_METRICS_EXPORTER": "none"}
	tel, err := Start(context.Background(), Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		b.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	tr := tel.Tracer()
	req := httptest.NewRequest("GET", "http://gw.example:8080/shop/items/17", nil)
	req.Header.Set("User-Agent", "wrk")
	backend, _ := url.Parse("http://127.0.0.1:9000/items/17")
	rec := gateway.LogRecord{TimeGenerated: time.Now(), TotalTime: time.Millisecond, CorrelationID: "6f1c2d4e-0b7a-4c1e-9e55-3b1f2a9d8c70",
		Method: "GET", ResponseCode: 200, APIID: "shop", APIRevision: "1", OperationID: "get-item", ProductID: "starter",
		APIMSubscriptionID: "sub-1", BackendID: "items",
		TraceRecords: []gateway.TraceRecord{{Source: "inbound", Severity: "information", Message: "item asked"}}}
	h := http.Header{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ctx, span := tr.StartRequest(req)
		span.Routed("shop")
		clear(h)
		call := tr.StartCall(ctx, "forward-request", "GET", backend, h)
		call.End(200, nil, rec.TimeGenerated, rec.TimeGenerated.Add(time.Millisecond))
		_ = span.TraceID()
		span.End(&rec, "/shop/items/{id}")
	}
}
