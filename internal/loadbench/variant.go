package loadbench

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Key is the subscription key every target accepts; WrongKey is the key the
// failing share of requests carries, which every target answers with 401.
const (
	Key      = "loadbench-key-0123456789abcdef0123"
	WrongKey = "loadbench-key-wrong-wrong-wrong-000"
)

// KeyHeader is the header that carries the subscription key, APIM's default.
const KeyHeader = "Ocp-Apim-Subscription-Key"

// Variant is one kind of traffic: the request every connection sends and how
// connections are used.
type Variant struct {
	// Name is the variant's name on the command line (--variants) and in the
	// table.
	Name string
	// Description says what the variant measures, for the documentation.
	Description string
	// Method and Path are the request's method and path (with the query).
	Method, Path string
	// RequestBody is the size of the request body in bytes; 0 sends none.
	RequestBody int
	// ResponseBody is the size of the body the echo backend answers with, in
	// bytes; 0 means its small default answer.
	ResponseBody int
	// NewConnection sends every request on a new connection
	// ("Connection: close") instead of keeping connections alive.
	NewConnection bool
	// FailEvery makes every FailEvery-th request carry WrongKey, so that the
	// target answers it with 401; 0 sends the right key always.
	FailEvery int
	// TLS sends the requests over HTTPS (HTTP/1.1 in TLS, keep-alive) to
	// each target's TLS listener, which serves the run's certificate.
	TLS bool
	// HTTP2 sends the requests over HTTP/2 (with TLS): every connection's
	// requests are streams of one connection. wrk speaks HTTP/1.1 only, so
	// the Go generator measures such a variant whatever the run's
	// generator.
	HTTP2 bool
	// FullOnly leaves the variant out of the short run's default list
	// (DefaultVariants), so that the short run stays as quick as it was.
	FullOnly bool
}

// Variants are the variants the harness knows, in the order of the table.
var Variants = []Variant{
	{Name: "keepalive", Description: "GET, HTTP/1.1 keep-alive, small response",
		Method: "GET", Path: "/load/items/42"},
	{Name: "newconn", Description: "GET, a new connection for every request (Connection: close)",
		Method: "GET", Path: "/load/items/42", NewConnection: true},
	{Name: "bodies", Description: "POST with a 4 KB request body, 64 KB response body, keep-alive",
		Method: "POST", Path: "/load/items/42", RequestBody: 4 << 10, ResponseBody: 64 << 10},
	{Name: "failing", Description: "GET, keep-alive, 1% of requests carry a wrong key (401)",
		Method: "GET", Path: "/load/items/42", FailEvery: 100},
	{Name: "tls", Description: "GET over HTTPS (HTTP/1.1 in TLS 1.3, keep-alive), small response",
		Method: "GET", Path: "/load/items/42", TLS: true, FullOnly: true},
	{Name: "tls-h2", Description: "GET over HTTP/2 in TLS (ALPN h2), the requests as concurrent streams of one connection, small response; measured with the Go generator",
		Method: "GET", Path: "/load/items/42", TLS: true, HTTP2: true, FullOnly: true},
}

// DefaultVariants are the variants of a run that names none: every
// variant, or in the short run those that are not FullOnly.
func DefaultVariants(short bool) []Variant {
	if !short {
		return Variants
	}
	var out []Variant
	for _, v := range Variants {
		if !v.FullOnly {
			out = append(out, v)
		}
	}
	return out
}

// OptionalVariants are variants run only when named in --variants.
var OptionalVariants = []Variant{
	{Name: "unauthorized", Description: "GET, keep-alive, every request carries a wrong key (401): a flood of failures, each captured",
		Method: "GET", Path: "/load/items/42", FailEvery: 1},
}

// Target returns the path and query the variant requests: Path, with the
// echo backend's size parameter when the variant asks for a large response.
func (v Variant) Target() string {
	if v.ResponseBody == 0 {
		return v.Path
	}
	sep := "?"
	if strings.Contains(v.Path, "?") {
		sep = "&"
	}
	return v.Path + sep + "size=" + strconv.Itoa(v.ResponseBody)
}

// LookupVariants returns the variants named in a comma-separated list, in
// the list's order; "all" or "" names every variant but the optional ones.
func LookupVariants(list string) ([]Variant, error) {
	if list == "" || list == "all" {
		return Variants, nil
	}
	var out []Variant
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		known := append(slices.Clip(Variants), OptionalVariants...)
		i := slices.IndexFunc(known, func(v Variant) bool { return v.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown variant %q (known: %s)", name, variantNames())
		}
		out = append(out, known[i])
	}
	return out, nil
}

func variantNames() string {
	var names []string
	for _, v := range append(slices.Clip(Variants), OptionalVariants...) {
		names = append(names, v.Name)
	}
	return strings.Join(names, ", ")
}
