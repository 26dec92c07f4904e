package console

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
)

// pageSize is how many requests the Requests page shows at once.
const pageSize = 50

// maxScan bounds how many captured requests a page reads when there is no
// log store (the capture store holds 1,000 by default).
const maxScan = 2000

type requestsData struct {
	Filter   Filter
	Ranges   []Range
	Statuses []string
	APIs     []string
	Rows     []requestRow
	// Older is the URL of the next page, "" on the last one.
	Older string
	// First is true on the newest page, where the live tail refreshes.
	First    bool
	Self     string // this page's URL
	StoreOff bool
	Query    string
	Error    string
}

type requestRow struct {
	Time time.Time
	// Target is the URL's path and query, what the table shows.
	Target       string
	ID           string
	Method       string
	URL          string
	Status       int
	API          string
	Operation    string
	Subscription string
	TotalMs      float64
	Error        string
}

func filterOf(q url.Values) Filter {
	f := Filter{
		Range:  rangeOf(q.Get("range"), "24h"),
		Status: strings.TrimSpace(q.Get("status")), API: q.Get("api"), Operation: q.Get("operation"),
		Category: q.Get("category"), Subscription: q.Get("subscription"), Text: strings.TrimSpace(q.Get("q")),
	}
	if _, ok := q["opname"]; ok {
		f.OpName, f.OpNameSet = q.Get("opname"), true
	}
	if s := q.Get("before"); s != "" {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			f.Before = t
		}
	}
	if f.Status != "" && f.Status != "failed" && !statusClass.MatchString(f.Status) {
		if n, err := strconv.Atoi(f.Status); err != nil || n < 100 || n > 599 {
			f.Status = ""
		}
	}
	return f
}

// values writes f back as URL parameters, without the cursor.
func (f Filter) values() url.Values {
	v := url.Values{"range": {f.Range.Name}}
	for k, s := range map[string]string{"status": f.Status, "api": f.API, "operation": f.Operation, "category": f.Category, "subscription": f.Subscription, "q": f.Text} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.OpNameSet {
		v.Set("opname", f.OpName)
	}
	return v
}

func (c *console) requests(w http.ResponseWriter, r *http.Request) {
	f := filterOf(r.URL.Query())
	d := requestsData{Filter: f, Ranges: Ranges, Statuses: []string{"failed", "2xx", "3xx", "4xx", "5xx", "400", "401", "403", "404", "429", "500", "502", "503", "504"},
		First: f.Before.IsZero()}
	self := f.values()
	if !f.Before.IsZero() {
		self.Set("before", f.Before.UTC().Format(time.RFC3339Nano))
	}
	d.Self = "/requests?" + self.Encode()
	if snap := c.snapshot(); snap != nil {
		seen := map[string]bool{}
		for _, a := range snap.APIs {
			if !seen[a.ID] {
				seen[a.ID] = true
				d.APIs = append(d.APIs, a.ID)
			}
		}
	}
	var more bool
	if c.opts.Query != nil {
		d.Query = requestsQuery(f, pageSize)
		ctx, cancel := context.WithTimeout(r.Context(), queryTimeout)
		defer cancel()
		res, err := c.opts.Query.Query(ctx, requestsQuery(f, pageSize+1), 0, pageSize+1)
		if err != nil {
			d.Error = queryErrorText(err)
		} else {
			d.Rows = rowsOfResult(res.Primary())
		}
	} else {
		d.StoreOff = true
		rows, err := c.captureRows(f)
		if err != nil {
			d.Error = err.Error()
		}
		d.Rows = rows
	}
	if len(d.Rows) > pageSize {
		d.Rows, more = d.Rows[:pageSize], true
	}
	if more {
		v := f.values()
		v.Set("before", d.Rows[len(d.Rows)-1].Time.UTC().Format(time.RFC3339Nano))
		d.Older = "/requests?" + v.Encode()
	}
	if r.URL.Query().Get("rows") == "1" {
		// The live tail asks for the table body alone.
		c.renderFragment(w, "requests", "rows", page{Data: d})
		return
	}
	c.render(w, http.StatusOK, "requests", page{Title: "Requests", Nav: "requests", Data: d})
}

