package logstore

import (
	"math"
	"runtime/metrics"
	"time"
)

// schedLatencies is the runtime's histogram of the time goroutines spent
// ready to run before they ran.
const schedLatencies = "/sched/latencies:seconds"

// schedSampling is how many of a goroutine's transitions to running the
// runtime counts one of in schedLatencies (gTrackingPeriod in the
// runtime).
const schedSampling = 8

// runQueueTime returns an estimate of the total time goroutines of this
// process have spent ready to run but waiting for a core, so far. Over an
// interval, its growth divided by the interval is the average number of
// goroutines waiting for a core: above zero, everything the process does
// delays something else it has to do.
//
// It never fails where the runtime has the metric; ok is false otherwise.
func runQueueTime() (time.Duration, bool) {
	sample := []metrics.Sample{{Name: schedLatencies}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return 0, false
	}
	h := sample[0].Value.Float64Histogram()
	var total float64
	for i, n := range h.Counts {
		if n == 0 {
			continue
		}
		lo, hi := h.Buckets[i], h.Buckets[i+1]
		if math.IsInf(lo, -1) {
			lo = 0
		}
		if math.IsInf(hi, 1) {
			hi = lo * 2
		}
		total += float64(n) * (lo + hi) / 2
	}
	return time.Duration(total * schedSampling * float64(time.Second)), true
}
