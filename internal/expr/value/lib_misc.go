package value

import (
	"encoding/base64"
	"encoding/binary"
	"html"
	"math"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// URI is a System.Uri.
type URI struct {
	U    *url.URL
	Orig string // the string it was made from (OriginalString)
}

// DotnetString implements Stringer.
func (x *URI) DotnetString() string { return x.U.String() }

// DotnetType implements Typed.
func (x *URI) DotnetType(u *Lib) *Type { return u.Types["Uri"] }

// Random is a System.Random.
type Random struct {
	r *rand.Rand  // an unseeded Random
	c *compatPrng // a seeded one: .NET's sequence
}

// DotnetType implements Typed.
func (x *Random) DotnetType(u *Lib) *Type { return u.Random }

// Encoder is a System.Text.Encoding.
type Encoder struct {
	Name string
	// NoPreamble marks a UnicodeEncoding made without a byte order mark
	// (StringWriter.Encoding): its preamble is empty.
	NoPreamble bool
}

// DotnetType implements Typed.
func (x *Encoder) DotnetType(u *Lib) *Type { return u.Encoding }

func (u *Lib) buildMisc() {
	// Convert
	cv := u.newType("Convert", "System.Convert", u.Object)
	toInt := func(name string, bits int, box func(int64) Value, res *Type) *Member {
		return meth(name, 1, 2, res, func(c Call) Value {
			switch x := c.Args[0].(type) {
			case nil:
				return box(0)
			case string:
				if c.Has(1) {
					n, err := strconv.ParseInt(x, c.Int(1), bits)
					if err != nil {
						notFormat(x)
					}
					return box(n)
				}
				return box(must(ParseInt(x, bits)))
			case float64:
				r := math.RoundToEven(x)
				if bits == 32 && (r > math.MaxInt32 || r < math.MinInt32) {
					Throw(ExOverflow, "Value was either too large or too small for an Int32.")
				}
				return box(int64(r))
			case bool:
				if x {
					return box(1)
				}
				return box(0)
			}
			if x, ok := c.Args[0].(uint64); ok && x > math.MaxInt64 {
				Throw(ExOverflow, "Value was either too large or too small for %s.", map[int]string{8: "an unsigned byte", 16: "an Int16", 32: "an Int32", 64: "an Int64"}[bits])
			}
			if n, ok := AsInt64(c.Args[0]); ok {
				if bits == 32 && (n > math.MaxInt32 || n < math.MinInt32) {
					Throw(ExOverflow, "Value was either too large or too small for an Int32.")
				}
				return box(n)
			}
			if s, ok := c.Args[0].(Stringer); ok {
				return box(must(ParseInt(s.DotnetString(), bits)))
			}
			ThrowCast(c.Args[0], "System.IConvertible")
			return nil
		})
	}
	cv.addStatic(
		meth("ToBase64String", 1, 3, u.String, func(c Call) Value {
			b, ok := c.Args[0].([]byte)
			if !ok {
				c.NotNull(0, "inArray")
				ThrowCast(c.Args[0], "System.Byte[]")
			}
			if c.Has(2) {
				b = b[c.Int(1) : c.Int(1)+c.Int(2)]
			}
			return base64.StdEncoding.EncodeToString(b)
		}),
		meth("FromBase64String", 1, 1, u.Bytes, func(c Call) Value {
			c.NotNull(0, "s")
			s := strings.Map(func(r rune) rune {
				if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
					return -1
				}
				return r
			}, c.Str(0))
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				Throw(ExFormat, "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.")
			}
			return b
		}),
		toInt("ToInt32", 32, func(n int64) Value { return int32(n) }, u.Int),
		toInt("ToInt64", 64, func(n int64) Value { return n }, u.Long),
		toInt("ToInt16", 16, func(n int64) Value { return int16(n) }, u.Short),
		toInt("ToByte", 8, func(n int64) Value { return uint8(n) }, u.Byte),
		meth("ToDouble", 1, 2, u.Double, func(c Call) Value {
			switch x := c.Args[0].(type) {
			case nil:
				return 0.0
			case string:
				return must(ParseDouble(x))
			case bool:
				if x {
					return 1.0
				}
				return 0.0
			}
			return c.Float(0)
		}),
		meth("ToBoolean", 1, 2, u.Bool, func(c Call) Value {
			switch x := c.Args[0].(type) {
			case nil:
				return false
			case bool:
				return x
			case string:
				b, ok := ParseBool(x)
				if !ok {
					Throw(ExFormat, "String '%s' was not recognized as a valid Boolean.", x)
				}
				return b
			}
			f, ok := AsFloat(c.Args[0])
			if !ok {
				ThrowCast(c.Args[0], "System.IConvertible")
			}
			return f != 0
		}),
		meth("ToString", 1, 2, u.String, func(c Call) Value {
			if c.Has(1) {
				if base, ok := c.Args[1].(int32); ok {
					n, _ := AsInt64(c.Args[0])
					return strconv.FormatInt(n, int(base))
				}
			}
			return ToString(c.Args[0])
		}),
		meth("ToDateTime", 1, 2, u.DateTime, func(c Call) Value {
			if t, ok := c.Args[0].(time.Time); ok {
				return t
			}
			t, ok := ParseDateTime(c.Str(0))
			if !ok {
				Throw(ExFormat, "String '%s' was not recognized as a valid DateTime.", c.Str(0))
			}
			return t
		}),
		meth("ToChar", 1, 1, u.Char, func(c Call) Value {
			if s, ok := c.Args[0].(string); ok {
				if utf8.RuneCountInString(s) != 1 {
					Throw(ExFormat, "String must be exactly one character long.")
				}
				r, _ := utf8.DecodeRuneInString(s)
				return Char(r)
			}
			n, _ := AsInt64(c.Args[0])
			return Char(n)
		}),
		meth("ToHexString", 1, 1, u.String, func(c Call) Value {
			return strings.ToUpper(hexString(c.Bytes(0)))
		}),
		meth("FromHexString", 1, 1, u.Bytes, func(c Call) Value {
			b, err := hexDecode(c.Str(0))
			if err != nil {
				Throw(ExFormat, "The input is not a valid hex string as it contains a non-hex character.")
			}
			return b
		}),
	)
	// Math
	m := u.newType("Math", "System.Math", u.Object)
	f1 := func(name string, f func(float64) float64) *Member {
		return meth(name, 1, 1, u.Double, func(c Call) Value { return f(c.Float(0)) })
	}
	sameType := func(name string, fi func(a, b int64) int64, ff func(a, b float64) float64) *Member {
		mm := meth(name, 2, 2, nil, func(c Call) Value {
			if numKind(c.Args[0]) == 4 || numKind(c.Args[1]) == 4 {
				return ff(c.Float(0), c.Float(1))
			}
			if numKind(c.Args[0]) == 3 || numKind(c.Args[1]) == 3 {
				return float32(ff(c.Float(0), c.Float(1)))
			}
			if t := commonIntType(u, c.Args[0], c.Args[1]); t != nil && t != u.Int && t != u.Long {
				// Math.Max(short, short) is a short, Max(ulong, ulong) a ulong
				r, _ := Compare(c.Args[0], c.Args[1])
				pick := c.Args[0]
				if (name == "Max") == (r < 0) {
					pick = c.Args[1]
				}
				v, _ := ConvertNumber(pick, t)
				return v
			}
			a, _ := AsInt64(c.Args[0])
			b, _ := AsInt64(c.Args[1])
			if numKind(c.Args[0]) == 2 || numKind(c.Args[1]) == 2 {
				return fi(a, b)
			}
			return int32(fi(a, b))
		})
		mm.ResultOf = func(_ *Type, a []*Type, _ []*Type) *Type {
			if len(a) == 2 && a[0] == a[1] {
				return a[0]
			}
			if len(a) == 2 && (a[0] == u.Double || a[1] == u.Double) {
				return u.Double
			}
			return nil
		}
		return mm
	}
	m.addStatic(
		f1("Floor", math.Floor), f1("Ceiling", math.Ceil), f1("Sqrt", math.Sqrt), f1("Log10", math.Log10),
		f1("Exp", math.Exp), f1("Sin", math.Sin), f1("Cos", math.Cos), f1("Tan", math.Tan), f1("Truncate", math.Trunc),
		meth("Log", 1, 2, u.Double, func(c Call) Value {
			if c.Has(1) {
				return math.Log(c.Float(0)) / math.Log(c.Float(1))
			}
			return math.Log(c.Float(0))
		}),
		meth("Pow", 2, 2, u.Double, func(c Call) Value { return math.Pow(c.Float(0), c.Float(1)) }),
		meth("Round", 1, 3, u.Double, func(c Call) Value {
			x := c.Float(0)
			digits := 0
			away := false
			for _, a := range c.Args[1:] {
				switch y := a.(type) {
				case int32:
					digits = int(y)
				case Enum:
					away = y.Name == "AwayFromZero"
				}
			}
			p := math.Pow(10, float64(digits))
			if away {
				return math.Round(x*p) / p
			}
			return math.RoundToEven(x*p) / p
		}),
		sameType("Max", func(a, b int64) int64 { return max(a, b) }, math.Max),
		sameType("Min", func(a, b int64) int64 { return min(a, b) }, math.Min),
		meth("Abs", 1, 1, nil, func(c Call) Value {
			switch x := c.Args[0].(type) {
			case int32:
				if x == math.MinInt32 {
					Throw(ExOverflow, "Negating the minimum value of a twos complement number is invalid.")
				}
				if x < 0 {
					return -x
				}
				return x
			case int64:
				if x == math.MinInt64 {
					Throw(ExOverflow, "Negating the minimum value of a twos complement number is invalid.")
				}
				if x < 0 {
					return -x
				}
				return x
			case int16:
				if x == math.MinInt16 {
					Throw(ExOverflow, "Negating the minimum value of a twos complement number is invalid.")
				}
				return max(x, -x)
			case int8:
				if x == math.MinInt8 {
					Throw(ExOverflow, "Negating the minimum value of a twos complement number is invalid.")
				}
				return max(x, -x)
			case float32:
				return float32(math.Abs(float64(x)))
			}
			return math.Abs(c.Float(0))
		}),
		meth("Sign", 1, 1, u.Int, func(c Call) Value {
			f := c.Float(0)
			return int32(cmp3(f < 0, f > 0) * 1)
		}),
		prop("PI", u.Double, func(Call) Value { return math.Pi }),
		prop("E", u.Double, func(Call) Value { return math.E }),
	)
	m.Statics["Abs"].ResultOf = func(_ *Type, a []*Type, _ []*Type) *Type { return a[0] }
	u.newType("MidpointRounding", "System.MidpointRounding", u.Object).EnumValues = map[string]int64{"ToEven": 0, "AwayFromZero": 1}

	// Encoding
	u.Encoding = u.newType("Encoding", "System.Text.Encoding", u.Object)
	enc := u.Encoding
	for _, n := range []string{"UTF8", "ASCII", "Unicode", "UTF32", "Default", "Latin1"} {
		name := n
		enc.addStatic(prop(name, enc, func(Call) Value { return &Encoder{Name: name} }))
	}
	enc.addStatic(meth("GetEncoding", 1, 1, enc, func(c Call) Value {
		switch strings.ToLower(c.Str(0)) {
		case "utf-8", "utf8":
			return &Encoder{Name: "UTF8"}
		case "us-ascii", "ascii":
			return &Encoder{Name: "ASCII"}
		case "iso-8859-1", "latin1":
			return &Encoder{Name: "Latin1"}
		case "utf-16", "unicode":
			return &Encoder{Name: "Unicode"}
		}
		Throw(ExArgument, "'%s' is not a supported encoding name.", c.Str(0))
		return nil
	}))
	enc.add(
		meth("GetBytes", 1, 1, u.Bytes, func(c Call) Value {
			c.NotNull(0, "s")
			return encode(c.This.(*Encoder).Name, c.Str(0))
		}),
		meth("GetString", 1, 3, u.String, func(c Call) Value {
			c.NotNull(0, "bytes")
			b, ok := c.Args[0].([]byte)
			if !ok {
				ThrowCast(c.Args[0], "System.Byte[]")
			}
			if c.Has(2) {
				b = b[c.Int(1) : c.Int(1)+c.Int(2)]
			}
			return decode(c.This.(*Encoder).Name, b)
		}),
		meth("GetByteCount", 1, 1, u.Int, func(c Call) Value { return int32(len(encode(c.This.(*Encoder).Name, c.Str(0)))) }),
		prop("WebName", u.String, func(c Call) Value { return strings.ToLower(c.This.(*Encoder).Name) }),
	)

	// WebUtility / HttpUtility / Uri
	for _, tn := range []string{"System.Net.WebUtility", "System.Web.HttpUtility"} {
		w := u.newType(tn[strings.LastIndexByte(tn, '.')+1:], tn, u.Object)
		w.addStatic(
			meth("UrlEncode", 1, 1, u.String, func(c Call) Value {
				if c.IsNull(0) {
					return nil
				}
				return url.QueryEscape(c.Str(0))
			}),
			meth("UrlDecode", 1, 1, u.String, func(c Call) Value {
				if c.IsNull(0) {
					return nil
				}
				s, err := url.QueryUnescape(c.Str(0))
				if err != nil {
					return c.Str(0)
				}
				return s
			}),
			meth("HtmlEncode", 1, 1, u.String, func(c Call) Value {
				if c.IsNull(0) {
					return nil
				}
				return htmlEncode(c.Str(0))
			}),
			meth("HtmlDecode", 1, 1, u.String, func(c Call) Value {
				if c.IsNull(0) {
					return nil
				}
				return html.UnescapeString(c.Str(0))
			}),
		)
	}
	uri := u.newType("Uri", "System.Uri", u.Object)
	uri.addStatic(
		meth("EscapeDataString", 1, 1, u.String, func(c Call) Value { c.NotNull(0, "stringToEscape"); return escapeData(c.Str(0)) }),
		meth("UnescapeDataString", 1, 1, u.String, func(c Call) Value {
			s, err := url.PathUnescape(c.Str(0))
			if err != nil {
				return c.Str(0)
			}
			return s
		}),
		meth("EscapeUriString", 1, 1, u.String, func(c Call) Value { return (&url.URL{Path: c.Str(0)}).EscapedPath() }),
		meth("IsWellFormedUriString", 2, 2, u.Bool, func(c Call) Value {
			if c.IsNull(0) {
				return false
			}
			_, ok := parseURI(c.Str(0), uriKind(c, 1))
			return ok && !strings.ContainsAny(c.Str(0), " \\")
		}),
	)
	u.newType("UriKind", "System.UriKind", u.Object).EnumValues = map[string]int64{"RelativeOrAbsolute": 0, "Absolute": 1, "Relative": 2}
	uri.NewMin = 1
	uri.New = func(c Call) Value {
		s := c.Str(0)
		if c.Has(1) {
			if base, ok := c.Args[0].(*URI); ok {
				r, ok := resolveURI(base, c.Args[1])
				if !ok {
					Throw("System.UriFormatException", "Invalid URI: The format of the URI could not be determined.")
				}
				return r
			}
		}
		kind := int64(uriAbsolute)
		if c.Has(1) {
			kind = uriKind(c, 1)
		}
		p, ok := parseURI(s, kind)
		if !ok {
			Throw("System.UriFormatException", "Invalid URI: The format of the URI could not be determined.")
		}
		return &URI{U: p, Orig: s}
	}
	ux := func(c Call) *url.URL { return c.This.(*URI).U }
	up := u.newType("UriPartial", "System.UriPartial", u.Object)
	up.EnumValues = map[string]int64{"Scheme": 0, "Authority": 1, "Path": 2, "Query": 3}
	uri.add(meth("GetLeftPart", 1, 1, u.String, func(c Call) Value {
		e, ok := c.Args[0].(Enum)
		if !ok || e.T != up {
			ThrowCast(c.Args[0], up.FullName)
		}
		return leftPart(ux(c), e.V)
	}))
	uri.add(
		prop("Host", u.String, func(c Call) Value { return ux(c).Hostname() }),
		prop("Scheme", u.String, func(c Call) Value { return ux(c).Scheme }),
		prop("AbsolutePath", u.String, func(c Call) Value {
			if p := ux(c).EscapedPath(); p != "" {
				return p
			}
			return "/"
		}),
		prop("AbsoluteUri", u.String, func(c Call) Value { return ux(c).String() }),
		prop("PathAndQuery", u.String, func(c Call) Value { return ux(c).RequestURI() }),
		prop("Query", u.String, func(c Call) Value {
			if ux(c).RawQuery == "" {
				return ""
			}
			return "?" + ux(c).RawQuery
		}),
		prop("Port", u.Int, func(c Call) Value {
			if p := ux(c).Port(); p != "" {
				n, _ := strconv.Atoi(p)
				return int32(n)
			}
			if ux(c).Scheme == "http" {
				return int32(80)
			}
			return int32(443)
		}),
		prop("Authority", u.String, func(c Call) Value { return ux(c).Host }),
		prop("Fragment", u.String, func(c Call) Value {
			if ux(c).Fragment == "" {
				return ""
			}
			return "#" + ux(c).Fragment
		}),
		prop("Segments", u.ArrayOf(u.String), func(c Call) Value {
			p := ux(c).EscapedPath()
			var segs []string
			for p != "" {
				i := strings.IndexByte(p[1:], '/')
				if i < 0 {
					segs = append(segs, p)
					break
				}
				segs = append(segs, p[:i+2])
				p = p[i+2:]
			}
			return StringArray(segs)
		}),
	)

	// Random
	u.Random = u.newType("Random", "System.Random", u.Object)
	u.Random.New = func(c Call) Value {
		if c.Has(0) {
			return newRandom(int32(c.Int(0)), true)
		}
		return newRandom(0, false)
	}
	u.Random.add(
		meth("Next", 0, 2, u.Int, func(c Call) Value {
			r := c.This.(*Random)
			switch len(c.Args) {
			case 1:
				hi := int32(c.Int(0))
				if hi < 0 {
					Throw(ExArgRange, "maxValue ('%d') must be a non-negative value. (Parameter 'maxValue')", hi)
				}
				return r.nextN(hi)
			case 2:
				lo, hi := int32(c.Int(0)), int32(c.Int(1))
				if lo > hi {
					Throw(ExArgRange, "'minValue' cannot be greater than maxValue. (Parameter 'minValue')")
				}
				return r.nextRange(lo, hi)
			}
			return r.next()
		}),
		meth("NextDouble", 0, 0, u.Double, func(c Call) Value { return c.This.(*Random).nextDouble() }),
		meth("NextBytes", 1, 1, u.Void, func(c Call) Value {
			c.NotNull(0, "buffer")
			c.This.(*Random).nextBytes(c.Bytes(0))
			return nil
		}),
	)

	// BitConverter
	bc := u.newType("BitConverter", "System.BitConverter", u.Object)
	bc.addStatic(
		meth("ToString", 1, 3, u.String, func(c Call) Value {
			b := c.Bytes(0)
			parts := make([]string, len(b))
			for i, x := range b {
				parts[i] = strings.ToUpper(hexString([]byte{x}))
			}
			return strings.Join(parts, "-")
		}),
		meth("GetBytes", 1, 1, u.Bytes, func(c Call) Value {
			switch x := c.Args[0].(type) {
			case int32:
				return binary.LittleEndian.AppendUint32(nil, uint32(x))
			case int64:
				return binary.LittleEndian.AppendUint64(nil, uint64(x))
			case float64:
				return binary.LittleEndian.AppendUint64(nil, math.Float64bits(x))
			case bool:
				if x {
					return []byte{1}
				}
				return []byte{0}
			}
			ThrowCast(c.Args[0], "System.Int32")
			return nil
		}),
		meth("ToInt32", 2, 2, u.Int, func(c Call) Value {
			return int32(binary.LittleEndian.Uint32(c.Bytes(0)[c.Int(1):]))
		}),
		prop("IsLittleEndian", u.Bool, func(Call) Value { return true }),
	)

	// Exception
	ex := u.Exception
	ex.New = func(c Call) Value {
		e := &Exception{Type: ExException, Message: "Exception of type 'System.Exception' was thrown.", Pos: -1, End: -1}
		if c.Has(0) {
			e.Message = c.Str(0)
		}
		return e
	}
	ex.add(
		prop("Message", u.String, func(c Call) Value { return c.This.(*Exception).Message }),
		prop("InnerException", ex, func(c Call) Value { return orNil(c.This.(*Exception).Inner) }),
		prop("StackTrace", u.String, func(c Call) Value { return "" }),
		meth("GetType", 0, 0, nil, func(c Call) Value { return &TypeValue{Name: c.This.(*Exception).Type} }),
	)
	u.buildExceptionTypes(ex)
}

