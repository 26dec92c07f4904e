package value

import (
	"bytes"
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// parseInBase reads s as Convert.ToXxx(s, fromBase) does: the bits of an
// unsigned number in base 2, 8, 10 or 16 (with an optional 0x).
func parseInBase(s string, base int) uint64 {
	if base != 2 && base != 8 && base != 10 && base != 16 {
		Throw(ExArgument, "Invalid Base. (Parameter 'fromBase')")
	}
	t := s
	if base == 16 {
		t = strings.TrimPrefix(strings.TrimPrefix(t, "0x"), "0X")
	}
	u, err := strconv.ParseUint(t, base, 64)
	if err != nil {
		notFormat(s)
	}
	return u
}

// convertUnsigned implements Convert.ToByte, ToUInt16, ToUInt32, ToUInt64
// and ToSByte: (value[, fromBase]) with .NET's range checks.
func convertUnsigned(c Call, lo, hi int64, what string, box func(int64) Value) Value {
	overflow := func() { Throw(ExOverflow, "Value was either too large or too small for %s.", what) }
	var n int64
	switch x := c.Args[0].(type) {
	case nil:
		return box(0)
	case string:
		if c.Has(1) {
			u := parseInBase(x, c.Int(1))
			// a string in base 2, 8 or 16 is the two's complement bits
			if lo < 0 && hi < 1<<62 {
				bits := uint(math.Log2(float64(hi)+1) + 1)
				if u >= 1<<bits {
					overflow()
				}
				if u >= 1<<(bits-1) {
					return box(int64(u) - 1<<bits)
				}
			} else if hi < 1<<62 && u > uint64(hi) {
				overflow()
			}
			return box(int64(u))
		}
		s := strings.TrimSpace(x)
		if s == "" {
			notFormat(x)
		}
		u, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				overflow()
			}
			notFormat(x)
		}
		n = u
	case float64:
		r := math.RoundToEven(x)
		if r < float64(lo) || r > float64(hi) {
			overflow()
		}
		n = int64(r)
	case float32:
		r := math.RoundToEven(float64(x))
		if r < float64(lo) || r > float64(hi) {
			overflow()
		}
		n = int64(r)
	case dotnet.Decimal:
		r := mustDec(x.Round(0, false)).Float64()
		if r < float64(lo) || r > float64(hi) {
			overflow()
		}
		n = int64(r)
	case bool:
		if x {
			n = 1
		}
	case uint64:
		if x > math.MaxInt64 {
			overflow()
		}
		n = int64(x)
	default:
		v, ok := AsInt64(c.Args[0])
		if !ok {
			ThrowCast(c.Args[0], "System.IConvertible")
		}
		n = v
	}
	if n < lo || n > hi {
		overflow()
	}
	return box(n)
}

