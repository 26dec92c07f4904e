package graphql

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// rewrite cuts the removed fields out of operation op and prints the document
// to forward: op alone (other operations are dropped) and the fragments it
// still spreads. A field, inline fragment or fragment whose selection set is
// left empty goes too, and so do spreads of an emptied fragment; an
// operation left with nothing selects __typename, so that the forwarded query
// is still valid GraphQL. Variable definitions no longer used are dropped.
func (w *walker) rewrite(op *ast.OperationDefinition) string {
	op.SelectionSet = w.prune(op.SelectionSet)
	if len(op.SelectionSet) == 0 {
		op.SelectionSet = ast.SelectionSet{&ast.Field{Alias: "__typename", Name: "__typename"}}
	}
	var kept ast.FragmentDefinitionList
	for i, f := range w.doc.Fragments {
		if w.frags[i].prune == 2 && w.fragment(f.Name) == i {
			kept = append(kept, f)
		}
	}
	used := map[string]bool{}
	usedInDirectives(used, op.Directives)
	usedInSet(used, op.SelectionSet)
	for _, f := range kept {
		usedInDirectives(used, f.Directives)
		usedInSet(used, f.SelectionSet)
	}
	vars := op.VariableDefinitions[:0]
	for _, v := range op.VariableDefinitions {
		if used[v.Variable] {
			vars = append(vars, v)
		}
	}
	op.VariableDefinitions = vars

	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatQueryDocument(&ast.QueryDocument{
		Operations: ast.OperationList{op},
		Fragments:  kept,
	})
	return b.String()
}

// prune removes the removed fields from set, and whatever they leave empty.
func (w *walker) prune(set ast.SelectionSet) ast.SelectionSet {
	out := set[:0]
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			if w.isRemoved(x) {
				continue
			}
			if len(x.SelectionSet) > 0 {
				if x.SelectionSet = w.prune(x.SelectionSet); len(x.SelectionSet) == 0 {
					continue
				}
			}
		case *ast.InlineFragment:
			if x.SelectionSet = w.prune(x.SelectionSet); len(x.SelectionSet) == 0 {
				continue
			}
		case *ast.FragmentSpread:
			i := w.fragment(x.Name)
			if i < 0 {
				continue
			}
			f := &w.frags[i]
			if f.prune == 0 {
				f.prune = 1
				def := w.doc.Fragments[i]
				def.SelectionSet = w.prune(def.SelectionSet)
				f.prune = 2
				if len(def.SelectionSet) == 0 {
					f.prune = 3
				}
			}
			if f.prune == 3 {
				continue
			}
		}
		out = append(out, sel)
	}
	// Clear the tail so that the cut selections are not kept alive.
	clear(set[len(out):])
	return out
}

// isRemoved reports whether a remove rule decided field x.
func (w *walker) isRemoved(x *ast.Field) bool {
	for _, f := range w.removed {
		if f == x {
			return true
		}
	}
	return false
}

// usedInSet records the variables a selection set uses (not through
// fragment spreads: the caller visits the kept fragments).
func usedInSet(used map[string]bool, set ast.SelectionSet) {
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			for _, a := range x.Arguments {
				usedInValue(used, a.Value)
			}
			usedInDirectives(used, x.Directives)
			usedInSet(used, x.SelectionSet)
		case *ast.InlineFragment:
			usedInDirectives(used, x.Directives)
			usedInSet(used, x.SelectionSet)
		case *ast.FragmentSpread:
			usedInDirectives(used, x.Directives)
		}
	}
}

// usedInDirectives records the variables directives' arguments use.
func usedInDirectives(used map[string]bool, ds ast.DirectiveList) {
	for _, d := range ds {
		for _, a := range d.Arguments {
			usedInValue(used, a.Value)
		}
	}
}

// usedInValue records the variables a value uses.
func usedInValue(used map[string]bool, v *ast.Value) {
	if v == nil {
		return
	}
	if v.Kind == ast.Variable {
		used[v.Raw] = true
	}
	for _, c := range v.Children {
		usedInValue(used, c.Value)
	}
}
