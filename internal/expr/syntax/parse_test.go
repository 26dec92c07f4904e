package syntax

import (
	"strings"
	"testing"
)

func TestParseShapes(t *testing.T) {
	cases := []struct {
		src   string
		check func(p *Program) bool
	}{
		{`@(1 + 2 * 3)`, func(p *Program) bool {
			b := p.X.(*Binary)
			return b.Op == "+" && b.Y.(*Binary).Op == "*"
		}},
		{`@(a ?? b ?? c)`, func(p *Program) bool {
			b := p.X.(*Binary)
			_, rightAssoc := b.Y.(*Binary)
			return b.Op == "??" && rightAssoc
		}},
		{`@(x > 1 ? "a" : "b")`, func(p *Program) bool { _, ok := p.X.(*Cond); return ok }},
		{`@((string)context.Variables["x"])`, func(p *Program) bool { c, ok := p.X.(*Cast); return ok && c.Type.Name == "string" }},
		{`@((x) + 1)`, func(p *Program) bool { _, ok := p.X.(*Binary); return ok }},
		{`@((IResponse)v)`, func(p *Program) bool { _, ok := p.X.(*Cast); return ok }},
		{`@(b.As<JObject>(preserveContent: true))`, func(p *Program) bool {
			c := p.X.(*Call)
			m := c.Fun.(*Member)
			return m.Name == "As" && len(m.TypeArgs) == 1 && c.Args[0].Name == "preserveContent"
		}},
		{`@(a < b && c > d)`, func(p *Program) bool { return p.X.(*Binary).Op == "&&" }},
		{`@(x >> 2)`, func(p *Program) bool { return p.X.(*Binary).Op == ">>" }},
		{`@(new Dictionary<string,List<int>>())`, func(p *Program) bool { return p.X.(*New).Type.Args[1].Args[0].Name == "int" }},
		{`@(xs.Where(x => x > 1).Select((x, i) => x))`, func(p *Program) bool { _, ok := p.X.(*Call); return ok }},
		{`@(o is string s && s.Length > 0)`, func(p *Program) bool { return p.X.(*Binary).X.(*Is).Name == "s" }},
		{`@(h?.Split(' ')?[1])`, func(p *Program) bool { return p.X.(*Index).NullCond }},
		{`@(-2147483648)`, func(p *Program) bool { l := p.X.(*Literal); return l.Kind == LitInt && l.Value.(int64) == -2147483648 }},
		{`@{ int F(int v) => v; return F(1); }`, func(p *Program) bool { _, ok := p.Body.Stmts[0].(*LocalFunc); return ok }},
		{`@{ if (int.TryParse(s, out var n)) { return n; } return 0; }`, func(p *Program) bool { _, ok := p.Body.Stmts[0].(*If); return ok }},
		{`@{ var a = new[] { 1, 2 }; foreach (var x in a) { } return a; }`, func(p *Program) bool { return len(p.Body.Stmts) == 3 }},
		{`@{ switch (x) { case 1: case 2: return "a"; default: return "b"; } }`, func(p *Program) bool {
			s := p.Body.Stmts[0].(*Switch)
			return len(s.Cases) == 2 && len(s.Cases[0].Values) == 2 && s.Cases[1].Default
		}},
		{`@{ try { } catch (FormatException e) when (e != null) { } finally { } return 1; }`, func(p *Program) bool { return p.Body.Stmts[0].(*Try).Catches[0].When != nil }},
	}
	for _, c := range cases {
		p, err := Parse(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if !c.check(p) {
			t.Errorf("%s: unexpected tree", c.src)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		src  string
		pos  int
		want string
	}{
		{`@(1 +)`, 5, "expected an expression"},
		{`@(a.)`, 4, "expected a name"},
		{`@(f(1, 2)`, 8, `expected ")"`},
		{`@{ return 1 }`, 12, `expected ";"`},
		{`@{ x; }`, 3, "only assignment, call"},
		{`@( )`, 3, "empty expression"},
		{`@(new Foo)`, 9, "expected '(' or '{'"},
		{`@(1 2)`, 4, "unexpected"},
		{`hello`, 0, "must start with"},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		if err == nil {
			t.Errorf("%s: parsed", c.src)
			continue
		}
		e := err.(*Error)
		if e.Pos != c.pos || !strings.Contains(e.Msg, c.want) {
			t.Errorf("%s: error at %d %q, want at %d containing %q", c.src, e.Pos, e.Msg, c.pos, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`@(1 + 2)`, `@{ return $"{a,3:F2}"; }`, `@((string)x["a"]?.ToString())`, `@{ foreach (var x in y) { if (x) break; } return 1; }`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse(src)
		if err == nil && p.X == nil && p.Body == nil {
			t.Fatal("no tree and no error")
		}
	})
}
