// Package gcfloor keeps the garbage collector's heap goal above a floor.
//
// Go sets the next collection at the live heap plus GOGC percent of it. A
// gateway's live heap is small (a few megabytes: compiled policies, pooled
// request state), so under load the goal stays near Go's 4 MiB minimum and
// a collection runs every few tens of milliseconds, each one taking a
// quarter of a core while it marks and making the requests it delays the
// slowest. The floor lets the heap grow by at least Floor bytes between
// collections: collections become rarer in proportion, for at most Floor
// more memory. A large live heap (a big cache) is left to GOGC as it is.
//
// After each collection the Tuner reads the live heap and sets GOGC to
// the larger of its base and the percentage that puts the goal Floor
// above the live heap. It does nothing when the GOGC environment variable
// is set: whoever set it has chosen. GOMEMLIMIT still bounds the heap.
package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// DefaultFloor is the floor `tollgate run` uses unless told otherwise.
const DefaultFloor = 32 << 20

// maxPercent bounds the GOGC the Tuner sets, for a live heap of almost
// nothing.
const maxPercent = 10000

// basePercent is Go's default GOGC, the least the Tuner sets.
const basePercent = 100

// A Tuner adjusts GOGC after each collection until Stop.
type Tuner struct {
	floor   uint64
	stopped atomic.Bool
	percent atomic.Int64 // the GOGC last set
	sample  []metrics.Sample
}

// running is set while a Tuner runs: GOGC is the process's, so there is
// one Tuner at a time (a test process runs several gateways).
var running atomic.Bool

// Start begins tuning with the given floor in bytes. It returns nil, and
// changes nothing, when floor is 0 or less, GOGC is set in the environment
// or another Tuner runs.
func Start(floor int64) *Tuner {
	if floor <= 0 || os.Getenv("GOGC") != "" || !running.CompareAndSwap(false, true) {
		return nil
	}
	t := &Tuner{floor: uint64(floor), sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.percent.Store(basePercent)
	t.tune()
	t.arm()
	return t
}

// Stop ends tuning and gives GOGC back its default. A nil Tuner is fine.
func (t *Tuner) Stop() {
	if t == nil || t.stopped.Swap(true) {
		return
	}
	debug.SetGCPercent(basePercent)
	running.Store(false)
}

// Percent returns the GOGC the Tuner set last.
func (t *Tuner) Percent() int { return int(t.percent.Load()) }

// sentinel is an object whose finalizer runs after the collection that
// finds it unreachable: once per cycle, since each run arms a new one. It
// is larger than 16 bytes so that the allocator does not pack it with
// other small objects, which would keep it alive.
type sentinel struct {
	t *Tuner
	_ [24]byte
}

func (t *Tuner) arm() {
	runtime.SetFinalizer(&sentinel{t: t}, func(s *sentinel) {
		if s.t.stopped.Load() {
			return
		}
		s.t.tune()
		s.t.arm()
	})
}

// tune sets GOGC for the live heap the last collection left.
func (t *Tuner) tune() {
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	p := Percent(t.sample[0].Value.Uint64(), t.floor)
	if int64(p) != t.percent.Load() && !t.stopped.Load() {
		t.percent.Store(int64(p))
		debug.SetGCPercent(p)
	}
}

// Percent returns the least GOGC that puts the heap goal at least floor
// bytes above a live heap of live bytes: Go's default, or more for a small
// heap. The runtime's goal is the larger of the live heap plus GOGC
// percent of it and its minimum heap, 4 MiB scaled by GOGC/100 (the GC
// guide, "GOGC"); for a live heap of a few MiB the minimum decides.
func Percent(live, floor uint64) int {
	want := live + floor
	p := ceilDiv(want*100, heapMinimum) // the minimum reaches want
	if live > 0 {
		p = min(p, ceilDiv(floor*100, live)) // the growth over live does
	}
	return int(min(max(p, basePercent), maxPercent))
}

// heapMinimum is the runtime's minimum heap goal at GOGC=100.
const heapMinimum = 4 << 20

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }
