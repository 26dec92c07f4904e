package serve

import (
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

// answer is a status and body a client got.
type answer struct {
	status int
	body   string
}

func get(t *testing.T, c *http.Client, req *http.Request) answer {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Host, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(b)}
}

func TestHeaderAndURLLimits(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "CA")
	s := startServer(t, okHandler, Options{H2C: true, Certificates: []CertSource{pemSource(t, dir, "a", ca.issue(t, "localhost", []string{"localhost"}, false))}})
	const (
		body431 = `{ "statusCode": 431, "message": "Request headers too long." }`
		body414 = `{ "statusCode": 414, "message": "Request line too long." }`
	)
	clients := []struct {
		name string
		c    *http.Client
		base string
	}{
		{"HTTP/1.1", http.DefaultClient, "http://" + s.PlainAddr()},
		{"HTTP/1.1 over TLS", client(ca.pool, false), "https://" + s.TLSAddr()},
		{"HTTP/2 over TLS", client(ca.pool, true), "https://" + s.TLSAddr()},
		{"h2c", h2cClient(), "http://" + s.PlainAddr()},
	}
	for _, cl := range clients {
		// Just under the limits: served.
		req, _ := http.NewRequest("GET", cl.base+"/"+strings.Repeat("p", 8000), nil)
		req.Header.Set("X-Big", strings.Repeat("h", 32000))
		if a := get(t, cl.c, req); a.status != 200 {
			t.Errorf("%s: under the limits: %d %s", cl.name, a.status, a.body)
		}
		// Over the header limit, under net/http's own ceiling.
		req, _ = http.NewRequest("GET", cl.base+"/", nil)
		req.Header.Set("X-Big", strings.Repeat("h", 36<<10))
		if a := get(t, cl.c, req); a.status != 431 || a.body != body431 {
			t.Errorf("%s: 36 KiB header: %d %s", cl.name, a.status, a.body)
		}
		// Over the URL limit.
		req, _ = http.NewRequest("GET", cl.base+"/"+strings.Repeat("u", 10<<10), nil)
		if a := get(t, cl.c, req); a.status != 414 || a.body != body414 {
			t.Errorf("%s: 10 KiB URL: %d %s", cl.name, a.status, a.body)
		}
	}
	// Far over net/http's ceiling: net/http refuses the head itself, and
	// the answer is rewritten.
	for _, tc := range []struct {
		name, req string
		want      string
	}{
		{"1 MiB header", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("h", 1<<20) + "\r\n\r\n", "HTTP/1.1 431 Request Header Fields Too Large" + body431},
		{"1 MiB of headers", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Many: 0123456789\r\n", 50000) + "\r\n", "HTTP/1.1 431 Request Header Fields Too Large" + body431},
		{"1 MiB URL", "GET /" + strings.Repeat("u", 1<<20) + " HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 414 Request URI Too Long" + body414},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", `HTTP/1.1 400 Bad Request{ "statusCode": 400, "message": "Bad Request: missing required Host header" }`},
		{"bad transfer encoding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: zip\r\n\r\n", `HTTP/1.1 501 Not Implemented{ "statusCode": 501, "message": "Unsupported transfer encoding" }`},
	} {
		for _, addr := range []string{s.PlainAddr(), s.TLSAddr()} {
			var raw string
			if addr == s.TLSAddr() {
				raw = rawTLSRequest(t, addr, ca, []byte(tc.req))
			} else {
				raw = rawRequest(t, addr, []byte(tc.req))
			}
			status, body := answerOf(raw)
			if status+body != tc.want {
				t.Errorf("%s on %s: got %q %q", tc.name, addr, status, body)
			}
			if !strings.Contains(raw, "Content-Type: application/json; charset=utf-8\r\n") {
				t.Errorf("%s: answer without JSON content type: %q", tc.name, raw)
			}
		}
	}
	st := s.Stats()
	if st.HeaderTooLarge != 4+4 || st.URLTooLong != 4+2 || st.BadRequests != 4 {
		t.Errorf("stats %+v", st)
	}
}

// rawTLSRequest is rawRequest over TLS with HTTP/1.1.
func rawTLSRequest(t *testing.T, addr string, ca *testCA, req []byte) string {
	t.Helper()
	c, err := tlsDial(addr, ca)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go c.Write(req)
	b, _ := io.ReadAll(c)
	return string(b)
}

