package jsonx

import (
	"strings"
	"testing"
)

func mustParse(t testing.TB, s string) *Token {
	t.Helper()
	tok, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return tok
}

func TestFormatting(t *testing.T) {
	tests := []struct {
		in       string
		indented string
		compact  string
	}{
		{`{"a":1,"b":[1,2,{"c":null}],"d":{},"e":[]}`, (`{
  "a": 1,
  "b": [
    1,
    2,
    {
      "c": null
    }
  ],
  "d": {},
  "e": []
}`), `{"a":1,"b":[1,2,{"c":null}],"d":{},"e":[]}`},
		{`[]`, `[]`, `[]`},
		{`{}`, `{}`, `{}`},
		{`[1.0, 1.5, -0.0, 1e16, 1E-7, 100.0]`, (`[
  1.0,
  1.5,
  -0.0,
  1E+16,
  1E-07,
  100.0
]`), `[1.0,1.5,-0.0,1E+16,1E-07,100.0]`},
		{`{"s":"a\"b\\c\u0001\u001f\n\t\u2028é€😀/"}`, (`{
  "s": "a\"b\\c\u0001\u001f\n\t\u2028é€😀/"
}`), `{"s":"a\"b\\c\u0001\u001f\n\t\u2028é€😀/"}`},
		{`{"d":"2020-01-02T03:04:05Z","e":"2020-01-02T03:04:05.1200000+02:00","f":"2020-01-02T03:04:05"}`, "", `{"d":"2020-01-02T03:04:05Z","e":"2020-01-02T01:04:05.12+00:00","f":"2020-01-02T03:04:05"}`},
		{`{'a': 'single', b: true, /* c */ "c": false, // x
 "d": undefined,}`, "", `{"a":"single","b":true,"c":false,"d":undefined}`},
		{`[NaN, Infinity, -Infinity]`, "", `["NaN","Infinity","-Infinity"]`},
		{`[12345678901234567890123, -9223372036854775808, 010, 0x1F]`, "", `[12345678901234567890123,-9223372036854775808,8,31]`},
		{`{"a":1,"b":2,"a":3}`, "", `{"a":3,"b":2}`},
		{`[1,2,]`, "", `[1,2]`},
	}
	for _, tt := range tests {
		tok := mustParse(t, tt.in)
		if tt.indented != "" {
			if got := tok.String(); got != tt.indented {
				t.Errorf("String(%s) =\n%s\nwant\n%s", tt.in, got, tt.indented)
			}
		}
		if got := tok.Compact(); got != tt.compact {
			t.Errorf("Compact(%s) = %s, want %s", tt.in, got, tt.compact)
		}
	}
}

func TestValueToString(t *testing.T) {
	o := mustParse(t, `{"d":"2020-01-02T03:04:05Z","s":"text","i":42,"f":1.0,"g":2.5,"b":true,"n":null,"big":1e21,"o":{"x":1}}`)
	tests := []struct{ key, want string }{
		{"d", "01/02/2020 03:04:05"},
		{"s", "text"},
		{"i", "42"},
		{"f", "1"},
		{"g", "2.5"},
		{"b", "True"},
		{"n", ""},
		{"big", "1E+21"},
		{"o", ("{\n  \"x\": 1\n}")},
	}
	for _, tt := range tests {
		if got := o.Get(tt.key).String(); got != tt.want {
			t.Errorf("[%s].ToString() = %q, want %q", tt.key, got, tt.want)
		}
	}
	if s, ok, err := o.Get("d").AsString(); err != nil || !ok || s != "01/02/2020 03:04:05" {
		t.Errorf("(string)date = %q %v %v", s, ok, err)
	}
	if o.Get("d").Type() != Date || o.Get("i").Type().String() != "Integer" {
		t.Errorf("types: %v %v", o.Get("d").Type(), o.Get("i").Type())
	}
	if _, _, err := o.Get("o").AsString(); err == nil || err.Error() != "Can not convert Object to String." {
		t.Errorf("(string)object error = %v", err)
	}
	if p := o.Property("i"); p.String() != `"i": 42` {
		t.Errorf("property ToString = %q", p.String())
	}
	if o.Get("missing") != nil {
		t.Error("missing key not nil")
	}
}

