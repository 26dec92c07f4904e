package value

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// buildMembersText completes StringBuilder, StringReader and BitConverter
// with the overloads of members_text.tsv that the first builders left out.
// It runs after buildKnownOnly and buildXmlReader, and before buildBudget
// (which charges StringBuilder's members).
func (u *Lib) buildMembersText() {
	u.buildStringBuilderMore()
	u.buildStringReaderMore()
	u.buildStringWriterMore()
	u.buildBitConverter()
	u.buildRandomMore()
	u.buildExceptionMore()
	u.buildStringComparerMore()
	u.buildWebUtilityMore()
	u.buildIPAddressMore()
	u.buildStringBuilderCapacity() // last: it wraps the members above
}

// sbRunes returns the builder's text as characters (runes: tollgate's
// strings index by rune).
func sbRunes(s *StringBuilder) []rune { return []rune(s.B.String()) }

// sbSet replaces the builder's text.
func sbSet(s *StringBuilder, text string) {
	s.B.Reset()
	s.B.WriteString(text)
}

// charRange checks that [start, start+n) lies in a sequence of length size,
// as StringBuilder and TextReader check their (index, count) arguments.
func charRange(start, n, size int, startName, countName string) {
	switch {
	case start < 0:
		Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter '%s')", startName)
	case n < 0:
		Throw(ExArgRange, "Count cannot be less than zero. (Parameter '%s')", countName)
	case start > size-n:
		Throw(ExArgRange, "Index and count must refer to a location within the buffer. (Parameter '%s')", startName)
	}
}

// charItems returns the characters of a char[] argument; ok is false for
// any other value.
func (u *Lib) charItems(v Value) ([]rune, bool) {
	a, ok := v.(*Array)
	if !ok || a.T != u.Char {
		return nil, false
	}
	r := make([]rune, len(a.Items))
	for i, x := range a.Items {
		r[i] = rune(x.(Char))
	}
	return r, true
}

// formatArgs returns the arguments of a params object?[] args parameter: an
// object[] passed alone is the array itself, as C# binds it.
func (u *Lib) formatArgs(args []Value) []Value {
	if len(args) == 1 {
		if a, ok := args[0].(*Array); ok && a.T == u.Object {
			return a.Items
		}
	}
	return args
}

// appendText is the text StringBuilder.Append and Insert add for a value:
// a char[] adds its characters, anything else its ToString.
func (u *Lib) appendText(v Value) string {
	if r, ok := u.charItems(v); ok {
		return string(r)
	}
	return ToString(v)
}

