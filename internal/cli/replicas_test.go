package cli

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/testkit"
)

// TestMain lets a test start this test binary as a tollgate process:
// with TOLLGATE_TEST_MAIN=1 it runs the command line on its arguments.
func TestMain(m *testing.M) {
	if os.Getenv("TOLLGATE_TEST_MAIN") == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// startProcess runs "tollgate ARGS..." as a separate process and returns
// the URL it serves on.
func startProcess(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TOLLGATE_TEST_MAIN=1")
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	re := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(20 * time.Second):
		t.Fatal("tollgate process did not start")
	}
	return ""
}

// Two tollgate processes sharing one real redis-server admit at most 1% more
// than the limit in total.
func TestTwoProcessesShareOneRedis(t *testing.T) {
	redis := testkit.StartRedis(t)
	backend := startEchoBackend(t)
	dir := writeFolder(t, map[string]string{
		"apis/a/apiInformation.json": `{"properties":{"path":"a","serviceUrl":"` + backend + `","subscriptionRequired":false}}`,
		"apis/a/specification.yaml":  "openapi: 3.0.1\ninfo: {title: a, version: '1'}\npaths:\n  /x:\n    get: {operationId: x, responses: {'200': {description: OK}}}\n",
		"apis/a/policy.xml":          `<policies><inbound><base/><rate-limit-by-key calls="200" renewal-period="300" counter-key="@(context.Api.Id)" /></inbound></policies>`,
	})
	urls := []string{
		startProcess(t, "run", dir, "--listen", "127.0.0.1:0", "--redis", "redis://"+redis.Addr, "--log-file", os.DevNull),
		startProcess(t, "run", dir, "--listen", "127.0.0.1:0", "--redis", redis.Addr, "--log-file", os.DevNull),
	}
	const clients, each = 20, 25
	var admitted, refused atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				resp, err := http.Get(urls[(c+i)%2] + "/a/x")
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					admitted.Add(1)
				} else if resp.StatusCode == 429 {
					refused.Add(1)
				}
			}
		}(c)
	}
	wg.Wait()
	t.Logf("two processes, limit 200, %d requests: %d admitted, %d refused", clients*each, admitted.Load(), refused.Load())
	if a := admitted.Load(); a < 200 || a > 202 {
		t.Errorf("admitted %d, want 200 (at most 202)", a)
	}
}

func startEchoBackend(t *testing.T) string {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })}
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
