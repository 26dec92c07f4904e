package console_test

import (
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/admin"
	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// The secrets the tests use; none may appear in anything the console
// serves.
const (
	primaryKey   = "gold-team-primary-key-7f3a9c"
	secondaryKey = "gold-team-secondary-key-2b8d4e"
	bearerToken  = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvbi1jYWxsIn0.c2lnbmF0dXJlLXNlY3JldC0xMjM0"
	namedSecret  = "named-value-secret-5c1e0f"
	adminToken   = "admin-token-for-the-console-9d2a"
	allAccessKey = "all-access-key-0b6f2e77"
)

var secrets = []string{primaryKey, secondaryKey, bearerToken, namedSecret, adminToken, allAccessKey}

// env is a real gateway over testdata/shop with a loopback backend, its
// capture store and log, and the admin listener with the console.
type env struct {
	gateway *httptest.Server
	admin   *httptest.Server
	store   *capture.Store
	logs    *logQuery
	snap    *config.Snapshot
	// tenantFailure is the id of a request the operation's check-header
	// refused.
	tenantFailure string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	snap, dir := shop(t)
	e := &env{logs: &logQuery{}, snap: snap}
	e.store = capture.NewStore(capture.Options{Config: func() capture.Config { return capture.Config{Dir: dir} }})
	t.Cleanup(e.store.Close)
	gw, err := gateway.New(snap, gateway.Options{AllAccessKey: allAccessKey, Log: gateway.NewLogWriter(e.logs), Capture: e.store, Traces: reqtrace.NewStore(10)})
	if err != nil {
		t.Fatal(err)
	}
	e.gateway = httptest.NewServer(gw)
	t.Cleanup(e.gateway.Close)

	ui := console.Handler(console.Options{
		Captures: e.store, Query: console.HandlerQuerier(e.logs), Token: adminToken,
		Config: func() *config.Snapshot { return snap }, Check: gateway.Check,
	})
	e.admin = httptest.NewServer(admin.Handler(admin.Options{Token: adminToken, Captures: e.store, Query: e.logs, Mount: map[string]http.Handler{"/": ui}}))
	t.Cleanup(e.admin.Close)
	e.traffic(t)
	return e
}

// shop loads testdata/shop into a temporary folder, with a loopback
// backend for its APIs, and returns the snapshot and the folder.
func shop(t testing.TB) (*config.Snapshot, string) {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/500") {
			http.Error(w, "the order service failed", 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"42","total":12.5}`)
	}))
	t.Cleanup(backend.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()

	dir := t.TempDir()
	err = filepath.WalkDir("testdata/shop", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/shop", p)
		to := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := strings.NewReplacer("$BACKEND$", backend.URL, "$DOWN$", down).Replace(string(b))
		return os.WriteFile(to, []byte(s), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(name string) string {
		if strings.HasPrefix(name, "TOLLGATE_NAMED_VALUE_") && strings.Contains(name, "BACKEND") {
			return namedSecret
		}
		return ""
	}
	snap, diags := gateway.LoadFolder(dir, config.Options{Env: getenv})
	if diags.HasErrors() {
		t.Fatalf("loading the test folder:\n%s", diags)
	}
	return snap, dir
}

// traffic sends failing and successful requests: every ErrorCategory but
// Access Denied.
func (e *env) traffic(t testing.TB) {
	t.Helper()
	key := "Ocp-Apim-Subscription-Key"
	send := func(want int, method, path string, headers ...string) string {
		t.Helper()
		req, _ := http.NewRequest(method, e.gateway.URL+path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s %s: status %d, want %d", method, path, resp.StatusCode, want)
		}
		return resp.Header.Get(gateway.CorrelationHeader)
	}
	send(401, "GET", "/orders/orders")
	send(401, "GET", "/orders/orders?x=1")
	send(401, "GET", "/orders/orders", "Authorization", "Bearer "+primaryKey)
	e.tenantFailure = send(401, "GET", "/orders/orders/42", key, primaryKey, "Authorization", "Bearer "+bearerToken)
	send(401, "GET", "/orders/orders/43?subscription-key="+primaryKey)
	send(200, "GET", "/orders/orders/42", key, primaryKey, "X-Tenant", "contoso")
	send(200, "GET", "/orders/orders", key, primaryKey)
	send(500, "GET", "/orders/orders/500", key, primaryKey, "X-Tenant", "contoso")
	send(500, "GET", "/legacy/status")
	for range 3 {
		send(200, "GET", "/orders/orders", key, primaryKey)
	}
	send(429, "GET", "/orders/orders", key, primaryKey)
	send(429, "GET", "/orders/orders/42", key, primaryKey, "X-Tenant", "contoso")
	send(404, "GET", "/nowhere", key, secondaryKey)
	e.store.Flush()
}

// get fetches a console page with the admin token.
func (e *env) get(t testing.TB, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.admin.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// snapHorizon is a time before every request of the test.
func (e *env) snapHorizon() time.Time { return time.Now().Add(-time.Hour) }
