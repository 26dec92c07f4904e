package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/diag"
)

func TestParseJSONPositions(t *testing.T) {
	src := "\uFEFF{\r\n  \"a\": [1, true, null, \"x\\u00e9\"],\r\n  \"b\": {\"c\": -2.5e3}\r\n}\r\n"
	f := diag.NewFile("t.json", []byte(src))
	n, err := parseJSON(f)
	if err != nil {
		t.Fatal(err.msg)
	}
	a := n.get("a")
	if a.kind != kArray || len(a.elems) != 4 {
		t.Fatalf("a = %+v", a)
	}
	for i, want := range []struct {
		kind kind
		text string
		pos  string
		raw  string
	}{
		{kNumber, "1", "t.json:2:9", "1"},
		{kBool, "true", "t.json:2:12", "true"},
		{kNull, "", "t.json:2:18", "null"},
		{kString, "xé", "t.json:2:24", `"x\u00e9"`},
	} {
		e := a.elems[i]
		if e.kind != want.kind || e.text != want.text || e.span().Pos().String() != want.pos || e.span().Text() != want.raw {
			t.Errorf("elem %d = %v %q at %s %q; want %v %q at %s %q", i, e.kind, e.text, e.span().Pos(), e.span().Text(), want.kind, want.text, want.pos, want.raw)
		}
	}
	c := n.get("b").get("c")
	if c.text != "-2.5e3" || c.span().Pos().String() != "t.json:3:14" {
		t.Errorf("c = %q at %s", c.text, c.span().Pos())
	}
	if n.get("b").span().Text() != `{"c": -2.5e3}` {
		t.Errorf("object span = %q", n.get("b").span().Text())
	}
	if n.get("missing") != nil || a.get("x") != nil {
		t.Error("get on a missing key or an array must be nil")
	}
}

func TestParseJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		src, want string
	}{
		{`{"a": 1`, "t.json:1:8: error: invalid JSON: unexpected end of input [syntax]"},
		{"{\n  \"a\": 1,\n}", "t.json:2:9: error: invalid JSON: invalid character ',' at start of value [syntax]"},
		{`[1 2]`, "t.json:1:4: error: invalid JSON: invalid character '2' after array element (expecting ',' or ']') [syntax]"},
		{`{"a": 1} x`, "t.json:1:10: error: invalid JSON: unexpected data after the top-level value [syntax]"},
		{`"a" "b"`, "t.json:1:5: error: invalid JSON: unexpected data after the top-level value [syntax]"},
		{`{'a': 1}`, "t.json:1:2: error: invalid JSON: invalid character '\\'' at start of value [syntax]"},
		{"{\"a\": \"\xff\"}", "t.json:1:8: error: invalid JSON: invalid UTF-8 [syntax]"},
	} {
		f := diag.NewFile("t.json", []byte(tc.src))
		_, err := parseJSON(f)
		if err == nil {
			t.Errorf("%q: no error", tc.src)
			continue
		}
		var l diag.List
		err.add(&l)
		if got := strings.TrimSpace(l.String()); got != tc.want {
			t.Errorf("%q:\n got: %s\nwant: %s", tc.src, got, tc.want)
		}
	}
	for _, src := range []string{"", "  \n", "\uFEFF"} {
		n, err := parseJSON(diag.NewFile("t.json", []byte(src)))
		if err != nil || n.kind != kNull {
			t.Errorf("%q: %v %v", src, n, err)
		}
	}
}

func TestParseYAML(t *testing.T) {
	src := "a: 1\nb:\n  - x\n  - 'y z'\n  - true\n  - ~\nc: &anchor {d: é}\ne: *anchor\nf:\n  <<: *anchor\n  g: 2\n"
	f := diag.NewFile("t.yaml", []byte(src))
	n, err := parseYAML(f)
	if err != nil {
		t.Fatal(err.msg)
	}
	if v := n.get("a"); v.kind != kNumber || v.text != "1" || v.span().Pos().String() != "t.yaml:1:4" {
		t.Errorf("a = %+v", v)
	}
	b := n.get("b")
	if b.kind != kArray || b.elems[1].text != "y z" || b.elems[1].span().Text() != "'y z'" || b.elems[2].kind != kBool || b.elems[3].kind != kNull {
		t.Errorf("b = %+v", b)
	}
	if e := n.get("e"); e.get("d").text != "é" || e.span().Pos().String() != "t.yaml:8:4" {
		t.Errorf("alias = %+v", e)
	}
	if fm := n.get("f"); fm.get("d").text != "é" || fm.get("g").text != "2" {
		t.Errorf("merge key = %+v", fm)
	}
	if got := n.get("b").jsonText(); got != "[\n  \"x\",\n  \"y z\",\n  true,\n  null\n]" {
		t.Errorf("jsonText = %q", got)
	}
	if _, err := parseYAML(diag.NewFile("t.yaml", []byte("a: [1, 2\nb: 3\n"))); err == nil || err.line != 1 {
		t.Errorf("unterminated flow sequence: %+v", err)
	}
}

