package loadbench

import (
	"strings"
	"testing"
	"time"
)

func measurement(v Variant, target string, round int, rps float64, p50, p99 time.Duration) Measurement {
	n := int64(rps * 10)
	return Measurement{Variant: v, Target: target, Round: round, Connections: 32,
		Result: Result{Requests: n, Elapsed: 10 * time.Second, P50: p50, P99: p99}}
}

func TestSummarize(t *testing.T) {
	keep, fail := Variants[0], Variants[3]
	ms := []Measurement{
		// The warm-up: its speed must not count, its statuses must.
		{Variant: keep, Target: "tollgate", Round: 0, Connections: 32,
			Result: Result{Requests: 10, Elapsed: time.Second, Statuses: map[int]int64{200: 9, 429: 1}}},
		measurement(keep, "tollgate", 1, 900, 2*time.Millisecond, 8*time.Millisecond),
		measurement(keep, "bare", 1, 1000, 2*time.Millisecond, 5*time.Millisecond),
		measurement(keep, "bare", 2, 1200, 1*time.Millisecond, 5*time.Millisecond),
		measurement(keep, "tollgate", 2, 1100, 3*time.Millisecond, 9*time.Millisecond),
		measurement(keep, "tollgate", 3, 2000, 1*time.Millisecond, 7*time.Millisecond),
		measurement(keep, "bare", 3, 800, 4*time.Millisecond, 6*time.Millisecond),
		{Variant: fail, Target: "tollgate", Round: 1, Connections: 32,
			Result: Result{Requests: 1000, Elapsed: time.Second, Rejected: 10, WrongKeySent: 10, P50: time.Millisecond, P99: time.Millisecond}},
	}
	rows := Summarize(ms, "bare")
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3: %+v", len(rows), rows)
	}
	tg, bare, failing := rows[0], rows[1], rows[2]
	if tg.Target != "tollgate" || bare.Target != "bare" || failing.Variant != "failing" {
		t.Fatalf("rows out of order: %+v", rows)
	}
	if tg.Rounds != 3 || tg.RPS != 1100 || tg.RPSMin != 900 || tg.RPSMax != 2000 || tg.P50 != 2*time.Millisecond || tg.P99 != 8*time.Millisecond {
		t.Errorf("tollgate row %+v: want the medians of the three rounds, the warm-up left out", tg)
	}
	if bare.RPS != 1000 || tg.RPSRatio != 1.1 || tg.P50Ratio != 1 || tg.P99Ratio != 8.0/5 {
		t.Errorf("ratios %v %v %v against bare %+v", tg.RPSRatio, tg.P50Ratio, tg.P99Ratio, bare)
	}
	// Each round's ratio: 0.9, 0.917 and 2.5 (tollgate's fast third round
	// met a slow bare one): their median is not the ratio of the medians.
	near := func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
	if !near(tg.PairedRPS, 1100.0/1200) || !near(tg.PairedRPSLow, (0.9+1100.0/1200)/2) || !near(tg.PairedRPSHigh, (1100.0/1200+2.5)/2) || !near(tg.PairedP99, 1.6) {
		t.Errorf("paired ratios %v (%v–%v), p99 %v", tg.PairedRPS, tg.PairedRPSLow, tg.PairedRPSHigh, tg.PairedP99)
	}
	if bare.PairedRPS != 1 || bare.PairedP99 != 1 || failing.PairedRPS != 0 {
		t.Errorf("paired: bare %v %v, failing (no baseline) %v", bare.PairedRPS, bare.PairedP99, failing.PairedRPS)
	}
	if tg.CPU != 0 || tg.CPURatio != 0 {
		t.Errorf("CPU %v (ratio %v) with no CPU measured: want unknown", tg.CPU, tg.CPURatio)
	}
	if len(tg.Failures) != 1 || !strings.Contains(tg.Failures[0], "warm-up: 1 responses with status 429") {
		t.Errorf("tollgate failures %q: want the warm-up's 429", tg.Failures)
	}
	if len(bare.Failures) != 0 || len(failing.Failures) != 0 || !Failed(rows) {
		t.Errorf("failures: bare %q, failing %q", bare.Failures, failing.Failures)
	}
	if failing.RPSRatio != 0 || failing.Below400 != 990 || failing.From400 != 10 {
		t.Errorf("failing row %+v: no baseline under that variant, and its classes added up", failing)
	}
}

