package logstore

import (
	"strings"
	"testing"
)

// TestFailuresReadTheIndex: the failures breakdown, by operation and over
// time, reads the failed requests' index alone, never the table's wide
// rows.
func TestFailuresReadTheIndex(t *testing.T) {
	s := openFixture(t)
	byTime := strings.Replace(seedErrorCategories, "| summarize Count = count(), AvgLatencyMs = avg(TotalTime) by ErrorCategory, OperationName\n| order by Count desc",
		"| summarize Count = count() by ErrorCategory, bin(TimeGenerated, 30m)", 1)
	withP95 := strings.Replace(seedErrorCategories, "AvgLatencyMs = avg(TotalTime)", "AvgLatencyMs = avg(TotalTime), P95LatencyMs = percentile(TotalTime, 95)", 1)
	for name, q := range map[string]string{"seed": seedErrorCategories, "with p95": withP95, "over time": byTime} {
		plan := explain(t, s, q)
		if len(plan) == 0 || !strings.Contains(plan[0], "USING COVERING INDEX logs_failures") {
			t.Errorf("%s: plan %q, want a search of the covering index logs_failures", name, plan)
		}
		res, err := s.Query(t.Context(), q, 0)
		if err != nil || len(res.Tables[0].Rows) == 0 {
			t.Errorf("%s: %v, %v", name, res, err)
		}
	}
}
