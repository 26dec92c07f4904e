package serve

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// connKey is the context key of the httpConn a request came on.
type connKey struct{}

// ServeHTTP applies the request limits, then runs the handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c, _ := r.Context().Value(connKey{}).(*httpConn); c != nil {
		if r.ProtoMajor == 2 {
			// h2c: the connection carries HTTP/2 frames from now on, with
			// requests side by side; nothing of HTTP/1.1 to watch.
			c.hijacked.Store(true)
		} else {
			c.enterHandler()
			defer c.leaveHandler()
		}
	}
	o := &s.opts
	if o.MaxURLLength > 0 && requestLineLength(r) > o.MaxURLLength {
		s.stats.urlTooLong.Add(1)
		s.log.printf("refused a request from %s: request line longer than %d bytes", r.RemoteAddr, o.MaxURLLength)
		writeAnswer(w, http.StatusRequestURITooLong, msgLineTooLong, false)
		return
	}
	if o.MaxHeaderBytes > 0 && headerBlockLength(r) > o.MaxHeaderBytes {
		s.stats.headerTooLarge.Add(1)
		s.log.printf("refused a request from %s: request headers longer than %d bytes", r.RemoteAddr, o.MaxHeaderBytes)
		writeAnswer(w, http.StatusRequestHeaderFieldsTooLarge, msgHeadersTooLarge, false)
		return
	}
	if o.MaxBodyBytes > 0 && r.ContentLength > o.MaxBodyBytes {
		s.stats.bodyTooLarge.Add(1)
		s.log.printf("refused a request from %s: body of %d bytes, more than %d", r.RemoteAddr, r.ContentLength, o.MaxBodyBytes)
		writeAnswer(w, http.StatusRequestEntityTooLarge, msgBodyTooLarge, true)
		return
	}
	if r.Body == nil || r.Body == http.NoBody || (o.MaxBodyBytes <= 0 && o.MinBodyRate <= 0) {
		s.handler.ServeHTTP(w, r)
		return
	}
	b := &guardedBody{ReadCloser: r.Body, s: s, remote: r.RemoteAddr, max: o.MaxBodyBytes}
	if o.MinBodyRate > 0 {
		b.rc = http.NewResponseController(w)
		b.rate = float64(o.MinBodyRate)
		b.grace = o.MinBodyRateGrace
	}
	gw := &guardedWriter{ResponseWriter: w, body: b}
	r.Body = b
	s.handler.ServeHTTP(gw, r)
	if b.failure.Load() != 0 && !gw.wroteHeader {
		gw.answerFailure()
	}
	b.clearDeadline(true)
}

// requestLineLength is the length of "METHOD TARGET PROTO\r\n".
func requestLineLength(r *http.Request) int {
	return len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
}

