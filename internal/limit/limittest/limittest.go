// Package limittest is the conformance suite every limit.Store must pass, so
// that the memory and Redis stores keep identical semantics. It is imported
// only from _test.go files.
package limittest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
)

// Run runs the whole suite; newStore returns a fresh store whose keys do not
// overlap with those of other calls. The suite sleeps for a few seconds in
// total to watch windows and leases end in real time.
func Run(t *testing.T, newStore func(t *testing.T) limit.Store) {
	t.Run("Exactness", func(t *testing.T) { testExactness(t, newStore(t)) })
	t.Run("RemainingAndRetry", func(t *testing.T) { testRemaining(t, newStore(t)) })
	t.Run("Cost", func(t *testing.T) { testCost(t, newStore(t)) })
	t.Run("PeekAdd", func(t *testing.T) { testPeekAdd(t, newStore(t)) })
	t.Run("Renewal", func(t *testing.T) { testRenewal(t, newStore(t)) })
	t.Run("KeysAreIndependent", func(t *testing.T) { testKeys(t, newStore(t)) })
	t.Run("QuotaCalls", func(t *testing.T) { testQuotaCalls(t, newStore(t)) })
	t.Run("QuotaBandwidth", func(t *testing.T) { testQuotaBandwidth(t, newStore(t)) })
	t.Run("QuotaPeriods", func(t *testing.T) { testQuotaPeriods(t, newStore(t)) })
	t.Run("QuotaFirstPeriodStart", func(t *testing.T) { testQuotaAlignment(t, newStore(t)) })
	t.Run("QuotaNeverRenews", func(t *testing.T) { testQuotaNever(t, newStore(t)) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, newStore(t)) })
	t.Run("ConcurrencyExactness", func(t *testing.T) { testConcurrencyExact(t, newStore(t)) })
	t.Run("ConcurrencyLeaseExpiry", func(t *testing.T) { testLeaseExpiry(t, newStore(t)) })
	t.Run("InvalidArguments", func(t *testing.T) { testInvalid(t, newStore(t)) })
}

