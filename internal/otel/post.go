package otel

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// poster posts the exports of one exporter to a plain-HTTP collector over
// one keep-alive connection, on the exporter's goroutine: the request's
// head and its body go in one write (writev), and the body is never
// copied. net/http's client copies a body of some hundred kilobytes
// through a buffer of 32 KB allocated for each request, in seven writes,
// and hands every request to two goroutines of its connection. An export
// over TLS or through a proxy goes through net/http.
type poster struct {
	addr    string // host:port dialed
	head    []byte // the request line and headers, without Content-Length
	timeout time.Duration
	dialer  net.Dialer

	conn *postConn // the idle connection; exports are one at a time
}

// postConn is a connection to the collector with its reader.
type postConn struct {
	nc   net.Conn
	read int64 // bytes of the current answer, at most maxAnswerBytes
	br   *bufio.Reader
}

// maxAnswerBytes bounds what is read of a collector's answer: its status
// line, headers and body.
const maxAnswerBytes = 1 << 20

var errAnswerTooLong = errors.New("the collector's answer exceeds 1 MB")

func (pc *postConn) Read(p []byte) (int, error) {
	left := maxAnswerBytes - pc.read
	if left <= 0 {
		return 0, errAnswerTooLong
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := pc.nc.Read(p)
	pc.read += int64(n)
	return n, err
}

// newPoster returns a poster for endpoint with header, or nil when
// net/http must send: TLS, or a proxy (proxy is the Transport's, as
// http.ProxyFromEnvironment).
func newPoster(endpoint string, header http.Header, timeout time.Duration, proxy func(*http.Request) (*url.URL, error)) *poster {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil
	}
	if proxy != nil {
		if p, err := proxy(&http.Request{URL: u}); err != nil || p != nil {
			return nil
		}
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	head := fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\n", u.RequestURI(), u.Host)
	keys := make([]string, 0, len(header))
	for k, vs := range header {
		// A name or value net/http would refuse is left to it, which says
		// why.
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return nil
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				return nil
			}
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range header[k] {
			head = fmt.Appendf(head, "%s: %s\r\n", k, v)
		}
	}
	return &poster{addr: addr, head: head, timeout: timeout,
		dialer: net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}}
}

// post sends body and returns the collector's status and its Retry-After
// header. A connection kept from the last export that the collector has
// closed meanwhile fails before any byte of an answer: the export is sent
// again on a new connection, once.
func (p *poster) post(ctx context.Context, body []byte) (status int, retryAfter string, err error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		pc, reused := p.conn, true
		p.conn = nil
		if pc == nil {
			reused = false
			nc, err := p.dialer.DialContext(ctx, "tcp", p.addr)
			if err != nil {
				return 0, "", err
			}
			pc = &postConn{nc: nc}
			pc.br = bufio.NewReaderSize(pc, 4<<10)
		}
		status, retryAfter, keep, err := p.exchange(ctx, pc, body)
		if err == nil {
			if keep {
				p.conn = pc
			} else {
				pc.nc.Close()
			}
			return status, retryAfter, nil
		}
		pc.nc.Close()
		if reused && pc.read == 0 && attempt == 0 && ctx.Err() == nil {
			continue
		}
		if ctx.Err() != nil {
			return 0, "", fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return 0, "", err
	}
}

// exchange writes the request on pc and reads the answer; keep reports
// that the connection may carry the next export.
func (p *poster) exchange(ctx context.Context, pc *postConn, body []byte) (status int, retryAfter string, keep bool, err error) {
	if d, ok := ctx.Deadline(); ok {
		pc.nc.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { pc.nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	var lenBuf [40]byte
	length := append(strconv.AppendInt(append(lenBuf[:0], "Content-Length: "...), int64(len(body)), 10), "\r\n\r\n"...)
	bufs := net.Buffers{p.head, length, body}
	pc.read = 0
	if _, err := bufs.WriteTo(pc.nc); err != nil {
		return 0, "", false, err
	}
	resp, err := http.ReadResponse(pc.br, nil)
	if err != nil {
		return 0, "", false, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		// An answer that does not end, or ends early: its status stands,
		// the connection is not used again.
		return resp.StatusCode, resp.Header.Get("Retry-After"), false, nil
	}
	pc.nc.SetDeadline(time.Time{})
	return resp.StatusCode, resp.Header.Get("Retry-After"), !resp.Close && stop(), nil
}

// close closes the idle connection.
func (p *poster) close() {
	if p.conn != nil {
		p.conn.nc.Close()
		p.conn = nil
	}
}
