package explain

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
)

// Explanation is what `tollgate why` says about one request. Its JSON field
// names are stable (`tollgate why --json`).
type Explanation struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	Captured string    `json:"captured"`
	// Config is the configuration folder that served the request; the
	// file positions below are relative to it.
	Config   string   `json:"config,omitempty"`
	Request  Request  `json:"request"`
	Response Response `json:"response"`
	// Failure is the failing step, nil when no step failed (a backend
	// error passed through, a refused CORS request).
	Failure *Failure `json:"failure,omitempty"`
	// Origin answers "gateway or backend?": "gateway" when tollgate
	// produced the failure, "backend" when it passed the backend's answer
	// through, "client" when the caller went away, "" for a success.
	Origin string `json:"origin"`
	Cause  string `json:"cause"`
	Fix    string `json:"fix"`
	// Doc is the section of docs/troubleshooting.md that explains this
	// kind of failure.
	Doc     string   `json:"doc"`
	Backend *Backend `json:"backend,omitempty"`
	// StatusNote says where tollgate's status differs from what a
	// troubleshooting article may lead one to expect.
	StatusNote string   `json:"statusNote,omitempty"`
	Notes      []string `json:"notes,omitempty"`
}

// Request is the request as the caller sent it (keys masked).
type Request struct {
	Method       string `json:"method"`
	URL          string `json:"url"`
	CallerIP     string `json:"callerIp"`
	API          string `json:"api,omitempty"`
	Operation    string `json:"operation,omitempty"`
	Product      string `json:"product,omitempty"`
	Subscription string `json:"subscription,omitempty"`
}

// Response is what the caller got.
type Response struct {
	Status int    `json:"status"`
	Body   string `json:"body,omitempty"`
}

