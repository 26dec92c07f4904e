package jsonx

import (
	"strings"
	"testing"
)

func TestRawToken(t *testing.T) {
	r := NewRaw("[1, 2]")
	if r.Type() != Raw || !r.IsValue() || r.HasValues() || r.Count() != 0 {
		t.Fatalf("raw token: type %v value %v", r.Type(), r.IsValue())
	}
	if got := r.String(); got != "[1, 2]" {
		t.Errorf("String = %q", got)
	}
	if got := r.Compact(); got != "[1, 2]" {
		t.Errorf("Compact = %q", got)
	}
	if got := r.RawValue(); got != "[1, 2]" {
		t.Errorf("RawValue = %v", got)
	}
	a := NewArray(r, NewInt(3))
	if a.items[0] != r || r.Parent() != a {
		t.Error("an unparented raw token is adopted, not copied")
	}
	if got := a.Compact(); got != "[[1, 2],3]" {
		t.Errorf("array compact = %q", got)
	}
	if got := a.String(); got != "[\n  [1, 2],\n  3\n]" {
		t.Errorf("array indented = %q", got)
	}
	o := NewObject()
	_ = o.Set("r", NewRaw("x"))
	if got := o.String(); got != "{\n  \"r\": x\n}" {
		t.Errorf("object indented = %q", got)
	}
	if got := o.Get("r").Path(); got != "r" {
		t.Errorf("path = %q", got)
	}

	// new JRaw((object)null): a null value that writes nothing
	n := NewRawValue("", nil)
	if n.RawValue() != nil || n.String() != "" {
		t.Errorf("null raw: %v %q", n.RawValue(), n.String())
	}
	if got := NewArray(n, NewInt(1)).Compact(); got != "[,1]" {
		t.Errorf("null raw in array = %q", got)
	}
	v := NewRawValue("1.5", 1.5)
	if v.RawValue() != 1.5 || v.Compact() != "1.5" {
		t.Errorf("raw of a value: %v %q", v.RawValue(), v.Compact())
	}

	// DeepEquals compares the text; a null value differs from ""
	if !DeepEquals(NewRaw("1"), NewRawValue("1", int32(1))) || DeepEquals(NewRaw("1"), NewRaw("1 ")) ||
		DeepEquals(NewRaw(""), n) || DeepEquals(NewRaw("1"), NewInt(1)) {
		t.Error("raw DeepEquals")
	}
	c := a.DeepClone()
	if !DeepEquals(a, c) || c.items[0] == a.items[0] || c.items[0].Type() != Raw {
		t.Error("DeepClone of an array holding a raw token")
	}
}

