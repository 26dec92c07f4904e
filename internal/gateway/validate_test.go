package gateway

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
)

// TestValidateLoadErrors checks that what tollgate cannot validate makes the
// configuration fail to load at the attribute's position.
func TestValidateLoadErrors(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"xml", `<content type="application/xml" validate-as="xml" action="prevent" />`,
			`apis/test/policy.xml:1:179: error: <validate-content>: validate-as="xml" is not supported by tollgate yet; only json is [unsupported-validation]`},
		{"soap", `<content type="text/xml" validate-as="soap" action="prevent" />`,
			`validate-as="soap" is not supported by tollgate yet`},
		{"schema-id", `<content type="application/json" validate-as="json" schema-id="pets" action="prevent" />`,
			`schema-id (a global schema) is not supported by tollgate yet`},
		{"when", `<content-type-map><type when="@(true)" to="application/json" /></content-type-map>`,
			`type when="..." is not supported by tollgate yet`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(rel, data string) {
				p := filepath.Join(dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("apis/test/apiInformation.json", `{"properties":{"displayName":"Test API","path":"test","serviceUrl":"http://backend","subscriptionRequired":false}}`)
			write("apis/test/specification.yaml", defaultSpec)
			write("apis/test/policy.xml", `<policies><inbound><base /><validate-content unspecified-content-type-action="prevent" max-size="100" size-exceeded-action="prevent">`+
				tt.content+`</validate-content></inbound></policies>`)
			snap, diags := config.Load(dir, config.Options{})
			pols, pd := config.LoadPolicies(snap, PolicyOptions())
			snap.Policies = pols
			diags.Append(pd)
			if diags.HasErrors() {
				t.Fatalf("policies do not load:\n%s", diags)
			}
			got := Check(snap).String()
			if !strings.Contains(got, tt.want) {
				t.Errorf("got\n%s\nwant it to contain\n%s", got, tt.want)
			}
			if !strings.Contains(got, "error:") {
				t.Errorf("not an error: %s", got)
			}
		})
	}
}

// TestValidateSchemaWarning checks that a specification schema the JSON
// Schema validator cannot compile is reported when the configuration loads.
func TestValidateSchemaWarning(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, data string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("apis/test/apiInformation.json", `{"properties":{"displayName":"Test API","path":"test","serviceUrl":"http://backend","subscriptionRequired":false}}`)
	write("apis/test/specification.yaml", `openapi: 3.0.1
paths:
  /x:
    get:
      operationId: get-x
      parameters: [{name: q, in: query, schema: {type: string, pattern: '(?<=a)b'}}]
      responses: {"200": {description: OK}}
`)
	write("apis/test/policy.xml", `<policies><inbound><base /><validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="ignore" /></inbound></policies>`)
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	snap.Policies = pols
	diags.Append(pd)
	if diags.HasErrors() {
		t.Fatalf("configuration does not load:\n%s", diags)
	}
	got := Check(snap)
	if got.HasErrors() || !strings.Contains(got.String(), "warning: a schema of operation get-x of api test does not compile") {
		t.Errorf("got\n%s", got)
	}
}
