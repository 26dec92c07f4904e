package expr

import (
	"context"
	"testing"
)

func benchExpr(b *testing.B, src string, setup func(c *Context)) {
	b.Helper()
	p, d := Compile(src, nil)
	if d.HasErrors() {
		b.Fatal(d)
	}
	c := testContext(b)
	if setup != nil {
		setup(c)
	}
	ctx := context.Background()
	if _, err := p.Eval(ctx, c); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if setup != nil {
			setup(c)
		}
		if _, err := p.Eval(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHeaderEquals(b *testing.B) {
	benchExpr(b, `@(context.Request.Headers.GetValueOrDefault("X-Id","") == "abc")`, nil)
}

func BenchmarkVariableCast(b *testing.B) {
	benchExpr(b, `@((string)context.Variables["x"])`, nil)
}

func BenchmarkBodyField(b *testing.B) {
	benchExpr(b, `@(context.Request.Body.As<JObject>(preserveContent: true)["a"])`, nil)
}

func BenchmarkInterpolation(b *testing.B) {
	benchExpr(b, `@($"{context.Request.Method} {context.Request.Url.Path} id={context.Request.Headers.GetValueOrDefault("X-Id", "none")} n={context.Variables.GetValueOrDefault<string>("n")}")`, nil)
}

func BenchmarkBlock20(b *testing.B) {
	benchExpr(b, `@{
		var id = context.Request.Headers.GetValueOrDefault("X-Id", "");
		var parts = "a,b,c,d".Split(',');
		var count = 0;
		foreach (var p in parts) {
			if (p != "b") {
				count++;
			}
		}
		string result;
		if (id.StartsWith("a", StringComparison.OrdinalIgnoreCase)) {
			result = "prefix-a";
		} else {
			result = "other";
		}
		var total = 0;
		for (var i = 0; i < 10; i++) {
			total += i * count;
		}
		var upper = id.ToUpperInvariant();
		return result + ":" + upper + ":" + total;
	}`, nil)
}

func BenchmarkCompileCorpus(b *testing.B) {
	exprs := corpusExprs(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, x := range exprs {
			Compile(substituteNamedValues(x.src), nil)
		}
	}
}

// BenchmarkListAdd measures List<T>.Add on the request path: a list built
// with a collection initializer and grown by a loop.
func BenchmarkListAdd(b *testing.B) {
	benchExpr(b, `@{
		var l = new List<int> { 1, 2, 3 };
		for (var i = 0; i < 100; i++) {
			l.Add(i);
		}
		return l.Count;
	}`, nil)
}

// BenchmarkDictionarySet measures Dictionary<TKey, TValue> inserts and
// removals.
func BenchmarkDictionarySet(b *testing.B) {
	benchExpr(b, `@{
		var d = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
		for (var i = 0; i < 50; i++) {
			d["k" + i] = i;
		}
		d.Remove("k3");
		d.Add("x", 1);
		return d.Count;
	}`, nil)
}
