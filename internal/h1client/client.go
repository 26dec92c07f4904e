// Package h1client sends HTTP/1.1 requests to plain-HTTP backends on the
// goroutine that asks, over pooled keep-alive connections.
//
// net/http's Transport runs two goroutines per connection (one writing
// requests, one reading responses) and hands every request and response
// between them and the caller through channels and a context of its own.
// A gateway waits for its backend anyway, so Client writes the request and
// reads the response on the caller's goroutine, and bounds the wait with
// the connection's deadline instead of a timer and a derived context. It
// parses and writes messages with net/http's own code (Request.Write,
// ReadResponse), so what goes on the wire is what the Transport sends.
//
// A Client handles requests to http:// URLs; everything else (https,
// protocol upgrades, Expect: 100-continue) goes to its Fallback transport.
package h1client

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// ErrHeaderTimeout is returned, wrapped, when the backend has not sent the
// status line and headers within the timeout given to Do.
var ErrHeaderTimeout = errors.New("no response headers within the timeout")

// A Client sends requests over pooled connections. Its zero value is not
// usable: make it with New.
type Client struct {
	// Fallback sends the requests the client does not handle itself.
	Fallback *http.Transport
	// MaxIdlePerHost bounds the idle connections kept per backend address.
	MaxIdlePerHost int
	// IdleTimeout is how long an idle connection is kept.
	IdleTimeout time.Duration
	// MaxResponseHeaderBytes bounds the status line and headers of a
	// response.
	MaxResponseHeaderBytes int64

	dialer net.Dialer

	mu   sync.Mutex
	idle map[string][]*conn // by address, most recently used last
}

// New returns a client that takes its limits (idle connections per host,
// idle timeout, dial timeout and keep-alive, response header size) from
// fallback and sends through it what it does not handle itself.
func New(fallback *http.Transport) *Client {
	c := &Client{
		Fallback:               fallback,
		MaxIdlePerHost:         fallback.MaxIdleConnsPerHost,
		IdleTimeout:            fallback.IdleConnTimeout,
		MaxResponseHeaderBytes: fallback.MaxResponseHeaderBytes,
		dialer:                 net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
		idle:                   map[string][]*conn{},
	}
	if c.MaxIdlePerHost <= 0 {
		c.MaxIdlePerHost = http.DefaultMaxIdleConnsPerHost
	}
	if c.MaxResponseHeaderBytes <= 0 {
		c.MaxResponseHeaderBytes = 10 << 20 // the Transport's default
	}
	return c
}

// Handles reports whether the client sends a request to u with headers h
// itself rather than through its Fallback.
func (c *Client) Handles(u *url.URL, h http.Header) bool {
	return u.Scheme == "http" && len(h["Upgrade"]) == 0 && len(h["Expect"]) == 0
}

// RoundTrip implements http.RoundTripper: Do with no header timeout.
func (c *Client) RoundTrip(req *http.Request) (*http.Response, error) {
	return c.Do(req.Context(), req, 0)
}

// CloseIdleConnections closes the idle connections of the client and of its
// fallback.
func (c *Client) CloseIdleConnections() {
	c.mu.Lock()
	idle := c.idle
	c.idle = map[string][]*conn{}
	c.mu.Unlock()
	for _, conns := range idle {
		for _, pc := range conns {
			pc.nc.Close()
		}
	}
	c.Fallback.CloseIdleConnections()
}

