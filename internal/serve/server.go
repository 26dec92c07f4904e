package serve

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves an http.Handler on the listeners of Options.
type Server struct {
	opts    Options
	handler http.Handler
	srv     *http.Server
	log     *logLimiter

	table      atomic.Pointer[certTable]
	nextProtos []string
	reloadMu   sync.Mutex
	lastFailed []fileStamp // files of the last reload that failed, not retried until they change

	open      atomic.Int64  // connections open now
	lingering chan struct{} // slots for refused connections being closed gently
	stats     counters

	mu        sync.Mutex
	listeners []net.Listener
	errc      chan error
	stopPoll  chan struct{}
	started   bool
}

// counters are the Stats fields, updated atomically.
type counters struct {
	accepted, refusedConns, handshakeFailures           atomic.Uint64
	slowHeaders, slowBodies                             atomic.Uint64
	headerTooLarge, urlTooLong, bodyTooLarge            atomic.Uint64
	badRequests, certificateReloads, certReloadFailures atomic.Uint64
}

// Stats counts what the server refused and cut off since it started.
type Stats struct {
	OpenConnections      int64  // connections open now
	AcceptedConnections  uint64 // connections accepted
	RefusedConnections   uint64 // connections refused beyond MaxConnections
	TLSHandshakeFailures uint64 // TLS handshakes that failed (slow ones are counted as SlowHeaders)
	// SlowHeaders counts clients cut off for not completing their TLS
	// handshake or request head within ReadHeaderTimeout.
	SlowHeaders uint64
	// SlowBodies counts clients cut off for sending a body slower than
	// MinBodyRate.
	SlowBodies                uint64
	HeaderTooLarge            uint64 // requests answered 431
	URLTooLong                uint64 // requests answered 414
	BodyTooLarge              uint64 // requests answered 413
	BadRequests               uint64 // malformed requests answered 400, 501 or 505
	CertificateReloads        uint64 // successful certificate reloads
	CertificateReloadFailures uint64 // reloads that failed and left the previous certificates serving
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	return Stats{
		OpenConnections: s.open.Load(), AcceptedConnections: c.accepted.Load(), RefusedConnections: c.refusedConns.Load(),
		TLSHandshakeFailures: c.handshakeFailures.Load(), SlowHeaders: c.slowHeaders.Load(), SlowBodies: c.slowBodies.Load(),
		HeaderTooLarge: c.headerTooLarge.Load(), URLTooLong: c.urlTooLong.Load(), BodyTooLarge: c.bodyTooLarge.Load(),
		BadRequests: c.badRequests.Load(), CertificateReloads: c.certificateReloads.Load(),
		CertificateReloadFailures: c.certReloadFailures.Load(),
	}
}

// New prepares a server for h with opts, loading the certificates. It
// binds nothing: Start does.
func New(h http.Handler, opts Options) (*Server, error) {
	opts = opts.withDefaults()
	if err := opts.check(); err != nil {
		return nil, err
	}
	s := &Server{opts: opts, handler: h, log: &logLimiter{w: opts.Log, burst: 10},
		lingering: make(chan struct{}, 64), errc: make(chan error, 2), stopPoll: make(chan struct{})}
	s.nextProtos = []string{"h2", "http/1.1"}
	if len(opts.Certificates) > 0 {
		t, err := loadCertTable(&s.opts, s.nextProtos)
		if err != nil {
			return nil, err
		}
		s.table.Store(t)
	}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true) // over TLS, by ALPN
	protocols.SetUnencryptedHTTP2(opts.H2C)
	maxHead := 0
	if opts.MaxHeaderBytes > 0 && opts.MaxURLLength > 0 {
		// net/http's own ceiling lies above both limits, so that requests
		// over them reach ServeHTTP and get the exact answer; heads over the
		// ceiling are answered by httpConn.
		maxHead = opts.MaxHeaderBytes + opts.MaxURLLength
	} else if opts.MaxHeaderBytes < 0 || opts.MaxURLLength < 0 {
		maxHead = 1 << 20
	}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: max(opts.ReadHeaderTimeout, 0),
		IdleTimeout:       max(opts.IdleTimeout, 0),
		MaxHeaderBytes:    maxHead,
		Protocols:         protocols,
		ErrorLog:          log.New(logWriter{s.log}, "", 0),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if hc := connOf(c); hc != nil {
				return context.WithValue(ctx, connKey{}, hc)
			}
			return ctx
		},
		ConnState: func(c net.Conn, st http.ConnState) {
			if st == http.StateHijacked {
				if hc := connOf(c); hc != nil {
					hc.hijacked.Store(true)
				}
			}
		},
	}
	return s, nil
}

