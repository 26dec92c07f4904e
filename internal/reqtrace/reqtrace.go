package reqtrace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// Section is where an entry was recorded.
type Section int

// The sections of a trace, in order.
const (
	Inbound Section = iota
	Backend
	Outbound
	OnError
)

var sectionNames = [...]string{"inbound", "backend", "outbound", "on-error"}

func (s Section) String() string { return sectionNames[s] }

// Entry is one step of a request.
type Entry struct {
	Section   Section
	Source    string        // step or policy name: "api-inspector", "set-header", "forward-request"
	Timestamp time.Time     // when it was recorded
	Elapsed   time.Duration // since the request started
	Where     string        // "file:line:col" of the policy, "" for built-in steps
	Path      string        // the policy's LastError.Path, e.g. choose[1]\when[1]\set-header[1]
	Scope     string        // scope of the policy: global, product, api, operation
	Took      time.Duration // how long the step ran, when known
	Failed    bool          // the step raised an error
	Message   string        // one-line summary for people
	Data      any           // details; must marshal to JSON

	// format and args make Message when it is first read, so that a trace
	// kept only in case the request fails costs no formatting.
	format string
	args   []any
}

// Trace is the record of one request. It is written by the goroutine that
// serves the request and may be read once the request has finished.
type Trace struct {
	ID      string
	Start   time.Time
	entries []Entry
	secrets []string
	// args holds the arguments of the messages not formatted yet, so that
	// recording one allocates no slice; its array is reused after Reset.
	args []any
}

// New starts a trace.
func New(id string, start time.Time) *Trace { return &Trace{ID: id, Start: start} }

// Add records an entry. Timestamp and Elapsed are filled in when zero.
func (t *Trace) Add(e Entry) {
	if t == nil {
		return
	}
	switch {
	case e.Timestamp.IsZero() && e.Elapsed == 0:
		// One reading of the monotonic clock gives both, for half the
		// cost of time.Now, which reads the wall clock too.
		e.Elapsed = time.Since(t.Start)
		e.Timestamp = t.Start.Add(e.Elapsed)
	case e.Timestamp.IsZero():
		e.Timestamp = time.Now()
	case e.Elapsed == 0:
		e.Elapsed = e.Timestamp.Sub(t.Start)
	}
	t.entries = append(t.entries, e)
}

// Addf records a built-in step with a message. The message is formatted
// only when the trace is read.
func (t *Trace) Addf(s Section, source, format string, args ...any) {
	if t == nil {
		return
	}
	t.Add(Entry{Section: s, Source: source, format: format, args: t.keep(args)})
}

// AddStep records e with a message formatted only when the trace is read.
func (t *Trace) AddStep(e Entry, format string, args ...any) {
	if t == nil {
		return
	}
	e.format, e.args = format, t.keep(args)
	t.Add(e)
}

// keep copies args into t.args and returns the copy.
func (t *Trace) keep(args []any) []any {
	n := len(t.args)
	t.args = append(t.args, args...)
	return t.args[n:len(t.args):len(t.args)]
}

// Entries returns the entries in the order they were recorded.
func (t *Trace) Entries() []Entry {
	t.resolve()
	return t.entries
}

// Resolve formats now the messages recorded with a format (AddStep,
// Addf). A trace kept after its request must be resolved while the values
// its arguments point to are still the request's.
func (t *Trace) Resolve() { t.resolve() }

// resolve formats the messages recorded with a format.
func (t *Trace) resolve() {
	for i := range t.entries {
		if e := &t.entries[i]; e.format != "" {
			e.Message = fmt.Sprintf(e.format, e.args...)
			e.format, e.args = "", nil
		}
	}
}

// Reset empties t for reuse by another request.
func (t *Trace) Reset(id string, start time.Time) {
	clear(t.entries)
	clear(t.args)
	*t = Trace{ID: id, Start: start, entries: t.entries[:0], secrets: t.secrets[:0], args: t.args[:0]}
}

