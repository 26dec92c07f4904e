package confdiff

import "testing"

func BenchmarkCompare(b *testing.B) {
	x, y := load(b, "a", "testdata/a"), load(b, "b", "testdata/b")
	for b.Loop() {
		Compare(x, y)
	}
}
