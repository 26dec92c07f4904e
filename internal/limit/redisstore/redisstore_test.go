package redisstore_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/limit/limittest"
	"github.com/tollgate/tollgate/internal/limit/redisstore"
	"github.com/tollgate/tollgate/internal/testkit"
)

// client returns a go-redis client for addr, closed when the test ends.
func client(t testing.TB, addr string) *redis.Client {
	c := redis.NewClient(redisstore.ClientOptions(addr, 0))
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisConformance(t *testing.T) {
	srv := testkit.StartRedis(t)
	c := client(t, srv.Addr)
	limittest.Run(t, func(t *testing.T) limit.Store {
		return redisstore.New(c, redisstore.Options{Prefix: "test:" + t.Name() + ":"})
	})
}

// TestRedisExactnessTwoProcesses plays two tollgate replicas: two stores with
// separate clients and connection pools hammer one redis-server.
func TestRedisExactnessTwoProcesses(t *testing.T) {
	srv := testkit.StartRedis(t)
	a := redisstore.New(client(t, srv.Addr), redisstore.Options{Timeout: 5 * time.Second})
	b := redisstore.New(client(t, srv.Addr), redisstore.Options{Timeout: 5 * time.Second})
	for _, tc := range []struct {
		limit          int64
		workers, calls int
	}{{100, 64, 4}, {1000, 64, 25}, {1, 64, 2}} {
		key := limit.ByKey("exact-" + time.Now().String())
		got := limittest.Hammer(t, []limit.Store{a, b}, key, tc.limit, time.Minute, tc.workers, tc.calls)
		t.Logf("limit %d, %d goroutines × %d calls over two clients: admitted %d", tc.limit, tc.workers, tc.calls, got)
		if got != tc.limit {
			t.Fatalf("admitted %d, want exactly %d", got, tc.limit)
		}
	}
}

// TestRedisSharedWindow checks that two replicas see one window: the
// window lives in Redis, not in either process.
func TestRedisSharedWindow(t *testing.T) {
	srv := testkit.StartRedis(t)
	a := redisstore.New(client(t, srv.Addr), redisstore.Options{})
	b := redisstore.New(client(t, srv.Addr), redisstore.Options{})
	ctx := context.Background()
	ra, err := a.Take(ctx, "w", 2, 10*time.Second, 1)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	rb, err := b.Take(ctx, "w", 2, 10*time.Second, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rb.Used != 2 || rb.RetryAfter >= ra.RetryAfter || rb.RetryAfter < ra.RetryAfter-time.Second {
		t.Fatalf("replica b did not join replica a's window: a %+v, b %+v", ra, rb)
	}
	if rc, _ := a.Take(ctx, "w", 2, 10*time.Second, 1); rc.Allowed {
		t.Fatalf("third call admitted: %+v", rc)
	}
}

// TestRedisOutageAndRecovery stops redis-server mid-test, checks that every
// operation fails fast with ErrUnavailable, starts it again on the same port
// and checks that the same store works again.
func TestRedisOutageAndRecovery(t *testing.T) {
	srv := testkit.StartRedis(t)
	s := redisstore.New(client(t, srv.Addr), redisstore.Options{})
	ctx := context.Background()
	q := limit.Quota{Calls: 10, Period: time.Hour}
	if _, err := s.Take(ctx, "k", 10, time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	ops := map[string]func() error{
		"take":       func() error { _, err := s.Take(ctx, "k", 10, time.Minute, 1); return err },
		"peek":       func() error { _, err := s.Peek(ctx, "k", 10, time.Minute, 1); return err },
		"add":        func() error { _, err := s.Add(ctx, "k", 10, time.Minute, 1); return err },
		"take quota": func() error { _, err := s.TakeQuota(ctx, "k", q, 1); return err },
		"peek quota": func() error { _, err := s.PeekQuota(ctx, "k", q); return err },
		"add quota":  func() error { _, err := s.AddQuota(ctx, "k", q, 1, 10); return err },
		"acquire":    func() error { _, err := s.Acquire(ctx, "k", 1, time.Second); return err },
		"release":    func() error { return s.Release(ctx, "k", "t") },
		"ping":       func() error { return s.Ping(ctx) },
	}
	for name, op := range ops {
		start := time.Now()
		err := op()
		if !errors.Is(err, limit.ErrUnavailable) {
			t.Errorf("%s with redis down: error %v, want ErrUnavailable", name, err)
		}
		if _, ok := errors.AsType[*limit.UnavailableError](err); !ok {
			t.Errorf("%s: %T is not *limit.UnavailableError", name, err)
		}
		d := time.Since(start)
		if d > time.Second {
			t.Errorf("%s took %v with redis down", name, d)
		}
		t.Logf("%s with redis down failed after %v: %v", name, d.Round(time.Millisecond), err)
	}
	// Enough failures to open go-redis' dial circuit breaker (pool size).
	for range 100 {
		if _, err := s.Take(ctx, "k", 10, time.Minute, 1); !errors.Is(err, limit.ErrUnavailable) {
			t.Fatalf("take with redis down: %v", err)
		}
	}
	srv.Start()
	restarted := time.Now()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := s.Take(ctx, "k", 10, time.Minute, 1)
		if err == nil {
			t.Logf("first successful take %v after the restart", time.Since(restarted).Round(time.Millisecond))
			// The restarted server has no persistence: a new window.
			if !r.Allowed || r.Used != 1 {
				t.Fatalf("after restart: %+v", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("store did not recover after redis came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if l, err := s.Acquire(ctx, "k", 1, time.Second); err != nil || !l.Acquired {
		t.Fatalf("acquire after recovery: %+v %v", l, err)
	}
}

// TestRedisTimeout points a store at a server that accepts connections and
// never answers: operations must give up after the store's timeout.
func TestRedisTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var conns sync.WaitGroup
	var open atomic.Int32
	conns.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			open.Add(1)
			defer c.Close()
		}
	})
	timeout := 150 * time.Millisecond
	s := redisstore.New(client(t, l.Addr().String()), redisstore.Options{Timeout: timeout})
	start := time.Now()
	_, err = s.Take(context.Background(), "k", 1, time.Second, 1)
	d := time.Since(start)
	if !errors.Is(err, limit.ErrUnavailable) {
		t.Fatalf("error %v, want ErrUnavailable", err)
	}
	if d > timeout+200*time.Millisecond {
		t.Fatalf("take on a silent server took %v, want about %v", d, timeout)
	}
	t.Logf("gave up after %v (%d connections): %v", d, open.Load(), err)
	l.Close()
	conns.Wait()
}

func BenchmarkTakeRedis(b *testing.B) {
	srv := testkit.StartRedis(b)
	s := redisstore.New(client(b, srv.Addr), redisstore.Options{})
	ctx := context.Background()
	key := limit.SubscriptionKey("product:starter", "sub-1", "", "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Take(ctx, key, 1<<50, time.Minute, 1); err != nil {
			b.Fatal(err)
		}
	}
}
