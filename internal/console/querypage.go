package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

type queryData struct {
	Q        string
	Examples []exampleLink
	StoreOff bool
	Ran      bool
	Columns  []Column
	Rows     [][]string
	Count    int
	// Shown is how many rows the table shows, at most maxQueryRows.
	Shown int
	// More is true when the result has more rows than were read.
	More    bool
	Partial string
	Chart   *chart
	Error   *queryProblem
}

type exampleLink struct {
	Title, Query, Link string
}

// queryProblem is a refused query, with the line it points at.
type queryProblem struct {
	Message string
	Line    string
	Caret   string
}

// maxQueryRows bounds the rows the Query page draws, and reads: the log
// store stops there.
const maxQueryRows = 500

// maxQueryCells bounds the cells the table draws, so that a wide result
// draws fewer rows: 500 rows of the log table's 56 columns (28,000 cells,
// 750 KiB) took Chromium 3 to 4 seconds to draw on a busy test machine.
const maxQueryCells = 10000

// maxChartRows bounds the rows read for a time chart, which draws them
// all (24 hours by the minute for six series is 8,640 rows).
const maxChartRows = 10000

// maxQueryLen bounds a query's length.
const maxQueryLen = 64 << 10

func (c *console) query(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := queryData{Q: q, StoreOff: c.opts.Query == nil}
	for _, e := range Examples {
		d.Examples = append(d.Examples, exampleLink{Title: e.Title, Query: e.Query, Link: "/query?q=" + url.QueryEscape(e.Query)})
	}
	if q == "" || d.StoreOff {
		c.render(w, http.StatusOK, "query", page{Title: "Query", Nav: "query", Data: d})
		return
	}
	if len(q) > maxQueryLen {
		d.Error = &queryProblem{Message: "the query is longer than 64 KiB"}
		c.render(w, http.StatusOK, "query", page{Title: "Query", Nav: "query", Data: d})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), queryTimeout)
	defer cancel()
	limit := maxQueryRows
	if isTimeChart(q) {
		limit = maxChartRows
	}
	res, err := c.opts.Query.Query(ctx, q, 0, limit)
	d.Ran = true
	if err != nil {
		d.Error = problemOf(q, err)
		c.render(w, http.StatusBadRequest, "query", page{Title: "Query", Nav: "query", Data: d})
		return
	}
	t := res.Primary()
	d.Columns = t.Columns
	d.Count = len(t.Rows)
	shown := maxQueryRows
	if n := len(t.Columns); n > 0 {
		shown = max(50, min(shown, maxQueryCells/n))
	}
	for i, row := range t.Rows {
		if i == shown {
			break
		}
		cells := make([]string, len(t.Columns))
		for j := range cells {
			if j < len(row) {
				cells[j] = cellText(row[j])
			}
		}
		d.Rows = append(d.Rows, cells)
	}
	d.Shown = len(d.Rows)
	if e := res.Error; e != nil {
		if e.Code == "PartialError" && d.Count >= limit {
			d.More = true // the row count says so
		} else {
			d.Partial = e.Message
		}
	}
	d.Chart = resultChart(q, t)
	c.render(w, http.StatusOK, "query", page{Title: "Query", Nav: "query", Data: d})
}

var positionRE = regexp.MustCompile(`^query:(\d+):(\d+):\s*`)

// problemOf shows a refused query with a caret under the position its
// message names ("query:1:34: ...").
func problemOf(q string, err error) *queryProblem {
	p := &queryProblem{Message: queryErrorText(err)}
	var qe *QueryError
	if !errors.As(err, &qe) {
		return p
	}
	m := positionRE.FindStringSubmatch(qe.Message)
	if m == nil {
		return p
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	lines := strings.Split(q, "\n")
	if line < 1 || line > len(lines) {
		return p
	}
	p.Line = strings.TrimRight(lines[line-1], "\r")
	if col >= 1 {
		// The column counts characters.
		runes := []rune(p.Line)
		if col-1 <= len(runes) {
			p.Caret = caretPad(p.Line, len(string(runes[:col-1]))+1) + "^"
		}
	}
	return p
}
