package credentials

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestEnvName(t *testing.T) {
	if got := EnvName("github", "auth-1"); got != "TOLLGATE_AUTHORIZATION_GITHUB_AUTH_1" {
		t.Errorf("EnvName = %s", got)
	}
}

func TestFileAndEnvironment(t *testing.T) {
	file := write(t, "auth.yaml", `authorizations:
  github:
    auth-1:
      accessToken: gho_file_token
      claims: {login: octocat, id: 42}
    old:
      accessToken: gho_old
      expiresOn: 2001-01-01T00:00:00Z
  AAD:
    graph:
      accessToken: eyJhbGciOiJub25lIn0.eyJ1cG4iOiJhQGIuYyJ9.
`)
	s, err := New(file, env(map[string]string{"TOLLGATE_AUTHORIZATION_SALESFORCE_MAIN": "sf_env_token"}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Lookup("GitHub", "Auth-1")
	if err != nil || a.AccessToken != "gho_file_token" || a.Claims["login"] != "octocat" {
		t.Errorf("file authorization = %+v, %v", a, err)
	}
	a, err = s.Lookup("salesforce", "main")
	if err != nil || a.AccessToken != "sf_env_token" {
		t.Errorf("environment authorization = %+v, %v", a, err)
	}
	// A JWT's claims come from its payload.
	a, err = s.Lookup("aad", "graph")
	if err != nil || a.Claims["upn"] != "a@b.c" {
		t.Errorf("JWT claims = %+v, %v", a.Claims, err)
	}
	_, err = s.Lookup("github", "old")
	if err == nil || !strings.Contains(err.Error(), "expired at 2001-01-01T00:00:00Z") || strings.Contains(err.Error(), "gho_old") {
		t.Errorf("expired: %v", err)
	}
	_, err = s.Lookup("github", "nope")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "TOLLGATE_AUTHORIZATION_GITHUB_NOPE") {
		t.Errorf("missing: %v", err)
	}
	// The environment wins over the file.
	s2, _ := New(file, env(map[string]string{"TOLLGATE_AUTHORIZATION_GITHUB_AUTH_1": "gho_env"}))
	if a, _ := s2.Lookup("github", "auth-1"); a.AccessToken != "gho_env" {
		t.Errorf("environment did not win: %q", a.AccessToken)
	}
	s2.now = func() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }
	if _, err := s2.Lookup("github", "old"); err != nil {
		t.Errorf("before expiry: %v", err)
	}
}

func TestJSONFile(t *testing.T) {
	file := write(t, "auth.json", `{"authorizations": {"github": {"a": {"accessToken": "t"}}}}`)
	s, err := New(file, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if a, err := s.Lookup("github", "a"); err != nil || a.AccessToken != "t" {
		t.Errorf("%+v %v", a, err)
	}
}

func TestFileErrors(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"authorizations:\n  github:\n    a: {claims: {x: 1}}\n", ":3:8: authorization \"a\" of provider \"github\" has no accessToken"},
		{"authorizations:\n  github:\n    a: {accessToken: t, scope: x}\n", ":3:25: unknown key \"scope\""},
		{"authorizations:\n  github:\n    a: {accessToken: t, expiresOn: tomorrow}\n", ":3:36: expiresOn must be a date"},
		{"tokens: {}\n", ":1:1: unknown key \"tokens\""},
		{"authorizations: [1]\n", ":1:17: \"authorizations\" must map"},
		{"authorizations:\n  github: [a]\n", ":2:11: provider \"github\" must map"},
		{"authorizations: {github: {a: {accessToken: t}, A: {accessToken: u}}}\n", ":1:48: authorization \"A\" of provider \"github\" is given twice"},
		{"authorizations: {\n", "auth.yaml: "},
	} {
		_, err := New(write(t, "auth.yaml", c.data), env(nil))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.data, err, c.want)
		}
	}
	if _, err := New(filepath.Join(t.TempDir(), "missing.yaml"), nil); err == nil {
		t.Error("a missing file was accepted")
	}
}
