package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/explain"
)

type requestData struct {
	ID   string
	Doc  *capture.Doc
	X    *explain.Explanation
	Wf   *waterfall
	Curl string
	Test string
	// Where is the failing policy's position, relative to the folder, and
	// WhereLink opens its file at its line.
	Where     string
	WhereLink string
	// Caret marks the column in X.Failure.Source.
	Caret string
	// Config links the request's operation in the configuration.
	Config string
	// Log are the columns of the request's log line.
	Log []kv
	// NotCaptured is true when the log store knows the request but no
	// trace was kept.
	NotCaptured bool
}

type kv struct{ Key, Value string }

func (c *console) request(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	snap := c.snapshot()
	var d *capture.Doc
	var err error
	if c.opts.Captures != nil {
		d, err = c.opts.Captures.Capture(id)
	} else {
		err = capture.ErrNotFound
	}
	var amb *capture.AmbiguousError
	switch {
	case errors.As(err, &amb):
		c.fail(w, http.StatusConflict, "Several requests match", err.Error())
		return
	case errors.Is(err, capture.ErrNotFound):
		c.uncaptured(w, r, id)
		return
	case err != nil:
		c.fail(w, http.StatusInternalServerError, "Reading the captured request failed", err.Error())
		return
	}
	x := explain.Explain(d)
	// Positions read relative to the configuration folder.
	if dir := d.Config.Dir; dir != "" {
		trim := strings.NewReplacer(dir+"/", "", dir+`\`, "")
		x.Cause, x.Fix = trim.Replace(x.Cause), trim.Replace(x.Fix)
	}
	data := requestData{ID: d.ID, Doc: d, X: x, Wf: newWaterfall(d, snap), Curl: curlOf(d), Test: testCommandOf(d, snap), Log: logColumns(d.Log)}
	if f := x.Failure; f != nil {
		data.WhereLink = fileLink(snap, f.Where)
		data.Where = relWhere(snap, f.Where)
		if f.Column > 0 && f.Source != "" {
			data.Caret = caretPad(f.Source, f.Column) + "^"
		}
		// Drop the line's indentation, and the caret's with it.
		indent := len(f.Source) - len(strings.TrimLeft(f.Source, " \t"))
		f.Source = f.Source[indent:]
		if len(data.Caret) > indent {
			data.Caret = data.Caret[indent:]
		}
	}
	if d.Match.API != "" && d.Match.Operation != "" {
		data.Config = "/config/apis/" + url.PathEscape(d.Match.API) + "/operations/" + url.PathEscape(d.Match.Operation)
		if d.Match.Product != "" {
			data.Config += "?product=" + url.QueryEscape(d.Match.Product)
		}
	}
	c.render(w, http.StatusOK, "request", page{Title: "Request " + d.ID, Nav: "requests", Data: data})
}

// uncaptured shows the log line of a request that has no capture (a
// success that was not sampled), when the log store has it.
func (c *console) uncaptured(w http.ResponseWriter, r *http.Request, id string) {
	if c.opts.Query == nil {
		c.notFound(w, r, "No captured request has the id "+id+". Failed requests are captured; successful ones only with --trace-sample.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), queryTimeout)
	defer cancel()
	res, err := c.opts.Query.Query(ctx, logRowQuery(id), 0, 1)
	if err != nil {
		c.fail(w, http.StatusBadGateway, "The log store did not answer", queryErrorText(err))
		return
	}
	t := res.Primary()
	if len(t.Rows) == 0 {
		c.notFound(w, r, "Neither the captured requests nor the log store have a request with the id "+id+".")
		return
	}
	var cols []kv
	for i, col := range t.Columns {
		if v := cellText(t.Rows[0][i]); v != "" && i < len(t.Rows[0]) {
			cols = append(cols, kv{col.Name, v})
		}
	}
	c.render(w, http.StatusOK, "request", page{Title: "Request " + id, Nav: "requests", Data: requestData{ID: id, Log: cols, NotCaptured: true}})
}

// logColumns lists the non-empty columns of a log line.
func logColumns(line json.RawMessage) []kv {
	var m map[string]any
	if json.Unmarshal(line, &m) != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []kv
	for _, k := range keys {
		if v := cellText(m[k]); v != "" && v != "null" {
			out = append(out, kv{k, v})
		}
	}
	return out
}

// waterfall is a request's trace on a time axis.
type waterfall struct {
	TotalMs float64
	Ticks   []tick
	Steps   []wfStep
}

type tick struct {
	Left  float64 // percent
	Label string
}

type wfStep struct {
	Index     int
	Section   string
	Source    string
	Where     string
	WhereLink string
	Path      string
	Scope     string
	Message   string
	Failed    bool
	StartMs   float64
	TookMs    float64
	Left      float64 // percent of the axis
	Width     float64 // percent of the axis
	LabelLeft bool    // the duration is written left of the bar
	Data      string  // what the step saw, as indented JSON
}

// maxStepData bounds the values shown for one step.
const maxStepData = 16 << 10

func newWaterfall(d *capture.Doc, snap *config.Snapshot) *waterfall {
	if len(d.Steps) == 0 {
		return nil
	}
	total := logNumber(d.Log, "TotalTime")
	for _, s := range d.Steps {
		total = math.Max(total, s.ElapsedMs+s.TookMs)
	}
	if total <= 0 {
		total = 1
	}
	wf := &waterfall{TotalMs: total}
	trim := strings.NewReplacer()
	if dir := d.Config.Dir; dir != "" {
		trim = strings.NewReplacer(dir+"/", "", dir+`\`, "")
	}
	for i := 0; i <= 4; i++ {
		wf.Ticks = append(wf.Ticks, tick{Left: float64(i) * 25, Label: formatNumber(total*float64(i)/4) + " ms"})
	}
	for i, s := range d.Steps {
		st := wfStep{Index: i + 1, Section: s.Section, Source: s.Source, Where: relWhere(snap, s.Where), Path: s.Path, Scope: s.Scope,
			Message: trim.Replace(s.Message), Failed: s.Failed, StartMs: s.ElapsedMs, TookMs: s.TookMs}
		st.WhereLink = fileLink(snap, s.Where)
		st.Left = 100 * s.ElapsedMs / total
		st.Width = math.Max(100*s.TookMs/total, 0.4)
		if st.Left+st.Width > 100 {
			st.Left = math.Max(0, 100-st.Width)
		}
		st.LabelLeft = st.Left+st.Width > 80
		if s.Data != nil {
			b, err := json.MarshalIndent(s.Data, "", "  ")
			if err == nil {
				if len(b) > maxStepData {
					b = append(b[:maxStepData], []byte("\n… (cut)")...)
				}
				st.Data = trim.Replace(string(b))
			}
		}
		wf.Steps = append(wf.Steps, st)
	}
	return wf
}

var whereRE = regexp.MustCompile(`^(.+?):(\d+)(?::\d+)?$`)

// fileLink links a "file:line:col" position to the file's page, when the
// file is one of the configuration's policy documents.
func fileLink(snap *config.Snapshot, where string) string {
	m := whereRE.FindStringSubmatch(where)
	if m == nil || snap == nil {
		return ""
	}
	if policyFile(snap, m[1]) == nil {
		return ""
	}
	return "/config/files/" + escapePath(relPath(snap, m[1])) + "#L" + m[2]
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// caretPad returns the spaces (tabs where the line has them) before
// column col.
func caretPad(line string, col int) string {
	var b strings.Builder
	for i, r := range line {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// masked is how captured requests show a secret.
const masked = "***"

// skipHeaders are headers a replayed request should not copy.
var skipHeaders = map[string]bool{"Host": true, "Content-Length": true, "Connection": true, "Accept-Encoding": true, "Transfer-Encoding": true}

// requestURL is the URL the caller used, secrets masked.
func requestURL(d *capture.Doc) string {
	if u := d.Request.URL; strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		return u
	}
	host := d.Request.Host
	if host == "" {
		host = "localhost"
	}
	u := "http://" + host + d.Request.Path
	if d.Request.Query != "" {
		u += "?" + d.Request.Query
	}
	return u
}

// curlOf is the request as a curl command line, each masked secret
// replaced by a shell variable the reader sets.
func curlOf(d *capture.Doc) string {
	var b strings.Builder
	b.WriteString("curl -i")
	if d.Request.Method != "GET" {
		b.WriteString(" -X " + shellQuote(d.Request.Method, ""))
	}
	b.WriteString(" " + shellQuote(requestURL(d), "SUBSCRIPTION_KEY"))
	for _, h := range d.Request.Headers {
		if skipHeaders[h.Name] {
			continue
		}
		b.WriteString(" \\\n  -H " + shellQuote(h.Name+": "+h.Value, secretVar(d, h.Name)))
	}
	if d.Request.Body != "" {
		b.WriteString(" \\\n  --data-binary " + shellQuote(d.Request.Body, "SECRET"))
		if d.Request.BodyKept == "truncated" {
			b.WriteString("  # the body was cut when it was captured")
		}
	}
	return b.String()
}

// testCommandOf is the `tollgate test` command that sends the request
// through the configuration in-process.
func testCommandOf(d *capture.Doc, snap *config.Snapshot) string {
	dir := d.Config.Dir
	if dir == "" && snap != nil {
		dir = snap.Dir
	}
	if dir == "" {
		dir = "."
	}
	target := d.Request.Path
	if target == "" {
		if u, err := url.Parse(requestURL(d)); err == nil {
			target = u.EscapedPath()
		}
	}
	if d.Request.Query != "" {
		target += "?" + d.Request.Query
	}
	var b strings.Builder
	fmt.Fprintf(&b, "tollgate test %s %s %s", shellQuote(dir, ""), d.Request.Method, shellQuote(target, "SUBSCRIPTION_KEY"))
	for _, h := range d.Request.Headers {
		if skipHeaders[h.Name] || h.Name == "User-Agent" {
			continue
		}
		b.WriteString(" -H " + shellQuote(h.Name+": "+h.Value, secretVar(d, h.Name)))
	}
	if d.Request.Body != "" && d.Request.BodyKept == "whole" {
		b.WriteString(" -d " + shellQuote(d.Request.Body, "SECRET"))
	}
	b.WriteString(" --trace")
	return b.String()
}

// secretVar names the shell variable that stands for a masked header.
func secretVar(d *capture.Doc, header string) string {
	switch {
	case strings.EqualFold(header, "Authorization"), strings.EqualFold(header, "Proxy-Authorization"):
		return "TOKEN"
	case strings.EqualFold(header, d.Match.KeyHeader), strings.EqualFold(header, "Ocp-Apim-Subscription-Key"):
		return "SUBSCRIPTION_KEY"
	}
	return "SECRET"
}

// shellQuote quotes s for a POSIX shell. Each masked secret in it becomes
// ${variable}, which the reader sets before pasting.
func shellQuote(s, variable string) string {
	if !strings.Contains(s, masked) || variable == "" {
		if s != "" && strings.IndexFunc(s, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
		}) < 0 {
			return s
		}
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for i, part := range strings.Split(s, masked) {
		if i > 0 {
			b.WriteString("${" + variable + "}")
		}
		for _, r := range part {
			if strings.ContainsRune("\"\\$`", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