func (u *Lib) buildStringBuilderMore() {
	sb := u.Types["StringBuilder"]
	b := func(c Call) *StringBuilder { return c.This.(*StringBuilder) }
	// the sub-range (startIndex, count) of a string, char[] or
	// StringBuilder argument, for Append and Insert.
	part := func(c Call, i int) string {
		var r []rune
		if cs, ok := u.charItems(c.Args[i]); ok {
			r = cs
		} else if c.IsNull(i) {
			if c.Int(i+1) != 0 || c.Int(i+2) != 0 {
				c.NotNull(i, "value")
			}
			return ""
		} else {
			r = []rune(ToString(c.Args[i]))
		}
		start, n := c.Int(i+1), c.Int(i+2)
		charRange(start, n, len(r), "startIndex", "count")
		return string(r[start : start+n])
	}
	sb.New = func(c Call) Value {
		s := &StringBuilder{}
		if str, ok := c.Arg(0).(string); ok {
			if c.Has(3) {
				// StringBuilder(string value, int startIndex, int length, int capacity)
				r := []rune(str)
				start, n := c.Int(1), c.Int(2)
				charRange(start, n, len(r), "startIndex", "length")
				str = string(r[start : start+n])
			}
			s.B.WriteString(str)
		}
		return s
	}
	sb.add(
		meth("Append", 1, 3, sb, func(c Call) Value {
			switch {
			case c.Has(2):
				b(c).B.WriteString(part(c, 0))
			case c.Has(1):
				ch, ok := c.Args[0].(Char)
				if !ok {
					ThrowCast(c.Args[0], "System.Char")
				}
				n := c.Int(1)
				if n < 0 {
					Throw(ExArgRange, "Count cannot be less than zero. (Parameter 'repeatCount')")
				}
				b(c).B.WriteString(strings.Repeat(string(rune(ch)), n))
			default:
				b(c).B.WriteString(u.appendText(c.Args[0]))
			}
			return c.This
		}),
		meth("AppendFormat", 1, -1, sb, func(c Call) Value {
			args := c.Args
			if len(args) >= 3 && args[0] == nil {
				if _, ok := args[1].(string); ok {
					// AppendFormat(IFormatProvider? provider, string format, ...):
					// C# binds a null provider and a string format here; the
					// provider is the invariant culture.
					args = args[1:]
				}
			}
			if args[0] == nil {
				Throw(ExArgNull, "Value cannot be null. (Parameter 'format')")
			}
			b(c).B.WriteString(Format(ToString(args[0]), u.formatArgs(args[1:])))
			return c.This
		}),
		meth("AppendJoin", 2, -1, sb, func(c Call) Value {
			sep := c.Str(0)
			vals := c.Args[1:]
			if len(vals) == 1 {
				if _, isStr := vals[0].(string); !isStr {
					if items, ok := Items(vals[0]); ok {
						vals = items
					}
				}
			}
			for i, v := range vals {
				if i > 0 {
					b(c).B.WriteString(sep)
				}
				b(c).B.WriteString(ToString(v))
			}
			return c.This
		}),
		meth("Insert", 2, 4, sb, func(c Call) Value {
			r := sbRunes(b(c))
			i := c.Int(0)
			if i < 0 || i > len(r) {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than or equal to the size of the collection. (Parameter 'index')")
			}
			var ins string
			switch {
			case c.Has(3):
				ins = part(c, 1)
			case c.Has(2):
				n := c.Int(2)
				if n < 0 {
					Throw(ExArgRange, "Count cannot be less than zero. (Parameter 'count')")
				}
				ins = strings.Repeat(c.Str(1), n)
			default:
				ins = u.appendText(c.Args[1])
			}
			sbSet(b(c), string(r[:i])+ins+string(r[i:]))
			return c.This
		}),
		meth("Remove", 2, 2, sb, func(c Call) Value {
			r := sbRunes(b(c))
			start, n := c.Int(0), c.Int(1)
			if start < 0 || n < 0 || start > len(r)-n {
				Throw(ExArgRange, "The value must be non-negative and less than or equal to the length. (Parameter 'length')")
			}
			sbSet(b(c), string(r[:start])+string(r[start+n:]))
			return c.This
		}),
		meth("Replace", 2, 4, sb, func(c Call) Value {
			r := sbRunes(b(c))
			start, n := 0, len(r)
			if c.Has(3) {
				start, n = c.Int(2), c.Int(3)
				charRange(start, n, len(r), "startIndex", "count")
			}
			head, mid, tail := string(r[:start]), string(r[start:start+n]), string(r[start+n:])
			if ch, ok := c.Args[0].(Char); ok {
				nw, _ := c.Args[1].(Char)
				mid = strings.ReplaceAll(mid, string(rune(ch)), string(rune(nw)))
			} else {
				c.NotNull(0, "oldValue")
				if c.Str(0) == "" {
					Throw(ExArgument, "The value cannot be an empty string. (Parameter 'oldValue')")
				}
				mid = strings.ReplaceAll(mid, c.Str(0), c.Str(1))
			}
			sbSet(b(c), head+mid+tail)
			return c.This
		}),
		meth("ToString", 0, 2, u.String, func(c Call) Value {
			if !c.Has(0) {
				return b(c).B.String()
			}
			r := sbRunes(b(c))
			start, n := c.Int(0), c.Int(1)
			charRange(start, n, len(r), "startIndex", "length")
			return string(r[start : start+n])
		}),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value {
			o, ok := c.Args[0].(*StringBuilder)
			return ok && o.B.String() == b(c).B.String()
		}),
		meth("CopyTo", 4, 4, u.Void, func(c Call) Value {
			r := sbRunes(b(c))
			c.NotNull(1, "destination")
			dst, ok := c.Args[1].(*Array)
			if !ok || dst.T != u.Char {
				ThrowCast(c.Args[1], "System.Char[]")
			}
			src, at, n := c.Int(0), c.Int(2), c.Int(3)
			charRange(src, n, len(r), "sourceIndex", "count")
			charRange(at, n, len(dst.Items), "destinationIndex", "count")
			for k := range n {
				dst.Items[at+k] = Char(r[src+k])
			}
			return nil
		}),
		&Member{Name: "Length", Kind: Property, Result: u.Int,
			Get: func(c Call) Value { return int32(strLen(b(c).B.String())) },
			Set: func(c Call, v Value) {
				n, _ := AsInt64(v)
				r := sbRunes(b(c))
				if n < 0 {
					Throw(ExArgRange, "Length cannot be less than zero. (Parameter 'value')")
				}
				if int(n) <= len(r) {
					sbSet(b(c), string(r[:n]))
					return
				}
				b(c).B.WriteString(strings.Repeat("\x00", int(n)-len(r)))
			}},
		&Member{Name: "[]", Kind: Property, Result: u.Char,
			Get: func(c Call) Value {
				r := sbRunes(b(c))
				i := c.Int(0)
				if i < 0 || i >= len(r) {
					Throw(ExIndexRange, "Index was outside the bounds of the array.")
				}
				return Char(r[i])
			},
			Set: func(c Call, v Value) {
				r := sbRunes(b(c))
				i := c.Int(0)
				if i < 0 || i >= len(r) {
					Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')")
				}
				ch, ok := v.(Char)
				if !ok {
					ThrowCast(v, "System.Char")
				}
				r[i] = rune(ch)
				sbSet(b(c), string(r))
			}},
	)
}