func TestConstructorToken(t *testing.T) {
	c := NewConstructor("Date", NewInt(1), NewInt(2))
	if c.Type() != Constructor || c.IsValue() || c.Count() != 2 || !c.HasValues() {
		t.Fatalf("constructor: type %v count %d", c.Type(), c.Count())
	}
	if got := c.Compact(); got != "new Date(1,2)" {
		t.Errorf("Compact = %q", got)
	}
	if got := c.String(); got != "new Date(\n  1,\n  2\n)" {
		t.Errorf("String = %q", got)
	}
	// the closing parenthesis goes on its own line when empty too
	if got := NewConstructor("f").String(); got != "new f(\n)" {
		t.Errorf("empty = %q", got)
	}
	if got := NewConstructor("f").Compact(); got != "new f()" {
		t.Errorf("empty compact = %q", got)
	}
	nested := NewArray(NewConstructor("f"), NewConstructor("g", NewString("x")))
	if got := nested.String(); got != "[\n  new f(\n  ),\n  new g(\n    \"x\"\n  )\n]" {
		t.Errorf("nested = %q", got)
	}
	o := NewObject()
	_ = o.Set("d", NewConstructor("Date", NewInt(0), NewArray(NewInt(1))))
	if got := o.String(); got != "{\n  \"d\": new Date(\n    0,\n    [\n      1\n    ]\n  )\n}" {
		t.Errorf("in object = %q", got)
	}
	// a comment counts as a value for the delimiter after it, unlike in
	// an array
	cc := NewConstructor("f", NewComment("c"), NewInt(1))
	if got := cc.Compact(); got != "new f(/*c*/,1)" {
		t.Errorf("comment = %q", got)
	}
	if got := NewArray(NewComment("c"), NewInt(1)).Compact(); got != "[/*c*/1]" {
		t.Errorf("array comment = %q", got)
	}

	u := NewUnnamedConstructor()
	if name, ok := u.ConstructorName(); ok || name != "" || u.Compact() != "new ()" {
		t.Errorf("unnamed: %q %v %q", name, ok, u.Compact())
	}
	u.SetConstructorName("g", true)
	if name, ok := u.ConstructorName(); !ok || name != "g" {
		t.Errorf("renamed: %q %v", name, ok)
	}

	// children, parents and paths
	o2 := NewObject()
	_ = o2.Set("d", NewConstructor("f", NewInt(1), NewArray(NewInt(2))))
	d := o2.Get("d")
	if d.items[1].Parent() != d || d.items[1].Path() != "d[1]" || d.items[1].items[0].Path() != "d[1][0]" {
		t.Errorf("paths %q %q", d.items[1].Path(), d.items[1].items[0].Path())
	}
	if got, _ := o2.SelectToken("d[1][0]"); got == nil || got.Int() != 2 {
		t.Errorf("SelectToken through a constructor = %v", got)
	}
	if got, _ := o2.SelectTokens("d[*]"); len(got) != 2 {
		t.Errorf("d[*] = %d tokens", len(got))
	}
	if len(o2.Descendants()) != 5 {
		t.Errorf("descendants = %d", len(o2.Descendants()))
	}
	if d.items[0].Next() != d.items[1] || d.items[1].Previous() != d.items[0] {
		t.Error("siblings in a constructor")
	}
	if err := d.Insert(1, NewInt(9)); err != nil || d.Compact() != "new f(1,9,[2])" {
		t.Errorf("Insert: %v %q", err, d.Compact())
	}
	if err := d.items[1].Remove(); err != nil || d.Compact() != "new f(1,[2])" {
		t.Errorf("Remove: %v %q", err, d.Compact())
	}
	if err := d.SetAt(0, NewString("a")); err != nil || d.Compact() != `new f("a",[2])` {
		t.Errorf("SetAt: %v %q", err, d.Compact())
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{d.Add(NewProperty("a", nil)), "Can not add Newtonsoft.Json.Linq.JProperty to Newtonsoft.Json.Linq.JConstructor."},
		{d.SetAt(2, NewInt(1)), "Index is equal to or greater than Count. (Parameter 'index')"},
		{d.SetAt(-1, NewInt(1)), "Index is less than 0. (Parameter 'index')"},
		{d.Set("a", NewInt(1)), `Set JConstructor values with invalid key value: "a". Argument position index expected.`},
		{func() error { _, err := d.Item("a"); return err }(), `Accessed JConstructor values with invalid key value: "a". Argument position index expected.`},
		{func() error { _, err := d.At(5); return err }(), "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')"},
		{func() error { _, err := NewRaw("1").At(0); return err }(), "Cannot access child value on Newtonsoft.Json.Linq.JRaw."},
	} {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("error %v, want %q", tc.err, tc.want)
		}
	}

	// DeepEquals: the name and the values
	if !DeepEquals(NewConstructor("f", NewInt(1)), NewConstructor("f", NewInt(1))) ||
		DeepEquals(NewConstructor("f", NewInt(1)), NewConstructor("g", NewInt(1))) ||
		DeepEquals(NewConstructor("f", NewInt(1)), NewArray(NewInt(1))) ||
		DeepEquals(NewConstructor(""), NewUnnamedConstructor()) {
		t.Error("constructor DeepEquals")
	}
	cl := o2.DeepClone()
	if !DeepEquals(o2, cl) || cl.Get("d") == d || cl.Get("d").items[0].Parent() != cl.Get("d") {
		t.Error("DeepClone of a constructor")
	}
	// Merge: the name and the values
	m := NewConstructor("f", NewInt(1))
	m.Merge(NewConstructor("g", NewInt(2)))
	if m.Compact() != "new g(1,2)" {
		t.Errorf("Merge = %q", m.Compact())
	}
}