// Hammer runs workers goroutines that each call Take on key calls times and
// returns how many calls were admitted. It fails the test on any error.
func Hammer(t testing.TB, stores []limit.Store, key string, limitN int64, period time.Duration, workers, calls int) int64 {
	t.Helper()
	var admitted atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			<-start
			for range calls {
				r, err := s.Take(context.Background(), key, limitN, period, 1)
				if err != nil {
					failed.Store(err)
					return
				}
				if r.Allowed {
					admitted.Add(1)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatalf("take: %v", err)
	}
	return admitted.Load()
}

func testExactness(t *testing.T, s limit.Store) {
	got := Hammer(t, []limit.Store{s}, "exact", 100, time.Minute, 64, 5)
	if got != 100 {
		t.Fatalf("64 goroutines × 5 calls against limit 100 admitted %d, want exactly 100", got)
	}
}

// checker fails its test on the error of a store call and returns the value.
type checker struct{ t *testing.T }

func ck(t *testing.T) checker { return checker{t} }

func (c checker) rate(v limit.Rate, err error) limit.Rate {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

func (c checker) quota(v limit.QuotaState, err error) limit.QuotaState {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

func (c checker) lease(v limit.Lease, err error) limit.Lease {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

func testRemaining(t *testing.T, s limit.Store) {
	ctx := context.Background()
	p := 90 * time.Second
	for i := range 5 {
		r := ck(t).rate(s.Take(ctx, "rem", 5, p, 1))
		if !r.Allowed || r.Remaining != int64(4-i) || r.Used != int64(i+1) || r.Limit != 5 {
			t.Fatalf("call %d: %+v, want allowed with %d remaining", i+1, r, 4-i)
		}
		if r.RetryAfter <= p-5*time.Second || r.RetryAfter > p {
			t.Fatalf("call %d: RetryAfter %v, want just under %v", i+1, r.RetryAfter, p)
		}
	}
	r := ck(t).rate(s.Take(ctx, "rem", 5, p, 1))
	if r.Allowed || r.Remaining != 0 || r.Used != 5 {
		t.Fatalf("6th call: %+v, want refused with 0 remaining", r)
	}
	if got := r.RetryAfterSeconds(); got < 85 || got > 90 {
		t.Fatalf("RetryAfterSeconds = %d, want about 90", got)
	}
	if want := fmt.Sprintf("Rate limit is exceeded. Try again in %d seconds.", r.RetryAfterSeconds()); r.Message() != want {
		t.Fatalf("Message = %q, want %q", r.Message(), want)
	}
	// A refused request counts nothing.
	r = ck(t).rate(s.Peek(ctx, "rem", 5, p, 0))
	if r.Used != 5 {
		t.Fatalf("refused calls were counted: used %d", r.Used)
	}
}

func testCost(t *testing.T, s limit.Store) {
	ctx := context.Background()
	steps := []struct {
		cost    int64
		allowed bool
		used    int64
	}{{3, true, 3}, {3, false, 3}, {2, true, 5}, {1, false, 5}, {0, true, 5}}
	for i, st := range steps {
		r := ck(t).rate(s.Take(ctx, "cost", 5, time.Minute, st.cost))
		if r.Allowed != st.allowed || r.Used != st.used {
			t.Fatalf("step %d (cost %d): %+v, want allowed=%v used=%d", i, st.cost, r, st.allowed, st.used)
		}
	}
	r := ck(t).rate(s.Take(ctx, "too-big", 5, time.Minute, 6))
	if r.Allowed || r.RetryAfter != time.Minute {
		t.Fatalf("cost above limit on a fresh key: %+v, want refused with RetryAfter = period", r)
	}
}

func testPeekAdd(t *testing.T, s limit.Store) {
	ctx := context.Background()
	p := time.Minute
	r := ck(t).rate(s.Peek(ctx, "pa", 2, p, 1))
	if !r.Allowed || r.Used != 0 || r.Remaining != 2 || r.RetryAfter != 0 {
		t.Fatalf("peek on a fresh key: %+v", r)
	}
	for range 3 {
		if r := ck(t).rate(s.Peek(ctx, "pa", 2, p, 1)); !r.Allowed {
			t.Fatalf("peek counted: %+v", r)
		}
	}
	r = ck(t).rate(s.Add(ctx, "pa", 2, p, 1))
	if !r.Allowed || r.Used != 1 || r.RetryAfter <= 0 {
		t.Fatalf("add: %+v", r)
	}
	// Add counts even past the limit (requests admitted by Peek).
	ck(t).rate(s.Add(ctx, "pa", 2, p, 1))
	r = ck(t).rate(s.Add(ctx, "pa", 2, p, 1))
	if r.Used != 3 || r.Remaining != 0 {
		t.Fatalf("add past limit: %+v, want used 3", r)
	}
	if r := ck(t).rate(s.Peek(ctx, "pa", 2, p, 1)); r.Allowed {
		t.Fatalf("peek after limit: %+v, want refused", r)
	}
	if r := ck(t).rate(s.Take(ctx, "pa", 2, p, 1)); r.Allowed {
		t.Fatalf("take after limit: %+v, want refused", r)
	}
}

func testRenewal(t *testing.T, s limit.Store) {
	ctx := context.Background()
	p := 400 * time.Millisecond
	first := ck(t).rate(s.Take(ctx, "renew", 2, p, 1))
	ck(t).rate(s.Take(ctx, "renew", 2, p, 1))
	r := ck(t).rate(s.Take(ctx, "renew", 2, p, 1))
	if !first.Allowed || r.Allowed {
		t.Fatalf("first %+v, third %+v", first, r)
	}
	if r.RetryAfter <= 0 || r.RetryAfter > p {
		t.Fatalf("RetryAfter %v, want in (0, %v]", r.RetryAfter, p)
	}
	time.Sleep(r.RetryAfter + 50*time.Millisecond)
	r = ck(t).rate(s.Take(ctx, "renew", 2, p, 1))
	if !r.Allowed || r.Used != 1 {
		t.Fatalf("after the window ended: %+v, want a new window with 1 used", r)
	}
	if r.RetryAfter < p-100*time.Millisecond || r.RetryAfter > p {
		t.Fatalf("new window RetryAfter %v, want about %v (window opens at its first call)", r.RetryAfter, p)
	}
}

func testKeys(t *testing.T, s limit.Store) {
	ctx := context.Background()
	keys := []string{
		limit.SubscriptionKey("product:starter", "sub1", "", ""),
		limit.SubscriptionKey("product:starter", "sub1", "echo", ""),
		limit.SubscriptionKey("product:starter", "sub1", "echo", "get"),
		limit.SubscriptionKey("product:starter", "sub2", "", ""),
		limit.ByKey("10.0.0.1"),
	}
	for _, k := range keys {
		if r := ck(t).rate(s.Take(ctx, k, 1, time.Minute, 1)); !r.Allowed {
			t.Fatalf("first call on %q refused: counters are shared", k)
		}
	}
	for _, k := range keys {
		if r := ck(t).rate(s.Take(ctx, k, 1, time.Minute, 1)); r.Allowed {
			t.Fatalf("second call on %q admitted", k)
		}
	}
	// The rate, quota and concurrency namespaces are separate.
	q := limit.Quota{Calls: 1, Period: time.Hour}
	if st := ck(t).quota(s.TakeQuota(ctx, keys[0], q, 1)); !st.Allowed {
		t.Fatalf("quota on a rate key refused: %+v", st)
	}
}

func testQuotaCalls(t *testing.T, s limit.Store) {
	ctx := context.Background()
	q := limit.Quota{Calls: 3, Period: time.Hour}
	for i := range 3 {
		st := ck(t).quota(s.TakeQuota(ctx, "qc", q, 1))
		if !st.Allowed || st.Calls != int64(i+1) || !st.Renews {
			t.Fatalf("call %d: %+v", i+1, st)
		}
	}
	st := ck(t).quota(s.TakeQuota(ctx, "qc", q, 1))
	if st.Allowed || st.Exceeded != limit.QuotaCallsExceeded || st.Calls != 3 {
		t.Fatalf("4th call: %+v, want refused for calls", st)
	}
	if st.RetryAfter <= 0 || st.RetryAfter > time.Hour {
		t.Fatalf("RetryAfter %v outside the period", st.RetryAfter)
	}
	want := "Out of call volume quota. Quota will be replenished in " + limit.FormatTimeSpan(st.RetryAfter) + "."
	if st.Message() != want {
		t.Fatalf("Message = %q, want %q", st.Message(), want)
	}
	if p := ck(t).quota(s.PeekQuota(ctx, "qc", q)); p.Allowed || p.Calls != 3 {
		t.Fatalf("peek: %+v", p)
	}
}

func testQuotaBandwidth(t *testing.T, s limit.Store) {
	ctx := context.Background()
	q := limit.Quota{Calls: 100, Kilobytes: 2, Period: time.Hour}
	ck(t).quota(s.TakeQuota(ctx, "qb", q, 1))
	st := ck(t).quota(s.AddQuota(ctx, "qb", q, 0, 1500))
	if !st.Allowed || st.Bytes != 1500 || st.Calls != 1 {
		t.Fatalf("add bytes: %+v", st)
	}
	if st := ck(t).quota(s.TakeQuota(ctx, "qb", q, 1)); !st.Allowed {
		t.Fatalf("1500 of 2048 bytes used, call refused: %+v", st)
	}
	ck(t).quota(s.AddQuota(ctx, "qb", q, 0, 548))
	st = ck(t).quota(s.TakeQuota(ctx, "qb", q, 1))
	if st.Allowed || st.Exceeded != limit.QuotaBandwidthExceeded || st.Bytes != 2048 || st.Calls != 2 {
		t.Fatalf("bandwidth used up: %+v, want refused for bandwidth", st)
	}
	if got := st.Message(); got[:len("Out of bandwidth quota. Quota will be replenished in ")] != "Out of bandwidth quota. Quota will be replenished in " {
		t.Fatalf("Message = %q", got)
	}
	// A bandwidth-only quota.
	bw := limit.Quota{Kilobytes: 1, Period: time.Hour}
	for range 10 {
		if st := ck(t).quota(s.TakeQuota(ctx, "bw-only", bw, 1)); !st.Allowed {
			t.Fatalf("bandwidth-only quota refused a call: %+v", st)
		}
	}
}

func testQuotaPeriods(t *testing.T, s limit.Store) {
	ctx := context.Background()
	// Periods of 600ms aligned to a recent anchor; wait for the start of a
	// period with enough room so that the test is not racing its end.
	q := limit.Quota{Calls: 2, Period: 600 * time.Millisecond, FirstPeriodStart: time.Now().Truncate(time.Second)}
	if _, left := limit.QuotaWindow(q, time.Now()); left < 400*time.Millisecond {
		time.Sleep(left + 10*time.Millisecond)
	}
	ck(t).quota(s.TakeQuota(ctx, "qp", q, 1))
	ck(t).quota(s.TakeQuota(ctx, "qp", q, 1))
	st := ck(t).quota(s.TakeQuota(ctx, "qp", q, 1))
	if st.Allowed {
		t.Fatalf("third call in a period of 2: %+v", st)
	}
	time.Sleep(st.RetryAfter + 30*time.Millisecond)
	st = ck(t).quota(s.TakeQuota(ctx, "qp", q, 1))
	if !st.Allowed || st.Calls != 1 {
		t.Fatalf("first call of the next period: %+v, want allowed with 1 call", st)
	}
}

func testQuotaAlignment(t *testing.T, s limit.Store) {
	ctx := context.Background()
	now := time.Now()
	q := limit.Quota{Calls: 10, Period: time.Hour, FirstPeriodStart: now.Add(-25*time.Hour - 20*time.Minute)}
	st := ck(t).quota(s.TakeQuota(ctx, "qa", q, 1))
	want := 40 * time.Minute
	if d := st.RetryAfter - want; d < -5*time.Second || d > 5*time.Second {
		t.Fatalf("RetryAfter %v, want about %v (periods aligned to first-period-start)", st.RetryAfter, want)
	}
	// The default anchor 0001-01-01T00:00:00Z aligns hourly periods to
	// whole hours of UTC.
	q = limit.Quota{Calls: 10, Period: time.Hour}
	st = ck(t).quota(s.TakeQuota(ctx, "qa-default", q, 1))
	now = time.Now().UTC()
	want = now.Truncate(time.Hour).Add(time.Hour).Sub(now)
	if d := st.RetryAfter - want; d < -5*time.Second || d > 5*time.Second {
		t.Fatalf("default anchor: RetryAfter %v, want about %v", st.RetryAfter, want)
	}
}

func testQuotaNever(t *testing.T, s limit.Store) {
	ctx := context.Background()
	q := limit.Quota{Calls: 1}
	ck(t).quota(s.TakeQuota(ctx, "qn", q, 1))
	st := ck(t).quota(s.TakeQuota(ctx, "qn", q, 1))
	if st.Allowed || st.Renews || st.RetryAfter != 0 {
		t.Fatalf("never-renewing quota: %+v", st)
	}
	if st.Message() != "Out of call volume quota." {
		t.Fatalf("Message = %q", st.Message())
	}
}

func testConcurrency(t *testing.T, s limit.Store) {
	ctx := context.Background()
	a := ck(t).lease(s.Acquire(ctx, "cc", 2, time.Minute))
	b := ck(t).lease(s.Acquire(ctx, "cc", 2, time.Minute))
	c := ck(t).lease(s.Acquire(ctx, "cc", 2, time.Minute))
	if !a.Acquired || !b.Acquired || a.Token == b.Token || c.Acquired || c.Active != 2 || c.Token != "" {
		t.Fatalf("acquire ×3 with max 2: %+v %+v %+v", a, b, c)
	}
	if err := s.Release(ctx, "cc", a.Token); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, "cc", a.Token); err != nil {
		t.Fatalf("second release: %v", err)
	}
	if d := ck(t).lease(s.Acquire(ctx, "cc", 2, time.Minute)); !d.Acquired || d.Active != 2 {
		t.Fatalf("acquire after release: %+v", d)
	}
	if err := s.Release(ctx, "cc", "no-such-token"); err != nil {
		t.Fatalf("release of an unknown token: %v", err)
	}
}

func testConcurrencyExact(t *testing.T, s limit.Store) {
	var got atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			l, err := s.Acquire(context.Background(), "cx", 5, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if l.Acquired {
				got.Add(1)
			}
		})
	}
	wg.Wait()
	if got.Load() != 5 {
		t.Fatalf("32 concurrent acquires with max 5 took %d slots", got.Load())
	}
}

func testLeaseExpiry(t *testing.T, s limit.Store) {
	ctx := context.Background()
	a := ck(t).lease(s.Acquire(ctx, "cl", 1, 200*time.Millisecond))
	if b := ck(t).lease(s.Acquire(ctx, "cl", 1, 200*time.Millisecond)); !a.Acquired || b.Acquired {
		t.Fatalf("%+v %+v", a, b)
	}
	time.Sleep(300 * time.Millisecond)
	if c := ck(t).lease(s.Acquire(ctx, "cl", 1, 200*time.Millisecond)); !c.Acquired || c.Active != 1 {
		t.Fatalf("slot of an expired lease was not reclaimed: %+v", c)
	}
}

func testInvalid(t *testing.T, s limit.Store) {
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["period 0"] = s.Take(ctx, "inv", 1, 0, 1)
	_, checks["negative cost"] = s.Take(ctx, "inv", 1, time.Second, -1)
	_, checks["empty quota"] = s.TakeQuota(ctx, "inv", limit.Quota{Period: time.Hour}, 1)
	_, checks["max 0"] = s.Acquire(ctx, "inv", 0, time.Second)
	for name, err := range checks {
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if errors.Is(err, limit.ErrUnavailable) {
			t.Errorf("%s: invalid arguments reported as unavailability: %v", name, err)
		}
	}
}