func (u *Lib) buildStringReaderMore() {
	sr := u.X.StrReader
	r := func(c Call) *StringReader { return c.This.(*StringReader) }
	// next reads one character, -1 at the end.
	next := func(x *StringReader) rune {
		if x.Pos >= len(x.S) {
			return -1
		}
		ch, n := utf8.DecodeRuneInString(x.S[x.Pos:])
		x.Pos += n
		return ch
	}
	// block reads up to count characters into buffer[index:].
	block := func(c Call) Value {
		c.NotNull(0, "buffer")
		dst, ok := c.Args[0].(*Array)
		if !ok || dst.T != u.Char {
			ThrowCast(c.Args[0], "System.Char[]")
		}
		at, n := c.Int(1), c.Int(2)
		charRange(at, n, len(dst.Items), "index", "count")
		read := 0
		for read < n {
			ch := next(r(c))
			if ch < 0 {
				break
			}
			dst.Items[at+read] = Char(ch)
			read++
		}
		return int32(read)
	}
	sr.add(
		meth("Read", 0, 3, u.Int, func(c Call) Value {
			if c.Has(0) {
				return block(c)
			}
			return int32(next(r(c)))
		}),
		meth("ReadBlock", 3, 3, u.Int, block),
		meth("Peek", 0, 0, u.Int, func(c Call) Value {
			x := r(c)
			if x.Pos >= len(x.S) {
				return int32(-1)
			}
			ch, _ := utf8.DecodeRuneInString(x.S[x.Pos:])
			return int32(ch)
		}),
	)
}

// bitConverterBytes returns the size bytes of the BitConverter.To...
// argument value (0) at startIndex (1), checking the range as BitConverter
// does.
func bitConverterBytes(c Call, size int) []byte {
	b := c.Bytes(0)
	i := c.Int(1)
	if i < 0 || i >= len(b) {
		Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'startIndex')")
	}
	if i > len(b)-size {
		Throw(ExArgument, "Destination array is not long enough to copy all the items in the collection. Check array index and length. (Parameter 'value')")
	}
	return b[i : i+size]
}

