package kql

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testTable = &Table{
	Name:       "ApiManagementGatewayLogs",
	TimeColumn: "TimeGenerated",
	Columns: []Column{
		{"TimeGenerated", DateTime}, {"ApiId", String}, {"ResponseCode", Int}, {"TotalTime", Long},
		{"IsRequestSuccess", Bool}, {"Errors", Dynamic}, {"CallerIpAddress", String},
	},
	Renamed: map[string]Alias{"ClientIp": {Column: "CallerIpAddress", Note: "the client's address"}},
}

func compile(q string) (*Compiled, error) {
	return Compile(q, Options{Tables: []*Table{testTable}, Now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)})
}

// TestErrorPositions checks the line, column and message of mistakes.
func TestErrorPositions(t *testing.T) {
	for _, tc := range []struct {
		query     string
		line, col int
		msg       string
	}{
		{"ApiManagementGatewayLogs | where ClientIp == 'x'", 1, 34, "Failed to resolve scalar expression named 'ClientIp'; the column meant is CallerIpAddress"},
		{"ApiManagementGatewayLogs\n| where ResponseCode >", 2, 23, "expected an expression"},
		{"ApiManagementGatewayLogs\n| wher ResponseCode > 1", 2, 3, "unknown tabular operator 'wher'"},
		{"ApiManagementGatewayLogs\n| where ApiId == 'x", 2, 18, "unterminated string"},
		{"ApiManagementGatewayLogs | take -1", 1, 33, "must not be negative"},
		{"ApiManagementGatewayLogs | take TotalTime", 1, 33, "constant integer"},
		{"ApiManagementGatewayLogs | where ApiId + 1", 1, 40, "operator '+' cannot apply to string and long"},
		{"ApiManagementGatewayLogs | project a = 1 | where b == 2", 1, 50, "named 'b'; did you mean 'a'?"},
		{"ApiManagementGatewayLogs | mv-expand Errors", 1, 28, "'mv-expand' operator is not supported"},
		{"ApiManagementGatewayLogs | where ApiId !foo 'x'", 1, 40, "'!foo' is not an operator"},
		{"ApiManagementGatewayLogs | extend x = ApiId.name", 1, 39, "apply to dynamic values"},
		{"ApiManagementGatewayLogs | summarize percentile(TotalTime, 101)", 1, 60, "between 0 and 100"},
		{"ApiManagementGatewayLogs | summarize sum(sum(TotalTime))", 1, 42, "cannot be nested"},
		{"ApiManagementGatewayLogs | extend d = bin(TimeGenerated, 0s)", 1, 58, "must be positive"},
		{"ApiManagementGatewayLogs | where iff(true, 1, 'a') == 1", 1, 47, "must be of one type"},
		{"let x = 1;\nx | take 1", 2, 1, "'x' is a scalar let, not a table"},
		{"ApiManagementGatewayLogs | where ApiId == 'a' ApiId", 1, 47, "unexpected 'ApiId' after the query"},
		{"", 1, 1, "no tabular expression"},
		{"ApiManagementGatewayLogs | where Errors[ApiId] == 1", 1, 41, "constant integer or string"},
		{"ApiManagementGatewayLogs | where ApiId matches regex '('", 1, 54, "invalid regular expression"},
		{"ApiManagementGatewayLogs | extend x = extract('(a)', 2, ApiId)", 1, 54, "has 1 capture group"},
		{"ApiManagementGatewayLogs | summarize arg_max(TotalTime, *), max(ResponseCode)", 1, 28, "arg_max and arg_min only"},
		{"ApiManagementGatewayLogs | project-rename ApiId = TotalTime", 1, 43, "already exists"},
	} {
		_, err := compile(tc.query)
		errs := Errors(err)
		if len(errs) == 0 {
			t.Errorf("%q: no positioned error (%v)", tc.query, err)
			continue
		}
		e := errs[0]
		if e.Line != tc.line || e.Col != tc.col || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%q:\n got %v\nwant query:%d:%d: ...%s...", tc.query, e, tc.line, tc.col, tc.msg)
		}
		if want := "query:"; !strings.HasPrefix(e.Error(), want) {
			t.Errorf("Error() = %q", e.Error())
		}
	}
}

