package gateway

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
)

// The backend sees the caller's Accept-Encoding, and the caller gets the
// body as the backend encoded it: the gateway neither asks for gzip nor
// decompresses.
func TestAcceptEncodingPassesThrough(t *testing.T) {
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	io.WriteString(zw, `{"ok":true}`)
	zw.Close()
	var seen []string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Accept-Encoding"))
		if r.Header.Get("Accept-Encoding") == "gzip" {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(zipped.Bytes())
			return
		}
		io.WriteString(w, `{"ok":true}`)
	}))
	defer backend.Close()
	dir := copyTree(t, "shop", map[string]string{"$BACKEND$": backend.URL, "$DOWN$": "http://127.0.0.1:9"})
	snap, diags := config.Load(dir, config.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	gw, err := New(snap, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, enc := range []string{"", "gzip"} {
		req, _ := http.NewRequest("GET", srv.URL+"/orders/orders/17", nil)
		req.Header.Set(keyHeader, goldKey)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("Accept-Encoding %q: status %d", enc, resp.StatusCode)
		}
		if got := seen[len(seen)-1]; got != enc {
			t.Errorf("caller's Accept-Encoding %q: the backend saw %q", enc, got)
		}
		if enc == "gzip" && (resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(body, zipped.Bytes())) {
			t.Errorf("gzip: Content-Encoding %q, body %q: not the backend's gzip body", resp.Header.Get("Content-Encoding"), body)
		}
		if enc == "" && string(body) != `{"ok":true}` {
			t.Errorf("no Accept-Encoding: body %q", body)
		}
	}
}
