package kql

import (
	"strings"
	"testing"
)

// FuzzCompile feeds arbitrary text to the whole front end: it must never
// panic, and every failure must be a positioned error inside the query. The
// committed corpus (testdata/fuzz/FuzzCompile) holds the golden queries of
// the log store and the seed queries.
func FuzzCompile(f *testing.F) {
	f.Add("ApiManagementGatewayLogs | where TimeGenerated > ago(1h) | summarize count() by bin(TimeGenerated, 5m)")
	f.Add("let x = 5;\nApiManagementGatewayLogs | top x by TotalTime")
	f.Add(`ApiManagementGatewayLogs | extend e = tostring(Errors[0].message) | where e has "x" or ApiId in~ ("a", "b")`)
	f.Fuzz(func(t *testing.T, q string) {
		c, err := compile(q)
		if err != nil {
			errs := Errors(err)
			if len(errs) == 0 {
				t.Fatalf("%q: error without a position: %v", q, err)
			}
			lines := strings.Count(q, "\n") + 1
			for _, e := range errs {
				if e.Line < 1 || e.Line > lines || e.Col < 1 || e.Msg == "" {
					t.Fatalf("%q: bad position %d:%d (%d lines): %v", q, e.Line, e.Col, lines, e)
				}
				_ = e.Snippet(q)
			}
			return
		}
		if c.SQL == "" || len(c.Columns) == 0 {
			t.Fatalf("%q: compiled to %q with columns %v", q, c.SQL, c.Columns)
		}
	})
}
