package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tollgate test --authorizations FILE gives get-authorization-context its
// tokens; a missing one fails with the way to supply it.
func TestAuthorizationsFlag(t *testing.T) {
	dir := demoFolder(t)
	pol := `<policies><inbound><base />
  <get-authorization-context provider-id="github" authorization-id="auth-1" context-variable-name="auth" />
  <return-response><set-status code="200" reason="OK" />
    <set-body>@("login=" + (string)((Authorization)context.Variables["auth"]).Claims["login"])</set-body></return-response>
</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`
	if err := os.WriteFile(filepath.Join(dir, "apis", "open", "policy.xml"), []byte(pol), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "authorizations.yaml")
	os.WriteFile(file, []byte("authorizations:\n  github:\n    auth-1:\n      accessToken: gho_cli_token\n      claims: {login: octocat}\n"), 0o600)
	code, out, errOut := tollgate(t, "test", dir, "GET", "/open/hello", "--authorizations", file)
	if code != 0 || !strings.Contains(out, "login=octocat") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = tollgate(t, "test", dir, "GET", "/open/hello")
	if !strings.Contains(out, "HTTP/1.1 500") || !strings.Contains(errOut, "TOLLGATE_AUTHORIZATION_GITHUB_AUTH_1") {
		t.Errorf("without the file: exit %d\n%s\n%s", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("authorizations:\n  github: [x]\n"), 0o600)
	code, _, errOut = tollgate(t, "test", dir, "GET", "/open/hello", "--authorizations", bad)
	if code == 0 || !strings.Contains(errOut, "bad.yaml:2:11: provider \"github\" must map") {
		t.Errorf("bad file: exit %d %s", code, errOut)
	}
}
