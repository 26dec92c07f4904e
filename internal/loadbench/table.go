package loadbench

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Measurement is one Result with what was measured: the variant, the
// target, the round and the number of connections.
type Measurement struct {
	Variant     Variant
	Target      string
	Round       int
	Connections int
	Result      Result
}

// Row is one line of the table: one target under one variant, over all
// rounds.
type Row struct {
	Variant, Target string
	// Rounds is the number of measurements the row summarises.
	Rounds int
	// RPS is the median requests per second over the rounds; RPSMin and
	// RPSMax the lowest and highest.
	RPS, RPSMin, RPSMax float64
	// P50 and P99 are the medians of the rounds' latency percentiles.
	P50, P99 time.Duration
	// RPSRatio, P50Ratio and P99Ratio relate RPS, P50 and P99 to the
	// baseline's under the same variant; 0 when there is no baseline.
	RPSRatio, P50Ratio, P99Ratio float64
	// PairedRPS and PairedP99 are the medians over the rounds of the
	// round's requests per second and p99 divided by the baseline's in the
	// same round; PairedRPSLow and PairedRPSHigh the quartiles of the
	// former. A round measures every target within seconds, so a host
	// whose speed drifts over minutes moves both sides of a round's ratio
	// alike: the paired ratios are steadier than RPSRatio and P99Ratio,
	// which divide medians taken over the whole run. 0 when there is no
	// baseline or no round in common.
	PairedRPS, PairedRPSLow, PairedRPSHigh, PairedP99 float64
	// CPU is the median of the rounds' CPU time per request of the target
	// (0 when unknown), and CPURatio relates it to the baseline's.
	// PairedCPU is the median over the rounds of the round's CPU time per
	// request divided by the baseline's in the same round.
	CPU                 time.Duration
	CPURatio, PairedCPU float64
	// CPUAfter is the median of the rounds' CPU time per request the
	// target used after the round, until it went quiet (deferred work).
	CPUAfter time.Duration
	// PeakRSS is the largest peak resident set size of the target seen
	// after a round (the warm-up included); 0 when unknown.
	PeakRSS int64
	// Statuses adds up the status codes of the rounds that tell them apart
	// (the Go generator); Below400 and From400 add up the classes of the
	// rounds that do not (wrk).
	Statuses          map[int]int64
	Below400, From400 int64
	// Errors adds up the requests that got no response.
	Errors int64
	// Failures are the CheckStatuses errors of the rounds, the warm-up
	// included, one per failing round ("round 2: ...").
	Failures []string
}

// Summarize reduces measurements to one row per variant and target, in the
// order of their first measurement, with ratios to the target named
// baseline. Round 0 is the warm-up: its statuses are checked, its speed is
// not counted.
func Summarize(ms []Measurement, baseline string) []Row {
	type key struct{ variant, target string }
	var order []key
	groups := map[key][]Measurement{}
	for _, m := range ms {
		k := key{m.Variant.Name, m.Target}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], m)
	}
	rows := make([]Row, 0, len(order))
	index := map[key]int{}
	for _, k := range order {
		g := groups[k]
		row := Row{Variant: k.variant, Target: k.target, Statuses: map[int]int64{}}
		var rps, p50, p99, cpu, after []float64
		for _, m := range g {
			r := m.Result
			if err := CheckStatuses(m.Variant, m.Connections, r); err != nil {
				name := fmt.Sprintf("round %d", m.Round)
				if m.Round == 0 {
					name = "warm-up"
				}
				row.Failures = append(row.Failures, name+": "+err.Error())
			}
			row.PeakRSS = max(row.PeakRSS, r.PeakRSS)
			if m.Round == 0 {
				continue
			}
			row.Rounds++
			rps = append(rps, r.RPS())
			p50 = append(p50, float64(r.P50))
			p99 = append(p99, float64(r.P99))
			if c := r.CPUPerRequest(); c > 0 {
				cpu = append(cpu, float64(c))
				after = append(after, float64(r.CPUAfterPerRequest()))
			}
			if r.Statuses == nil {
				row.Below400 += r.Requests - r.Rejected
				row.From400 += r.Rejected
			}
			for code, n := range r.Statuses {
				row.Statuses[code] += n
			}
			row.Errors += r.Errors
		}
		if len(rps) > 0 {
			row.RPS, row.RPSMin, row.RPSMax = Median(rps), slices.Min(rps), slices.Max(rps)
		}
		row.P50, row.P99 = time.Duration(Median(p50)), time.Duration(Median(p99))
		row.CPU = time.Duration(Median(cpu))
		row.CPUAfter = time.Duration(Median(after))
		index[k] = len(rows)
		rows = append(rows, row)
	}
	for i := range rows {
		b, ok := index[key{rows[i].Variant, baseline}]
		if !ok {
			continue
		}
		base := rows[b]
		baseRounds := map[int]Result{}
		for _, m := range groups[key{rows[i].Variant, baseline}] {
			if m.Round > 0 {
				baseRounds[m.Round] = m.Result
			}
		}
		var rpsRatios, p99Ratios, cpuRatios []float64
		for _, m := range groups[key{rows[i].Variant, rows[i].Target}] {
			if br, ok := baseRounds[m.Round]; ok {
				if r := ratio(m.Result.RPS(), br.RPS()); r > 0 {
					rpsRatios = append(rpsRatios, r)
				}
				if r := ratio(float64(m.Result.P99), float64(br.P99)); r > 0 {
					p99Ratios = append(p99Ratios, r)
				}
				if r := ratio(float64(m.Result.CPUPerRequest()), float64(br.CPUPerRequest())); r > 0 {
					cpuRatios = append(cpuRatios, r)
				}
			}
		}
		rows[i].PairedRPS, rows[i].PairedP99, rows[i].PairedCPU = Median(rpsRatios), Median(p99Ratios), Median(cpuRatios)
		rows[i].PairedRPSLow, rows[i].PairedRPSHigh = Quantile(rpsRatios, 0.25), Quantile(rpsRatios, 0.75)
		rows[i].RPSRatio = ratio(rows[i].RPS, base.RPS)
		rows[i].P50Ratio = ratio(float64(rows[i].P50), float64(base.P50))
		rows[i].P99Ratio = ratio(float64(rows[i].P99), float64(base.P99))
		rows[i].CPURatio = ratio(float64(rows[i].CPU), float64(base.CPU))
	}
	return rows
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Failed reports whether any row has a failing round.
func Failed(rows []Row) bool {
	return slices.ContainsFunc(rows, func(r Row) bool { return len(r.Failures) > 0 })
}

