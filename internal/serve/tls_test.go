package serve

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

func TestSNIChoosesCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "Test CA")
	a := ca.issue(t, "api.contoso.test", []string{"api.contoso.test", "localhost"}, false)
	b := ca.issue(t, "portal.contoso.test", []string{"portal.contoso.test", "*.fabrikam.test"}, false)
	s := startServer(t, okHandler, Options{Certificates: []CertSource{pemSource(t, dir, "a", a), pemSource(t, dir, "b", b)}})
	for _, tc := range []struct{ name, want string }{
		{"api.contoso.test", "api.contoso.test"},
		{"PORTAL.contoso.test", "portal.contoso.test"},
		{"orders.fabrikam.test", "portal.contoso.test"}, // wildcard
		{"unknown.test", "api.contoso.test"},            // the first is the default
	} {
		if got := servedCert(t, s.TLSAddr(), tc.name, ca.pool).Subject.CommonName; got != tc.want {
			t.Errorf("SNI %s: served %s, want %s", tc.name, got, tc.want)
		}
	}
	// A request over HTTPS reaches the handler with r.TLS set.
	resp, err := client(ca.pool, false).Get("https://" + s.TLSAddr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-TLS") != "localhost" {
		t.Errorf("status %d, handler saw TLS server name %q", resp.StatusCode, resp.Header.Get("X-TLS"))
	}
}

func TestHTTP2NegotiatedOverTLSAndH2C(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "Test CA")
	s := startServer(t, okHandler, Options{H2C: true, Certificates: []CertSource{pemSource(t, dir, "a", ca.issue(t, "localhost", []string{"localhost"}, false))}})
	cases := []struct {
		name   string
		client *http.Client
		url    string
		proto  string
	}{
		{"TLS, ALPN h2", client(ca.pool, true), "https://" + s.TLSAddr() + "/", "HTTP/2.0"},
		{"TLS, HTTP/1.1", client(ca.pool, false), "https://" + s.TLSAddr() + "/", "HTTP/1.1"},
		{"h2c", h2cClient(), "http://" + s.PlainAddr() + "/", "HTTP/2.0"},
		{"plain HTTP/1.1", http.DefaultClient, "http://" + s.PlainAddr() + "/", "HTTP/1.1"},
	}
	for _, tc := range cases {
		resp, err := tc.client.Post(tc.url, "text/plain", strings.NewReader("body"))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Proto != tc.proto || resp.Header.Get("X-Proto") != tc.proto {
			t.Errorf("%s: client %s, handler %s; want %s", tc.name, resp.Proto, resp.Header.Get("X-Proto"), tc.proto)
		}
		if tls := resp.Header.Get("X-TLS") == "localhost"; tls != strings.HasPrefix(tc.url, "https:") {
			t.Errorf("%s: handler saw TLS %v", tc.name, tls)
		}
	}
}

func TestH2COffByDefault(t *testing.T) {
	s := startServer(t, okHandler, Options{})
	if _, err := h2cClient().Get("http://" + s.PlainAddr() + "/"); err == nil {
		t.Fatal("h2c request succeeded without H2C")
	}
}

// streamingHandler sends two server-sent events, the second only after
// the client has read the first, then a trailer.
func streamingHandler(readFirst <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Trailer", "X-Checksum")
		w.WriteHeader(200)
		io.WriteString(w, "data: one\n\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			panic(err)
		}
		select {
		case <-readFirst:
		case <-time.After(5 * time.Second):
			io.WriteString(w, "data: the client never saw the first event\n\n")
			return
		}
		io.WriteString(w, "data: two\n\n")
		w.Header().Set("X-Checksum", "abc123")
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
	})
}

