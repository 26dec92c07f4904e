package value

import (
	"hash/fnv"
	"strings"
	"unicode"
)

// searchArgs reads the (startIndex[, count])[, comparisonType] arguments
// that follow the value of IndexOf and LastIndexOf, from position 1.
func searchArgs(c Call) (ints []int, fold bool) {
	for i := 1; i < len(c.Args); i++ {
		switch x := c.Args[i].(type) {
		case Enum:
			fold = strings.HasSuffix(x.Name, "IgnoreCase")
		default:
			ints = append(ints, c.Int(i))
		}
	}
	return ints, fold
}

func runesEqualFold(a, b []rune, fold bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(fold && unicode.ToUpper(a[i]) == unicode.ToUpper(b[i])) {
			return false
		}
	}
	return true
}

// indexIn finds sub in s[from:from+count] (runes), the first or the last
// occurrence; -1 when absent.
func indexIn(s, sub []rune, from, count int, last, fold bool) int {
	end := from + count
	if len(sub) == 0 {
		if last {
			return max(end-1, 0)
		}
		return from
	}
	if last {
		for i := end - len(sub); i >= from; i-- {
			if runesEqualFold(s[i:i+len(sub)], sub, fold) {
				return i
			}
		}
		return -1
	}
	for i := from; i+len(sub) <= end; i++ {
		if runesEqualFold(s[i:i+len(sub)], sub, fold) {
			return i
		}
	}
	return -1
}

func countRange() {
	Throw(ExArgRange, "Count must be positive and count must refer to a location within the string/array/collection. (Parameter 'count')")
}

func startRange() {
	Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'startIndex')")
}

// stringIndexOf implements IndexOf: (value[, startIndex[, count]][, comparisonType]).
func stringIndexOf(c Call, value string) Value {
	s := []rune(c.This.(string))
	ints, fold := searchArgs(c)
	from, count := 0, len(s)
	if len(ints) > 0 {
		from = ints[0]
		if from < 0 || from > len(s) {
			startRange()
		}
		count = len(s) - from
	}
	if len(ints) > 1 {
		count = ints[1]
		if count < 0 || from+count > len(s) {
			countRange()
		}
	}
	c.Fr.Step(int64(count / 64))
	return int32(indexIn(s, []rune(value), from, count, false, fold))
}

// stringLastIndexOf implements LastIndexOf: the search runs backward from
// startIndex over count characters.
func stringLastIndexOf(c Call, value string) Value {
	s := []rune(c.This.(string))
	ints, fold := searchArgs(c)
	if len(s) == 0 {
		if value == "" {
			return int32(0)
		}
		return int32(-1)
	}
	start := len(s) - 1
	if len(ints) > 0 {
		start = ints[0]
		if start == len(s) {
			start-- // .NET accepts Length as the start of a backward search
		}
		if start < 0 || start >= len(s) {
			startRange()
		}
	}
	count := start + 1
	if len(ints) > 1 {
		count = ints[1]
		if count < 0 || start-count+1 < 0 {
			countRange()
		}
	}
	from := start - count + 1
	c.Fr.Step(int64(count / 64))
	return int32(indexIn(s, []rune(value), from, count, true, fold))
}

// anyOf implements IndexOfAny and LastIndexOfAny.
func anyOf(c Call, last bool) Value {
	s := []rune(c.This.(string))
	c.NotNull(0, "anyOf")
	set, _ := Items(c.Args[0])
	in := func(r rune) bool {
		for _, x := range set {
			if ch, ok := x.(Char); ok && rune(ch) == r {
				return true
			}
		}
		return false
	}
	var ints []int
	for i := 1; i < len(c.Args); i++ {
		ints = append(ints, c.Int(i))
	}
	if last {
		if len(s) == 0 {
			return int32(-1)
		}
		start := len(s) - 1
		if len(ints) > 0 {
			start = ints[0]
			if start < 0 || start >= len(s) {
				startRange()
			}
		}
		count := start + 1
		if len(ints) > 1 {
			count = ints[1]
			if count < 0 || start-count+1 < 0 {
				countRange()
			}
		}
		for i := start; i > start-count; i-- {
			if in(s[i]) {
				return int32(i)
			}
		}
		return int32(-1)
	}
	from, count := 0, len(s)
	if len(ints) > 0 {
		from = ints[0]
		if from < 0 || from > len(s) {
			startRange()
		}
		count = len(s) - from
	}
	if len(ints) > 1 {
		count = ints[1]
		if count < 0 || from+count > len(s) {
			countRange()
		}
	}
	for i := from; i < from+count; i++ {
		if in(s[i]) {
			return int32(i)
		}
	}
	return int32(-1)
}

