package gateway

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"testing/iotest"

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

// writeCounter is a ResponseWriter that keeps what is written and the size
// of each write.
type writeCounter struct {
	discardWriter
	body   bytes.Buffer
	writes []int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, len(p))
	return w.body.Write(p)
}

// A body of known length is written in whole buffers whatever the sizes of
// the reads, so that the server makes as few system calls as it can.
func TestCopyResponseWritesWholeBuffers(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 100<<10/16) // 100 KB
	w := &writeCounter{discardWriter: discardWriter{h: http.Header{}}}
	n, rerr, werr := copyResponse(w, iotest.HalfReader(bytes.NewReader(data)), false)
	if n != int64(len(data)) || rerr != nil || werr != nil || !bytes.Equal(w.body.Bytes(), data) {
		t.Fatalf("copied %d bytes (read error %v, write error %v), body intact %v", n, rerr, werr, bytes.Equal(w.body.Bytes(), data))
	}
	if want := []int{32 << 10, 32 << 10, 32 << 10, 4 << 10}; !slices.Equal(w.writes, want) {
		t.Errorf("writes %v, want %v", w.writes, want)
	}

	// A read error after some bytes: what was read is written, and the
	// error is the reader's.
	w = &writeCounter{discardWriter: discardWriter{h: http.Header{}}}
	broken := io.MultiReader(bytes.NewReader(data[:40<<10]), iotest.ErrReader(io.ErrUnexpectedEOF))
	n, rerr, _ = copyResponse(w, broken, false)
	if n != 40<<10 || rerr != io.ErrUnexpectedEOF || !bytes.Equal(w.body.Bytes(), data[:40<<10]) {
		t.Errorf("broken body: copied %d bytes, read error %v", n, rerr)
	}
}
