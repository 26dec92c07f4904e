package loadbench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/gateway"
)

// TestFolderLoads loads the test folder the way "tollgate run" does and
// serves it in-process: it must load without a diagnostic, accept Key,
// refuse WrongKey with 401, never throttle, and run its three expression
// policies.
func TestFolderLoads(t *testing.T) {
	var mu sync.Mutex
	var seen http.Header
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = r.Header.Clone()
		mu.Unlock()
		Echo().ServeHTTP(w, r)
	}))
	defer backend.Close()

	dir := t.TempDir()
	if err := WriteFolder(dir, backend.URL); err != nil {
		t.Fatal(err)
	}
	snap := loadChecked(t, dir)
	gw, err := gateway.New(snap, gateway.Options{Log: gateway.NewLogWriter(io.Discard)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()

	get := func(key, tier string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/load/items/42", nil)
		req.Header.Set(KeyHeader, key)
		req.Header.Set("X-Tier", tier)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 50 {
		if got := get(Key, "gold"); got != 200 {
			t.Fatalf("request %d with the key: status %d, want 200 (the rate-limit must never throttle)", i, got)
		}
	}
	mu.Lock()
	if got := seen.Get("X-Tier-Route"); got != "gold" {
		t.Errorf("X-Tier-Route at the backend = %q, want gold (the choose policy)", got)
	}
	if got := seen.Get("X-Item-Path"); got != "/load/items/42" {
		t.Errorf("X-Item-Path at the backend = %q, want /load/items/42 (the set-header from the path)", got)
	}
	mu.Unlock()
	if got := get(Key, "silver"); got != 200 {
		t.Fatalf("status %d, want 200", got)
	}
	mu.Lock()
	if got := seen.Get("X-Tier-Route"); got != "standard" {
		t.Errorf("X-Tier-Route at the backend = %q, want standard (the choose policy's otherwise)", got)
	}
	mu.Unlock()
	if got := get(WrongKey, "gold"); got != 401 {
		t.Errorf("request with the wrong key: status %d, want 401", got)
	}

	// The bare proxy answers the same.
	bare := startBare(t)
	for _, c := range []struct {
		key  string
		want int
	}{{Key, 200}, {WrongKey, 401}, {"", 401}} {
		req, _ := http.NewRequest("GET", bare+"/load/items/42", nil)
		if c.key != "" {
			req.Header.Set(KeyHeader, c.key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("bare proxy, key %q: status %d, want %d", c.key, resp.StatusCode, c.want)
		}
	}
}

func TestEcho(t *testing.T) {
	srv := httptest.NewServer(Echo())
	defer srv.Close()
	for _, c := range []struct {
		query      string
		wantStatus int
		wantLen    int
	}{{"", 200, len(smallAnswer)}, {"?size=65536", 200, 65536}, {"?size=0", 200, 0},
		{"?size=-1", 400, -1}, {"?size=x", 400, -1}, {"?size=2000000", 400, -1}} {
		resp, err := http.Get(srv.URL + "/load/items/42" + c.query)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.wantStatus || c.wantLen >= 0 && len(body) != c.wantLen {
			t.Errorf("%s: status %d with %d bytes, want %d with %d", c.query, resp.StatusCode, len(body), c.wantStatus, c.wantLen)
		}
		if resp.StatusCode == 200 && resp.Header.Get("X-Echo-Path") != "/load/items/42" {
			t.Errorf("%s: X-Echo-Path %q", c.query, resp.Header.Get("X-Echo-Path"))
		}
	}
}

// loadChecked loads the folder dir as tollgate check does and fails the
// test on any diagnostic.
func loadChecked(t *testing.T, dir string) *config.Snapshot {
	t.Helper()
	snap, diags := gateway.LoadFolder(dir, config.Options{})
	if !diags.HasErrors() {
		diags.Append(gateway.Check(snap))
	}
	for _, d := range diags {
		t.Errorf("diagnostic: %s", d)
	}
	if diags.HasErrors() {
		t.FailNow()
	}
	return snap
}
