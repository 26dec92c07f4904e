package value

import (
	"strings"
)

// DefaultMaxMemory is the default memory budget of one evaluation: the bytes
// its strings, arrays, collections, builders, JSON and XML documents may
// take, counted as they are made.
const DefaultMaxMemory = 16 << 20

// slotBytes is what one element of an array or collection is counted as.
const slotBytes = 16

// parseFactor is what one byte of JSON or XML text is counted as once
// parsed into a document.
const parseFactor = 4

// argLen estimates the bytes of the string form of v without building it.
func argLen(v Value) int64 {
	switch x := v.(type) {
	case string:
		return int64(len(x))
	case nil:
		return 0
	case []byte:
		return int64(len(x))
	case *Array:
		n := int64(0)
		for _, e := range x.Items {
			n += argLen(e)
		}
		return n
	case *List:
		n := int64(0)
		for _, e := range x.Items {
			n += argLen(e)
		}
		return n
	case *Seq:
		n := int64(0)
		for _, e := range x.Items {
			n += argLen(e)
		}
		return n
	case *StringBuilder:
		return int64(x.B.Len())
	}
	return slotBytes
}

func argsLen(args []Value) int64 {
	n := int64(0)
	for _, a := range args {
		n += argLen(a)
	}
	return n
}

// formatWidths sums the alignment widths of a composite format string
// ("{0,-2000}"): the padding string.Format would add.
func formatWidths(f string) int64 {
	n := int64(0)
	for i := 0; i < len(f); i++ {
		if f[i] != ',' {
			continue
		}
		j := i + 1
		for j < len(f) && (f[j] == ' ' || f[j] == '-') {
			j++
		}
		w := int64(0)
		for j < len(f) && f[j] >= '0' && f[j] <= '9' && w < 1<<40 {
			w = w*10 + int64(f[j]-'0')
			j++
		}
		n += w
	}
	return n
}

// replaceLen is the length of s with every old replaced by new.
func replaceLen(s, old, new string) int64 {
	if old == "" || len(new) <= len(old) {
		return int64(len(s))
	}
	return int64(len(s)) + int64(strings.Count(s, old))*int64(len(new)-len(old))
}

// charged lists the members charge has wrapped: a member shared by two
// types is wrapped once.
var charged = map[*Member]bool{}

// charge makes member m count cost(c) bytes against the memory budget
// before it runs. It runs while the library is built, once.
func charge(m *Member, cost func(c Call) int64) {
	if m == nil || charged[m] {
		return
	}
	charged[m] = true
	if fn := m.Fn; fn != nil {
		m.Fn = func(c Call) Value {
			c.Fr.Alloc(cost(c))
			return fn(c)
		}
	}
	if set := m.Set; set != nil {
		m.Set = func(c Call, v Value) {
			c.Fr.Alloc(slotBytes)
			set(c, v)
		}
	}
}

// buildBudget makes the members that allocate in proportion to their
// arguments count against the memory budget before they allocate, so that
// a hostile size fails at once instead of taking the memory.
func (u *Lib) buildBudget() {
	s := u.String
	this := func(c Call) string { s, _ := c.This.(string); return s }
	str := func(c Call, i int) string {
		if i < len(c.Args) {
			if x, ok := c.Args[i].(string); ok {
				return x
			}
			if ch, ok := c.Args[i].(Char); ok {
				return string(rune(ch))
			}
		}
		return ""
	}
	pad := func(c Call) int64 { return max(int64(c.Int(0)), int64(len(this(c)))) }
	charge(s.Members["PadLeft"], pad)
	charge(s.Members["PadRight"], pad)
	charge(s.Members["Insert"], func(c Call) int64 { return int64(len(this(c))) + argLen(c.Arg(1)) })
	charge(s.Members["Replace"], func(c Call) int64 { return replaceLen(this(c), str(c, 0), str(c, 1)) })
	charge(s.Members["Split"], func(c Call) int64 { return int64(len(this(c))) })
	charge(s.Statics["Concat"], func(c Call) int64 { return argsLen(c.Args) })
	charge(s.Statics["Join"], func(c Call) int64 { return argsLen(c.Args) })
	charge(s.Statics["Format"], func(c Call) int64 {
		return argsLen(c.Args) + formatWidths(str(c, 0))
	})
	if sb := u.Types["StringBuilder"]; sb != nil {
		charge(sb.Members["Append"], func(c Call) int64 {
			if _, ok := c.Arg(0).(Char); ok && c.Has(1) {
				return int64(c.Int(1))
			}
			return argLen(c.Arg(0))
		})
		charge(sb.Members["AppendLine"], func(c Call) int64 { return argLen(c.Arg(0)) + 2 })
		charge(sb.Members["AppendFormat"], func(c Call) int64 { return argsLen(c.Args) + formatWidths(str(c, 0)) })
		charge(sb.Members["Insert"], func(c Call) int64 { return int64(c.This.(*StringBuilder).B.Len()) + argLen(c.Arg(1)) })
		charge(sb.Members["Replace"], func(c Call) int64 {
			return replaceLen(c.This.(*StringBuilder).B.String(), str(c, 0), str(c, 1))
		})
		charge(sb.Members["ToString"], func(c Call) int64 { return int64(c.This.(*StringBuilder).B.Len()) })
	}
	slot := func(Call) int64 { return slotBytes }
	for _, t := range []*Type{u.listBase, u.dictBase, u.Types["HashSet"], u.Types["Queue"], u.Types["Stack"]} {
		if t == nil {
			continue
		}
		for _, n := range []string{"Add", "Insert", "Enqueue", "Push", "[]"} {
			charge(t.Members[n], slot)
		}
		charge(t.Members["AddRange"], func(c Call) int64 {
			it, _ := Items(c.Arg(0))
			return int64(len(it)) * slotBytes
		})
	}
	count := func(i int) func(c Call) int64 { return func(c Call) int64 { return int64(c.Int(i)) * slotBytes } }
	if en := u.Types["Enumerable"]; en != nil {
		charge(en.Statics["Range"], count(1))
		charge(en.Statics["Repeat"], count(1))
	}
	parsed := func(c Call) int64 { return int64(len(str(c, 0))) * parseFactor }
	for _, t := range []*Type{u.JToken, u.JObject, u.JArray, u.X.XDocument, u.X.XElement} {
		if t != nil {
			charge(t.Statics["Parse"], parsed)
		}
	}
	for _, t := range []*Type{u.JObject, u.JArray} {
		if t != nil {
			for _, n := range []string{"Add", "Insert", "[]"} {
				charge(t.Members[n], slot)
			}
		}
	}
	if cv := u.Types["Convert"]; cv != nil {
		charge(cv.Statics["ToBase64String"], func(c Call) int64 { return argLen(c.Arg(0))*4/3 + 4 })
		charge(cv.Statics["FromBase64String"], func(c Call) int64 { return argLen(c.Arg(0)) })
		charge(cv.Statics["ToHexString"], func(c Call) int64 { return argLen(c.Arg(0)) * 2 })
	}
	if enc := u.Encoding; enc != nil {
		charge(enc.Members["GetBytes"], func(c Call) int64 { return argLen(c.Arg(0)) * 3 })
		charge(enc.Members["GetString"], func(c Call) int64 { return argLen(c.Arg(0)) * 3 })
	}
}
