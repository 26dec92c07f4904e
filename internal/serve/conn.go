package serve

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// httpConn wraps a connection net/http serves HTTP/1.1 on. It sees the
// request heads go by and the answers net/http writes on its own, and
// does three things with them:
//
//   - net/http answers an oversized or malformed request head itself, in
//     plain text; httpConn rewrites that answer into APIM's JSON shape and
//     tells an over-long request line (414) from an over-long header block
//     (431);
//   - when a request head does not arrive within ReadHeaderTimeout,
//     net/http closes the connection without a word; httpConn counts and
//     logs the slow client and, if part of a head came, answers 408;
//   - it marks the connection busy while a handler runs, so the head
//     tracking costs nothing while a body streams.
//
// Bytes are tracked only between requests; a hijacked connection, and one
// that turned to HTTP/2 (h2c), is left alone.
type httpConn struct {
	net.Conn
	s *Server

	inHandler atomic.Bool
	hijacked  atomic.Bool // hijacked, or speaking h2c: not HTTP/1.1 any more
	requests  atomic.Int64
	deadline  atomic.Int64 // the read deadline last set, Unix nanoseconds; 0 for none

	mu        sync.Mutex // guards the head tracking and cutOff
	headBytes int64      // bytes of the coming request head read so far
	lineLen   int        // length of the head's last, unterminated line
	lineHead  [16]byte   // first bytes of that line
	lineHeadN int
	cutOff    bool // a slow client was cut off: nothing more to say
}

// tlsHTTPConn is an httpConn over TLS. Its ConnectionState method makes
// net/http set r.TLS, as it does for a *tls.Conn.
type tlsHTTPConn struct {
	*httpConn
	state tls.ConnectionState
}

// ConnectionState returns the state of the TLS connection.
func (c *tlsHTTPConn) ConnectionState() tls.ConnectionState { return c.state }

func newHTTPConn(c net.Conn, state *tls.ConnectionState, s *Server) net.Conn {
	hc := &httpConn{Conn: c, s: s}
	if state != nil {
		return &tlsHTTPConn{httpConn: hc, state: *state}
	}
	return hc
}

// connOf finds the httpConn under a connection net/http was given.
func connOf(c net.Conn) *httpConn {
	switch c := c.(type) {
	case *httpConn:
		return c
	case *tlsHTTPConn:
		return c.httpConn
	}
	return nil
}

func (c *httpConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.inHandler.Load() || c.hijacked.Load() {
		return n, err
	}
	c.mu.Lock()
	if n > 0 {
		c.trackHead(p[:n])
	}
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		c.headTimedOut()
	}
	c.mu.Unlock()
	return n, err
}

// trackHead notes the bytes of a request head: how many, and the start
// and length of the line being read.
func (c *httpConn) trackHead(p []byte) {
	c.headBytes += int64(len(p))
	if i := bytes.LastIndexByte(p, '\n'); i >= 0 {
		c.lineLen = len(p) - 1 - i
		c.lineHeadN = copy(c.lineHead[:], p[i+1:])
		return
	}
	if c.lineHeadN < len(c.lineHead) {
		c.lineHeadN += copy(c.lineHead[c.lineHeadN:], p)
	}
	c.lineLen += len(p)
}

// headTimedOut handles a read deadline that passed between requests.
func (c *httpConn) headTimedOut() {
	if d := c.deadline.Load(); d != 0 && d < time.Unix(1e9, 0).UnixNano() {
		return // net/http interrupting its own background read, not a deadline
	}
	if c.cutOff {
		return
	}
	s := c.s
	switch {
	case c.headBytes > 0:
		c.cutOff = true
		s.stats.slowHeaders.Add(1)
		s.log.printf("cut off a slow client %s: request headers not complete after %s", c.RemoteAddr(), s.opts.ReadHeaderTimeout)
		c.Conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		c.Conn.Write(rawAnswer(408, msgHeadersTimeout))
	case c.requests.Load() == 0:
		c.cutOff = true
		s.stats.slowHeaders.Add(1)
		s.log.printf("cut off a slow client %s: no request within %s", c.RemoteAddr(), s.opts.ReadHeaderTimeout)
	}
	// Otherwise a kept-alive connection was idle for IdleTimeout: closing
	// it is routine.
}