func TestStreamingTrailersAndEvents(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "Test CA")
	var mu sync.Mutex
	var readFirst chan struct{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ch := readFirst
		mu.Unlock()
		streamingHandler(ch).ServeHTTP(w, r)
	})
	s := startServer(t, h, Options{H2C: true, Certificates: []CertSource{pemSource(t, dir, "a", ca.issue(t, "localhost", []string{"localhost"}, false))}})
	for _, tc := range []struct {
		name   string
		client *http.Client
		url    string
	}{
		{"HTTP/1.1", http.DefaultClient, "http://" + s.PlainAddr() + "/events"},
		{"HTTP/1.1 over TLS", client(ca.pool, false), "https://" + s.TLSAddr() + "/events"},
		{"HTTP/2 over TLS", client(ca.pool, true), "https://" + s.TLSAddr() + "/events"},
		{"h2c", h2cClient(), "http://" + s.PlainAddr() + "/events"},
	} {
		mu.Lock()
		readFirst = make(chan struct{})
		ch := readFirst
		mu.Unlock()
		resp, err := tc.client.Get(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		br := bufio.NewReader(resp.Body)
		first, _ := br.ReadString('\n')
		br.ReadString('\n')
		close(ch)
		rest, _ := io.ReadAll(br)
		resp.Body.Close()
		if first != "data: one\n" || string(rest) != "data: two\n\n" {
			t.Errorf("%s: events %q then %q", tc.name, first, rest)
		}
		if resp.Trailer.Get("X-Checksum") != "abc123" || resp.Trailer.Get("X-Late") != "late" {
			t.Errorf("%s: trailers %v", tc.name, resp.Trailer)
		}
	}
}

func TestCertificateReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "Test CA")
	first := ca.issue(t, "localhost", []string{"localhost"}, false)
	src := pemSource(t, dir, "site", first)
	logs := &syncBuffer{}
	s := startServer(t, okHandler, Options{Certificates: []CertSource{src}, CertificatePollInterval: 20 * time.Millisecond, Log: logs})
	url := "https://" + s.TLSAddr() + "/"

	// Load: kept-alive HTTP/1.1 and HTTP/2 clients, and one that opens a
	// new connection (a new handshake) for every request.
	var sent, failed atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	fresh := client(ca.pool, false)
	fresh.Transport.(*http.Transport).DisableKeepAlives = true
	for _, c := range []*http.Client{client(ca.pool, false), client(ca.pool, true), fresh, fresh} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := c.Get(url)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				sent.Add(1)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}

	// An explicit reload (SIGHUP) with new files.
	second := ca.issue(t, "localhost", []string{"localhost"}, false)
	waitFor(t, "requests flowing", 5*time.Second, func() bool { return sent.Load() > 20 })
	replaceFile(t, dir, "site.key", second.keyPEM(t))
	replaceFile(t, dir, "site.crt", second.certPEM())
	if err := s.ReloadCertificates(); err != nil {
		t.Fatal(err)
	}
	if got := servedCert(t, s.TLSAddr(), "localhost", ca.pool); got.SerialNumber.Cmp(second.cert.SerialNumber) != 0 {
		t.Errorf("after ReloadCertificates: serial %v served, want %v", got.SerialNumber, second.cert.SerialNumber)
	}

	// A broken file: the reload fails and the certificate stays.
	n := sent.Load()
	waitFor(t, "more requests", 5*time.Second, func() bool { return sent.Load() > n+20 })
	replaceFile(t, dir, "site.crt", []byte("not a certificate"))
	if err := s.ReloadCertificates(); err == nil || !strings.Contains(err.Error(), "still serving the previous certificates") {
		t.Errorf("reload of a broken file: %v", err)
	}
	if got := servedCert(t, s.TLSAddr(), "localhost", ca.pool); got.SerialNumber.Cmp(second.cert.SerialNumber) != 0 {
		t.Errorf("after a failed reload: serial %v served, want %v", got.SerialNumber, second.cert.SerialNumber)
	}

	// A file change alone reloads.
	third := ca.issue(t, "localhost", []string{"localhost"}, false)
	replaceFile(t, dir, "site.key", third.keyPEM(t))
	replaceFile(t, dir, "site.crt", third.certPEM())
	waitFor(t, "the changed files served", 5*time.Second, func() bool {
		return servedCert(t, s.TLSAddr(), "localhost", ca.pool).SerialNumber.Cmp(third.cert.SerialNumber) == 0
	})
	n = sent.Load()
	waitFor(t, "more requests", 5*time.Second, func() bool { return sent.Load() > n+20 })
	close(stop)
	wg.Wait()
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed during reloads; first: %v", failed.Load(), sent.Load(), firstErr.Load())
	}
	st := s.Stats()
	if st.CertificateReloads < 2 || st.CertificateReloadFailures < 1 {
		t.Errorf("stats %+v", st)
	}
	if !strings.Contains(logs.String(), "certificate reload failed, still serving the previous certificates") {
		t.Errorf("log lacks the failed reload:\n%s", logs)
	}
	t.Logf("%d requests during three reloads", sent.Load())
}

