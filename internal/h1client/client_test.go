package h1client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func newClient() *Client {
	return New(&http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute})
}

// countingServer is an httptest server that counts the connections it
// accepts.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func get(t *testing.T, c *Client, url string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	resp, err := c.Do(context.Background(), req, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestKeepAliveReusesOneConnection(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.Path, r.Header.Get("X-A"))
	})
	c := newClient()
	for i := range 20 {
		req, _ := http.NewRequest("GET", srv.URL+fmt.Sprintf("/p%d", i), nil)
		req.Header.Set("X-A", "b")
		resp, err := c.Do(context.Background(), req, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("GET /p%d b", i); string(b) != want {
			t.Fatalf("got %q, want %q", b, want)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections for 20 sequential requests, want 1", n)
	}
}

func TestBodiesBothWays(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Len", fmt.Sprint(len(b), r.ContentLength, r.TransferEncoding))
		if r.URL.Query().Get("chunked") != "" {
			w.Write(b[:len(b)/2])
			w.(http.Flusher).Flush()
			w.Write(b[len(b)/2:])
			return
		}
		w.Write(b)
	})
	c := newClient()
	payload := strings.Repeat("0123456789", 10_000)
	for _, tc := range []struct {
		query  string
		length int64
		want   string
	}{
		{"", int64(len(payload)), "100000 100000 []"},
		{"?chunked=1", int64(len(payload)), "100000 100000 []"},
		{"", -1, "100000 -1 [chunked]"},
	} {
		var body io.Reader = strings.NewReader(payload)
		if tc.length < 0 {
			body = io.MultiReader(body) // hides the length
		}
		req, _ := http.NewRequest("POST", srv.URL+tc.query, body)
		req.ContentLength = tc.length
		resp, err := c.Do(context.Background(), req, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != payload || resp.Header.Get("X-Len") != tc.want {
			t.Fatalf("%s: %d bytes back, X-Len %q (want %q)", tc.query, len(b), resp.Header.Get("X-Len"), tc.want)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
}

func TestHeadAndNoContentReturnTheConnection(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/204" {
			w.WriteHeader(204)
			return
		}
		w.Header().Set("Content-Length", "5")
		if r.Method != "HEAD" {
			w.Write([]byte("hello"))
		}
	})
	c := newClient()
	for _, m := range []string{"HEAD", "GET", "HEAD"} {
		req, _ := http.NewRequest(m, srv.URL, nil)
		resp, err := c.Do(context.Background(), req, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if (m == "HEAD") != (len(b) == 0) || resp.ContentLength != 5 {
			t.Fatalf("%s: %q, length %d", m, b, resp.ContentLength)
		}
	}
	if resp, _ := get(t, c, srv.URL+"/204"); resp.StatusCode != 204 {
		t.Fatal(resp.Status)
	}
	get(t, c, srv.URL)
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
}

func TestHeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		}
		w.Write([]byte("ok"))
	})
	defer close(release)
	c := newClient()
	req, _ := http.NewRequest("GET", srv.URL+"/slow", nil)
	_, err := c.Do(context.Background(), req, 100*time.Millisecond)
	if !errors.Is(err, ErrHeaderTimeout) {
		t.Fatalf("err = %v, want ErrHeaderTimeout", err)
	}
	// The deadline is the headers': a body slower than it is read whole.
	srv2, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("first "))
		w.(http.Flusher).Flush()
		time.Sleep(200 * time.Millisecond)
		w.Write([]byte("second"))
	})
	req, _ = http.NewRequest("GET", srv2.URL, nil)
	resp, err := c.Do(context.Background(), req, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "first second" {
		t.Fatalf("%q, %v", b, err)
	}
}