// TypeValue is the result of GetType() / typeof(T).
type TypeValue struct {
	Name string
}

// DotnetString implements Stringer.
func (t *TypeValue) DotnetString() string { return t.Name }

// DotnetType implements Typed.
func (e *Exception) DotnetType(u *Lib) *Type {
	if t := u.Types[e.Type]; t != nil {
		return t
	}
	return u.Exception
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, len(b)*2)
	for i, x := range b {
		out[2*i] = digits[x>>4]
		out[2*i+1] = digits[x&15]
	}
	return string(out)
}

func hexDecode(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, strconv.ErrSyntax
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		n, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, err
		}
		out[i] = byte(n)
	}
	return out, nil
}

func encode(name, s string) []byte {
	switch name {
	case "ASCII":
		out := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 127 {
				r = '?'
			}
			out = append(out, byte(r))
		}
		return out
	case "Latin1":
		out := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 255 {
				r = '?'
			}
			out = append(out, byte(r))
		}
		return out
	case "Unicode":
		var out []byte
		for _, r := range s {
			if r >= 0x10000 {
				r -= 0x10000
				hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3ff)
				out = append(out, byte(hi), byte(hi>>8), byte(lo), byte(lo>>8))
				continue
			}
			out = append(out, byte(r), byte(r>>8))
		}
		return out
	}
	return []byte(s)
}

