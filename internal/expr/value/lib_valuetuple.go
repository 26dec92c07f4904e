package value

import (
	"strconv"
	"strings"
)

// ValueTuple is a C# value tuple whose elements have names, as .NET
// methods return them: Math.DivRem(7, 2) is (int Quotient, int Remainder),
// read as .Quotient or .Item1.
type ValueTuple struct {
	T     *Type
	Items []Value
}

// DotnetType implements Typed.
func (t *ValueTuple) DotnetType(*Lib) *Type { return t.T }

// DotnetString implements Stringer: "(3, 1)", as ValueTuple.ToString.
func (t *ValueTuple) DotnetString() string {
	parts := make([]string, len(t.Items))
	for i, v := range t.Items {
		parts[i] = ToString(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// ValueTupleOf returns the type of value tuples with these element names
// and types; each element is read by its name and as ItemN.
func (u *Lib) ValueTupleOf(names []string, types []*Type) *Type {
	key := "VT:"
	decl := make([]string, len(names))
	full := make([]string, len(names))
	for i, n := range names {
		t := orObject(u, types[i])
		key += n + ":" + typeKey(t) + ";"
		decl[i] = t.Name + " " + n
		full[i] = t.FullName
	}
	return u.generic(key, func() *Type {
		vt := &Type{Name: "(" + strings.Join(decl, ", ") + ")", FullName: "System.ValueTuple`" + strconv.Itoa(len(names)) + "[" + strings.Join(full, ",") + "]", Base: u.Object, Value: true}
		vt.Is = func(v Value) bool { x, ok := v.(*ValueTuple); return ok && x.T == vt }
		for i, n := range names {
			get := func(c Call) Value { return c.This.(*ValueTuple).Items[i] }
			vt.add(prop(n, orObject(u, types[i]), get), prop("Item"+strconv.Itoa(i+1), orObject(u, types[i]), get))
		}
		vt.add(
			meth("ToString", 0, 0, u.String, func(c Call) Value { return c.This.(*ValueTuple).DotnetString() }),
			meth("Equals", 1, 1, u.Bool, func(c Call) Value {
				a := c.This.(*ValueTuple)
				b, ok := c.Args[0].(*ValueTuple)
				if !ok || b.T != a.T {
					return false
				}
				for i := range a.Items {
					if !Equals(a.Items[i], b.Items[i]) {
						return false
					}
				}
				return true
			}),
		)
		return vt
	})
}
