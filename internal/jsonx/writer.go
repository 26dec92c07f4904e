package jsonx

// Writer is Json.NET's JTokenWriter over a container, the JsonWriter
// JContainer.CreateWriter returns: the tokens written to it (Write, which
// is JToken.WriteTo(writer)) are added to the container as new tokens as
// they are written, under JsonWriter's rules. Into an object, a property
// replaces one of the same name (and moves to the end) and a comment is
// left out; a value that is not a property fails as JObject.Add does, or,
// after a property with a value, as the writer's state says.
type Writer struct {
	writerState
	parent *Token // where the next token goes
}

// NewWriter returns a writer adding to the container c.
func NewWriter(c *Token) *Writer { return &Writer{parent: c} }

// Write is t.WriteTo(writer): it writes t, and everything under it, as
// the tokens JToken.WriteTo writes, each added to the container as it is
// written. An error leaves what was added before it, and the writer in
// the state it was in then, as in Json.NET.
func (w *Writer) Write(t *Token) error {
	switch t.typ {
	case Object, Array, Constructor:
		var c *Token
		kind := "Start" + t.typ.String()
		switch t.typ {
		case Object:
			c = NewObject()
		case Array:
			c = NewArray()
		default:
			if _, err := w.start(kind, Constructor); err != nil {
				return err
			}
			var err error
			if c, err = readerConstructor(t, false); err != nil {
				return err
			}
			if err := w.addParent(c); err != nil {
				return err
			}
			return w.rest(t)
		}
		if _, err := w.start(kind, t.typ); err != nil {
			return err
		}
		if err := w.addParent(c); err != nil {
			return err
		}
		return w.rest(t)
	case Property:
		// JTokenWriter.WritePropertyName: the property goes in before the
		// writer's state is checked.
		if w.parent != nil && w.parent.typ == Object {
			w.parent.RemoveProperty(t.str)
		}
		p := &Token{typ: Property, str: t.str}
		if err := w.addParent(p); err != nil {
			return err
		}
		if _, err := w.property(t.str); err != nil {
			return err
		}
		err := w.Write(t.value)
		if p.value == nil {
			// a comment is no property value: the property is left
			// without one, which prints as null
			p.value = NewNull()
			p.value.parent = p
		}
		return err
	case Comment:
		if _, err := w.autoComplete("Comment", "Comment"); err != nil {
			return err
		}
		return w.addValue(NewComment(t.str))
	case Raw:
		// WriteRawValue: a value as far as the state goes, added as a JRaw
		// of the text
		if _, err := w.value("Undefined"); err != nil {
			return err
		}
		if t.num != 0 {
			return w.addValue(NewRawValue("", nil))
		}
		return w.addValue(NewRaw(t.str))
	}
	name := "Null"
	switch t.typ {
	case Integer:
		name = "Integer"
	case Float:
		name = "Float"
	case String, Guid, Uri, TimeSpan:
		name = "String"
	case Boolean:
		name = "Boolean"
	case Undefined:
		name = "Undefined"
	case Date:
		name = "Date"
	case Bytes:
		name = "Bytes"
	}
	if _, err := w.value(name); err != nil {
		return err
	}
	c := t.DeepClone()
	return w.addValue(c)
}

// rest writes the children of the container t has opened and closes it.
func (w *Writer) rest(t *Token) error {
	for _, c := range t.items {
		if err := w.Write(c); err != nil {
			return err
		}
	}
	null, err := w.end(t.typ)
	if err != nil {
		return err
	}
	if null {
		if _, err := w.value("Null"); err != nil {
			return err
		}
		if err := w.addValue(NewNull()); err != nil {
			return err
		}
	}
	// JTokenWriter.RemoveParent
	if w.parent != nil {
		w.parent = w.parent.parent
		if w.parent != nil && w.parent.typ == Property {
			w.parent = w.parent.parent
		}
	}
	return nil
}

// addParent is JTokenWriter.AddParent: a new container goes into the
// current one, and what follows into it.
func (w *Writer) addParent(c *Token) error {
	if w.parent != nil {
		if _, err := w.insert(w.parent, c); err != nil {
			return err
		}
	}
	w.parent = c
	return nil
}

// addValue is JTokenWriter.AddJValue.
func (w *Writer) addValue(v *Token) error {
	if w.parent == nil {
		return nil
	}
	ok, err := w.insert(w.parent, v)
	if err != nil {
		return err
	}
	if ok && w.parent.typ == Property {
		w.parent = w.parent.parent
	}
	return nil
}

// insert is JContainer.TryAdd for a new token: objects and properties
// leave comments out (false); a property takes one value.
func (w *Writer) insert(p, v *Token) (bool, error) {
	switch p.typ {
	case Object:
		if v.typ == Comment {
			return false, nil
		}
		if v.typ != Property {
			return false, argErr("Can not add " + netTypeName(v) + " to Newtonsoft.Json.Linq.JObject.")
		}
		p.appendProp(v)
		return true, nil
	case Property:
		if v.typ == Comment {
			return false, nil
		}
		if p.value != nil {
			return false, jsonErr("Newtonsoft.Json.Linq.JProperty cannot have multiple values.")
		}
		if v.typ == Property {
			return false, argErr("Can not add Newtonsoft.Json.Linq.JProperty to Newtonsoft.Json.Linq.JProperty.")
		}
		v.parent = p
		p.value = v
		return true, nil
	}
	if err := p.Add(v); err != nil {
		return false, err
	}
	return true, nil
}
