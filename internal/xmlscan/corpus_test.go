package xmlscan

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr/scanner"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus.golden")

// corpusDir is the shared policy corpus, relative to this package.
const corpusDir = "../../../shared/corpus/policy-snippets/examples"

// corpusOptions are the options tollgate reads policy files with.
var corpusOptions = Options{RawContent: map[string]bool{"set-body": true}}

// corpusFiles returns the *.xml files of the corpus, sorted, or skips t.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("policy corpus not available:", err)
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".xml") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func readCorpus(t testing.TB, path string) *diag.File {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(corpusDir, path)
	return diag.NewFile(filepath.ToSlash(rel), src)
}

// corpusDiags lists the diagnostics expected for the damaged corpus files;
// every other file must read without any.
var corpusDiags = map[string]string{
	"Call out to an HTTP endpoint and cache the response.policy.xml": "Call out to an HTTP endpoint and cache the response.policy.xml:41:73: error: unterminated string literal [expr-syntax]\n",
	"Filter response content based on product name.policy.xml":       "Filter response content based on product name.policy.xml:2:3: error: '--' is not allowed inside a comment: comments do not nest (the comment opened at 1:1 is still open) [xml-comment]\n",
}

func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	if len(files) != 59 {
		t.Errorf("corpus has %d files, want 59", len(files))
	}
	var golden strings.Builder
	clean := 0
	for _, path := range files {
		f := readCorpus(t, path)
		for _, opts := range []Options{{}, corpusOptions} {
			doc, diags := Parse(f, opts)
			if got, want := diags.String(), corpusDiags[f.Name]; got != want {
				t.Errorf("%s: diagnostics\n got %s\nwant %s", f.Name, got, want)
			}
			if doc.Root == nil || doc.Root.Name != "policies" && doc.Root.Name != "fragment" {
				t.Errorf("%s: root %v, want <policies> or <fragment>", f.Name, doc.Root)
			}
			checkSpans(t, doc)
			checkExprsTokenize(t, doc)
			if opts.RawContent != nil {
				golden.WriteString("=== " + f.Name + "\n")
				golden.WriteString(dump(doc, diags))
				if len(diags) == 0 {
					clean++
				}
			}
		}
	}
	if clean != 57 {
		t.Errorf("%d files read cleanly, want 57", clean)
	}
	const goldenPath = "testdata/corpus.golden"
	if *update {
		if err := os.WriteFile(goldenPath, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := golden.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got %s\nwant %s\n(run with -update if the change is intended)", goldenPath, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", goldenPath, len(gl), len(wl))
	}
}

// checkExprsTokenize asserts that the C# inside every expression of doc
// tokenizes, which shows Value was cut and decoded at the right places.
func checkExprsTokenize(t *testing.T, doc *Document) {
	t.Helper()
	check := func(x *Text) {
		if !x.Expr {
			return
		}
		i, j := trimSpaceIndex(x.Value)
		if _, err := scanner.Tokenize(x.Value, i+2, j-1); err != nil {
			t.Errorf("%s: expression does not tokenize: %v", x.Raw.Pos(), err)
		}
	}
	var walk func(e *Element)
	walk = func(e *Element) {
		for _, a := range e.Attrs {
			check(&a.Value)
		}
		for _, c := range e.Children {
			switch c := c.(type) {
			case *Element:
				walk(c)
			case *Text:
				check(c)
			}
		}
	}
	if doc.Root != nil {
		walk(doc.Root)
	}
}

// find returns the first element called name with attribute attr=val
// (attr == "" matches any), depth first.
func find(e *Element, name, attr, val string) *Element {
	if e.Name == name && (attr == "" || e.Attr(attr) != nil && e.Attr(attr).Value.Value == val) {
		return e
	}
	for _, c := range e.Elements() {
		if r := find(c, name, attr, val); r != nil {
			return r
		}
	}
	return nil
}

func TestCorpusPositions(t *testing.T) {
	corpusFiles(t)
	at := func(s diag.Span) string { return s.Pos().String() }
	tests := []struct {
		file, elem, attr, val string
		check                 func(t *testing.T, e *Element)
	}{
		{"Decrypt AES Data using policy expressions.xml", "set-variable", "name", "plainText", func(t *testing.T, e *Element) {
			// UTF-8 BOM, tabs and a multi-line expression.
			eq(t, at(e.Start), "Decrypt AES Data using policy expressions.xml:10:3")
			v := e.Attr("value").Value
			eq(t, at(v.Raw), "Decrypt AES Data using policy expressions.xml:10:41")
			eq(t, at(v.SpanOf(strings.Index(v.Value, "byte[]"), strings.Index(v.Value, "byte[]")+6)), "Decrypt AES Data using policy expressions.xml:11:13")
			if !v.Expr {
				t.Error("value is not an expression")
			}
		}},
		{"Decrypt AES Data using policy expressions.xml", "policies", "", "", func(t *testing.T, e *Element) {
			eq(t, at(e.Start), "Decrypt AES Data using policy expressions.xml:5:1")
		}},
		{"Loopback request for service at same API Management service.xml", "set-variable", "name", "subscriptionKey", func(t *testing.T, e *Element) {
			// CRLF line ends; damaged string literals still read.
			eq(t, at(e.Start), "Loopback request for service at same API Management service.xml:15:3")
			v := e.Attr("value").Value
			eq(t, at(v.Raw), "Loopback request for service at same API Management service.xml:15:47")
			eq(t, v.Value, `@(context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key=""","scheme="" param="""))`)
			if !v.Expr {
				t.Error("value is not an expression")
			}
			eq(t, e.End.Text(), e.Start.Text())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.val, func(t *testing.T) {
			doc, _ := Parse(readCorpus(t, filepath.Join(corpusDir, tt.file)), corpusOptions)
			e := find(doc.Root, tt.elem, tt.attr, tt.val)
			if e == nil {
				t.Fatalf("no <%s %s=%q>", tt.elem, tt.attr, tt.val)
			}
			tt.check(t, e)
		})
	}
}

func eq(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func BenchmarkParseCorpus(b *testing.B) {
	var files []*diag.File
	total := 0
	for _, path := range corpusFiles(b) {
		f := readCorpus(b, path)
		files = append(files, f)
		total += len(f.Src)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			Parse(f, corpusOptions)
		}
	}
	b.ReportMetric(float64(len(files)), "files/op")
}
