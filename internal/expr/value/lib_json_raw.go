package value

import (
	"github.com/tollgate/tollgate/internal/jsonx"
)

// JRaw and JConstructor, the JToken classes beyond JObject, JArray,
// JProperty and JValue, and the readers and writers of the token tree:
// JToken.CreateReader and JContainer.CreateWriter hand out a JsonReader
// and a JsonWriter, which API Management allows to hold and pass on
// (JToken.Load(reader), token.WriteTo(writer)) but none of whose own
// members it allows.

// JSONReader is the Newtonsoft.Json.Linq.JTokenReader JToken.CreateReader
// returns.
type JSONReader struct{ R *jsonx.Reader }

// DotnetType implements Typed.
func (r *JSONReader) DotnetType(u *Lib) *Type { return u.Types[jtokenReaderName] }

// DotnetString implements Stringer: object.ToString, the type's name.
func (r *JSONReader) DotnetString() string { return jtokenReaderName }

// JSONWriter is the Newtonsoft.Json.Linq.JTokenWriter
// JContainer.CreateWriter returns.
type JSONWriter struct{ W *jsonx.Writer }

// DotnetType implements Typed.
func (w *JSONWriter) DotnetType(u *Lib) *Type { return u.Types[jtokenWriterName] }

// DotnetString implements Stringer: object.ToString, the type's name.
func (w *JSONWriter) DotnetString() string { return jtokenWriterName }

const (
	jtokenReaderName = "Newtonsoft.Json.Linq.JTokenReader"
	jtokenWriterName = "Newtonsoft.Json.Linq.JTokenWriter"
)

// tokenBytes is what a token a reader or writer copies counts against the
// memory budget.
const tokenBytes = 64

// chargeTokens charges the memory budget for t and the tokens under it.
func chargeTokens(c Call, t *jsonx.Token) {
	if c.Fr == nil || t == nil {
		return
	}
	c.Fr.Alloc(int64(1+len(t.Descendants())) * tokenBytes)
}

// readerArg returns argument i, a JsonReader.
func readerArg(c Call, i int) *jsonx.Reader {
	c.NotNull(i, "reader")
	r, ok := c.Args[i].(*JSONReader)
	if !ok {
		ThrowCast(c.Args[i], "Newtonsoft.Json.JsonReader")
	}
	return r.R
}

// noLoadSettings checks the JsonLoadSettings argument of Load and ReadFrom:
// none can be built in an expression, so it is null, Json.NET's defaults.
func noLoadSettings(c Call, i int) {
	if !c.IsNull(i) {
		ThrowCast(c.Args[i], "Newtonsoft.Json.Linq.JsonLoadSettings")
	}
}

// isMultiContent is JContainer.IsMultiContent: a collection other than a
// string, a token or a byte array, whose items are added one by one.
func isMultiContent(v Value) ([]Value, bool) {
	switch v.(type) {
	case nil, string, *jsonx.Token, []byte:
		return nil, false
	}
	return Items(v)
}

// addJSONContent is JContainer.Add(object content) into t: a collection's
// items, each in turn, a token (copied when it has a parent), or a value.
func addJSONContent(c Call, t *jsonx.Token, v Value) {
	if items, ok := isMultiContent(v); ok {
		for _, it := range items {
			addJSONContent(c, t, it)
		}
		return
	}
	if err := t.Add(adoptable(c, v)); err != nil {
		jsonErr(err)
	}
}

