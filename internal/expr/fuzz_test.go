package expr

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// FuzzCompile checks that compiling (and, when it compiles, evaluating with a
// small budget) never panics.
func FuzzCompile(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, part := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
			src := strings.TrimSpace(expectRE.ReplaceAllString(part, ""))
			if !strings.HasPrefix(src, "@(") && !strings.HasPrefix(src, "@{") {
				src = "@(" + src + ")"
			}
			f.Add(src)
		}
	}
	f.Add(`@(context.Request.Headers.GetValueOrDefault("a","b").Split(',')[0])`)
	f.Add(`@{ return $"{1,-3:D2}"; }`)
	c := testContext(f)
	f.Fuzz(func(t *testing.T, src string) {
		p, diags := Compile(src, nil)
		if diags.HasErrors() {
			return
		}
		p.MaxSteps = 2000
		v, err := p.Eval(context.Background(), c)
		if ee, ok := err.(*EvalError); ok && strings.HasPrefix(ee.Cause, "internal error") {
			t.Fatalf("%s: %s", src, ee.Cause)
		}
		_ = ToString(v)
	})
}
