package logstore

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/kql"
)

var update = flag.Bool("update", false, "rewrite the expected results in testdata/golden")

// TestGolden runs every query of testdata/golden/*.txt against the fixture
// and compares the result (or the errors) with the file's expectation. A
// file is txtar-like: "-- query --", optionally "-- timespan --" (an ISO 8601
// duration), then "-- result --" or "-- error --". go test -update rewrites
// the expectations.
func TestGolden(t *testing.T) {
	s := openFixture(t)
	files, err := filepath.Glob("testdata/golden/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			comment, sections, order := parseSections(string(data))
			query, ok := sections["query"]
			if !ok {
				t.Fatal("no -- query -- section")
			}
			var span time.Duration
			if ts := strings.TrimSpace(sections["timespan"]); ts != "" {
				if span, err = ParseISODuration(ts); err != nil {
					t.Fatal(err)
				}
			}
			query = strings.TrimSuffix(query, "\n")
			kind, got := runGolden(s, query, span)
			if *update {
				var b strings.Builder
				b.WriteString(comment)
				for _, name := range order {
					if name == "result" || name == "error" {
						continue
					}
					fmt.Fprintf(&b, "-- %s --\n%s", name, sections[name])
				}
				fmt.Fprintf(&b, "-- %s --\n%s", kind, got)
				if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, ok := sections[kind]
			if !ok {
				t.Fatalf("the query gave an unexpected %s:\n%s", kind, got)
			}
			if got != want {
				t.Errorf("query:\n%s\ngot %s:\n%s\nwant:\n%s", query, kind, got, want)
			}
		})
	}
}

// parseSections splits a txtar-like file into its leading comment and its
// named sections.
func parseSections(s string) (comment string, sections map[string]string, order []string) {
	sections = map[string]string{}
	cur := ""
	var b strings.Builder
	flush := func() {
		if cur == "" {
			comment = b.String()
		} else {
			sections[cur] = b.String()
			order = append(order, cur)
		}
		b.Reset()
	}
	for _, line := range strings.SplitAfter(s, "\n") {
		trim := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trim, "-- ") && strings.HasSuffix(trim, " --") && len(trim) > 6 {
			flush()
			cur = strings.TrimSpace(trim[3 : len(trim)-3])
			continue
		}
		b.WriteString(line)
	}
	flush()
	return comment, sections, order
}

// runGolden runs query and renders its result ("result") or its errors
// ("error") as text.
func runGolden(s *Store, query string, span time.Duration) (kind, text string) {
	res, err := s.Query(context.Background(), query, span)
	if err != nil {
		var b strings.Builder
		errs := kql.Errors(err)
		if errs == nil {
			return "error", err.Error() + "\n"
		}
		for _, e := range errs {
			b.WriteString(e.Error() + "\n")
			b.WriteString(e.Snippet(query))
		}
		return "error", b.String()
	}
	return "result", renderResult(res)
}

// renderResult writes a result as "name:type | ..." then one line per row of
// JSON values.
func renderResult(res *Result) string {
	var b strings.Builder
	t := res.Tables[0]
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(c.Name + ":" + c.Type)
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		for i, v := range row {
			if i > 0 {
				b.WriteString(" | ")
			}
			var j strings.Builder
			enc := json.NewEncoder(&j)
			enc.SetEscapeHTML(false)
			enc.Encode(v)
			b.WriteString(strings.TrimSuffix(j.String(), "\n"))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "(%d rows)\n", len(t.Rows))
	return b.String()
}
