package xmlscan

import (
	"os"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.src, tt.opts.RawContent != nil)
	}
	if _, err := os.Stat(corpusDir); err == nil {
		for _, path := range corpusFiles(f) {
			src, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(string(src), true)
		}
	}
	f.Fuzz(func(t *testing.T, src string, raw bool) {
		var opts Options
		if raw {
			opts = corpusOptions
		}
		file := diag.NewFile("f.xml", []byte(src))
		doc, diags := Parse(file, opts)
		if doc == nil || doc.File != file {
			t.Fatal("no document")
		}
		for _, d := range diags {
			if s := d.Span; s.File != file || s.Start < 0 || s.End > len(src) || s.Start > s.End {
				t.Fatalf("diagnostic %q has span [%d,%d) outside the file (%d bytes)", d.Message, s.Start, s.End, len(src))
			}
		}
		checkSpans(t, doc)
	})
}

// TestPathological checks that badly damaged input stops after maxErrors
// errors and still yields valid spans.
func TestPathological(t *testing.T) {
	n := 64 << 10
	inputs := map[string]string{
		"attr-open-expr":  "<r>" + strings.Repeat(`<a v="@(x(" />`, n/14),
		"deep":            strings.Repeat("<a>", n/3),
		"quotes":          "<r " + strings.Repeat(`v="x"y" `, n/8) + "/>",
		"raw-nested":      "<set-body>" + strings.Repeat("<set-body", n/9),
		"text-expr":       "<r>" + strings.Repeat("<a>@(x(</a>", n/11) + "</r>",
		"strings-in-attr": "<r>" + strings.Repeat(`<a v="@("a" + "b" + 'c')" />`, n/28) + "</r>",
		"lt":              "<r>" + strings.Repeat("< ", n/2) + "</r>",
		"entities":        "<r v=\"" + strings.Repeat("&amp;&#65;&", n/11) + "\">" + strings.Repeat("&lt;\r\n", n/6) + "</r>",
	}
	for name, src := range inputs {
		doc, diags := Parse(diag.NewFile(name, []byte(src)), corpusOptions)
		if e := diags.Errors(); e > maxErrors+1 {
			t.Errorf("%s: %d errors, want at most %d", name, e, maxErrors+1)
		}
		checkSpans(t, doc)
	}
}
