package logstore

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func post(t *testing.T, srv *httptest.Server, path, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return decode(t, resp)
}

func decode(t *testing.T, resp *http.Response) (int, map[string]any) {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("status %d, body %q: %v", resp.StatusCode, b, err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	return resp.StatusCode, m
}

func TestQueryHandler(t *testing.T) {
	s := openFixture(t)
	srv := httptest.NewServer(s.QueryHandler())
	defer srv.Close()

	q, _ := json.Marshal(map[string]string{"query": seedErrorCategories, "timespan": "P1D"})
	status, m := post(t, srv, "/v1/query", string(q))
	if status != 200 {
		t.Fatalf("status %d: %v", status, m)
	}
	// The Log Analytics shape, key for key.
	b, _ := json.Marshal(m)
	for _, want := range []string{
		`{"tables":[{"columns":[{"name":"ErrorCategory","type":"string"},{"name":"OperationName","type":"string"},{"name":"Count","type":"long"},{"name":"AvgLatencyMs","type":"real"}],"name":"PrimaryResult","rows":[["Throttled","GetOrder",3,1.6666666666666667],`,
	} {
		if !strings.HasPrefix(string(b), want) {
			t.Errorf("body %s\nwant prefix %s", b, want)
		}
	}

	// timespan restricts TimeGenerated.
	for span, want := range map[string]float64{"PT1H": 12, "P1D": 17, "PT30M": 6, "P7D": 18, "": 18} {
		body, _ := json.Marshal(map[string]string{"query": "ApiManagementGatewayLogs | count", "timespan": span})
		_, m := post(t, srv, "/v1/query", string(body))
		got := m["tables"].([]any)[0].(map[string]any)["rows"].([]any)[0].([]any)[0]
		if got != want {
			t.Errorf("timespan %q: %v rows, want %v", span, got, want)
		}
	}

	// A mistake: 400 with the position, as Log Analytics answers.
	body, _ := json.Marshal(map[string]string{"query": seedThrottled})
	status, m = post(t, srv, "/v1/workspaces/any-workspace/query", string(body))
	e := m["error"].(map[string]any)
	if status != 400 || e["code"] != "BadArgumentError" || !strings.HasPrefix(e["message"].(string), "query:4:39: 'summarize' operator: Failed to resolve scalar expression named 'ClientIp'") {
		t.Errorf("status %d error %v", status, e)
	}

	for _, tc := range []struct{ body, code, msg string }{
		{`{"query":"ApiManagementGatewayLogs | count","timespan":"1 hour"}`, "BadArgumentError", "ISO 8601"},
		{`{"query":""}`, "BadArgumentError", "empty"},
		{`not json`, "BadArgumentError", "must be JSON"},
	} {
		status, m := post(t, srv, "/v1/query", tc.body)
		e := m["error"].(map[string]any)
		if status != 400 || e["code"] != tc.code || !strings.Contains(e["message"].(string), tc.msg) {
			t.Errorf("%s: status %d error %v", tc.body, status, e)
		}
	}

	// GET with query parameters.
	resp, err := http.Get(srv.URL + "/v1/query?" + url.Values{"query": {"ApiManagementGatewayLogs | where ResponseCode == 429 | count"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	_, m = decode(t, resp)
	resp.Body.Close()
	if got := m["tables"].([]any)[0].(map[string]any)["rows"].([]any)[0].([]any)[0]; got != float64(3) {
		t.Errorf("GET: %v", m)
	}

	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/v1/query", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", resp.StatusCode)
	}
}

func TestPartialResult(t *testing.T) {
	s, err := Open("", Options{MaxRows: 5, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, l := range fixture {
		s.Write(l.JSON())
	}
	s.Flush()
	res, err := s.Query(t.Context(), "ApiManagementGatewayLogs | project Url", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tables[0].Rows) != 5 || res.Error == nil || res.Error.Code != "PartialError" {
		t.Errorf("%d rows, error %+v", len(res.Tables[0].Rows), res.Error)
	}
	res, _ = s.Query(t.Context(), "ApiManagementGatewayLogs | take 5 | project Url", 0)
	if res.Error != nil {
		t.Errorf("exactly MaxRows rows reported as partial: %+v", res.Error)
	}
}

func TestParseISODuration(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"PT1H": time.Hour, "P1D": 24 * time.Hour, "P7DT12H": 180 * time.Hour, "PT30M": 30 * time.Minute,
		"PT0.5S": 500 * time.Millisecond, "P1W": 7 * 24 * time.Hour, "pt15m": 15 * time.Minute,
	} {
		if got, err := ParseISODuration(s); err != nil || got != want {
			t.Errorf("ParseISODuration(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "P", "PT", "1h", "P1H", "PT-1H", "P0D"} {
		if _, err := ParseISODuration(s); err == nil {
			t.Errorf("ParseISODuration(%q) succeeded", s)
		}
	}
}

func TestQueryTimeout(t *testing.T) {
	s, err := Open("", Options{QueryTimeout: time.Nanosecond, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv := httptest.NewServer(s.QueryHandler())
	defer srv.Close()
	status, m := post(t, srv, "/v1/query", `{"query":"ApiManagementGatewayLogs | count"}`)
	if e := m["error"].(map[string]any); status != http.StatusGatewayTimeout || !strings.Contains(e["message"].(string), "did not finish in time") {
		t.Errorf("status %d: %v", status, m)
	}
}

// TestQueryMaxRows: a caller that shows a few rows asks for no more, in
// the body or as a parameter; the result says it was cut. The store's
// MaxRows still bounds a larger ask.
func TestQueryMaxRows(t *testing.T) {
	s, err := Open("", Options{MaxRows: 10, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, l := range fixture {
		s.Write(l.JSON())
	}
	s.Flush()
	srv := httptest.NewServer(s.QueryHandler())
	defer srv.Close()
	rowsOf := func(m map[string]any) int { return len(m["tables"].([]any)[0].(map[string]any)["rows"].([]any)) }
	for _, tc := range []struct {
		body    string
		rows    int
		partial string
	}{
		{`{"query":"ApiManagementGatewayLogs | project Url","maxRows":3}`, 3, "more than 3 rows"},
		{`{"query":"ApiManagementGatewayLogs | project Url","maxRows":1000}`, 10, "more than 10 rows"},
		{`{"query":"ApiManagementGatewayLogs | take 3 | project Url","maxRows":3}`, 3, ""},
		{`{"query":"ApiManagementGatewayLogs | count","maxRows":1}`, 1, ""},
	} {
		status, m := post(t, srv, "/v1/query", tc.body)
		if status != 200 || rowsOf(m) != tc.rows {
			t.Errorf("%s: status %d, %v", tc.body, status, m)
			continue
		}
		e, _ := m["error"].(map[string]any)
		switch {
		case tc.partial == "" && e != nil:
			t.Errorf("%s: reported as partial: %v", tc.body, e)
		case tc.partial != "" && (e == nil || e["code"] != "PartialError" || !strings.Contains(e["message"].(string), tc.partial)):
			t.Errorf("%s: error %v, want a PartialError saying %q", tc.body, e, tc.partial)
		}
	}
	resp, err := http.Get(srv.URL + "/v1/query?" + url.Values{"query": {"ApiManagementGatewayLogs | project Url"}, "maxRows": {"2"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	_, m := decode(t, resp)
	resp.Body.Close()
	if rowsOf(m) != 2 {
		t.Errorf("GET maxRows=2: %v", m)
	}
	for _, bad := range []string{`{"query":"ApiManagementGatewayLogs","maxRows":-1}`} {
		if status, m := post(t, srv, "/v1/query", bad); status != 400 {
			t.Errorf("%s: status %d %v", bad, status, m)
		}
	}
	resp, err = http.Get(srv.URL + "/v1/query?" + url.Values{"query": {"ApiManagementGatewayLogs"}, "maxRows": {"many"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	status, m := decode(t, resp)
	resp.Body.Close()
	if status != 400 || !strings.Contains(m["error"].(map[string]any)["message"].(string), `maxRows "many"`) {
		t.Errorf("GET maxRows=many: %d %v", status, m)
	}
}