func TestCallerGoneAbortsTheWaitAndTheBody(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			w.Write([]byte("part"))
			w.(http.Flusher).Flush()
		}
		<-release
	})
	c := newClient()
	for _, path := range []string{"/headers", "/body"} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		resp, err := c.Do(ctx, req, 10*time.Second)
		if path == "/headers" {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("%s: err = %v, want context.Canceled", path, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(resp.Body)
		if err == nil || ctx.Err() == nil {
			t.Fatalf("%s: body read ended with %v", path, err)
		}
	}
}

// rawServer accepts connections and runs serve on each.
func rawServer(t *testing.T, serve func(net.Conn)) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns atomic.Int64
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer nc.Close()
				serve(nc)
			}()
		}
	}()
	return "http://" + ln.Addr().String(), &conns
}

func TestStaleConnectionIsRetriedForABodilessRequest(t *testing.T) {
	// The backend answers one request per connection and closes it without
	// saying so, as a backend that closes idle connections does.
	url, conns := rawServer(t, func(nc net.Conn) {
		br := bufio.NewReader(nc)
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(nc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		time.Sleep(20 * time.Millisecond)
	})
	c := newClient()
	for range 3 {
		if _, b := get(t, c, url); b != "ok" {
			t.Fatal(b)
		}
		time.Sleep(60 * time.Millisecond) // the backend has closed it
	}
	if n := conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3", n)
	}
	// A request with a body is not sent twice: the idle connection is
	// checked before it is used.
	for range 2 {
		req, _ := http.NewRequest("POST", url, strings.NewReader("payload"))
		resp, err := c.Do(context.Background(), req, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		time.Sleep(60 * time.Millisecond)
	}
	if n := conns.Load(); n != 5 {
		t.Fatalf("%d connections, want 5", n)
	}
}

func TestConnectionCloseAndEarlyCloseAreNotReused(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		w.Write([]byte(strings.Repeat("x", 100_000)))
	})
	c := newClient()
	get(t, c, srv.URL+"/close")
	get(t, c, srv.URL) // a new connection: the backend closed the first
	// A body closed before its end leaves bytes on the connection.
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := c.Do(context.Background(), req, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Read(make([]byte, 10))
	resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 10)); err == nil {
		t.Fatal("read after close succeeded")
	}
	get(t, c, srv.URL)
	if n := conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3", n)
	}
}

func TestEarlyAnswerBeforeTheBodyIsRead(t *testing.T) {
	url, _ := rawServer(t, func(nc net.Conn) {
		br := bufio.NewReader(nc)
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(nc, "HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbig")
	})
	c := newClient()
	req, _ := http.NewRequest("PUT", url, strings.NewReader(strings.Repeat("y", 8<<20)))
	resp, err := c.Do(context.Background(), req, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || string(b) != "big" {
		t.Fatalf("%s %q", resp.Status, b)
	}
}

func TestInformationalAnswersAreSkipped(t *testing.T) {
	url, _ := rawServer(t, func(nc net.Conn) {
		br := bufio.NewReader(nc)
		for {
			if _, err := http.ReadRequest(br); err != nil {
				return
			}
			io.WriteString(nc, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone")
		}
	})
	c := newClient()
	for range 2 {
		resp, b := get(t, c, url)
		if resp.StatusCode != 200 || b != "done" {
			t.Fatalf("%s %q", resp.Status, b)
		}
	}
}

func TestResponseHeadersAreBounded(t *testing.T) {
	url, _ := rawServer(t, func(nc net.Conn) {
		br := bufio.NewReader(nc)
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(nc, "HTTP/1.1 200 OK\r\n")
		line := "X-Big: " + strings.Repeat("z", 1000) + "\r\n"
		for range 2000 {
			if _, err := io.WriteString(nc, line); err != nil {
				return
			}
		}
	})
	c := newClient()
	c.MaxResponseHeaderBytes = 64 << 10
	req, _ := http.NewRequest("GET", url, nil)
	_, err := c.Do(context.Background(), req, 5*time.Second)
	if !errors.Is(err, errHeaderTooLong) {
		t.Fatalf("err = %v, want the header limit", err)
	}
}

func TestRefusedAndMalformed(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	c := newClient()
	req, _ := http.NewRequest("GET", "http://"+addr, nil)
	_, err := c.Do(context.Background(), req, time.Second)
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" {
		t.Fatalf("err = %v, want a dial error", err)
	}
	url, _ := rawServer(t, func(nc net.Conn) {
		http.ReadRequest(bufio.NewReader(nc))
		io.WriteString(nc, "NOT HTTP\r\n\r\n")
	})
	req, _ = http.NewRequest("GET", url, nil)
	if _, err := c.Do(context.Background(), req, time.Second); err == nil || !strings.Contains(err.Error(), "malformed HTTP") {
		t.Fatalf("err = %v, want a malformed response", err)
	}
}

func TestIdlePoolIsBounded(t *testing.T) {
	release := make(chan struct{})
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Write([]byte("ok"))
	})
	c := newClient() // 4 idle connections per host
	done := make(chan error)
	for range 8 {
		go func() {
			req, _ := http.NewRequest("GET", srv.URL, nil)
			resp, err := c.Do(context.Background(), req, 5*time.Second)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			done <- err
		}()
	}
	for conns.Load() < 8 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	c.mu.Lock()
	idle := len(c.idle[canonicalAddr(strings.TrimPrefix(srv.URL, "http://"))])
	c.mu.Unlock()
	if idle != 4 {
		t.Fatalf("%d idle connections kept, want 4", idle)
	}
	c.CloseIdleConnections()
}