func TestMerge(t *testing.T) {
	base, _ := parseJSON(diag.NewFile("a.json", []byte(`{"x": 1, "o": {"p": 1, "q": 2}, "l": [1]}`)))
	over, _ := parseYAML(diag.NewFile("b.yaml", []byte("o: {q: 3, r: 4}\nl: [2, 3]\nn: new\n")))
	m := merge(base, over)
	got, _ := json.Marshal(m.toAny())
	if string(got) != `{"l":[2,3],"n":"new","o":{"p":1,"q":3,"r":4},"x":1}` {
		t.Errorf("merge = %s", got)
	}
	if m.get("o").get("q").file.Name != "b.yaml" || m.get("x").file.Name != "a.json" {
		t.Error("merged nodes must keep their own file")
	}
	if base.get("o").get("q").text != "2" {
		t.Error("merge must not modify its inputs")
	}
}

// FuzzLoadJSON checks the JSON reader against encoding/json: it never
// panics, accepts exactly the valid documents, and every node's span lies
// inside the file.
func FuzzLoadJSON(f *testing.F) {
	for _, dir := range []string{"v7", "cli", "broken"} {
		filepath.WalkDir(filepath.Join("testdata", dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
				if src, err := os.ReadFile(p); err == nil {
					f.Add(src)
				}
			}
			return nil
		})
	}
	f.Add([]byte("\uFEFF[1, {\"a\": null}]"))
	f.Add([]byte(`{"a": "\ud800"}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		file := diag.NewFile("f.json", src)
		n, serr := parseJSON(file)
		body := strings.TrimPrefix(string(src), "\uFEFF")
		empty := strings.TrimSpace(body) == ""
		valid := json.Valid([]byte(body)) && utf8.ValidString(body)
		if serr != nil {
			if serr.offset < 0 || serr.offset > len(src) {
				t.Fatalf("error offset %d outside [0,%d]", serr.offset, len(src))
			}
			if valid && !strings.Contains(serr.msg, "surrogate") && !strings.Contains(serr.msg, "UTF-8") {
				t.Fatalf("valid JSON rejected: %s", serr.msg)
			}
			return
		}
		if !empty && !json.Valid([]byte(body)) {
			t.Fatalf("invalid JSON accepted: %q", src)
		}
		var walk func(*node)
		walk = func(n *node) {
			if n.start < 0 || n.end > len(src) || n.start > n.end {
				t.Fatalf("span [%d,%d) outside [0,%d]", n.start, n.end, len(src))
			}
			for _, k := range n.keys {
				walk(k)
			}
			for _, e := range n.elems {
				walk(e)
			}
		}
		walk(n)
		_ = n.toAny()
		_ = n.jsonText()
	})
}

// FuzzSpec feeds YAML documents to the YAML reader and the specification
// reader: neither may panic, whatever the document holds.
func FuzzSpec(f *testing.F) {
	for _, p := range []string{"v7/apis/orders-v1/specification.yaml", "v7/apis/orders-v1;rev=2/specification.yaml", "v7/apis/petstore/specification.json", "broken/apis/items/specification.yaml", "values/prod.yaml"} {
		if src, err := os.ReadFile(filepath.Join("testdata", p)); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("paths:\n  /a:\n    $ref: '#/paths/~1a'\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file := diag.NewFile("s.yaml", src)
		root, serr := parseYAML(file)
		if serr != nil {
			return
		}
		l := &loader{snap: &Snapshot{}}
		a := &API{ID: "a", RequiredQueryInTemplate: true}
		(&specReader{l: l, api: a, root: root, file: file}).read()
		_ = root.toAny()
		_ = root.jsonText()
		for _, d := range l.diags {
			_ = d.String()
		}
	})
}
