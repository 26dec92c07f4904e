package cache

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// KeySpec is what a cache-lookup element says about the cache key, prepared
// once when the policy is loaded (NewKeySpec) so that deriving a key does no
// parsing. The zero value varies by nothing but the request's context and
// path.
type KeySpec struct {
	headers []string // lower-case, sorted, unique
	canon   []string // canonical MIME form of headers, same order
	params  []string // sorted, unique

	// VaryByDeveloper keys entries by the developer owning the
	// subscription (the attribute allows expressions, so it may be set per
	// request on a copy).
	VaryByDeveloper bool
	// VaryByDeveloperGroups keys entries by the developer's groups.
	VaryByDeveloperGroups bool
}

// NewKeySpec prepares a KeySpec from the vary-by-header names (matched
// without regard to case) and the vary-by-query-parameter elements (each may
// hold several names separated by ';'; names are matched exactly).
func NewKeySpec(varyByHeaders, varyByQueryParameters []string, varyByDeveloper, varyByDeveloperGroups bool) KeySpec {
	s := KeySpec{VaryByDeveloper: varyByDeveloper, VaryByDeveloperGroups: varyByDeveloperGroups}
	for _, h := range varyByHeaders {
		if h = strings.TrimSpace(h); h != "" {
			s.headers = append(s.headers, strings.ToLower(h))
		}
	}
	slices.Sort(s.headers)
	s.headers = slices.Compact(s.headers)
	for _, h := range s.headers {
		s.canon = append(s.canon, http.CanonicalHeaderKey(h))
	}
	for _, e := range varyByQueryParameters {
		for n := range strings.SplitSeq(e, ";") {
			if n = strings.TrimSpace(n); n != "" {
				s.params = append(s.params, n)
			}
		}
	}
	slices.Sort(s.params)
	s.params = slices.Compact(s.params)
	return s
}

// Headers returns the normalised vary-by-header names.
func (s KeySpec) Headers() []string { return slices.Clone(s.headers) }

// QueryParameters returns the normalised vary-by-query-parameter names.
func (s KeySpec) QueryParameters() []string { return slices.Clone(s.params) }

// Request is the part of a request and its context a cache key is derived
// from.
type Request struct {
	// API, Operation and Product are the ids of the matched API and
	// operation and of the product the subscription gives access to (empty
	// when none).
	API, Operation, Product string
	// Path is the request URL's path.
	Path string
	// Query is the request's query string, parsed.
	Query url.Values
	// Header holds the request headers.
	Header http.Header
	// Developer is the id of the user owning the subscription, empty for
	// anonymous requests.
	Developer string
	// Groups are the ids of the developer's groups.
	Groups []string
}

// ResponseKey returns the key under which cache-lookup looks up and
// cache-store stores the response to req. Two requests share an entry when
// they are for the same API, operation, product and path and agree on every
// listed header (values as sent, names in any case), every listed query
// parameter (in any order; parameters not listed are ignored) and, when
// asked for, the developer and the set of developer groups. A listed header
// or parameter that is absent differs from one that is present and empty.
func ResponseKey(spec KeySpec, req Request) string {
	var b strings.Builder
	b.Grow(64 + len(req.API) + len(req.Operation) + len(req.Product) + len(req.Path) + 32*(len(spec.headers)+len(spec.params)))
	b.WriteString("r|")
	esc(&b, req.API)
	b.WriteByte('|')
	esc(&b, req.Operation)
	b.WriteByte('|')
	esc(&b, req.Product)
	b.WriteByte('|')
	esc(&b, req.Path)

	b.WriteString("|q")
	for _, n := range spec.params {
		b.WriteByte('&')
		esc(&b, n)
		if vs, ok := req.Query[n]; ok {
			b.WriteByte('=')
			writeList(&b, vs)
		}
	}

	b.WriteString("|h")
	for i, h := range spec.headers {
		b.WriteByte('&')
		esc(&b, h)
		if vs, ok := req.Header[spec.canon[i]]; ok {
			b.WriteByte('=')
			writeList(&b, vs)
		}
	}

	if spec.VaryByDeveloper {
		b.WriteString("|d=")
		esc(&b, req.Developer)
	}
	if spec.VaryByDeveloperGroups {
		b.WriteString("|g=")
		gs := req.Groups
		if !slices.IsSorted(gs) {
			gs = slices.Sorted(slices.Values(gs))
		}
		for i, g := range gs {
			if i > 0 && g == gs[i-1] {
				continue
			}
			if i > 0 {
				b.WriteByte(',')
			}
			esc(&b, g)
		}
	}
	return b.String()
}

// writeList writes values separated by commas, escaped.
func writeList(b *strings.Builder, vs []string) {
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		esc(b, v)
	}
}

// esc writes s with the key's separator characters percent-encoded so that
// different parts can never produce the same key.
func esc(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' || c == '|' || c == '&' || c == '=' || c == ',' || c < 0x20 || c == 0x7f:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
}

// ValueKey returns the key under which cache-store-value, cache-lookup-value
// and cache-remove-value keep the value of key. Values and responses never
// share keys.
func ValueKey(key string) string { return "v|" + key }

// Cacheable reports whether cache-lookup and cache-store apply to a request:
// only GET requests are cached, and requests carrying an Authorization
// header only when allow-private-response-caching is true.
func Cacheable(method string, header http.Header, allowPrivate bool) bool {
	if method != http.MethodGet {
		return false
	}
	if !allowPrivate {
		if _, ok := header["Authorization"]; ok {
			return false
		}
	}
	return true
}

// Storable reports whether cache-store stores a response with status:
// only 200 OK unless cache-response is true.
func Storable(status int, cacheResponse bool) bool {
	return cacheResponse || status == http.StatusOK
}

// Downstream is the downstream-caching-type attribute of cache-lookup.
type Downstream int

const (
	// DownstreamNone allows no caching by clients or proxies (the default).
	DownstreamNone Downstream = iota
	// DownstreamPrivate allows caching by the client only.
	DownstreamPrivate
	// DownstreamPublic allows caching by clients and shared proxies.
	DownstreamPublic
)

// ParseDownstream parses a downstream-caching-type value; the empty string
// means DownstreamNone.
func ParseDownstream(s string) (Downstream, error) {
	switch s {
	case "", "none":
		return DownstreamNone, nil
	case "private":
		return DownstreamPrivate, nil
	case "public":
		return DownstreamPublic, nil
	}
	return 0, fmt.Errorf("downstream-caching-type %q is not one of none, private, public", s)
}

// CacheControl returns the Cache-Control header value sent with a response
// that cache-lookup applies to, or "" to leave the header as it is
// (downstream none). maxAge is the time the response stays fresh: the rest
// of the cache entry's life on a hit, the cache-store duration on a miss.
// must-revalidate is added when mustRevalidate is true.
func CacheControl(d Downstream, mustRevalidate bool, maxAge time.Duration) string {
	var v string
	switch d {
	case DownstreamPrivate:
		v = "private"
	case DownstreamPublic:
		v = "public"
	default:
		return ""
	}
	secs := int64(max(maxAge, 0) / time.Second)
	v += ", max-age=" + strconv.FormatInt(secs, 10)
	if mustRevalidate {
		v += ", must-revalidate"
	}
	return v
}
