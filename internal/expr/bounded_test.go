package expr

import (
	"context"
	"runtime"
	"strings"
	"testing"
)

// evalBounded evaluates src against a request with header X-N: n and
// reports the error and the bytes the Go runtime allocated meanwhile.
func evalBounded(t *testing.T, src, n string, maxMemory int64) (Value, error, uint64) {
	t.Helper()
	p, d := Compile(src, nil)
	if d.HasErrors() {
		t.Fatalf("%s: %s", src, d)
	}
	c, err := NewTestContext(TestRequest{Method: "POST", URL: "https://gw.example.com/x", Headers: []string{"X-N: " + n}})
	if err != nil {
		t.Fatal(err)
	}
	c.MaxMemory = maxMemory
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	v, err := p.Eval(context.Background(), c)
	runtime.ReadMemStats(&after)
	return v, err, after.TotalAlloc - before.TotalAlloc
}

// TestMemoryBudget runs hostile expressions: each must fail with the memory
// budget named in the cause, without allocating what it asked for.
func TestMemoryBudget(t *testing.T) {
	const limit = 64 << 20 // what the Go runtime may allocate meanwhile
	for _, src := range []string{
		`@(new string('a', int.Parse(context.Request.Headers.GetValueOrDefault("X-N","1"))))`,
		`@("x".PadLeft(int.Parse(context.Request.Headers.GetValueOrDefault("X-N","1"))))`,
		`@(new int[int.Parse(context.Request.Headers.GetValueOrDefault("X-N","1"))].Length)`,
		`@(Enumerable.Repeat("x", int.Parse(context.Request.Headers.GetValueOrDefault("X-N","1"))).Count())`,
		`@{ var s = "a"; for (var i = 0; i < 64; i++) { s = s + s; } return s.Length; }`,
		`@{ var s = "a"; for (var i = 0; i < 64; i++) { s += s; } return s.Length; }`,
		`@{ var s = "a"; for (var i = 0; i < 64; i++) { s = $"{s}{s}"; } return s.Length; }`,
		`@{ var s = "a"; for (var i = 0; i < 64; i++) { s = string.Concat(s, s); } return s.Length; }`,
		`@{ var s = "ab"; for (var i = 0; i < 64; i++) { s = s.Replace("a", "aa"); } return s.Length; }`,
		`@{ var sb = new StringBuilder("a"); for (var i = 0; i < 64; i++) { sb.Append(sb.ToString()); } return sb.Length; }`,
		`@{ var l = new List<string>(); l.AddRange(new string[int.Parse(context.Request.Headers.GetValueOrDefault("X-N","1"))]); return l.Count; }`,
		`@(string.Format("{0,2000000000}", 1))`,
	} {
		_, err, alloc := evalBounded(t, src, "2000000000", 0)
		ee, ok := err.(*EvalError)
		if !ok {
			t.Errorf("%s: error %v, want the memory budget", src, err)
			continue
		}
		if !strings.Contains(ee.Cause, "memory budget of 16777216 bytes") || ee.Type != "System.InvalidOperationException" {
			t.Errorf("%s: %s: %s (%s)", src, ee.Type, ee.Message, ee.Cause)
		}
		if alloc > limit {
			t.Errorf("%s: allocated %d bytes before failing", src, alloc)
		}
	}
}

func TestMemoryBudgetConfigurable(t *testing.T) {
	src := `@(new string('a', int.Parse(context.Request.Headers.GetValueOrDefault("X-N","1"))).Length)`
	if _, err, _ := evalBounded(t, src, "2000", 1024); err == nil || !strings.Contains(err.Error(), "memory budget of 1024 bytes") {
		t.Errorf("budget 1024: %v", err)
	}
	if v, err, _ := evalBounded(t, src, "2000", 0); err != nil || ToString(v) != "2000" {
		t.Errorf("default budget: %v %v", v, err)
	}
	if v, err, _ := evalBounded(t, src, "20000000", -1); err != nil || ToString(v) != "20000000" {
		t.Errorf("unbounded: %v %v", v, err)
	}
	// the budget is per evaluation: a program run twice starts afresh
	p, _ := Compile(`@(new string('a', 10000000).Length)`, nil)
	c := testContext(t)
	for range 3 {
		if _, err := p.Eval(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDeepJSONBody reads a JSON body nested 100,000 levels: a clean
// JsonReaderException, no stack overflow.
func TestDeepJSONBody(t *testing.T) {
	body := strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)
	for _, src := range []string{
		`@(context.Request.Body.As<JObject>()["a"].ToString())`,
		`@(JObject.Parse(context.Request.Body.As<string>()).Count)`,
		`@(JToken.Parse(context.Request.Body.As<string>()).Type.ToString())`,
	} {
		p, d := Compile(src, nil)
		if d.HasErrors() {
			t.Fatal(d)
		}
		c, err := NewTestContext(TestRequest{Method: "POST", URL: "https://gw.example.com/x", Body: body, Headers: []string{"Content-Type: application/json"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Eval(context.Background(), c)
		ee, ok := err.(*EvalError)
		if !ok || !strings.Contains(ee.Message, "MaxDepth") {
			t.Errorf("%s: %v", src, err)
		}
	}
}

// TestDeepXMLBody parses an XML body nested 20,000 levels in linear time.
func TestDeepXMLBody(t *testing.T) {
	body := strings.Repeat(`<a xmlns:p="urn:p">`, 20000) + "<p:b/>" + strings.Repeat("</a>", 20000)
	c, err := NewTestContext(TestRequest{Method: "POST", URL: "https://gw.example.com/x", Body: body, Headers: []string{"Content-Type: application/xml"}})
	if err != nil {
		t.Fatal(err)
	}
	p, d := Compile(`@(context.Request.Body.As<XDocument>().Descendants().Last().Name.NamespaceName)`, nil)
	if d.HasErrors() {
		t.Fatal(d)
	}
	p.MaxSteps = 10_000_000
	v, err := p.Eval(context.Background(), c)
	if err != nil || ToString(v) != "urn:p" {
		t.Errorf("got %v, %v", v, err)
	}
}
