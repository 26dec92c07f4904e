package loadbench

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Result is what one measurement of one target under one variant gave.
type Result struct {
	// Requests is the number of responses received.
	Requests int64 `json:"requests"`
	// Elapsed is how long the load ran.
	Elapsed time.Duration `json:"elapsed"`
	// P50 and P99 are the latency percentiles of the responses.
	P50 time.Duration `json:"p50"`
	P99 time.Duration `json:"p99"`
	// Statuses counts the responses by status code. It is nil when the
	// generator does not tell statuses apart (wrk): then Rejected counts the
	// responses with a status of 400 or more, and the others are below 400.
	Statuses map[int]int64 `json:"statuses,omitempty"`
	// Rejected counts the responses with a status of 400 or more when
	// Statuses is nil.
	Rejected int64 `json:"rejected,omitempty"`
	// WrongKeySent is the number of requests sent with WrongKey.
	WrongKeySent int64 `json:"wrongKeySent"`
	// Errors counts requests that got no response: connection refused or
	// reset, read or write errors, timeouts.
	Errors int64 `json:"errors"`
	// CPU is the CPU time (user and system) the target used during the
	// measurement, its child processes included; 0 when it could not be
	// read.
	CPU time.Duration `json:"cpu,omitempty"`
	// CPUAfter is the CPU time the target used after the measurement
	// until it went quiet: work it deferred (the log store's journal) and
	// still has to do for the requests measured.
	CPUAfter time.Duration `json:"cpuAfter,omitempty"`
	// PeakRSS is the target's peak resident set size since it started, in
	// bytes, read after the measurement; 0 when unknown.
	PeakRSS int64 `json:"peakRSS,omitempty"`
}

// CPUAfterPerRequest returns CPUAfter per response; 0 when unknown.
func (r Result) CPUAfterPerRequest() time.Duration {
	if r.Requests == 0 || r.CPUAfter <= 0 {
		return 0
	}
	return r.CPUAfter / time.Duration(r.Requests)
}

// CPUPerRequest returns the CPU time the target spent per response; 0 when
// unknown.
func (r Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 || r.CPU <= 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Requests)
}

// RPS returns the requests per second of r.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// CheckStatuses returns nil when r holds only the answers variant v asks
// for, and otherwise an error that says what else came back: every response
// must be 200, except that under a variant with FailEvery the requests sent
// with WrongKey must be answered 401 (all of them but the ones still in
// flight when the load stopped: wrk counts a request it has built and not
// sent, so up to two per connection); a request with
// no response at all is a failure too. When r has no Statuses (wrk), the
// same rules apply to its classes: below 400 stands for 200, 400 or more
// for 401. Speed is never checked.
func CheckStatuses(v Variant, connections int, r Result) error {
	var problems []string
	if r.Requests == 0 {
		problems = append(problems, "no responses")
	}
	refused := r.Rejected
	if r.Statuses != nil {
		refused = r.Statuses[401]
		for _, code := range slices.Sorted(maps.Keys(r.Statuses)) {
			if code == 200 || code == 401 && v.FailEvery > 0 {
				continue
			}
			problems = append(problems, fmt.Sprintf("%d responses with status %d", r.Statuses[code], code))
		}
	} else if r.Rejected > 0 && v.FailEvery == 0 {
		problems = append(problems, fmt.Sprintf("%d responses with a status of 400 or more", r.Rejected))
	}
	if v.FailEvery > 0 {
		got, sent := refused, r.WrongKeySent
		switch {
		case got > sent:
			problems = append(problems, fmt.Sprintf("%d requests refused for %d requests with a wrong key: a right key was refused", got, sent))
		case got < sent-2*int64(connections):
			problems = append(problems, fmt.Sprintf("%d requests refused for %d requests with a wrong key: a wrong key was accepted", got, sent))
		}
	}
	if r.Errors > 0 {
		problems = append(problems, fmt.Sprintf("%d requests without a response (connection or socket errors, timeouts)", r.Errors))
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(problems, "; "))
}

// formatAnswers writes status counts as "200:1234 401:12", and the classes
// of results without statuses as "<400:1234 ≥400:12".
func formatAnswers(m map[int]int64, below, from int64) string {
	var b strings.Builder
	if below > 0 || from > 0 {
		b.WriteString("<400:" + strconv.FormatInt(below, 10))
		if from > 0 {
			b.WriteString(" ≥400:" + strconv.FormatInt(from, 10))
		}
	}
	for _, code := range slices.Sorted(maps.Keys(m)) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(code))
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(m[code], 10))
	}
	return b.String()
}