func (u *Lib) buildJSONRaw() {
	jt, jc := u.JToken, u.Types["JContainer"]
	jraw, jctor := u.Types["JRaw"], u.Types["JConstructor"]
	tok := func(c Call) *jsonx.Token { return c.This.(*jsonx.Token) }

	// JsonReader and JsonWriter, outside the allowed list, with no members
	// of their own: object's, which they do not override, print the type.
	jr := u.newType("JsonReader", "Newtonsoft.Json.JsonReader", u.Object)
	jtr := u.newType("JTokenReader", jtokenReaderName, jr)
	jw := u.newType("JsonWriter", "Newtonsoft.Json.JsonWriter", u.Object)
	jtw := u.newType("JTokenWriter", jtokenWriterName, jw)
	for _, t := range []*Type{jr, jtr} {
		t.NotAllowed = true
		t.Is = func(v Value) bool { _, ok := v.(*JSONReader); return ok }
	}
	for _, t := range []*Type{jw, jtw} {
		t.NotAllowed = true
		t.Is = func(v Value) bool { _, ok := v.(*JSONWriter); return ok }
	}

	// JToken.CreateReader, Load, ReadFrom and WriteTo; JObject.Load,
	// JArray.Load, JProperty.Load and JConstructor.Load.
	jt.add(
		meth("CreateReader", 0, 0, jr, func(c Call) Value { return &JSONReader{R: jsonx.NewReader(tok(c))} }),
		&Member{Name: "WriteTo", Kind: Method, Min: 1, Max: -1, Result: u.Void, ArgTypes: []*Type{jw}, Fn: func(c Call) Value {
			if c.IsNull(0) {
				ThrowNull("WriteTo: the writer is null")
			}
			w, ok := c.Args[0].(*JSONWriter)
			if !ok {
				ThrowCast(c.Args[0], "Newtonsoft.Json.JsonWriter")
			}
			for i := 1; i < len(c.Args); i++ {
				if !c.IsNull(i) {
					ThrowCast(c.Args[i], "Newtonsoft.Json.JsonConverter")
				}
			}
			chargeTokens(c, tok(c))
			if err := w.W.Write(tok(c)); err != nil {
				jsonErr(err)
			}
			return nil
		}},
	)
	load := func(want jsonx.Type, res *Type) *Member {
		m := meth("Load", 1, 2, res, func(c Call) Value {
			r := readerArg(c, 0)
			noLoadSettings(c, 1)
			t, err := r.Load(want)
			if err != nil {
				jsonErr(err)
			}
			chargeTokens(c, t)
			return t
		})
		m.ArgTypes = []*Type{jr}
		return m
	}
	readFrom := *load(jsonx.None, jt)
	readFrom.Name = "ReadFrom"
	jt.addStatic(load(jsonx.None, jt), &readFrom)
	u.JObject.addStatic(load(jsonx.Object, u.JObject))
	u.JArray.addStatic(load(jsonx.Array, u.JArray))
	u.JProperty.addStatic(load(jsonx.Property, u.JProperty))
	jctor.addStatic(load(jsonx.Constructor, jctor))

	// JContainer.CreateWriter
	jc.add(meth("CreateWriter", 0, 0, jw, func(c Call) Value { return &JSONWriter{W: jsonx.NewWriter(tok(c))} }))

	// JRaw: a JValue of raw JSON text, written verbatim.
	jraw.NewMin = 1
	jraw.New = func(c Call) Value {
		switch x := c.Args[0].(type) {
		case nil:
			// JRaw(object rawJson) with a null value; the null literal
			// binds to JRaw(JRaw other) in C#, which throws
			return jsonx.NewRawValue("", nil)
		case string:
			return jsonx.NewRaw(x)
		case *jsonx.Token:
			if x.Type() == jsonx.Raw {
				return cloneNoted(c, x) // JRaw(JRaw other) copies
			}
		}
		return jsonx.NewRawValue(ToString(c.Args[0]), c.Args[0])
	}
	create := meth("Create", 1, 1, jraw, func(c Call) Value {
		r := readerArg(c, 0)
		s, err := r.RawJSON()
		if err != nil {
			jsonErr(err)
		}
		if c.Fr != nil {
			c.Fr.Alloc(int64(len(s)))
		}
		return jsonx.NewRaw(s)
	})
	create.ArgTypes = []*Type{jr}
	jraw.addStatic(create)

	// JConstructor: a container of values with a name, written as
	// "new Name(...)".
	jctor.New = func(c Call) Value {
		if len(c.Args) == 0 {
			return jsonx.NewUnnamedConstructor()
		}
		if x, ok := c.Args[0].(*jsonx.Token); ok && len(c.Args) == 1 {
			if x.Type() != jsonx.Constructor {
				ThrowCast(x, "Newtonsoft.Json.Linq.JConstructor")
			}
			return cloneNoted(c, x) // JConstructor(JConstructor other) copies
		}
		c.NotNull(0, "name")
		name, ok := c.Args[0].(string)
		if !ok {
			ThrowCast(c.Args[0], "System.String")
		}
		if name == "" {
			Throw(ExArgument, "Constructor name cannot be empty. (Parameter 'name')")
		}
		k := jsonx.NewConstructor(name)
		for _, a := range c.Args[1:] {
			addJSONContent(c, k, a)
		}
		return k
	}
	index := func(c Call) int {
		switch k := c.Args[0].(type) {
		case nil:
			c.NotNull(0, "key")
		case int32:
			return int(k)
		}
		verb := "Accessed"
		if len(c.Args) > 1 {
			verb = "Set"
		}
		key := ToString(c.Args[0])
		if s, ok := c.Args[0].(string); ok {
			key = `"` + s + `"`
		}
		Throw(ExArgument, "%s JConstructor values with invalid key value: %s. Argument position index expected.", verb, key)
		return 0
	}
	jctor.add(
		&Member{Name: "Name", Kind: Property, Result: u.String,
			Get: func(c Call) Value {
				if name, ok := tok(c).ConstructorName(); ok {
					return name
				}
				return nil
			},
			Set: func(c Call, v Value) {
				s, ok := v.(string)
				tok(c).SetConstructorName(s, ok)
			}},
		&Member{Name: "[]", Kind: Property, Result: jt,
			Get: func(c Call) Value {
				r, err := tok(c).At(index(c))
				if err != nil {
					jsonErr(err)
				}
				return r
			},
			Set: func(c Call, v Value) {
				i := index(Call{Fr: c.Fr, This: c.This, Args: []Value{c.Args[0], v}})
				if err := tok(c).SetAt(i, adoptable(c, v)); err != nil {
					jsonErr(err)
				}
			}},
	)
}