func (u *Lib) buildBitConverter() {
	bc := u.Types["BitConverter"]
	le := binary.LittleEndian
	at := bitConverterBytes
	to := func(name string, size int, res *Type, conv func([]byte) Value) *Member {
		return meth(name, 2, 2, res, func(c Call) Value { return conv(at(c, size)) })
	}
	bc.addStatic(
		meth("ToString", 1, 3, u.String, func(c Call) Value {
			c.NotNull(0, "value")
			b := c.Bytes(0)
			start, n := 0, len(b)
			if c.Has(1) {
				start = c.Int(1)
				if start < 0 || start >= len(b) && start > 0 {
					Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'startIndex')")
				}
				n = len(b) - start
			}
			if c.Has(2) {
				n = c.Int(2)
				if n < 0 {
					Throw(ExArgRange, "Value must be positive. (Parameter 'length')")
				}
				if start > len(b)-n {
					Throw(ExArgument, "Destination array is not long enough to copy all the items in the collection. Check array index and length.")
				}
			}
			parts := make([]string, n)
			for i, x := range b[start : start+n] {
				parts[i] = strings.ToUpper(hexString([]byte{x}))
			}
			return strings.Join(parts, "-")
		}),
		meth("GetBytes", 1, 1, u.Bytes, func(c Call) Value {
			switch x := c.Args[0].(type) {
			case bool:
				if x {
					return []byte{1}
				}
				return []byte{0}
			case Char:
				return le.AppendUint16(nil, uint16(x))
			case int32:
				return le.AppendUint32(nil, uint32(x))
			case int64:
				return le.AppendUint64(nil, uint64(x))
			case int16:
				return le.AppendUint16(nil, uint16(x))
			case uint16:
				return le.AppendUint16(nil, x)
			case uint32:
				return le.AppendUint32(nil, x)
			case uint64:
				return le.AppendUint64(nil, x)
			case float32:
				return le.AppendUint32(nil, math.Float32bits(x))
			case float64:
				return le.AppendUint64(nil, math.Float64bits(x))
			}
			ThrowCast(c.Args[0], "System.Int32")
			return nil
		}),
		to("ToBoolean", 1, u.Bool, func(b []byte) Value { return b[0] != 0 }),
		to("ToChar", 2, u.Char, func(b []byte) Value { return Char(le.Uint16(b)) }),
		to("ToInt16", 2, u.Short, func(b []byte) Value { return int16(le.Uint16(b)) }),
		to("ToUInt16", 2, u.UShort, func(b []byte) Value { return le.Uint16(b) }),
		to("ToInt32", 4, u.Int, func(b []byte) Value { return int32(le.Uint32(b)) }),
		to("ToUInt32", 4, u.UInt, func(b []byte) Value { return le.Uint32(b) }),
		to("ToInt64", 8, u.Long, func(b []byte) Value { return int64(le.Uint64(b)) }),
		to("ToUInt64", 8, u.ULong, func(b []byte) Value { return le.Uint64(b) }),
		to("ToSingle", 4, u.Single, func(b []byte) Value { return math.Float32frombits(le.Uint32(b)) }),
		to("ToDouble", 8, u.Double, func(b []byte) Value { return math.Float64frombits(le.Uint64(b)) }),
		meth("DoubleToInt64Bits", 1, 1, u.Long, func(c Call) Value { return int64(math.Float64bits(c.Float(0))) }),
		meth("DoubleToUInt64Bits", 1, 1, u.ULong, func(c Call) Value { return math.Float64bits(c.Float(0)) }),
		meth("Int64BitsToDouble", 1, 1, u.Double, func(c Call) Value { n, _ := AsInt64(c.Args[0]); return math.Float64frombits(uint64(n)) }),
		meth("UInt64BitsToDouble", 1, 1, u.Double, func(c Call) Value { n, _ := AsInt64(c.Args[0]); return math.Float64frombits(uint64(n)) }),
		meth("SingleToInt32Bits", 1, 1, u.Int, func(c Call) Value { return int32(math.Float32bits(float32(c.Float(0)))) }),
		meth("SingleToUInt32Bits", 1, 1, u.UInt, func(c Call) Value { return math.Float32bits(float32(c.Float(0))) }),
		meth("Int32BitsToSingle", 1, 1, u.Single, func(c Call) Value { n, _ := AsInt64(c.Args[0]); return math.Float32frombits(uint32(n)) }),
		meth("UInt32BitsToSingle", 1, 1, u.Single, func(c Call) Value { n, _ := AsInt64(c.Args[0]); return math.Float32frombits(uint32(n)) }),
	)
}

