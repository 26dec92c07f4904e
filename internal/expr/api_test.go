package expr

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

// fileOrigin places an expression at offset off of a file.
type fileOrigin struct {
	f   *diag.File
	off int
}

func (o fileOrigin) Span(s, e int) diag.Span {
	return diag.Span{File: o.f, Start: o.off + s, End: o.off + e}
}

func TestEvalErrorSpan(t *testing.T) {
	const expr = `@(context.Request.Headers.GetValueOrDefault("Nope").Split(','))`
	file := "<policies>\n  <inbound>\n    <set-header name=\"x\"><value>" + expr + "</value></set-header>\n"
	f := diag.NewFile("policy.xml", []byte(file))
	p, d := Compile(expr, fileOrigin{f, strings.Index(file, "@(")})
	if d.HasErrors() {
		t.Fatal(d)
	}
	_, err := p.Eval(context.Background(), testContext(t))
	var ee *EvalError
	if !errors.As(err, &ee) {
		t.Fatalf("got %v, want *EvalError", err)
	}
	if ee.Message != "Object reference not set to an instance of an object." {
		t.Errorf("message %q", ee.Message)
	}
	if want := `context.Request.Headers.GetValueOrDefault("Nope") returned null; .Split was called on it`; ee.Cause != want {
		t.Errorf("cause %q, want %q", ee.Cause, want)
	}
	if got := ee.Span.Text(); got != `context.Request.Headers.GetValueOrDefault("Nope").Split(',')` {
		t.Errorf("span text %q", got)
	}
	if pos := ee.Span.Pos(); pos.Line != 3 || pos.Column != 35 {
		t.Errorf("position %v", pos)
	}
}

func TestCompileErrorPosition(t *testing.T) {
	const expr = `@(context.Request.Methd)`
	f := diag.NewFile("p.xml", []byte("<a b=\""+expr+"\"/>"))
	_, d := Compile(expr, fileOrigin{f, 6})
	if !d.HasErrors() {
		t.Fatal("compiled")
	}
	if got := d[0].String(); got != "p.xml:1:25: error: 'IRequest' does not contain a definition for 'Methd' [expression-unknown-member]" {
		t.Errorf("got %s", got)
	}
	if len(d[0].Notes) == 0 || d[0].Notes[0] != "did you mean 'Method'?" {
		t.Errorf("notes %v", d[0].Notes)
	}
}

func TestCancellation(t *testing.T) {
	p, d := Compile(`@{ var n = 0; while (true) { n++; } }`, nil)
	if d.HasErrors() {
		t.Fatal(d)
	}
	p.MaxSteps = 1 << 40
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Eval(ctx, testContext(t))
	var ee *EvalError
	if !errors.As(err, &ee) || ee.Type != "System.OperationCanceledException" {
		t.Fatalf("got %v", err)
	}
}

func TestBudgetNotCatchable(t *testing.T) {
	p, d := Compile(`@{ try { while (true) { } } catch (Exception) { return "caught"; } }`, nil)
	if d.HasErrors() {
		t.Fatal(d)
	}
	p.MaxSteps = 1000
	if v, err := p.Eval(context.Background(), testContext(t)); err == nil {
		t.Fatalf("got %v, want budget error", v)
	}
}

func TestConcurrentEval(t *testing.T) {
	p, d := Compile(`@{ var s = 0; foreach (var x in new[] {1, 2, 3}.Select(v => v * 2)) { s += x; } return s + context.Request.Headers.GetValueOrDefault("X-Id", ""); }`, nil)
	if d.HasErrors() {
		t.Fatal(d)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c := testContext(t)
			for range 200 {
				v, err := p.Eval(context.Background(), c)
				if err != nil || ToString(v) != "12abc" {
					t.Errorf("got %v %v", v, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestTruthyAndTypeName(t *testing.T) {
	if b, err := Truthy(true); !b || err != nil {
		t.Error("Truthy(true)")
	}
	if _, err := Truthy(int32(1)); err == nil {
		t.Error("Truthy(1) should fail")
	}
	for v, want := range map[any]string{"s": "System.String", int32(1): "System.Int32", 2.5: "System.Double", true: "System.Boolean"} {
		if got := TypeName(v); got != want {
			t.Errorf("TypeName(%v) = %s, want %s", v, got, want)
		}
	}
	p, _ := Compile(`@(JObject.Parse("{}"))`, nil)
	v, _ := p.Eval(context.Background(), testContext(t))
	if got := TypeName(v); got != "Newtonsoft.Json.Linq.JObject" {
		t.Errorf("TypeName(JObject) = %s", got)
	}
}

func TestNewTestContextErrors(t *testing.T) {
	for _, r := range []TestRequest{{URL: "/relative"}, {Headers: []string{"no colon"}}, {Vars: []string{"novalue"}}} {
		if _, err := NewTestContext(r); err == nil {
			t.Errorf("%+v: want error", r)
		}
	}
}