func TestPKCS12Certificate(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "Test CA")
	c := ca.issue(t, "localhost", []string{"localhost"}, false)
	const password = "s3cret-pfx-password"
	for _, enc := range []struct {
		name string
		enc  *pkcs12.Encoder
	}{{"modern (AES)", pkcs12.Modern}, {"legacy (3DES)", pkcs12.LegacyDES}} {
		pfx, err := enc.enc.Encode(c.key, c.cert, []*x509.Certificate{ca.cert}, password)
		if err != nil {
			t.Fatal(err)
		}
		path := writeFile(t, dir, "site.pfx", pfx)
		s := startServer(t, okHandler, Options{Certificates: []CertSource{{CertFile: path, Password: password}}})
		conn, err := tls.Dial("tcp", s.TLSAddr(), &tls.Config{ServerName: "localhost", RootCAs: ca.pool})
		if err != nil {
			t.Fatalf("%s: %v", enc.name, err)
		}
		chain := conn.ConnectionState().PeerCertificates
		conn.Close()
		if len(chain) != 2 || chain[0].SerialNumber.Cmp(c.cert.SerialNumber) != 0 || !chain[1].Equal(ca.cert) {
			t.Errorf("%s: served chain of %d", enc.name, len(chain))
		}
		_, err = New(okHandler, Options{Certificates: []CertSource{{CertFile: path, Password: "wrong"}}})
		if err == nil || !strings.Contains(err.Error(), "TOLLGATE_TLS_PASSWORD") || strings.Contains(err.Error(), "wrong") {
			t.Errorf("%s: wrong password: %v", enc.name, err)
		}
	}
}

