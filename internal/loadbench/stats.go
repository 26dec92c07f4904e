package loadbench

import (
	"math/bits"
	"slices"
	"time"
)

// Histogram counts latencies in buckets of about 3% width (32 buckets per
// power of two above 64 µs, 1 µs wide below), from 0 to beyond an hour,
// in a fixed array: recording is a few instructions and never allocates.
// The zero value is empty and ready to use.
type Histogram struct {
	counts [histBuckets]uint64
	total  uint64
}

const (
	histLinear  = 64 // values below are counted exactly, in µs
	histSub     = 32 // buckets per power of two above histLinear
	histBuckets = histLinear + histSub*36
)

// bucket returns the bucket of a latency of us microseconds.
func bucket(us uint64) int {
	if us < histLinear {
		return int(us)
	}
	shift := bits.Len64(us) - 6 // us>>shift is in [32, 64)
	i := histSub*shift + int(us>>shift)
	return min(i, histBuckets-1)
}

// bucketValue returns the middle of bucket i, in microseconds.
func bucketValue(i int) float64 {
	if i < histLinear {
		return float64(i)
	}
	shift := i/histSub - 1
	low := uint64(i%histSub+histSub) << shift
	return float64(low) + float64(uint64(1)<<shift)/2
}

// Record counts one latency.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucket(uint64(d/time.Microsecond))]++
	h.total++
}

// Merge adds the counts of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
}

// Count returns the number of latencies recorded.
func (h *Histogram) Count() uint64 { return h.total }

// Percentile returns the latency below which a share q (0 to 1) of the
// recorded latencies fall, to the precision of a bucket; 0 when empty.
func (h *Histogram) Percentile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q*float64(h.total) + 0.5)
	rank = max(1, min(rank, h.total))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(bucketValue(i) * float64(time.Microsecond))
		}
	}
	return 0 // unreachable: the counts add up to total
}

// Median returns the median of xs (the mean of the two middle values when
// their number is even); 0 for none. It does not change xs.
func Median(xs []float64) float64 { return Quantile(xs, 0.5) }

// Quantile returns the q-quantile (0 to 1) of xs, interpolated linearly
// between the closest ranks; 0 for none.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}
