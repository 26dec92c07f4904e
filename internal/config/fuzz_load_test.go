package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad writes the input as every information file, link file,
// specification and values file of a small tree and loads it: the loader
// must never panic and must always return a snapshot.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{
		"v7/apis/orders-v1/apiInformation.json", "v7/subscriptions/team-a/subscriptionInformation.json",
		"v7/backends/pool/backendInformation.json", "cli/apis/orders-v1/operations/list-orders/operationInformation.json",
		"v5/products/starter/apis.json", "values/prod.yaml", "broken/apis/bad-json/apiInformation.json",
	} {
		if src, err := os.ReadFile(filepath.Join("testdata", p)); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(`{"properties": {"scope": "/apis/a", "isCurrent": false, "type": "Pool", "pool": {"services": [{"id": 1}]}}}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		for _, rel := range []string{
			"apis/a/apiInformation.json", "apis/a;rev=2/apiInformation.json",
			"apis/a/specification.json", "apis/a;rev=2/specification.yaml",
			"apis/b/apiInformation.json", "apis/b/operations/op/operationInformation.json",
			"products/p/productInformation.json", "products/p/apis.json",
			"products/p/apis/a/productApiInformation.json", "subscriptions/s/subscriptionInformation.json",
			"named values/n/namedValueInformation.json", "version sets/v/versionSetInformation.json",
			"backends/x/backendInformation.json", "policy fragments/f/policyFragmentInformation.json",
			"values.yaml",
		} {
			p := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s, diags := Load(dir, Options{
			ValuesFiles: []string{filepath.Join(dir, "values.yaml")},
			Env:         func(string) string { return "x" },
		})
		if s == nil {
			t.Fatal("nil snapshot")
		}
		_ = diags.String()
	})
}
