package value

import (
	"strings"
	"time"
	"unicode/utf8"
)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// strIndex converts a rune index to a byte index; ok false when out of range.
func strLen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

func substr(s string, start, n int) string {
	if isASCII(s) {
		return s[start : start+n]
	}
	r := []rune(s)
	return string(r[start : start+n])
}

func ignoreCase(c Call, i int) bool {
	if i < len(c.Args) {
		switch x := c.Args[i].(type) {
		case Enum:
			return strings.HasSuffix(x.Name, "IgnoreCase")
		case bool:
			return x
		}
	}
	return false
}

func indexOf(s, sub string, from int, fold bool) int {
	if fold {
		s, sub = strings.ToUpper(s), strings.ToUpper(sub)
	}
	if isASCII(s) {
		if from > len(s) {
			return -1
		}
		i := strings.Index(s[from:], sub)
		if i < 0 {
			return -1
		}
		return i + from
	}
	r := []rune(s)
	if from > len(r) {
		return -1
	}
	i := strings.Index(string(r[from:]), sub)
	if i < 0 {
		return -1
	}
	return from + utf8.RuneCountInString(string(r[from:])[:i])
}

func (u *Lib) buildString() {
	s := u.String
	this := func(c Call) string { return c.This.(string) }
	charOrString := func(c Call, i int) string {
		if ch, ok := c.Args[i].(Char); ok {
			return string(rune(ch))
		}
		c.NotNull(i, "value")
		return c.Str(i)
	}
	rangeErr := func(param string) {
		Throw(ExArgRange, "Index and length must refer to a location within the string. (Parameter '%s')", param)
	}
	s.add(
		prop("Length", u.Int, func(c Call) Value { return int32(strLen(this(c))) }),
		&Member{Name: "[]", Kind: Property, Result: u.Char, Get: func(c Call) Value {
			str := this(c)
			i := c.Int(0)
			if i < 0 || i >= strLen(str) {
				Throw(ExIndexRange, MsgIndexRange)
			}
			return Char([]rune(substr(str, i, 1))[0])
		}},
		meth("Substring", 1, 2, s, func(c Call) Value {
			str := this(c)
			n := strLen(str)
			start := c.Int(0)
			if start < 0 || start > n {
				Throw(ExArgRange, "startIndex cannot be larger than length of string. (Parameter 'startIndex')")
			}
			l := n - start
			if c.Has(1) {
				l = c.Int(1)
				if l < 0 || start+l > n {
					rangeErr("length")
				}
			}
			return substr(str, start, l)
		}),
		meth("IndexOf", 1, 3, u.Int, func(c Call) Value {
			from := 0
			if c.Has(1) {
				if _, ok := c.Args[1].(Enum); !ok {
					from = c.Int(1)
				}
			}
			return int32(indexOf(this(c), charOrString(c, 0), from, ignoreCase(c, len(c.Args)-1)))
		}),
		meth("LastIndexOf", 1, 2, u.Int, func(c Call) Value {
			str, sub := this(c), charOrString(c, 0)
			if ignoreCase(c, 1) {
				str, sub = strings.ToUpper(str), strings.ToUpper(sub)
			}
			i := strings.LastIndex(str, sub)
			if i < 0 {
				return int32(-1)
			}
			return int32(utf8.RuneCountInString(str[:i]))
		}),
		meth("IndexOfAny", 1, 1, u.Int, func(c Call) Value {
			str := this(c)
			items, _ := Items(c.Args[0])
			best := -1
			for i, r := range []rune(str) {
				for _, it := range items {
					if ch, ok := it.(Char); ok && rune(ch) == r {
						best = i
						break
					}
				}
				if best >= 0 {
					break
				}
			}
			return int32(best)
		}),
		meth("Contains", 1, 2, u.Bool, func(c Call) Value {
			return indexOf(this(c), charOrString(c, 0), 0, ignoreCase(c, 1)) >= 0
		}),
		meth("StartsWith", 1, 3, u.Bool, func(c Call) Value {
			str, p := this(c), charOrString(c, 0)
			if ignoreCase(c, 1) {
				return len(str) >= len(p) && strings.EqualFold(str[:len(p)], p)
			}
			return strings.HasPrefix(str, p)
		}),
		meth("EndsWith", 1, 3, u.Bool, func(c Call) Value {
			str, p := this(c), charOrString(c, 0)
			if ignoreCase(c, 1) {
				return len(str) >= len(p) && strings.EqualFold(str[len(str)-len(p):], p)
			}
			return strings.HasSuffix(str, p)
		}),
		meth("Equals", 1, 2, u.Bool, func(c Call) Value {
			o, ok := c.Args[0].(string)
			if !ok {
				return false
			}
			if ignoreCase(c, 1) {
				return strings.EqualFold(this(c), o)
			}
			return this(c) == o
		}),
		meth("CompareTo", 1, 1, u.Int, func(c Call) Value {
			if c.IsNull(0) {
				return int32(1)
			}
			return int32(CompareStrings(this(c), c.Str(0), false))
		}),
		meth("Split", 1, 3, u.ArrayOf(u.String), func(c Call) Value { return split(c, this(c)) }),
		meth("Replace", 2, 3, s, func(c Call) Value {
			old := charOrString(c, 0)
			if old == "" {
				Throw(ExArgument, "The value cannot be an empty string. (Parameter 'oldValue')")
			}
			nw := ""
			if ch, ok := c.Args[1].(Char); ok {
				nw = string(rune(ch))
			} else {
				nw = c.Str(1)
			}
			if ignoreCase(c, 2) {
				return replaceFold(this(c), old, nw)
			}
			return strings.ReplaceAll(this(c), old, nw)
		}),
		meth("Trim", 0, -1, s, func(c Call) Value { return trim(c, this(c), true, true) }),
		meth("TrimStart", 0, -1, s, func(c Call) Value { return trim(c, this(c), true, false) }),
		meth("TrimEnd", 0, -1, s, func(c Call) Value { return trim(c, this(c), false, true) }),
		meth("ToUpper", 0, 1, s, func(c Call) Value { return strings.ToUpper(this(c)) }),
		meth("ToLower", 0, 1, s, func(c Call) Value { return strings.ToLower(this(c)) }),
		meth("ToUpperInvariant", 0, 0, s, func(c Call) Value { return strings.ToUpper(this(c)) }),
		meth("ToLowerInvariant", 0, 0, s, func(c Call) Value { return strings.ToLower(this(c)) }),
		meth("PadLeft", 1, 2, s, func(c Call) Value { return pad2(c, this(c), true) }),
		meth("PadRight", 1, 2, s, func(c Call) Value { return pad2(c, this(c), false) }),
		meth("Insert", 2, 2, s, func(c Call) Value {
			r := []rune(this(c))
			i := c.Int(0)
			if i < 0 || i > len(r) {
				Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'startIndex')")
			}
			return string(r[:i]) + c.Str(1) + string(r[i:])
		}),
		meth("Remove", 1, 2, s, func(c Call) Value {
			r := []rune(this(c))
			i := c.Int(0)
			n := len(r) - i
			if c.Has(1) {
				n = c.Int(1)
			}
			if i < 0 || n < 0 || i+n > len(r) {
				rangeErr("count")
			}
			return string(r[:i]) + string(r[i+n:])
		}),
		meth("ToCharArray", 0, 0, u.ArrayOf(u.Char), func(c Call) Value {
			var items []Value
			for _, r := range this(c) {
				items = append(items, Char(r))
			}
			return &Array{T: u.Char, Items: items}
		}),
		meth("Normalize", 0, 1, s, func(c Call) Value { return this(c) }),
	)
	s.Members["ToString"] = meth("ToString", 0, 1, s, func(c Call) Value { return this(c) })
	s.addStatic(
		prop("Empty", s, func(Call) Value { return "" }),
		meth("IsNullOrEmpty", 1, 1, u.Bool, func(c Call) Value { return c.IsNull(0) || c.Str(0) == "" }),
		meth("IsNullOrWhiteSpace", 1, 1, u.Bool, func(c Call) Value {
			return c.IsNull(0) || strings.TrimFunc(c.Str(0), isWhite) == ""
		}),
		meth("Equals", 2, 3, u.Bool, func(c Call) Value {
			if c.IsNull(0) || c.IsNull(1) {
				return c.IsNull(0) && c.IsNull(1)
			}
			if ignoreCase(c, 2) {
				return strings.EqualFold(c.Str(0), c.Str(1))
			}
			return c.Str(0) == c.Str(1)
		}),
		meth("Compare", 2, 3, u.Int, func(c Call) Value {
			if c.IsNull(0) || c.IsNull(1) {
				return int32(cmp3(c.IsNull(0) && !c.IsNull(1), !c.IsNull(0) && c.IsNull(1)))
			}
			if e, ok := c.Arg(2).(Enum); ok && strings.HasPrefix(e.Name, "Ordinal") {
				return int32(CompareOrdinal(c.Str(0), c.Str(1), ignoreCase(c, 2)))
			}
			return int32(CompareStrings(c.Str(0), c.Str(1), ignoreCase(c, 2)))
		}),
		meth("CompareOrdinal", 2, 2, u.Int, func(c Call) Value {
			if c.IsNull(0) || c.IsNull(1) {
				return int32(cmp3(c.IsNull(0) && !c.IsNull(1), !c.IsNull(0) && c.IsNull(1)))
			}
			return int32(CompareOrdinal(c.Str(0), c.Str(1), false))
		}),
		meth("Concat", 0, -1, s, func(c Call) Value {
			var b strings.Builder
			if len(c.Args) == 1 {
				if _, ok := c.Args[0].(string); !ok && c.Args[0] != nil {
					Each(c.Args[0], func(e Value) bool { b.WriteString(ToString(e)); return true })
					return b.String()
				}
			}
			for _, a := range c.Args {
				b.WriteString(ToString(a))
			}
			return b.String()
		}),
		meth("Join", 2, -1, s, func(c Call) Value {
			sep := charOrString(c, 0)
			var parts []string
			if len(c.Args) == 2 {
				if _, ok := c.Args[1].(string); !ok {
					if !Each(c.Args[1], func(e Value) bool { parts = append(parts, ToString(e)); return true }) {
						parts = append(parts, ToString(c.Args[1]))
					}
					return strings.Join(parts, sep)
				}
			}
			for _, a := range c.Args[1:] {
				parts = append(parts, ToString(a))
			}
			return strings.Join(parts, sep)
		}),
		meth("Format", 1, -1, s, func(c Call) Value {
			args := c.Args[1:]
			if len(args) == 1 {
				if a, ok := args[0].(*Array); ok && a.T == u.Object {
					args = a.Items
				}
			}
			return Format(c.Str(0), args)
		}),
		meth("Copy", 1, 1, s, func(c Call) Value { return c.Str(0) }),
	)
	s.NewMin = 1
	s.New = func(c Call) Value {
		if ch, ok := c.Args[0].(Char); ok && len(c.Args) == 2 {
			return strings.Repeat(string(rune(ch)), c.Int(1))
		}
		var b strings.Builder
		Each(c.Args[0], func(e Value) bool { b.WriteString(ToString(e)); return true })
		return b.String()
	}
	comparisons := map[string]int64{
		"CurrentCulture": 0, "CurrentCultureIgnoreCase": 1, "InvariantCulture": 2, "InvariantCultureIgnoreCase": 3, "Ordinal": 4, "OrdinalIgnoreCase": 5}
	u.newType("StringComparison", "System.StringComparison", u.Object).EnumValues = comparisons
	u.newType("StringSplitOptions", "System.StringSplitOptions", u.Object).EnumValues = map[string]int64{"None": 0, "RemoveEmptyEntries": 1, "TrimEntries": 2}
	// A StringComparer is held as an Enum whose value is the
	// StringComparison it compares as: two comparers are equal (==) only
	// when they are the same one, as .NET's singletons are.
	sc := u.newType("StringComparer", "System.StringComparer", u.Object)
	for _, n := range []string{"Ordinal", "OrdinalIgnoreCase", "InvariantCulture", "InvariantCultureIgnoreCase", "CurrentCulture", "CurrentCultureIgnoreCase"} {
		sc.addStatic(prop(n, sc, func(Call) Value { return Enum{T: sc, V: comparisons[n], Name: n} }))
	}
	scName := func(c Call) string { return c.This.(Enum).Name }
	sc.add(
		meth("Equals", 2, 2, u.Bool, func(c Call) Value {
			if c.IsNull(0) || c.IsNull(1) {
				return c.IsNull(0) && c.IsNull(1)
			}
			if strings.HasSuffix(scName(c), "IgnoreCase") {
				return strings.EqualFold(c.Str(0), c.Str(1))
			}
			return c.Str(0) == c.Str(1)
		}),
		meth("Compare", 2, 2, u.Int, func(c Call) Value {
			if c.IsNull(0) || c.IsNull(1) {
				return int32(cmp3(c.IsNull(0) && !c.IsNull(1), !c.IsNull(0) && c.IsNull(1)))
			}
			ic := strings.HasSuffix(scName(c), "IgnoreCase")
			if strings.HasPrefix(scName(c), "Ordinal") {
				return int32(CompareOrdinal(c.Str(0), c.Str(1), ic))
			}
			return int32(CompareStrings(c.Str(0), c.Str(1), ic))
		}),
	)
	u.StringComparison = u.Types["StringComparison"]
	u.SplitOptions = u.Types["StringSplitOptions"]
}

