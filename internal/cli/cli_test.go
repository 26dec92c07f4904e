package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/demo"
)

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startRun runs "tollgate run ARGS..." until the test ends and returns the
// base URL it serves on and its output.
func startRun(t *testing.T, args ...string) (base string, stdout, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, append([]string{"run", "--listen", "127.0.0.1:0", "--data", "none", "--admin", "127.0.0.1:0"}, args...), stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("tollgate run did not stop")
		}
	})
	re := regexp.MustCompile(`(?:on|demo on) (http://127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stdout, stderr
		}
		select {
		case code := <-done:
			t.Fatalf("tollgate run exited with %d:\n%s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("tollgate run did not start:\n%s", stderr.String())
	return
}

// getResp sends GET url with header (name, value, ...).
func getResp(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// getID sends GET url and returns the status and the request's
// correlation id.
func getID(t *testing.T, url string, header ...string) (status int, id string) {
	t.Helper()
	resp := getResp(t, url, header...)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Tollgate-Correlation-Id")
}

// get sends GET url and returns the status and the body.
func get(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	resp := getResp(t, url, header...)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRunDemo(t *testing.T) {
	base, stdout, stderr := startRun(t)
	banner := stderr.String()
	for _, want := range []string{demo.Key, "curl -i", "all-access key"} {
		if !strings.Contains(banner, want) {
			t.Errorf("the demo banner does not mention %q:\n%s", want, banner)
		}
	}
	key := []string{"Ocp-Apim-Subscription-Key", demo.Key}
	cases := []struct {
		path   string
		header []string
		status int
	}{
		{"/echo/resource", key, 200},
		{"/echo/resource?subscription-key=" + demo.Key + "&param1=x", nil, 200},
		{"/open/hello", nil, 200},
		{"/open/hello?name=tollgate", nil, 200},
		{"/orders/v2/orders/42", key, 200},
		{"/echo/resource?status=500", key, 500},
		{"/echo/resource", nil, 401},
		{"/echo/resource", []string{"Authorization", "Bearer " + demo.Key}, 401},
		{"/orders/v9/orders/42", key, 404},
	}
	for _, c := range cases {
		if status, body := get(t, base+c.path, c.header...); status != c.status {
			t.Errorf("GET %s: status %d, want %d: %s", c.path, status, c.status, body)
		}
	}
	// Every curl line the banner prints must be one of the cases above or
	// answer as its comment says.
	if n := strings.Count(banner, "curl -i"); n < 8 {
		t.Errorf("the banner prints %d curl lines, want at least 8", n)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("%d log lines for %d requests:\n%s", len(lines), len(cases), stdout.String())
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", l)
		}
		if strings.Contains(l, demo.Key) {
			t.Errorf("a log line reveals the demo key: %s", l)
		}
	}
}

// tollgate with no arguments at all serves the demo on its default
// address, as "tollgate run" does. Where another program holds that
// address, it must be run's own error that says so.
func TestNoArgumentsServesTheDemo(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, nil, stdout, stderr) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("tollgate did not stop")
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "tollgate is serving its built-in demo on http://127.0.0.1:8080") {
		select {
		case code := <-done:
			done <- code
			if !strings.Contains(stderr.String(), "127.0.0.1:8080") || !strings.Contains(stderr.String(), "address already in use (another program holds that address: give tollgate another with --listen") {
				t.Fatalf("tollgate with no arguments exited with %d:\n%s", code, stderr)
			}
			t.Logf("127.0.0.1:8080 is taken here; tollgate ran the demo and said so: %s", stderr)
			return
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("tollgate with no arguments did not serve the demo:\n%s", stderr)
		}
	}
	if !strings.Contains(stderr.String(), `"tollgate help" lists every command`) {
		t.Errorf("the demo banner does not say where the commands are:\n%s", stderr)
	}
	if status, body := get(t, "http://127.0.0.1:8080/open/hello"); status != 200 {
		t.Errorf("GET /open/hello: %d %s", status, body)
	}
}

func writeFolder(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunFolderWithLogFile(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "backend saw "+r.URL.Path)
	}))
	defer backend.Close()
	dir := writeFolder(t, map[string]string{
		"apis/hello/apiInformation.json": `{"properties":{"path":"hello","serviceUrl":"` + backend.URL + `/base","subscriptionRequired":false}}`,
		"apis/hello/specification.yaml":  "openapi: 3.0.1\ninfo: {title: hello, version: '1'}\npaths:\n  /world:\n    get:\n      operationId: world\n      responses: {'200': {description: OK}}\n",
	})
	logFile := filepath.Join(t.TempDir(), "gateway.log")
	base, stdout, _ := startRun(t, dir, "--log-file", logFile, "--all-access-key", "my-master-key")
	if status, body := get(t, base+"/hello/world"); status != 200 || body != "backend saw /base/world" {
		t.Fatalf("got %d %q", status, body)
	}
	if status, _ := get(t, base+"/status-0123456789abcdef"); status != 200 {
		t.Errorf("health endpoint: %d", status)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	n := 0
	for sc.Scan() {
		n++
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || rec["ApiId"] != "hello" {
			t.Errorf("log line %q", sc.Text())
		}
	}
	if n != 1 {
		t.Errorf("%d log lines in the log file, want 1", n)
	}
	if stdout.String() != "" {
		t.Errorf("with --log-file, nothing goes to standard output; got %q", stdout.String())
	}
}

func TestCheck(t *testing.T) {
	good := writeFolder(t, map[string]string{
		"apis/a/apiInformation.json": `{"properties":{"path":"a","serviceUrl":"http://127.0.0.1:1"}}`,
	})
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), []string{"check", good}, &out, &errOut); code != 0 {
		t.Errorf("check on a good folder: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	bad := writeFolder(t, map[string]string{
		"apis/a/apiInformation.json":                         "{\"properties\": {\"path\": \"a\",\n  \"serviceUrl\": }}",
		"products/p/productInformation.json":                 `{"properties":{"displayName":"p"}}`,
		"products/p/apis/missing/productApiInformation.json": `{}`,
		"subscriptions/s/subscriptionInformation.json":       `{"properties":{"scope":"/products/nope","state":"active"}}`,
	})
	out.Reset()
	errOut.Reset()
	if code := Main(context.Background(), []string{"check", bad}, &out, &errOut); code != 1 {
		t.Errorf("check on a broken folder: exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	re := regexp.MustCompile(`^\S.*:\d+:\d+: (error|warning): .+`)
	errorsSeen := 0
	for _, l := range lines {
		if !re.MatchString(l) {
			t.Errorf("diagnostic not in path:line:col form: %q", l)
		}
		if strings.Contains(l, ": error: ") {
			errorsSeen++
		}
	}
	if errorsSeen < 3 {
		t.Errorf("check reported %d errors, want every one of the 3 problems:\n%s", errorsSeen, out.String())
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	root := newRoot(io.Discard, io.Discard)
	for _, c := range root.Commands() {
		var out bytes.Buffer
		if code := Main(context.Background(), []string{c.Name(), "--help"}, &out, &out); code != 0 {
			t.Errorf("%s --help: exit %d", c.Name(), code)
		}
		if !strings.Contains(out.String(), "Usage:") {
			t.Errorf("%s --help prints no usage:\n%s", c.Name(), out.String())
		}
	}
	var out bytes.Buffer
	if code := Main(context.Background(), []string{"version"}, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "tollgate ") {
		t.Errorf("version: exit %d, %q", code, out.String())
	}
	if code := Main(context.Background(), []string{"no-such-command"}, &out, &out); code == 0 {
		t.Error("an unknown command exits 0")
	}
}
