package admin

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
)

func TestCheckAddr(t *testing.T) {
	for _, c := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:9090", "", true}, {"localhost:9090", "", true}, {"[::1]:9090", "", true},
		{"0.0.0.0:9090", "", false}, {":9090", "", false}, {"10.1.2.3:9090", "", false}, {"0.0.0.0:9090", "t0k3n", true},
	} {
		if err := CheckAddr(c.addr, c.token); (err == nil) != c.ok {
			t.Errorf("CheckAddr(%q, %q) = %v", c.addr, c.token, err)
		}
	}
}

func TestTokenAndEndpoints(t *testing.T) {
	store := capture.NewStore(capture.Options{})
	defer store.Close()
	store.Add(&capture.Pending{Doc: capture.Doc{ID: "abcd-1234", Time: time.Now(), Captured: capture.Failed, Response: capture.Response{Status: 404},
		LastError: &capture.LastError{Source: "configuration", Reason: "OperationNotFound", Cause: "no API path is a prefix of /x"}}})
	store.Flush()
	srv := httptest.NewServer(Handler(Options{Token: "s3cret-token", Captures: store}))
	defer srv.Close()
	get := func(path, auth string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, b.String()
	}
	if code, _ := get("/v1/captures/abcd", ""); code != 401 {
		t.Errorf("no token: %d", code)
	}
	if code, _ := get("/ready", ""); code != 200 {
		t.Errorf("/ready needs no token: %d", code)
	}
	if code, body := get("/v1/why/abcd", "Bearer s3cret-token"); code != 200 || !strings.Contains(body, `"origin":"gateway"`) {
		t.Errorf("why: %d %s", code, body)
	}
	if code, _ := get("/v1/captures/zzzz", "Bearer s3cret-token"); code != 404 {
		t.Errorf("unknown id: %d", code)
	}
	c := &Client{Base: srv.URL, Token: "s3cret-token"}
	if d, err := c.Capture("abcd"); err != nil || d.ID != "abcd-1234" {
		t.Errorf("client: %v %v", d, err)
	}
	if _, err := c.Capture("zzzz"); err != capture.ErrNotFound {
		t.Errorf("client, unknown id: %v", err)
	}
	if docs, err := c.Captures(time.Now().Add(-time.Hour), 10); err != nil || len(docs) != 1 {
		t.Errorf("client list: %d %v", len(docs), err)
	}
	if code, body := get("/v1/failures?since=1h", "Bearer s3cret-token"); code != 200 || !strings.Contains(body, "OperationNotFound") {
		t.Errorf("failures: %d %s", code, body)
	}
	// Go's profiles, behind the token; never the command line, which may
	// carry the token.
	if code, _ := get("/debug/pprof/heap", ""); code != 401 {
		t.Errorf("a profile without the token: %d", code)
	}
	if code, body := get("/debug/pprof/heap", "Bearer s3cret-token"); code != 200 || !strings.HasPrefix(body, "\x1f\x8b") {
		t.Errorf("heap profile: %d, %d bytes, want a gzipped profile", code, len(body))
	}
	if code, body := get("/debug/pprof/profile?seconds=1", "Bearer s3cret-token"); code != 200 || !strings.HasPrefix(body, "\x1f\x8b") {
		t.Errorf("CPU profile: %d, %d bytes", code, len(body))
	}
	if code, body := get("/debug/pprof/cmdline", "Bearer s3cret-token"); code != 404 || strings.Contains(body, os.Args[0]) {
		t.Errorf("cmdline: %d %q", code, body)
	}
}
