package logstore

import (
	"context"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/kql"
)

// The three queries of the troubleshooting article (seed 000), verbatim.
const (
	seedErrorCategories = `ApiManagementGatewayLogs
| where TimeGenerated > ago(24h)
| where IsRequestSuccess == false
| extend ErrorCategory = case(
    ResponseCode == 401, "Auth Failure",
    ResponseCode == 403, "Access Denied",
    ResponseCode == 429, "Throttled",
    ResponseCode between (500 .. 599) and BackendResponseCode == 0, "Gateway Error",
    ResponseCode between (500 .. 599), "Backend Error",
    "Other"
  )
| summarize Count = count(), AvgLatencyMs = avg(TotalTime) by ErrorCategory, OperationName
| order by Count desc`
	seedGatewayErrors = `ApiManagementGatewayLogs
| where TimeGenerated > ago(1h)
| where IsRequestSuccess == false
| project TimeGenerated, OperationName, ResponseCode, BackendResponseCode, LastErrorMessage, ClientIp
| order by TimeGenerated desc`
	seedThrottled = `ApiManagementGatewayLogs
| where TimeGenerated > ago(1h)
| where ResponseCode == 429
| summarize RequestCount = count() by ClientIp, tostring(SubscriptionId), bin(TimeGenerated, 5m)
| order by RequestCount desc`
)

// TestSeedErrorCategories checks the seed's ErrorCategory query against a
// table computed by hand from the fixture: of the 13 failed requests, the
// one of two days ago is outside the 24 hours; the other 12 fall in these
// groups.
func TestSeedErrorCategories(t *testing.T) {
	s := openFixture(t)
	res, err := s.Query(context.Background(), seedErrorCategories, 0)
	if err != nil {
		t.Fatal(err)
	}
	tb := res.Tables[0]
	wantCols := []ResultColumn{{"ErrorCategory", "string"}, {"OperationName", "string"}, {"Count", "long"}, {"AvgLatencyMs", "real"}}
	if len(tb.Columns) != len(wantCols) {
		t.Fatalf("columns %v, want %v", tb.Columns, wantCols)
	}
	for i, c := range wantCols {
		if tb.Columns[i] != c {
			t.Errorf("column %d is %v, want %v", i, tb.Columns[i], c)
		}
	}
	// category, operation → count, average TotalTime.
	type agg struct {
		count int64
		avg   float64
	}
	want := map[[2]string]agg{
		{"Auth Failure", "GetOrder"}:           {2, (2 + 4) / 2.0},     // missing and invalid key
		{"Auth Failure", "Retrieve resource"}:  {1, 3},                 // missing key on echo
		{"Access Denied", "CreateOrder"}:       {1, 5},                 // ip-filter
		{"Throttled", "GetOrder"}:              {3, (1 + 1 + 3) / 3.0}, // rate-limit
		{"Backend Error", "CreateOrder"}:       {2, (120 + 80) / 2.0},  // backend answered 500 and 502
		{"Gateway Error", "GetOrder"}:          {1, 30000},             // backend down: no backend response
		{"Gateway Error", "Retrieve resource"}: {1, 10000},             // backend timeout
		{"Other", "Retrieve resource"}:         {1, 1},                 // 404, no operation
	}
	if len(tb.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %v", len(tb.Rows), len(want), tb.Rows)
	}
	prev := int64(1 << 62)
	for _, row := range tb.Rows {
		key := [2]string{row[0].(string), row[1].(string)}
		w, ok := want[key]
		if !ok {
			t.Errorf("unexpected row %v", row)
			continue
		}
		delete(want, key)
		count, avg := row[2].(int64), row[3].(float64)
		if count != w.count || avg != w.avg {
			t.Errorf("%v: count %d avg %v, want %d and %v", key, count, avg, w.count, w.avg)
		}
		if count > prev {
			t.Errorf("rows are not ordered by Count desc: %d after %d", count, prev)
		}
		prev = count
	}
	for k := range want {
		t.Errorf("missing row %v", k)
	}
}

// TestSeedColumnErrors checks that the seed's other two queries fail as in
// Log Analytics, at the unknown columns' positions, and name the columns
// meant; corrected, they run.
func TestSeedColumnErrors(t *testing.T) {
	s := openFixture(t)
	type wantErr struct {
		line, col   int
		name, meant string
	}
	for _, tc := range []struct {
		query     string
		errs      []wantErr
		corrected string
		rows      int
	}{
		{seedGatewayErrors, []wantErr{{4, 94, "ClientIp", "CallerIpAddress"}},
			strings.Replace(seedGatewayErrors, "ClientIp", "CallerIpAddress", 1), 9},
		{seedThrottled, []wantErr{{4, 39, "ClientIp", "CallerIpAddress"}, {4, 58, "SubscriptionId", "ApimSubscriptionId"}},
			strings.NewReplacer("ClientIp", "CallerIpAddress", "SubscriptionId", "ApimSubscriptionId").Replace(seedThrottled), 2},
	} {
		_, err := s.Query(context.Background(), tc.query, 0)
		errs := kql.Errors(err)
		if len(errs) != len(tc.errs) {
			t.Fatalf("errors %v, want %d", err, len(tc.errs))
		}
		for i, w := range tc.errs {
			e := errs[i]
			if e.Line != w.line || e.Col != w.col {
				t.Errorf("error at %d:%d, want %d:%d: %v", e.Line, e.Col, w.line, w.col, e)
			}
			if !strings.Contains(e.Msg, "Failed to resolve scalar expression named '"+w.name+"'") || !strings.Contains(e.Msg, "the column meant is "+w.meant) {
				t.Errorf("message %q lacks Log Analytics' wording or the column meant (%s)", e.Msg, w.meant)
			}
			line := strings.Split(tc.query, "\n")[w.line-1]
			if got := line[w.col-1 : w.col-1+len(w.name)]; got != w.name {
				t.Errorf("column %d of line %d is %q, not %q", w.col, w.line, got, w.name)
			}
		}
		res, err := s.Query(context.Background(), tc.corrected, 0)
		if err != nil {
			t.Fatalf("corrected query: %v", err)
		}
		if n := len(res.Tables[0].Rows); n != tc.rows {
			t.Errorf("corrected query gave %d rows, want %d", n, tc.rows)
		}
	}
}