func (u *Lib) buildConvertMore() {
	cv := u.Types["Convert"]
	bfo := u.newType("Base64FormattingOptions", "System.Base64FormattingOptions", u.Object)
	bfo.EnumValues = map[string]int64{"None": 0, "InsertLineBreaks": 1}
	unsigned := func(name string, lo, hi int64, what string, res *Type, box func(int64) Value) *Member {
		return meth(name, 1, 2, res, func(c Call) Value { return convertUnsigned(c, lo, hi, what, box) })
	}
	bytesRange := func(c Call, i int) []byte {
		b := c.Bytes(0)
		if c.Has(i) {
			off, n := c.Int(i), c.Int(i+1)
			if off < 0 || n < 0 || off+n > len(b) {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'offset')")
			}
			b = b[off : off+n]
		}
		return b
	}
	cv.addStatic(&Member{Name: "ChangeType", Kind: Method, Min: 2, Max: 3, Result: u.Object, Fn: func(c Call) Value {
		return u.changeType(c.Fr, c.Args[0], c.Args[1])
	}})
	cv.addStatic(
		unsigned("ToByte", 0, math.MaxUint8, "an unsigned byte", u.Byte, func(n int64) Value { return uint8(n) }),
		unsigned("ToSByte", math.MinInt8, math.MaxInt8, "a signed byte", u.SByte, func(n int64) Value { return int8(n) }),
		unsigned("ToUInt16", 0, math.MaxUint16, "a UInt16", u.UShort, func(n int64) Value { return uint16(n) }),
		unsigned("ToUInt32", 0, math.MaxUint32, "a UInt32", u.UInt, func(n int64) Value { return uint32(n) }),
		meth("ToUInt64", 1, 2, u.ULong, func(c Call) Value { return convertToUInt64(c) }),
		meth("ToBase64String", 1, 4, u.String, func(c Call) Value {
			c.NotNull(0, "inArray")
			lines := false
			if e, ok := c.Arg(len(c.Args) - 1).(Enum); ok {
				lines = e.V&1 != 0
			}
			b := c.Bytes(0)
			if len(c.Args) >= 3 {
				b = bytesRange(c, 1)
			}
			s := base64.StdEncoding.EncodeToString(b)
			if !lines || len(s) <= 76 {
				return s
			}
			var out strings.Builder
			for len(s) > 76 {
				out.WriteString(s[:76])
				out.WriteString("\r\n")
				s = s[76:]
			}
			out.WriteString(s)
			return out.String()
		}),
		meth("FromBase64CharArray", 3, 3, u.Bytes, func(c Call) Value {
			c.NotNull(0, "inArray")
			items, _ := Items(c.Args[0])
			off, n := c.Int(1), c.Int(2)
			if off < 0 || n < 0 || off+n > len(items) {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'offset')")
			}
			var b strings.Builder
			for _, x := range items[off : off+n] {
				b.WriteString(ToString(x))
			}
			out, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b.String()), ""))
			if err != nil {
				Throw(ExFormat, "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.")
			}
			return out
		}),
		meth("ToHexString", 1, 3, u.String, func(c Call) Value { return strings.ToUpper(hexString(bytesRange(c, 1))) }),
		meth("ToHexStringLower", 1, 3, u.String, func(c Call) Value { return hexString(bytesRange(c, 1)) }),
		meth("IsDBNull", 1, 1, u.Bool, func(c Call) Value { return false }),
	)

	// the narrow integer types: their own MaxValue and MinValue
	for _, x := range []struct {
		name   string
		lo, hi int64
		box    func(int64) Value
	}{
		{"short", math.MinInt16, math.MaxInt16, func(n int64) Value { return int16(n) }},
		{"ushort", 0, math.MaxUint16, func(n int64) Value { return uint16(n) }},
		{"sbyte", math.MinInt8, math.MaxInt8, func(n int64) Value { return int8(n) }},
		{"uint", 0, math.MaxUint32, func(n int64) Value { return uint32(n) }},
		{"ulong", 0, -1, func(n int64) Value { return uint64(n) }},
		{"byte", 0, math.MaxUint8, func(n int64) Value { return uint8(n) }},
	} {
		t := u.Types[x.name]
		statics := map[string]*Member{}
		for k, v := range t.Statics {
			statics[k] = v
		}
		t.Statics = statics
		lo, hi := x.box(x.lo), x.box(x.hi)
		t.addStatic(prop("MaxValue", t, func(Call) Value { return hi }), prop("MinValue", t, func(Call) Value { return lo }))
	}

	// Guid
	g := u.Guid
	parseExact := func(s, f string) (Guid, bool) {
		s = strings.TrimSpace(s)
		switch strings.ToUpper(f) {
		case "N":
			if len(s) != 32 {
				return Guid{}, false
			}
		case "D":
			if len(s) != 36 {
				return Guid{}, false
			}
		case "B":
			if len(s) != 38 || s[0] != '{' {
				return Guid{}, false
			}
		case "P":
			if len(s) != 38 || s[0] != '(' {
				return Guid{}, false
			}
		default:
			Throw(ExFormat, "Format string can be only \"D\", \"d\", \"N\", \"n\", \"P\", \"p\", \"B\", \"b\", \"X\" or \"x\".")
		}
		return ParseGuid(s)
	}
	g.addStatic(
		meth("ParseExact", 2, 2, g, func(c Call) Value {
			c.NotNull(0, "input")
			x, ok := parseExact(c.Str(0), c.Str(1))
			if !ok {
				Throw(ExFormat, "Unrecognized Guid format.")
			}
			return x
		}),
		&Member{Name: "TryParseExact", Kind: Method, Min: 3, Max: 3, Result: u.Bool, Out: []int{2}, Fn: func(c Call) Value {
			x, ok := parseExact(c.Str(0), c.Str(1))
			c.Args[2] = x
			return ok
		}},
	)
	g.add(meth("CompareTo", 1, 1, u.Int, func(c Call) Value {
		if c.IsNull(0) {
			return int32(1)
		}
		o, ok := c.Args[0].(Guid)
		if !ok {
			Throw(ExArgument, "Object must be of type Guid.")
		}
		a := c.This.(Guid)
		return int32(bytes.Compare(a[:], o[:]))
	}))
	newGuid := g.New
	g.New = func(c Call) Value {
		if len(c.Args) == 4 || len(c.Args) == 11 {
			// Guid(int a, short b, short c, byte[] d) and Guid(int, short, short, byte x 8)
			a, _ := AsInt64(c.Args[0])
			b, _ := AsInt64(c.Args[1])
			cc, _ := AsInt64(c.Args[2])
			var out Guid
			out[0], out[1], out[2], out[3] = byte(a>>24), byte(a>>16), byte(a>>8), byte(a)
			out[4], out[5], out[6], out[7] = byte(b>>8), byte(b), byte(cc>>8), byte(cc)
			if len(c.Args) == 4 {
				d := c.Bytes(3)
				if len(d) != 8 {
					Throw(ExArgument, "Byte array for Guid must be exactly 8 bytes long. (Parameter 'd')")
				}
				copy(out[8:], d)
			} else {
				for i := range 8 {
					n, _ := AsInt64(c.Args[3+i])
					out[8+i] = byte(n)
				}
			}
			return out
		}
		return newGuid(c)
	}

	// double
	d := u.Double
	d.addStatic(
		meth("IsInfinity", 1, 1, u.Bool, func(c Call) Value { return math.IsInf(c.Float(0), 0) }),
		meth("IsPositiveInfinity", 1, 1, u.Bool, func(c Call) Value { return math.IsInf(c.Float(0), 1) }),
		meth("IsNegativeInfinity", 1, 1, u.Bool, func(c Call) Value { return math.IsInf(c.Float(0), -1) }),
		meth("IsFinite", 1, 1, u.Bool, func(c Call) Value {
			f := c.Float(0)
			return !math.IsInf(f, 0) && !math.IsNaN(f)
		}),
	)
	// char
	ch := u.Char
	ch.addStatic(
		meth("IsControl", 1, 2, u.Bool, charPred(u, unicode.IsControl)),
		meth("IsSymbol", 1, 2, u.Bool, charPred(u, unicode.IsSymbol)),
		meth("IsSeparator", 1, 2, u.Bool, charPred(u, func(r rune) bool { return unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp) })),
		meth("IsNumber", 1, 2, u.Bool, charPred(u, unicode.IsNumber)),
		meth("IsAscii", 1, 1, u.Bool, charPred(u, func(r rune) bool { return r < 0x80 })),
		meth("IsAsciiDigit", 1, 1, u.Bool, charPred(u, func(r rune) bool { return r >= '0' && r <= '9' })),
		meth("IsAsciiLetter", 1, 1, u.Bool, charPred(u, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' })),
		meth("IsAsciiHexDigit", 1, 1, u.Bool, charPred(u, func(r rune) bool {
			return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
		})),
		meth("GetNumericValue", 1, 2, u.Double, func(c Call) Value {
			var r rune
			if len(c.Args) == 2 {
				rs := []rune(c.Str(0))
				i := c.Int(1)
				if i < 0 || i >= len(rs) {
					Throw(ExArgRange, "Index was out of range. (Parameter 'index')")
				}
				r = rs[i]
			} else {
				x, ok := c.Args[0].(Char)
				if !ok {
					ThrowCast(c.Args[0], "System.Char")
				}
				r = rune(x)
			}
			if r >= '0' && r <= '9' {
				return float64(r - '0')
			}
			return -1.0 // tollgate knows the values of the ASCII digits only
		}),
		meth("Parse", 1, 1, u.Char, func(c Call) Value {
			c.NotNull(0, "s")
			rs := []rune(c.Str(0))
			if len(rs) != 1 {
				Throw(ExFormat, "String must be exactly one character long.")
			}
			return Char(rs[0])
		}),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			rs := []rune(c.Str(0))
			if c.IsNull(0) || len(rs) != 1 {
				c.Args[1] = Char(0)
				return false
			}
			c.Args[1] = Char(rs[0])
			return true
		}},
	)
}