func readerTokens(r *Reader) string {
	var b []string
	for r.Read() {
		s := r.Token().String()
		if cur := r.Current(); cur != nil && cur.IsValue() {
			s += "(" + cur.Compact() + ")"
		}
		b = append(b, s+"@"+r.Path())
	}
	return strings.Join(b, " ")
}

func TestReader(t *testing.T) {
	o := mustParse(t, `{"a":[1,{"b":null}],"c":"x"}`)
	want := "StartObject@ PropertyName@a StartArray@a Integer(1)@a[0] StartObject@a[1] PropertyName@a[1].b Null(null)@a[1].b EndObject@a[1] EndArray@a PropertyName@c String(\"x\")@c EndObject@"
	if got := readerTokens(NewReader(o)); got != want {
		t.Errorf("tokens\n got %s\nwant %s", got, want)
	}
	// a reader on a nested token reports paths from the tree's root
	if got := readerTokens(NewReader(o.Get("a"))); !strings.HasPrefix(got, "StartArray@a Integer(1)@a[0]") || !strings.HasSuffix(got, "EndArray@a") {
		t.Errorf("nested reader: %s", got)
	}
	if got := readerTokens(NewReader(NewConstructor("f", NewInt(1)))); got != "StartConstructor@ Integer(1)@[0] EndConstructor@" {
		t.Errorf("constructor: %s", got)
	}
	if got := readerTokens(NewReader(NewProperty("p", NewInt(1)))); got != "PropertyName@ Integer(1)@" {
		t.Errorf("property: %s", got)
	}
}

