package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/tollgate/tollgate/internal/explain"
)

// failuresData is the Failures page.
type failuresData struct {
	Range  Range
	Ranges []Range
	// StoreOff is true when there is no log store: the page then groups
	// the captured requests instead.
	StoreOff bool
	Chart    *chart
	Rows     []failureRow
	Total    int
	Query    string // the table's KQL, for "open in Query"
	Error    string
	Groups   []explain.Group // without a store
}

type failureRow struct {
	Category  string
	Color     string
	Operation string
	Count     int
	AvgMs     float64
	P95Ms     float64
	HasP95    bool
	Requests  string // the URL of the requests behind the row
}

// queryTimeout bounds every query a page runs.
const queryTimeout = 20 * time.Second

func (c *console) failures(w http.ResponseWriter, r *http.Request) {
	rg := rangeOf(r.URL.Query().Get("range"), "24h")
	d := failuresData{Range: rg, Ranges: Ranges, Query: failuresTableQuery(rg)}
	if c.opts.Query == nil {
		d.StoreOff = true
		if c.opts.Captures != nil {
			docs, err := c.opts.Captures.Captures(c.opts.Now().Add(-rg.Span), maxScan)
			if err != nil {
				d.Error = err.Error()
			}
			d.Groups = explain.GroupFailures(docs)
		}
		c.render(w, http.StatusOK, "failures", page{Title: "Failures", Nav: "failures", Data: d})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), queryTimeout)
	defer cancel()
	res, err := c.opts.Query.Query(ctx, d.Query, 0, 0)
	if err != nil {
		d.Error = queryErrorText(err)
		c.render(w, http.StatusOK, "failures", page{Title: "Failures", Nav: "failures", Data: d})
		return
	}
	t := res.Primary()
	ci, oi, ni, ai, pi := t.Col("ErrorCategory"), t.Col("OperationName"), t.Col("Count"), t.Col("AvgLatencyMs"), t.Col("P95LatencyMs")
	for _, row := range t.Rows {
		fr := failureRow{}
		if ci >= 0 {
			fr.Category = cellText(row[ci])
		}
		if oi >= 0 {
			fr.Operation = cellText(row[oi])
		}
		if ni >= 0 {
			n, _ := number(row[ni])
			fr.Count = int(n)
		}
		if ai >= 0 {
			fr.AvgMs, _ = number(row[ai])
		}
		if pi >= 0 {
			fr.P95Ms, fr.HasP95 = number(row[pi])
		}
		fr.Color = colorOf(fr.Category, 0)
		q := url.Values{"range": {rg.Name}, "category": {fr.Category}}
		if fr.Operation != "" {
			q.Set("opname", fr.Operation)
		} else {
			q.Set("opname", "")
		}
		fr.Requests = "/requests?" + q.Encode()
		d.Total += fr.Count
		d.Rows = append(d.Rows, fr)
	}
	res, err = c.opts.Query.Query(ctx, failuresChartQuery(rg), 0, 0)
	if err != nil {
		d.Error = queryErrorText(err)
	} else {
		t := res.Primary()
		ci, ti, ni := t.Col("ErrorCategory"), t.Col("TimeGenerated"), t.Col("Count")
		var pts []point
		for _, row := range t.Rows {
			if ci < 0 || ti < 0 || ni < 0 {
				break
			}
			tm, ok1 := datetime(row[ti])
			v, ok2 := number(row[ni])
			if ok1 && ok2 {
				pts = append(pts, point{t: tm, series: cellText(row[ci]), v: v})
			}
		}
		now := c.opts.Now()
		d.Chart = timeChart("Failures by ErrorCategory over the last "+rg.Name, pts, now.Add(-rg.Span), now, rg.step, Categories)
	}
	c.render(w, http.StatusOK, "failures", page{Title: "Failures", Nav: "failures", Data: d})
}

// queryErrorText is what a page shows for a failed query.
func queryErrorText(err error) string {
	var qe *QueryError
	if errors.As(err, &qe) {
		return qe.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "the log store did not answer in time; try a shorter range"
	}
	return err.Error()
}
