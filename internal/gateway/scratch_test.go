package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// recordingTransport answers 200 at once, or the status in the request's
// X-Status header, and keeps the headers of every backend request.
type recordingTransport struct {
	mu      sync.Mutex
	headers []http.Header
}

func (t *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.headers = append(t.headers, r.Header.Clone())
	t.mu.Unlock()
	status := 200
	if r.Header.Get("X-Status") == "503" {
		status = 503
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: 2, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
}

func (t *recordingTransport) last() http.Header {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.headers[len(t.headers)-1]
}

// scratchGateway serves the load harness's folder with an API policy that
// reads what a pooled exchange reuses: headers, variables, matched
// parameters, the URL.
func scratchGateway(t *testing.T, rt http.RoundTripper, opts Options) *Gateway {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for k, v := range loadFolder {
		files[k] = v
	}
	files["apis/load/policy.xml"] = `<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Headers.ContainsKey(&quot;X-A&quot;))">
        <set-variable name="a" value="@(context.Request.Headers.GetValueOrDefault(&quot;X-A&quot;, &quot;&quot;))" />
        <set-variable name="url" value="@(context.Request.Url)" />
        <set-header name="X-A" exists-action="append"><value>appended</value></set-header>
      </when>
    </choose>
    <set-header name="X-Vars" exists-action="override">
      <value>@(context.Variables.ContainsKey("a") ? "a=" + (string)context.Variables["a"] : "none")</value>
    </set-header>
    <set-header name="X-Id" exists-action="override">
      <value>@(context.Request.MatchedParameters["id"] + " " + context.Request.Url.Path)</value>
    </set-header>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`
	for rel, s := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	diags.Append(pd)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	snap.Policies = pols
	opts.Transport = rt
	gw, err := New(snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	return gw
}

// serveInProcess serves GET path with the harness's subscription key,
// unless headers give another.
func serveInProcess(gw *Gateway, path string, headers ...string) (*http.Request, *httptest.ResponseRecorder) {
	req := httptest.NewRequest("GET", "http://gw"+path, nil)
	req.Header.Set(keyHeader, "load-test-key-0123456789")
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == keyHeader {
			req.Header.Del(keyHeader)
		}
		req.Header.Add(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	gw.ServeHTTP(w, req)
	return req, w
}

// A pooled exchange reuses its memory: nothing of one request may show in
// the next, and the caller's request is never changed.
func TestPooledExchangeKeepsNothingBetweenRequests(t *testing.T) {
	rt := &recordingTransport{}
	gw := scratchGateway(t, rt, Options{})
	for range 3 {
		req, w := serveInProcess(gw, "/load/items/1", "X-A", "first")
		if w.Code != 200 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		got := rt.last()
		if got.Get("X-Vars") != "a=first" || got.Get("X-Id") != "1 /load/items/1" || strings.Join(got.Values("X-A"), ",") != "first,appended" {
			t.Errorf("first request: backend saw X-Vars %q, X-Id %q, X-A %q", got.Get("X-Vars"), got.Get("X-Id"), got.Values("X-A"))
		}
		if v := req.Header.Values("X-A"); len(v) != 1 || v[0] != "first" || req.Header.Get("X-Vars") != "" || req.Header.Get("Host") != "" {
			t.Errorf("the policies changed the caller's request headers: %v", req.Header)
		}

		_, w = serveInProcess(gw, "/load/items/2")
		if w.Code != 200 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		got = rt.last()
		if got.Get("X-Vars") != "none" || got.Get("X-Id") != "2 /load/items/2" || got.Get("X-A") != "" {
			t.Errorf("second request: backend saw X-Vars %q, X-Id %q, X-A %q", got.Get("X-Vars"), got.Get("X-Id"), got.Values("X-A"))
		}
	}
}

// A captured request's trace is read after its exchange served other
// requests: its messages say what happened to it.
func TestCapturedTraceOutlivesThePooledExchange(t *testing.T) {
	store := capture.NewStore(capture.Options{})
	defer store.Close()
	gw := scratchGateway(t, &recordingTransport{}, Options{Capture: store})
	_, failed := serveInProcess(gw, "/load/items/first-id", "X-A", "first", "X-Status", "503")
	if failed.Code != 503 {
		t.Fatalf("status %d: %s", failed.Code, failed.Body)
	}
	for range 20 {
		serveInProcess(gw, "/load/items/other-id", "X-A", "other")
	}
	store.Flush()
	d, err := store.Capture(failed.Header().Get(CorrelationHeader))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, st := range d.Steps {
		b.WriteString(st.Message + "\n")
	}
	trace := b.String()
	for _, want := range []string{`context.Variables["a"] = "first"`, `context.Variables["url"] = "http://backend.test/load/items/first-id"`, "header X-Id set: first-id /load/items/first-id"} {
		if !strings.Contains(trace, want) {
			t.Errorf("the captured trace lacks %s:\n%s", want, trace)
		}
	}
	if strings.Contains(trace, "other") {
		t.Errorf("the captured trace shows another request's values:\n%s", trace)
	}
}

// A trace the caller asked for (Ocp-Apim-Trace) is read after its exchange
// served other requests, too.
func TestRequestedTraceOutlivesThePooledExchange(t *testing.T) {
	traces := reqtrace.NewStore(10)
	gw := scratchGateway(t, &recordingTransport{}, Options{Traces: traces, AllAccessKey: "all-access-key-0123456789"})
	_, w := serveInProcess(gw, "/load/items/first-id", keyHeader, "all-access-key-0123456789", "Ocp-Apim-Trace", "true", "X-A", "first")
	if w.Code != 200 || w.Header().Get("Ocp-Apim-Trace-Location") == "" {
		t.Fatalf("status %d, trace location %q", w.Code, w.Header().Get("Ocp-Apim-Trace-Location"))
	}
	for range 20 {
		serveInProcess(gw, "/load/items/other-id", "X-A", "other")
	}
	tr := gw.Trace(w.Header().Get(CorrelationHeader))
	if tr == nil {
		t.Fatal("no trace kept")
	}
	var b strings.Builder
	tr.WriteText(&b)
	if !strings.Contains(b.String(), `context.Variables["url"] = "http://backend.test/load/items/first-id"`) || strings.Contains(b.String(), "other-id") {
		t.Errorf("the requested trace does not say what happened to its request:\n%s", b.String())
	}
}
