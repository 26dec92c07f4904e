package value

import "github.com/tollgate/tollgate/internal/jsonx"

// Annotations (JToken.AddAnnotation, Annotation<T>) have no room in a
// jsonx token, so they live beside the tokens in the request's Context,
// keyed by token identity: a token keeps its annotations from expression to
// expression of one request (through context.Variables), and they go with
// the Context. As in Json.NET 13, a clone carries the annotations of the
// tokens it copies: DeepClone, the copy constructors, and the copy a
// container makes of a token that already has a parent.

// noteBytes is what one annotation counts against the memory budget: the
// reference kept, and its share of the table.
const noteBytes = 48

// notesOf returns the annotation table of the evaluation's request; nil
// when the evaluation has no Context.
func notesOf(c Call) map[*jsonx.Token][]Value {
	if c.Fr == nil || c.Fr.Ctx == nil {
		return nil
	}
	return c.Fr.Ctx.notes
}

// addNote is JToken.AddAnnotation.
func addNote(c Call, t *jsonx.Token, note Value) {
	if c.Fr == nil || c.Fr.Ctx == nil {
		return
	}
	c.Fr.Alloc(noteBytes)
	ctx := c.Fr.Ctx
	if ctx.notes == nil {
		ctx.notes = map[*jsonx.Token][]Value{}
	}
	ctx.notes[t] = append(ctx.notes[t], note)
}

// carryNotes gives dst, a deep copy of src, the annotations of src and of
// every token under it, each on the token at the same place.
func carryNotes(c Call, src, dst *jsonx.Token) {
	notes := notesOf(c)
	if len(notes) == 0 || src == dst {
		return
	}
	var walk func(s, d *jsonx.Token)
	walk = func(s, d *jsonx.Token) {
		if s == nil || d == nil {
			return
		}
		if ns := notes[s]; len(ns) > 0 {
			c.Fr.Alloc(int64(len(ns)) * noteBytes)
			notes[d] = append(notes[d], ns...)
		}
		sc, dc := s.Children(), d.Children()
		for i := range min(len(sc), len(dc)) {
			walk(sc[i], dc[i])
		}
	}
	walk(src, dst)
}

// cloneNoted is DeepClone with the annotations.
func cloneNoted(c Call, t *jsonx.Token) *jsonx.Token {
	cl := t.DeepClone()
	carryNotes(c, t, cl)
	return cl
}

// adoptable is ToToken for content a container takes in: a token that
// already has a parent is copied here, with its annotations, where jsonx
// would copy it without them.
func adoptable(c Call, v Value) *jsonx.Token {
	t := ToToken(v)
	if t == nil || t.Parent() == nil || len(notesOf(c)) == 0 {
		return t
	}
	return cloneNoted(c, t)
}

// noteOf is JToken.Annotation<T>(): the first annotation of type t, or null.
func noteOf(c Call, tok *jsonx.Token, t *Type) Value {
	for _, n := range notesOf(c)[tok] {
		if isOfType(n, t) {
			return n
		}
	}
	return nil
}

// isOfType reports whether a non-null value is a t, as `is` tests it.
func isOfType(v Value, t *Type) bool {
	if v == nil || t == nil {
		return false
	}
	if t.Is != nil {
		return t.Is(v)
	}
	vt := TypeOf(v)
	return vt != nil && vt.AssignableTo(t)
}

func (u *Lib) buildJSONNotes() {
	tok := func(c Call) *jsonx.Token { return c.This.(*jsonx.Token) }
	u.JToken.add(
		meth("AddAnnotation", 1, 1, u.Void, func(c Call) Value {
			c.NotNull(0, "annotation")
			addNote(c, tok(c), c.Args[0])
			return nil
		}),
		&Member{Name: "Annotation", Kind: Method, TArgs: 1, Fn: func(c Call) Value {
			return noteOf(c, tok(c), c.TArg(0))
		}, ResultOf: func(_ *Type, _ []*Type, ta []*Type) *Type {
			if len(ta) == 0 {
				return u.Object
			}
			return ta[0]
		}},
	)
	// last: JRaw, JConstructor, CreateReader and CreateWriter build on the
	// JToken members above
	u.buildJSONRaw()
}
