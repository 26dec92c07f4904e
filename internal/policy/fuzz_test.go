package policy

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

// FuzzLoadDocument checks that loading, composing and printing never panic
// and that every diagnostic points inside the files it names.
func FuzzLoadDocument(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "effective", "*.txtar"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, af := range parseArchive(string(data)).files {
			if strings.HasSuffix(af.name, ".xml") && af.name != "want.xml" {
				f.Add(af.data)
			}
		}
	}
	f.Add(wrap("inbound", `<choose><when condition="@(true)"><include-fragment fragment-id="f" /></when></choose>`))
	f.Add(wrap("inbound", `<set-header name="{{api-key}}{{nope}}{{x"><value>@("{{backend-url}}")</value></set-header>`))
	f.Add("<fragment><base /><include-fragment fragment-id=\"f\" /></fragment>")
	f.Fuzz(func(t *testing.T, src string) {
		env := testEnv()
		env.Fragments["f"] = diag.NewFile("f.xml", []byte("<fragment><set-variable name=\"a\" value=\"{{backend-url}}\" /></fragment>"))
		for _, scope := range []Scope{API, Fragment} {
			file := diag.NewFile("p.xml", []byte(src))
			doc, diags := LoadDocument(file, scope, env)
			for _, d := range diags {
				if s := d.Span; s.IsValid() && (s.Start < 0 || s.End > len(s.File.Src) || s.Start > s.End) {
					t.Fatalf("span out of range: %s [%d,%d) of %d", d, s.Start, s.End, len(s.File.Src))
				}
			}
			if scope == API {
				if err := Compose(nil, nil, doc, doc).Format(io.Discard); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
