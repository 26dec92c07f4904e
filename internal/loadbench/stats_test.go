package loadbench

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7, 7, 1, 9, 8}, 7}} {
		in := slices.Clone(c.in)
		if got := Median(in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
		if !slices.Equal(in, c.in) {
			t.Errorf("Median changed its input: %v, was %v", in, c.in)
		}
	}
}

// TestHistogramBuckets checks that every latency lands in a bucket whose
// value is within the promised precision, and that buckets are in order.
func TestHistogramBuckets(t *testing.T) {
	last := -1
	for us := uint64(0); us < 1<<22; us += 1 + us/97 {
		b := bucket(us)
		if b < last {
			t.Fatalf("bucket(%d) = %d comes before bucket %d of a smaller value", us, b, last)
		}
		last = b
		v := bucketValue(b)
		if us >= histLinear && math.Abs(v-float64(us))/float64(us) > 1.0/histSub {
			t.Fatalf("%d µs: bucket %d stands for %.1f µs, more than %.1f%% away", us, b, v, 100.0/histSub)
		}
		if us < histLinear && v != float64(us) {
			t.Fatalf("%d µs: bucket %d stands for %.1f µs, want exact", us, b, v)
		}
	}
	if b := bucket(math.MaxUint64); b != histBuckets-1 {
		t.Errorf("bucket(max) = %d, want the last bucket %d", b, histBuckets-1)
	}
}

func TestHistogramPercentiles(t *testing.T) {
	var h, other Histogram
	if h.Percentile(0.5) != 0 {
		t.Fatal("an empty histogram has no percentiles")
	}
	// 1 ms to 1000 ms, one each, recorded in two histograms and merged.
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Millisecond
		if i%2 == 0 {
			h.Record(d)
		} else {
			other.Record(d)
		}
	}
	h.Merge(&other)
	if h.Count() != 1000 {
		t.Fatalf("count %d after merging, want 1000", h.Count())
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {0, time.Millisecond}, {1, time.Second}} {
		got := h.Percentile(c.q)
		if math.Abs(float64(got-c.want))/float64(c.want) > 1.0/histSub {
			t.Errorf("p%v = %v, want %v within %.1f%%", c.q*100, got, c.want, 100.0/histSub)
		}
	}
	h.Record(-time.Second) // a clock step back counts as 0
	if h.Percentile(0) != 0 {
		t.Errorf("p0 = %v after recording a negative latency, want 0", h.Percentile(0))
	}
}
