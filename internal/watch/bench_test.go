package watch

import "testing"

// The polling fallback scans the folder every second; Hash runs on every
// reload.
const benchDir = "../config/testdata/v7"

func BenchmarkScan(b *testing.B) {
	w := &Watcher{dir: benchDir}
	for b.Loop() {
		w.scan()
	}
}

func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash(benchDir); err != nil {
			b.Fatal(err)
		}
	}
}
