package xmlbody

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addSeeds adds every file of testdata/<dir> to the fuzz corpus.
func addSeeds(f *testing.F, dir string, extra ...string) {
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(0))
		f.Add(b, uint8(0xFF))
	}
	for _, s := range extra {
		f.Add([]byte(s), uint8(1))
	}
}

// FuzzJSONToXML checks that JSONToXML never panics and that whatever it
// produces is well-formed XML with every prefix declared.
func FuzzJSONToXML(f *testing.F) {
	addSeeds(f, "json", `{"a":1}`, `[]`, `{"xmlns_p":"u","p_a":null}`, `"\u0000"`, `{"a":{"#attrs":{"xmlns":"x"},"xmlns":"y"}}`)
	f.Fuzz(func(t *testing.T, src []byte, flags uint8) {
		o := JSONToXMLOptions{ParseDate: flags&1 != 0}
		if flags&2 != 0 {
			o.NamespacePrefix = "xmlns"
			o.AttributeBlockName = "#attrs"
		}
		if flags&4 != 0 {
			o.NamespaceSeparator = ":"
		}
		out, err := JSONToXML(src, o)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			return
		}
		// encoding/xml checks names against the older XML 1.0 (fourth
		// edition) tables; names valid under the fifth edition only, such
		// as an emoji, are not a failure of JSONToXML.
		if _, err := XMLToJSON(out, XMLToJSONOptions{Kind: KindDirect}); err != nil && !strings.Contains(err.Error(), "invalid XML name") {
			t.Fatalf("output is not well-formed: %v\n%s", err, out)
		}
	})
}

// FuzzXMLToJSON checks that XMLToJSON never panics, that its output is
// valid JSON and that the output converts back to XML.
func FuzzXMLToJSON(f *testing.F) {
	addSeeds(f, "xml", `<a/>`, `<a:b xmlns:a="u"/>`, `<a>&#0;</a>`, `<?xml version="1.0"?><a x="&quot;"> <b/> t </a>`)
	f.Fuzz(func(t *testing.T, src []byte, flags uint8) {
		o := XMLToJSONOptions{Kind: KindDirect, AlwaysArrayChildElements: flags&2 != 0}
		if flags&1 != 0 {
			o.Kind = KindJavaScriptFriendly
		}
		out, err := XMLToJSON(src, o)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON output:\n%s", out)
		}
		if _, err := JSONToXML(out, JSONToXMLOptions{}); err != nil {
			t.Fatalf("output does not convert back: %v\n%s", err, out)
		}
	})
}
