package compile

import (
	"strings"

	"github.com/tollgate/tollgate/internal/expr/value"
)

// isGenericRow reports whether the overload o of the member table declares
// type parameters of its own (TryParse<TEnum>(...)), which a call must
// give or let C# infer.
func isGenericRow(o *value.Overload) bool {
	return strings.Contains(o.Signature, " "+o.Member+"<")
}

// nonGenericRows returns the supported methods of the member table named
// name of t that take no type parameters and n arguments.
func nonGenericRows(t *value.Type, name string, static bool, n int) []*value.Overload {
	var out []*value.Overload
	for _, o := range value.OverloadsOf(t, name, static) {
		if o.Supported && !o.Property && !isGenericRow(o) && o.Accepts(n) {
			out = append(out, o)
		}
	}
	return out
}

// hasNonGenericRow reports whether a call of name with n arguments, written
// without type arguments, may bind to a non-generic overload of the member
// table, whose member also has a generic form (Enum.TryParse).
func hasNonGenericRow(t *value.Type, name string, static bool, n int) bool {
	return len(nonGenericRows(t, name, static, n)) > 0
}

// nonGenericMatch reports whether the compiled arguments of such a call
// match one of those non-generic overloads.
func (c *compiler) nonGenericMatch(t *value.Type, name string, static bool, args []argInfo) bool {
	rows := nonGenericRows(t, name, static, len(args))
	if len(rows) == 0 {
		return false
	}
	var buf [8]argShape
	shapes, ok := shapesOf(args, buf[:])
	if !ok {
		return true // named arguments: as checkOverload, do not judge
	}
	for _, o := range rows {
		if c.overloadMatches(o, shapes) {
			return true
		}
	}
	return false
}