func (c *console) renderFragment(w http.ResponseWriter, name, block string, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := c.pages[name].ExecuteTemplate(w, block, p); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func rowsOfResult(t *Table) []requestRow {
	idx := map[string]int{}
	for _, n := range []string{"TimeGenerated", "CorrelationId", "Method", "Url", "ResponseCode", "ApiId", "OperationId", "ApimSubscriptionId", "TotalTime", "LastErrorSource", "LastErrorReason"} {
		idx[n] = t.Col(n)
	}
	get := func(row []any, n string) any {
		if i := idx[n]; i >= 0 && i < len(row) {
			return row[i]
		}
		return nil
	}
	out := make([]requestRow, 0, len(t.Rows))
	for _, row := range t.Rows {
		rr := requestRow{ID: cellText(get(row, "CorrelationId")), Method: cellText(get(row, "Method")), URL: cellText(get(row, "Url")),
			API: cellText(get(row, "ApiId")), Operation: cellText(get(row, "OperationId")), Subscription: cellText(get(row, "ApimSubscriptionId"))}
		rr.Time, _ = datetime(get(row, "TimeGenerated"))
		st, _ := number(get(row, "ResponseCode"))
		rr.Status = int(st)
		rr.TotalMs, _ = number(get(row, "TotalTime"))
		if reason := cellText(get(row, "LastErrorReason")); reason != "" {
			rr.Error = cellText(get(row, "LastErrorSource")) + ": " + reason
		}
		rr.Target = target(rr.URL)
		out = append(out, rr)
	}
	return out
}

// target returns the path and query of a URL.
func target(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			return u[i+3+j:]
		}
	}
	return u
}

// captureRows filters the captured requests when there is no log store.
func (c *console) captureRows(f Filter) ([]requestRow, error) {
	if c.opts.Captures == nil {
		return nil, errors.New("failure capture is off")
	}
	limit := maxScan
	if f == (Filter{Range: f.Range}) {
		limit = pageSize + 1 // the newest page, unfiltered: read no more than it shows
	}
	docs, err := c.opts.Captures.Captures(c.opts.Now().Add(-f.Range.Span), limit)
	if err != nil {
		return nil, err
	}
	var out []requestRow
	for _, d := range docs {
		if !f.Before.IsZero() && !d.Time.Before(f.Before) {
			continue
		}
		if !f.matches(d) {
			continue
		}
		rr := requestRow{Time: d.Time, ID: d.ID, Method: d.Request.Method, URL: d.Request.URL, Status: d.Response.Status,
			API: d.Match.API, Operation: d.Match.Operation, Subscription: d.Match.Subscription}
		rr.TotalMs = logNumber(d.Log, "TotalTime")
		rr.Target = target(rr.URL)
		if e := d.LastError; e != nil {
			rr.Error = e.Source + ": " + e.Reason
		}
		out = append(out, rr)
		if len(out) > pageSize {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out, nil
}

// matches applies f to a captured request.
func (f Filter) matches(d *capture.Doc) bool {
	st := d.Response.Status
	failed := st >= 400 || d.LastError != nil
	switch s := f.Status; {
	case s == "":
	case s == "failed":
		if !failed {
			return false
		}
	case statusClass.MatchString(s):
		if st/100 != int(s[0]-'0') {
			return false
		}
	default:
		if strconv.Itoa(st) != s {
			return false
		}
	}
	if f.API != "" && d.Match.API != f.API || f.Operation != "" && d.Match.Operation != f.Operation ||
		f.Subscription != "" && d.Match.Subscription != f.Subscription {
		return false
	}
	if f.OpNameSet && logString(d.Log, "OperationName") != f.OpName {
		return false
	}
	if f.Category != "" {
		backend := 0
		if d.Backend != nil {
			backend = d.Backend.Status
		}
		if !failed || categoryOf(st, backend) != f.Category {
			return false
		}
	}
	if t := strings.ToLower(f.Text); t != "" {
		hay := strings.ToLower(d.Request.URL + " " + d.ID)
		if e := d.LastError; e != nil {
			hay += strings.ToLower(" " + e.Message + " " + e.Reason)
		}
		if !strings.Contains(hay, t) {
			return false
		}
	}
	return true
}

// categoryOf is the seed's ErrorCategory of a failed request.
func categoryOf(status, backendStatus int) string {
	switch {
	case status == 401:
		return "Auth Failure"
	case status == 403:
		return "Access Denied"
	case status == 429:
		return "Throttled"
	case status >= 500 && status <= 599 && backendStatus == 0:
		return "Gateway Error"
	case status >= 500 && status <= 599:
		return "Backend Error"
	}
	return "Other"
}

func logNumber(line json.RawMessage, key string) float64 {
	var m map[string]any
	if json.Unmarshal(line, &m) != nil {
		return 0
	}
	f, _ := number(m[key])
	return f
}

func logString(line json.RawMessage, key string) string {
	var m map[string]any
	if json.Unmarshal(line, &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}
