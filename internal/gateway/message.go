package gateway

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/expr"
)

// maxBodyBuffer bounds a body that a policy reads into memory.
const maxBodyBuffer = 64 << 20

// body is a message body as policies see it: a stream that is forwarded as
// it arrives, until a policy reads it (then it is held in memory) or
// replaces it. Reading it without preserveContent consumes it, as in APIM:
// a consumed body is sent empty.
type body struct {
	stream   io.ReadCloser // unread body, nil once loaded or when empty
	length   int64         // length of stream, -1 when unknown
	data     []byte        // the body once loaded or set
	loaded   bool
	consumed bool
	err      error // a failure to read the stream
}

func newStreamBody(r io.ReadCloser, length int64) *body {
	if r == nil || r == http.NoBody || length == 0 {
		return &body{loaded: true}
	}
	return &body{stream: r, length: length}
}

func newBytesBody(b []byte) *body { return &body{data: b, loaded: true} }

// load reads the stream into memory.
func (b *body) load() error {
	if b.loaded {
		return b.err
	}
	b.loaded = true
	data, err := io.ReadAll(io.LimitReader(b.stream, maxBodyBuffer+1))
	b.stream.Close()
	b.stream = nil
	if err == nil && len(data) > maxBodyBuffer {
		err = fmt.Errorf("the body is larger than %d bytes, the most a policy may read", maxBodyBuffer)
	}
	b.data, b.err = data, err
	return err
}

// Read implements expr.Body.
func (b *body) Read(preserve bool) ([]byte, error) {
	if b.consumed {
		return nil, nil
	}
	if err := b.load(); err != nil {
		return nil, err
	}
	if !preserve {
		b.consumed = true
	}
	return b.data, nil
}

// set replaces the body.
func (b *body) set(data []byte) {
	if b.stream != nil {
		b.stream.Close()
		b.stream = nil
	}
	b.data, b.loaded, b.consumed, b.err = data, true, false, nil
}

// reader returns what is sent: the stream when untouched, else the bytes.
func (b *body) reader() (io.ReadCloser, int64) {
	switch {
	case b.consumed:
		return nil, 0
	case !b.loaded:
		return b.stream, b.length
	case len(b.data) == 0:
		return nil, 0
	}
	return io.NopCloser(strings.NewReader(string(b.data))), int64(len(b.data))
}

// close releases an unread stream.
func (b *body) close() {
	if b != nil && b.stream != nil {
		b.stream.Close()
		b.stream = nil
	}
}

var _ expr.Body = (*body)(nil)

// outRequest is the request as policies shape it before forward-request.
type outRequest struct {
	method   string
	base     *url.URL // backend base URL: the API's serviceUrl or set-backend-service
	path     string   // escaped path relative to base, "" or starting with "/"
	rawQuery string
	header   http.Header
	body     *body
	// backendID names the backend entity set by set-backend-service, "" when none.
	backendID string
}

// url returns the full backend URL.
func (r *outRequest) url() *url.URL {
	if r.base == nil {
		return nil
	}
	return backendURL(r.base, r.path, r.rawQuery)
}

// urlInto sets u to the full backend URL and returns it; nil when there is
// no backend URL.
func (r *outRequest) urlInto(u *url.URL) *url.URL {
	if r.base == nil {
		return nil
	}
	return setBackendURL(u, r.base, r.path, r.rawQuery)
}

// outResponse is the response as policies shape it.
type outResponse struct {
	status int // 0 until something sets it; sent as 200 then
	reason string
	header http.Header
	body   *body
}

func (r *outResponse) statusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// exprURL converts u to the IUrl of policy expressions.
func exprURL(u *url.URL) *expr.Url {
	if u == nil {
		return nil
	}
	return setExprURL(new(expr.Url), u)
}

// setExprURL sets dst to the IUrl of u and returns it; nil when u is nil.
func setExprURL(dst *expr.Url, u *url.URL) *expr.Url {
	if u == nil {
		return nil
	}
	port := 0
	if p := u.Port(); p != "" {
		port, _ = strconv.Atoi(p)
	} else if u.Scheme == "https" {
		port = 443
	} else {
		port = 80
	}
	*dst = expr.Url{Scheme: u.Scheme, Host: u.Hostname(), Port: port, Path: u.Path, Query: queryPairs(u.RawQuery), RawQuery: u.RawQuery}
	return dst
}

// queryPairs parses a raw query into ordered pairs.
func queryPairs(raw string) expr.PairHeaders {
	var out expr.PairHeaders
	for kv := range strings.SplitSeq(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		found := false
		for i := range out {
			if out[i].Name == k {
				out[i].Values = append(out[i].Values, v)
				found = true
				break
			}
		}
		if !found {
			out = append(out, expr.HeaderPair{Name: k, Values: []string{v}})
		}
	}
	return out
}

// encodeQuery renders ordered pairs as a raw query.
func encodeQuery(q expr.PairHeaders) string {
	var b strings.Builder
	for _, p := range q {
		for _, v := range p.Values {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(p.Name))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}
