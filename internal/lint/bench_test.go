package lint

import "testing"

// BenchmarkRun lints the v7 test folder of the config package: every
// effective policy of its APIs, operations and products.
func BenchmarkRun(b *testing.B) {
	snap, diags := load("../config/testdata/v7")
	b.ReportAllocs()
	for b.Loop() {
		Run(snap, Options{Load: diags})
	}
}