func TestBodyLimit(t *testing.T) {
	// The handler reads the body and answers 500 when that fails, as a
	// handler that does not know the limit does: the client gets 413.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			if !errors.Is(err, ErrBodyTooLarge) {
				panic(err)
			}
			w.WriteHeader(500)
			fmt.Fprintf(w, "read: %v", err)
			return
		}
		fmt.Fprintf(w, "%d bytes", len(b))
	})
	s := startServer(t, h, Options{H2C: true, MaxBodyBytes: 1000})
	const body413 = `{ "statusCode": 413, "message": "Request body too large." }`
	for _, tc := range []struct {
		name   string
		c      *http.Client
		chunks bool
		size   int
		want   answer
	}{
		{"declared length, HTTP/1.1", http.DefaultClient, false, 2000, answer{413, body413}},
		{"chunked, HTTP/1.1", http.DefaultClient, true, 2000, answer{413, body413}},
		{"declared length, h2c", h2cClient(), false, 2000, answer{413, body413}},
		{"streamed, h2c", h2cClient(), true, 2000, answer{413, body413}},
		{"at the limit", http.DefaultClient, true, 1000, answer{200, "1000 bytes"}},
	} {
		var body io.Reader = strings.NewReader(strings.Repeat("b", tc.size))
		if tc.chunks {
			body = io.MultiReader(body) // hides the length: chunked, or an HTTP/2 stream without content-length
		}
		req, _ := http.NewRequest("POST", "http://"+s.PlainAddr()+"/", body)
		if a := get(t, tc.c, req); a != tc.want {
			t.Errorf("%s: got %d %q, want %d %q", tc.name, a.status, a.body, tc.want.status, tc.want.body)
		}
	}
	if st := s.Stats(); st.BodyTooLarge != 4 {
		t.Errorf("BodyTooLarge %d, want 4", st.BodyTooLarge)
	}
}

func TestSlowHeadersCutOff(t *testing.T) {
	logs := &syncBuffer{}
	s := startServer(t, okHandler, Options{ReadHeaderTimeout: 300 * time.Millisecond, Log: logs})
	// Half a head, then nothing.
	start := time.Now()
	raw := rawRequest(t, s.PlainAddr(), []byte("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "))
	status, body := answerOf(raw)
	if status != "HTTP/1.1 408 Request Timeout" || body != `{ "statusCode": 408, "message": "Reading the request headers timed out." }` {
		t.Errorf("half a head: %q %q", status, body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cut off after %s", d)
	}
	// A connection that sends nothing is closed without a word.
	if raw := rawRequest(t, s.PlainAddr(), nil); raw != "" {
		t.Errorf("silent connection got %q", raw)
	}
	// A kept-alive connection idle after its request is closed quietly
	// after IdleTimeout and not counted.
	c, err := net.Dial("tcp", s.PlainAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, _ := c.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 200 OK") {
		t.Fatalf("kept-alive request: %q", buf[:n])
	}
	if st := s.Stats(); st.SlowHeaders != 2 {
		t.Errorf("SlowHeaders %d, want 2", st.SlowHeaders)
	}
	if !strings.Contains(logs.String(), "cut off a slow client 127.0.0.1:") || !strings.Contains(logs.String(), "request headers not complete after 300ms") {
		t.Errorf("log:\n%s", logs)
	}
}

func TestSlowTLSHandshakeCutOff(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "CA")
	s := startServer(t, okHandler, Options{ReadHeaderTimeout: 200 * time.Millisecond,
		Certificates: []CertSource{pemSource(t, dir, "a", ca.issue(t, "localhost", []string{"localhost"}, false))}})
	c, err := net.Dial("tcp", s.TLSAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte{0x16, 0x03, 0x01}) // the start of a ClientHello, then nothing
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Errorf("connection not closed by the server: %v", err)
	}
	waitFor(t, "the slow handshake counted", time.Second, func() bool { return s.Stats().SlowHeaders == 1 })
}

func TestSlowBodyCutOff(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			if !errors.Is(err, ErrBodyTooSlow) {
				panic(err)
			}
			w.WriteHeader(500)
			return
		}
		io.WriteString(w, "ok")
	})
	logs := &syncBuffer{}
	s := startServer(t, h, Options{H2C: true, MinBodyRate: 1000, MinBodyRateGrace: 200 * time.Millisecond, Log: logs})
	const body408 = `{ "statusCode": 408, "message": "Reading the request body timed out due to data arriving too slowly." }`

	// HTTP/1.1: a declared body of 100 kB, 10 bytes of it sent.
	raw := rawRequest(t, s.PlainAddr(), []byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789"))
	if status, body := answerOf(raw); status != "HTTP/1.1 408 Request Timeout" || body != body408 {
		t.Errorf("HTTP/1.1: %q %q", status, body)
	}
	// h2c: a stream that sends 10 bytes, then stalls.
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte("0123456789"))
	req, _ := http.NewRequest("POST", "http://"+s.PlainAddr()+"/", pr)
	if a := get(t, h2cClient(), req); a.status != 408 || a.body != body408 {
		t.Errorf("h2c: %d %q", a.status, a.body)
	}
	// A body that arrives steadily, slower than the grace alone would
	// allow but above the rate, is read to its end.
	pr2, pw2 := io.Pipe()
	go func() {
		for range 6 {
			pw2.Write(make([]byte, 200))
			time.Sleep(100 * time.Millisecond)
		}
		pw2.Close()
	}()
	req, _ = http.NewRequest("POST", "http://"+s.PlainAddr()+"/", pr2)
	if a := get(t, http.DefaultClient, req); a.status != 200 {
		t.Errorf("steady body: %d %q", a.status, a.body)
	}
	if st := s.Stats(); st.SlowBodies != 2 {
		t.Errorf("SlowBodies %d, want 2", st.SlowBodies)
	}
	if !strings.Contains(logs.String(), "request body arriving slower than 1000 bytes a second (10 bytes in") {
		t.Errorf("log:\n%s", logs)
	}
}

