package logstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzQuery runs arbitrary queries against the fixture: whatever compiles
// must be SQL that SQLite accepts (a compiler bug otherwise), and nothing may
// panic. Seeded with the golden queries.
func FuzzQuery(f *testing.F) {
	files, _ := filepath.Glob("testdata/golden/*.txt")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		_, sections, _ := parseSections(string(data))
		f.Add(strings.TrimSuffix(sections["query"], "\n"))
	}
	s := openFixture(f)
	f.Fuzz(func(t *testing.T, q string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := s.Query(ctx, q, 0)
		if err == nil || IsQueryError(err) {
			return
		}
		msg := err.Error()
		if strings.Contains(msg, "SQL logic error") || strings.Contains(msg, "syntax error") || strings.Contains(msg, "no such") ||
			strings.Contains(msg, "misuse") || strings.Contains(msg, "wrong number of arguments") {
			t.Fatalf("%q compiled to SQL that SQLite rejects: %v", q, err)
		}
	})
}
