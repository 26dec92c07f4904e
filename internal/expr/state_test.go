package expr

import (
	"context"
	"testing"
)

func evalString(t *testing.T, p *Program, c *Context) string {
	t.Helper()
	v, err := p.Eval(context.Background(), c)
	if err != nil {
		t.Fatalf("%s: %v", p.Source(), err)
	}
	return ToString(v)
}

func mustCompile(t *testing.T, src string) *Program {
	t.Helper()
	p, diags := Compile(src, nil)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", src, diags.String())
	}
	return p
}

// TestRegexCacheSizeIsTheProgramsOwn checks that Regex.CacheSize, static
// in .NET, is kept by the program: later evaluations of the expression read
// what an earlier one set, other expressions start at .NET's 15.
func TestRegexCacheSizeIsTheProgramsOwn(t *testing.T) {
	p := mustCompile(t, "@{ Regex.CacheSize += 1; return Regex.CacheSize; }")
	for _, want := range []string{"16", "17"} {
		if got := evalString(t, p, testContext(t)); got != want {
			t.Errorf("Regex.CacheSize after another += 1: got %s, want %s", got, want)
		}
	}
	if got := evalString(t, mustCompile(t, "@(Regex.CacheSize)"), testContext(t)); got != "15" {
		t.Errorf("Regex.CacheSize of another expression: got %s, want 15", got)
	}
}

// TestAnnotationsLastTheRequest checks that a token's annotations are read
// by a later expression of the same request (through a variable), and not
// by another request.
func TestAnnotationsLastTheRequest(t *testing.T) {
	set := mustCompile(t, `@{ var t = JObject.Parse("{'a':1}"); t["a"].AddAnnotation("note"); return t; }`)
	get := mustCompile(t, `@(((JObject)context.Variables["t"])["a"].Annotation<string>() ?? "none")`)
	req := testContext(t)
	v, err := set.Eval(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	req.Variables.Set("t", v)
	if got := evalString(t, get, req); got != "note" {
		t.Errorf("same request: got %q, want note", got)
	}
	other := testContext(t)
	other.Variables.Set("t", v)
	if got := evalString(t, get, other); got != "none" {
		t.Errorf("another request: got %q, want none", got)
	}
}
