package jsonx

import "testing"

func TestMerge(t *testing.T) {
	cases := []struct{ into, content, want string }{
		{`{"a":1}`, `{"b":null}`, `{"a":1,"b":null}`}, // a missing property is added, null or not
		{`{"a":1}`, `{"a":null}`, `{"a":1}`},          // a null never replaces a value
		{`{"a":{"x":1}}`, `{"a":[1]}`, `{"a":[1]}`},   // kinds differ: replaced
		{`{"a":[1]}`, `{"a":[1,2]}`, `{"a":[1,1,2]}`}, // arrays concatenate
		{`{"a":1}`, `[1]`, `{"a":1}`},                 // other content: no change
		{`[1]`, `{"a":1}`, `[1]`},
	}
	for _, c := range cases {
		into, err := Parse(c.into)
		if err != nil {
			t.Fatal(err)
		}
		content, err := Parse(c.content)
		if err != nil {
			t.Fatal(err)
		}
		into.Merge(content)
		if got := into.Compact(); got != c.want {
			t.Errorf("%s merged with %s = %s, want %s", c.into, c.content, got, c.want)
		}
		// The content is copied, never shared.
		content.RemoveAll()
		if got := into.Compact(); got != c.want {
			t.Errorf("%s changed with its merged content: %s", c.into, got)
		}
	}
}