func (u *Lib) buildRandomMore() {
	rt := u.Random
	r := func(c Call) *Random { return c.This.(*Random) }
	rt.addStatic(prop("Shared", rt, func(Call) Value { return newRandom(0, false) }))
	rt.add(
		meth("NextInt64", 0, 2, u.Long, func(c Call) Value {
			switch len(c.Args) {
			case 1:
				hi, _ := AsInt64(c.Args[0])
				if hi < 0 {
					Throw(ExArgRange, "maxValue ('%d') must be a non-negative value. (Parameter 'maxValue')", hi)
				}
				return r(c).nextInt64Range(0, hi)
			case 2:
				lo, _ := AsInt64(c.Args[0])
				hi, _ := AsInt64(c.Args[1])
				if lo > hi {
					Throw(ExArgRange, "minValue ('%d') must be less than or equal to maxValue. (Parameter 'minValue')", lo)
				}
				return r(c).nextInt64Range(lo, hi)
			}
			return r(c).nextInt64()
		}),
		meth("NextSingle", 0, 0, u.Single, func(c Call) Value { return r(c).nextSingle() }),
		meth("GetHexString", 1, 2, u.String, func(c Call) Value {
			n := c.Int(0)
			if n < 0 {
				Throw(ExArgRange, "stringLength ('%d') must be a non-negative value. (Parameter 'stringLength')", n)
			}
			digits := "0123456789ABCDEF"
			if c.Has(1) && c.Bool(1) {
				digits = "0123456789abcdef"
			}
			out := make([]byte, n)
			for i := range out {
				out[i] = digits[r(c).nextN(16)]
			}
			return string(out)
		}),
		&Member{Name: "GetItems", Kind: Method, Min: 2, Max: 2, TArgs: 0, Fn: func(c Call) Value {
			c.NotNull(0, "choices")
			n := c.Int(1)
			if n < 0 {
				Throw(ExArgRange, "length ('%d') must be a non-negative value. (Parameter 'length')", n)
			}
			if b, ok := c.Args[0].([]byte); ok {
				if len(b) == 0 {
					Throw(ExArgument, "The value cannot be an empty span. (Parameter 'choices')")
				}
				out := make([]byte, n)
				for i := range out {
					out[i] = b[r(c).nextN(int32(len(b)))]
				}
				return out
			}
			a, ok := c.Args[0].(*Array)
			if !ok {
				ThrowCast(c.Args[0], "System.Array")
			}
			if len(a.Items) == 0 {
				Throw(ExArgument, "The value cannot be an empty span. (Parameter 'choices')")
			}
			out := make([]Value, n)
			for i := range out {
				out[i] = a.Items[r(c).nextN(int32(len(a.Items)))]
			}
			return &Array{T: a.T, Items: out}
		}, ResultOf: func(_ *Type, args []*Type, _ []*Type) *Type { return args[0] }},
		meth("Shuffle", 1, 1, u.Void, func(c Call) Value {
			c.NotNull(0, "values")
			if b, ok := c.Args[0].([]byte); ok {
				r(c).shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
				return nil
			}
			a, ok := c.Args[0].(*Array)
			if !ok {
				ThrowCast(c.Args[0], "System.Array")
			}
			r(c).shuffle(len(a.Items), func(i, j int) { a.Items[i], a.Items[j] = a.Items[j], a.Items[i] })
			return nil
		}),
	)
}