// compareSub implements String.Compare(strA, indexA, strB, indexB, length[, ignoreCase | comparisonType]).
func compareSub(c Call, ordinalOnly bool) Value {
	if c.IsNull(0) || c.IsNull(2) {
		return int32(cmp3(c.IsNull(0) && !c.IsNull(2), !c.IsNull(0) && c.IsNull(2)))
	}
	a, b := []rune(c.Str(0)), []rune(c.Str(2))
	ia, ib, n := c.Int(1), c.Int(3), c.Int(4)
	if n < 0 || ia < 0 || ib < 0 || ia > len(a) || ib > len(b) {
		Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'length')")
	}
	sa := string(a[ia:min(ia+n, len(a))])
	sb := string(b[ib:min(ib+n, len(b))])
	fold := ignoreCase(c, 5)
	ordinal := ordinalOnly
	if e, ok := c.Arg(5).(Enum); ok && strings.HasPrefix(e.Name, "Ordinal") {
		ordinal = true
	}
	if ordinal {
		return int32(CompareOrdinal(sa, sb, fold))
	}
	return int32(CompareStrings(sa, sb, fold))
}

// splitString implements String.Split as .NET does: separators, then an
// optional count (the last element keeps the rest of the input) and
// StringSplitOptions (RemoveEmptyEntries, TrimEntries).
func splitString(c Call, s string) Value {
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
				if e != nil {
					seps = append(seps, ToString(e))
				}
			}
		case Enum:
			opts = x.V
		case int32:
			if i > 0 {
				count = int(x)
			} else {
				seps = append(seps, string(rune(x)))
			}
		}
	}
	if count < -1 {
		Throw(ExArgRange, "Count cannot be less than zero. (Parameter 'count')")
	}
	removeEmpty, trimEntries := opts&1 != 0, opts&2 != 0
	keep := func(p string) (string, bool) {
		if trimEntries {
			p = strings.TrimFunc(p, isWhite)
		}
		return p, !(removeEmpty && p == "")
	}
	var out []string
	if count == 0 {
		return StringArray(out)
	}
	rest := s
	for count < 0 || len(out) < count-1 {
		at, l := -1, 0
		if len(seps) == 0 {
			if i := strings.IndexFunc(rest, isWhite); i >= 0 {
				r, n := rune(rest[i]), 1
				if r >= 0x80 {
					for _, rr := range rest[i:] {
						n = len(string(rr))
						break
					}
				}
				at, l = i, n
			}
		} else {
			for _, sep := range seps {
				if sep == "" {
					continue
				}
				if i := strings.Index(rest, sep); i >= 0 && (at < 0 || i < at) {
					at, l = i, len(sep)
				}
			}
		}
		if at < 0 {
			break
		}
		c.Fr.Step(1)
		if p, ok := keep(rest[:at]); ok {
			out = append(out, p)
		}
		rest = rest[at+l:]
	}
	if p, ok := keep(rest); ok {
		out = append(out, p)
	}
	return StringArray(out)
}

