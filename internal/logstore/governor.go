package logstore

import "time"

// busyThreshold is the average number of goroutines waiting for a core
// above which the writer counts the cores as busy: about a core 60% used
// by independent requests, or any core another process takes from this
// one.
const busyThreshold = 1.0

// A governor decides how many rows the writer stores when it wakes: every
// row waiting while goroutines find a core when they need one, and while
// they have to queue for the cores (requests keep them busy, or other
// processes take them) none, or as many as fit in a share of one core's
// time (BusyShare), so that storing logs does not slow the requests they
// describe; the rest waits for idle time. Past the backlog's high mark
// (half its bound) it stores what is beyond the mark, the rows that came
// since its last wake: a gateway that stays saturated for long pays for its
// log rows as they come, rather than losing them, and no more (a drain of
// the whole backlog at full speed took the core from the requests for tens
// of seconds).
type governor struct {
	share float64
	// queued returns the total time goroutines have waited for a core so
	// far (runQueueTime).
	queued func() (time.Duration, bool)
	now    func() time.Time

	lastNow    time.Time
	lastQueued time.Duration
	// sampleNow and sampleQueued are the last sample of observe; recent is
	// what it concluded: goroutines queued for a core over the last
	// sampleWindow or so.
	sampleNow    time.Time
	sampleQueued time.Duration
	recent       bool
	perRow       time.Duration // moving average of the time a row takes
	busy         bool
	// pastMark is whether the backlog was past its high mark at the last
	// wake: the writer then stores what is beyond the mark while the cores
	// are busy, and must keep up with what comes.
	pastMark bool
	// nearFull is whether it was past three quarters of its bound: the
	// writer is falling behind, and past the bound lines are dropped.
	nearFull bool
}

func newGovernor(share float64, queued func() (time.Duration, bool)) *governor {
	g := &governor{share: share, queued: queued, now: time.Now, perRow: 20 * time.Microsecond}
	g.lastNow = g.now()
	g.lastQueued, _ = queued()
	g.sampleNow, g.sampleQueued = g.lastNow, g.lastQueued
	return g
}

// observe samples the run queue at most once per sampleWindow and notes
// whether goroutines queued for a core since the last sample. The writer
// calls it as lines arrive: a load that starts after an idle spell shows
// within milliseconds, where budget's average since the last wake would
// still count the idle spell, and the first full batch would be stored in
// one burst while requests queue behind it.
func (g *governor) observe() {
	now := g.now()
	elapsed := now.Sub(g.sampleNow)
	if elapsed < sampleWindow {
		return
	}
	queued, ok := g.queued()
	g.recent = ok && float64(queued-g.sampleQueued) > busyThreshold*float64(elapsed)
	g.sampleNow, g.sampleQueued = now, queued
}

// sampleWindow is the least time between two samples of observe.
const sampleWindow = 10 * time.Millisecond

// spent records that storing rows took d.
func (g *governor) spent(rows int, d time.Duration) {
	if rows >= yieldEvery {
		g.perRow = (3*g.perRow + d/time.Duration(rows)) / 4
	}
}

// holding reports whether rows wait for idle time rather than being stored
// as soon as a batch is full.
func (g *governor) holding() bool { return g.busy || g.recent }

// budget returns how many of the waiting rows to store now, given the
// bytes waiting and their bound.
func (g *governor) budget(waiting int, backlog, bound int64) int {
	g.observe()
	now := g.now()
	queued, ok := g.queued()
	elapsed := now.Sub(g.lastNow)
	g.busy = ok && elapsed > 0 &&
		float64(queued-g.lastQueued) > busyThreshold*float64(elapsed)
	g.lastNow, g.lastQueued = now, queued
	if !g.holding() {
		return waiting
	}
	// Past the high mark, the rows beyond it (by the backlog's bytes a row).
	beyond := 0
	mark := bound / 2
	g.nearFull = backlog > bound/4*3
	if g.pastMark = backlog > mark; g.pastMark {
		beyond = int(float64(waiting) * float64(backlog-mark) / float64(backlog))
	}
	if g.share == 0 {
		return beyond
	}
	// The share of the time since the last wake, but of no more than
	// maxBudgetWindow of it: a wake after an idle spell, with a load just
	// started, stores a share of the load's time, not of the idle spell.
	n := int(g.share * float64(min(elapsed, maxBudgetWindow)) / float64(max(g.perRow, time.Microsecond)))
	return min(waiting, max(n, beyond, yieldEvery))
}

// maxBudgetWindow bounds the time budget takes a share of: a little more
// than the writer's default commit delay.
const maxBudgetWindow = 500 * time.Millisecond
