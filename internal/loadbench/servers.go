package loadbench

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"time"
)

// MaxResponseBody is the largest body the echo backend answers with.
const MaxResponseBody = 1 << 20

// smallAnswer is the echo backend's default body.
const smallAnswer = `{"status":"ok","backend":"loadbench echo"}` + "\n"

// payload is what the echo backend's bodies are cut from.
var payload = bytes.Repeat([]byte("0123456789abcdef"), MaxResponseBody/16)

// Echo is the backend of every target: it reads and discards the request
// body and answers 200 with a small JSON body, or with a body of the size
// given by the query parameter "size" (at most MaxResponseBody bytes). It
// reports the request's path in the header X-Echo-Path.
func Echo() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("X-Echo-Path", r.URL.Path)
		body := []byte(smallAnswer)
		if s := r.URL.Query().Get("size"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > MaxResponseBody {
				http.Error(w, "size: want a number of bytes from 0 to "+strconv.Itoa(MaxResponseBody), http.StatusBadRequest)
				return
			}
			body = payload[:n]
			h.Set("Content-Type", "application/octet-stream")
		} else {
			h.Set("Content-Type", "application/json")
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
}

// BareProxy is the baseline: an httputil.ReverseProxy to backend that
// answers 401 to a request whose Ocp-Apim-Subscription-Key header is not
// key, and does nothing else. Its transport keeps as many idle backend
// connections as tollgate's (gateway.NewTransport), so that the two differ
// in what they do per request, not in connection reuse.
//
// It reads a request body only up to its Content-Length. Without that, the
// transport's last read of the body, made to see that it ends where
// Content-Length says, can come after the server has closed the body on
// writing the response headers; the transport then tears down the backend
// connection mid-response and the client gets a cut answer (Go issue 40747;
// the harness's bodies variant shows it within seconds with wrk).
func BareProxy(backend *url.URL, key string) http.Handler {
	proxy := httputil.NewSingleHostReverseProxy(backend)
	proxy.Transport = &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(KeyHeader) != key {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"statusCode":401,"message":"Access denied due to invalid subscription key."}`+"\n")
			return
		}
		if r.ContentLength > 0 {
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.LimitReader(r.Body, r.ContentLength), r.Body}
		}
		proxy.ServeHTTP(w, r)
	})
}
