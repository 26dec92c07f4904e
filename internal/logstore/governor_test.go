package logstore

import (
	"runtime"
	"testing"
	"time"
)

// fakeProcess is a clock and a run-queue counter the test moves by hand.
type fakeProcess struct {
	now    time.Time
	queued time.Duration
}

func (p *fakeProcess) governor(share float64) *governor {
	g := newGovernor(share, func() (time.Duration, bool) { return p.queued, true })
	g.now = func() time.Time { return p.now }
	g.lastNow, g.sampleNow = p.now, p.now
	return g
}

// run advances the clock by wall while goroutines wait on average waiting
// of them at a time for a core.
func (p *fakeProcess) run(wall time.Duration, waiting float64) {
	p.now = p.now.Add(wall)
	p.queued += time.Duration(float64(wall) * waiting)
}

func TestGovernorStoresEverythingWhenIdle(t *testing.T) {
	p := &fakeProcess{now: time.Unix(1e9, 0)}
	g := p.governor(0.03)
	if n := g.budget(5000, 1<<20, 64<<20); n != 5000 {
		t.Errorf("first wake: budget %d, want all 5000", n)
	}
	// A quarter second where goroutines rarely waited for the core.
	p.run(250*time.Millisecond, 0.2)
	if n := g.budget(5000, 1<<20, 64<<20); n != 5000 || g.holding() {
		t.Errorf("0.2 goroutines waiting: budget %d (holding %v), want all 5000", n, g.holding())
	}
}

func TestGovernorYieldsWhenTheCoreIsBusy(t *testing.T) {
	p := &fakeProcess{now: time.Unix(1e9, 0)}
	g := p.governor(0.04)
	g.budget(0, 0, 64<<20)
	// Storing 100 rows took 2 ms: 20 µs a row.
	g.perRow = 20 * time.Microsecond
	g.spent(100, 2*time.Millisecond)
	// 30 requests queued for the core on average.
	p.run(250*time.Millisecond, 30)
	n := g.budget(100000, 1<<20, 64<<20)
	// 4% of 250 ms is 10 ms: 500 rows of 20 µs.
	if !g.holding() || n != 500 {
		t.Errorf("busy core: budget %d (holding %v), want 500 rows (4%% of 250 ms at 20 µs a row)", n, g.holding())
	}
	// The queue gone: everything again.
	p.run(250*time.Millisecond, 0)
	if n := g.budget(100000, 1<<20, 64<<20); n != 100000 || g.holding() {
		t.Errorf("no queue: budget %d, want everything", n)
	}
}

// TestGovernorStoresNothingOnBusyCoresByDefault: without a share, a busy
// core stores no row until the backlog passes its high mark.
func TestGovernorStoresNothingOnBusyCoresByDefault(t *testing.T) {
	p := &fakeProcess{now: time.Unix(1e9, 0)}
	g := p.governor(0)
	g.budget(0, 0, 64<<20)
	p.run(250*time.Millisecond, 30)
	if n := g.budget(100000, 1<<20, 64<<20); n != 0 || !g.holding() {
		t.Errorf("busy core: budget %d (holding %v), want none", n, g.holding())
	}
	p.run(250*time.Millisecond, 30)
	if n := g.budget(100000, 40<<20, 64<<20); n != 20000 {
		t.Errorf("busy core, backlog of 40 MiB past the high mark of 32: budget %d, want the 20000 rows beyond it", n)
	}
	p.run(250*time.Millisecond, 0)
	if n := g.budget(100000, 1<<20, 64<<20); n != 100000 {
		t.Errorf("idle core: budget %d, want everything", n)
	}
}

// TestGovernorPacesABacklogPastItsHighMark: on a busy core, a backlog past
// half its bound is stored down to the mark, not below: the requests pay for
// the rows as they come, not for a drain of the whole backlog.
func TestGovernorPacesABacklogPastItsHighMark(t *testing.T) {
	p := &fakeProcess{now: time.Unix(1e9, 0)}
	g := p.governor(0.03)
	g.budget(0, 0, 64<<20)
	busy := func(backlog int64) int {
		p.run(250*time.Millisecond, 30)
		return g.budget(100000, backlog, 64<<20)
	}
	share := busy(10 << 20)
	if share == 100000 {
		t.Fatal("busy with a small backlog: stored everything")
	}
	if n := busy(40 << 20); n != 20000 {
		t.Errorf("backlog of 40 MiB past the mark of 32: budget %d, want the 20000 rows beyond it", n)
	}
	if n := busy(20 << 20); n != share {
		t.Errorf("backlog back under the mark: budget %d, want the share's %d", n, share)
	}
	p.run(250*time.Millisecond, 0)
	if n := g.budget(100000, 20<<20, 64<<20); n != 100000 {
		t.Errorf("idle core: budget %d, want everything", n)
	}
}

// TestRunQueueTime checks the runtime's measure against goroutines that
// queue for one core.
func TestRunQueueTime(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	before, ok := runQueueTime()
	if !ok {
		t.Fatal("the runtime has no scheduling latencies")
	}
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			deadline := time.Now().Add(100 * time.Millisecond)
			for time.Now().Before(deadline) {
				for range 10000 {
				}
				time.Sleep(10 * time.Microsecond)
			}
		}()
	}
	for range 8 {
		<-done
	}
	after, _ := runQueueTime()
	// Eight goroutines sharing one core for 100 ms wait about 700 ms in
	// all.
	if got := after - before; got < 100*time.Millisecond {
		t.Errorf("8 goroutines on one core for 100 ms waited %v in all, want several hundred ms", got)
	}
}

// TestGovernorSeesALoadStartAtOnce: after a long idle spell, goroutines
// start queueing for the core. The average since the last wake still says
// idle, but the samples the writer takes as lines arrive say busy, so the
// first full batch is not stored in one burst; once the queue is gone, the
// next sample lets everything be stored again.
func TestGovernorSeesALoadStartAtOnce(t *testing.T) {
	p := &fakeProcess{now: time.Unix(1e9, 0)}
	g := p.governor(0.01)
	p.run(10*time.Second, 0) // idle
	g.observe()
	if g.holding() {
		t.Fatal("holding after an idle spell")
	}
	p.run(20*time.Millisecond, 8) // a load starts
	g.observe()
	if !g.holding() {
		t.Fatal("not holding 20 ms into a load")
	}
	// The wake's average since the last budget (ten idle seconds and the
	// load's first 20 ms) would say idle; the recent sample keeps it busy.
	if n := g.budget(5000, 1<<20, 64<<20); n == 5000 {
		t.Errorf("budget %d at the start of a load, want a share", n)
	}
	p.run(5*time.Millisecond, 8)
	g.observe() // within the sample window: no new sample
	if !g.holding() {
		t.Fatal("a sample within the window changed the verdict")
	}
	p.run(50*time.Millisecond, 0) // the load is gone
	if n := g.budget(5000, 1<<20, 64<<20); n != 5000 || g.holding() {
		t.Errorf("after the load: budget %d (holding %v), want all 5000", n, g.holding())
	}
}