func TestConversions(t *testing.T) {
	o := mustParse(t, `{"i":42,"f":2.5,"f2":3.5,"s":"17","bad":"x","b":true,"n":null,"a":[1]}`)
	if v, _, err := o.Get("f").AsInt64(); err != nil || v != 2 {
		t.Errorf("(long)2.5 = %d %v", v, err)
	}
	if v, _, _ := o.Get("f2").AsInt64(); v != 4 {
		t.Errorf("(long)3.5 = %d", v)
	}
	if v, _, err := o.Get("s").AsInt32(); err != nil || v != 17 {
		t.Errorf("(int)\"17\" = %d %v", v, err)
	}
	if _, _, err := o.Get("bad").AsInt32(); err == nil || err.Error() != "The input string 'x' was not in a correct format." {
		t.Errorf("(int)\"x\" error = %v", err)
	}
	if _, _, err := o.Get("a").AsInt64(); err == nil || err.Error() != "Can not convert Array to Int64." {
		t.Errorf("(long)array error = %v", err)
	}
	if _, ok, err := o.Get("n").AsInt64(); ok || err != nil {
		t.Errorf("(long?)null = %v %v", ok, err)
	}
	if v, _, _ := o.Get("i").AsBool(); !v {
		t.Error("(bool)42 false")
	}
	if v, _, _ := o.Get("i").AsFloat64(); v != 42 {
		t.Errorf("(double)42 = %v", v)
	}
}

func TestEditing(t *testing.T) {
	o := mustParse(t, `{"a":1,"b":{"c":[1,2]}}`)
	inner := o.Get("b")
	if err := inner.Set("d", NewString("x")); err != nil {
		t.Fatal(err)
	}
	if got := o.Compact(); got != `{"a":1,"b":{"c":[1,2],"d":"x"}}` {
		t.Errorf("after child edit: %s", got)
	}
	_ = o.Set("a", NewBool(false))
	if got := o.Compact(); got != `{"a":false,"b":{"c":[1,2],"d":"x"}}` {
		t.Errorf("after Set: %s", got)
	}
	// Adding a parented token adds a copy.
	_ = o.Set("copy", inner)
	inner.RemoveProperty("c")
	if got := o.Compact(); got != `{"a":false,"b":{"d":"x"},"copy":{"c":[1,2],"d":"x"}}` {
		t.Errorf("after copy: %s", got)
	}
	if err := o.Property("a").Remove(); err != nil {
		t.Fatal(err)
	}
	if err := o.Add(NewProperty("b", nil)); err == nil || err.Error() != "Can not add property b to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object." {
		t.Errorf("duplicate Add error = %v", err)
	}
	if err := o.Add(NewInt(1)); err == nil || err.Error() != "Can not add Newtonsoft.Json.Linq.JValue to Newtonsoft.Json.Linq.JObject." {
		t.Errorf("Add value to object error = %v", err)
	}
	arr := o.Get("copy").Get("c")
	_ = arr.Add(NewInt(3))
	_ = arr.Insert(0, NewInt(0))
	if err := arr.Children()[1].Replace(NewString("one")); err != nil {
		t.Fatal(err)
	}
	if got := o.Compact(); got != `{"b":{"d":"x"},"copy":{"c":[0,"one",2,3],"d":"x"}}` {
		t.Errorf("after array edits: %s", got)
	}
	if p := arr.Children()[2].Path(); p != "copy.c[2]" {
		t.Errorf("Path = %q", p)
	}
	if _, err := arr.Item("x"); err == nil || err.Error() != `Accessed JArray values with invalid key value: "x". Int32 array index expected.` {
		t.Errorf("array string index error = %v", err)
	}
	c := o.DeepClone()
	if !DeepEquals(c, o) || c == o {
		t.Error("DeepClone not equal")
	}
	if o.Count() != 2 || !o.HasValues() || NewObject().HasValues() {
		t.Error("Count/HasValues")
	}
	// Many properties use the index.
	big := NewObject()
	for i := range 40 {
		_ = big.Set("k"+itoa(i), NewInt(int64(i)))
	}
	big.RemoveProperty("k3")
	if big.Get("k39").Int() != 39 || big.Get("k3") != nil || big.Get("k4").Int() != 4 {
		t.Error("indexed lookup broken")
	}
}

