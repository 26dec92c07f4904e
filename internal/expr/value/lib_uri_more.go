package value

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// The members of System.Uri beyond parsing and its parts: TryCreate,
// relative URIs, host name types and hex escapes.

// resolveURI resolves rel (a string or a Uri) against base, as new Uri(Uri,
// string) and new Uri(Uri, Uri) do: an absolute rel stands alone, a base
// must be absolute.
func resolveURI(base *URI, rel Value) (*URI, bool) {
	if base == nil || !base.U.IsAbs() {
		return nil, false
	}
	var ref *url.URL
	var orig string
	switch r := rel.(type) {
	case *URI:
		ref, orig = r.U, r.Orig
	case string:
		p, err := url.Parse(r)
		if err != nil {
			return nil, false
		}
		ref, orig = p, r
	case nil:
		ref, orig = &url.URL{}, ""
	default:
		return nil, false
	}
	if ref.IsAbs() {
		return &URI{U: ref, Orig: orig}, true
	}
	out := base.U.ResolveReference(ref)
	return &URI{U: out, Orig: out.String()}, true
}

// uriHostNameTypes are the members of System.UriHostNameType.
var uriHostNameTypes = map[string]int64{"Unknown": 0, "Basic": 1, "Dns": 2, "IPv4": 3, "IPv6": 4}

// hostNameType classifies a host as Uri.CheckHostName does, by the name of
// its UriHostNameType.
func hostNameType(h string) string {
	switch {
	case h == "":
		return "Unknown"
	case strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]"):
		if ip := net.ParseIP(h[1 : len(h)-1]); ip != nil && strings.Contains(h, ":") {
			return "IPv6"
		}
		return "Unknown"
	}
	if ip := net.ParseIP(h); ip != nil {
		if strings.Contains(h, ":") {
			return "IPv6"
		}
		return "IPv4"
	}
	if isDNSName(h) {
		return "Dns"
	}
	return "Unknown"
}

// isDNSName reports whether h is a DNS name: labels of letters, digits,
// hyphens and underscores, at most 63 bytes each, none starting or ending
// with a hyphen.
func isDNSName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 255 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			b := label[i]
			if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
				return false
			}
		}
	}
	return true
}

// hexEscape returns the byte of a %XX escape at i of s; ok is false when
// there is none.
func hexEscape(s string, i int) (b byte, ok bool) {
	if i < 0 || i+2 >= len(s) || s[i] != '%' {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
	return byte(v), err == nil
}

// relativeURI is Uri.MakeRelativeUri: the path from base's directory to
// target, with target's query and fragment; target itself when the two
// differ in scheme, host or port.
func relativeURI(base, target *url.URL) *URI {
	if !strings.EqualFold(base.Scheme, target.Scheme) || !strings.EqualFold(base.Host, target.Host) {
		return &URI{U: target, Orig: target.String()}
	}
	bp, tp := base.EscapedPath(), target.EscapedPath()
	// the last '/' of the common prefix
	last := -1
	for i := 0; i < len(bp) && i < len(tp) && bp[i] == tp[i]; i++ {
		if bp[i] == '/' {
			last = i
		}
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("../", strings.Count(bp[last+1:], "/")))
	b.WriteString(tp[last+1:])
	if target.RawQuery != "" || target.ForceQuery {
		b.WriteString("?" + target.RawQuery)
	}
	if target.Fragment != "" {
		b.WriteString("#" + target.EscapedFragment())
	}
	rel := b.String()
	p, err := url.Parse(rel)
	if err != nil {
		p = &url.URL{Path: rel}
	}
	return &URI{U: p, Orig: rel}
}

func (u *Lib) buildURIMore() {
	uri := u.Types["Uri"]
	hostType := u.newType("UriHostNameType", "System.UriHostNameType", u.Object)
	hostType.EnumValues = uriHostNameTypes
	hostEnum := func(name string) Value { return Enum{T: hostType, V: uriHostNameTypes[name], Name: name} }
	uri.addStatic(
		&Member{Name: "TryCreate", Kind: Method, Min: 3, Max: 3, Result: u.Bool, Out: []int{2}, Fn: func(c Call) Value {
			c.Args[2] = nil
			switch first := c.Args[0].(type) {
			case *URI:
				if r, ok := resolveURI(first, c.Args[1]); ok {
					c.Args[2] = r
					return true
				}
			case string:
				if p, ok := parseURI(first, uriKind(c, 1)); ok {
					c.Args[2] = &URI{U: p, Orig: first}
					return true
				}
			}
			return false
		}},
		meth("CheckHostName", 1, 1, hostType, func(c Call) Value {
			if c.IsNull(0) {
				return hostEnum("Unknown")
			}
			return hostEnum(hostNameType(c.Str(0)))
		}),
		meth("IsHexEncoding", 2, 2, u.Bool, func(c Call) Value {
			c.NotNull(0, "pattern")
			_, ok := hexEscape(c.Str(0), c.Int(1))
			return ok
		}),
		&Member{Name: "HexUnescape", Kind: Method, Min: 2, Max: 2, Result: u.Char, Out: []int{1}, Fn: func(c Call) Value {
			c.NotNull(0, "pattern")
			s, i := c.Str(0), c.Int(1)
			if i < 0 || i >= len(s) {
				Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'index')")
			}
			if b, ok := hexEscape(s, i); ok {
				c.Args[1] = int32(i + 3)
				return Char(b)
			}
			c.Args[1] = int32(i + 1)
			return Char(s[i])
		}},
	)
	ux := func(c Call) *URI { return c.This.(*URI) }
	uri.add(
		prop("HostNameType", hostType, func(c Call) Value {
			p := ux(c).U
			if !p.IsAbs() {
				Throw(ExInvalidOp, "This operation is not supported for a relative URI.")
			}
			if p.Host == "" {
				return hostEnum("Basic")
			}
			return hostEnum(hostNameType(p.Hostname()))
		}),
		prop("UserEscaped", u.Bool, func(c Call) Value { return false }),
		meth("IsWellFormedOriginalString", 0, 0, u.Bool, func(c Call) Value {
			s := ux(c).Orig
			_, ok := parseURI(s, uriRelativeOrAbsolute)
			return ok && !strings.ContainsAny(s, " \\\"<>{}|^`")
		}),
		meth("MakeRelativeUri", 1, 1, uri, func(c Call) Value {
			c.NotNull(0, "uri")
			base := ux(c).U
			if !base.IsAbs() {
				Throw(ExInvalidOp, "This operation is not supported for a relative URI.")
			}
			return relativeURI(base, c.Args[0].(*URI).U)
		}),
	)
}