func TestReaderLoad(t *testing.T) {
	src := mustParse(t, `{"a":[1,{"b":null}],"c":"x"}`)
	r := NewReader(src)
	got, err := r.Load(None)
	if err != nil {
		t.Fatal(err)
	}
	if got == src || !DeepEquals(got, src) || got.Parent() != nil {
		t.Fatal("Load makes an equal copy")
	}
	if r.Token() != TokenEndObject {
		t.Errorf("reader left on %v", r.Token())
	}
	if _, err := r.Load(None); err == nil || err.Error() != "Error reading JToken from JsonReader. Unexpected token: EndObject. Path ''." {
		t.Errorf("second load: %v", err)
	}
	if _, err := r.Load(Object); err == nil || err.Error() != "Error reading JObject from JsonReader. Current JsonReader item is not an object: EndObject. Path ''." {
		t.Errorf("second object load: %v", err)
	}

	// a value stays current: each load copies it again
	vr := NewReader(NewInt(5))
	a, _ := vr.Load(None)
	b, _ := vr.Load(None)
	if a == b || a.Int() != 5 || b.Int() != 5 {
		t.Error("loading a value twice")
	}

	// comments inside containers are left out; GUIDs, URIs and
	// TimeSpans come through as strings
	arr := NewArray(NewComment("c"), NewGuid("0f8fad5b-d9cb-469f-a165-70867728950e"), NewURI("http://x/"), NewTimeSpan(600000000), NewConstructor("f", NewInt(1)))
	l, err := NewReader(arr).Load(Array)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Compact(); got != `["0f8fad5b-d9cb-469f-a165-70867728950e","http://x/","00:01:00",new f(1)]` {
		t.Errorf("loaded = %s", got)
	}
	for i, want := range []Type{String, String, String, Constructor} {
		if l.items[i].Type() != want {
			t.Errorf("item %d is %v, want %v", i, l.items[i].Type(), want)
		}
	}

	p, err := NewReader(NewProperty("p", NewArray(NewInt(1)))).Load(Property)
	if err != nil || p.Compact() != `"p":[1]` {
		t.Errorf("property load: %v %v", p, err)
	}

	for _, tc := range []struct {
		root *Token
		want Type
		err  string
	}{
		{NewArray(), Object, "Error reading JObject from JsonReader. Current JsonReader item is not an object: StartArray. Path ''."},
		{NewObject(), Array, "Error reading JArray from JsonReader. Current JsonReader item is not an array: StartObject. Path ''."},
		{NewObject(), Property, "Error reading JProperty from JsonReader. Current JsonReader item is not a property: StartObject. Path ''."},
		{NewInt(1), Constructor, "Error reading JConstructor from JsonReader. Current JsonReader item is not a constructor: Integer. Path ''."},
		{NewRaw("1"), None, "Error reading JToken from JsonReader. Unexpected token: Raw. Path ''."},
		{NewArray(NewRaw("1")), None, "The JsonReader should not be on a token of type Raw."},
		{NewComment("c"), Object, "Error reading JObject from JsonReader. Current JsonReader item is not an object: Comment. Path ''."},
		{NewArray(NewUnnamedConstructor()), Array, "Object reference not set to an instance of an object."},
		{NewUnnamedConstructor(), None, "Value cannot be null. (Parameter 'name')"},
	} {
		_, err := NewReader(tc.root).Load(tc.want)
		if err == nil || err.Error() != tc.err {
			t.Errorf("load %v as %v: %v, want %q", tc.root.Compact(), tc.want, err, tc.err)
		}
	}
	// the path of a nested reader's errors
	n := mustParse(t, `{"a":[1]}`)
	nr := NewReader(n.Get("a"))
	if _, err := nr.Load(Array); err != nil {
		t.Fatal(err)
	}
	if _, err := nr.Load(Array); err == nil || !strings.HasSuffix(err.Error(), "EndArray. Path 'a'.") {
		t.Errorf("nested error: %v", err)
	}
}

func TestReaderRawJSON(t *testing.T) {
	src := mustParse(t, `{"a":[1,2.5,"x",null,true],"d":"2020-01-02T03:04:05Z"}`)
	r := NewReader(src)
	got, err := r.RawJSON()
	if err != nil || got != `{"a":[1,2.5,"x",null,true],"d":"2020-01-02T03:04:05Z"}` {
		t.Errorf("RawJSON = %q %v", got, err)
	}
	// the reader was read to its end
	if again, err := r.RawJSON(); err != nil || again != "" {
		t.Errorf("again = %q %v", again, err)
	}
	// constructors named Date are written as dates
	dates := NewArray(NewConstructor("Date", NewInt(0)), NewConstructor("Date", NewInt(2000), NewInt(11), NewInt(12), NewInt(20), NewInt(1), NewInt(2)), NewConstructor("f", NewInt(1)), NewComment("c"), NewRaw("raw"))
	if got, err := NewReader(dates).RawJSON(); err != nil || got != `["1970-01-01T00:00:00Z","2000-12-12T20:01:02",new f(1)/*c*/,raw]` {
		t.Errorf("dates = %q %v", got, err)
	}
	for _, tc := range []struct {
		root *Token
		err  string
	}{
		{NewArray(NewConstructor("Date")), "Date constructor has no arguments. Path ''."},
		{NewArray(NewConstructor("Date", NewString("x"))), "Unexpected token when reading date constructor. Expected Integer, got String. Path ''."},
		{NewConstructor("Date", NewInt(1), NewInt(2), NewInt(3), NewInt(4), NewInt(5), NewInt(6), NewInt(7), NewInt(8)), "Unexpected number of arguments when reading date constructor. Path ''."},
		{NewArray(NewConstructor("Date", NewInt(2000), NewInt(12))), "Year, Month, and Day parameters describe an un-representable DateTime."},
	} {
		if _, err := NewReader(tc.root).RawJSON(); err == nil || err.Error() != tc.err {
			t.Errorf("RawJSON(%s): %v, want %q", tc.root.Compact(), err, tc.err)
		}
	}
	// after a load, a reader is on the end of the container: nothing to
	// close; or on a value, which it writes
	er := NewReader(NewArray(NewInt(1)))
	_, _ = er.Load(None)
	if _, err := er.RawJSON(); err == nil || err.Error() != "No token to close. Path ''." {
		t.Errorf("on an end: %v", err)
	}
	vr := NewReader(NewString("s"))
	_, _ = vr.Load(None)
	if got, err := vr.RawJSON(); err != nil || got != `"s"` {
		t.Errorf("on a value: %q %v", got, err)
	}
}

