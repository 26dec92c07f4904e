package console_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// logQuery serves the query API (POST /v1/query) over the gateway's log
// lines, for tests until the log store lands. It knows the pipeline
// shapes the console sends and the seed's ErrorCategory query, and refuses
// anything else with a positioned error, as the store does.
type logQuery struct {
	mu    sync.Mutex
	lines []map[string]any
	// Seen records every query received.
	Seen []string
}

// Write takes the gateway's log output (one JSON object a line).
func (q *logQuery) Write(b []byte) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	q.mu.Lock()
	defer q.mu.Unlock()
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err == nil {
			q.lines = append(q.lines, m)
		}
	}
	return len(b), nil
}

type column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type table struct {
	Name    string   `json:"name"`
	Columns []column `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

func (q *logQuery) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query, Timespan string
		MaxRows         int
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeQueryError(w, "the body must be JSON")
		return
	}
	q.mu.Lock()
	q.Seen = append(q.Seen, req.Query)
	rows := append([]map[string]any(nil), q.lines...)
	q.mu.Unlock()
	t, err := run(req.Query, rows)
	if err != nil {
		writeQueryError(w, err.Error())
		return
	}
	res := map[string]any{"tables": []table{*t}}
	if req.MaxRows > 0 && len(t.Rows) > req.MaxRows {
		t.Rows = t.Rows[:req.MaxRows]
		res["tables"] = []table{*t}
		res["error"] = map[string]string{"code": "PartialError", "message": fmt.Sprintf("the result has more than %d rows and was cut there", req.MaxRows)}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(res)
}

func writeQueryError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(400)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "BadArgumentError", "message": msg}})
}

var (
	agoRE      = regexp.MustCompile(`^where TimeGenerated > ago\((\d+)([smhd])\)$`)
	beforeRE   = regexp.MustCompile(`^where TimeGenerated < datetime\(([^)]+)\)$`)
	eqStrRE    = regexp.MustCompile(`^where (\w+) == ("(?:[^"\\]|\\.)*")$`)
	eqBoolRE   = regexp.MustCompile(`^where (\w+) == (true|false)$`)
	eqIntRE    = regexp.MustCompile(`^where (\w+) == (\d+)$`)
	betweenRE  = regexp.MustCompile(`^where (\w+) between \((\d+) \.\. (\d+)\)$`)
	textRE     = regexp.MustCompile(`^where strcat\(Url, "\\n", LastErrorMessage, "\\n", LastErrorReason, "\\n", CorrelationId\) contains ("(?:[^"\\]|\\.)*")$`)
	takeRE     = regexp.MustCompile(`^take (\d+)$`)
	orderRE    = regexp.MustCompile(`^order by (\w+) (asc|desc)$`)
	projectRE  = regexp.MustCompile(`^project ([\w, ]+)$`)
	binRE      = regexp.MustCompile(`^summarize Count = count\(\) by ErrorCategory, bin\(TimeGenerated, (\d+)([smhd])\)$`)
	summaryRE  = regexp.MustCompile(`^summarize Count = count\(\), AvgLatencyMs = avg\(TotalTime\)(, P95LatencyMs = percentile\(TotalTime, 95\))? by ErrorCategory, OperationName$`)
	categoryRE = regexp.MustCompile(`^extend ErrorCategory = case\(`)
)

var units = map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}

