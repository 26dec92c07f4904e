package expr

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

// The Authorization object of get-authorization-context, as policies read it.
func TestAuthorization(t *testing.T) {
	ctx := testContext(t)
	ctx.Variables.Set("auth", NewAuthorization("gho_token", map[string]any{"login": "octocat", "id": float64(42), "scopes": []any{"repo"}}))
	ctx.Variables.Set("none", nil)
	for src, want := range map[string]string{
		`@(((Authorization)context.Variables["auth"])?.AccessToken)`:                 "gho_token",
		`@("Bearer " + ((Authorization)context.Variables["auth"]).AccessToken)`:      "Bearer gho_token",
		`@(((Authorization)context.Variables["none"])?.AccessToken ?? "no token")`:   "no token",
		`@((string)((Authorization)context.Variables["auth"]).Claims["login"])`:      "octocat",
		`@(((Authorization)context.Variables["auth"]).Claims["id"].ToString())`:      "42",
		`@(((Authorization)context.Variables["auth"]).Claims.ContainsKey("scopes"))`: "True",
		`@(context.Variables.GetValueOrDefault<Authorization>("auth").AccessToken)`:  "gho_token",
	} {
		f := diag.NewFile("p.xml", []byte(src))
		p, d := Compile(src, fileOrigin{f, 0})
		if d.HasErrors() {
			t.Errorf("%s: %s", src, d)
			continue
		}
		v, err := p.Eval(context.Background(), ctx)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if got := ToString(v); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
	// A misspelt member fails at load.
	f := diag.NewFile("p.xml", []byte("x"))
	if _, d := Compile(`@(((Authorization)context.Variables["auth"]).Token)`, fileOrigin{f, 0}); !d.HasErrors() {
		t.Error("Authorization.Token compiled")
	}
}