func (u *Lib) buildExceptionMore() {
	ex := u.Exception
	newEx := ex.New
	ex.New = func(c Call) Value {
		e := newEx(c).(*Exception)
		if in, ok := c.Arg(1).(*Exception); ok {
			e.Inner = in
		}
		return e
	}
	ex.add(
		meth("ToString", 0, 0, u.String, func(c Call) Value { return exceptionText(c.This.(*Exception)) }),
		meth("GetBaseException", 0, 0, ex, func(c Call) Value {
			e := c.This.(*Exception)
			for e.Inner != nil {
				e = e.Inner
			}
			return e
		}),
	)
}

// exceptionText is Exception.ToString() of an exception that was never
// thrown: the type, the message and the inner exception (a thrown one
// adds .NET's stack trace, which tollgate does not have).
func exceptionText(e *Exception) string {
	s := e.Type
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Inner != nil {
		s += "\r\n ---> " + exceptionText(e.Inner) + "\r\n   --- End of inner exception stack trace ---"
	}
	return s
}

// DotnetString implements Stringer: string concatenation and
// interpolation print an exception as its ToString() does.
func (e *Exception) DotnetString() string { return exceptionText(e) }

func (u *Lib) buildStringComparerMore() {
	sc := u.Types["StringComparer"]
	sct := u.StringComparison
	sc.addStatic(
		meth("FromComparison", 1, 1, sc, func(c Call) Value {
			e, ok := c.Args[0].(Enum)
			if !ok || e.T != sct {
				ThrowCast(c.Args[0], "System.StringComparison")
			}
			for n, v := range sct.EnumValues {
				if v == e.V {
					return Enum{T: sc, V: v, Name: n}
				}
			}
			Throw(ExArgument, "The string comparison type passed in is currently not supported. (Parameter 'comparisonType')")
			return nil
		}),
		&Member{Name: "IsWellKnownOrdinalComparer", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			e, ok := c.Args[0].(Enum)
			if ok && e.T == sc && strings.HasPrefix(e.Name, "Ordinal") {
				c.Args[1] = e.Name == "OrdinalIgnoreCase"
				return true
			}
			c.Args[1] = false
			return false
		}},
	)
	sc.add(meth("GetHashCode", 0, 1, u.Int, func(c Call) Value {
		if !c.Has(0) {
			return int32(c.This.(Enum).V)
		}
		c.NotNull(0, "obj")
		s := c.Str(0)
		if strings.HasSuffix(c.This.(Enum).Name, "IgnoreCase") {
			s = strings.ToUpper(s)
		}
		h := fnv.New32a()
		h.Write([]byte(s))
		return int32(h.Sum32())
	}))
}

// webURLSafe reports whether WebUtility.UrlEncode leaves b as it is.
func webURLSafe(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("-_.!*()", b) >= 0
}

// webURLEncode is WebUtility.UrlEncode on bytes: space becomes +, unsafe
// bytes %XX in upper case.
func webURLEncode(b []byte) []byte {
	const hex = "0123456789ABCDEF"
	var out []byte
	for _, x := range b {
		switch {
		case x == ' ':
			out = append(out, '+')
		case webURLSafe(x):
			out = append(out, x)
		default:
			out = append(out, '%', hex[x>>4], hex[x&15])
		}
	}
	return out
}

// webURLDecode is WebUtility.UrlDecode on bytes: + becomes space, valid
// %XX escapes their byte; anything else stays as it is.
func webURLDecode(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		switch x := b[i]; {
		case x == '+':
			out = append(out, ' ')
		case x == '%' && i+2 < len(b):
			hi, ok1 := unhexDigit(b[i+1])
			lo, ok2 := unhexDigit(b[i+2])
			if ok1 && ok2 {
				out = append(out, hi<<4|lo)
				i += 2
				continue
			}
			out = append(out, x)
		default:
			out = append(out, x)
		}
	}
	return out
}

func unhexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (u *Lib) buildWebUtilityMore() {
	w := u.Types["WebUtility"]
	// bytes returns the (offset, count) range of a byte[] argument, or nil
	// for a null array with an empty range.
	bytes := func(c Call) []byte {
		if c.IsNull(0) {
			if c.Int(1) != 0 || c.Int(2) != 0 {
				c.NotNull(0, "bytes")
			}
			return nil
		}
		b := c.Bytes(0)
		off, n := c.Int(1), c.Int(2)
		if off < 0 || off > len(b) {
			Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'offset')")
		}
		if n < 0 || off+n > len(b) {
			Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'count')")
		}
		return b[off : off+n]
	}
	// toWriter writes s to the TextWriter argument 1 (a StringWriter).
	toWriter := func(c Call, s Value) Value {
		c.NotNull(1, "output")
		sw, ok := c.Args[1].(*StringWriter)
		if !ok {
			ThrowCast(c.Args[1], "System.IO.TextWriter")
		}
		if s != nil {
			sw.SB.B.WriteString(s.(string))
		}
		return nil
	}
	encode, decode := w.Statics["HtmlEncode"].Fn, w.Statics["HtmlDecode"].Fn
	w.addStatic(
		meth("UrlEncode", 1, 1, u.String, func(c Call) Value {
			if c.IsNull(0) {
				return nil
			}
			return string(webURLEncode([]byte(c.Str(0))))
		}),
		meth("UrlDecode", 1, 1, u.String, func(c Call) Value {
			if c.IsNull(0) {
				return nil
			}
			return strings.ToValidUTF8(string(webURLDecode([]byte(c.Str(0)))), "\uFFFD")
		}),
		meth("UrlEncodeToBytes", 3, 3, u.Bytes, func(c Call) Value {
			b := bytes(c)
			if b == nil && c.IsNull(0) {
				return nil
			}
			return append([]byte{}, webURLEncode(b)...)
		}),
		meth("UrlDecodeToBytes", 3, 3, u.Bytes, func(c Call) Value {
			b := bytes(c)
			if b == nil && c.IsNull(0) {
				return nil
			}
			return webURLDecode(b)
		}),
		meth("HtmlEncode", 1, 2, u.String, func(c Call) Value {
			if c.Has(1) {
				return toWriter(c, encode(Call{Fr: c.Fr, Args: c.Args[:1]}))
			}
			return encode(c)
		}),
		meth("HtmlDecode", 1, 2, u.String, func(c Call) Value {
			if c.Has(1) {
				return toWriter(c, decode(Call{Fr: c.Fr, Args: c.Args[:1]}))
			}
			return decode(c)
		}),
	)
}

