package compile

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

// typeRef resolves a written type, reporting unknown names.
func (c *compiler) typeRef(t *syntax.TypeRef) *value.Type {
	u := c.u
	if t.Name == "var" || t.Name == "dynamic" {
		return nil
	}
	var args []*value.Type
	for _, a := range t.Args {
		at := c.typeRef(a)
		if at == nil && a.Name != "var" {
			at = u.Object
		}
		args = append(args, at)
	}
	name := t.Name
	if name == "String" {
		name = "string"
	}
	r := u.Lookup(name, args, t.Array)
	if r != nil && t.Nullable {
		// T? and T?[]
		r = u.NullableOf(u.Lookup(name, args, 0))
		for range t.Array {
			r = u.ArrayOf(r)
		}
	}
	if r == nil {
		if strings.HasPrefix(name, "Func") || strings.HasPrefix(name, "Action") || name == "Func" {
			return u.Func
		}
		if len(args) > 0 {
			if base := u.Lookup(name, nil, t.Array); base != nil {
				return base
			}
		}
		if c.typeNotAllowed(t.Name, t.Pos, t.End) {
			return nil
		}
		e := c.errorf(t.Pos, t.End, "unknown-type", "the type or namespace name '%s' could not be found", t.Name)
		var cands []string
		for n := range u.Types {
			if !strings.Contains(n, ".") {
				cands = append(cands, n)
			}
		}
		if s := nearest(t.Name, cands); s != "" {
			e.Notes = append(e.Notes, fmt.Sprintf("did you mean '%s'?", s))
		}
		return nil
	}
	return r
}

// assignable reports whether a value of static type from can be stored in a
// variable of type to without a cast.
func (c *compiler) assignable(from, to *value.Type, isNullConst bool) bool {
	u := c.u
	if to != nil && to.Generic == "Nullable" {
		if isNullConst || from == to {
			return true
		}
		to = to.Elem
		from = value.Underlying(from)
	}
	if from != nil && from.Generic == "Nullable" && to != nil && to.Value {
		return false // T? to T needs a cast
	}
	if to == nil || from == nil || to == u.Object || from == to || from.Open || to.Open {
		return !(isNullConst && to != nil && to.Value)
	}
	if isNumeric(from) && isNumeric(to) {
		return value.ImplicitNumeric(from, to)
	}
	if from == u.Object {
		return false
	}
	if from == u.String && (to == u.X.XNamespace || to == u.X.XName) {
		return true // implicit conversions from string
	}
	if value.IsJSONType(to) && (from.Value || from == u.String) {
		return true // implicit conversions to JToken
	}
	return from.AssignableTo(to)
}
