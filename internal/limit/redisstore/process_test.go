package redisstore_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/limit/limittest"
	"github.com/tollgate/tollgate/internal/limit/redisstore"
	"github.com/tollgate/tollgate/internal/testkit"
)

// Environment of the child processes of TestRedisExactnessSeparateProcesses.
const (
	envAddr  = "TOLLGATE_LIMIT_CHILD_ADDR"
	envKey   = "TOLLGATE_LIMIT_CHILD_KEY"
	envStart = "TOLLGATE_LIMIT_CHILD_START"
)

// TestRedisExactnessSeparateProcesses runs two copies of this test binary,
// each with its own store and connection pool, hammering one counter in one
// redis-server at the same moment, and checks the admissions they report add
// up to the limit.
func TestRedisExactnessSeparateProcesses(t *testing.T) {
	if os.Getenv(envAddr) != "" {
		t.Skip("child process")
	}
	srv := testkit.StartRedis(t)
	const limitN = 500
	key := "procs"
	start := time.Now().Add(500 * time.Millisecond).UnixNano()
	outs := make([]bytes.Buffer, 2)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRedisChildProcess$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), envAddr+"="+srv.Addr, envKey+"="+key, envStart+"="+strconv.FormatInt(start, 10))
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		wg.Go(func() { errs[i] = cmd.Run() })
	}
	wg.Wait()
	var total int64
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("child %d: %v\n%s", i, errs[i], outs[i].String())
		}
		n, ok := admittedLine(outs[i].String())
		if !ok {
			t.Fatalf("child %d printed no count:\n%s", i, outs[i].String())
		}
		t.Logf("process %d admitted %d", i, n)
		total += n
	}
	if total != limitN {
		t.Fatalf("two processes admitted %d in total, want exactly %d", total, limitN)
	}
	c := redis.NewClient(redisstore.ClientOptions(srv.Addr, time.Second))
	defer c.Close()
	r, err := redisstore.New(c, redisstore.Options{}).Peek(context.Background(), limit.ByKey(key), limitN, time.Minute, 1)
	if err != nil || r.Used != limitN {
		t.Fatalf("counter in redis: %+v %v", r, err)
	}
}

// admittedLine finds "admitted=N" in a child's output.
func admittedLine(out string) (int64, bool) {
	for line := range strings.SplitSeq(out, "\n") {
		if _, after, ok := strings.Cut(line, "admitted="); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(after), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// TestRedisChildProcess is the body of one child process; it does nothing in
// a normal run.
func TestRedisChildProcess(t *testing.T) {
	addr := os.Getenv(envAddr)
	if addr == "" {
		t.Skip("runs only as a child of TestRedisExactnessSeparateProcesses")
	}
	start, _ := strconv.ParseInt(os.Getenv(envStart), 10, 64)
	c := redis.NewClient(redisstore.ClientOptions(addr, 5*time.Second))
	defer c.Close()
	s := redisstore.New(c, redisstore.Options{Timeout: 5 * time.Second})
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(time.Unix(0, start)))
	n := limittest.Hammer(t, []limit.Store{s}, limit.ByKey(os.Getenv(envKey)), 500, time.Minute, 32, 20)
	fmt.Printf("admitted=%d\n", n)
}
