package cli

import (
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/logstore"
)

// logsDir writes a state directory whose store holds a few gateway log
// lines of the last hour, and returns it with a server over its query API.
func logsDir(t *testing.T) (dir string, server *httptest.Server) {
	t.Helper()
	dir = t.TempDir()
	s, err := logstore.Open(dir, logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, l := range []struct {
		op          string
		code, bcode int
		ms          int
	}{
		{"GetOrder", 200, 200, 20}, {"GetOrder", 401, 0, 2}, {"GetOrder", 401, 0, 4}, {"CreateOrder", 429, 0, 1},
		{"CreateOrder", 502, 502, 80}, {"GetOrder", 503, 0, 30000},
	} {
		fmt.Fprintf(s, `{"TimeGenerated":%q,"ApiId":"orders","OperationName":%q,"ResponseCode":%d,"BackendResponseCode":%d,"TotalTime":%d,"IsRequestSuccess":%t,"CallerIpAddress":"10.0.0.%d","Url":"https://gw/o?a=\"1\",b"}`+"\n",
			now.Add(-time.Duration(i+1)*time.Minute).Format(time.RFC3339Nano), l.op, l.code, l.bcode, l.ms, l.code < 400, i)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := logstore.Open(dir, logstore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	server = httptest.NewServer(ro.QueryHandler())
	t.Cleanup(func() { server.Close(); ro.Close() })
	return dir, server
}

const seedQuery = `ApiManagementGatewayLogs
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
| order by Count desc, ErrorCategory asc`

func TestLogsFormats(t *testing.T) {
	dir, srv := logsDir(t)
	wantTable := `ErrorCategory  OperationName  Count  AvgLatencyMs
-------------  -------------  -----  ------------
Auth Failure   GetOrder       2      3
Backend Error  CreateOrder    1      80
Gateway Error  GetOrder       1      30000
Throttled      CreateOrder    1      1
4 rows
`
	wantJSON := `[
  {"ErrorCategory": "Auth Failure", "OperationName": "GetOrder", "Count": 2, "AvgLatencyMs": 3},
  {"ErrorCategory": "Backend Error", "OperationName": "CreateOrder", "Count": 1, "AvgLatencyMs": 80},
  {"ErrorCategory": "Gateway Error", "OperationName": "GetOrder", "Count": 1, "AvgLatencyMs": 30000},
  {"ErrorCategory": "Throttled", "OperationName": "CreateOrder", "Count": 1, "AvgLatencyMs": 1}
]
`
	wantCSV := `ErrorCategory,OperationName,Count,AvgLatencyMs
Auth Failure,GetOrder,2,3
Backend Error,CreateOrder,1,80
Gateway Error,GetOrder,1,30000
Throttled,CreateOrder,1,1
`
	for _, where := range [][]string{{"--data", dir}, {"--server", srv.URL}} {
		for format, want := range map[string]string{"": wantTable, "table": wantTable, "json": wantJSON, "csv": wantCSV} {
			args := append([]string{"logs", seedQuery}, where...)
			if format != "" {
				args = append(args, "--format", format)
			}
			code, out, errOut := tollgate(t, args...)
			if code != 0 || out != want {
				t.Errorf("%v --format %q: exit %d\n%s\nwant:\n%s\nstderr: %s", where, format, code, out, want, errOut)
			}
		}
	}
	// Values that need quoting in CSV, and one row.
	code, out, _ := tollgate(t, "logs", "ApiManagementGatewayLogs | where ResponseCode == 429 | project Url, IsRequestSuccess", "--data", dir, "--format", "csv")
	if code != 0 || out != "Url,IsRequestSuccess\n\"https://gw/o?a=\"\"1\"\",b\",false\n" {
		t.Errorf("csv quoting: %q", out)
	}
	code, out, _ = tollgate(t, "logs", "ApiManagementGatewayLogs | where ResponseCode == 429 | project ResponseCode", "--data", dir)
	if code != 0 || !strings.HasSuffix(out, "\n1 row\n") {
		t.Errorf("one row: %q", out)
	}
}

func TestLogsErrors(t *testing.T) {
	dir, srv := logsDir(t)
	query := "ApiManagementGatewayLogs\n| where ResponseCode == 429\n| summarize RequestCount = count() by ClientIp, tostring(SubscriptionId)"
	want := `query:3:39: 'summarize' operator: Failed to resolve scalar expression named 'ClientIp'; the column meant is CallerIpAddress (ApiManagementGatewayLogs calls the client's IP address CallerIpAddress)
  | summarize RequestCount = count() by ClientIp, tostring(SubscriptionId)
                                        ^
query:3:58: 'summarize' operator: Failed to resolve scalar expression named 'SubscriptionId'; the column meant is ApimSubscriptionId`
	for _, where := range [][]string{{"--data", dir}, {"--server", srv.URL}} {
		code, out, errOut := tollgate(t, append([]string{"logs", query}, where...)...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, want) {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s\nwant prefix:\n%s", where, code, out, errOut, want)
		}
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"logs", "ApiManagementGatewayLogs | count", "--data", dir, "--server", srv.URL}, "not both"},
		{[]string{"logs", "ApiManagementGatewayLogs | count", "--data", dir, "--format", "xml"}, "--format"},
		{[]string{"logs", "ApiManagementGatewayLogs | count", "--data", dir, "--timespan", "soon"}, "--timespan"},
		{[]string{"logs", "ApiManagementGatewayLogs | count", "--data", t.TempDir()}, "no log store"},
	} {
		code, _, errOut := tollgate(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d: %s", tc.args, code, errOut)
		}
	}
}

func TestLogsInputsAndTimespan(t *testing.T) {
	dir, srv := logsDir(t)
	file := filepath.Join(t.TempDir(), "q.kql")
	os.WriteFile(file, []byte("// failures\nApiManagementGatewayLogs\n| where IsRequestSuccess == false\n| count\n"), 0o644)
	code, out, errOut := tollgate(t, "logs", "-f", file, "--data", dir)
	if code != 0 || !strings.Contains(out, "5\n1 row") {
		t.Errorf("-f: exit %d %q %s", code, out, errOut)
	}
	defer func() { stdin = os.Stdin }()
	for _, args := range [][]string{{"logs", "-"}, {"logs"}} {
		stdin = strings.NewReader("ApiManagementGatewayLogs | count")
		code, out, errOut = tollgate(t, append(args, "--server", srv.URL)...)
		if code != 0 || !strings.Contains(out, "6\n1 row") {
			t.Errorf("%v from stdin: exit %d %q %s", args, code, out, errOut)
		}
	}
	// No query at all, with nothing on standard input (or a terminal
	// there): the latest lines, newest first, and the query on stderr.
	for _, in := range []io.Reader{strings.NewReader(""), strings.NewReader(" \n")} {
		stdin = in
		code, out, errOut = tollgate(t, "logs", "--data", dir, "--format", "csv")
		rows := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(rows) != 7 || !strings.HasPrefix(rows[0], "TimeGenerated,Method,Url,ResponseCode,") || !strings.Contains(errOut, "the latest lines: "+latestLinesQuery) {
			t.Errorf("logs with no query: exit %d\n%s\n%s", code, out, errOut)
		} else if rows[1] <= rows[6] {
			t.Errorf("logs with no query: not newest first:\n%s", out)
		}
	}
	// The lines are 1 to 6 minutes old.
	for _, where := range [][]string{{"--data", dir}, {"--server", srv.URL}} {
		for span, want := range map[string]string{"150s": "2\n", "PT3M30S": "3\n", "7d": "6\n"} {
			code, out, errOut := tollgate(t, append([]string{"logs", "ApiManagementGatewayLogs | count", "--timespan", span, "--format", "csv"}, where...)...)
			if code != 0 || out != "Count\n"+want {
				t.Errorf("%v --timespan %s: exit %d %q %s", where, span, code, out, errOut)
			}
		}
	}
}

func TestResolveDataDir(t *testing.T) {
	defer func(g func(string) string) { getenv = g }(getenv)
	env := map[string]string{"XDG_STATE_HOME": "/state", "HOME": "/home/u"}
	getenv = func(k string) string { return env[k] }
	for flag, want := range map[string]string{"none": "", "": "/state/tollgate", "./here": "./here"} {
		if got, err := resolveDataDir(flag); err != nil || got != want {
			t.Errorf("resolveDataDir(%q) = %q, %v; want %q", flag, got, err, want)
		}
	}
	delete(env, "XDG_STATE_HOME")
	if got, _ := resolveDataDir(""); got != "/home/u/.local/state/tollgate" {
		t.Errorf("without XDG_STATE_HOME: %q", got)
	}
}

func TestLogMaxSizeDefaults(t *testing.T) {
	for _, tc := range []struct {
		flag, dataDir string
		want          int64
	}{
		{"", "/state/tollgate", 1 << 30},
		{"", "", 64 << 20}, // --data none: the store is in memory
		{"500MiB", "", 500 << 20},
		{"2GiB", "/state/tollgate", 2 << 30},
	} {
		got, err := logMaxSize(runFlags{logMaxSize: tc.flag, dataDir: tc.dataDir})
		if err != nil || got != tc.want {
			t.Errorf("logMaxSize(%q, data %q) = %d, %v; want %d", tc.flag, tc.dataDir, got, err, tc.want)
		}
	}
	if _, err := logMaxSize(runFlags{logMaxSize: "lots"}); err == nil || !strings.Contains(err.Error(), `--log-max-size "lots"`) {
		t.Errorf("a bad size: %v", err)
	}
}