func TestSummarizeCPU(t *testing.T) {
	keep := Variants[0]
	m := func(target string, round int, requests int64, cpu time.Duration) Measurement {
		return Measurement{Variant: keep, Target: target, Round: round, Connections: 32,
			Result: Result{Requests: requests, Elapsed: time.Second, CPU: cpu, CPUAfter: cpu / 10}}
	}
	rows := Summarize([]Measurement{
		{Variant: keep, Target: "tollgate", Round: 0, Connections: 32, // the warm-up's speed does not count, its memory does
			Result: Result{Requests: 10, Elapsed: time.Second, CPU: time.Second, PeakRSS: 40 << 20}},
		m("tollgate", 1, 1000, 90*time.Millisecond),
		m("tollgate", 2, 2000, 200*time.Millisecond),
		m("tollgate", 3, 1000, 120*time.Millisecond),
		m("bare", 1, 1000, 80*time.Millisecond),
		m("bare", 2, 2000, 100*time.Millisecond),
	}, "bare")
	// bare's median CPU per request is 65µs (80 and 50); the rounds in
	// common give 90/80 and 100/50: their median is 1.5625.
	if tg := rows[0]; tg.CPU != 100*time.Microsecond || tg.CPURatio != 100.0/65 || tg.PeakRSS != 40<<20 {
		t.Errorf("tollgate CPU %v (%.3f× bare), peak RSS %d: want the median 100µs per request, 1.538×, 40 MiB", tg.CPU, tg.CPURatio, tg.PeakRSS)
	}
	if tg := rows[0]; tg.PairedCPU != (90.0/80+100.0/50)/2 {
		t.Errorf("tollgate CPU paired %.4f×, want the median of the rounds' ratios, 1.5625×", tg.PairedCPU)
	}
	if tg := rows[0]; tg.CPUAfter != 10*time.Microsecond {
		t.Errorf("tollgate CPU after the rounds %v per request, want the median 10µs", tg.CPUAfter)
	}
}

func TestWriteTable(t *testing.T) {
	rows := []Row{
		{Variant: "keepalive", Target: "tollgate", Rounds: 5, RPS: 12345.4, RPSMin: 12000, RPSMax: 12600, P50: 2100 * time.Microsecond,
			P99: 12 * time.Millisecond, RPSRatio: 0.8312, P50Ratio: 1.2, P99Ratio: 1.4, Below400: 617000,
			PairedRPS: 0.85, PairedRPSLow: 0.8, PairedRPSHigh: 0.9, PairedP99: 1.3,
			CPU: 81200 * time.Nanosecond, CPURatio: 1.0625, PairedCPU: 1.05, CPUAfter: 20500 * time.Nanosecond, PeakRSS: 23 << 20},
		{Variant: "keepalive", Target: "bare", Rounds: 5, RPS: 14850, RPSMin: 14850, RPSMax: 14850, P50: 1750 * time.Microsecond,
			P99: 8571 * time.Microsecond, RPSRatio: 1, P50Ratio: 1, P99Ratio: 1, Statuses: map[int]int64{401: 3, 200: 5},
			PairedRPS: 1, PairedRPSLow: 1, PairedRPSHigh: 1, PairedP99: 1,
			CPU: 76400 * time.Nanosecond, CPURatio: 1, PairedCPU: 1},
		{Variant: "failing", Target: "nginx", Rounds: 1, RPS: 30000, P50: time.Millisecond, P99: 2 * time.Millisecond,
			Below400: 100, From400: 2, Errors: 1, Failures: []string{"round 1: 1 requests without a response"}},
	}
	var b strings.Builder
	if err := WriteTable(&b, rows, "bare", false); err != nil {
		t.Fatal(err)
	}
	want := `variant    target    req/s  vs bare  spread             paired      p50  vs bare       p99  vs bare  p99 paired  CPU/req  vs bare  CPU paired  after/req  peak RSS  answers                   check
keepalive  tollgate  12345    0.83×     ±2%  0.85× (0.80–0.90)  2.10 ms    1.20×  12.00 ms    1.40×       1.30×  81.2 µs    1.06×       1.05×    20.5 µs  23.0 MiB  <400:617000               ok
keepalive  bare      14850    1.00×     ±0%  1.00× (1.00–1.00)  1.75 ms    1.00×   8.57 ms    1.00×       1.00×  76.4 µs    1.00×       1.00×          0         -  200:5 401:3               ok
failing    nginx     30000        -       -                  -  1.00 ms        -   2.00 ms        -           -        -        -           -          -         -  <400:100 ≥400:2 errors:1  FAIL
failing nginx: round 1: 1 requests without a response
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := WriteTable(&b, rows[:1], "bare", true); err != nil {
		t.Fatal(err)
	}
	wantMD := `| variant | target | req/s | vs bare | spread | paired | p50 | vs bare | p99 | vs bare | p99 paired | CPU/req | vs bare | CPU paired | after/req | peak RSS | answers | check |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|
| keepalive | tollgate | 12345 | 0.83× | ±2% | 0.85× (0.80–0.90) | 2.10 ms | 1.20× | 12.00 ms | 1.40× | 1.30× | 81.2 µs | 1.06× | 1.05× | 20.5 µs | 23.0 MiB | <400:617000 | ok |
`
	if b.String() != wantMD {
		t.Errorf("markdown:\n%s\nwant:\n%s", b.String(), wantMD)
	}
}