// logWriter passes net/http's own log lines to the limiter.
type logWriter struct{ l *logLimiter }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.printf("%s", trimNewline(string(p)))
	return len(p), nil
}

func trimNewline(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

// Start binds the listeners and serves them in the background. An error
// names the address that could not be bound; nothing stays bound then.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("server already started")
	}
	var lns []net.Listener
	fail := func(err error) error {
		for _, l := range lns {
			l.Close()
		}
		return err
	}
	if s.opts.Listen != "" {
		ln, err := net.Listen("tcp", s.opts.Listen)
		if err != nil {
			return fail(fmt.Errorf("listening on %s: %w", s.opts.Listen, err))
		}
		lns = append(lns, plainListener{&gateListener{Listener: ln, s: s, plain: true}})
	}
	if s.opts.TLSListen != "" {
		ln, err := net.Listen("tcp", s.opts.TLSListen)
		if err != nil {
			return fail(fmt.Errorf("listening on %s: %w", s.opts.TLSListen, err))
		}
		lns = append(lns, newTLSListener(&gateListener{Listener: ln, s: s}, s))
	}
	s.started, s.listeners = true, lns
	for _, l := range lns {
		go func() {
			if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.errc <- fmt.Errorf("serving %s: %w", l.Addr(), err)
			}
		}()
	}
	if s.table.Load() != nil && s.opts.CertificatePollInterval > 0 {
		go s.pollCertificates()
	}
	return nil
}

// Addrs returns the bound addresses: the plain listener's first, then the
// TLS listener's. Each is usable as host:port for a client.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]net.Addr, len(s.listeners))
	for i, l := range s.listeners {
		out[i] = l.Addr()
	}
	return out
}

// PlainAddr returns the plain listener's address, or "" without one.
func (s *Server) PlainAddr() string { return s.addrOf(false) }

// TLSAddr returns the TLS listener's address, or "" without one.
func (s *Server) TLSAddr() string { return s.addrOf(true) }

func (s *Server) addrOf(tls bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.listeners {
		if _, isTLS := l.(*tlsListener); isTLS == tls {
			return l.Addr().String()
		}
	}
	return ""
}

// Err delivers an error when a listener stops serving on its own (not by
// Shutdown).
func (s *Server) Err() <-chan error { return s.errc }

// Shutdown stops accepting connections, waits for in-flight requests to
// finish, at most DrainTimeout or until ctx ends, then closes every
// connection. It returns nil when all requests finished in time.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		select {
		case <-s.stopPoll:
		default:
			close(s.stopPoll)
		}
	}
	s.mu.Unlock()
	if s.opts.DrainTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.DrainTimeout)
		defer cancel()
	}
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
		return fmt.Errorf("requests still in flight after %s: their connections were closed", s.opts.DrainTimeout)
	}
	return nil
}

// ReloadCertificates reads the certificate and client CA files again and
// serves them to new connections. When one fails to load, the certificates
// being served stay and the error says why. Connections in flight keep
// theirs.
func (s *Server) ReloadCertificates() error {
	if s.table.Load() == nil {
		return nil
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	return s.reloadLocked()
}

func (s *Server) reloadLocked() error {
	t, err := loadCertTable(&s.opts, s.nextProtos)
	if err != nil {
		s.stats.certReloadFailures.Add(1)
		s.lastFailed = stampFiles(s.opts.watchedFiles())
		s.log.printf("certificate reload failed, still serving the previous certificates: %v", err)
		return fmt.Errorf("%w (still serving the previous certificates)", err)
	}
	s.table.Store(t)
	s.lastFailed = nil
	s.stats.certificateReloads.Add(1)
	s.log.printf("reloaded %d TLS certificate(s)", len(t.certs))
	return nil
}

// pollCertificates reloads the certificates when their files change.
func (s *Server) pollCertificates() {
	tick := time.NewTicker(s.opts.CertificatePollInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.stopPoll:
			return
		case <-tick.C:
		}
		now := stampFiles(s.opts.watchedFiles())
		s.reloadMu.Lock()
		if !sameStamps(now, s.table.Load().files) && (s.lastFailed == nil || !sameStamps(now, s.lastFailed)) {
			s.reloadLocked()
		}
		s.reloadMu.Unlock()
	}
}

// ClientCAs returns the certification authorities of ClientCA as loaded
// now, for the validate-client-certificate policy; nil without ClientCA.
func (s *Server) ClientCAs() *x509.CertPool {
	if t := s.table.Load(); t != nil {
		return t.clientCA
	}
	return nil
}