// Do sends req and returns the response once its status line and headers
// have arrived, within headerTimeout when it is positive. The response body
// is read from the connection; reading it to the end returns the
// connection to the pool, closing it before the end closes the connection.
// When ctx ends before the body is read, the connection is closed and the
// call or the body's Read returns an error for which ctx.Err() is not nil.
// A request Handles refuses goes to the Fallback, with ctx and without the
// header timeout (the caller bounds it).
func (c *Client) Do(ctx context.Context, req *http.Request, headerTimeout time.Duration) (*http.Response, error) {
	if !c.Handles(req.URL, req.Header) {
		if ctx != req.Context() {
			req = req.WithContext(ctx)
		}
		return c.Fallback.RoundTrip(req)
	}
	if err := ctx.Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	addr := canonicalAddr(req.URL.Host)
	replayable := req.Body == nil || req.Body == http.NoBody
	var deadline time.Time
	if headerTimeout > 0 {
		deadline = time.Now().Add(headerTimeout)
	}
	for attempt := 0; ; attempt++ {
		pc, err := c.conn(ctx, addr, !replayable, deadline)
		if err != nil {
			closeBody(req)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var ne net.Error
			if !deadline.IsZero() && errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(deadline) {
				return nil, ErrHeaderTimeout
			}
			return nil, err
		}
		resp, nothingRead, err := c.exchange(ctx, pc, req, deadline)
		if err == nil {
			return resp, nil
		}
		// A pooled connection the backend closed while it was idle fails
		// before any byte of an answer: a request without a body is sent
		// again on a new connection, as the Transport does.
		if nothingRead && pc.reused && replayable && attempt == 0 && err != ErrHeaderTimeout && ctx.Err() == nil {
			continue
		}
		closeBody(req)
		return nil, err
	}
}

// earlyAnswerWait is how long a failed write waits for an answer the
// backend may have sent before the failure.
const earlyAnswerWait = 100 * time.Millisecond

// exchange writes req on pc and reads the response's status line and
// headers. On failure, nothingRead reports that not a byte of a response
// came back.
func (c *Client) exchange(ctx context.Context, pc *conn, req *http.Request, deadline time.Time) (resp *http.Response, nothingRead bool, err error) {
	if !deadline.IsZero() {
		pc.nc.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, pc.abort)
	fail := func(err error) (*http.Response, bool, error) {
		stop()
		pc.nc.Close()
		return nil, pc.read == 0, cause(ctx, err)
	}
	werr := req.Write(pc.bw)
	if werr == nil {
		werr = pc.bw.Flush()
	}
	if werr != nil {
		// An answer the backend sent before the write failed (a 413 while
		// the body was still coming) is on the connection already; for
		// anything else, there is nothing to wait for.
		pc.nc.SetReadDeadline(time.Now().Add(earlyAnswerWait))
	}
	pc.limit = c.MaxResponseHeaderBytes
	pc.read = 0
	var rerr error
	for {
		resp, rerr = http.ReadResponse(pc.br, req)
		// Informational answers (100 Continue sent unasked, 103 Early
		// Hints) come before the final one.
		if rerr != nil || resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		resp.Body.Close()
	}
	if rerr != nil {
		if werr != nil && pc.read == 0 {
			rerr = werr // the write failed and nothing came back: say why
		}
		return fail(rerr)
	}
	pc.limit = -1
	if !deadline.IsZero() {
		pc.nc.SetDeadline(time.Time{})
		if ctx.Err() != nil { // the abort's deadline may just have been undone
			resp.Body.Close()
			return fail(ctx.Err())
		}
	}
	// The backend may answer before reading the whole request (a 413, a
	// 401): the answer stands, the connection is not reused.
	keep := werr == nil && !resp.Close && !req.Close
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return fail(errors.New("h1client: unexpected 101 Switching Protocols"))
	}
	b := &body{c: c, pc: pc, src: resp.Body, stop: stop, keep: keep}
	if resp.Body == http.NoBody {
		b.finish(true)
		return resp, false, nil
	}
	resp.Body = b
	return resp, false, nil
}

// cause returns the error to report for err: the context's when ctx ended,
// ErrHeaderTimeout when the deadline passed.
func cause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrHeaderTimeout
	}
	return err
}

