package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// gateListener accepts connections up to the server's MaxConnections and
// refuses the ones beyond. Every connection it returns is a countedConn.
type gateListener struct {
	net.Listener
	s     *Server
	plain bool // refused connections get a 503 answer; TLS ones are closed
}

func (l *gateListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		s := l.s
		if max := s.opts.MaxConnections; max > 0 && s.open.Add(1) > int64(max) {
			s.open.Add(-1)
			s.stats.refusedConns.Add(1)
			s.log.printf("refused a connection from %s: %d connections are open, the maximum (--max-connections)", c.RemoteAddr(), max)
			s.refuse(c, l.plain)
			continue
		} else if max <= 0 {
			s.open.Add(1)
		}
		s.stats.accepted.Add(1)
		return &countedConn{Conn: c, s: s}, nil
	}
}

// refuse answers a connection beyond the limit and closes it. A plain one
// gets a 503 in APIM's shape; the rest of what the client sends is read
// and dropped for a moment so that closing does not reset the answer away.
// At most 64 refused connections linger so; the others are closed at once.
func (s *Server) refuse(c net.Conn, plain bool) {
	if !plain {
		c.Close()
		return
	}
	c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	c.Write(rawAnswer(503, msgTooManyConns))
	select {
	case s.lingering <- struct{}{}:
	default:
		c.Close()
		return
	}
	go func() {
		defer func() { <-s.lingering }()
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		io.CopyN(io.Discard, c, 64<<10)
		c.Close()
	}()
}

// countedConn gives its slot back when closed.
type countedConn struct {
	net.Conn
	s      *Server
	closed atomic.Bool
}

func (c *countedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.s.open.Add(-1)
	}
	return c.Conn.Close()
}

// CloseWrite half-closes TCP connections, as net/http does before it
// closes a connection whose request it refused.
func (c *countedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// plainListener returns httpConns, for net/http to serve HTTP/1.1 (and
// h2c) on.
type plainListener struct {
	*gateListener
}

func (l plainListener) Accept() (net.Conn, error) {
	c, err := l.gateListener.Accept()
	if err != nil {
		return nil, err
	}
	return newHTTPConn(c, nil, l.s), nil
}

// tlsListener completes each TLS handshake in a goroutine of its own, so
// that a slow client holds up no other, and hands net/http the
// connections: a *tls.Conn for HTTP/2, which net/http then serves with its
// HTTP/2 server, or an httpConn around it for HTTP/1.1, which gives the
// handler the same r.TLS and lets this package answer what net/http would
// answer in plain text.
type tlsListener struct {
	inner *gateListener
	s     *Server
	ready chan net.Conn
	errc  chan error
	done  chan struct{}
	once  sync.Once

	mu          sync.Mutex
	handshaking map[net.Conn]struct{}
}

func newTLSListener(inner *gateListener, s *Server) *tlsListener {
	l := &tlsListener{inner: inner, s: s, ready: make(chan net.Conn), errc: make(chan error, 1),
		done: make(chan struct{}), handshaking: map[net.Conn]struct{}{}}
	go l.acceptLoop()
	return l
}

func (l *tlsListener) acceptLoop() {
	var delay time.Duration
	for {
		c, err := l.inner.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			select {
			case l.errc <- err:
			case <-l.done:
			}
			return
		}
		delay = 0
		l.mu.Lock()
		select {
		case <-l.done:
			l.mu.Unlock()
			c.Close()
			return
		default:
		}
		l.handshaking[c] = struct{}{}
		l.mu.Unlock()
		go l.handshake(c)
	}
}

func (l *tlsListener) handshake(raw net.Conn) {
	s := l.s
	t := s.table.Load()
	tc := tls.Server(raw, t.config)
	if d := s.opts.ReadHeaderTimeout; d > 0 {
		raw.SetDeadline(time.Now().Add(d))
	}
	err := tc.HandshakeContext(context.Background())
	l.mu.Lock()
	delete(l.handshaking, raw)
	l.mu.Unlock()
	if err != nil {
		select {
		case <-l.done: // closed by Close: no failure of the client's
		default:
			s.handshakeFailed(raw, err)
		}
		raw.Close()
		return
	}
	raw.SetDeadline(time.Time{})
	var c net.Conn = tc
	state := tc.ConnectionState()
	if state.NegotiatedProtocol != "h2" {
		c = newHTTPConn(tc, &state, s)
	}
	select {
	case l.ready <- c:
	case <-l.done:
		c.Close()
	}
}

// handshakeFailed counts and logs a failed handshake. A client that spoke
// plain HTTP to the TLS port is told so, in APIM's shape.
func (s *Server) handshakeFailed(raw net.Conn, err error) {
	var rh tls.RecordHeaderError
	var ne net.Error
	switch {
	case errors.As(err, &rh) && rh.Conn != nil && looksLikeHTTP(rh.RecordHeader):
		s.stats.handshakeFailures.Add(1)
		raw.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		raw.Write(rawAnswer(400, msgHTTPToHTTPS))
		s.log.printf("TLS handshake from %s: the client sent plain HTTP to the HTTPS listener", raw.RemoteAddr())
	case errors.As(err, &ne) && ne.Timeout():
		s.stats.slowHeaders.Add(1)
		s.log.printf("cut off a slow client %s: TLS handshake not complete after %s", raw.RemoteAddr(), s.opts.ReadHeaderTimeout)
	case errors.Is(err, io.EOF):
		s.stats.handshakeFailures.Add(1) // a client that gave up (or a port scan): not worth a line
	default:
		s.stats.handshakeFailures.Add(1)
		s.log.printf("TLS handshake from %s failed: %v", raw.RemoteAddr(), err)
	}
}

func looksLikeHTTP(hdr [5]byte) bool {
	switch string(hdr[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO", "DELET", "PATCH", "CONNE", "TRACE":
		return true
	}
	return false
}

func (l *tlsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case err := <-l.errc:
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting and closes the connections still in their
// handshake.
func (l *tlsListener) Close() error {
	var err error
	l.once.Do(func() {
		l.mu.Lock()
		close(l.done)
		for c := range l.handshaking {
			c.Close()
		}
		l.mu.Unlock()
		err = l.inner.Close()
	})
	return err
}

func (l *tlsListener) Addr() net.Addr { return l.inner.Addr() }
