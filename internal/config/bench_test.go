package config

import (
	"path/filepath"
	"testing"
)

// BenchmarkLoadV7 loads the whole v7 tree: four APIs (two specifications in
// YAML, one in JSON), two products, five subscriptions and the rest.
func BenchmarkLoadV7(b *testing.B) {
	dir := filepath.Join("testdata", "v7")
	b.ReportAllocs()
	for b.Loop() {
		s, diags := Load(dir, Options{})
		if diags.HasErrors() || len(s.APIs) != 4 {
			b.Fatalf("load failed:\n%s", diags)
		}
	}
}

// BenchmarkParseJSON measures the positioned JSON reader on a Swagger file.
func BenchmarkParseJSON(b *testing.B) {
	f := (&loader{dir: filepath.Join("testdata", "v7")}).readFile("apis", "petstore", "specification.json")
	b.SetBytes(int64(len(f.Src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseJSON(f); err != nil {
			b.Fatal(err.msg)
		}
	}
}