func replaceFold(s, old, nw string) string {
	var b strings.Builder
	us, uo := strings.ToUpper(s), strings.ToUpper(old)
	if len(us) != len(s) {
		return strings.ReplaceAll(s, old, nw)
	}
	for {
		i := strings.Index(us, uo)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(nw)
		s, us = s[i+len(old):], us[i+len(old):]
	}
}

func split(c Call, s string) Value {
	var seps []string
	opts := int64(0)
	count := -1
	for i, a := range c.Args {
		switch x := a.(type) {
		case Char:
			seps = append(seps, string(rune(x)))
		case string:
			seps = append(seps, x)
		case *Array:
			for _, e := range x.Items {
				seps = append(seps, ToString(e))
			}
		case Enum:
			opts = x.V
		case int32:
			if i > 0 {
				count = int(x)
			}
		case nil:
		}
	}
	var parts []string
	if len(seps) == 0 {
		parts = strings.FieldsFunc(s, isWhite)
		if opts&1 == 0 {
			parts = splitFunc(s, isWhite)
		}
	} else {
		parts = splitMulti(s, seps, count)
	}
	out := parts[:0:0]
	for _, p := range parts {
		if opts&2 != 0 {
			p = strings.TrimFunc(p, isWhite)
		}
		if opts&1 != 0 && p == "" {
			continue
		}
		out = append(out, p)
	}
	return StringArray(out)
}

