package loadbench

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// A CPU profile divides by the frame nearest the leaf that names a sink's
// code: the gateway's own samples count for none, a span encoded inside a
// request for the spans, an exporter's post for the posts.
func TestShareOf(t *testing.T) {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
	}
	fns := map[string]*profile.Function{}
	loc := func(names ...string) []*profile.Location { // the leaf first
		var out []*profile.Location
		for _, n := range names {
			f := fns[n]
			if f == nil {
				f = &profile.Function{ID: uint64(len(fns) + 1), Name: n}
				fns[n] = f
				p.Function = append(p.Function, f)
			}
			l := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: f}}}
			p.Location = append(p.Location, l)
			out = append(out, l)
		}
		return out
	}
	add := func(ms int64, names ...string) {
		p.Sample = append(p.Sample, &profile.Sample{Location: loc(names...), Value: []int64{ms / 10, ms * 1e6}})
	}
	add(700, "runtime.memmove", "github.com/tollgate/tollgate/internal/gateway.(*exchange).serve")
	add(100, "runtime.mallocgc", "github.com/tollgate/tollgate/internal/otel.appendSpan", "github.com/tollgate/tollgate/internal/gateway.(*exchange).serve")
	add(50, "syscall.write", "net/http.(*persistConn).writeLoop")
	add(60, "syscall.writev", "github.com/tollgate/tollgate/internal/otel.(*poster).exchange", "github.com/tollgate/tollgate/internal/otel.(*exporter).send")
	add(40, "github.com/twmb/franz-go/pkg/kgo.(*broker).handleReqs")
	add(30, "github.com/tollgate/tollgate/internal/eventhub.(*Sink).Send", "github.com/tollgate/tollgate/internal/gateway.(*exchange).execLogToEventHub")
	add(80, "runtime.gcBgMarkWorker")
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	s, err := ShareOf(&b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != 1060*time.Millisecond {
		t.Errorf("total %v, want 1.06s", s.Total)
	}
	want := []Area{{"OTLP posts", 110 * time.Millisecond}, {"spans and log records", 100 * time.Millisecond}, {"Kafka", 70 * time.Millisecond}}
	if len(s.Areas) != len(want) {
		t.Fatalf("areas %v, want %v", s.Areas, want)
	}
	for i := range want {
		if s.Areas[i] != want[i] {
			t.Errorf("area %d: %v, want %v", i, s.Areas[i], want[i])
		}
	}
	if got := s.Percent(s.Sinks()); got < 26.41 || got > 26.42 {
		t.Errorf("the sinks' share %.3f%%, want 26.415%% (280 ms of 1.06 s)", got)
	}
	if _, err := ShareOf(bytes.NewReader([]byte("not a profile"))); err == nil {
		t.Error("no error for bytes that are not a profile")
	}
}