func (u *Lib) buildIPAddressMore() {
	t := u.Types["IPAddress"]
	ip := func(c Call) *IPAddress { return c.This.(*IPAddress) }
	// v6 returns the address's 16 bytes when it is an IPv6 address.
	v6 := func(c Call) ([16]byte, bool) {
		a := ip(c).A
		return a.As16(), a.Is6()
	}
	newIP := t.New
	t.New = func(c Call) Value {
		a := newIP(c).(*IPAddress)
		if c.Has(1) {
			// IPAddress(byte[] address, long scopeid)
			n, _ := AsInt64(c.Args[1])
			if n < 0 || n > math.MaxUint32 {
				Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'scopeid')")
			}
			if a.A.Is6() {
				a.A = a.A.WithZone(zoneOf(n))
			}
		}
		return a
	}
	t.add(
		prop("IsIPv6Multicast", u.Bool, func(c Call) Value { b, ok := v6(c); return ok && b[0] == 0xff }),
		prop("IsIPv6SiteLocal", u.Bool, func(c Call) Value { b, ok := v6(c); return ok && b[0] == 0xfe && b[1]&0xc0 == 0xc0 }),
		prop("IsIPv6UniqueLocal", u.Bool, func(c Call) Value { b, ok := v6(c); return ok && b[0]&0xfe == 0xfc }),
		prop("IsIPv6Teredo", u.Bool, func(c Call) Value {
			b, ok := v6(c)
			return ok && b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0
		}),
		&Member{Name: "ScopeId", Kind: Property, Result: u.Long,
			Get: func(c Call) Value {
				a := ip(c).A
				if !a.Is6() {
					Throw("System.Net.Sockets.SocketException", "The attempted operation is not supported for the type of object referenced.")
				}
				n, _ := strconv.ParseInt(a.Zone(), 10, 64)
				return n
			},
			Set: func(c Call, v Value) {
				a := ip(c).A
				if !a.Is6() {
					Throw("System.Net.Sockets.SocketException", "The attempted operation is not supported for the type of object referenced.")
				}
				n, _ := AsInt64(v)
				if n < 0 || n > math.MaxUint32 {
					Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'value')")
				}
				ip(c).A = a.WithZone(zoneOf(n))
			}},
		&Member{Name: "Address", Kind: Property, Result: u.Long,
			Get: func(c Call) Value {
				a := ip(c).A
				if !a.Is4() {
					Throw("System.Net.Sockets.SocketException", "The attempted operation is not supported for the type of object referenced.")
				}
				b := a.As4()
				return int64(binary.LittleEndian.Uint32(b[:]))
			},
			Set: func(c Call, v Value) {
				if !ip(c).A.Is4() {
					Throw("System.Net.Sockets.SocketException", "The attempted operation is not supported for the type of object referenced.")
				}
				n, _ := AsInt64(v)
				if n < 0 || n > math.MaxUint32 {
					Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'value')")
				}
				ip(c).A = netip.AddrFrom4([4]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})
			}},
	)
}

// zoneOf is the zone text of an IPv6 scope id: none for 0.
func zoneOf(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// NewLine returns the line terminator WriteLine writes.
func (w *StringWriter) NewLine() string {
	if w.NL == "" {
		return "\r\n"
	}
	return w.NL
}

func (u *Lib) buildStringWriterMore() {
	sw := u.Types["StringWriter"]
	w := func(c Call) *StringWriter { return c.This.(*StringWriter) }
	// Write(char[] buffer, int index, int count) and WriteLine with the same
	// arguments write part of the array; the other overloads are the first
	// builder's.
	for _, name := range []string{"Write", "WriteLine"} {
		m := sw.Members[name]
		inner, line := m.Fn, name == "WriteLine"
		m.Fn = func(c Call) Value {
			if f, ok := c.Arg(0).(string); ok && len(c.Args) == 2 {
				// Write(string format, params object?[] arg) given an object[]
				if a, ok := c.Args[1].(*Array); ok && a.T == u.Object {
					w(c).SB.B.WriteString(Format(f, a.Items))
					if line {
						w(c).SB.B.WriteString(w(c).NewLine())
					}
					return nil
				}
			}
			if len(c.Args) == 3 {
				if r, ok := u.charItems(c.Args[0]); ok {
					at, n := c.Int(1), c.Int(2)
					charRange(at, n, len(r), "index", "count")
					w(c).SB.B.WriteString(string(r[at : at+n]))
					if line {
						w(c).SB.B.WriteString(w(c).NewLine())
					}
					return nil
				}
			}
			return inner(c)
		}
	}
	sw.add(&Member{Name: "NewLine", Kind: Property, Result: u.String,
		Get: func(c Call) Value { return w(c).NewLine() },
		Set: func(c Call, v Value) {
			s, _ := v.(string)
			if s == "" {
				// null restores the default, "\r\n"
				w(c).NL = ""
				return
			}
			w(c).NL = s
		}})
}
