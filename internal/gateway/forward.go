package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tollgate/tollgate/internal/h1client"
)

// DefaultBackendTimeout is how long forward-request waits for the backend's
// status line and headers, as in APIM.
const DefaultBackendTimeout = 300 * time.Second

// hopHeaders are the hop-by-hop headers a proxy must not forward (RFC 9110
// §7.6.1), in canonical form.
var hopHeaders = [...]string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// removeHopHeaders deletes hop-by-hop headers, including those named by the
// Connection header.
func removeHopHeaders(h http.Header) {
	for _, f := range h["Connection"] {
		for sf := range strings.SplitSeq(f, ",") {
			if sf = strings.TrimSpace(sf); sf != "" {
				h.Del(sf)
			}
		}
	}
	for _, name := range hopHeaders {
		delete(h, name)
	}
}

// backendRequest is what forward-request sends.
type backendRequest struct {
	method  string
	url     *url.URL
	header  http.Header
	body    io.ReadCloser
	length  int64
	timeout time.Duration
	host    string // Host header set by a policy, "" for the URL's host
}

var errBackendTimeout = errors.New("backend timeout")

// roundTrip sends req and waits for the status line and headers at most
// req.timeout. On failure it returns an *Error classified the way APIM
// classifies it.
func roundTrip(ctx context.Context, rt http.RoundTripper, req *backendRequest) (*http.Response, *Error) {
	if c, ok := rt.(*h1client.Client); ok {
		if c.Handles(req.url, req.header) {
			// The wait is bounded by the connection's deadline, the
			// caller's going away by ctx: no timer, no derived context.
			out := req.outgoing()
			resp, err := c.Do(ctx, &out, req.timeout)
			switch {
			case err == nil:
				return resp, nil
			case errors.Is(err, h1client.ErrHeaderTimeout):
				return nil, errBackendTimedOut(req)
			case ctx.Err() != nil:
				return nil, errClientGone()
			}
			return nil, backendFailure(req.url, err)
		}
		rt = c.Fallback
	}
	ctx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(req.timeout, func() { cancel(errBackendTimeout) })
	// A value, so that only WithContext's copy is allocated.
	out := req.outgoing()
	resp, err := rt.RoundTrip(out.WithContext(ctx))
	timer.Stop()
	if err == nil {
		// The response body is read under ctx: keep it alive until the body
		// is closed.
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	}
	defer cancel(nil)
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errBackendTimeout):
		return nil, errBackendTimedOut(req)
	case cause != nil && !errors.Is(cause, errBackendTimeout):
		return nil, errClientGone()
	}
	return nil, backendFailure(req.url, err)
}

// outgoing returns the HTTP request req describes.
func (req *backendRequest) outgoing() http.Request {
	out := http.Request{
		Method:        req.method,
		URL:           req.url,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        req.header,
		Body:          req.body,
		ContentLength: req.length,
		Host:          req.url.Host,
	}
	if req.host != "" {
		out.Host = req.host
	}
	if req.body == nil || req.length == 0 {
		out.Body = nil
		out.ContentLength = 0
	}
	return out
}

// errBackendTimedOut is the failure of a backend that did not answer
// within req.timeout.
func errBackendTimedOut(req *backendRequest) *Error {
	return &Error{
		Source: "forward-request", Reason: "Timeout", Section: "backend",
		Message: fmt.Sprintf("Request to the backend service timed out after %s.", formatSeconds(req.timeout)),
		Status:  500,
		Cause: fmt.Sprintf("the backend %s did not send a status line and headers within %s; raise forward-request timeout or make the backend answer sooner",
			req.url.Host, formatSeconds(req.timeout)),
	}
}

func errClientGone() *Error {
	return errClientAborted("forward-request", "the client closed the connection while the request was waiting for the backend")
}

func formatSeconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d seconds", int(d/time.Second))
	}
	return d.String()
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelCauseFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel(nil)
	return err
}

func errClientAborted(source, cause string) *Error {
	return &Error{
		Source: source, Reason: "ClientConnectionFailure", Message: "A task was canceled.",
		Section: "backend", Status: 0, Cause: cause,
	}
}

// backendFailure turns a transport error into APIM's BackendConnectionFailure
// with the message APIM logs for the same condition, and keeps Go's own error
// as the cause.
func backendFailure(u *url.URL, err error) *Error {
	e := &Error{
		Source: "forward-request", Reason: "BackendConnectionFailure", Section: "backend",
		Status: 500,
	}
	host := u.Hostname()
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		e.Message = fmt.Sprintf("The remote name could not be resolved: '%s'", host)
		e.Cause = fmt.Sprintf("DNS lookup of the backend host %q failed (%v); check the host in the API's serviceUrl or the backend entity", host, dnsErr.Err)
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr):
		e.Message = "The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel."
		e.Cause = fmt.Sprintf("the TLS certificate of %s was rejected (%v); trust its CA, or turn off validation for this backend (tls.validateCertificateChain/validateCertificateName in the backend entity)", u.Host, unwrapAll(err))
	case errors.As(err, &recordErr):
		e.Message = "Authentication failed because the remote party has closed the transport stream."
		e.Cause = fmt.Sprintf("the backend %s does not speak TLS on that port (the serviceUrl says https)", u.Host)
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Message = "Unable to connect to the remote server"
		e.Cause = fmt.Sprintf("nothing accepts connections at %s (connection refused): the backend is down or the serviceUrl names the wrong port", u.Host)
	case errors.As(err, &opErr) && opErr.Op == "dial" && opErr.Timeout():
		e.Message = fmt.Sprintf("A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond %s", u.Host)
		e.Cause = fmt.Sprintf("connecting to %s timed out: a firewall drops the packets, or the host is down", u.Host)
	case errors.Is(err, syscall.ECONNRESET):
		e.Message = "Unable to read data from the transport connection: An existing connection was forcibly closed by the remote host."
		e.Cause = fmt.Sprintf("the backend %s reset the connection before it answered", u.Host)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Message = "The underlying connection was closed: The connection was closed unexpectedly."
		e.Cause = fmt.Sprintf("the backend %s closed the connection before it sent a complete status line and headers", u.Host)
	default:
		e.Message = msgBackendClosed
		e.Cause = fmt.Sprintf("calling %s failed: %v", u.Host, unwrapAll(err))
	}
	return e
}

// unwrapAll strips url.Error's "Get URL:" prefix, which may carry secrets in
// the query string.
func unwrapAll(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// copyBuffers are reused by response copies.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32*1024); return &b }}

// copyResponse streams src to w. It flushes after each chunk when the length
// is unknown (streaming responses such as server-sent events), writes 32 KB
// at a time otherwise, and reports which side failed.
func copyResponse(w http.ResponseWriter, src io.Reader, flush bool) (n int64, readErr, writeErr error) {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	rc := http.NewResponseController(w)
	for {
		nr, rerr := src.Read(buf)
		if !flush {
			// Fill the buffer before writing: the server's writes then
			// carry whole buffers, one system call each, instead of one
			// more for each short read (the first read of a body returns
			// what the transport's 4 KB buffer holds).
			for nr < len(buf) && rerr == nil {
				var m int
				m, rerr = src.Read(buf[nr:])
				nr += m
			}
		}
		if nr > 0 {
			nw, werr := w.Write(buf[:nr])
			n += int64(nw)
			if werr != nil {
				return n, nil, werr
			}
			if flush {
				if err := rc.Flush(); err != nil {
					return n, nil, err
				}
			}
		}
		if rerr == io.EOF {
			return n, nil, nil
		}
		if rerr != nil {
			return n, rerr, nil
		}
	}
}
