package value

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf16"

	"github.com/tollgate/tollgate/internal/dotnet"
	"github.com/tollgate/tollgate/internal/jsonx"
)

// buildValues adds the .NET 7+ generic-math statics of double, float and
// decimal (double.Sqrt, decimal.Max, ...), their constants and
// classification predicates, and the char statics beyond the common ones.
func (u *Lib) buildValues() {
	math_ := u.Types["Math"]
	sgl := u.Types["float"]
	if math_ == nil || sgl == nil {
		return
	}
	// fromMath makes the static name of t that calls Math's member of that
	// name with its first n arguments converted to t: double.Sqrt(x) is
	// Math.Sqrt((double)x), float.Round(x) is (float)Math.Round((double)x).
	fromMath := func(t, res *Type, name string, minArgs, maxArgs, n int) *Member {
		m := math_.Statics[name]
		if m == nil || m.Fn == nil {
			return nil
		}
		return meth(name, minArgs, maxArgs, res, func(c Call) Value {
			args := append([]Value(nil), c.Args...)
			for i := 0; i < n && i < len(args); i++ {
				switch t {
				case u.Decimal:
					d, ok := toDecimal(args[i])
					if !ok {
						ThrowCast(args[i], "System.Decimal")
					}
					args[i] = d
				default:
					args[i] = c.Float(i)
				}
			}
			c.Args = args
			r := m.Fn(c)
			if f, ok := r.(float64); ok && t == sgl {
				return float32(f)
			}
			return r
		})
	}
	addMath := func(t *Type, names ...string) {
		arity := map[string][3]int{
			"Round": {1, 3, 1}, "Clamp": {3, 3, 3}, "CopySign": {2, 2, 2}, "Max": {2, 2, 2}, "Min": {2, 2, 2},
			"MaxMagnitude": {2, 2, 2}, "MinMagnitude": {2, 2, 2}, "Pow": {2, 2, 2}, "Log": {1, 2, 2},
			"Atan2": {2, 2, 2}, "FusedMultiplyAdd": {3, 3, 3},
		}
		for _, name := range names {
			a, ok := arity[name]
			if !ok {
				a = [3]int{1, 1, 1}
			}
			res := t
			if name == "Sign" {
				res = u.Int
			}
			if m := fromMath(t, res, name, a[0], a[1], a[2]); m != nil {
				t.addStatic(m)
			}
		}
	}
	floating := []string{"Abs", "Ceiling", "Floor", "Round", "Truncate", "Clamp", "CopySign", "Max", "Min",
		"MaxMagnitude", "MinMagnitude", "Sign", "Sqrt", "Pow", "Log", "Log2", "Log10", "Exp", "Cbrt",
		"Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Tanh", "Atan2", "FusedMultiplyAdd"}
	addMath(u.Double, floating...)
	addMath(sgl, floating...)
	addMath(u.Decimal, "Abs", "Clamp", "Max", "Min", "Sign")

	isInteger := func(x float64) bool { return !math.IsInf(x, 0) && x == math.Trunc(x) }
	// float predicates: name, double version; the float versions test the
	// argument converted to float
	preds := []struct {
		name string
		f    func(x float64, single bool) bool
	}{
		{"IsNegative", func(x float64, _ bool) bool { return math.Signbit(x) }},
		{"IsInteger", func(x float64, _ bool) bool { return isInteger(x) }},
		{"IsEvenInteger", func(x float64, _ bool) bool { return isInteger(x) && math.Mod(x, 2) == 0 }},
		{"IsOddInteger", func(x float64, _ bool) bool { return isInteger(x) && math.Abs(math.Mod(x, 2)) == 1 }},
		{"IsNormal", func(x float64, single bool) bool {
			least := 0x1p-1022
			if single {
				least = 0x1p-126
			}
			return !math.IsInf(x, 0) && !math.IsNaN(x) && math.Abs(x) >= least
		}},
		{"IsSubnormal", func(x float64, single bool) bool {
			least := 0x1p-1022
			if single {
				least = 0x1p-126
			}
			return x != 0 && math.Abs(x) < least
		}},
		{"IsPow2", func(x float64, _ bool) bool {
			frac, _ := math.Frexp(x)
			return x > 0 && !math.IsInf(x, 0) && frac == 0.5
		}},
		{"IsFinite", func(x float64, _ bool) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }},
		{"IsPositiveInfinity", func(x float64, _ bool) bool { return math.IsInf(x, 1) }},
		{"IsNegativeInfinity", func(x float64, _ bool) bool { return math.IsInf(x, -1) }},
	}
	for _, p := range preds {
		f := p.f
		if u.Double.Statics[p.name] == nil {
			u.Double.addStatic(meth(p.name, 1, 1, u.Bool, func(c Call) Value { return f(c.Float(0), false) }))
		}
		if sgl.Statics[p.name] == nil {
			sgl.addStatic(meth(p.name, 1, 1, u.Bool, func(c Call) Value { return f(float64(float32(c.Float(0))), true) }))
		}
	}
	u.Double.addStatic(
		prop("Pi", u.Double, func(Call) Value { return math.Pi }),
		prop("E", u.Double, func(Call) Value { return math.E }),
		prop("Tau", u.Double, func(Call) Value { return 2 * math.Pi }),
		prop("NegativeZero", u.Double, func(Call) Value { return math.Copysign(0, -1) }),
		meth("Hypot", 2, 2, u.Double, func(c Call) Value { return math.Hypot(c.Float(0), c.Float(1)) }),
	)
	sgl.addStatic(
		prop("Pi", sgl, func(Call) Value { return float32(math.Pi) }),
		prop("E", sgl, func(Call) Value { return float32(math.E) }),
		prop("Tau", sgl, func(Call) Value { return float32(2 * math.Pi) }),
		prop("NegativeZero", sgl, func(Call) Value { return float32(math.Copysign(0, -1)) }),
	)

	// double.Equals and float.Equals hold for NaN and NaN (the == operator
	// does not)
	nanEquals := func(c Call) Value {
		isNaN := func(v Value) bool {
			switch x := v.(type) {
			case float64:
				return math.IsNaN(x)
			case float32:
				return math.IsNaN(float64(x))
			}
			return false
		}
		// a float argument of double.Equals converts to double; a double
		// one of float.Equals binds Equals(object)
		_, single := c.This.(float32)
		_, double := c.Args[0].(float64)
		if isNaN(c.This) && isNaN(c.Args[0]) && !(single && double) {
			return true
		}
		return Equals(c.This, c.Args[0])
	}
	u.Double.add(meth("Equals", 1, 1, u.Bool, nanEquals))
	sgl.add(meth("Equals", 1, 1, u.Bool, nanEquals))
	if code := u.Types["TypeCode"]; code != nil {
		for t, name := range map[*Type]string{u.Double: "Double", sgl: "Single", u.Decimal: "Decimal", u.Bool: "Boolean", u.Char: "Char"} {
			tc := Enum{T: code, V: typeCodes[name], Name: name}
			t.add(meth("GetTypeCode", 0, 0, code, func(Call) Value { return tc }))
		}
	}

	// decimal
	dec := func(c Call, i int) dotnet.Decimal {
		d, ok := toDecimal(c.Args[i])
		if !ok {
			ThrowCast(c.Args[i], "System.Decimal")
		}
		return d
	}
	decInteger := func(d dotnet.Decimal) bool { return d.Truncate().Cmp(d) == 0 }
	decOdd := func(d dotnet.Decimal) bool {
		r, _ := decimalArith("%", d, dotnet.DecimalFromInt64(2)).(dotnet.Decimal)
		return !r.IsZero()
	}
	u.Decimal.addStatic(
		meth("IsInteger", 1, 1, u.Bool, func(c Call) Value { return decInteger(dec(c, 0)) }),
		meth("IsEvenInteger", 1, 1, u.Bool, func(c Call) Value { d := dec(c, 0); return decInteger(d) && !decOdd(d) }),
		meth("IsOddInteger", 1, 1, u.Bool, func(c Call) Value { d := dec(c, 0); return decInteger(d) && decOdd(d) }),
		meth("IsNegative", 1, 1, u.Bool, func(c Call) Value { return dec(c, 0).Sign() < 0 }),
		meth("ToSingle", 1, 1, sgl, func(c Call) Value { return float32(dec(c, 0).Float64()) }),
	)

	// char
	units := func(c Call) (uint16, []uint16, int) {
		if len(c.Args) == 2 {
			us := utf16.Encode([]rune(c.Str(0)))
			i := c.Int(1)
			if i < 0 || i >= len(us) {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')")
			}
			return us[i], us, i
		}
		ch, ok := c.Args[0].(Char)
		if !ok {
			ThrowCast(c.Args[0], "System.Char")
		}
		return uint16(ch), nil, 0
	}
	unitPred := func(f func(uint16) bool) func(c Call) Value {
		return func(c Call) Value { x, _, _ := units(c); return f(x) }
	}
	high := func(x uint16) bool { return x >= 0xD800 && x <= 0xDBFF }
	low := func(x uint16) bool { return x >= 0xDC00 && x <= 0xDFFF }
	ascii := func(f func(r rune) bool) func(c Call) Value {
		return charPred(u, func(r rune) bool { return r < 0x80 && f(r) })
	}
	// char.CompareTo returns the difference of the code units, as .NET does
	u.Char.add(meth("CompareTo", 1, 1, u.Int, func(c Call) Value {
		if c.IsNull(0) {
			return int32(1)
		}
		b, ok := c.Args[0].(Char)
		if !ok {
			Throw(ExArgument, "Object must be of type Char.")
		}
		return int32(uint16(c.This.(Char))) - int32(uint16(b))
	}))
	u.Char.addStatic(
		prop("MaxValue", u.Char, func(Call) Value { return Char(0xFFFF) }),
		prop("MinValue", u.Char, func(Call) Value { return Char(0) }),
		meth("IsSurrogate", 1, 2, u.Bool, unitPred(func(x uint16) bool { return high(x) || low(x) })),
		meth("IsHighSurrogate", 1, 2, u.Bool, unitPred(high)),
		meth("IsLowSurrogate", 1, 2, u.Bool, unitPred(low)),
		meth("IsSurrogatePair", 2, 2, u.Bool, func(c Call) Value {
			if _, ok := c.Args[0].(Char); ok {
				a, _ := c.Args[0].(Char)
				b, ok := c.Args[1].(Char)
				if !ok {
					ThrowCast(c.Args[1], "System.Char")
				}
				return high(uint16(a)) && low(uint16(b))
			}
			x, us, i := units(c)
			return high(x) && i+1 < len(us) && low(us[i+1])
		}),
		meth("IsAsciiLetterLower", 1, 1, u.Bool, ascii(func(r rune) bool { return r >= 'a' && r <= 'z' })),
		meth("IsAsciiLetterUpper", 1, 1, u.Bool, ascii(func(r rune) bool { return r >= 'A' && r <= 'Z' })),
		meth("IsAsciiLetterOrDigit", 1, 1, u.Bool, ascii(func(r rune) bool {
			return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		})),
		meth("IsAsciiHexDigitLower", 1, 1, u.Bool, ascii(func(r rune) bool { return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' })),
		meth("IsAsciiHexDigitUpper", 1, 1, u.Bool, ascii(func(r rune) bool { return r >= '0' && r <= '9' || r >= 'A' && r <= 'F' })),
		meth("IsBetween", 3, 3, u.Bool, func(c Call) Value {
			var v [3]Char
			for i := range v {
				ch, ok := c.Args[i].(Char)
				if !ok {
					ThrowCast(c.Args[i], "System.Char")
				}
				v[i] = ch
			}
			return v[0] >= v[1] && v[0] <= v[2]
		}),
		meth("ConvertFromUtf32", 1, 1, u.String, func(c Call) Value {
			n := c.Int(0)
			if n < 0 || n > 0x10FFFF || n >= 0xD800 && n <= 0xDFFF {
				Throw(ExArgRange, "A valid UTF32 value is between 0x000000 and 0x10ffff, inclusive, and should not include surrogate codepoint values (0x00d800 ~ 0x00dfff). (Parameter 'utf32')")
			}
			return string(rune(n))
		}),
		meth("ConvertToUtf32", 2, 2, u.Int, func(c Call) Value {
			var hi, lo uint16
			if a, ok := c.Args[0].(Char); ok {
				b, ok := c.Args[1].(Char)
				if !ok {
					ThrowCast(c.Args[1], "System.Char")
				}
				hi, lo = uint16(a), uint16(b)
				if !high(hi) {
					Throw(ExArgRange, "Found a low surrogate char without a preceding high surrogate at index: 0. The input may not be in this encoding, or may not contain valid Unicode (UTF-16) characters. (Parameter 'highSurrogate')")
				}
				if !low(lo) {
					Throw(ExArgRange, "Found a high surrogate char without a following low surrogate at index: 0. The input may not be in this encoding, or may not contain valid Unicode (UTF-16) characters. (Parameter 'lowSurrogate')")
				}
			} else {
				x, us, i := units(c)
				if !high(x) && !low(x) {
					return int32(x)
				}
				if !high(x) || i+1 >= len(us) || !low(us[i+1]) {
					Throw(ExArgument, "Found an invalid surrogate pair at index %d. (Parameter 's')", i)
				}
				hi, lo = x, us[i+1]
			}
			return int32(utf16.DecodeRune(rune(hi), rune(lo)))
		}),
	)
	u.buildEnumValues()
	u.buildJSONExtensions()
	u.buildGuidValues()
	u.buildValuesMore() // lib_values_more.go
}

// formatEnum formats the enum value e as Enum.ToString(format) does.
func formatEnum(e Enum, format string) string {
	switch format {
	case "", "G", "g":
		return EnumOf(e.T, e.V).Name
	case "D", "d":
		return strconv.FormatInt(e.V, 10)
	case "X", "x":
		return fmt.Sprintf("%08X", uint32(e.V))
	case "F", "f":
		flags := *e.T
		flags.Flags = true
		return EnumOf(&flags, e.V).Name
	}
	Throw(ExFormat, "Format string can be only \"G\", \"g\", \"X\", \"x\", \"F\", \"f\", \"D\" or \"d\".")
	return ""
}

// buildEnumValues adds Enum.GetName, GetValues and Format, and the instance
// members ToString(format), HasFlag, CompareTo and GetTypeCode of the enum
// types.
func (u *Lib) buildEnumValues() {
	et := u.Types["Enum"]
	code := u.Types["TypeCode"]
	if et == nil || code == nil {
		return
	}
	enumType := u.enumTypeArg
	// valueOf reads v as a value of enum type t: a member of t or an integer.
	valueOf := func(t *Type, v Value) int64 {
		if v == nil {
			Throw(ExArgNull, "Value cannot be null. (Parameter 'value')")
		}
		if e, ok := v.(Enum); ok {
			if e.T != t {
				Throw(ExArgument, "Object must be the same type as the enum. The type passed in was '%s'; the enum type was '%s'.", e.T.FullName, t.FullName)
			}
			return e.V
		}
		n, ok := AsInt64(v)
		if !ok {
			Throw(ExArgument, "Enum underlying type and the object must be same type or object. Type passed in was '%s'; the enum underlying type was 'System.Int32'.", TypeName(v))
		}
		return n
	}
	sorted := func(t *Type) []Value {
		vals := make([]Value, 0, len(t.EnumValues))
		for name, v := range t.EnumValues {
			vals = append(vals, Enum{T: t, V: v, Name: name})
		}
		sort.Slice(vals, func(i, j int) bool {
			a, b := vals[i].(Enum), vals[j].(Enum)
			return uint64(a.V) < uint64(b.V) || a.V == b.V && a.Name < b.Name
		})
		return vals
	}
	et.addStatic(
		&Member{Name: "GetName", Kind: Method, Min: 1, Max: 2, Result: u.String, Fn: func(c Call) Value {
			var t *Type
			var v Value
			if len(c.Args) == 2 {
				t, v = enumType(c, 0), c.Args[1]
			} else {
				e, ok := c.Args[0].(Enum)
				if !ok {
					ThrowCast(c.Args[0], "System.Enum")
				}
				t, v = e.T, e
			}
			n := valueOf(t, v)
			for name, x := range t.EnumValues {
				if x == n {
					return name
				}
			}
			return nil
		}},
		&Member{Name: "GetValues", Kind: Method, Min: 0, Max: 1, Fn: func(c Call) Value {
			t := c.TArg(0)
			if t == nil {
				t = enumType(c, 0)
			} else if t.EnumValues == nil {
				Throw(ExArgument, "Type provided must be an Enum. (Parameter 'TEnum')")
			}
			return &Array{T: t, Items: sorted(t)}
		}, ResultOf: func(_ *Type, _ []*Type, targs []*Type) *Type {
			if len(targs) > 0 {
				return u.ArrayOf(targs[0])
			}
			return u.ArrayOf(u.Object)
		}},
		meth("Format", 3, 3, u.String, func(c Call) Value {
			t := enumType(c, 0)
			c.NotNull(2, "format")
			return formatEnum(Enum{T: t, V: valueOf(t, c.Args[1])}, c.Str(2))
		}),
	)
	// the generic forms GetNames<TEnum>() and IsDefined<TEnum>(value), and
	// TryParse<TEnum>(value, ignoreCase, out result)
	if old := et.Statics["GetNames"]; old != nil {
		cp := *old
		cp.Min = 0
		cp.Fn = func(c Call) Value {
			if t := c.TArg(0); t != nil && len(c.Args) == 0 {
				if t.EnumValues == nil {
					Throw(ExArgument, "Type provided must be an Enum. (Parameter 'TEnum')")
				}
				return old.Fn(Call{Fr: c.Fr, Args: []Value{&TypeValue{Name: t.Name}}})
			}
			return old.Fn(c)
		}
		et.addStatic(&cp)
	}
	if old := et.Statics["IsDefined"]; old != nil {
		cp := *old
		cp.Min = 1
		// a value of the enum type is defined when a member has it
		// (IsDefined(typeof(DayOfWeek), (DayOfWeek)9) is false)
		cp.Fn = func(c Call) Value {
			var t *Type
			if len(c.Args) == 1 {
				e, ok := c.Args[0].(Enum)
				if !ok {
					ThrowCast(c.Args[0], "System.Enum")
				}
				t = e.T
			} else if e, ok := c.Args[1].(Enum); ok {
				t = enumType(c, 0)
				if e.T != t {
					Throw(ExArgument, "Object must be the same type as the enum. The type passed in was '%s'; the enum type was '%s'.", e.T.FullName, t.FullName)
				}
			} else {
				return old.Fn(c)
			}
			n := c.Args[len(c.Args)-1].(Enum).V
			for _, v := range t.EnumValues {
				if v == n {
					return true
				}
			}
			return false
		}
		et.addStatic(&cp)
	}
	if old := et.Statics["TryParse"]; old != nil && old.Max == 2 {
		cp := *old
		cp.Max, cp.Out = 3, []int{-1}
		et.addStatic(&cp)
	}
	tc := Enum{T: code, V: typeCodes["Int32"], Name: "Int32"}
	for _, t := range u.Types {
		if t.EnumValues == nil {
			continue
		}
		t.add(
			meth("ToString", 0, 1, u.String, func(c Call) Value {
				e := c.This.(Enum)
				if c.IsNull(0) {
					return formatEnum(e, "")
				}
				return formatEnum(e, c.Str(0))
			}),
			meth("HasFlag", 1, 1, u.Bool, func(c Call) Value {
				e := c.This.(Enum)
				c.NotNull(0, "flag")
				f, ok := c.Args[0].(Enum)
				if !ok || f.T != e.T {
					Throw(ExArgument, "The argument type, '%s', is not the same as the enum type '%s'.", TypeName(c.Args[0]), e.T.FullName)
				}
				return e.V&f.V == f.V
			}),
			meth("CompareTo", 1, 1, u.Int, func(c Call) Value {
				e := c.This.(Enum)
				if c.IsNull(0) {
					return int32(1)
				}
				f, ok := c.Args[0].(Enum)
				if !ok || f.T != e.T {
					Throw(ExArgument, "Object must be the same type as the enum. The type passed in was '%s'; the enum type was '%s'.", TypeName(c.Args[0]), e.T.FullName)
				}
				switch {
				case e.V < f.V:
					return int32(-1)
				case e.V > f.V:
					return int32(1)
				}
				return int32(0)
			}),
			meth("GetTypeCode", 0, 0, code, func(Call) Value { return tc }),
		)
	}
}

// buildJSONExtensions adds the extension methods of
// Newtonsoft.Json.Linq.Extensions to the sequences, lists and arrays of
// tokens: each applies the token's member to every token of the sequence.
func (u *Lib) buildJSONExtensions() {
	jt := u.JToken
	if jt == nil || jt.Members["[]"] == nil {
		return
	}
	index := jt.Members["[]"].Get
	eachTok := func(c Call, fn func(t *jsonx.Token)) {
		Each(c.This, func(v Value) bool {
			t, ok := v.(*jsonx.Token)
			if !ok || t == nil {
				Throw(ExArgNull, "Value cannot be null. (Parameter 'source')")
			}
			fn(t)
			return true
		})
	}
	flat := func(res *Type, fn func(t *jsonx.Token) []*jsonx.Token) func(c Call) Value {
		return func(c Call) Value {
			var out []*jsonx.Token
			eachTok(c, func(t *jsonx.Token) { out = append(out, fn(t)...) })
			return tokensSeq(u, out, res)
		}
	}
	// convert is Extensions.Convert<JToken, U>: the token itself, or its
	// value as U.
	convert := func(t *jsonx.Token, to *Type) Value {
		if to == nil || to == jt || to.Base == jt || to.Base != nil && to.Base.Base == jt {
			return t
		}
		return tokenTo(t, to, true)
	}
	ancestors := func(self bool) func(t *jsonx.Token) []*jsonx.Token {
		return func(t *jsonx.Token) []*jsonx.Token {
			var out []*jsonx.Token
			if !self {
				t = t.Parent()
			}
			for ; t != nil; t = t.Parent() {
				out = append(out, t)
			}
			return out
		}
	}
	seqOfTArg := func(i int) func(_ *Type, _, ta []*Type) *Type {
		return func(_ *Type, _, ta []*Type) *Type {
			if len(ta) > i {
				return u.SeqOf(ta[i])
			}
			return u.SeqOf(jt)
		}
	}
	ext := []*Member{
		meth("Ancestors", 0, 0, u.SeqOf(jt), flat(jt, ancestors(false))),
		meth("AncestorsAndSelf", 0, 0, u.SeqOf(jt), flat(jt, ancestors(true))),
		meth("Descendants", 0, 0, u.SeqOf(jt), flat(jt, func(t *jsonx.Token) []*jsonx.Token { return descendants(t, nil) })),
		meth("DescendantsAndSelf", 0, 0, u.SeqOf(jt), flat(jt, func(t *jsonx.Token) []*jsonx.Token {
			return descendants(t, []*jsonx.Token{t})
		})),
		meth("Properties", 0, 0, u.SeqOf(u.JProperty), flat(u.JProperty, func(t *jsonx.Token) []*jsonx.Token { return t.Properties() })),
		// Values(key) reads token[key] of each token, skipping nulls;
		// Values() the children of each container and each value itself.
		&Member{Name: "Values", Kind: Method, Min: 0, Max: 1, Fn: func(c Call) Value {
			to := c.TArg(0)
			var out []Value
			eachTok(c, func(t *jsonx.Token) {
				switch {
				case len(c.Args) == 1 && c.Args[0] != nil:
					if v, ok := index(Call{Fr: c.Fr, This: t, Args: c.Args}).(*jsonx.Token); ok && v != nil {
						out = append(out, convert(v, to))
					}
				case t.IsValue():
					out = append(out, convert(t, to))
				default:
					for _, ch := range t.Children() {
						out = append(out, convert(ch, to))
					}
				}
			})
			if to == nil {
				to = jt
			}
			return &Seq{T: to, Items: out}
		}, ResultOf: seqOfTArg(0)},
		// Children() and Children<T, U>() (the children as U).
		&Member{Name: "Children", Kind: Method, Min: 0, Max: 0, Fn: func(c Call) Value {
			to := c.TArg(1)
			var out []Value
			eachTok(c, func(t *jsonx.Token) {
				for _, ch := range t.Children() {
					out = append(out, convert(ch, to))
				}
			})
			if to == nil {
				to = jt
			}
			return &Seq{T: to, Items: out}
		}, ResultOf: seqOfTArg(1)},
	}
	asJEnumerable := func(el *Type) *Member {
		return meth("AsJEnumerable", 0, 0, u.SeqOf(el), func(c Call) Value {
			var out []Value
			Each(c.This, func(v Value) bool { out = append(out, v); return true })
			return &Seq{T: el, Items: out}
		})
	}
	for _, el := range []*Type{jt, u.Types["JContainer"], u.JObject, u.JArray, u.JProperty, u.Types["JValue"]} {
		if el == nil {
			continue
		}
		for _, t := range []*Type{u.SeqOf(el), u.ListOf(el), u.ArrayOf(el)} {
			for _, m := range append(ext, asJEnumerable(el)) {
				if t.Members[m.Name] == nil {
					t.add(m)
				}
			}
		}
	}
}

// buildGuidValues adds the Guid overloads taking an IFormatProvider (which
// Guid ignores) and ToByteArray(bigEndian).
func (u *Lib) buildGuidValues() {
	g := u.Guid
	parse, tryParse := g.Statics["Parse"], g.Statics["TryParse"]
	toString, toBytes := g.Members["ToString"], g.Members["ToByteArray"]
	if parse == nil || tryParse == nil || toString == nil || toBytes == nil {
		return
	}
	// first calls m with the first n arguments only.
	first := func(m *Member, n, maxArgs int) *Member {
		cp := *m
		cp.Max = maxArgs
		cp.Fn = func(c Call) Value {
			if len(c.Args) > n {
				c.Args = c.Args[:n]
			}
			return m.Fn(c)
		}
		return &cp
	}
	try := *tryParse
	try.Max, try.Out = 3, []int{-1}
	try.Fn = func(c Call) Value {
		if len(c.Args) == 2 {
			return tryParse.Fn(c)
		}
		args := []Value{c.Args[0], c.Args[2]}
		r := tryParse.Fn(Call{Fr: c.Fr, This: c.This, Args: args, TArgs: c.TArgs})
		c.Args[2] = args[1]
		return r
	}
	g.addStatic(first(parse, 1, 2), &try)
	g.add(first(toString, 1, 2),
		meth("ToByteArray", 0, 1, u.Bytes, func(c Call) Value {
			if len(c.Args) == 1 && c.Bool(0) {
				x := c.This.(Guid)
				return append([]byte(nil), x[:]...)
			}
			return toBytes.Fn(c)
		}))
}
