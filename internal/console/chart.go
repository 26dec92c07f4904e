package console

import (
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A chart is drawn on the server as SVG: no script, no library.
type chart struct {
	SVG    template.HTML
	Legend []legendItem
	// Title describes the chart for screen readers and tests.
	Title string
}

type legendItem struct {
	Name  string
	Color string
	Total float64
}

// point is one value of one series at one time.
type point struct {
	t      time.Time
	series string
	v      float64
}

// categoryColors are the ErrorCategory colours, the same in light and dark.
var categoryColors = map[string]string{
	"Auth Failure":  "#d97706",
	"Access Denied": "#c2410c",
	"Throttled":     "#7c3aed",
	"Gateway Error": "#dc2626",
	"Backend Error": "#2563eb",
	"Other":         "#64748b",
}

var palette = []string{"#2563eb", "#d97706", "#16a34a", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#64748b"}

// maxSeries bounds the series a chart draws; the rest are summed as "other".
const maxSeries = 8

func colorOf(series string, i int) string {
	if c, ok := categoryColors[series]; ok {
		return c
	}
	return palette[i%len(palette)]
}

const (
	chartW, chartH           = 760.0, 220.0
	padL, padR, padT, padB   = 44.0, 8.0, 10.0, 24.0
	plotW, plotH             = chartW - padL - padR, chartH - padT - padB
	maxBuckets, minBuckets   = 400, 12
	svgOpen                  = `<svg class="chart" viewBox="0 0 760 220" role="img" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">`
	axisStyle, gridStyle     = `class="axis"`, `class="grid"`
	labelStyle, labelEndAttr = `class="tick"`, `text-anchor="end"`
)

// timeChart draws pts as stacked bars over [from, to) in bins of step.
// A zero step is inferred from the points; a zero from or to from the
// points too.
func timeChart(title string, pts []point, from, to time.Time, step time.Duration, order []string) *chart {
	if len(pts) == 0 {
		return nil
	}
	times := make([]time.Time, 0, len(pts))
	for _, p := range pts {
		times = append(times, p.t)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	if step <= 0 {
		for i := 1; i < len(times); i++ {
			if d := times[i].Sub(times[i-1]); d > 0 && (step == 0 || d < step) {
				step = d
			}
		}
		if step <= 0 {
			step = time.Minute
		}
	}
	if from.IsZero() {
		from = times[0]
	}
	if to.IsZero() || !to.After(from) {
		to = times[len(times)-1].Add(step)
	}
	from = from.Truncate(step)
	n := int(math.Ceil(float64(to.Sub(from)) / float64(step)))
	if n < minBuckets {
		// A few bins would be walls: show them at the end of a longer axis.
		from = from.Add(-step * time.Duration(minBuckets-n))
		n = minBuckets
	}
	if n > maxBuckets {
		// Too many bins for the width: merge them.
		k := (n + maxBuckets - 1) / maxBuckets
		step *= time.Duration(k)
		from = from.Truncate(step)
		n = int(math.Ceil(float64(to.Sub(from)) / float64(step)))
	}
	series := seriesOrder(pts, order)
	index := map[string]int{}
	for i, s := range series {
		index[s.Name] = i
	}
	cells := make([][]float64, n)
	for i := range cells {
		cells[i] = make([]float64, len(series))
	}
	for _, p := range pts {
		b := int(p.t.Sub(from) / step)
		if b < 0 || b >= n {
			continue
		}
		s, ok := index[p.series]
		if !ok {
			s = index["other"]
		}
		cells[b][s] += p.v
	}
	top := 0.0
	for _, c := range cells {
		sum := 0.0
		for _, v := range c {
			sum += v
		}
		top = math.Max(top, sum)
	}
	tickStep := niceStep(top / 4)
	ticks := int(math.Max(1, math.Ceil(top/tickStep)))
	top = tickStep * float64(ticks)
	var b strings.Builder
	b.WriteString(svgOpen)
	fmt.Fprintf(&b, "<title>%s</title>", html.EscapeString(title))
	for i := 0; i <= ticks; i++ {
		y := padT + plotH - plotH*float64(i)/float64(ticks)
		fmt.Fprintf(&b, `<line %s x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, gridStyle, padL, padL+plotW, y, y)
		fmt.Fprintf(&b, `<text %s %s x="%g" y="%.1f">%s</text>`, labelStyle, labelEndAttr, padL-4, y+4, formatNumber(tickStep*float64(i)))
	}
	bw := plotW / float64(n)
	gap := math.Min(1, bw*0.15)
	for i, c := range cells {
		x := padL + bw*float64(i)
		y := padT + plotH
		t0 := from.Add(step * time.Duration(i))
		for s, v := range c {
			if v <= 0 {
				continue
			}
			h := plotH * v / top
			y -= h
			fmt.Fprintf(&b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"><title>%s: %s at %s</title></rect>`,
				x+gap/2, y, math.Max(bw-gap, 0.5), h, series[s].Color, html.EscapeString(series[s].Name), formatNumber(v), t0.UTC().Format("2006-01-02 15:04:05Z"))
		}
	}
	// Five time ticks.
	span := to.Sub(from)
	layout := "15:04"
	if span > 48*time.Hour {
		layout = "Jan 2 15:04"
	} else if span < 10*time.Minute {
		layout = "15:04:05"
	}
	for i := 0; i <= 4; i++ {
		t := from.Add(span * time.Duration(i) / 4)
		x := padL + plotW*float64(i)/4
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case 4:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text %s text-anchor="%s" x="%.1f" y="%g">%s</text>`, labelStyle, anchor, x, chartH-6, t.UTC().Format(layout))
	}
	fmt.Fprintf(&b, `<line %s x1="%g" x2="%g" y1="%g" y2="%g"/>`, axisStyle, padL, padL+plotW, padT+plotH, padT+plotH)
	b.WriteString("</svg>")
	return &chart{SVG: template.HTML(b.String()), Legend: series, Title: title}
}

// barChart draws one horizontal bar per label.
func barChart(title string, labels []string, values []float64) *chart {
	if len(labels) == 0 {
		return nil
	}
	sums := map[string]float64{}
	var order []string
	for i, l := range labels {
		if _, ok := sums[l]; !ok {
			order = append(order, l)
		}
		sums[l] += values[i]
	}
	sort.SliceStable(order, func(i, j int) bool { return sums[order[i]] > sums[order[j]] })
	if len(order) > 12 {
		order = order[:12]
	}
	top := 0.0
	for _, l := range order {
		top = math.Max(top, sums[l])
	}
	if top <= 0 {
		top = 1
	}
	const rowH, labelW = 22.0, 180.0
	h := rowH*float64(len(order)) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart bars" viewBox="0 0 760 %g" role="img" xmlns="http://www.w3.org/2000/svg">`, h)
	fmt.Fprintf(&b, "<title>%s</title>", html.EscapeString(title))
	var legend []legendItem
	for i, l := range order {
		y := 4 + rowH*float64(i)
		w := (chartW - labelW - 70) * sums[l] / top
		color := colorOf(l, i)
		name := l
		if len(name) > 28 {
			name = name[:27] + "…"
		}
		fmt.Fprintf(&b, `<text %s %s x="%g" y="%.1f">%s</text>`, labelStyle, labelEndAttr, labelW-6, y+15, html.EscapeString(name))
		fmt.Fprintf(&b, `<rect x="%g" y="%.1f" width="%.2f" height="%g" fill="%s"><title>%s: %s</title></rect>`, labelW, y+3, math.Max(w, 1), rowH-6, color, html.EscapeString(l), formatNumber(sums[l]))
		fmt.Fprintf(&b, `<text %s x="%.1f" y="%.1f">%s</text>`, labelStyle, labelW+w+6, y+15, formatNumber(sums[l]))
		legend = append(legend, legendItem{Name: l, Color: color, Total: sums[l]})
	}
	b.WriteString("</svg>")
	return &chart{SVG: template.HTML(b.String()), Legend: legend, Title: title}
}

// seriesOrder names the series of pts, given order first, then the
// largest; beyond maxSeries the smallest are merged into "other".
func seriesOrder(pts []point, order []string) []legendItem {
	totals := map[string]float64{}
	for _, p := range pts {
		totals[p.series] += p.v
	}
	var names []string
	seen := map[string]bool{}
	for _, s := range order {
		if _, ok := totals[s]; ok {
			names = append(names, s)
			seen[s] = true
		}
	}
	var rest []string
	for s := range totals {
		if !seen[s] {
			rest = append(rest, s)
		}
	}
	sort.Slice(rest, func(i, j int) bool {
		if totals[rest[i]] != totals[rest[j]] {
			return totals[rest[i]] > totals[rest[j]]
		}
		return rest[i] < rest[j]
	})
	names = append(names, rest...)
	var out []legendItem
	other := 0.0
	for i, s := range names {
		if i >= maxSeries-1 && len(names) > maxSeries {
			other += totals[s]
			continue
		}
		out = append(out, legendItem{Name: s, Color: colorOf(s, i), Total: totals[s]})
	}
	if other > 0 {
		out = append(out, legendItem{Name: "other", Color: "#94a3b8", Total: other})
	}
	return out
}

// niceStep rounds v up to 1, 2 or 5 times a power of ten, at least 1: the
// step between a chart's grid lines (charts count requests).
func niceStep(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	if math.Abs(v) >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// number reads a numeric cell of a query result.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// datetime reads a datetime cell of a query result.
func datetime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		return t, err == nil
	}
	return time.Time{}, false
}

// resultChart draws a query result: over time when it has a datetime
// column and the query summarizes by bin(TimeGenerated, ...), else as bars
// of its first numeric column by its string columns. Nil when the result
// has nothing to draw.
func resultChart(query string, t *Table) *chart {
	timeCol, valCol := -1, -1
	var labelCols []int
	for i, c := range t.Columns {
		switch c.Type {
		case "datetime":
			if timeCol < 0 {
				timeCol = i
			}
		case "long", "int", "real", "decimal":
			if valCol < 0 {
				valCol = i
			}
		case "string", "bool", "dynamic":
			labelCols = append(labelCols, i)
		}
	}
	if valCol < 0 || len(t.Rows) == 0 {
		return nil
	}
	label := func(row []any) string {
		var parts []string
		for _, i := range labelCols {
			if i < len(row) {
				parts = append(parts, cellText(row[i]))
			}
		}
		return strings.Join(parts, " · ")
	}
	if timeCol >= 0 && isTimeChart(query) {
		var pts []point
		for _, row := range t.Rows {
			if len(row) <= valCol || len(row) <= timeCol {
				continue
			}
			tm, ok1 := datetime(row[timeCol])
			v, ok2 := number(row[valCol])
			if ok1 && ok2 {
				s := label(row)
				if s == "" {
					s = t.Columns[valCol].Name
				}
				pts = append(pts, point{t: tm, series: s, v: v})
			}
		}
		return timeChart(t.Columns[valCol].Name+" over "+t.Columns[timeCol].Name, pts, time.Time{}, time.Time{}, 0, Categories)
	}
	if len(labelCols) == 0 {
		return nil
	}
	var labels []string
	var values []float64
	for _, row := range t.Rows {
		if len(row) <= valCol || len(row) <= labelCols[0] {
			continue
		}
		v, ok := number(row[valCol])
		if !ok {
			continue
		}
		labels = append(labels, cellText(row[labelCols[0]]))
		values = append(values, v)
	}
	return barChart(t.Columns[valCol].Name+" by "+t.Columns[labelCols[0]].Name, labels, values)
}

// cellText formats a result cell for a table.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
