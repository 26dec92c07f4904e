package value

import (
	"sort"
	"strconv"
	"strings"
)

// parseEnum finds the member of enum type t named s (or numbered s).
func parseEnum(t *Type, s string, ignoreCase bool) (Enum, bool) {
	s = strings.TrimSpace(s)
	if v, ok := t.EnumValues[s]; ok {
		return Enum{T: t, V: v, Name: s}, true
	}
	if ignoreCase {
		for n, v := range t.EnumValues {
			if strings.EqualFold(n, s) {
				return Enum{T: t, V: v, Name: n}, true
			}
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		for name, v := range t.EnumValues {
			if v == n {
				return Enum{T: t, V: v, Name: name}, true
			}
		}
		return Enum{T: t, V: n, Name: s}, true
	}
	return Enum{}, false
}

// EnumOf returns the value n of enum type t, named when t has a member
// with that value.
func EnumOf(t *Type, n int64) Enum {
	for name, v := range t.EnumValues {
		if v == n {
			return Enum{T: t, V: v, Name: name}
		}
	}
	if t.Flags && n > 0 {
		// a combination of flags prints its members in value order
		var vals []int64
		for _, v := range t.EnumValues {
			if v > 0 && v&(v-1) == 0 && n&v == v {
				vals = append(vals, v)
			}
		}
		sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
		rest := n
		names := make([]string, 0, len(vals))
		for _, v := range vals {
			for name, x := range t.EnumValues {
				if x == v {
					names = append(names, name)
					break
				}
			}
			rest &^= v
		}
		if rest == 0 {
			return Enum{T: t, V: n, Name: strings.Join(names, ", ")}
		}
	}
	return Enum{T: t, V: n, Name: strconv.FormatInt(n, 10)}
}

// enumTypeArg reads argument i of c, the enumType of Enum's static methods:
// a typeof of an enum type tollgate knows.
func (u *Lib) enumTypeArg(c Call, i int) *Type {
	c.NotNull(i, "enumType")
	tv, ok := c.Args[i].(*TypeValue)
	if !ok {
		ThrowCast(c.Args[i], "System.Type")
	}
	t := u.Types[tv.Name]
	if t == nil || t.EnumValues == nil {
		Throw(ExArgument, "Type provided must be an Enum. (Parameter 'enumType')")
	}
	return t
}

func (u *Lib) buildEnum() {
	et := u.newType("Enum", "System.Enum", u.Object)
	et.Is = func(v Value) bool { _, ok := v.(Enum); return ok }
	enumType := u.enumTypeArg
	parse := func(t *Type, c Call, s, ic int) Value {
		c.NotNull(s, "value")
		e, ok := parseEnum(t, c.Str(s), c.Has(ic) && c.Bool(ic))
		if !ok {
			Throw(ExArgument, "Requested value '%s' was not found.", c.Str(s))
		}
		return e
	}
	tryParse := func(c Call) Value {
		t := c.TArg(0)
		if t == nil || t.EnumValues == nil {
			Throw(ExArgument, "Type provided must be an Enum. (Parameter 'TEnum')")
		}
		out := len(c.Args) - 1
		e, ok := parseEnum(t, c.Str(0), out == 2 && c.Bool(1))
		if c.IsNull(0) || !ok {
			c.Args[out], _ = parseEnum(t, "0", false)
			return false
		}
		c.Args[out] = e
		return true
	}
	et.addStatic(
		&Member{Name: "Parse", Kind: Method, Min: 1, Max: 3, Fn: func(c Call) Value {
			if t := c.TArg(0); t != nil {
				if t.EnumValues == nil {
					Throw(ExArgument, "Type provided must be an Enum. (Parameter 'TEnum')")
				}
				return parse(t, c, 0, 1)
			}
			return parse(enumType(c, 0), c, 1, 2)
		}, ResultOf: func(_ *Type, _ []*Type, targs []*Type) *Type {
			if len(targs) > 0 {
				return targs[0]
			}
			return u.Object
		}},
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 2, TArgs: 1, Result: u.Bool, Out: []int{1}, Fn: tryParse},
		meth("GetNames", 1, 1, u.ArrayOf(u.String), func(c Call) Value {
			t := enumType(c, 0)
			names := make([]string, 0, len(t.EnumValues))
			for n := range t.EnumValues {
				names = append(names, n)
			}
			// declaration order is value order for the enums tollgate knows
			for i := 1; i < len(names); i++ {
				for j := i; j > 0 && t.EnumValues[names[j]] < t.EnumValues[names[j-1]]; j-- {
					names[j], names[j-1] = names[j-1], names[j]
				}
			}
			return StringArray(names)
		}),
		meth("IsDefined", 2, 2, u.Bool, func(c Call) Value {
			t := enumType(c, 0)
			switch x := c.Args[1].(type) {
			case string:
				_, ok := t.EnumValues[x]
				return ok
			case Enum:
				return x.T == t
			}
			n, ok := AsInt64(c.Args[1])
			if !ok {
				ThrowCast(c.Args[1], "System.Int32")
			}
			for _, v := range t.EnumValues {
				if v == n {
					return true
				}
			}
			return false
		}),
	)
}