func TestCertificateErrors(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "Test CA")
	a, b := ca.issue(t, "a", nil, false), ca.issue(t, "b", nil, false)
	cases := []struct {
		src  CertSource
		want string
	}{
		{CertSource{CertFile: dir + "/missing.crt", KeyFile: dir + "/missing.key"}, "missing.crt: no such file"},
		{CertSource{CertFile: writeFile(t, dir, "nokey.crt", a.certPEM())}, "nokey.crt: no private key in it; give its key file"},
		{CertSource{CertFile: writeFile(t, dir, "a.crt", a.certPEM()), KeyFile: writeFile(t, dir, "b.key", b.keyPEM(t))}, "a.crt: tls: private key does not match public key"},
		{CertSource{CertFile: writeFile(t, dir, "x.pfx", []byte("garbage")), KeyFile: dir + "/b.key"}, "x.pfx: a PKCS#12 file carries its own key"},
	}
	for _, tc := range cases {
		_, err := New(okHandler, Options{Certificates: []CertSource{tc.src}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestClientCertificateRequired(t *testing.T) {
	dir := t.TempDir()
	ca, clientCA, other := newCA(t, "Server CA"), newCA(t, "Client CA"), newCA(t, "Other CA")
	caFile := writeFile(t, dir, "clients.pem", pemOfCert(clientCA.cert))
	s := startServer(t, okHandler, Options{
		Certificates:      []CertSource{pemSource(t, dir, "a", ca.issue(t, "localhost", []string{"localhost"}, false))},
		ClientCertificate: ClientCertificateRequire, ClientCA: caFile,
	})
	url := "https://" + s.TLSAddr() + "/"
	good := clientCA.issue(t, "partner-a", nil, true).tlsCert()
	stranger := other.issue(t, "intruder", nil, true).tlsCert()
	for _, h2 := range []bool{false, true} {
		if _, err := client(ca.pool, h2).Get(url); err == nil {
			t.Errorf("h2=%v: request without a client certificate succeeded", h2)
		}
		if _, err := client(ca.pool, h2, stranger).Get(url); err == nil {
			t.Errorf("h2=%v: request with a certificate of another CA succeeded", h2)
		}
		resp, err := client(ca.pool, h2, good).Get(url)
		if err != nil {
			t.Fatalf("h2=%v: %v", h2, err)
		}
		resp.Body.Close()
		if resp.Header.Get("X-Client-CN") != "partner-a" {
			t.Errorf("h2=%v: handler saw client certificate %q", h2, resp.Header.Get("X-Client-CN"))
		}
	}
	if s.ClientCAs() == nil {
		t.Error("ClientCAs is nil")
	}
	// The client reads the server's alert before the server's handshake call
	// returns and counts it, so the last failure may be counted a moment later.
	waitFor(t, "four handshake failures counted", 5*time.Second, func() bool { return s.Stats().TLSHandshakeFailures >= 4 })
}

func TestClientCertificateRequested(t *testing.T) {
	dir := t.TempDir()
	ca, other := newCA(t, "Server CA"), newCA(t, "Any CA")
	s := startServer(t, okHandler, Options{
		Certificates:      []CertSource{pemSource(t, dir, "a", ca.issue(t, "localhost", []string{"localhost"}, false))},
		ClientCertificate: ClientCertificateRequest,
	})
	url := "https://" + s.TLSAddr() + "/"
	anyCert := other.issue(t, "someone", nil, true).tlsCert()
	for _, h2 := range []bool{false, true} {
		resp, err := client(ca.pool, h2).Get(url)
		if err != nil {
			t.Fatalf("h2=%v without certificate: %v", h2, err)
		}
		resp.Body.Close()
		if resp.Header.Get("X-Client-CN") != "" {
			t.Errorf("h2=%v: handler saw a certificate that was not sent", h2)
		}
		resp, err = client(ca.pool, h2, anyCert).Get(url)
		if err != nil {
			t.Fatalf("h2=%v with certificate: %v", h2, err)
		}
		resp.Body.Close()
		if resp.Header.Get("X-Client-CN") != "someone" {
			t.Errorf("h2=%v: handler saw client certificate %q, want someone (unverified, for the policy)", h2, resp.Header.Get("X-Client-CN"))
		}
	}
}

func TestOptionErrors(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "CA")
	src := pemSource(t, dir, "a", ca.issue(t, "localhost", []string{"localhost"}, false))
	cases := []struct {
		o    Options
		want string
	}{
		{Options{}, "no listener"},
		{Options{TLSListen: "127.0.0.1:0"}, "needs a certificate"},
		{Options{Listen: ":0", ClientCertificate: ClientCertificateRequest}, "give a server certificate"},
		{Options{Certificates: []CertSource{src}, ClientCertificate: ClientCertificateRequire}, "no certification authority"},
		{Options{Certificates: []CertSource{src}, ClientCertificate: ClientCertificateRequire, ClientCA: dir + "/a.key"}, "no PEM certificate"},
	}
	for _, tc := range cases {
		if _, err := New(okHandler, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.o, err, tc.want)
		}
	}
	s := startServer(t, okHandler, Options{})
	s2, err := New(okHandler, Options{Listen: s.PlainAddr()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Start(); err == nil || !strings.HasPrefix(err.Error(), "listening on "+s.PlainAddr()+": ") {
		t.Errorf("second bind: %v", err)
	}
	var m ClientCertificateMode
	if err := m.Set("REQUIRE"); err != nil || m != ClientCertificateRequire || m.String() != "require" {
		t.Errorf("Set(REQUIRE): %v %v", m, err)
	}
	if err := m.Set("maybe"); err == nil {
		t.Error("Set(maybe) succeeded")
	}
}

func TestPlainHTTPToTLSPort(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "CA")
	s := startServer(t, okHandler, Options{Certificates: []CertSource{pemSource(t, dir, "a", ca.issue(t, "localhost", []string{"localhost"}, false))}})
	status, body := answerOf(rawRequest(t, s.TLSAddr(), []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")))
	if status != "HTTP/1.1 400 Bad Request" || body != `{ "statusCode": 400, "message": "Client sent an HTTP request to an HTTPS server." }` {
		t.Errorf("got %q %q", status, body)
	}
}
