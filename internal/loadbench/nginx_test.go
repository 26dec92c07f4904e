package loadbench

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNginx starts nginx with NginxConfig as an ordinary user would (no
// root-owned path) in front of the echo backend: the key map must accept
// Key and refuse anything else with 401, and limit_req must not throttle.
func TestNginx(t *testing.T) {
	nginx := FindNginx()
	if nginx == "" {
		if os.Getenv("TOLLGATE_REQUIRE_LOADTOOLS") != "" {
			t.Fatal("nginx is not installed, and TOLLGATE_REQUIRE_LOADTOOLS is set")
		}
		t.Skip("nginx is not installed; install the Debian package nginx (scripts/test.sh does) to run this test")
	}
	echo := httptest.NewServer(Echo())
	defer echo.Close()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	tlsAddr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, err := WriteCertificate(dir)
	if err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(dir, "nginx")
	args, err := writeNginx(prefix, addr, strings.TrimPrefix(echo.URL, "http://"), tlsAddr, &cert)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(nginx, append([]string{"-t"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	cmd := exec.Command(nginx, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()

	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			t.Fatalf("nginx does not answer: %v\n%s", err, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, c := range []struct {
		key  string
		want int
	}{{Key, 200}, {Key, 200}, {Key, 200}, {WrongKey, 401}, {"", 401}, {Key, 200}} {
		req, _ := http.NewRequest("GET", base+"/load/items/42", nil)
		if c.key != "" {
			req.Header.Set(KeyHeader, c.key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("request %d, key %q: status %d, want %d", i, c.key, resp.StatusCode, c.want)
		}
		if c.want == 200 && resp.Header.Get("X-Echo-Path") != "/load/items/42" {
			t.Errorf("request %d: not answered by the echo backend", i)
		}
	}
	// The same server answers over TLS with the harness's certificate.
	conf, err := clientTLS(cert.CertFile, false)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: conf}}
	req, _ := http.NewRequest("GET", "https://"+tlsAddr+"/load/items/42", nil)
	req.Header.Set(KeyHeader, Key)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("https: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.Header.Get("X-Echo-Path") != "/load/items/42" {
		t.Errorf("https: status %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	// nginx writes a request's access line after it has answered it.
	var b []byte
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, err = os.ReadFile(filepath.Join(prefix, "access.log"))
		if (err == nil && strings.Count(string(b), "/load/items/42") == 7) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || strings.Count(string(b), "/load/items/42") != 7 {
		t.Errorf("access.log: want a line for each of the 7 requests, got %q (%v)", b, err)
	}
}
