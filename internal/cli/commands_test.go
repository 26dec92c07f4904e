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

// keyFolder is a folder whose APIs read subscription keys under other
// names: one renames the header, one renames only the query parameter. Each
// answers with the name of the subscription that called it.
func keyFolder(t *testing.T) string {
	t.Helper()
	api := func(path, keyNames string) string {
		return `{"properties":{"path":"` + path + `","subscriptionRequired":true,"subscriptionKeyParameterNames":` + keyNames + `}}`
	}
	spec := "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /who:\n    get:\n      operationId: who\n      responses: {'200': {description: OK}}\n"
	who := `<policies><inbound><return-response><set-status code="200" /><set-body>@("caller " + context.Subscription.Name)</set-body></return-response></inbound><backend /><outbound /><on-error /></policies>`
	return writeFolder(t, map[string]string{
		"apis/header/apiInformation.json":                 api("header", `{"header":"X-Api-Key","query":"api-key"}`),
		"apis/header/specification.yaml":                  spec,
		"apis/header/policy.xml":                          who,
		"apis/query/apiInformation.json":                  api("query", `{"query":"code"}`),
		"apis/query/specification.yaml":                   spec,
		"apis/query/policy.xml":                           who,
		"subscriptions/team/subscriptionInformation.json": `{"properties":{"displayName":"Team","scope":"/apis","state":"active","primaryKey":"team-key-0123456789"}}`,
	})
}

func TestTestCommandSendsKeyWhereTheAPIReadsIt(t *testing.T) {
	dir := keyFolder(t)
	cases := []struct {
		name string
		args []string
		want string // status line and body
	}{
		// The all-access key goes in the header the API reads.
		{"renamed header", []string{"GET", "/header/who"}, "200 OK\n\ncaller Built-in all-access subscription"},
		{"default header, renamed query", []string{"GET", "/query/who"}, "200 OK\n\ncaller Built-in all-access subscription"},
		// A key the caller sends in the API's query parameter is used as it is.
		{"key in renamed query", []string{"GET", "/query/who?code=team-key-0123456789"}, "200 OK\n\ncaller Team"},
		{"key in renamed header", []string{"GET", "/header/who", "-H", "X-Api-Key: team-key-0123456789"}, "200 OK\n\ncaller Team"},
		// A key sent where this API does not read it reproduces the caller's 401.
		{"key in the default header", []string{"GET", "/header/who", "-H", "Ocp-Apim-Subscription-Key: team-key-0123456789"}, "401 Unauthorized"},
	}
	for _, c := range cases {
		code, out, errOut := tollgate(t, append([]string{"test", dir}, c.args...)...)
		status, rest, _ := strings.Cut(out, "\n")
		_, body, _ := strings.Cut(rest, "\n\n")
		got := strings.TrimPrefix(status, "HTTP/1.1 ")
		if strings.HasPrefix(c.want, "200") {
			got += "\n\n" + strings.TrimSpace(body)
		}
		if code != 0 || got != c.want {
			t.Errorf("%s: exit %d, got %q, want %q\n%s%s", c.name, code, got, c.want, out, errOut)
		}
	}
	_, _, errOut := tollgate(t, "test", dir, "GET", "/header/who", "-H", "Ocp-Apim-Subscription-Key: team-key-0123456789")
	if !strings.Contains(errOut, "this API reads it from X-Api-Key") {
		t.Errorf("the 401 does not explain the header:\n%s", errOut)
	}
}
