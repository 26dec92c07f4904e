package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/demo"
)

// demoFolder writes the demo configuration, pointed at a live echo backend.
func demoFolder(t *testing.T) string {
	t.Helper()
	backend, stop, err := demo.StartEcho()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	dir := t.TempDir()
	if err := demo.WriteTree(dir, backend); err != nil {
		t.Fatal(err)
	}
	return dir
}

func tollgate(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestTestCommand(t *testing.T) {
	dir := demoFolder(t)
	code, out, errOut := tollgate(t, "test", dir, "GET", "/echo/resource?param1=x", "-H", "X-Custom: 1", "--trace")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"HTTP/1.1 200 OK", "X-Environment: demo", `"path": "/echo-backend/resource"`, "--- trace", "forward-request", "policy.xml:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = tollgate(t, "test", dir, "DELETE", "/echo/resource")
	if code != 0 || !strings.Contains(out, "HTTP/1.1 404") || !strings.Contains(errOut, "configuration/OperationNotFound") || !strings.Contains(errOut, "none for method DELETE") {
		t.Errorf("wrong method: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestEffectiveCommand(t *testing.T) {
	dir := demoFolder(t)
	code, out, errOut := tollgate(t, "effective", dir, "--api", "open", "--operation", "hello")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The global inbound set-header runs before the API's choose, as <base/> places it.
	g, c := strings.Index(out, `<set-header name="X-Request-Id"`), strings.Index(out, "<choose>")
	if g < 0 || c < 0 || g > c {
		t.Errorf("effective policy order is wrong:\n%s", out)
	}
	if !strings.Contains(out, "<!-- global: ") || !strings.Contains(out, "<!-- api: ") {
		t.Errorf("statements are not annotated with their scope:\n%s", out)
	}
	if code, _, errOut := tollgate(t, "effective", dir, "--api", "nope"); code == 0 || !strings.Contains(errOut, "no API") {
		t.Errorf("unknown API: exit %d, %s", code, errOut)
	}
}

func TestExprCommand(t *testing.T) {
	cases := []struct {
		args []string
		code int
		out  string // exact standard output, or substring of standard error when code != 0
	}{
		{[]string{"expr", `context.Request.Headers.GetValueOrDefault("X-Id", "") == "abc"`, "--header", "X-Id: abc"}, 0, "True\n"},
		{[]string{"expr", `@(21 * 2)`, "--json"}, 0, `{"type":"System.Int32","value":"42"}` + "\n"},
		{[]string{"expr", `@{ var j = context.Request.Body.As<JObject>(); return (string)j["name"]; }`, "--body", `{"name":"tollgate"}`}, 0, "tollgate\n"},
		{[]string{"expr", `(string)context.Variables["tier"]`, "--var", "tier=gold"}, 0, "gold\n"},
		{[]string{"expr", `context.Request.IpAddress`, "--ip", "10.1.2.3"}, 0, "10.1.2.3\n"},
		{[]string{"expr", `context.Request.Heders`}, 1, "did you mean 'Headers'"},
		{[]string{"expr", `context.Request.Headers.GetValueOrDefault("X").Length`}, 1, "Object reference not set to an instance of an object."},
	}
	for _, c := range cases {
		code, out, errOut := tollgate(t, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.args, code, c.code, out, errOut)
			continue
		}
		if c.code == 0 && out != c.out {
			t.Errorf("%v: output %q, want %q", c.args, out, c.out)
		}
		if c.code != 0 && (!strings.Contains(errOut, c.out) || !strings.Contains(errOut, "^")) {
			t.Errorf("%v: error output lacks %q and a caret:\n%s", c.args, c.out, errOut)
		}
	}
}