func TestWriter(t *testing.T) {
	a := NewArray(NewInt(1))
	w := NewWriter(a)
	src := mustParse(t, `{"b":[2,{"c":null}]}`)
	for _, tok := range []*Token{NewInt(2), src, NewConstructor("f", NewComment("c"), NewRaw("r")), NewComment("x")} {
		if err := w.Write(tok); err != nil {
			t.Fatal(err)
		}
	}
	if got := a.Compact(); got != `[1,2,{"b":[2,{"c":null}]},new f(/*c*/,r)/*x*/]` {
		t.Errorf("written = %s", got)
	}
	if a.items[2] == src || !DeepEquals(a.items[2], src) || a.items[2].Parent() != a {
		t.Error("a written token is a copy in the container")
	}

	// into an object: a property replaces one of its name, at the end; a
	// comment is left out
	o := mustParse(t, `{"a":1,"b":2}`)
	ow := NewWriter(o)
	for _, tok := range []*Token{NewProperty("a", NewInt(3)), NewComment("x"), NewProperty("c", NewArray(NewInt(4)))} {
		if err := ow.Write(tok); err != nil {
			t.Fatal(err)
		}
	}
	if got := o.Compact(); got != `{"b":2,"a":3,"c":[4]}` {
		t.Errorf("object written = %s", got)
	}
	// after a property whose value is a container, the state is Start: a
	// value fails as JObject.Add does; after one with a plain value, the
	// writer's state refuses it
	if err := ow.Write(NewInt(1)); err == nil || err.Error() != "Can not add Newtonsoft.Json.Linq.JValue to Newtonsoft.Json.Linq.JObject." {
		t.Errorf("value into object: %v", err)
	}
	o2 := NewObject()
	ow2 := NewWriter(o2)
	_ = ow2.Write(NewProperty("a", NewInt(1)))
	if err := ow2.Write(NewInt(1)); err == nil || err.Error() != "Token Integer in state Object would result in an invalid JSON object. Path ''." {
		t.Errorf("value after a property: %v", err)
	}
	if err := NewWriter(NewArray()).Write(NewProperty("a", NewInt(1))); err == nil || err.Error() != "Can not add Newtonsoft.Json.Linq.JProperty to Newtonsoft.Json.Linq.JArray." {
		t.Errorf("property into array: %v", err)
	}
	if err := NewWriter(NewProperty("p", NewInt(1))).Write(NewInt(2)); err == nil || err.Error() != "Newtonsoft.Json.Linq.JProperty cannot have multiple values." {
		t.Errorf("value into property: %v", err)
	}
	// a round trip: write, then load back
	back := NewArray()
	_ = NewWriter(back).Write(src)
	loaded, err := NewReader(back.items[0]).Load(None)
	if err != nil || !DeepEquals(loaded, src) {
		t.Errorf("round trip: %v %v", loaded, err)
	}
	// and through the text: parse what was written
	reparsed := mustParse(t, back.String())
	if !DeepEquals(reparsed, back) {
		t.Errorf("reparse: %s", back.String())
	}
}
