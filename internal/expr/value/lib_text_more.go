package value

import (
	"encoding/binary"
	"net"
	"net/url"
	"strings"
	"unicode/utf16"
)

// encodings describes the encodings tollgate implements: the name Encoder
// carries, then .NET's WebName, BodyName/HeaderName, EncodingName, code
// page, and whether every character is one byte.
var encodings = map[string]struct {
	web, body, display string
	codePage           int32
	singleByte         bool
}{
	"UTF8":             {"utf-8", "utf-8", "Unicode (UTF-8)", 65001, false},
	"ASCII":            {"us-ascii", "us-ascii", "US-ASCII", 20127, true},
	"Unicode":          {"utf-16", "utf-16", "Unicode", 1200, false},
	"BigEndianUnicode": {"utf-16BE", "utf-16BE", "Unicode (Big-Endian)", 1201, false},
	"UTF32":            {"utf-32", "utf-32", "Unicode (UTF-32)", 12000, false},
	"UTF32BE":          {"utf-32BE", "utf-32BE", "Unicode (UTF-32 Big-Endian)", 12001, false},
	"UTF7":             {"utf-7", "utf-7", "Unicode (UTF-7)", 65000, false},
	"Latin1":           {"iso-8859-1", "iso-8859-1", "Western European (ISO)", 28591, true},
}

// encodingName maps Encoding.Default to UTF-8, as on .NET (Core).
func encodingName(e *Encoder) string {
	if e.Name == "Default" {
		return "UTF8"
	}
	return e.Name
}

// encodeAs is Encoding.GetBytes for every implemented encoding.
func encodeAs(name, s string) []byte {
	switch name {
	case "UTF7":
		return encodeUTF7(s)
	case "UTF32BE":
		return encodeUTF32BE(s)
	case "UTF32":
		out := make([]byte, 0, 4*len(s))
		for _, r := range s {
			out = binary.LittleEndian.AppendUint32(out, uint32(r))
		}
		return out
	case "BigEndianUnicode":
		out := make([]byte, 0, 2*len(s))
		for _, x := range utf16.Encode([]rune(s)) {
			out = binary.BigEndian.AppendUint16(out, x)
		}
		return out
	case "Unicode":
		out := make([]byte, 0, 2*len(s))
		for _, x := range utf16.Encode([]rune(s)) {
			out = binary.LittleEndian.AppendUint16(out, x)
		}
		return out
	}
	return encode(name, s)
}

// decodeAs is Encoding.GetString for every implemented encoding.
func decodeAs(name string, b []byte) string {
	switch name {
	case "UTF7":
		return decodeUTF7(b)
	case "UTF32BE":
		return decodeUTF32BE(b)
	case "UTF32":
		var rs []rune
		for i := 0; i+3 < len(b); i += 4 {
			rs = append(rs, rune(binary.LittleEndian.Uint32(b[i:])))
		}
		return string(rs)
	case "BigEndianUnicode", "Unicode":
		var us []uint16
		for i := 0; i+1 < len(b); i += 2 {
			if name == "Unicode" {
				us = append(us, binary.LittleEndian.Uint16(b[i:]))
			} else {
				us = append(us, binary.BigEndian.Uint16(b[i:]))
			}
		}
		return string(utf16.Decode(us))
	}
	return decode(name, b)
}

// textArg reads a string or char[] argument of an Encoding method, with
// an optional index and count (as .NET counts them, in UTF-16 units).
func textArg(c Call, withRange bool) string {
	c.NotNull(0, "s")
	var units []uint16
	if s, ok := c.Args[0].(string); ok {
		units = utf16.Encode([]rune(s))
	} else {
		items, ok := Items(c.Args[0])
		if !ok {
			ThrowCast(c.Args[0], "System.Char[]")
		}
		for _, it := range items {
			ch, ok := it.(Char)
			if !ok {
				ThrowCast(it, "System.Char")
			}
			units = append(units, uint16(ch))
		}
	}
	if withRange && len(c.Args) >= 3 {
		i, n := c.Int(1), c.Int(2)
		if i < 0 || n < 0 || i+n > len(units) {
			Throw(ExArgRange, "Index and count must refer to a location within the buffer. (Parameter 'chars')")
		}
		units = units[i : i+n]
	}
	return string(utf16.Decode(units))
}

func bytesArg(c Call, i int) []byte {
	c.NotNull(i, "bytes")
	b, ok := c.Args[i].([]byte)
	if !ok {
		ThrowCast(c.Args[i], "System.Byte[]")
	}
	if len(c.Args) >= i+3 {
		at, n := c.Int(i+1), c.Int(i+2)
		if at < 0 || n < 0 || at+n > len(b) {
			Throw(ExArgRange, "Index and count must refer to a location within the buffer. (Parameter 'bytes')")
		}
		b = b[at : at+n]
	}
	return b
}