func TestSnippet(t *testing.T) {
	q := "T\n| where\tx == 1"
	got := Snippet(q, 2, 9)
	want := "  | where\tx == 1\n         \t^\n"
	if got != want {
		t.Errorf("Snippet = %q, want %q", got, want)
	}
	if Snippet(q, 3, 1) != "" {
		t.Error("Snippet of a missing line is not empty")
	}
	e := &Error{Line: 1, Col: 1, Msg: "m"}
	if e.Error() != "query:1:1: m" || e.Snippet("T") != "  T\n  ^\n" {
		t.Errorf("Error %q Snippet %q", e.Error(), e.Snippet("T"))
	}
	var list error = ErrorList{e, e}
	if len(Errors(list)) != 2 || Errors(errors.New("x")) != nil {
		t.Error("Errors does not unpack an ErrorList")
	}
}

func TestTimespans(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"5m": 5 * time.Minute, "1h": time.Hour, "24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "1.5h": 90 * time.Minute,
		"100ms": 100 * time.Millisecond, "10s": 10 * time.Second, "2microseconds": 2 * time.Microsecond, "3tick": 300,
		"00:05:00": 5 * time.Minute, "1.02:03:04": 26*time.Hour + 3*time.Minute + 4*time.Second, "-00:00:01.5": -1500 * time.Millisecond,
		"2": 48 * time.Hour,
	} {
		got, ok := ParseTimespan(s)
		if !ok || got != want {
			t.Errorf("ParseTimespan(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "5q", "1:2:3:4", "00:61:00", "x"} {
		if _, ok := ParseTimespan(s); ok {
			t.Errorf("ParseTimespan(%q) succeeded", s)
		}
	}
	for d, want := range map[time.Duration]string{
		0: "00:00:00", 90 * time.Minute: "01:30:00", 26 * time.Hour: "1.02:00:00", -time.Second: "-00:00:01",
		1500 * time.Millisecond: "00:00:01.5000000",
	} {
		if got := FormatTimespan(d); got != want {
			t.Errorf("FormatTimespan(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestDateTimes(t *testing.T) {
	want := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, s := range []string{"2025-01-02T03:04:05Z", "2025-01-02 03:04:05", "2025-01-02T03:04:05", "2025-01-02T04:04:05+01:00"} {
		got, ok := ParseDateTime(s)
		if !ok || !got.Equal(want) {
			t.Errorf("ParseDateTime(%q) = %v, %v", s, got, ok)
		}
	}
	if FormatDateTime(want.UnixNano()) != "2025-01-02T03:04:05Z" {
		t.Error(FormatDateTime(want.UnixNano()))
	}
}

// TestCompileShape checks what the compiler gives the engine: the time
// filter of Options.Since, the row cap, parameters for strings, ago() folded
// to a constant so that an index on the time column serves it.
func TestCompileShape(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	c, err := Compile(`ApiManagementGatewayLogs | where TimeGenerated > ago(1h) and ApiId == "it's" | project ApiId`,
		Options{Tables: []*Table{testTable}, Now: now, Since: now.Add(-24 * time.Hour), MaxRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"TimeGenerated" >= ` + itoa(now.Add(-24*time.Hour).UnixNano()),
		`"TimeGenerated" > ` + itoa(now.Add(-time.Hour).UnixNano()),
		`"ApiId" = ?1`, "LIMIT 11",
	} {
		if !strings.Contains(c.SQL, want) {
			t.Errorf("SQL lacks %q:\n%s", want, c.SQL)
		}
	}
	if len(c.Args) != 1 || c.Args[0] != "it's" {
		t.Errorf("args %v", c.Args)
	}
	if len(c.Columns) != 1 || c.Columns[0] != (Column{"ApiId", String}) {
		t.Errorf("columns %v", c.Columns)
	}
}

func itoa(n int64) string { return fmtInt(n) }

func fmtInt(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	neg := n < 0
	for n != 0 {
		d := n % 10
		if d < 0 {
			d = -d
		}
		b = append([]byte{byte('0' + d)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

// TestSQLiteFunctions checks that the dialect's function list names every
// function its SQL calls, so that the store registers them all.
func TestSQLiteFunctions(t *testing.T) {
	fns := SQLiteFunctions()
	for op := OpHas; op <= OpCountDistinct; op++ {
		args := []string{"a", "b", "c"}
		s := SQLite.Op(op, args...)
		if i := strings.Index(s, "kql_"); i >= 0 {
			name := s[i : strings.IndexByte(s[i:], '(')+i]
			if _, ok := fns[name]; !ok {
				t.Errorf("op %d calls %s, which SQLiteFunctions does not list", op, name)
			}
		}
	}
}

// TestTimeBound checks the conditions the compiler asks the table's
// TimeBound and Newest for: one lower and one upper bound at most, the
// tightest of the where's comparisons of the time column itself with a
// constant, ANDed at the top level, on the table's own rows; and the time
// of the n-th newest row when the query takes the newest rows.
func TestTimeBound(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	ns := func(d time.Duration) string { return itoa(now.Add(-d).UnixNano()) }
	table := *testTable
	table.TimeBound = func(d Dialect, lower bool, t string) string {
		if lower {
			return "LO[" + t + "]"
		}
		return "HI[" + t + "]"
	}
	table.Newest = func(d Dialect, n int64, hi int64) string { return "NEWEST[" + itoa(n) + "," + itoa(hi) + "]" }
	for _, tc := range []struct {
		query string
		want  []string // in the SQL
		not   []string // not in it
	}{
		{"T | where TimeGenerated > ago(1h)", []string{"LO[" + ns(time.Hour) + "]"}, []string{"HI["}},
		{"T | where ago(1h) <= TimeGenerated and TimeGenerated < ago(10m) | where TimeGenerated > ago(2h)",
			[]string{"LO[" + ns(time.Hour) + "]", "HI[" + ns(10*time.Minute) + "]"}, []string{"LO[" + ns(2*time.Hour)}},
		{"T | where TimeGenerated between (ago(2h) .. 1h)", []string{"LO[" + ns(2*time.Hour) + "]", "HI[" + ns(time.Hour) + "]"}, nil},
		{"T | where TimeGenerated == datetime(2025-06-01T11:00:00Z)", []string{"LO[" + ns(time.Hour) + "]", "HI[" + ns(time.Hour) + "]"}, nil},
		{"T | where (ApiId == 'a' and (TimeGenerated >= ago(1h)))", []string{"LO[" + ns(time.Hour) + "]"}, nil},
		// Not a bound of the table's rows.
		{"T | where TimeGenerated > ago(1h) or ApiId == 'a'", nil, []string{"LO[", "HI["}},
		{"T | where TimeGenerated !between (ago(2h) .. 1h)", nil, []string{"LO[", "HI["}},
		{"T | where not(TimeGenerated < ago(1h))", nil, []string{"LO[", "HI["}},
		{"T | where TimeGenerated + 1h > ago(1h)", nil, []string{"LO[", "HI["}},
		{"T | extend TimeGenerated = TimeGenerated + 1h | where TimeGenerated > ago(1h)", nil, []string{"LO[", "HI["}},
		{"T | take 10 | where TimeGenerated > ago(1h)", []string{"(SELECT"}, []string{"LO[", "HI["}},
		{"T | summarize count() by bin(TimeGenerated, 1h) | where TimeGenerated > ago(1h)", nil, []string{"LO[", "HI["}},
		// Renamed, it is still the column.
		{"T | project T2 = TimeGenerated | where T2 < ago(1h)", []string{"HI[" + ns(time.Hour) + "]"}, nil},
		// The newest rows.
		{"T | where TimeGenerated > ago(1d) | order by TimeGenerated desc | take 50",
			[]string{"LO[coalesce((SELECT \"TimeGenerated\" FROM \"T\" WHERE (\"TimeGenerated\" > " + ns(24*time.Hour) + ") AND NEWEST[1024,9223372036854775807] ORDER BY \"TimeGenerated\" DESC LIMIT 1 OFFSET 49), " + ns(24*time.Hour) + ")]"}, nil},
		{"T | where TimeGenerated < ago(1d) | top 200 by TimeGenerated desc", []string{"NEWEST[1600," + ns(24*time.Hour) + "]", "OFFSET 199", "HI[" + ns(24*time.Hour) + "]"}, nil},
		{"T | order by TimeGenerated asc | take 50", nil, []string{"NEWEST", "LO["}},
		{"T | order by TimeGenerated desc nulls first | take 50", nil, []string{"NEWEST", "LO["}},
		{"T | order by TimeGenerated desc | take 5000", nil, []string{"NEWEST", "LO["}},
		{"T | order by TimeGenerated desc", nil, []string{"NEWEST", "LO["}},
	} {
		q := strings.Replace(tc.query, "T |", "ApiManagementGatewayLogs |", 1)
		table.Name = "ApiManagementGatewayLogs"
		c, err := Compile(q, Options{Tables: []*Table{&table}, Now: now, MaxRows: 1000})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		sql := strings.ReplaceAll(c.SQL, `"ApiManagementGatewayLogs"`, `"T"`)
		for _, w := range tc.want {
			if !strings.Contains(sql, w) {
				t.Errorf("%s: SQL lacks %s:\n%s", tc.query, w, sql)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(sql, w) {
				t.Errorf("%s: SQL has %s:\n%s", tc.query, w, sql)
			}
		}
		if n := strings.Count(sql, "LO["); n > 1 {
			t.Errorf("%s: %d lower bounds", tc.query, n)
		}
	}
}
