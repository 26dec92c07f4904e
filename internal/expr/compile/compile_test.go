package compile

import (
	"testing"

	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

func TestNearest(t *testing.T) {
	cands := []string{"Method", "Headers", "Url", "Body"}
	for in, want := range map[string]string{"Methd": "Method", "headers": "Headers", "Xyzzy": "", "Bdy": "Body"} {
		if got := nearest(in, cands); got != want {
			t.Errorf("nearest(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestStaticTypes(t *testing.T) {
	u := value.Universe()
	cases := map[string]*value.Type{
		`@(1 + 2)`:                  u.Int,
		`@(1 + 2.0)`:                u.Double,
		`@("a" + 1)`:                u.String,
		`@(context.Request.Method)`: u.String,
		`@(context.Variables["x"])`: u.Object,
		`@(context.Variables.GetValueOrDefault<int>("x"))`:    u.Int,
		`@(context.Request.Body.As<JObject>()["a"])`:          u.JToken,
		`@("a,b".Split(',').Select(s => s.Length).ToArray())`: u.ArrayOf(u.Int),
		`@(DateTime.UtcNow - DateTime.UtcNow)`:                u.TimeSpan,
		`@(DateTimeOffset.UtcNow - DateTimeOffset.UtcNow)`:    u.TimeSpan,
		`@(DateTimeOffset.UtcNow - TimeSpan.Zero)`:            u.DateTimeOffset,
		`@(-TimeSpan.MaxValue)`:                               u.TimeSpan,
	}
	checkStaticTypes(t, cases)
}

// checkStaticTypes compiles each expression and checks its static type.
func checkStaticTypes(t *testing.T, cases map[string]*value.Type) {
	t.Helper()
	for src, want := range cases {
		p, err := syntax.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		prog, errs := Compile(p)
		if len(errs) > 0 {
			t.Errorf("%s: %v", src, errs[0])
			continue
		}
		if prog.Result != want {
			got := "<nil>"
			if prog.Result != nil {
				got = prog.Result.Name
			}
			t.Errorf("%s: static type %s, want %s", src, got, want.Name)
		}
	}
}