func decode(name string, b []byte) string {
	switch name {
	case "ASCII":
		out := make([]rune, len(b))
		for i, x := range b {
			if x > 127 {
				x = '?'
			}
			out[i] = rune(x)
		}
		return string(out)
	case "Latin1":
		out := make([]rune, len(b))
		for i, x := range b {
			out[i] = rune(x)
		}
		return string(out)
	case "Unicode":
		var out []rune
		for i := 0; i+1 < len(b); i += 2 {
			out = append(out, rune(b[i])|rune(b[i+1])<<8)
		}
		return string(out)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func htmlEncode(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			if r >= 160 && r < 256 || r >= 0x10000 {
				// Latin-1 and characters outside the BMP (surrogate
				// pairs in .NET) are written as numeric references.
				b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// escapeData escapes everything except RFC 3986 unreserved characters.
func escapeData(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hexString([]byte{c})))
		}
	}
	return b.String()
}

// leftPart implements Uri.GetLeftPart: the scheme, authority (without a
// default port), path and query, cut after the part asked for.
func leftPart(p *url.URL, part int64) string {
	if p.Host == "" {
		return ""
	}
	out := p.Scheme + "://"
	if part == 0 {
		return out
	}
	if p.User != nil {
		out += p.User.String() + "@"
	}
	host, port := p.Hostname(), p.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	out += strings.ToLower(host)
	if port != "" && !(p.Scheme == "http" && port == "80" || p.Scheme == "https" && port == "443") {
		out += ":" + port
	}
	if part == 1 {
		return out
	}
	path := p.EscapedPath()
	if path == "" {
		path = "/"
	}
	out += path
	if part == 3 && p.RawQuery != "" {
		out += "?" + p.RawQuery
	}
	return out
}

// UriKind values.
const (
	uriRelativeOrAbsolute = 0
	uriAbsolute           = 1
	uriRelative           = 2
)

// uriKind reads the UriKind argument i.
func uriKind(c Call, i int) int64 {
	e, ok := c.Args[i].(Enum)
	if !ok || e.T.FullName != "System.UriKind" {
		ThrowCast(c.Args[i], "System.UriKind")
	}
	if e.V < 0 || e.V > 2 {
		Throw(ExArgument, "The value '%d' passed for the UriKind parameter is invalid.", e.V)
	}
	return e.V
}

// parseURI parses s as a URI of the kind asked: absolute ones have a scheme
// and, for http(s), a host.
func parseURI(s string, kind int64) (*url.URL, bool) {
	p, err := url.Parse(s)
	if err != nil {
		return nil, false
	}
	abs := p.Scheme != "" && (p.Host != "" || p.Opaque != "" || (p.Scheme != "http" && p.Scheme != "https"))
	switch kind {
	case uriAbsolute:
		return p, abs
	case uriRelative:
		return p, p.Scheme == ""
	}
	return p, abs || p.Scheme == ""
}
