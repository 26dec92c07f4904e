package value

import (
	"hash/fnv"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// StringWriter is a System.IO.StringWriter over a StringBuilder.
type StringWriter struct {
	SB *StringBuilder
	// NL is the line terminator WriteLine writes; "" is "\r\n".
	NL string
}

// DotnetType implements Typed.
func (w *StringWriter) DotnetType(u *Lib) *Type { return u.Types["StringWriter"] }

// DotnetString implements Stringer.
func (w *StringWriter) DotnetString() string { return w.SB.B.String() }

// SystemTimeZone is the obsolete System.TimeZone (CurrentTimeZone), which
// is UTC in tollgate.
type SystemTimeZone struct{}

// DotnetType implements Typed.
func (SystemTimeZone) DotnetType(u *Lib) *Type { return u.Types["TimeZone"] }

// XNodeComparer is an XNodeEqualityComparer.
type XNodeComparer struct{}

// DotnetType implements Typed.
func (XNodeComparer) DotnetType(u *Lib) *Type { return u.Types["XNodeEqualityComparer"] }

func (u *Lib) buildMiscMore() {
	sw := u.newType("StringWriter", "System.IO.StringWriter", u.Object)
	sw.New = func(c Call) Value {
		if sb, ok := c.Arg(0).(*StringBuilder); ok {
			return &StringWriter{SB: sb}
		}
		return &StringWriter{SB: &StringBuilder{}}
	}
	w := func(c Call) *StringWriter { return c.This.(*StringWriter) }
	write := func(line bool) func(c Call) Value {
		return func(c Call) Value {
			b := &w(c).SB.B
			switch {
			case len(c.Args) > 1:
				b.WriteString(Format(c.Str(0), c.Args[1:]))
			case len(c.Args) == 1:
				if a, ok := c.Args[0].(*Array); ok && a.T == u.Char {
					for _, ch := range a.Items {
						b.WriteRune(rune(ch.(Char)))
					}
				} else {
					b.WriteString(ToString(c.Args[0]))
				}
			}
			if line {
				b.WriteString(w(c).NewLine())
			}
			return nil
		}
	}
	sw.add(
		meth("Write", 1, -1, u.Void, write(false)),
		meth("WriteLine", 0, -1, u.Void, write(true)),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return w(c).SB.B.String() }),
		meth("GetStringBuilder", 0, 0, u.Types["StringBuilder"], func(c Call) Value { return w(c).SB }),
		prop("NewLine", u.String, func(c Call) Value { return "\r\n" }),
		meth("Flush", 0, 0, u.Void, func(c Call) Value { return nil }),
		meth("Close", 0, 0, u.Void, func(c Call) Value { return nil }),
		meth("Dispose", 0, 0, u.Void, func(c Call) Value { return nil }),
	)

	tz := u.newType("TimeZone", "System.TimeZone", u.Object)
	tz.addStatic(prop("CurrentTimeZone", tz, func(Call) Value { return SystemTimeZone{} }))
	dt := func(c Call) time.Time {
		t, ok := c.Args[0].(time.Time)
		if !ok {
			ThrowCast(c.Args[0], "System.DateTime")
		}
		return t
	}
	tz.add(
		prop("StandardName", u.String, func(Call) Value { return "Coordinated Universal Time" }),
		prop("DaylightName", u.String, func(Call) Value { return "Coordinated Universal Time" }),
		meth("GetUtcOffset", 1, 1, u.TimeSpan, func(c Call) Value { dt(c); return TimeSpan(0) }),
		meth("IsDaylightSavingTime", 1, 1, u.Bool, func(c Call) Value { dt(c); return false }),
		meth("ToLocalTime", 1, 1, u.DateTime, func(c Call) Value { return WithKind(dt(c), dotnet.Local) }),
		meth("ToUniversalTime", 1, 1, u.DateTime, func(c Call) Value { return WithKind(dt(c), dotnet.Utc) }),
	)

	xc := u.newType("XNodeEqualityComparer", "System.Xml.Linq.XNodeEqualityComparer", u.Object)
	xc.New = func(Call) Value { return XNodeComparer{} }
	node := func(v Value) *XNode {
		n, ok := v.(*XNode)
		if !ok && v != nil {
			ThrowCast(v, "System.Xml.Linq.XNode")
		}
		return n
	}
	xc.add(
		meth("Equals", 2, 2, u.Bool, func(c Call) Value {
			a, b := node(c.Args[0]), node(c.Args[1])
			if a == nil || b == nil {
				return a == b
			}
			return a.XML(false) == b.XML(false)
		}),
		meth("GetHashCode", 1, 1, u.Int, func(c Call) Value {
			n := node(c.Args[0])
			if n == nil {
				return int32(0)
			}
			h := fnv.New32a()
			h.Write([]byte(n.XML(false)))
			return int32(h.Sum32())
		}),
	)
	u.X.XNode.addStatic(prop("EqualityComparer", xc, func(Call) Value { return XNodeComparer{} }))
}