// convertible are the types whose values implement IConvertible, and the
// Convert method Convert.ChangeType converts to each with.
var convertible = map[string]string{
	"System.Boolean": "ToBoolean", "System.Char": "ToChar", "System.SByte": "ToSByte", "System.Byte": "ToByte",
	"System.Int16": "ToInt16", "System.UInt16": "ToUInt16", "System.Int32": "ToInt32", "System.UInt32": "ToUInt32",
	"System.Int64": "ToInt64", "System.UInt64": "ToUInt64", "System.Single": "ToSingle", "System.Double": "ToDouble",
	"System.Decimal": "ToDecimal", "System.DateTime": "ToDateTime", "System.String": "ToString",
}

// changeType is Convert.ChangeType(v, conversionType): v itself when it
// already has the type, else the Convert method of the target type for the
// types whose values implement IConvertible; any other conversion is an
// InvalidCastException, as in .NET.
func (u *Lib) changeType(fr *Frame, v, conversionType Value) Value {
	if conversionType == nil {
		Throw(ExArgNull, "Value cannot be null. (Parameter 'conversionType')")
	}
	tv, ok := conversionType.(*TypeValue)
	if !ok {
		ThrowCast(conversionType, "System.Type")
	}
	target := u.Types[tv.Name]
	if v == nil {
		if target != nil && target.Value {
			Throw(ExInvalidCast, "Null object cannot be converted to a value type.")
		}
		return nil
	}
	from := TypeName(v)
	if from == tv.Name || tv.Name == "System.Object" {
		return v
	}
	if _, ok := convertible[from]; !ok {
		if _, isEnum := v.(Enum); !isEnum {
			Throw(ExInvalidCast, "Object must implement IConvertible.")
		}
	}
	method, ok := convertible[tv.Name]
	if !ok {
		Throw(ExInvalidCast, "Invalid cast from '%s' to '%s'.", from, tv.Name)
	}
	if e, isEnum := v.(Enum); isEnum && method != "ToString" {
		v = e.V // an enum converts as its number, and to a string as its name
	}
	return u.Types["Convert"].Statics[method].Fn(Call{Fr: fr, Args: []Value{v}})
}
