package gateway

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/config"
)

// backendCall is what the recording backend saw.
type backendCall struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   string
}

// recorder is a loopback backend that records every call and answers with
// the status given in the "status" query parameter (200 by default).
type recorder struct {
	mu    sync.Mutex
	calls []backendCall
	srv   *httptest.Server
}

func newRecorder(t *testing.T) *recorder { return newAnsweringRecorder(t, nil) }

// newAnsweringRecorder is a recorder that answers each call with the status
// and JSON body answer gives for its path (a body of "" is no body); a nil
// answer is newRecorder's.
func newAnsweringRecorder(t *testing.T, answer func(path string) (int, string)) *recorder {
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.calls = append(rec.calls, backendCall{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), string(body)})
		rec.mu.Unlock()
		if answer != nil {
			status, body := answer(r.URL.Path)
			if body != "" {
				w.Header().Set("Content-Type", "application/json")
			}
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		}
		if d := r.URL.Query().Get("sleep"); d != "" {
			pause, _ := time.ParseDuration(d)
			select {
			case <-time.After(pause):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("X-Backend", "recorder")
		w.Header().Set("Content-Type", "text/plain")
		switch r.URL.Query().Get("status") {
		case "500":
			w.WriteHeader(500)
			io.WriteString(w, "backend exploded")
			return
		}
		io.WriteString(w, "hello from "+r.URL.EscapedPath())
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *recorder) last(t *testing.T) backendCall {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		t.Fatal("the backend was not called")
	}
	return r.calls[len(r.calls)-1]
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// closedURL returns the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// copyTree copies testdata/name into a temporary folder, replacing the
// placeholders $BACKEND$ and $DOWN$ in every file.
func copyTree(t testing.TB, name string, repl map[string]string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(b)
		for k, v := range repl {
			s = strings.ReplaceAll(s, k, v)
		}
		return os.WriteFile(target, []byte(s), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// harness is a gateway serving testdata/shop on loopback.
type harness struct {
	backend *recorder
	gw      *Gateway
	srv     *httptest.Server
	logs    *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// lastLine returns the last line written, without its newline.
func (s *syncBuffer) lastLine() string {
	s.mu.Lock()
	all := strings.TrimSpace(s.b.String())
	s.mu.Unlock()
	return all[strings.LastIndex(all, "\n")+1:]
}

func (s *syncBuffer) lines() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			panic("log line is not JSON: " + sc.Text())
		}
		out = append(out, m)
	}
	return out
}

const testAllAccessKey = "all-access-test-key-0000"

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	h := &harness{backend: newRecorder(t), logs: &syncBuffer{}}
	dir := copyTree(t, "shop", map[string]string{"$BACKEND$": h.backend.srv.URL, "$DOWN$": closedURL(t)})
	snap, diags := config.Load(dir, config.Options{})
	if diags.HasErrors() {
		t.Fatalf("loading testdata/shop:\n%s", diags)
	}
	snap.Policies, diags = config.LoadPolicies(snap, PolicyOptions())
	if diags.HasErrors() {
		t.Fatalf("loading the policies of testdata/shop:\n%s", diags)
	}
	opts.AllAccessKey = testAllAccessKey
	opts.Log = NewLogWriter(h.logs)
	gw, err := New(snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	h.gw = gw
	h.srv = httptest.NewServer(gw)
	t.Cleanup(h.srv.Close)
	return h
}

type response struct {
	status int
	header http.Header
	body   string
}

func (h *harness) do(t *testing.T, method, path string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

const (
	keyHeader     = "Ocp-Apim-Subscription-Key"
	goldKey       = "gold-team-primary-key-000000"
	goldSecondary = "gold-team-secondary-key-00000"
	bodyMissing   = `{ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }`
	bodyInvalid   = `{ "statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }`
	bodyNotFound  = `{ "statusCode": 404, "message": "Resource not found" }`
)

func TestGatewayAPIMBehaviour(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		name       string
		method     string
		path       string
		headers    []string
		wantStatus int
		wantBody   string // exact, when set
		wantPath   string // backend path+query, when the backend must be called
		wantReason string // LastErrorReason in the log line
		wantCause  string // substring of LastErrorCause
	}{
		{name: "missing key", method: "GET", path: "/orders/orders", wantStatus: 401, wantBody: bodyMissing, wantReason: "SubscriptionKeyNotFound"},
		{name: "key as bearer token", method: "GET", path: "/orders/orders", headers: []string{"Authorization", "Bearer " + goldKey},
			wantStatus: 401, wantBody: bodyMissing, wantReason: "SubscriptionKeyNotFound", wantCause: "Authorization header carries a subscription key"},
		{name: "invalid key", method: "GET", path: "/orders/orders", headers: []string{keyHeader, "no-such-key-at-all"},
			wantStatus: 401, wantBody: bodyInvalid, wantReason: "SubscriptionKeyInvalid", wantCause: "belongs to no subscription"},
		{name: "suspended subscription", method: "GET", path: "/orders/orders", headers: []string{keyHeader, "gold-paused-primary-key-000000"},
			wantStatus: 401, wantBody: bodyInvalid, wantReason: "SubscriptionKeyInvalid", wantCause: "which is suspended"},
		{name: "cancelled all-APIs subscription", method: "GET", path: "/orders/orders", headers: []string{keyHeader, "cancelled-everything-primary-key-000000"},
			wantStatus: 401, wantBody: bodyInvalid, wantReason: "SubscriptionKeyInvalid", wantCause: "which is cancelled"},
		{name: "product key for an API outside the product", method: "GET", path: "/orders/orders", headers: []string{keyHeader, "bronze-team-primary-key-000000"},
			wantStatus: 401, wantBody: bodyInvalid, wantReason: "SubscriptionKeyInvalid", wantCause: "does not contain API orders; products that contain it: gold"},
		{name: "API-scoped key on another API", method: "GET", path: "/inventory/items", headers: []string{"X-Inventory-Key", "orders-only-primary-key-000000"},
			wantStatus: 401, wantBody: bodyInvalid, wantReason: "SubscriptionKeyInvalid", wantCause: "scoped to API orders"},
		{name: "product key", method: "GET", path: "/orders/orders?x=1", headers: []string{keyHeader, goldKey}, wantStatus: 200, wantPath: "/orders-r1/orders?x=1"},
		{name: "secondary key", method: "GET", path: "/orders/orders", headers: []string{keyHeader, goldSecondary}, wantStatus: 200, wantPath: "/orders-r1/orders"},
		{name: "query-string key", method: "GET", path: "/orders/orders?subscription-key=" + goldKey, wantStatus: 200, wantPath: "/orders-r1/orders?subscription-key=" + goldKey},
		{name: "API-scoped key", method: "GET", path: "/orders/orders/17", headers: []string{keyHeader, "orders-only-primary-key-000000"}, wantStatus: 200, wantPath: "/orders-r1/orders/17"},
		{name: "all-APIs key", method: "GET", path: "/inventory/items", headers: []string{"X-Inventory-Key", "everything-primary-key-000000"}, wantStatus: 200, wantPath: "/inventory/items"},
		{name: "all-access key", method: "GET", path: "/legacy/report?status=1", headers: []string{keyHeader, testAllAccessKey},
			wantStatus: 500, wantReason: "BackendConnectionFailure", wantCause: "connection refused"},
		{name: "renamed header", method: "GET", path: "/inventory/items", headers: []string{"X-Inventory-Key", goldKey}, wantStatus: 200, wantPath: "/inventory/items"},
		{name: "renamed header, key sent in the default header", method: "GET", path: "/inventory/items", headers: []string{keyHeader, goldKey},
			wantStatus: 401, wantBody: bodyMissing, wantReason: "SubscriptionKeyNotFound", wantCause: "reads it from X-Inventory-Key"},
		{name: "renamed query parameter", method: "GET", path: "/inventory/items?inventory-key=" + goldKey, wantStatus: 200, wantPath: "/inventory/items?inventory-key=" + goldKey},
		{name: "open API without key", method: "GET", path: "/public/ping", wantStatus: 200, wantPath: "/public/ping"},
		{name: "open API with an invalid key", method: "GET", path: "/public/ping", headers: []string{keyHeader, "wrong"}, wantStatus: 401, wantBody: bodyInvalid, wantReason: "SubscriptionKeyInvalid"},
		{name: "unknown path", method: "GET", path: "/nothing/here", headers: []string{keyHeader, goldKey}, wantStatus: 404, wantBody: bodyNotFound, wantReason: "OperationNotFound", wantCause: "no API path is a prefix"},
		{name: "unknown operation", method: "GET", path: "/orders/customers", headers: []string{keyHeader, goldKey}, wantStatus: 404, wantBody: bodyNotFound, wantReason: "OperationNotFound", wantCause: "no operation template matches"},
		{name: "wrong method", method: "DELETE", path: "/orders/orders", headers: []string{keyHeader, goldKey}, wantStatus: 404, wantBody: bodyNotFound, wantReason: "OperationNotFound", wantCause: "none for method DELETE"},
		{name: "wrong method is reported before the key", method: "DELETE", path: "/orders/orders", wantStatus: 404, wantBody: bodyNotFound, wantReason: "OperationNotFound"},
		{name: "literal segment wins over template", method: "GET", path: "/orders/orders/latest", headers: []string{keyHeader, goldKey}, wantStatus: 200, wantPath: "/orders-r1/orders/latest"},
		{name: "path is case-insensitive", method: "GET", path: "/ORDERS/Orders", headers: []string{keyHeader, goldKey}, wantStatus: 200, wantPath: "/orders-r1/Orders"},
		{name: "segment version v1", method: "GET", path: "/pets/v1/pets/7", headers: []string{keyHeader, goldKey}, wantStatus: 200, wantPath: "/pets-v1/pets/7"},
		{name: "segment version v2", method: "GET", path: "/pets/v2/pets/7", headers: []string{keyHeader, goldKey}, wantStatus: 200, wantPath: "/pets-v2/pets/7"},
		{name: "unknown version", method: "GET", path: "/pets/v9/pets/7", headers: []string{keyHeader, goldKey}, wantStatus: 404, wantBody: bodyNotFound, wantReason: "OperationNotFound", wantCause: "no Original version"},
		{name: "query version", method: "GET", path: "/weather/forecast?api-version=2024-01-01", headers: []string{keyHeader, goldKey}, wantStatus: 200, wantPath: "/weather-2024/forecast?api-version=2024-01-01"},
		{name: "query version missing", method: "GET", path: "/weather/forecast", headers: []string{keyHeader, goldKey}, wantStatus: 404, wantBody: bodyNotFound, wantReason: "OperationNotFound", wantCause: "?api-version=<version>"},
		{name: "header version: Original without the header", method: "GET", path: "/reports/daily/mon", headers: []string{keyHeader, goldKey}, wantStatus: 200, wantPath: "/reports-original/daily/mon"},
		{name: "header version 2", method: "GET", path: "/reports/daily/mon", headers: []string{keyHeader, goldKey, "Api-Version", "2"}, wantStatus: 200, wantPath: "/reports-v2/daily/mon"},
		{name: "header version unknown", method: "GET", path: "/reports/daily/mon", headers: []string{keyHeader, goldKey, "Api-Version", "9"},
			wantStatus: 404, wantBody: bodyNotFound, wantReason: "OperationNotFound", wantCause: `no API in its version set has version "9"`},
		{name: "non-current revision", method: "GET", path: "/orders;rev=2/orders/5/lines", headers: []string{keyHeader, goldKey}, wantStatus: 200, wantPath: "/orders-r2/orders/5/lines"},
		{name: "operation only in revision 2", method: "GET", path: "/orders/orders/5/lines", headers: []string{keyHeader, goldKey}, wantStatus: 404, wantBody: bodyNotFound, wantReason: "OperationNotFound"},
		{name: "unknown revision", method: "GET", path: "/orders;rev=7/orders", headers: []string{keyHeader, goldKey}, wantStatus: 404, wantBody: bodyNotFound, wantReason: "OperationNotFound", wantCause: "no online revision 7"},
		{name: "backend 500 passed through", method: "GET", path: "/orders/orders?status=500", headers: []string{keyHeader, goldKey}, wantStatus: 500, wantBody: "backend exploded", wantPath: "/orders-r1/orders?status=500"},
		{name: "backend down", method: "GET", path: "/legacy/report", headers: []string{keyHeader, goldKey}, wantStatus: 500, wantReason: "BackendConnectionFailure", wantCause: "connection refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := h.backend.count()
			logsBefore := len(h.logs.lines())
			got := h.do(t, tc.method, tc.path, tc.headers...)
			if got.status != tc.wantStatus {
				t.Errorf("status = %d, want %d (body %s)", got.status, tc.wantStatus, got.body)
			}
			if tc.wantBody != "" && got.body != tc.wantBody {
				t.Errorf("body = %s\nwant   %s", got.body, tc.wantBody)
			}
			if tc.wantPath != "" {
				call := h.backend.last(t)
				gotPath := call.Path
				if call.Query != "" {
					gotPath += "?" + call.Query
				}
				if gotPath != tc.wantPath {
					t.Errorf("backend got %s, want %s", gotPath, tc.wantPath)
				}
			} else if h.backend.count() != before {
				t.Errorf("the backend was called, but must not be")
			}
			id := got.header.Get(CorrelationHeader)
			lines := h.logs.lines()
			if len(lines) != logsBefore+1 {
				t.Fatalf("got %d new log lines, want 1", len(lines)-logsBefore)
			}
			line := lines[len(lines)-1]
			if line["CorrelationId"] != id || len(id) != 36 {
				t.Errorf("log CorrelationId %v, response header %q", line["CorrelationId"], id)
			}
			if int(line["ResponseCode"].(float64)) != tc.wantStatus {
				t.Errorf("log ResponseCode %v, want %d", line["ResponseCode"], tc.wantStatus)
			}
			if line["LastErrorReason"] != tc.wantReason {
				t.Errorf("log LastErrorReason %q, want %q", line["LastErrorReason"], tc.wantReason)
			}
			if tc.wantCause != "" && !strings.Contains(line["LastErrorCause"].(string), tc.wantCause) {
				t.Errorf("log LastErrorCause %q, want it to contain %q", line["LastErrorCause"], tc.wantCause)
			}
			for _, col := range []string{"TimeGenerated", "CorrelationId", "ApiId", "ApiRevision", "OperationId", "ProductId",
				"ApimSubscriptionId", "Method", "Url", "BackendMethod", "BackendUrl", "ResponseCode", "BackendResponseCode",
				"RequestSize", "ResponseSize", "TotalTime", "BackendTime", "ClientTime", "CallerIpAddress", "IsRequestSuccess",
				"LastErrorSource", "LastErrorReason", "LastErrorMessage", "LastErrorSection"} {
				if _, ok := line[col]; !ok {
					t.Errorf("log line lacks column %s", col)
				}
			}
			if s, _ := line["Url"].(string); strings.Contains(s, goldKey) {
				t.Errorf("log Url reveals the subscription key: %s", s)
			}
			if s, _ := line["BackendUrl"].(string); strings.Contains(s, goldKey) {
				t.Errorf("log BackendUrl reveals the subscription key: %s", s)
			}
		})
	}
}