func (u *Lib) buildTextMore() {
	enc := u.Encoding
	e := func(c Call) string { return encodingName(c.This.(*Encoder)) }
	enc.addStatic(prop("BigEndianUnicode", enc, func(Call) Value { return &Encoder{Name: "BigEndianUnicode"} }))
	byName := func(name string) *Encoder {
		n := strings.ToLower(strings.TrimSpace(name))
		for k, d := range encodings {
			if k == "UTF7" {
				continue // unknown to GetEncoding since .NET 5
			}
			if n == strings.ToLower(d.web) || n == strings.ToLower(k) && k != "UTF32BE" {
				return &Encoder{Name: k}
			}
		}
		switch n {
		case "utf8":
			return &Encoder{Name: "UTF8"}
		case "ascii":
			return &Encoder{Name: "ASCII"}
		case "latin1":
			return &Encoder{Name: "Latin1"}
		case "utf-16le", "ucs-2":
			return &Encoder{Name: "Unicode"}
		case "utf-32le":
			return &Encoder{Name: "UTF32"}
		case "utf-16be", "unicodefffe":
			return &Encoder{Name: "BigEndianUnicode"}
		}
		Throw(ExArgument, "'%s' is not a supported encoding name. For information on defining a custom encoding, see the documentation for the Encoding.RegisterProvider method. (Parameter 'name')", name)
		return nil
	}
	enc.addStatic(meth("GetEncoding", 1, 1, enc, func(c Call) Value {
		if n, ok := AsInt64(c.Args[0]); ok {
			if _, isStr := c.Args[0].(string); !isStr {
				for k, d := range encodings {
					if int64(d.codePage) == n && k != "UTF7" {
						return &Encoder{Name: k}
					}
				}
				Throw(ExNotSupported, "No data is available for encoding %d. For information on defining a custom encoding, see the documentation for the Encoding.RegisterProvider method.", n)
			}
		}
		c.NotNull(0, "name")
		return byName(c.Str(0))
	}))
	info := func(c Call) struct {
		web, body, display string
		codePage           int32
		singleByte         bool
	} {
		return encodings[e(c)]
	}
	enc.add(
		&Member{Name: "GetBytes", Kind: Method, Min: 1, Max: 5, Fn: func(c Call) Value {
			b := encodeAs(e(c), textArg(c, true))
			if len(c.Args) < 5 {
				return b
			}
			// GetBytes(s, charIndex, charCount, bytes, byteIndex): into bytes
			c.NotNull(3, "bytes")
			dst, ok := c.Args[3].([]byte)
			if !ok {
				ThrowCast(c.Args[3], "System.Byte[]")
			}
			at := c.Int(4)
			if at < 0 || at > len(dst) {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than or equal to the size of the collection. (Parameter 'byteIndex')")
			}
			if len(b) > len(dst)-at {
				Throw(ExArgument, "The output byte buffer is too small to contain the encoded data, encoding codepage '%d' and fallback 'System.Text.EncoderReplacementFallback'. (Parameter 'bytes')", info(c).codePage)
			}
			return int32(copy(dst[at:], b))
		}, ResultOf: func(_ *Type, a, _ []*Type) *Type {
			if len(a) == 5 {
				return u.Int
			}
			return u.Bytes
		}},
		meth("GetByteCount", 1, 3, u.Int, func(c Call) Value { return int32(len(encodeAs(e(c), textArg(c, true)))) }),
		meth("GetString", 1, 3, u.String, func(c Call) Value { return decodeAs(e(c), bytesArg(c, 0)) }),
		meth("GetCharCount", 1, 3, u.Int, func(c Call) Value {
			return int32(len(utf16.Encode([]rune(decodeAs(e(c), bytesArg(c, 0))))))
		}),
		&Member{Name: "GetChars", Kind: Method, Min: 1, Max: 5, Fn: func(c Call) Value {
			us := utf16.Encode([]rune(decodeAs(e(c), bytesArg(c, 0))))
			if len(c.Args) == 5 {
				// GetChars(bytes, byteIndex, byteCount, chars, charIndex)
				c.NotNull(3, "chars")
				dst, ok := c.Args[3].(*Array)
				if !ok || dst.T != u.Char {
					ThrowCast(c.Args[3], "System.Char[]")
				}
				at := c.Int(4)
				if at < 0 || at > len(dst.Items) {
					Throw(ExArgRange, "Index was out of range. Must be non-negative and less than or equal to the size of the collection. (Parameter 'charIndex')")
				}
				if len(us) > len(dst.Items)-at {
					Throw(ExArgument, "The output char buffer is too small to contain the decoded characters, encoding codepage '%d' and fallback 'System.Text.DecoderReplacementFallback'. (Parameter 'chars')", info(c).codePage)
				}
				for i, x := range us {
					dst.Items[at+i] = Char(x)
				}
				return int32(len(us))
			}
			out := make([]Value, len(us))
			for i, x := range us {
				out[i] = Char(x)
			}
			return &Array{T: u.Char, Items: out}
		}, ResultOf: func(_ *Type, a, _ []*Type) *Type {
			if len(a) == 5 {
				return u.Int
			}
			return u.ArrayOf(u.Char)
		}},
		meth("Clone", 0, 0, u.Object, func(c Call) Value {
			x := *c.This.(*Encoder)
			return &x
		}),
		meth("GetPreamble", 0, 0, u.Bytes, func(c Call) Value {
			switch e(c) {
			case "UTF8":
				return []byte{0xEF, 0xBB, 0xBF}
			case "Unicode":
				return []byte{0xFF, 0xFE}
			case "BigEndianUnicode":
				return []byte{0xFE, 0xFF}
			case "UTF32":
				return []byte{0xFF, 0xFE, 0, 0}
			case "UTF32BE":
				return []byte{0, 0, 0xFE, 0xFF}
			}
			return []byte{}
		}),
		meth("GetMaxByteCount", 1, 1, u.Int, func(c Call) Value {
			n := int32(c.Int(0)) + 1
			switch e(c) {
			case "UTF7":
				// a base64 run opened and closed, then 3 bytes a char
				return (n-1)*3 + 2
			case "UTF8":
				return n * 3
			case "Unicode", "BigEndianUnicode":
				return n * 2
			case "UTF32", "UTF32BE":
				return n * 4
			}
			return n
		}),
		meth("GetMaxCharCount", 1, 1, u.Int, func(c Call) Value {
			n := int32(c.Int(0))
			switch e(c) {
			case "UTF8", "Unicode", "BigEndianUnicode":
				return n + 1
			case "UTF32", "UTF32BE":
				return n/2 + 2
			case "UTF7":
				return max(n, 1)
			}
			return n
		}),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value {
			o, ok := c.Args[0].(*Encoder)
			return ok && encodingName(o) == e(c)
		}),
		prop("WebName", u.String, func(c Call) Value { return info(c).web }),
		prop("BodyName", u.String, func(c Call) Value { return info(c).body }),
		prop("HeaderName", u.String, func(c Call) Value { return info(c).body }),
		prop("EncodingName", u.String, func(c Call) Value { return info(c).display }),
		prop("CodePage", u.Int, func(c Call) Value { return info(c).codePage }),
		prop("IsSingleByte", u.Bool, func(c Call) Value { return info(c).singleByte }),
	)
	enc.addStatic(meth("Convert", 3, 5, u.Bytes, func(c Call) Value {
		src, ok1 := c.Args[0].(*Encoder)
		dst, ok2 := c.Args[1].(*Encoder)
		if !ok1 || !ok2 {
			Throw(ExArgNull, "Value cannot be null. (Parameter 'srcEncoding')")
		}
		return encodeAs(encodingName(dst), decodeAs(encodingName(src), bytesArg(c, 2)))
	}))

	// Uri
	uri := u.Types["Uri"]
	ux := func(c Call) *url.URL { return c.This.(*URI).U }
	newURI := uri.New
	uri.New = func(c Call) Value {
		x := newURI(c).(*URI)
		v := *x.U
		v.Scheme, v.Host = strings.ToLower(v.Scheme), strings.ToLower(v.Host)
		return &URI{U: &v, Orig: x.Orig}
	}
	defaultPort := func(scheme string) string {
		switch scheme {
		case "http", "ws":
			return "80"
		case "https", "wss":
			return "443"
		case "ftp":
			return "21"
		}
		return ""
	}
	uri.add(
		prop("Segments", u.ArrayOf(u.String), func(c Call) Value {
			p := ux(c).EscapedPath()
			if p == "" {
				p = "/"
			}
			var segs []string
			for p != "" {
				i := strings.IndexByte(p, '/')
				if i < 0 {
					segs = append(segs, p)
					break
				}
				segs = append(segs, p[:i+1])
				p = p[i+1:]
			}
			return StringArray(segs)
		}),
		prop("IsAbsoluteUri", u.Bool, func(c Call) Value { return ux(c).IsAbs() }),
		prop("OriginalString", u.String, func(c Call) Value {
			if o := c.This.(*URI).Orig; o != "" {
				return o
			}
			return ux(c).String()
		}),
		prop("IsDefaultPort", u.Bool, func(c Call) Value {
			p := ux(c).Port()
			return p == "" || p == defaultPort(ux(c).Scheme)
		}),
		prop("IsFile", u.Bool, func(c Call) Value { return ux(c).Scheme == "file" }),
		prop("IsUnc", u.Bool, func(Call) Value { return false }),
		prop("IsLoopback", u.Bool, func(c Call) Value {
			h := ux(c).Hostname()
			if h == "localhost" {
				return true
			}
			ip := net.ParseIP(h)
			return ip != nil && ip.IsLoopback()
		}),
		prop("DnsSafeHost", u.String, func(c Call) Value { return ux(c).Hostname() }),
		prop("IdnHost", u.String, func(c Call) Value { return ux(c).Hostname() }),
		prop("UserInfo", u.String, func(c Call) Value {
			if ux(c).User == nil {
				return ""
			}
			return ux(c).User.String()
		}),
		prop("LocalPath", u.String, func(c Call) Value {
			p, err := url.PathUnescape(ux(c).EscapedPath())
			if err != nil || p == "" {
				return "/"
			}
			return p
		}),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value {
			o, ok := c.Args[0].(*URI)
			if !ok {
				if s, isStr := c.Args[0].(string); isStr {
					p, err := url.Parse(s)
					return err == nil && strings.EqualFold(p.Host, ux(c).Host) && sameURI(p, ux(c))
				}
				return false
			}
			return sameURI(o.U, ux(c))
		}),
		meth("IsBaseOf", 1, 1, u.Bool, func(c Call) Value {
			o, ok := c.Args[0].(*URI)
			if !ok {
				Throw(ExArgNull, "Value cannot be null. (Parameter 'uri')")
			}
			b := ux(c)
			if !strings.EqualFold(b.Scheme, o.U.Scheme) || !strings.EqualFold(b.Host, o.U.Host) {
				return false
			}
			dir := b.EscapedPath()
			if i := strings.LastIndexByte(dir, '/'); i >= 0 {
				dir = dir[:i+1]
			}
			return strings.HasPrefix(o.U.EscapedPath(), dir)
		}),
	)
	uri.addStatic(
		prop("SchemeDelimiter", u.String, func(Call) Value { return "://" }),
		prop("UriSchemeHttp", u.String, func(Call) Value { return "http" }),
		prop("UriSchemeHttps", u.String, func(Call) Value { return "https" }),
		meth("CheckSchemeName", 1, 1, u.Bool, func(c Call) Value {
			s := c.Str(0)
			if s == "" || !isASCIILetter(s[0]) {
				return false
			}
			for i := 1; i < len(s); i++ {
				if ch := s[i]; !isASCIILetter(ch) && !(ch >= '0' && ch <= '9') && ch != '+' && ch != '-' && ch != '.' {
					return false
				}
			}
			return true
		}),
		meth("IsHexDigit", 1, 1, u.Bool, func(c Call) Value {
			r := rune(c.Args[0].(Char))
			return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
		}),
		meth("FromHex", 1, 1, u.Int, func(c Call) Value {
			r := rune(c.Args[0].(Char))
			switch {
			case r >= '0' && r <= '9':
				return int32(r - '0')
			case r >= 'a' && r <= 'f':
				return int32(r - 'a' + 10)
			case r >= 'A' && r <= 'F':
				return int32(r - 'A' + 10)
			}
			Throw(ExArgument, "Invalid hex digit. (Parameter 'digit')")
			return nil
		}),
		meth("HexEscape", 1, 1, u.String, func(c Call) Value {
			r := rune(c.Args[0].(Char))
			if r > 255 {
				Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'character')")
			}
			const hex = "0123456789ABCDEF"
			return string([]byte{'%', hex[r>>4], hex[r&15]})
		}),
		meth("EscapeUriString", 1, 1, u.String, func(c Call) Value {
			c.NotNull(0, "stringToEscape")
			var b strings.Builder
			const hex = "0123456789ABCDEF"
			for _, x := range []byte(c.Str(0)) {
				if isASCIILetter(x) || x >= '0' && x <= '9' || strings.IndexByte("-_.~!*'();:@&=+$,/?#[]", x) >= 0 {
					b.WriteByte(x)
					continue
				}
				b.WriteByte('%')
				b.WriteByte(hex[x>>4])
				b.WriteByte(hex[x&15])
			}
			return b.String()
		}),
	)
}

// sameURI is Uri.Equals: scheme and host case-insensitive, the rest
// exact, the fragment ignored.
func sameURI(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host) &&
		a.EscapedPath() == b.EscapedPath() && a.RawQuery == b.RawQuery && a.User.String() == b.User.String()
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