func TestFromValue(t *testing.T) {
	tok, err := FromValue(map[string]any{"b": []any{1, "x", nil, true, 2.5}, "a": map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Compact(); got != `{"a":{"k":"v"},"b":[1,"x",null,true,2.5]}` {
		t.Errorf("FromValue = %s", got)
	}
	if _, err := FromValue(complex(1, 2)); err == nil {
		t.Error("complex accepted")
	}
}

func TestSelectToken(t *testing.T) {
	o := mustParse(t, `{"a":{"b":[{"c":1},{"c":2}]},"x y":{"z":true},"s":"v"}`)
	tests := []struct{ path, want string }{
		{"a.b[0].c", "1"},
		{"$.a.b[1].c", "2"},
		{"['x y'].z", "true"},
		{"$['x y']['z']", "true"},
		{"s", `"v"`},
		{"missing", "<nil>"},
		{"a.b[5]", "<nil>"},
		{"s.t", "<nil>"},
	}
	for _, tt := range tests {
		got, err := o.SelectToken(tt.path)
		if err != nil {
			t.Errorf("SelectToken(%q): %v", tt.path, err)
			continue
		}
		s := "<nil>"
		if got != nil {
			s = got.Compact()
		}
		if s != tt.want {
			t.Errorf("SelectToken(%q) = %s, want %s", tt.path, s, tt.want)
		}
	}
	all, _ := o.SelectTokens("$..c")
	if len(all) != 2 {
		t.Errorf("$..c gave %d tokens", len(all))
	}
	all, _ = o.SelectTokens("a.b[*].c")
	if len(all) != 2 {
		t.Errorf("[*] gave %d tokens", len(all))
	}
	if _, err := o.SelectToken("$..c"); err == nil || err.Error() != "Path returned multiple tokens." {
		t.Errorf("multiple error = %v", err)
	}
	errs := map[string]string{
		"a.b[0":         "Path ended with open indexer.",
		"a.b[-1]":       "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')",
		"a.":            "Unexpected end while parsing path.",
		"a.b[0]x":       "Unexpected character following indexer: x",
		"a b":           "Unexpected character while parsing path:  ",
		"a[x]":          "Unexpected character while parsing path indexer: x",
		"a[]":           "Array index expected.",
		"a[?(@.c ~ 1)]": "Could not read query operator.",
		"a[?(@.c == 1]": "Could not read query value.",
		"a[?(@.c == 1":  "Path ended with open query.",
	}
	for path, want := range errs {
		if _, err := o.SelectToken(path); err == nil || err.Error() != want {
			t.Errorf("SelectToken(%q) error = %v, want %q", path, err, want)
		}
	}
	q := mustParse(t, `{"items":[{"id":1,"name":"a","tags":["x"]},{"id":2,"name":"b"},{"id":3.0,"name":"c","on":true}],"min":2}`)
	queries := []struct {
		path string
		want []string
	}{
		{"items[?(@.id > 1)].name", []string{`"b"`, `"c"`}},
		{"items[?(@.id == 3)].name", []string{`"c"`}},
		{"items[?(@.name == 'a' || @.on == true)].id", []string{`1`, `3.0`}},
		{"items[?(@.tags)].id", []string{`1`}},
		{"items[?(@.id >= $.min && @.name != 'c')].name", []string{`"b"`}},
		{"items[?(@.id === 3)].name", nil},
		{"$..name", []string{`"a"`, `"b"`, `"c"`}},
		{"items[*].id", []string{`1`, `2`, `3.0`}},
		{"items[0].*", []string{`1`, `"a"`, `["x"]`}},
		{"items[0][*]", nil},
		{"items[0]['id','name']", []string{`1`, `"a"`}},
		{`items[1]["name"]`, []string{`"b"`}},
		{"items[-2:]", []string{`{"id":2,"name":"b"}`, `{"id":3.0,"name":"c","on":true}`}},
		{"items[::2].id", []string{`1`, `3.0`}},
		{"items[0,2].name", []string{`"a"`, `"c"`}},
		{"$..*", nil},
	}
	for _, tt := range queries {
		got, err := q.SelectTokens(tt.path)
		if err != nil {
			t.Errorf("SelectTokens(%q): %v", tt.path, err)
			continue
		}
		if tt.path == "$..*" {
			// The root itself, then every value below it in document order.
			if len(got) != 15 || got[0] != q {
				t.Errorf("$..* gave %d tokens", len(got))
			}
			continue
		}
		var texts []string
		for _, g := range got {
			texts = append(texts, g.Compact())
		}
		if strings.Join(texts, " ") != strings.Join(tt.want, " ") {
			t.Errorf("SelectTokens(%q) = %v, want %v", tt.path, texts, tt.want)
		}
	}
}

func TestReaderQuirks(t *testing.T) {
	tests := []struct{ in, want string }{
		{`[1,,2]`, `[1,undefined,2]`},
		{`{"a":,"b":1}`, `{"a":undefined,"b":1}`},
		{`[-010, 010, 0x1f, 0XFF, 0xFFFFFFFFFFFFFFFF, 5, -0]`, `[-10,8,31,255,-1,5,0]`},
		{`[.5, 5., 1e2, -1E-2, 0.0, -0.0]`, `[0.5,5.0,100.0,-0.01,0.0,-0.0]`},
		{`["/Date(1577934245000)/", "/Date(1577934245000+0100)/"]`, `["2020-01-02T03:04:05Z","/Date(1577934245000+0100)/"]`},
		{`["2020-01-02T03:04:05z", "2020-01-02T03:04:05+0130", "2020-01-02T03:04:05-01", "2020-01-02T03:04", "2020-01-02 03:04:05Z"]`,
			`["2020-01-02T03:04:05Z","2020-01-02T01:34:05+00:00","2020-01-02T04:04:05+00:00","2020-01-02T03:04","2020-01-02 03:04:05Z"]`},
		{`["2020-02-30T00:00:00Z", "2020-01-02T03:04:05.12345678Z"]`, `["2020-02-30T00:00:00Z","2020-01-02T03:04:05.12345678Z"]`},
		{`{"\u00e9\ud83d\ude00":"\ud800x"}`, `{"é😀":"�x"}`},
		{"{\"a\u2028b\":\"\x7f\u0085\"}", `{"a\u2028b":"` + "\x7f" + `\u0085"}`},
		{`{"it's":{"x.y":1}}`, `{"it's":{"x.y":1}}`},
	}
	for _, tt := range tests {
		tok := mustParse(t, tt.in)
		if got := tok.Compact(); got != tt.want {
			t.Errorf("Parse(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	tok := mustParse(t, `{"it's":{"x.y":[1]}}`)
	if p := tok.Get("it's").Get("x.y").Children()[0].Path(); p != `['it\'s']['x.y'][0]` {
		t.Errorf("Path = %s", p)
	}
	d := mustParse(t, `"2020-01-02T03:04:05.5+01:00"`)
	if d.Type() != Date || d.DateTime().Kind().String() != "Local" || d.String() != "01/02/2020 02:04:05" {
		t.Errorf("offset date = %v %v %q", d.Type(), d.DateTime().Kind(), d.String())
	}
	u := mustParse(t, `"2020-01-02T03:04:05"`)
	if u.DateTime().Kind().String() != "Unspecified" || u.JSON(false) != `"2020-01-02T03:04:05"` {
		t.Errorf("unspecified date = %v %s", u.DateTime().Kind(), u.JSON(false))
	}
}

func TestNavigationHelpers(t *testing.T) {
	o := mustParse(t, `{"a":[1,{"b":2}],"c":"x"}`)
	arr := o.Get("a")
	if arr.First().Int() != 1 || arr.Last().Type() != Object || arr.First().Next() != arr.Last() || arr.Last().Previous() != arr.First() {
		t.Error("First/Last/Next/Previous")
	}
	if o.First().Name() != "a" || o.First().Next().Name() != "c" || o.Last().Next() != nil {
		t.Error("property siblings")
	}
	if n := len(o.Descendants()); n != 8 {
		t.Errorf("Descendants = %d", n)
	}
	// Adding a root to its own descendant adds a copy.
	_ = arr.Add(o)
	if got := o.Compact(); got != `{"a":[1,{"b":2},{"a":[1,{"b":2}],"c":"x"}],"c":"x"}` {
		t.Errorf("self add = %s", got)
	}
	if got := string(o.Get("a").Last().AppendIndented(nil, "\n")); got != "{\n  \"a\": [\n    1,\n    {\n      \"b\": 2\n    }\n  ],\n  \"c\": \"x\"\n}" {
		t.Errorf("AppendIndented = %q", got)
	}
	if d, _, err := NewFloat(0.1).AsDecimal(); err != nil || d.String() != "0.1" {
		t.Errorf("AsDecimal = %v %v", d, err)
	}
	if DeepEquals(NewInt(1), NewFloat(1)) || !DeepEquals(NewInt(1), NewInt(1)) {
		t.Error("DeepEquals types")
	}
	if err := CannotConvert(NewNull(), "Int64"); err.Error() != "Can not convert Null to Int64." {
		t.Errorf("CannotConvert = %v", err)
	}
}

func TestCastsOnProperties(t *testing.T) {
	o := mustParse(t, `{"a":"x","n":1e300,"o":{}}`)
	if s, ok, err := o.Property("a").AsString(); err != nil || !ok || s != "x" {
		t.Errorf("(string)property = %q %v %v", s, ok, err)
	}
	if _, _, err := o.Property("o").AsString(); err == nil || err.Error() != "Can not convert Object to String." {
		t.Errorf("(string)property with object = %v", err)
	}
	if _, _, err := o.Get("n").AsInt64(); err == nil || err.Error() != "Arithmetic operation resulted in an overflow." {
		t.Errorf("(long)1e300 = %v", err)
	}
	if _, _, err := o.Get("n").AsInt32(); err == nil || err.Error() != "Value was either too large or too small for an Int32." {
		t.Errorf("(int)1e300 = %v", err)
	}
}