// MaskString replaces every registered secret in s with "***". A string
// without secrets is returned as it is, without a copy.
func (t *Trace) MaskString(s string) string {
	if t == nil {
		return s
	}
	for _, secret := range t.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// Mask registers secrets that must never appear in a rendering of t:
// subscription keys, Authorization values, secret named values. Empty and
// very short strings are ignored (masking "a" would mask every "a").
//
// t.secrets holds each secret and, when it differs, its form inside a JSON
// string, longest first, so that a secret containing another is masked
// whole.
func (t *Trace) Mask(secrets ...string) {
	if t == nil {
		return
	}
	for _, s := range secrets {
		if len(s) < 4 || slices.Contains(t.secrets, s) {
			continue
		}
		t.secrets = append(t.secrets, s)
		if q, _ := json.Marshal(s); string(q[1:len(q)-1]) != s {
			t.secrets = append(t.secrets, string(q[1:len(q)-1]))
		}
		slices.SortStableFunc(t.secrets, func(a, b string) int { return len(b) - len(a) })
	}
}

// jsonEntry is an entry in APIM's trace structure, with tollgate's
// additions (where, path, scope, took, failed) beside APIM's fields.
type jsonEntry struct {
	Source    string `json:"source"`
	Timestamp string `json:"timestamp"`
	Elapsed   string `json:"elapsed"`
	Data      any    `json:"data,omitempty"`
	Where     string `json:"where,omitempty"`
	Path      string `json:"path,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Took      string `json:"took,omitempty"`
	Failed    bool   `json:"failed,omitempty"`
}

// MarshalJSON renders t as {"traceId": ..., "traceEntries": {"inbound": [...], ...}}.
func (t *Trace) MarshalJSON() ([]byte, error) {
	// The sections in APIM's order.
	type sections struct {
		Inbound  []jsonEntry `json:"inbound"`
		Backend  []jsonEntry `json:"backend"`
		Outbound []jsonEntry `json:"outbound"`
		OnError  []jsonEntry `json:"on-error"`
	}
	doc := struct {
		TraceID string   `json:"traceId"`
		Entries sections `json:"traceEntries"`
	}{TraceID: t.ID, Entries: sections{[]jsonEntry{}, []jsonEntry{}, []jsonEntry{}, []jsonEntry{}}}
	lists := [...]*[]jsonEntry{&doc.Entries.Inbound, &doc.Entries.Backend, &doc.Entries.Outbound, &doc.Entries.OnError}
	t.resolve()
	for _, e := range t.entries {
		data := e.Data
		if data == nil && e.Message != "" {
			data = map[string]any{"message": e.Message}
		}
		je := jsonEntry{
			Source: e.Source, Timestamp: e.Timestamp.UTC().Format("2006-01-02T15:04:05.0000000Z"),
			Elapsed: FormatElapsed(e.Elapsed), Data: data, Where: e.Where, Path: e.Path, Scope: e.Scope, Failed: e.Failed,
		}
		if e.Took > 0 {
			je.Took = FormatElapsed(e.Took)
		}
		*lists[e.Section] = append(*lists[e.Section], je)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	out := bytes.TrimRight(buf.Bytes(), "\n")
	for _, secret := range t.secrets {
		if bytes.Contains(out, []byte(secret)) {
			out = bytes.ReplaceAll(out, []byte(secret), []byte("***"))
		}
	}
	return out, nil
}

// FormatElapsed formats d as .NET's TimeSpan default: hh:mm:ss.fffffff.
func FormatElapsed(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	ticks := int64(d / 100)
	h := ticks / (3600 * 1e7)
	m := ticks / (60 * 1e7) % 60
	s := ticks / 1e7 % 60
	f := ticks % 1e7
	return fmt.Sprintf("%02d:%02d:%02d.%07d", h, m, s, f)
}

// WriteText writes t for people: one line per entry with section, source,
// where, time and outcome, then indented details.
func (t *Trace) WriteText(w io.Writer) error {
	t.resolve()
	var b strings.Builder
	for _, e := range t.entries {
		mark := " "
		if e.Failed {
			mark = "!"
		}
		fmt.Fprintf(&b, "%s %-9s %-22s %8.3fms", mark, e.Section, e.Source, float64(e.Elapsed.Microseconds())/1000)
		if e.Where != "" {
			fmt.Fprintf(&b, "  %s", e.Where)
		}
		b.WriteString("\n")
		if e.Message != "" {
			for _, line := range strings.Split(e.Message, "\n") {
				fmt.Fprintf(&b, "      %s\n", line)
			}
		}
	}
	_, err := io.WriteString(w, t.MaskString(b.String()))
	return err
}

// Store keeps the most recent traces so they can be fetched by id after
// the request finished. It is safe for concurrent use.
type Store struct {
	mu    sync.Mutex
	max   int
	order []string
	byID  map[string]*Trace
}

// NewStore returns a Store that keeps at most max traces.
func NewStore(max int) *Store { return &Store{max: max, byID: map[string]*Trace{}} }

// Put stores t, evicting the oldest trace when full.
func (s *Store) Put(t *Trace) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[t.ID]; !ok {
		s.order = append(s.order, t.ID)
	}
	s.byID[t.ID] = t
	for len(s.order) > s.max {
		delete(s.byID, s.order[0])
		s.order = s.order[1:]
	}
}

// Get returns the trace with id, or nil.
func (s *Store) Get(id string) *Trace {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID[id]
}