func TestLogColumnsForAProductCall(t *testing.T) {
	h := newHarness(t, Options{})
	got := h.do(t, "GET", "/orders;rev=2/orders?a=b", keyHeader, goldKey)
	if got.status != 200 {
		t.Fatalf("status %d: %s", got.status, got.body)
	}
	line := h.logs.lines()[0]
	want := map[string]any{
		"ApiId": "orders;rev=2", "ApiRevision": "2", "OperationId": "list-orders", "ProductId": "gold",
		"ApimSubscriptionId": "gold-team", "Method": "GET", "BackendMethod": "GET",
		"BackendUrl": h.backend.srv.URL + "/orders-r2/orders?a=b", "ResponseCode": 200.0, "BackendResponseCode": 200.0,
		"CallerIpAddress": "127.0.0.1", "IsRequestSuccess": true, "LastErrorReason": "",
		"Url": h.srv.URL + "/orders;rev=2/orders?a=b",
	}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %#v, want %#v", k, line[k], v)
		}
	}
	if line["ResponseSize"].(float64) != float64(len(got.body)) {
		t.Errorf("ResponseSize %v, body has %d bytes", line["ResponseSize"], len(got.body))
	}
}

func TestForwardedHeaders(t *testing.T) {
	h := newHarness(t, Options{})
	got := h.do(t, "GET", "/orders/orders", keyHeader, goldKey, "X-Forwarded-For", "203.0.113.9",
		"Connection", "X-Hop", "X-Hop", "secret-hop", "X-Custom", "kept", "Keep-Alive", "timeout=5")
	if got.status != 200 {
		t.Fatalf("status %d", got.status)
	}
	call := h.backend.last(t)
	if xff := call.Header.Get("X-Forwarded-For"); xff != "203.0.113.9, 127.0.0.1" {
		t.Errorf("X-Forwarded-For = %q", xff)
	}
	for _, hop := range []string{"X-Hop", "Keep-Alive"} {
		if v := call.Header.Get(hop); v != "" {
			t.Errorf("hop-by-hop header %s forwarded: %q", hop, v)
		}
	}
	if call.Header.Get("X-Custom") != "kept" || call.Header.Get(keyHeader) != goldKey {
		t.Errorf("end-to-end headers not forwarded: %v", call.Header)
	}
	if got.header.Get("X-Backend") != "recorder" {
		t.Errorf("backend response header not passed through: %v", got.header)
	}
}

