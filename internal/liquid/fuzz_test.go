package liquid

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func addRenderSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/render/*.txt")
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(text))
	}
}

// FuzzParseJSON checks that the body parser never panics and accepts
// every document encoding/json accepts.
func FuzzParseJSON(f *testing.F) {
	f.Add(string(benchBody))
	f.Add(filterBody)
	f.Add(`{"a":"\ud83d\ude00\u00e9\ud800x","b":[1e400,-0,1.5E-3,true,null]}`)
	f.Fuzz(func(t *testing.T, s string) {
		_, err := parseJSON([]byte(s), true, DefaultMaxBodyMemory)
		if err != nil && json.Valid([]byte(s)) && len(s) < 200 {
			t.Errorf("parseJSON(%q) = %v, but the document is valid JSON", s, err)
		}
	})
}

// FuzzParseXML checks that the XML reader never panics.
func FuzzParseXML(f *testing.F) {
	f.Add(`<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><a xsi:nil="true"/><b c="d">x<e/>y</b><b/></r>`)
	addRenderSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseXML([]byte(s), false, DefaultMaxBodyMemory)
	})
}

// FuzzTemplate compiles and renders arbitrary templates: errors are fine,
// panics are not.
func FuzzTemplate(f *testing.F) {
	f.Add(benchTemplate)
	f.Add(`{{ body.a | Slice: -9, 3 | Truncate: -1 | Round: 99 }}{% for x in body %}{{ x.Key | Currency }}{% endfor %}`)
	addRenderSeeds(f)
	msg := &Message{ContentType: "application/json", Body: []byte(filterBody)}
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := Compile(src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Errorf("Compile error %T is not *Error", err)
			}
			return
		}
		_, _ = tpl.Render(msg, testContext(true), Options{ParseDate: true})
	})
}
