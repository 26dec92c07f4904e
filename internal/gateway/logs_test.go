package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingWriter keeps what is written and counts the writes.
type countingWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	return w.buf.Write(p)
}

func (w *countingWriter) lines(t *testing.T) []string {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.buf.String()
	if s == "" {
		return nil
	}
	if !strings.HasSuffix(s, "\n") {
		t.Fatalf("the log ends inside a line: %q", s[max(0, len(s)-80):])
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a whole JSON line: %v: %q", err, l)
		}
	}
	return lines
}

func TestLogWriterOneRequestIsWrittenAtOnce(t *testing.T) {
	w := &countingWriter{}
	l := NewLogWriter(w)
	for i := range 3 {
		l.begin()
		l.end(&LogRecord{CorrelationID: fmt.Sprint(i)})
		if got := len(w.lines(t)); got != i+1 {
			t.Fatalf("after request %d, %d lines written, want %d", i, got, i+1)
		}
	}
	if w.writes != 3 {
		t.Errorf("%d writes for 3 requests one after another, want 3", w.writes)
	}
}

func TestLogWriterCoalescesConcurrentRequests(t *testing.T) {
	w := &countingWriter{}
	l := NewLogWriter(w)
	// Three requests in flight: the first two lines wait for the last.
	l.begin()
	l.begin()
	l.begin()
	l.end(&LogRecord{CorrelationID: "a"})
	l.end(&LogRecord{CorrelationID: "b"})
	if got := w.lines(t); len(got) != 0 {
		t.Fatalf("lines written while requests are in flight: %q", got)
	}
	l.end(&LogRecord{CorrelationID: "c"})
	got := w.lines(t)
	if len(got) != 3 || w.writes != 1 {
		t.Fatalf("%d lines in %d writes, want 3 in 1", len(got), w.writes)
	}
	for i, id := range []string{"a", "b", "c"} {
		if !strings.Contains(got[i], `"CorrelationId":"`+id+`"`) {
			t.Errorf("line %d is not request %s: %s", i, id, got[i])
		}
	}
}

func TestLogWriterDoesNotWaitForever(t *testing.T) {
	w := &countingWriter{}
	l := NewLogWriter(w)
	l.begin() // a request that never ends
	l.begin()
	l.end(&LogRecord{CorrelationID: "x"})
	deadline := time.Now().Add(5 * time.Second)
	for len(w.lines(t)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the line waited for a request that never ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLogWriterWritesWhenTheBatchIsFull(t *testing.T) {
	w := &countingWriter{}
	l := NewLogWriter(w)
	l.begin() // keeps the gateway busy
	n := 0
	for w.writes == 0 {
		if n > logBatchBytes {
			t.Fatal("no write after a full batch")
		}
		l.begin()
		l.end(&LogRecord{CorrelationID: fmt.Sprint(n), URL: strings.Repeat("u", 500)})
		n++
	}
	if got := len(w.lines(t)); got != n {
		t.Errorf("%d lines written, want %d", got, n)
	}
}

func TestLogWriterConcurrent(t *testing.T) {
	w := &countingWriter{}
	l := NewLogWriter(w)
	const goroutines, each = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				l.begin()
				l.end(&LogRecord{CorrelationID: fmt.Sprintf("%d-%d", g, i), Notes: []string{strings.Repeat("n", i)}})
			}
		})
	}
	wg.Wait()
	// Every request ended: every line is written, whole, without a flush.
	lines := w.lines(t)
	if len(lines) != goroutines*each {
		t.Fatalf("%d lines, want %d", len(lines), goroutines*each)
	}
	seen := map[string]bool{}
	for _, line := range lines {
		var m map[string]any
		json.Unmarshal([]byte(line), &m)
		seen[m["CorrelationId"].(string)] = true
	}
	if len(seen) != goroutines*each {
		t.Errorf("%d distinct lines, want %d", len(seen), goroutines*each)
	}
	t.Logf("%d lines in %d writes", len(lines), w.writes)
}

func TestLogWriterWriteIsImmediate(t *testing.T) {
	w := &countingWriter{}
	l := NewLogWriter(w)
	l.begin() // a request in flight does not delay Write
	l.Write(&LogRecord{CorrelationID: "now"})
	if got := len(w.lines(t)); got != 1 {
		t.Fatalf("%d lines after Write, want 1", got)
	}
}