func TestOtherRequestsGoToTheFallback(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Proto))
	}))
	defer srv.Close()
	fb := srv.Client().Transport.(*http.Transport)
	c := New(fb)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	if c.Handles(req.URL, req.Header) {
		t.Fatal("handles https")
	}
	resp, err := c.Do(context.Background(), req, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	up, _ := http.NewRequest("GET", "http://example.test/", nil)
	up.Header.Set("Upgrade", "websocket")
	if c.Handles(up.URL, up.Header) {
		t.Fatal("handles an upgrade")
	}
}

func TestCanonicalAddr(t *testing.T) {
	for in, want := range map[string]string{"a:81": "a:81", "a": "a:80", "[::1]": "[::1]:80", "[::1]:8080": "[::1]:8080"} {
		if got := canonicalAddr(in); got != want {
			t.Errorf("canonicalAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBodyUntilCloseIsNotReused(t *testing.T) {
	// No length, not chunked: the body ends when the backend closes the
	// connection, which cannot carry another request.
	url, conns := rawServer(t, func(nc net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(nc)); err != nil {
			return
		}
		io.WriteString(nc, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close")
	})
	c := newClient()
	for range 2 {
		if _, b := get(t, c, url); b != "until close" {
			t.Fatalf("%q", b)
		}
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2", n)
	}
}

// failingBody gives some bytes, then an error.
type failingBody struct{ sent bool }

var errUpload = errors.New("the upload broke")

func (b *failingBody) Read(p []byte) (int, error) {
	if b.sent {
		return 0, errUpload
	}
	b.sent = true
	return copy(p, "0123456789"), nil
}

func TestFailedWriteDoesNotWaitForTheTimeout(t *testing.T) {
	// The backend waits for the rest of a body that will never come: the
	// write's error is the answer, not a header timeout minutes later.
	url, _ := rawServer(t, func(nc net.Conn) {
		http.ReadRequest(bufio.NewReader(nc))
		io.Copy(io.Discard, nc)
	})
	c := newClient()
	req, _ := http.NewRequest("POST", url, &failingBody{})
	req.ContentLength = 100
	_, err := c.Do(context.Background(), req, time.Minute)
	// net/http wraps the body's error in a type of its own.
	if err == nil || !strings.Contains(err.Error(), errUpload.Error()) {
		t.Fatalf("err = %v, want the body's error", err)
	}
}