func (u *Lib) buildStringMore() {
	s := u.String
	this := func(c Call) string { return c.This.(string) }
	value := func(c Call) string {
		if ch, ok := c.Args[0].(Char); ok {
			return string(rune(ch))
		}
		c.NotNull(0, "value")
		return c.Str(0)
	}
	s.add(
		meth("IndexOf", 1, 4, u.Int, func(c Call) Value { return stringIndexOf(c, value(c)) }),
		meth("LastIndexOf", 1, 4, u.Int, func(c Call) Value { return stringLastIndexOf(c, value(c)) }),
		meth("IndexOfAny", 1, 3, u.Int, func(c Call) Value { return anyOf(c, false) }),
		meth("LastIndexOfAny", 1, 3, u.Int, func(c Call) Value { return anyOf(c, true) }),
		meth("Split", 0, 3, u.ArrayOf(u.String), func(c Call) Value { return splitString(c, this(c)) }),
		meth("ToCharArray", 0, 2, u.ArrayOf(u.Char), func(c Call) Value {
			r := []rune(this(c))
			if c.Has(0) {
				i, n := c.Int(0), c.Int(1)
				if i < 0 || n < 0 || i+n > len(r) {
					Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'startIndex')")
				}
				r = r[i : i+n]
			}
			items := make([]Value, len(r))
			for i, x := range r {
				items[i] = Char(x)
			}
			return &Array{T: u.Char, Items: items}
		}),
		meth("Clone", 0, 0, u.Object, func(c Call) Value { return c.This }),
		meth("CopyTo", 4, 4, u.Void, func(c Call) Value {
			r := []rune(this(c))
			c.NotNull(1, "destination")
			dst, ok := c.Args[1].(*Array)
			if !ok {
				ThrowCast(c.Args[1], "System.Char[]")
			}
			si, di, n := c.Int(0), c.Int(2), c.Int(3)
			if n < 0 || si < 0 || di < 0 || si+n > len(r) || di+n > len(dst.Items) {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'count')")
			}
			for k := range n {
				dst.Items[di+k] = Char(r[si+k])
			}
			return nil
		}),
		meth("IsNormalized", 0, 0, u.Bool, func(c Call) Value { return true }),
		meth("ReplaceLineEndings", 0, 1, s, func(c Call) Value {
			nl := "\n" // Environment.NewLine on Linux
			if c.Has(0) {
				c.NotNull(0, "replacementText")
				nl = c.Str(0)
			}
			str := this(c)
			var b strings.Builder
			for i := 0; i < len(str); i++ {
				switch {
				case str[i] == '\r' && i+1 < len(str) && str[i+1] == '\n':
					b.WriteString(nl)
					i++
				case str[i] == '\r' || str[i] == '\n' || str[i] == '\f':
					b.WriteString(nl)
				case strings.HasPrefix(str[i:], "\u0085"), strings.HasPrefix(str[i:], "\u2028"), strings.HasPrefix(str[i:], "\u2029"):
					b.WriteString(nl)
					for i+1 < len(str) && str[i+1]&0xC0 == 0x80 {
						i++
					}
				default:
					b.WriteByte(str[i])
				}
			}
			return b.String()
		}),
		meth("GetHashCode", 0, 1, u.Int, func(c Call) Value {
			str := this(c)
			if ignoreCase(c, 0) {
				str = strings.ToUpper(str)
			}
			h := fnv.New32a()
			h.Write([]byte(str))
			return int32(h.Sum32())
		}),
	)
	compare := s.Statics["Compare"]
	compare.Max = 6
	compare2 := compare.Fn
	compare.Fn = func(c Call) Value {
		if len(c.Args) >= 5 {
			return compareSub(c, false)
		}
		if len(c.Args) == 3 {
			if _, isBool := c.Args[2].(bool); isBool {
				if c.IsNull(0) || c.IsNull(1) {
					return int32(cmp3(c.IsNull(0) && !c.IsNull(1), !c.IsNull(0) && c.IsNull(1)))
				}
				return int32(CompareStrings(c.Str(0), c.Str(1), c.Bool(2)))
			}
		}
		return compare2(c)
	}
	ord := s.Statics["CompareOrdinal"]
	ord.Max = 5
	ord2 := ord.Fn
	ord.Fn = func(c Call) Value {
		if len(c.Args) == 5 {
			return compareSub(c, true)
		}
		return ord2(c)
	}
	concat := s.Statics["Concat"]
	concat2 := concat.Fn
	concat.Fn = func(c Call) Value {
		if len(c.Args) == 1 {
			switch c.Args[0].(type) {
			case *Array, *List, *Seq:
			default:
				// Concat(object): the argument's ToString
				if _, isEnum := c.Args[0].(Enumerable); !isEnum {
					return ToString(c.Args[0])
				}
			}
		}
		return concat2(c)
	}
	join := s.Statics["Join"]
	join2 := join.Fn
	join.Fn = func(c Call) Value {
		if len(c.Args) == 4 {
			// Join(separator, string[] value, int startIndex, int count)
			if a, ok := c.Args[1].(*Array); ok && a.T == u.String {
				if _, ok := c.Args[2].(int32); ok {
					i, n := c.Int(2), c.Int(3)
					if i < 0 || n < 0 || i+n > len(a.Items) {
						Throw(ExArgRange, "Index and count must refer to a location within the buffer. (Parameter 'startIndex')")
					}
					parts := make([]string, n)
					for k := range n {
						parts[k] = ToString(a.Items[i+k])
					}
					sep := c.Str(0)
					return strings.Join(parts, sep)
				}
			}
		}
		return join2(c)
	}
	s.addStatic(
		meth("Intern", 1, 1, s, func(c Call) Value { c.NotNull(0, "str"); return c.Str(0) }),
		meth("IsInterned", 1, 1, s, func(c Call) Value { c.NotNull(0, "str"); return c.Str(0) }),
	)
	s.New = func(c Call) Value {
		if ch, ok := c.Args[0].(Char); ok && len(c.Args) == 2 {
			n := c.Int(1)
			if n < 0 {
				Throw(ExArgRange, "Non-negative number required. (Parameter 'count')")
			}
			c.Fr.Alloc(int64(n))
			return strings.Repeat(string(rune(ch)), n)
		}
		items, _ := Items(c.Args[0])
		if len(c.Args) == 3 {
			i, n := c.Int(1), c.Int(2)
			if i < 0 || n < 0 || i+n > len(items) {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'startIndex')")
			}
			items = items[i : i+n]
		}
		var b strings.Builder
		for _, e := range items {
			b.WriteString(ToString(e))
		}
		return b.String()
	}
	tt := u.newType("Type", "System.Type", u.Object)
	tv := func(c Call) string { return c.This.(*TypeValue).Name }
	tt.add(
		prop("FullName", s, func(c Call) Value { return tv(c) }),
		// Name and Namespace read the full name without its type arguments
		// ("System.Collections.Generic.List`1[System.String]").
		prop("Name", s, func(c Call) Value {
			n := genericDefinition(tv(c))
			return n[strings.LastIndexByte(n, '.')+1:]
		}),
		prop("Namespace", s, func(c Call) Value {
			n := genericDefinition(tv(c))
			if i := strings.LastIndexByte(n, '.'); i >= 0 {
				return n[:i]
			}
			return nil
		}),
		meth("ToString", 0, 0, s, func(c Call) Value { return tv(c) }),
	)
	u.Object.add(meth("GetType", 0, 0, tt, func(c Call) Value { return &TypeValue{Name: TypeName(c.This)} }))
}

