package compile

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

// argShape is what the compiler knows of one call argument when it picks
// an overload of the member table.
type argShape struct {
	typ    *value.Type // static type; nil when unknown
	lambda bool        // a lambda literal
	null   bool        // the null literal
	zero   bool        // the constant 0 (converts to any enum)
}

func shapesOf(args []argInfo, buf []argShape) ([]argShape, bool) {
	out := buf[:0]
	if cap(out) < len(args) {
		out = make([]argShape, 0, len(args))
	}
	out = out[:len(args)]
	for i, a := range args {
		if a.x.Name != "" {
			return nil, false // named arguments: the table check is skipped
		}
		_, isLambda := a.x.X.(*syntax.Lambda)
		n := a.n
		out[i] = argShape{typ: n.typ, lambda: isLambda, null: n.isConst && n.cval == nil, zero: n.isConst && n.cval == int32(0)}
		if isLambda {
			out[i].typ = nil
		}
	}
	return out, true
}

// checkOverload rejects, at compile time, a call that only unsupported
// overloads of the member table match: tollgate knows the .NET member but
// does not run that overload. It reports at [pos, end), the member's name.
func (c *compiler) checkOverload(t *value.Type, name string, static bool, args []argInfo, pos, end int) bool {
	rows := value.OverloadsOf(t, name, static)
	if rows == nil {
		return true
	}
	var buf [8]argShape
	shapes, ok := shapesOf(args, buf[:])
	if !ok {
		return true
	}
	var unsupported *value.Overload
	for _, o := range rows {
		if o.Property || !c.overloadMatches(o, shapes) {
			continue
		}
		if o.Supported {
			return true
		}
		if unsupported == nil {
			unsupported = o
		}
	}
	if unsupported == nil {
		return true
	}
	if unsupported.APIM != "" {
		// The argument that needs a type outside the allowed list has
		// said so already, in API Management's words.
		if !c.errorWithin(args) {
			c.report(apimRefusal(unsupported.APIM, pos, end))
		}
		return false
	}
	if unsupported.Refused != "" {
		c.errorf(pos, end, "member-refused", "tollgate does not run %s: %s", unsupported, unsupported.Refused)
		return false
	}
	e := c.errorf(pos, end, "unsupported-member", "tollgate does not support %s", unsupported)
	var sup []string
	for _, o := range rows {
		if o.Supported && !o.Property {
			sup = append(sup, o.String())
		}
	}
	if len(sup) > 0 {
		e.Notes = append(e.Notes, "supported overloads: "+strings.Join(sup, "; "))
	}
	return false
}

// errorWithin reports whether an error has been reported inside one of
// args.
func (c *compiler) errorWithin(args []argInfo) bool {
	for _, a := range args {
		s, e := a.x.X.Span()
		for _, err := range c.errs {
			if err.Pos >= s && err.Pos < e {
				return true
			}
		}
	}
	return false
}

// unsupportedNote explains a member that the member table lists but the
// library does not provide.
func (c *compiler) unsupportedNote(e *Error, t *value.Type, name string, static bool) {
	for _, o := range value.OverloadsOf(t, name, static) {
		if !o.Supported {
			if o.APIM != "" {
				// API Management refuses it too: say so in its words.
				*e = *apimRefusal(o.APIM, e.Pos, e.End)
				return
			}
			if o.Refused != "" {
				e.Msg = fmt.Sprintf("tollgate does not run %s.%s: %s", o.Type, o.Member, o.Refused)
				e.Code = "member-refused"
				return
			}
			e.Msg = fmt.Sprintf("tollgate does not support %s.%s", o.Type, o.Member)
			e.Code = "unsupported-member"
			return
		}
	}
}

func (c *compiler) overloadMatches(o *value.Overload, args []argShape) bool {
	if !o.Accepts(len(args)) {
		return false
	}
	for i, a := range args {
		var p value.OverloadParam
		if i < len(o.Params) {
			p = o.Params[i]
		} else {
			p = o.Params[len(o.Params)-1]
		}
		pt := p.Type
		if p.Params && !(i == len(o.Params)-1 && len(args) == len(o.Params) && a.typ != nil && strings.HasSuffix(a.typ.Name, "[]")) {
			pt = strings.TrimSuffix(pt, "[]")
		}
		if !c.paramAccepts(pt, a) {
			return false
		}
	}
	return true
}

var delegateTypes = []string{"Func<", "Func", "Action<", "Action", "MatchEvaluator", "Predicate<", "Comparison<"}

func isDelegateName(p string) bool {
	for _, d := range delegateTypes {
		if p == d || strings.HasSuffix(d, "<") && strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// isGenericName reports whether p names a method's type parameter (T,
// TSource, TKey...).
func isGenericName(p string) bool {
	if p == "T" {
		return true
	}
	return len(p) > 1 && p[0] == 'T' && p[1] >= 'A' && p[1] <= 'Z' && !strings.ContainsAny(p, "<[.")
}

// paramAccepts reports whether an argument of shape a may be passed for a
// parameter of the C# type p.
func (c *compiler) paramAccepts(p string, a argShape) bool {
	u := c.u
	nullable := strings.HasSuffix(p, "?")
	p = strings.TrimSuffix(p, "?")
	if a.lambda {
		return isDelegateName(p)
	}
	if isGenericName(p) {
		return true
	}
	if a.null {
		pt := u.Lookup(p, nil, 0)
		return nullable || pt == nil || !pt.Value && pt.EnumValues == nil // enums are value types
	}
	t := a.typ
	if t == nil || t == u.Object || t.Open {
		return true
	}
	if isDelegateName(p) {
		return t == u.Func
	}
	if p == "object" {
		return true
	}
	if p == "byte[]" && t.Name == "ReadOnlySpan<byte>" {
		return true // C# binds the span overload, which the byte[] one runs
	}
	if strings.HasSuffix(p, "[]") {
		if t == u.Bytes {
			return p == "byte[]" || isGenericName(strings.TrimSuffix(p, "[]"))
		}
		el := strings.TrimSuffix(p, "[]")
		if t.Elem == nil || !strings.HasSuffix(t.Name, "[]") {
			return false
		}
		return isGenericName(el) || c.paramAccepts(el, argShape{typ: t.Elem})
	}
	base := p
	if i := strings.IndexByte(base, '<'); i >= 0 {
		base = base[:i]
	}
	switch base {
	case "IEqualityComparer":
		return t.Name == "StringComparer" || t.Implements("IEqualityComparer") // a dictionary's Comparer
	case "IComparer":
		return t.Name == "StringComparer"
	case "IFormatProvider", "CultureInfo", "NumberStyles", "DateTimeStyles", "ReadOnlySpan", "Span":
		return false
	}
	pt := u.Lookup(base, nil, 0)
	if pt == nil {
		return false
	}
	if pt.EnumValues != nil && a.zero {
		return true
	}
	t = value.Underlying(t)
	if t == pt || isNumeric(t) && isNumeric(pt) && widens(u, t, pt) {
		return true
	}
	if pt.Generic != "" || strings.Contains(p, "<") {
		return t.Implements(pt.Name) || pt.Generic != "" && (t.Generic == pt.Generic || t.Implements(pt.Generic))
	}
	return c.assignable(t, pt, false)
}
