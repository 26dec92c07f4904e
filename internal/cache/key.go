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

// KeySpec is what a cache-lookup element says about the cache key.
type KeySpec struct {
	// VaryByHeaders lists the vary-by-header names. Names are matched
	// without regard to case.
	VaryByHeaders []string
	// VaryByQueryParameters lists the vary-by-query-parameter names; one
	// element may hold several names separated by ';'. Names are matched
	// exactly.
	VaryByQueryParameters []string
	// VaryByDeveloper keys entries by the developer owning the
	// subscription.
	VaryByDeveloper bool
	// VaryByDeveloperGroups keys entries by the developer's groups.
	VaryByDeveloperGroups bool
}

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
	b.WriteString("r|")
	esc(&b, req.API)
	b.WriteByte('|')
	esc(&b, req.Operation)
	b.WriteByte('|')
	esc(&b, req.Product)
	b.WriteByte('|')
	esc(&b, req.Path)

	names := queryNames(spec.VaryByQueryParameters)
	b.WriteString("|q")
	for _, n := range names {
		b.WriteByte('&')
		esc(&b, n)
		if vs, ok := req.Query[n]; ok {
			b.WriteByte('=')
			writeList(&b, vs)
		}
	}

	hs := make([]string, 0, len(spec.VaryByHeaders))
	for _, h := range spec.VaryByHeaders {
		if h = strings.TrimSpace(h); h != "" {
			hs = append(hs, strings.ToLower(h))
		}
	}
	slices.Sort(hs)
	hs = slices.Compact(hs)
	b.WriteString("|h")
	for _, h := range hs {
		b.WriteByte('&')
		esc(&b, h)
		if vs, ok := req.Header[http.CanonicalHeaderKey(h)]; ok {
			b.WriteByte('=')
			writeList(&b, vs)
		}
	}

	if spec.VaryByDeveloper {
		b.WriteString("|d=")
		esc(&b, req.Developer)
	}
	if spec.VaryByDeveloperGroups {
		gs := slices.Clone(req.Groups)
		slices.Sort(gs)
		gs = slices.Compact(gs)
		b.WriteString("|g=")
		writeList(&b, gs)
	}
	return b.String()
}

// queryNames splits, trims, sorts and de-duplicates vary-by-query-parameter
// names.
func queryNames(elems []string) []string {
	var names []string
	for _, e := range elems {
		for n := range strings.SplitSeq(e, ";") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
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