// conn returns an idle connection to addr, or a new one. check asks that a
// connection idle for a while be checked before it is used (the request has
// a body, so it cannot be sent again).
func (c *Client) conn(ctx context.Context, addr string, check bool, deadline time.Time) (*conn, error) {
	now := time.Now()
	c.mu.Lock()
	for conns := c.idle[addr]; len(conns) > 0; conns = c.idle[addr] {
		pc := conns[len(conns)-1]
		conns[len(conns)-1] = nil
		c.idle[addr] = conns[:len(conns)-1]
		if c.IdleTimeout > 0 && now.Sub(pc.idleSince) > c.IdleTimeout {
			c.mu.Unlock()
			pc.nc.Close()
			c.mu.Lock()
			continue
		}
		c.mu.Unlock()
		if check && now.Sub(pc.idleSince) > checkIdleAfter && !alive(pc.nc) {
			pc.nc.Close()
			c.mu.Lock()
			continue
		}
		pc.reused = true
		return pc, nil
	}
	c.mu.Unlock()
	d := c.dialer
	if !deadline.IsZero() {
		d.Deadline = deadline
	}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	pc := &conn{nc: nc, addr: addr, limit: -1}
	pc.br = bufio.NewReaderSize(pc, 4<<10)
	pc.bw = bufio.NewWriterSize(nc, 4<<10)
	return pc, nil
}

// checkIdleAfter is how long a connection may stay idle before a request
// that cannot be sent twice checks that the backend has not closed it.
const checkIdleAfter = 50 * time.Millisecond

// put returns pc to the pool, or closes it when the pool is full.
func (c *Client) put(addr string, pc *conn) {
	pc.idleSince = time.Now()
	c.mu.Lock()
	conns := c.idle[addr]
	if len(conns) < c.MaxIdlePerHost {
		c.idle[addr] = append(conns, pc)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	pc.nc.Close()
}

// canonicalAddr returns host with the port of http when it has none.
func canonicalAddr(host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return net.JoinHostPort(host, "80")
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// A conn is a backend connection with its buffers.
type conn struct {
	nc        net.Conn
	addr      string // the pool's key
	br        *bufio.Reader
	bw        *bufio.Writer
	reused    bool
	idleSince time.Time
	// limit is how many more bytes may be read (the response headers'
	// bound), or -1 for no limit; read counts the bytes of this response.
	limit int64
	read  int64
}

var errHeaderTooLong = errors.New("h1client: the response headers exceed the limit")

// Read reads from the connection for br, within limit.
func (pc *conn) Read(p []byte) (int, error) {
	if pc.limit == 0 {
		return 0, errHeaderTooLong
	}
	if pc.limit > 0 && int64(len(p)) > pc.limit {
		p = p[:pc.limit]
	}
	n, err := pc.nc.Read(p)
	pc.read += int64(n)
	if pc.limit > 0 {
		pc.limit -= int64(n)
	}
	return n, err
}

// abort ends whatever the connection is doing: the caller went away.
func (pc *conn) abort() { pc.nc.SetDeadline(aLongTimeAgo) }

var aLongTimeAgo = time.Unix(1, 0)

// body is a response body read from a pooled connection.
type body struct {
	c    *Client
	pc   *conn
	src  io.ReadCloser
	stop func() bool
	keep bool
	done bool
	err  error
}

var errBodyClosed = errors.New("h1client: read on a closed response body")

func (b *body) Read(p []byte) (int, error) {
	if b.done {
		if b.err != nil {
			return 0, b.err
		}
		return 0, errBodyClosed
	}
	n, err := b.src.Read(p)
	switch {
	case err == io.EOF:
		b.finish(true)
		b.err = io.EOF
	case err != nil:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			err = context.Canceled // only an abort sets a deadline now
		}
		b.finish(false)
		b.err = err
	}
	return n, err
}

func (b *body) Close() error {
	if !b.done {
		b.finish(false)
	}
	return nil
}

// finish ends the exchange: the connection goes back to the pool when the
// body was read to its end, nothing more is buffered, and the caller did
// not go away; otherwise it is closed.
func (b *body) finish(eof bool) {
	b.done = true
	notAborted := b.stop()
	if eof && b.keep && notAborted && b.pc.br.Buffered() == 0 {
		b.c.put(b.pc.addr, b.pc)
		return
	}
	b.pc.nc.Close()
}