// A handler that stops reading the body (a slow backend) does not make
// the client slow.
func TestSlowHandlerIsNotSlowClient(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 10)
		io.ReadFull(r.Body, buf)
		time.Sleep(600 * time.Millisecond) // longer than grace, not reading
		rest, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(500)
			return
		}
		fmt.Fprintf(w, "%d", len(rest)+10)
	})
	s := startServer(t, h, Options{MinBodyRate: 1000, MinBodyRateGrace: 200 * time.Millisecond})
	req, _ := http.NewRequest("POST", "http://"+s.PlainAddr()+"/", strings.NewReader(strings.Repeat("x", 5000)))
	if a := get(t, http.DefaultClient, req); a != (answer{200, "5000"}) {
		t.Errorf("got %d %q", a.status, a.body)
	}
}

func TestMaxConnectionsAnswered(t *testing.T) {
	s := startServer(t, okHandler, Options{MaxConnections: 2})
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", s.PlainAddr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	waitFor(t, "two connections open", time.Second, func() bool { return s.Stats().OpenConnections == 2 })
	raw := rawRequest(t, s.PlainAddr(), []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	if status, body := answerOf(raw); status != "HTTP/1.1 503 Service Unavailable" ||
		body != `{ "statusCode": 503, "message": "The server has reached its maximum number of connections." }` {
		t.Errorf("third connection: %q %q", status, body)
	}
	held[0].Close()
	waitFor(t, "a slot free", time.Second, func() bool { return s.Stats().OpenConnections == 1 })
	if a := get(t, http.DefaultClient, mustRequest("GET", "http://"+s.PlainAddr()+"/")); a.status != 200 {
		t.Errorf("after a slot freed: %d", a.status)
	}
	if st := s.Stats(); st.RefusedConnections != 1 {
		t.Errorf("RefusedConnections %d", st.RefusedConnections)
	}
}

func mustRequest(method, url string) *http.Request {
	r, err := http.NewRequest(method, url, nil)
	if err != nil {
		panic(err)
	}
	return r
}

func TestGracefulDrain(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		io.WriteString(w, "done")
	})
	s, err := New(h, Options{Listen: "127.0.0.1:0", DrainTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	addr := s.PlainAddr()
	got := make(chan answer, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			got <- answer{0, err.Error()}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- answer{resp.StatusCode, string(b)}
	}()
	<-started
	var shutdownErr atomic.Value
	shutdownDone := make(chan struct{})
	go func() {
		if err := s.Shutdown(context.Background()); err != nil {
			shutdownErr.Store(err)
		}
		close(shutdownDone)
	}()
	waitFor(t, "new connections refused", 2*time.Second, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case <-shutdownDone:
		t.Fatal("Shutdown returned with a request in flight")
	default:
	}
	close(release)
	if a := <-got; a != (answer{200, "done"}) {
		t.Errorf("in-flight request: %d %q", a.status, a.body)
	}
	<-shutdownDone
	if err := shutdownErr.Load(); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestDrainTimeout(t *testing.T) {
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	})
	s, err := New(h, Options{Listen: "127.0.0.1:0", DrainTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := http.Get("http://" + s.PlainAddr() + "/")
		errc <- err
	}()
	<-started
	begin := time.Now()
	err = s.Shutdown(context.Background())
	if err == nil || !strings.Contains(err.Error(), "still in flight after 200ms") {
		t.Errorf("Shutdown: %v", err)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("Shutdown took %s", d)
	}
	if err := <-errc; err == nil {
		t.Error("the request outliving the drain succeeded")
	}
}

// A ResponseWriter that cannot set read deadlines (a recorder, a wrapper
// without Unwrap) leaves the rate unchecked; the size limit still holds.
func TestBodyGuardWithoutDeadlines(t *testing.T) {
	s, err := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(500)
			return
		}
		fmt.Fprintf(w, "%d", len(b))
	}), Options{Listen: "127.0.0.1:0", MaxBodyBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		size int
		want answer
	}{{100, answer{200, "100"}}, {101, answer{413, `{ "statusCode": 413, "message": "Request body too large." }`}}} {
		req := httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader(strings.Repeat("b", tc.size))))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if got := (answer{w.Code, w.Body.String()}); got != tc.want {
			t.Errorf("%d bytes: got %v, want %v", tc.size, got, tc.want)
		}
	}
}