// BenchmarkLogWriter logs the lines of 32 requests in flight on one
// goroutine, as a busy gateway does, and reports the writes per line.
func BenchmarkLogWriter(b *testing.B) {
	var writes int
	l := NewLogWriter(writerFunc(func(p []byte) (int, error) { writes++; return len(p), nil }))
	rec := &LogRecord{TimeGenerated: time.Now(), CorrelationID: "3f0e0c4e-1d5b-4a6e-9d1f-0c6f3c1e2a7b", APIID: "load",
		OperationID: "get-item", Method: "GET", URL: "http://127.0.0.1:8080/load/items/42", ResponseCode: 200, Cache: "none"}
	for range 32 {
		l.begin()
	}
	b.ReportAllocs()
	for b.Loop() {
		l.end(rec)
		l.begin()
	}
	b.ReportMetric(float64(writes)/float64(b.N), "writes/line")
}

func TestAppendTimestampIsTheLayout(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 12, 5, 8, 25, 7, 123456789, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("east", 5*3600)),
		time.Date(1, 1, 1, 0, 0, 0, 99, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		{},
		time.Now(),
	}
	for i := range 1000 {
		times = append(times, time.Unix(int64(i)*7919*86413, int64(i)*104729).In(time.Local))
	}
	for _, tm := range times {
		want := tm.UTC().Format("2006-01-02T15:04:05.0000000Z")
		if got := string(appendTimestamp(nil, tm)); got != want {
			t.Fatalf("appendTimestamp(%v) = %s, want %s", tm, got, want)
		}
	}
}

// BenchmarkAppendJSON encodes a successful request's log line.
func BenchmarkAppendJSON(b *testing.B) {
	rec := &LogRecord{TimeGenerated: time.Now(), CorrelationID: "3f0e0c4e-1d5b-4a6e-9d1f-0c6f3c1e2a7b", APIID: "load", OperationID: "get-item",
		OperationName: "get-item", ProductID: "load", APIMSubscriptionID: "load", Method: "GET", URL: "http://127.0.0.1:8080/load/items/42",
		BackendMethod: "GET", BackendURL: "http://127.0.0.1:8090/load/items/42", ResponseCode: 200, BackendResponseCode: 200,
		ResponseSize: 61, TotalTime: 3 * time.Millisecond, BackendTime: 2 * time.Millisecond, CallerIPAddress: "127.0.0.1",
		ClientProtocol: "HTTP/1.1", BackendProtocol: "HTTP/1.1", Cache: "none"}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = rec.AppendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkTimestamp compares appendTimestamp with time.AppendFormat.
func BenchmarkTimestamp(b *testing.B) {
	tm := time.Now()
	buf := make([]byte, 0, 64)
	b.Run("appendTimestamp", func(b *testing.B) {
		for b.Loop() {
			buf = appendTimestamp(buf[:0], tm)
		}
	})
	b.Run("AppendFormat", func(b *testing.B) {
		for b.Loop() {
			buf = tm.UTC().AppendFormat(buf[:0], "2006-01-02T15:04:05.0000000Z")
		}
	})
}

func TestAppendJSONStringEscapes(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	for _, s := range []string{"", "plain", `a"b\c`, "<script>&</script>", "tab\tnew\nline\r", "\x00\x1f\x7f", "héllo ✓", string(all)} {
		out := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q encodes as %s, not JSON: %v", s, out, err)
		}
		var want string // invalid UTF-8 decodes as encoding/json decodes it
		std, _ := json.Marshal(s)
		json.Unmarshal(std, &want)
		if back != want {
			t.Errorf("%q encodes as %s, which decodes as %q", s, out, back)
		}
		for _, c := range []byte(out[1 : len(out)-1]) {
			if c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f {
				t.Errorf("%q encodes as %s, with byte %#x unescaped", s, out, c)
			}
		}
	}
}

// The trace records and event hub messages on the log line are what
// encoding/json writes for them: the same bytes for plain text, the same
// values for any text.
func TestRecordsEncodeAsEncodingJSON(t *testing.T) {
	for _, text := range []string{"plain", "", `quote " back \ slash`, "<b>&amp;</b>", "tab\tnew\nline\r\x01\x1f", "é ü 漢字"} {
		r := LogRecord{
			TraceRecords: []TraceRecord{{Source: "s", Severity: "information", Message: text, Metadata: metadataOf("z", text, "a", "1", text, "k")},
				{Source: text, Severity: "error", Message: "m"}},
			EventHubMessages: []EventHubMessage{{Logger: "l", Message: text, PartitionKey: text}, {Logger: text, Message: "m", PartitionID: "2"}},
		}
		got := r.appendRecords(nil)
		want, _ := json.Marshal(struct {
			TraceRecords     []TraceRecord
			EventHubMessages []EventHubMessage
		}{r.TraceRecords, r.EventHubMessages})
		var gotV, wantV any
		if err := json.Unmarshal([]byte("{"+string(got[1:])+"}"), &gotV); err != nil {
			t.Fatalf("%q: %s: %v", text, got, err)
		}
		json.Unmarshal(want, &wantV)
		if !reflect.DeepEqual(gotV, wantV) {
			t.Errorf("%q:\n got %s\nwant %s", text, got, want)
		}
		if text == "plain" && "{"+string(got[1:])+"}" != string(want) {
			t.Errorf("plain text:\n got %s\nwant %s", got, want)
		}
	}
}