// isRequestLine reports whether the line being read starts like a request
// line ("GET /..."), not like a header field.
func (c *httpConn) isRequestLine() bool {
	head := c.lineHead[:c.lineHeadN]
	sp := bytes.IndexByte(head, ' ')
	if sp <= 0 {
		return false
	}
	for _, b := range head[:sp] {
		if b < 'A' || b > 'Z' {
			return false
		}
	}
	return true
}

// cannedHeaders are the header lines of the answers net/http writes on
// the connection itself. The answers a handler produces sort their header
// names (Connection before Content-Type) and carry a Date, so they never
// look like this.
const cannedHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c *httpConn) Write(p []byte) (int, error) {
	if !c.inHandler.Load() && !c.hijacked.Load() && len(p) > 12 && string(p[:7]) == "HTTP/1." {
		if status, message, ok := cannedAnswer(p); ok {
			c.answerForNetHTTP(status, message)
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}

// cannedAnswer recognises an answer net/http wrote itself and returns its
// status and message.
func cannedAnswer(p []byte) (status int, message string, ok bool) {
	eol := bytes.IndexByte(p, '\r')
	if eol < 12 || !bytes.HasPrefix(p[eol:], []byte(cannedHeaders)) {
		return 0, "", false
	}
	status, err := strconv.Atoi(string(p[9:12]))
	if err != nil {
		return 0, "", false
	}
	body := p[eol+len(cannedHeaders):]
	body = bytes.TrimPrefix(body, p[9:13]) // "431 Request Header..." → "Request Header..."
	return status, string(body), true
}

// answerForNetHTTP writes, in APIM's shape, the answer net/http was about
// to write in plain text.
func (c *httpConn) answerForNetHTTP(status int, message string) {
	s := c.s
	if status == 431 {
		c.mu.Lock()
		line := c.isRequestLine()
		c.mu.Unlock()
		if line {
			status, message = 414, msgLineTooLong
			s.stats.urlTooLong.Add(1)
			s.log.printf("refused a request from %s: request line longer than %d bytes", c.RemoteAddr(), s.opts.MaxURLLength)
		} else {
			message = msgHeadersTooLarge
			s.stats.headerTooLarge.Add(1)
			s.log.printf("refused a request from %s: request headers longer than %d bytes", c.RemoteAddr(), s.opts.MaxHeaderBytes)
		}
	} else {
		s.stats.badRequests.Add(1)
	}
	c.Conn.Write(rawAnswer(status, message))
}

func (c *httpConn) SetReadDeadline(t time.Time) error {
	c.storeDeadline(t)
	return c.Conn.SetReadDeadline(t)
}

func (c *httpConn) SetDeadline(t time.Time) error {
	c.storeDeadline(t)
	return c.Conn.SetDeadline(t)
}

func (c *httpConn) storeDeadline(t time.Time) {
	if t.IsZero() {
		c.deadline.Store(0)
	} else {
		c.deadline.Store(t.UnixNano())
	}
}

// CloseWrite half-closes the connection, as net/http does before closing
// one whose request it refused.
func (c *httpConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// enterHandler marks the start of a request's handler.
func (c *httpConn) enterHandler() {
	c.requests.Add(1)
	c.inHandler.Store(true)
}

// leaveHandler marks its end: the next bytes are the next request's head.
func (c *httpConn) leaveHandler() {
	c.mu.Lock()
	c.headBytes, c.lineLen, c.lineHeadN = 0, 0, 0
	c.mu.Unlock()
	c.inHandler.Store(false)
}
