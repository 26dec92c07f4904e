package value

import (
	"strings"
)

// StringBuilder is a System.Text.StringBuilder.
type StringBuilder struct {
	B strings.Builder
	// size tracks the chunks of .NET's builder, for Capacity (see
	// capacity_sb.go).
	size sbSize
}

// DotnetType implements Typed.
func (s *StringBuilder) DotnetType(u *Lib) *Type { return u.Types["StringBuilder"] }

// DotnetString implements Stringer.
func (s *StringBuilder) DotnetString() string { return s.B.String() }

func (u *Lib) buildKnownOnly() {
	sb := u.newType("StringBuilder", "System.Text.StringBuilder", u.Object)
	sb.New = func(c Call) Value {
		s := &StringBuilder{}
		if c.Has(0) {
			if str, ok := c.Args[0].(string); ok {
				s.B.WriteString(str)
			}
		}
		return s
	}
	b := func(c Call) *StringBuilder { return c.This.(*StringBuilder) }
	sb.add(
		meth("Append", 1, 3, sb, func(c Call) Value {
			if ch, ok := c.Args[0].(Char); ok && c.Has(1) {
				b(c).B.WriteString(strings.Repeat(string(rune(ch)), c.Int(1)))
			} else {
				b(c).B.WriteString(ToString(c.Args[0]))
			}
			return c.This
		}),
		meth("AppendLine", 0, 1, sb, func(c Call) Value {
			if c.Has(0) {
				b(c).B.WriteString(c.Str(0))
			}
			b(c).B.WriteString("\r\n")
			return c.This
		}),
		meth("AppendFormat", 1, -1, sb, func(c Call) Value { b(c).B.WriteString(Format(c.Str(0), c.Args[1:])); return c.This }),
		meth("Clear", 0, 0, sb, func(c Call) Value { b(c).B.Reset(); return c.This }),
		meth("Insert", 2, 2, sb, func(c Call) Value {
			r := []rune(b(c).B.String())
			i := c.Int(0)
			if i < 0 || i > len(r) {
				Throw(ExArgRange, "Index was out of range. (Parameter 'index')")
			}
			s := string(r[:i]) + ToString(c.Args[1]) + string(r[i:])
			b(c).B.Reset()
			b(c).B.WriteString(s)
			return c.This
		}),
		meth("Replace", 2, 2, sb, func(c Call) Value {
			s := strings.ReplaceAll(b(c).B.String(), c.Str(0), c.Str(1))
			b(c).B.Reset()
			b(c).B.WriteString(s)
			return c.This
		}),
		prop("Length", u.Int, func(c Call) Value { return int32(strLen(b(c).B.String())) }),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return b(c).B.String() }),
	)
}