// tableHeader names the columns of the table; baseline fills the ratio
// columns' names.
func tableHeader(baseline string) []string {
	vs := "vs " + baseline
	return []string{"variant", "target", "req/s", vs, "spread", "paired", "p50", vs, "p99", vs, "p99 paired", "CPU/req", vs, "CPU paired", "after/req", "peak RSS", "answers", "check"}
}

func (r Row) cells() []string {
	spread := "-"
	if r.Rounds > 1 && r.RPS > 0 {
		spread = fmt.Sprintf("±%.0f%%", (r.RPSMax-r.RPSMin)/2/r.RPS*100)
	}
	answers := formatAnswers(r.Statuses, r.Below400, r.From400)
	if r.Errors > 0 {
		answers += " errors:" + strconv.FormatInt(r.Errors, 10)
	}
	check := "ok"
	if len(r.Failures) > 0 {
		check = "FAIL"
	}
	after := formatCPU(r.CPUAfter)
	if r.CPU > 0 && r.CPUAfter == 0 {
		after = "0"
	}
	paired := formatRatio(r.PairedRPS)
	if r.Rounds > 2 && r.PairedRPS > 0 {
		paired = fmt.Sprintf("%.2f× (%.2f–%.2f)", r.PairedRPS, r.PairedRPSLow, r.PairedRPSHigh)
	}
	return []string{r.Variant, r.Target, strconv.FormatFloat(r.RPS, 'f', 0, 64), formatRatio(r.RPSRatio), spread, paired,
		formatLatency(r.P50), formatRatio(r.P50Ratio), formatLatency(r.P99), formatRatio(r.P99Ratio), formatRatio(r.PairedP99),
		formatCPU(r.CPU), formatRatio(r.CPURatio), formatRatio(r.PairedCPU), after, formatBytes(r.PeakRSS), answers, check}
}

func formatRatio(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", x)
}

// formatCPU writes a CPU time per request in microseconds; "-" when
// unknown.
func formatCPU(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}

// formatBytes writes a size in MiB; "-" when unknown.
func formatBytes(n int64) string {
	if n <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func formatLatency(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// numeric says which columns hold numbers, aligned to the right.
var numeric = []bool{false, false, true, true, true, true, true, true, true, true, true, true, true, true, true, true, false, false}

// WriteTable writes rows as a table whose columns are aligned with spaces,
// or as a markdown table, with the ratio columns named after baseline.
// Rows with failures are followed by their failures, one per line.
func WriteTable(w io.Writer, rows []Row, baseline string, markdown bool) error {
	lines := [][]string{tableHeader(baseline)}
	for _, r := range rows {
		lines = append(lines, r.cells())
	}
	var b strings.Builder
	if markdown {
		for i, cells := range lines {
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
			if i == 0 {
				for j := range cells {
					if numeric[j] {
						b.WriteString("|---:")
					} else {
						b.WriteString("|---")
					}
				}
				b.WriteString("|\n")
			}
		}
	} else {
		width := make([]int, len(lines[0]))
		for _, cells := range lines {
			for j, c := range cells {
				width[j] = max(width[j], utf8.RuneCountInString(c))
			}
		}
		for _, cells := range lines {
			var line strings.Builder
			for j, c := range cells {
				pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(c))
				if j > 0 {
					line.WriteString("  ")
				}
				if numeric[j] {
					line.WriteString(pad + c)
				} else {
					line.WriteString(c + pad)
				}
			}
			b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
		}
	}
	for _, r := range rows {
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "%s %s: %s\n", r.Variant, r.Target, f)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
