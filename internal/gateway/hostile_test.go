package gateway

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/liquid"
	"github.com/tollgate/tollgate/internal/xmlbody"
)

// peakRSS reads the process's peak resident set (VmHWM) in bytes, 0 where
// /proc is not there.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

// resetPeakRSS starts the process's peak resident set (VmHWM) afresh from
// its current resident set, so that a test measures its own peak rather
// than the peak of the tests before it. It does nothing where the kernel
// does not offer it.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// Hostile requests against expressions that would allocate gigabytes: each
// is answered 500 with a cause naming the memory budget, and the process
// stays small.
func TestHostileExpressionsAreBounded(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer backend.Close()
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	write("apis/h/apiInformation.json", `{"properties":{"path":"h","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
	write("apis/h/specification.yaml", "openapi: 3.0.1\ninfo: {title: h, version: '1'}\npaths:\n  /big:\n    get: {operationId: big, responses: {'200': {description: OK}}}\n  /double:\n    get: {operationId: double, responses: {'200': {description: OK}}}\n  /deep:\n    post: {operationId: deep, responses: {'200': {description: OK}}}\n")
	pol := func(expr string) string {
		return `<policies><inbound><base/><set-variable name="v" value="` + expr + `"/></inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`
	}
	write("apis/h/operations/big/policy.xml", pol(`@(new string('a', int.Parse(context.Request.Headers.GetValueOrDefault(&quot;X-N&quot;,&quot;1&quot;))).Length)`))
	write("apis/h/operations/double/policy.xml", pol(`@{ var s = &quot;ab&quot;; while (true) { s = s + s; } return s; }`))
	write("apis/h/operations/deep/policy.xml", pol(`@(context.Request.Body.As&lt;JObject&gt;(preserveContent: true).Count)`))
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	diags.Append(pd)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	snap.Policies = pols
	var logs syncBuffer
	gw, err := New(snap, Options{Log: NewLogWriter(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()

	// As in TestHostileBodiesAreBounded: what is bounded is
	// what these requests add to the process, not what earlier tests of
	// the package (or earlier runs of -count) left in it.
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	startRSS := peakRSS()
	deep := strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)
	for _, c := range []struct {
		method, path, body string
		header             []string
	}{
		{"GET", "/h/big", "", []string{"X-N", "2000000000"}},
		{"GET", "/h/double", "", nil},
		{"POST", "/h/deep", deep, []string{"Content-Type", "application/json"}},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		for i := 0; i+1 < len(c.header); i += 2 {
			req.Header.Set(c.header[i], c.header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		resp.Body.Close()
		line := logs.lastLine()
		if resp.StatusCode != 500 || !strings.Contains(line, "ExpressionValueEvaluationFailure") {
			t.Errorf("%s: status %d\n%s", c.path, resp.StatusCode, line)
		}
		t.Logf("%s: %s", c.path, line[strings.Index(line, `"LastErrorCause"`):min(len(line), strings.Index(line, `"LastErrorCause"`)+300)])
	}
	rss := peakRSS()
	t.Logf("peak RSS of the test process: %d MB (%d MB when the hostile requests began)", rss>>20, startRSS>>20)
	if rss-startRSS > 200<<20 {
		t.Errorf("peak RSS grew by %d MB, want under 200 MB", (rss-startRSS)>>20)
	}
}

// Hostile templates and bodies against Liquid, json-to-xml, xml-to-json and
// find-and-replace: each request is answered 500 with a cause naming the
// budget and the policy's position, and the process stays small. The
// budgets are the defaults, except under the race detector, which
// multiplies memory and time: there they are smaller, so that the test
// stays quick and the process small.
func TestHostileBodiesAreBounded(t *testing.T) {
	budgets := BodyBudgets{Liquid: liquid.Limits{MaxOutput: liquid.DefaultMaxOutput, MaxIterations: liquid.DefaultMaxIterations},
		Conversion: xmlbody.Limits{MaxOutput: xmlbody.DefaultMaxOutput}, MaxBody: maxBodyBuffer}
	if raceEnabled {
		budgets = BodyBudgets{Liquid: liquid.Limits{MaxOutput: 1 << 20, MaxIterations: 50000},
			Conversion: xmlbody.Limits{MaxOutput: 1 << 20}, MaxBody: 4 << 20}
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer backend.Close()
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	ops := map[string]string{
		"range":   `<set-body template="liquid">{% for i in (1..2000000000) %}{% endfor %}</set-body>`,
		"nested":  `<set-body template="liquid">{% for a in body.items %}{% for b in body.items %}{{ b }}{% endfor %}{% endfor %}</set-body>`,
		"append":  `<set-body template="liquid">{% assign s = "ab" %}{% for i in (1..64) %}{% assign s = s | Append: s %}{% endfor %}{{ s }}</set-body>`,
		"capture": `<set-body template="liquid">{% assign s = "ab" %}{% for i in (1..64) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}</set-body>`,
		"times":   `<set-body template="liquid">{{ "abc" | Times: 2000000000 }}</set-body>`,
		"deep":    `<set-body template="liquid">{{ body.a }}</set-body>`,
		"j2x":     `<json-to-xml apply="always" consider-accept-header="false"/>`,
		"x2j":     `<xml-to-json kind="direct" apply="always" consider-accept-header="false"/>`,
		"replace": `<find-and-replace from="a" to="@(new string('b', 1000000))"/>`,
	}
	spec := "openapi: 3.0.1\ninfo: {title: h, version: '1'}\npaths:\n"
	for op, pol := range ops {
		spec += "  /" + op + ":\n    post: {operationId: " + op + ", responses: {'200': {description: OK}}}\n"
		write("apis/h/operations/"+op+"/policy.xml", `<policies><inbound><base/>`+pol+`</inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`)
	}
	write("apis/h/apiInformation.json", `{"properties":{"path":"h","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
	write("apis/h/specification.yaml", spec)
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	diags.Append(pd)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	snap.Policies = pols
	var logs syncBuffer
	gw, err := New(snap, Options{Log: NewLogWriter(&logs), BodyBudgets: budgets})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()

	// Earlier tests of the package leave garbage and freed pages: give
	// them back first, so that the peak is this test's.
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	startRSS := peakRSS()
	iterations := fmt.Sprintf("iteration budget of %d loop iterations", budgets.Liquid.MaxIterations)
	output := fmt.Sprintf("output budget of %d bytes", budgets.Liquid.MaxOutput)
	conversion := fmt.Sprintf("output budget of %d bytes", budgets.Conversion.MaxOutput)
	items := `{"items":[` + strings.Repeat(`"x",`, 5000) + `"x"]}`
	deepJSON := strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)
	wideJSON := strings.Repeat(`{"a":`, 900) + `{"b":[` + strings.Repeat(`{},`, 100000) + `{}]}` + strings.Repeat("}", 900)
	wideXML := strings.Repeat("<a>", 900) + strings.Repeat("<b/>", 100000) + strings.Repeat("</a>", 900)
	for _, c := range []struct {
		op, ct, body, want string
	}{
		{"range", "text/plain", "", iterations},
		{"nested", "application/json", items, iterations},
		{"append", "text/plain", "", output},
		{"capture", "text/plain", "", output},
		{"times", "text/plain", "", output},
		{"deep", "application/json", deepJSON, "nesting deeper than 256 levels"},
		{"j2x", "application/json", wideJSON, conversion},
		{"x2j", "application/xml", wideXML, conversion},
		{"replace", "text/plain", strings.Repeat("a", 100000), fmt.Sprintf("over the body budget of %d bytes", budgets.MaxBody)},
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/h/"+c.op, strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ct)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		resp.Body.Close()
		line := logs.lastLine()
		where := filepath.Join("operations", c.op, "policy.xml") + ":1:"
		if resp.StatusCode != 500 || !strings.Contains(line, c.want) || !strings.Contains(line, where) {
			t.Errorf("%s: status %d, want 500 with %q at %s\n%s", c.op, resp.StatusCode, c.want, where, line)
			continue
		}
		i := strings.Index(line, `"LastErrorCause"`)
		t.Logf("%s: %s", c.op, line[i:min(len(line), i+260)])
	}
	// The peak is the process's: tests of the package running beside
	// this one add to it, so what is bounded is what the hostile requests
	// added to it, 200 MB as a whole process is allowed (the race
	// detector's heap is larger: 150 MB of growth with its smaller budgets).
	rss := peakRSS()
	t.Logf("peak RSS of the test process: %d MB (%d MB when the hostile requests began)", rss>>20, startRSS>>20)
	limit := int64(200 << 20)
	if raceEnabled {
		limit = 150 << 20
	}
	if rss-startRSS > limit {
		t.Errorf("peak RSS grew by %d MB, want under %d MB", (rss-startRSS)>>20, limit>>20)
	}
}
