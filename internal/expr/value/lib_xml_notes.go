package value

// XObject annotations (AddAnnotation, Annotation, Annotations,
// RemoveAnnotations) follow the design of JToken's (lib_json_notes.go):
// they live beside the nodes and attributes in the request's Context, keyed
// by identity, so an object keeps them for the request. As in .NET, a copy
// (new XElement(other), new XDocument(other), a node added where it already
// has a parent) carries none: XObject annotations are not cloned.

// xnotesOf returns the XML annotation table of the evaluation's request;
// nil when the evaluation has no Context.
func xnotesOf(c Call) map[any][]Value {
	if c.Fr == nil || c.Fr.Ctx == nil {
		return nil
	}
	return c.Fr.Ctx.xnotes
}

// noteType returns the type an annotation call filters by: the type
// argument of the generic overload, or the Type argument of the other. The
// second result is the name of a Type tollgate has no *Type for.
func (u *Lib) noteType(c Call) (*Type, string) {
	if t := c.TArg(0); t != nil {
		return t, ""
	}
	if len(c.Args) == 0 {
		Throw(ExArgument, "The annotation type is missing: give a type argument <T> or pass typeof(T).")
	}
	c.NotNull(0, "type")
	tv, ok := c.Args[0].(*TypeValue)
	if !ok {
		ThrowCast(c.Args[0], "System.Type")
	}
	if t := u.Types[tv.Name]; t != nil && t.FullName == tv.Name {
		return t, ""
	}
	return nil, tv.Name
}

// noteMatches reports whether annotation v is of the type the call filters by.
func noteMatches(v Value, t *Type, name string) bool {
	if t != nil {
		return isOfType(v, t)
	}
	return v != nil && TypeName(v) == name
}

func (u *Lib) buildXMLNotes() {
	x := u.X
	obj := func(c Call) any {
		switch o := c.This.(type) {
		case *XNode:
			return o
		case *XAttr:
			return o
		}
		ThrowCast(c.This, "System.Xml.Linq.XObject")
		return nil
	}
	resultOf := func(seq bool) func(_ *Type, _, ta []*Type) *Type {
		return func(_ *Type, _, ta []*Type) *Type {
			t := u.Object
			if len(ta) > 0 && ta[0] != nil {
				t = ta[0]
			}
			if seq {
				return u.SeqOf(t)
			}
			return t
		}
	}
	x.XObject.add(
		meth("AddAnnotation", 1, 1, u.Void, func(c Call) Value {
			c.NotNull(0, "annotation")
			o := obj(c)
			if c.Fr == nil || c.Fr.Ctx == nil {
				return nil
			}
			c.Fr.Alloc(noteBytes)
			ctx := c.Fr.Ctx
			if ctx.xnotes == nil {
				ctx.xnotes = map[any][]Value{}
			}
			ctx.xnotes[o] = append(ctx.xnotes[o], c.Args[0])
			return nil
		}),
		// Annotation<T>() and Annotation(Type): the first annotation of the
		// type, or null.
		&Member{Name: "Annotation", Kind: Method, Min: 0, Max: 1, Fn: func(c Call) Value {
			t, name := u.noteType(c)
			for _, n := range xnotesOf(c)[obj(c)] {
				if noteMatches(n, t, name) {
					return n
				}
			}
			return nil
		}, ResultOf: resultOf(false)},
		// Annotations<T>() and Annotations(Type): every annotation of the
		// type, in the order added.
		&Member{Name: "Annotations", Kind: Method, Min: 0, Max: 1, Fn: func(c Call) Value {
			t, name := u.noteType(c)
			var out []Value
			for _, n := range xnotesOf(c)[obj(c)] {
				if noteMatches(n, t, name) {
					out = append(out, n)
				}
			}
			et := t
			if et == nil {
				et = u.Object
			}
			return &Seq{T: et, Items: out}
		}, ResultOf: resultOf(true)},
		// RemoveAnnotations<T>() and RemoveAnnotations(Type).
		&Member{Name: "RemoveAnnotations", Kind: Method, Min: 0, Max: 1, Result: u.Void, Fn: func(c Call) Value {
			t, name := u.noteType(c)
			notes := xnotesOf(c)
			o := obj(c)
			ns := notes[o]
			if len(ns) == 0 {
				return nil
			}
			kept := ns[:0:0]
			for _, n := range ns {
				if !noteMatches(n, t, name) {
					kept = append(kept, n)
				}
			}
			if len(kept) == 0 {
				delete(notes, o)
			} else {
				notes[o] = kept
			}
			return nil
		}},
	)
}
