package reqtrace

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestJSONStructureAndMasking(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tr := New("abc", start)
	tr.Mask("super-secret-key", "a")
	tr.Add(Entry{Section: Inbound, Source: "api-inspector", Timestamp: start.Add(1500 * time.Microsecond),
		Data: map[string]any{"request": map[string]any{"headers": []map[string]string{{"name": "Ocp-Apim-Subscription-Key", "value": "super-secret-key"}}}}})
	tr.Add(Entry{Section: Backend, Source: "forward-request", Timestamp: start.Add(2 * time.Second), Message: `key "super-secret-key" sent`, Where: "policy.xml:3:5"})
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Contains(s, "super-secret-key") {
		t.Errorf("the trace reveals a masked secret:\n%s", s)
	}
	var doc struct {
		TraceID string `json:"traceId"`
		Entries map[string][]struct {
			Source, Timestamp, Elapsed, Where string
			Data                              any
		} `json:"traceEntries"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.TraceID != "abc" || len(doc.Entries["inbound"]) != 1 || len(doc.Entries["backend"]) != 1 || doc.Entries["outbound"] == nil {
		t.Fatalf("structure: %s", s)
	}
	in := doc.Entries["inbound"][0]
	if in.Timestamp != "2026-01-02T03:04:05.0015000Z" || in.Elapsed != "00:00:00.0015000" {
		t.Errorf("timestamp %q elapsed %q", in.Timestamp, in.Elapsed)
	}
	if doc.Entries["backend"][0].Elapsed != "00:00:02.0000000" || doc.Entries["backend"][0].Where != "policy.xml:3:5" {
		t.Errorf("backend entry: %+v", doc.Entries["backend"][0])
	}
	var text strings.Builder
	tr.WriteText(&text)
	if strings.Contains(text.String(), "super-secret-key") || !strings.Contains(text.String(), "forward-request") {
		t.Errorf("text:\n%s", text.String())
	}
}

func TestStoreEvictsOldest(t *testing.T) {
	s := NewStore(2)
	for _, id := range []string{"a", "b", "c"} {
		s.Put(New(id, time.Now()))
	}
	if s.Get("a") != nil || s.Get("b") == nil || s.Get("c") == nil {
		t.Error("the store did not keep exactly the two newest traces")
	}
}

func TestFormatElapsed(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "00:00:00.0000000", 1234567 * time.Microsecond: "00:00:01.2345670", 3723 * time.Second: "01:02:03.0000000",
	} {
		if got := FormatElapsed(d); got != want {
			t.Errorf("FormatElapsed(%v) = %s, want %s", d, got, want)
		}
	}
}

// BenchmarkAddStep records the steps of a request in a reused trace, as
// failure capture does for every request, with messages formatted only if
// the trace is read.
func BenchmarkAddStep(b *testing.B) {
	t := New("id", time.Now())
	step := &struct{ name string }{"set-header"}
	b.ReportAllocs()
	for b.Loop() {
		t.Reset("id", time.Now())
		for i := range 8 {
			t.AddStep(Entry{Section: Inbound, Source: "set-header"}, "step %d: %v", i, step)
		}
	}
}

func TestAddTimesAnEntry(t *testing.T) {
	start := time.Now()
	tr := New("id", start)
	time.Sleep(2 * time.Millisecond)
	tr.Add(Entry{Source: "a"})
	e := tr.Entries()[0]
	if e.Elapsed < 2*time.Millisecond || e.Elapsed > time.Minute || !e.Timestamp.Equal(start.Add(e.Elapsed)) {
		t.Errorf("elapsed %v, timestamp %v, start %v", e.Elapsed, e.Timestamp, start)
	}
	if d := time.Since(e.Timestamp); d < 0 || d > time.Minute {
		t.Errorf("timestamp %v is not now", e.Timestamp)
	}
	at := start.Add(time.Second)
	tr.Add(Entry{Source: "b", Timestamp: at})
	if e := tr.Entries()[1]; e.Elapsed != time.Second {
		t.Errorf("given a timestamp, elapsed %v, want 1s", e.Elapsed)
	}
}
