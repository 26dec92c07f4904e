package lint

import (
	"strings"
	"testing"
)

// TestNoSecretsInFindings: values of secret named values, and queries and
// credentials of URLs, never appear in a finding.
func TestNoSecretsInFindings(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"named values/func-key/namedValueInformation.json": `{"properties": {"displayName": "func-key", "value": "s3cr3t-nv", "secret": true}}`,
		"apis/a/apiInformation.json":                       `{"properties": {"path": "a", "protocols": ["https"], "serviceUrl": "http://user:s3cr3t-pw@backend.example/a/?code=s3cr3t-code"}}`,
		"apis/a/operations/get/operationInformation.json":  `{"properties": {"method": "GET", "urlTemplate": "/items"}}`,
		"backends/b/backendInformation.json":               `{"properties": {"url": "https://backend.example/b?sig=s3cr3t-sig", "protocol": "http", "tls": {"validateCertificateChain": false}}}`,
		"apis/a/policy.xml": `<policies>
	<inbound>
		<base />
		<set-variable name="n" value="@({{func-key}}.Length)" />
		<set-backend-service base-url="http://backend.example/api/?code={{func-key}}" />
	</inbound>
</policies>
`,
	})
	got, fs := lintDir(t, dir)
	if len(fs) < 4 {
		t.Fatalf("want findings for the service URL, the backend and the secret in code, got %v", got)
	}
	t.Log(strings.Join(got, "\n"))
	for _, f := range fs {
		text := f.Text() + f.Fix
		if strings.Contains(text, "s3cr3t") {
			t.Errorf("a secret in %s", text)
		}
	}
}
