package gcfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		live, floor uint64
		want        int
	}{
		{2 << 20, 32 << 20, 850},   // a gateway's small heap: the minimum heap, scaled, reaches 34 MiB
		{0, 32 << 20, 800},         // before the first collection
		{5 << 20, 32 << 20, 640},   // 37 MiB: the growth over the live heap reaches the floor first
		{3 << 20, 32 << 20, 875},   // 35 MiB by the minimum (875% of 4 MiB)
		{32 << 20, 32 << 20, 100},  // from here on Go's default
		{500 << 20, 32 << 20, 100}, // a large cache: left to GOGC
		{1 << 20, 1 << 40, 10000},  // bounded
	} {
		if got := Percent(c.live, c.floor); got != c.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", c.live, c.floor, got, c.want)
		}
	}
}

// TestTunerFollowsTheLiveHeap runs real collections: with a small live
// heap the Tuner raises GOGC so that the goal is the floor above it; with
// a live heap past the floor it sets Go's default again; Stop restores it.
func TestTunerFollowsTheLiveHeap(t *testing.T) {
	t.Setenv("GOGC", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const floor = 64 << 20
	tu := Start(floor)
	if tu == nil {
		t.Fatal("Start returned nil with GOGC unset")
	}
	defer tu.Stop()
	waitFor := func(what string, ok func(p int) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok(tu.Percent()) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: GOGC stayed %d", what, tu.Percent())
			}
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
	}
	if again := Start(floor); again != nil {
		again.Stop()
		t.Error("a second Tuner started while one runs")
	}
	waitFor("small heap", func(p int) bool { return p > 400 })
	if got := debug.SetGCPercent(-1); got != tu.Percent() {
		t.Errorf("the runtime's GOGC is %d, the Tuner says %d", got, tu.Percent())
	}
	debug.SetGCPercent(tu.Percent())
	// The runtime's own goal is the floor above the live heap, and not
	// much more.
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/goal:bytes"}}
	metrics.Read(sample)
	live, goal := sample[0].Value.Uint64(), sample[1].Value.Uint64()
	if goal < live+floor || goal > live+floor+floor/4 {
		t.Errorf("heap goal %d MiB for a live heap of %d MiB, want about %d MiB", goal>>20, live>>20, (live+floor)>>20)
	}

	big := make([][]byte, 0, 128)
	for range 128 {
		big = append(big, make([]byte, 1<<20)) // 128 MiB live, twice the floor
	}
	waitFor("large heap", func(p int) bool { return p == 100 })
	runtime.KeepAlive(big)

	tu.Stop()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after Stop GOGC is %d, want 100", got)
	}
}

func TestStartLeavesAChosenGOGC(t *testing.T) {
	t.Setenv("GOGC", "300")
	if tu := Start(32 << 20); tu != nil {
		tu.Stop()
		t.Error("Start tuned although GOGC is set")
	}
	t.Setenv("GOGC", "")
	if tu := Start(0); tu != nil {
		tu.Stop()
		t.Error("Start tuned with a floor of 0")
	}
}