func run(query string, rows []map[string]any) (*table, error) {
	stages := strings.Split(query, "\n|")
	if strings.TrimSpace(stages[0]) != "ApiManagementGatewayLogs" {
		return nil, fmt.Errorf("query:1:1: the test querier reads ApiManagementGatewayLogs only")
	}
	line := 1 + strings.Count(stages[0], "\n")
	var out *table
	for _, raw := range stages[1:] {
		line++
		st := strings.TrimSpace(raw)
		var m []string
		switch {
		case agoRE.MatchString(st):
			m = agoRE.FindStringSubmatch(st)
			n, _ := strconv.Atoi(m[1])
			since := time.Now().Add(-time.Duration(n) * units[m[2]])
			rows = filter(rows, func(r map[string]any) bool { return timeOf(r).After(since) })
		case beforeRE.MatchString(st):
			t, err := time.Parse(time.RFC3339Nano, beforeRE.FindStringSubmatch(st)[1])
			if err != nil {
				return nil, fmt.Errorf("query:%d:7: bad datetime", line)
			}
			rows = filter(rows, func(r map[string]any) bool { return timeOf(r).Before(t) })
		case eqStrRE.MatchString(st):
			m = eqStrRE.FindStringSubmatch(st)
			v, err := strconv.Unquote(m[2])
			if err != nil {
				return nil, fmt.Errorf("query:%d:7: bad string", line)
			}
			rows = filter(rows, func(r map[string]any) bool { s, _ := r[m[1]].(string); return s == v })
		case eqBoolRE.MatchString(st):
			m = eqBoolRE.FindStringSubmatch(st)
			rows = filter(rows, func(r map[string]any) bool { b, _ := r[m[1]].(bool); return strconv.FormatBool(b) == m[2] })
		case eqIntRE.MatchString(st):
			m = eqIntRE.FindStringSubmatch(st)
			n, _ := strconv.ParseFloat(m[2], 64)
			rows = filter(rows, func(r map[string]any) bool { f, _ := r[m[1]].(float64); return f == n })
		case betweenRE.MatchString(st):
			m = betweenRE.FindStringSubmatch(st)
			lo, _ := strconv.ParseFloat(m[2], 64)
			hi, _ := strconv.ParseFloat(m[3], 64)
			rows = filter(rows, func(r map[string]any) bool { f, _ := r[m[1]].(float64); return f >= lo && f <= hi })
		case textRE.MatchString(st):
			v, _ := strconv.Unquote(textRE.FindStringSubmatch(st)[1])
			v = strings.ToLower(v)
			rows = filter(rows, func(r map[string]any) bool {
				var all []string
				for _, k := range []string{"Url", "LastErrorMessage", "LastErrorReason", "CorrelationId"} {
					s, _ := r[k].(string)
					all = append(all, s)
				}
				return strings.Contains(strings.ToLower(strings.Join(all, "\n")), v)
			})
		case categoryRE.MatchString(st):
			// Rows are shared with other queries: extend copies.
			extended := make([]map[string]any, len(rows))
			for i, r := range rows {
				code, _ := r["ResponseCode"].(float64)
				backend, _ := r["BackendResponseCode"].(float64)
				extended[i] = maps.Clone(r)
				extended[i]["ErrorCategory"] = category(int(code), int(backend))
			}
			rows = extended
		case summaryRE.MatchString(st):
			out = summarizeByOperation(rows, summaryRE.FindStringSubmatch(st)[1] != "")
		case binRE.MatchString(st):
			m = binRE.FindStringSubmatch(st)
			n, _ := strconv.Atoi(m[1])
			out = summarizeByBin(rows, time.Duration(n)*units[m[2]])
		case orderRE.MatchString(st):
			m = orderRE.FindStringSubmatch(st)
			if out != nil {
				sortTable(out, m[1], m[2] == "desc")
			} else {
				desc := m[2] == "desc"
				sort.SliceStable(rows, func(i, j int) bool {
					if desc {
						return timeOf(rows[i]).After(timeOf(rows[j]))
					}
					return timeOf(rows[i]).Before(timeOf(rows[j]))
				})
			}
		case takeRE.MatchString(st):
			n, _ := strconv.Atoi(takeRE.FindStringSubmatch(st)[1])
			if len(rows) > n {
				rows = rows[:n]
			}
		case projectRE.MatchString(st):
			out = project(rows, strings.Split(projectRE.FindStringSubmatch(st)[1], ", "))
		default:
			return nil, fmt.Errorf("query:%d:3: the test querier does not know %q", line, st)
		}
		line += strings.Count(raw, "\n")
	}
	if out == nil {
		var all []string
		for _, r := range rows {
			for k := range r {
				all = append(all, k)
			}
			break
		}
		sort.Strings(all)
		out = project(rows, all)
	}
	return out, nil
}

func category(status, backend int) string {
	switch {
	case status == 401:
		return "Auth Failure"
	case status == 403:
		return "Access Denied"
	case status == 429:
		return "Throttled"
	case status >= 500 && status <= 599 && backend == 0:
		return "Gateway Error"
	case status >= 500 && status <= 599:
		return "Backend Error"
	}
	return "Other"
}

func filter(rows []map[string]any, keep func(map[string]any) bool) []map[string]any {
	var out []map[string]any
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func timeOf(r map[string]any) time.Time {
	s, _ := r["TimeGenerated"].(string)
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

var types = map[string]string{"TimeGenerated": "datetime", "ResponseCode": "int", "BackendResponseCode": "int", "TotalTime": "long", "IsRequestSuccess": "bool"}

func project(rows []map[string]any, cols []string) *table {
	t := &table{Name: "PrimaryResult", Rows: [][]any{}}
	for _, c := range cols {
		typ := types[c]
		if typ == "" {
			typ = "string"
		}
		t.Columns = append(t.Columns, column{c, typ})
	}
	for _, r := range rows {
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = r[c]
			if c == "TimeGenerated" {
				row[i] = timeOf(r).Format(time.RFC3339Nano)
			}
			if row[i] == nil && t.Columns[i].Type == "string" {
				row[i] = ""
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func summarizeByOperation(rows []map[string]any, p95 bool) *table {
	type key struct{ cat, op string }
	groups := map[key][]float64{}
	var order []key
	for _, r := range rows {
		op, _ := r["OperationName"].(string)
		k := key{r["ErrorCategory"].(string), op}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		f, _ := r["TotalTime"].(float64)
		groups[k] = append(groups[k], f)
	}
	t := &table{Name: "PrimaryResult", Columns: []column{{"ErrorCategory", "string"}, {"OperationName", "string"}, {"Count", "long"}, {"AvgLatencyMs", "real"}}, Rows: [][]any{}}
	if p95 {
		t.Columns = append(t.Columns, column{"P95LatencyMs", "long"})
	}
	for _, k := range order {
		vs := groups[k]
		sum := 0.0
		for _, v := range vs {
			sum += v
		}
		row := []any{k.cat, k.op, len(vs), sum / float64(len(vs))}
		if p95 {
			sorted := append([]float64(nil), vs...)
			sort.Float64s(sorted)
			row = append(row, sorted[int(math.Ceil(0.95*float64(len(sorted))))-1])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func summarizeByBin(rows []map[string]any, step time.Duration) *table {
	type key struct {
		cat string
		t   time.Time
	}
	counts := map[key]int{}
	var order []key
	for _, r := range rows {
		k := key{r["ErrorCategory"].(string), timeOf(r).Truncate(step)}
		if _, ok := counts[k]; !ok {
			order = append(order, k)
		}
		counts[k]++
	}
	t := &table{Name: "PrimaryResult", Columns: []column{{"ErrorCategory", "string"}, {"TimeGenerated", "datetime"}, {"Count", "long"}}, Rows: [][]any{}}
	for _, k := range order {
		t.Rows = append(t.Rows, []any{k.cat, k.t.UTC().Format(time.RFC3339Nano), counts[k]})
	}
	return t
}

func sortTable(t *table, col string, desc bool) {
	i := -1
	for j, c := range t.Columns {
		if c.Name == col {
			i = j
		}
	}
	if i < 0 {
		return
	}
	less := func(a, b any) bool {
		switch x := a.(type) {
		case int:
			return x < b.(int)
		case string:
			return x < b.(string)
		}
		return false
	}
	sort.SliceStable(t.Rows, func(a, b int) bool {
		if desc {
			return less(t.Rows[b][i], t.Rows[a][i])
		}
		return less(t.Rows[a][i], t.Rows[b][i])
	})
}
