package cli

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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
	u, _, _ := startProcessCmd(t, args...)
	return u
}

// startProcessCmd is startProcess, also returning the process and its
// standard error as it arrives.
func startProcessCmd(t *testing.T, args ...string) (string, *exec.Cmd, *syncBuffer) {
	t.Helper()
	if len(args) > 0 && args[0] == "run" {
		// Each process keeps its state in memory and its admin endpoints on
		// a port of its own, unless the test says otherwise.
		args = append([]string{"run", "--data", "none", "--admin", "127.0.0.1:0"}, args[1:]...)
	}
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
	var errOut syncBuffer
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			errOut.Write([]byte(sc.Text() + "\n"))
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case u := <-found:
		return u, cmd, &errOut
	case <-time.After(20 * time.Second):
		t.Fatal("tollgate process did not start")
	}
	return "", nil, nil
}

// A reload that fails keeps the configuration being served; a good one
// replaces it.
func TestReloadOnSIGHUP(t *testing.T) {
	policy := func(body string) string {
		return `<policies><inbound><base/><return-response><set-body>` + body + `</set-body></return-response></inbound></policies>`
	}
	dir := writeFolder(t, map[string]string{
		"apis/a/apiInformation.json": `{"properties":{"path":"a","serviceUrl":"http://127.0.0.1:9","subscriptionRequired":false}}`,
		"apis/a/specification.yaml":  "openapi: 3.0.1\ninfo: {title: a, version: '1'}\npaths:\n  /x:\n    get: {operationId: x, responses: {'200': {description: OK}}}\n",
		"apis/a/policy.xml":          policy("first"),
	})
	url, cmd, errOut := startProcessCmd(t, "run", dir, "--listen", "127.0.0.1:0", "--log-file", os.DevNull)
	reload := func(want string) {
		t.Helper()
		n := strings.Count(errOut.String(), "reload")
		cmd.Process.Signal(syscall.SIGHUP)
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(errOut.String(), "reload") == n && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.Contains(errOut.String()[len(errOut.String())-min(len(errOut.String()), 400):], want) {
			t.Fatalf("after SIGHUP, stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	body := func() string {
		_, b := get(t, url+"/a/x")
		return b
	}
	// A SIGHUP as soon as tollgate says it serves reloads; it must not end
	// the process (the signal's default action).
	reload("reloaded")
	if got := body(); got != "first" {
		t.Fatalf("before reload: %q", got)
	}
	os.WriteFile(filepath.Join(dir, "apis/a/policy.xml"), []byte("<policies><inbound><set-body>"), 0o644)
	reload("still serving the previous configuration")
	if got := body(); got != "first" {
		t.Errorf("a broken configuration replaced the served one: %q", got)
	}
	os.WriteFile(filepath.Join(dir, "apis/a/policy.xml"), []byte(policy("second")), 0o644)
	reload("reloaded")
	if got := body(); got != "second" {
		t.Errorf("after a good reload: %q", got)
	}
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