// headerBlockLength is the length of the header lines "Name: value\r\n",
// Host included.
func headerBlockLength(r *http.Request) int {
	n := len("Host: \r\n") + len(r.Host)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// guardedBody enforces MaxBodyBytes and MinBodyRate on a request body.
//
// The rate counts only the time the handler waits in Read for the client:
// a handler that stops reading (a slow backend) does not make the client
// slow. After grace, the client must have sent rate bytes for every second
// waited. Read sets the read deadline at which the client would fall
// short, with up to twice the time it has earned, so that a fast client
// moves the deadline only a few times per body.
//
// Read may run in another goroutine than the handler (a transport sending
// the body on): the failure is atomic, and the deadline, which belongs to
// the handler's response, is set under mu and never after the handler
// returned.
type guardedBody struct {
	io.ReadCloser
	s      *Server
	remote string
	max    int64
	n      int64

	rc     *http.ResponseController // nil: no rate
	rate   float64
	grace  time.Duration
	waited time.Duration

	mu       sync.Mutex
	deadline time.Time // the read deadline set, zero for none
	done     bool      // the handler returned

	failure atomic.Int32 // 408 or 413 once the body failed a limit
}

// The errors a request body's Read returns when the body fails a limit.
// The client is answered 413 or 408 in place of the handler's response
// when that has not begun; a handler may tell them apart to log the cause.
var (
	ErrBodyTooLarge = errors.New("request body larger than the limit (--max-body-bytes)")
	ErrBodyTooSlow  = errors.New("request body arriving slower than the minimum rate (--min-body-rate)")
)

func (b *guardedBody) Read(p []byte) (int, error) {
	switch b.failure.Load() {
	case http.StatusRequestEntityTooLarge:
		return 0, ErrBodyTooLarge
	case http.StatusRequestTimeout:
		return 0, ErrBodyTooSlow
	}
	var start time.Time
	if b.rc != nil {
		allowed := b.grace + time.Duration(float64(b.n)/b.rate*float64(time.Second)) - b.waited
		if allowed <= 0 {
			return 0, b.slow()
		}
		start = time.Now()
		b.setDeadline(start, allowed)
	}
	n, err := b.ReadCloser.Read(p)
	if b.rc != nil {
		b.waited += time.Since(start)
	}
	b.n += int64(n)
	if b.max > 0 && b.n > b.max {
		if b.failure.CompareAndSwap(0, http.StatusRequestEntityTooLarge) {
			b.s.stats.bodyTooLarge.Add(1)
			b.s.log.printf("refused a request from %s: body longer than %d bytes", b.remote, b.max)
		}
		return n, ErrBodyTooLarge
	}
	if err != nil && b.rc != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, b.slow()
	}
	if err == io.EOF {
		b.clearDeadline(false)
	}
	return n, err
}

// setDeadline makes sure the read deadline lies between now+allowed and
// now+2*allowed.
func (b *guardedBody) setDeadline(now time.Time, allowed time.Duration) {
	target := now.Add(allowed)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done || !b.deadline.IsZero() && !b.deadline.Before(target) && b.deadline.Sub(target) <= allowed {
		return
	}
	if err := b.rc.SetReadDeadline(target.Add(allowed)); err != nil {
		b.rc = nil // the connection cannot time reads: no rate
		return
	}
	b.deadline = target.Add(allowed)
}

func (b *guardedBody) slow() error {
	if b.failure.CompareAndSwap(0, http.StatusRequestTimeout) {
		b.s.stats.slowBodies.Add(1)
		b.s.log.printf("cut off a slow client %s: request body arriving slower than %d bytes a second (%d bytes in %s)",
			b.remote, int(b.rate), b.n, b.waited.Round(time.Millisecond))
	}
	return ErrBodyTooSlow
}

// clearDeadline lifts the read deadline once the body is read, so that
// net/http's wait for the next request is not cut short; handlerDone says
// the handler returned, after which the response is not touched. After a
// failure the passed deadline stays: net/http must not wait for the rest
// of a body.
func (b *guardedBody) clearDeadline(handlerDone bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	if b.rc != nil && !b.deadline.IsZero() && b.failure.Load() == 0 {
		b.rc.SetReadDeadline(time.Time{})
		b.deadline = time.Time{}
	}
	b.done = handlerDone
}

// guardedWriter answers 408 or 413 in place of the handler's response
// when the body failed a limit before the response began.
type guardedWriter struct {
	http.ResponseWriter
	body        *guardedBody
	wroteHeader bool
	replaced    bool
}

func (w *guardedWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.body.failure.Load() != 0 {
		w.answerFailure()
		return
	}
	w.wroteHeader = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *guardedWriter) answerFailure() {
	w.wroteHeader, w.replaced = true, true
	h := w.ResponseWriter.Header()
	for k := range h {
		delete(h, k)
	}
	status, msg := int(w.body.failure.Load()), msgBodyTooLarge
	if status == http.StatusRequestTimeout {
		msg = msgBodySlow
	}
	writeAnswer(w.ResponseWriter, status, msg, true)
}

func (w *guardedWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// FlushError flushes the response, for http.ResponseController.
func (w *guardedWriter) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return nil
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush flushes the response, for handlers that look for http.Flusher.
func (w *guardedWriter) Flush() { w.FlushError() }

// Unwrap gives http.ResponseController the writer underneath.
func (w *guardedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
