package limit_test

import (
	"context"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/limit/limittest"
)

func TestMemoryConformance(t *testing.T) {
	limittest.Run(t, func(*testing.T) limit.Store { return limit.NewMemory() })
}

func TestMemoryExactnessManyRounds(t *testing.T) {
	for i := range 20 {
		s := limit.NewMemory()
		if got := limittest.Hammer(t, []limit.Store{s}, "k", 100, time.Minute, 64, 4); got != 100 {
			t.Fatalf("round %d: admitted %d, want 100", i, got)
		}
	}
}

func TestMemoryWindowRenewal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := limit.NewMemory()
		period := 90 * time.Second
		start := time.Now()
		for range 20 {
			if r, _ := s.Take(ctx, "w", 20, period, 1); !r.Allowed {
				t.Fatalf("call refused inside the limit: %+v", r)
			}
		}
		time.Sleep(30 * time.Second)
		r, _ := s.Take(ctx, "w", 20, period, 1)
		if r.Allowed || r.RetryAfter != 60*time.Second || r.RetryAfterSeconds() != 60 {
			t.Fatalf("30s into the window: %+v, want refused with 60s to go", r)
		}
		if r.Message() != "Rate limit is exceeded. Try again in 60 seconds." {
			t.Fatalf("Message = %q", r.Message())
		}
		time.Sleep(60*time.Second - time.Millisecond)
		if r, _ := s.Take(ctx, "w", 20, period, 1); r.Allowed || r.RetryAfter != time.Millisecond || r.RetryAfterSeconds() != 1 {
			t.Fatalf("1ms before the end: %+v", r)
		}
		time.Sleep(time.Millisecond)
		r, _ = s.Take(ctx, "w", 20, period, 1)
		if !r.Allowed || r.Used != 1 || r.RetryAfter != period {
			t.Fatalf("at the end of the window: %+v, want a fresh window", r)
		}
		if time.Since(start) != period {
			t.Fatalf("fake clock moved %v", time.Since(start))
		}
		// A new window opens at its first call, not at a multiple of the
		// period: after an idle gap the window starts again in full.
		time.Sleep(200 * time.Second)
		r, _ = s.Take(ctx, "w", 20, period, 1)
		if !r.Allowed || r.Used != 1 || r.RetryAfter != period {
			t.Fatalf("after an idle gap: %+v", r)
		}
	})
}

func TestMemoryQuotaPeriods(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := limit.NewMemory()
		// The synctest clock starts at 2000-01-01T00:00:00Z.
		start := time.Now().Add(-30 * time.Minute)
		q := limit.Quota{Calls: 2, Period: time.Hour, FirstPeriodStart: start}
		s.TakeQuota(ctx, "q", q, 1)
		s.TakeQuota(ctx, "q", q, 1)
		st, _ := s.TakeQuota(ctx, "q", q, 1)
		if st.Allowed || st.RetryAfter != 30*time.Minute {
			t.Fatalf("%+v, want refused, 30 minutes to the next period", st)
		}
		if want := "Out of call volume quota. Quota will be replenished in 00:30:00."; st.Message() != want {
			t.Fatalf("Message = %q, want %q", st.Message(), want)
		}
		time.Sleep(30 * time.Minute)
		st, _ = s.TakeQuota(ctx, "q", q, 1)
		if !st.Allowed || st.Calls != 1 || st.RetryAfter != time.Hour {
			t.Fatalf("next period: %+v", st)
		}
		// Bandwidth counted in one period is forgotten in the next.
		bq := limit.Quota{Kilobytes: 1, Period: 24 * time.Hour}
		s.AddQuota(ctx, "b", bq, 1, 4096)
		st, _ = s.TakeQuota(ctx, "b", bq, 1)
		if st.Allowed || st.Exceeded != limit.QuotaBandwidthExceeded {
			t.Fatalf("%+v", st)
		}
		if want := "Out of bandwidth quota. Quota will be replenished in 23:30:00."; st.Message() != want {
			t.Fatalf("Message = %q, want %q", st.Message(), want)
		}
		time.Sleep(st.RetryAfter)
		if st, _ = s.TakeQuota(ctx, "b", bq, 1); !st.Allowed || st.Bytes != 0 {
			t.Fatalf("next day: %+v", st)
		}
	})
}

func TestMemoryLeaseExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := limit.NewMemory()
		a, _ := s.Acquire(ctx, "c", 1, time.Minute)
		time.Sleep(time.Minute - time.Nanosecond)
		if b, _ := s.Acquire(ctx, "c", 1, time.Minute); b.Acquired {
			t.Fatal("slot taken before the lease ended")
		}
		time.Sleep(time.Nanosecond)
		b, _ := s.Acquire(ctx, "c", 1, time.Minute)
		if !a.Acquired || !b.Acquired {
			t.Fatalf("lease did not end: %+v %+v", a, b)
		}
	})
}

func TestMemorySweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := limit.NewMemory()
		for i := range 100000 {
			s.Take(ctx, strconv.Itoa(i), 1, time.Second, 1)
		}
		time.Sleep(2 * time.Second)
		// Sweeping is amortised over later calls; after enough of them no
		// shard may still hold the 100000 expired windows.
		// Enough distinct keys that every shard is used whatever the hash
		// seed; a handful of keys could miss some shards.
		for i := range 200000 {
			s.Take(ctx, "x"+strconv.Itoa(i%2000), 1, time.Hour, 1)
		}
		if n := limit.MemoryEntries(s); n > 2000+100000/4 {
			t.Fatalf("%d entries left after expiry, sweeping does not work", n)
		}
	})
}

func BenchmarkTakeMemory(b *testing.B) {
	s := limit.NewMemory()
	ctx := context.Background()
	key := limit.SubscriptionKey("product:starter", "sub-1", "", "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Take(ctx, key, 1<<62, time.Minute, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTakeMemoryParallel(b *testing.B) {
	s := limit.NewMemory()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Take(ctx, "hot", 1<<62, time.Minute, 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