// Failure is the step that failed.
type Failure struct {
	Section string `json:"section,omitempty"`
	Policy  string `json:"policy"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Path    string `json:"path,omitempty"`
	Scope   string `json:"scope,omitempty"`
	// Where is "file:line:col" of the failing policy or sub-expression.
	Where string `json:"where,omitempty"`
	// Source is the line at Where, and Column the column the caret marks.
	Source string `json:"source,omitempty"`
	Column int    `json:"column,omitempty"`
	// Saw are the values the step read, as the trace recorded them.
	Saw []string `json:"saw,omitempty"`
}

// Backend is the backend call: where it went, how long it took, and what
// was tried.
type Backend struct {
	URL    string   `json:"url,omitempty"`
	Status int      `json:"status"`
	TimeMs int64    `json:"timeMs"`
	Tried  []string `json:"tried"`
}

// Explain explains d. Source lines are read from the files the positions
// name, relative to the configuration folder when they are relative.
func Explain(d *capture.Doc) *Explanation {
	x := &Explanation{
		ID: d.ID, Time: d.Time, Captured: d.Captured,
		Request: Request{Method: d.Request.Method, URL: d.Request.URL, CallerIP: d.Request.CallerIP,
			API: d.Match.API, Operation: d.Match.Operation, Product: d.Match.Product, Subscription: d.Match.Subscription},
		Response: Response{Status: d.Response.Status, Body: d.Response.Body},
		Notes:    d.Notes,
	}
	if e := d.LastError; e != nil {
		f := &Failure{Section: e.Section, Policy: e.Source, Reason: e.Reason, Message: e.Message, Path: e.Path, Scope: e.Scope, Where: e.Where}
		if w := firstPosition(e.Cause); w != "" {
			f.Where = w // the sub-expression that failed is more precise than the policy
		}
		if f.Where != "" {
			f.Source, f.Column = sourceLine(f.Where, d.Config.Dir)
		}
		if st := d.FailingStep(); st != nil {
			f.Saw = stepValues(st)
		}
		x.Failure = f
	}
	x.Backend = backendOf(d)
	x.Origin, x.Cause, x.Fix, x.Doc = diagnose(d)
	x.StatusNote = statusNote(d)
	if dir := d.Config.Dir; dir != "" {
		// Positions are shown relative to the configuration folder: the
		// paths a person finds in the repository.
		x.Config = dir
		rel := relativeTo(dir)
		x.Cause, x.Fix = rel(x.Cause), rel(x.Fix)
		if f := x.Failure; f != nil {
			f.Where, f.Message = rel(f.Where), rel(f.Message)
			for i := range f.Saw {
				f.Saw[i] = rel(f.Saw[i])
			}
		}
		if len(d.Notes) > 0 {
			x.Notes = make([]string, len(d.Notes))
			for i, n := range d.Notes {
				x.Notes[i] = rel(n)
			}
		}
	}
	return x
}

// relativeTo returns a function that removes dir and the separator after it
// from the paths in a text.
func relativeTo(dir string) func(string) string {
	if dir == "" {
		return func(s string) string { return s }
	}
	prefix := strings.TrimSuffix(dir, string(filepath.Separator)) + string(filepath.Separator)
	return func(s string) string { return strings.ReplaceAll(s, prefix, "") }
}

var positionRE = regexp.MustCompile(`(?:^|[\s(])((?:[A-Za-z]:)?[^\s:()]+\.(?:xml|json|yaml|yml)):(\d+)(?::(\d+))?`)

// firstPosition finds the first "file:line[:col]" in s.
func firstPosition(s string) string {
	m := positionRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	if m[3] != "" {
		return m[1] + ":" + m[2] + ":" + m[3]
	}
	return m[1] + ":" + m[2]
}

// sourceLine reads the line a "file:line:col" position names.
func sourceLine(where, dir string) (string, int) {
	m := positionRE.FindStringSubmatch(" " + where)
	if m == nil {
		return "", 0
	}
	file := m[1]
	line, _ := strconv.Atoi(m[2])
	col, _ := strconv.Atoi(m[3])
	candidates := []string{file}
	if !filepath.IsAbs(file) && dir != "" {
		candidates = append(candidates, filepath.Join(dir, file))
	}
	for _, c := range candidates {
		f, err := os.Open(c)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for n := 1; sc.Scan(); n++ {
			if n == line {
				f.Close()
				return strings.TrimRight(sc.Text(), "\r"), col
			}
		}
		f.Close()
	}
	return "", 0
}

// stepValues lists what the failing step recorded.
func stepValues(st *capture.Step) []string {
	var out []string
	if m, ok := st.Data.(map[string]any); ok {
		for _, k := range []string{"claims", "value", "values", "variables", "expected", "actual", "headers"} {
			if v, ok := m[k]; ok {
				out = append(out, fmt.Sprintf("%s: %v", k, v))
			}
		}
	}
	return out
}

func backendOf(d *capture.Doc) *Backend {
	e := d.LastError
	b := d.Backend
	if b == nil && (e == nil || e.Section != "backend") {
		return nil
	}
	out := &Backend{}
	if b != nil {
		out.URL, out.Status, out.TimeMs = b.URL, b.Status, b.TimeMs
	}
	// What was tried, in order, and how far it got.
	steps := []string{"DNS", "connect", "TLS", "status line", "body"}
	reached := len(steps)
	if e != nil && (e.Source == "forward-request" || e.Source == "transfer-response") {
		text := strings.ToLower(e.Message + " " + e.Cause)
		switch {
		case strings.Contains(text, "resolve") || strings.Contains(text, "no such host") || strings.Contains(text, "dns"):
			reached = 0
		case strings.Contains(text, "unable to connect") || strings.Contains(text, "refused"):
			reached = 1
		case strings.Contains(text, "ssl") || strings.Contains(text, "tls") || strings.Contains(text, "certificate") || strings.Contains(text, "transport stream"):
			reached = 2
		case e.Reason == "Timeout" || strings.Contains(text, "closed"):
			reached = 3
		}
		if e.Source == "transfer-response" {
			reached = 4
		}
	}
	for i, s := range steps {
		switch {
		case i < reached:
			out.Tried = append(out.Tried, s+": ok")
		case i == reached:
			out.Tried = append(out.Tried, s+": failed")
		}
	}
	if out.URL != "" && strings.HasPrefix(out.URL, "http://") && len(out.Tried) > 2 {
		out.Tried = append(out.Tried[:2:2], append([]string{"TLS: not used (http)"}, out.Tried[3:]...)...)
	}
	return out
}
