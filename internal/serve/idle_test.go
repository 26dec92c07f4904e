package serve

import (
	"net"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestTenThousandIdleConnections opens 10,000 connections that send
// nothing. The server holds at most MaxConnections of them, answers the
// rest, cuts the held ones off after ReadHeaderTimeout, and its memory
// stays bounded by the connections it holds.
func TestTenThousandIdleConnections(t *testing.T) {
	const total, limit = 10000, 1000
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Cur < total+limit+500 {
		rl.Cur = min(rl.Max, total+limit+2000)
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur < total+limit+500 {
			t.Fatalf("this test needs %d open files; the limit is %d (hard %d): %v", total+limit+500, rl.Cur, rl.Max, err)
		}
	}
	s := startServer(t, okHandler, Options{MaxConnections: limit, ReadHeaderTimeout: 2 * time.Second})
	before := memInUse()

	conns := make([]net.Conn, total)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var dialErrs int
	var firstErr error
	next := make(chan int)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := net.DialTimeout("tcp", s.PlainAddr(), 5*time.Second)
				if err != nil {
					mu.Lock()
					dialErrs++
					firstErr = err
					mu.Unlock()
					continue
				}
				conns[i] = c
			}
		}()
	}
	begin := time.Now()
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	if dialErrs > 0 {
		t.Fatalf("%d dials failed; last: %v", dialErrs, firstErr)
	}
	waitFor(t, "every connection accepted or refused", 10*time.Second, func() bool {
		st := s.Stats()
		return st.AcceptedConnections+st.RefusedConnections == total
	})
	dialed := time.Since(begin)
	st := s.Stats()
	grown := memInUse() - before
	t.Logf("dialed %d in %s: %d held, %d refused; memory grew by %.1f MB", total, dialed.Round(time.Millisecond),
		st.OpenConnections, st.RefusedConnections, float64(grown)/(1<<20))
	if st.OpenConnections > limit {
		t.Errorf("%d connections open, more than the limit %d", st.OpenConnections, limit)
	}
	if dialed < 2*time.Second && st.RefusedConnections < total-limit {
		t.Errorf("refused %d, want %d", st.RefusedConnections, total-limit)
	}
	// The memory a held connection costs (goroutine, buffers) is a few
	// tens of KiB; 10,000 client connections of the test itself add some.
	if grown > 96<<20 {
		t.Errorf("memory grew by %d MB with %d connections held", grown>>20, st.OpenConnections)
	}

	// ReadHeaderTimeout cuts the held ones off.
	waitFor(t, "the idle connections cut off", 10*time.Second, func() bool { return s.Stats().OpenConnections == 0 })
	if st := s.Stats(); st.SlowHeaders != st.AcceptedConnections {
		t.Errorf("%d cut off as slow, %d accepted", st.SlowHeaders, st.AcceptedConnections)
	}
}

// memInUse is the heap and stack memory in use after a collection.
func memInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}