// metadataOf is the metadata of name-value pairs, as the trace policy
// makes it: sorted by name, the last value of a name kept.
func metadataOf(pairs ...string) Metadata {
	m := map[string]string{}
	for i := 0; i < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	var out Metadata
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, NameValue{k, m[k]})
	}
	return out
}

// A trace message's metadata reach the log line as an object in name
// order; a name given twice keeps its last value, as APIM's dictionary of
// them does.
func TestTraceMetadataOnTheLogLine(t *testing.T) {
	s := newSite(t, map[string]string{
		"apis/test/policy.xml": `<policies><inbound><base/>
  <trace source="t" severity="information"><message>m</message>
    <metadata name="zone" value="first" />
    <metadata name="api" value="@(context.Api.Name)" />
    <metadata name="zone" value="@(&quot;last&quot;)" />
  </trace>
</inbound></policies>`,
	}, Options{})
	if got := s.do(t, "GET", "/test/items", keyHeader, testAllAccessKey); got.status != 200 {
		t.Fatalf("status %d", got.status)
	}
	s.logs.mu.Lock()
	logText := s.logs.b.String()
	s.logs.mu.Unlock()
	if !strings.Contains(logText, `"Metadata":{"api":"test","zone":"last"}`) {
		t.Errorf("log line:\n%s", logText)
	}
}

// The log line's TraceRecords keep the trace messages at or above the
// azuremonitor diagnostic's verbosity, as APIM's resource logs do; the
// note says how many it left out. An API's own diagnostic wins.
func TestTraceRecordsFollowTheAzureMonitorVerbosity(t *testing.T) {
	policy := `<policies><inbound><base/>
  <trace source="t"><message>quiet</message></trace>
  <trace source="t" severity="information"><message>told</message></trace>
  <trace source="t" severity="error"><message>loud</message></trace>
</inbound></policies>`
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // the messages on the log line
		note  string
	}{
		{"no diagnostic", nil, []string{"quiet", "told", "loud"}, ""},
		{"the service's, information", map[string]string{
			"diagnostics/azuremonitor/diagnosticInformation.json": `{"properties":{"verbosity":"information"}}`,
		}, []string{"told", "loud"}, "1 trace message(s) below the azuremonitor diagnostic's verbosity (information) are left out of TraceRecords"},
		{"the service's, error", map[string]string{
			"diagnostics/azuremonitor/diagnosticInformation.json": `{"properties":{"verbosity":"error"}}`,
		}, []string{"loud"}, "2 trace message(s) below the azuremonitor diagnostic's verbosity (error)"},
		{"the API's own, verbose, over the service's", map[string]string{
			"diagnostics/azuremonitor/diagnosticInformation.json":           `{"properties":{"verbosity":"error"}}`,
			"apis/test/diagnostics/azuremonitor/diagnosticInformation.json": `{"properties":{"verbosity":"verbose"}}`,
		}, []string{"quiet", "told", "loud"}, ""},
		{"application insights' does not count", map[string]string{
			"diagnostics/applicationinsights/diagnosticInformation.json": `{"properties":{"verbosity":"error"}}`,
		}, []string{"quiet", "told", "loud"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"apis/test/policy.xml": policy}
			for k, v := range tc.files {
				files[k] = v
			}
			s := newSite(t, files, Options{})
			if got := s.do(t, "GET", "/test/items", keyHeader, testAllAccessKey); got.status != 200 {
				t.Fatalf("status %d", got.status)
			}
			line := s.lastLog(t)
			var got []string
			recs, _ := line["TraceRecords"].([]any)
			for _, r := range recs {
				got = append(got, r.(map[string]any)["Message"].(string))
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("TraceRecords %q, want %q", got, tc.want)
			}
			notes := fmt.Sprint(line["TollgateNotes"])
			if tc.note != "" && !strings.Contains(notes, tc.note) || tc.note == "" && strings.Contains(notes, "azuremonitor") {
				t.Errorf("notes %s, want %q", notes, tc.note)
			}
		})
	}
}