func TestRequestBodyStreamsToBackend(t *testing.T) {
	h := newHarness(t, Options{})
	payload := strings.Repeat("0123456789", 100_000)
	req, _ := http.NewRequest("POST", h.srv.URL+"/orders/orders", strings.NewReader(payload))
	req.Header.Set(keyHeader, goldKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if call := h.backend.last(t); call.Body != payload {
		t.Errorf("backend got %d bytes, want %d", len(call.Body), len(payload))
	}
	line := h.logs.lines()[0]
	if line["RequestSize"].(float64) != float64(len(payload)) {
		t.Errorf("RequestSize = %v, want %d", line["RequestSize"], len(payload))
	}
}

func TestBackendTimeout(t *testing.T) {
	h := newHarness(t, Options{BackendTimeout: 200 * time.Millisecond})
	got := h.do(t, "GET", "/orders/orders?sleep=5s", keyHeader, goldKey)
	if got.status != 500 || !strings.Contains(got.body, `"message": "Internal server error"`) {
		t.Fatalf("got %d %s", got.status, got.body)
	}
	line := h.logs.lines()[0]
	if line["LastErrorReason"] != "Timeout" || line["LastErrorSource"] != "forward-request" || line["LastErrorSection"] != "backend" {
		t.Errorf("log: %v", line)
	}
}

func TestClientAbortIsRecorded(t *testing.T) {
	h := newHarness(t, Options{})
	conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "GET /orders/orders?sleep=10s HTTP/1.1\r\nHost: x\r\n"+keyHeader+": "+goldKey+"\r\n\r\n")
	// Wait until the backend has the request, then hang up.
	deadline := time.Now().Add(5 * time.Second)
	for h.backend.count() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	conn.Close()
	for len(h.logs.lines()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	lines := h.logs.lines()
	if len(lines) != 1 {
		t.Fatalf("got %d log lines", len(lines))
	}
	if lines[0]["LastErrorReason"] != "ClientConnectionFailure" || lines[0]["ResponseCode"] != 0.0 {
		t.Errorf("log: %v", lines[0])
	}
}

func TestHealthEndpoint(t *testing.T) {
	h := newHarness(t, Options{})
	if got := h.do(t, "GET", HealthPath); got.status != 200 {
		t.Errorf("status %d", got.status)
	}
}

func TestFailedSwapKeepsServing(t *testing.T) {
	h := newHarness(t, Options{})
	bad := &config.Snapshot{APIs: []*config.API{{ID: "x", Name: "x", Path: "x", ServiceURL: "not a url", IsCurrent: true, IsOnline: true}}}
	if err := h.gw.Swap(bad); err == nil {
		t.Fatal("Swap accepted a configuration with an invalid serviceUrl")
	}
	if got := h.do(t, "GET", "/orders/orders", keyHeader, goldKey); got.status != 200 {
		t.Errorf("after a failed swap: status %d", got.status)
	}
}