func splitFunc(s string, f func(rune) bool) []string {
	var out []string
	start := 0
	for i, r := range s {
		if f(r) {
			out = append(out, s[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(out, s[start:])
}

func splitMulti(s string, seps []string, count int) []string {
	var out []string
	for {
		if count > 0 && len(out) == count-1 {
			break
		}
		best, bl := -1, 0
		for _, sep := range seps {
			if sep == "" {
				continue
			}
			if i := strings.Index(s, sep); i >= 0 && (best < 0 || i < best) {
				best, bl = i, len(sep)
			}
		}
		if best < 0 {
			break
		}
		out = append(out, s[:best])
		s = s[best+bl:]
	}
	return append(out, s)
}

func trim(c Call, s string, left, right bool) string {
	f := isWhite
	if len(c.Args) > 0 {
		var set []rune
		for _, a := range c.Args {
			switch x := a.(type) {
			case Char:
				set = append(set, rune(x))
			case *Array:
				for _, e := range x.Items {
					if ch, ok := e.(Char); ok {
						set = append(set, rune(ch))
					}
				}
			}
		}
		f = func(r rune) bool {
			for _, x := range set {
				if x == r {
					return true
				}
			}
			return false
		}
	}
	if left {
		s = strings.TrimLeftFunc(s, f)
	}
	if right {
		s = strings.TrimRightFunc(s, f)
	}
	return s
}

func pad2(c Call, s string, left bool) string {
	n := c.Int(0)
	ch := " "
	if c.Has(1) {
		ch = c.Str(1)
	}
	l := strLen(s)
	if n <= l {
		return s
	}
	p := strings.Repeat(ch, n-l)
	if left {
		return p + s
	}
	return s + p
}

// Format implements string.Format with invariant culture: "{0}", "{1,5}",
// "{0:yyyy-MM-dd}", "{{" and "}}".
func Format(f string, args []Value) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		ch := f[i]
		if ch == '}' {
			if i+1 < len(f) && f[i+1] == '}' {
				b.WriteByte('}')
				i++
				continue
			}
			Throw(ExFormat, "Input string was not in a correct format.")
		}
		if ch != '{' {
			b.WriteByte(ch)
			continue
		}
		if i+1 < len(f) && f[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		j := strings.IndexByte(f[i:], '}')
		if j < 0 {
			Throw(ExFormat, "Input string was not in a correct format.")
		}
		spec := f[i+1 : i+j]
		i += j
		idxS, fmtS, _ := strings.Cut(spec, ":")
		idxS, alignS, _ := strings.Cut(idxS, ",")
		idx := 0
		for _, d := range strings.TrimSpace(idxS) {
			if d < '0' || d > '9' {
				Throw(ExFormat, "Input string was not in a correct format.")
			}
			idx = idx*10 + int(d-'0')
		}
		if idx >= len(args) {
			Throw(ExFormat, "Index (zero based) must be greater than or equal to zero and less than the size of the argument list.")
		}
		align := 0
		if a := strings.TrimSpace(alignS); a != "" {
			n, err := ParseInt(a, 32)
			if err != nil {
				Throw(ExFormat, "Input string was not in a correct format.")
			}
			align = int(n)
		}
		b.WriteString(Align(FormatValue(args[idx], fmtS), align))
	}
	return b.String()
}

// FormatValue formats v with a format string as IFormattable.ToString(format, invariant).
func FormatValue(v Value, format string) string {
	if format == "" {
		return ToString(v)
	}
	switch x := v.(type) {
	case Guid:
		return formatGuid(x, format)
	case DateTimeOffset:
		return FormatDateTime(x.T, format)
	case time.Time:
		return FormatDateTime(x, format)
	case TimeSpan:
		return FormatTimeSpan(x)
	}
	if t, ok := v.(interface{ Format(string) string }); ok {
		return t.Format(format)
	}
	if IsNumeric(v) {
		return FormatNumber(v, format)
	}
	if t, ok := asTime(v); ok {
		return FormatDateTime(t, format)
	}
	return ToString(v)
}

// Align pads s to width |n|: right-aligned for positive n, left for negative.
func Align(s string, n int) string {
	l := strLen(s)
	switch {
	case n > l:
		return strings.Repeat(" ", n-l) + s
	case -n > l:
		return s + strings.Repeat(" ", -n-l)
	}
	return s
}