// DotnetType implements Typed.
func (t *TypeValue) DotnetType(u *Lib) *Type { return u.Types["Type"] }

// typeCodes are the members of System.TypeCode.
var typeCodes = map[string]int64{
	"Empty": 0, "Object": 1, "DBNull": 2, "Boolean": 3, "Char": 4, "SByte": 5, "Byte": 6, "Int16": 7,
	"UInt16": 8, "Int32": 9, "UInt32": 10, "Int64": 11, "UInt64": 12, "Single": 13, "Double": 14,
	"Decimal": 15, "DateTime": 16, "String": 18,
}

// buildTypeCode adds string.GetTypeCode.
func (u *Lib) buildTypeCode() {
	code := u.newType("TypeCode", "System.TypeCode", u.Object)
	code.EnumValues = typeCodes
	u.String.add(meth("GetTypeCode", 0, 0, code, func(Call) Value { return Enum{T: code, V: typeCodes["String"], Name: "String"} }))
}

// genericDefinition is a type's full name without the type arguments of a
// generic type ("List`1[System.String][]" is "List`1[]"); an array's
// brackets stay.
func genericDefinition(full string) string {
	tick := strings.IndexByte(full, '`')
	if tick < 0 {
		return full
	}
	open := strings.IndexByte(full[tick:], '[')
	if open < 0 || strings.HasPrefix(full[tick+open:], "[]") || strings.HasPrefix(full[tick+open:], "[,") {
		return full
	}
	open += tick
	depth := 0
	for i := open; i < len(full); i++ {
		switch full[i] {
		case '[':
			depth++
		case ']':
			if depth--; depth == 0 {
				return full[:open] + full[i+1:]
			}
		}
	}
	return full[:open]
}
