package expr

import (
	"context"
	"testing"
)

// TestAnonymousTypesPerProgram checks that arrays of anonymous objects in
// one program do not take the member table of another program's anonymous
// type.
func TestAnonymousTypesPerProgram(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`@(new[] { new { p = 1 } }.Sum(x => x.p))`, "1"},
		{`@(new[] { new { q = 2 } }.Sum(x => x.q))`, "2"},
		{`@(new List<object> { new { p = 1 } }.Count)`, "1"},
	} {
		p, diags := Compile(c.src, nil)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", c.src, diags)
		}
		v, err := p.Eval(context.Background(), testContext(t))
		if err != nil || ToString(v) != c.want {
			t.Errorf("%s = %v, %v; want %s", c.src, ToString(v), err, c.want)
		}
	}
}
