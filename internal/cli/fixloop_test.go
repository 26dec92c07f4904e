package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// adminURL finds the admin listener's address in run's output.
func adminURL(t *testing.T, stderr *syncBuffer) string {
	t.Helper()
	re := regexp.MustCompile(`admin endpoints at (http://127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no admin listener in:\n%s", stderr.String())
	return ""
}

// The loop of the troubleshooting guides: a request fails, why explains
// it, the folder is fixed, replay shows the same request succeed and names
// the step that changed.
func TestWhyThenReplayAfterFix(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok "+r.URL.Path)
	}))
	defer backend.Close()
	dir := writeFolder(t, map[string]string{
		"apis/orders/apiInformation.json": `{"properties":{"path":"orders","serviceUrl":"` + backend.URL + `","subscriptionRequired":true,
			"subscriptionKeyParameterNames":{"header":"X-Orders-Key","query":"orders-key"}}}`,
		"apis/orders/specification.yaml":                          "openapi: 3.0.1\ninfo: {title: orders, version: '1'}\npaths:\n  /orders/{id}:\n    get: {operationId: get-order, responses: {'200': {description: OK}}}\n",
		"products/starter/productInformation.json":                `{"properties":{"displayName":"Starter","state":"published","subscriptionRequired":true}}`,
		"products/starter/apis/orders/productApiInformation.json": `{}`,
		"subscriptions/team-a/subscriptionInformation.json":       `{"properties":{"scope":"/products/starter","state":"active","primaryKey":"team-a-primary-key-0123456789","secondaryKey":"team-a-secondary-key-0123456789"}}`,
	})
	base, _, stderr := startRun(t, dir)
	admin := adminURL(t, stderr)

	// The caller sends the key in the default header; the API renamed it.
	req, _ := http.NewRequest("GET", base+"/orders/orders/42", nil)
	req.Header.Set("Ocp-Apim-Subscription-Key", "team-a-primary-key-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("Tollgate-Correlation-Id")
	if resp.StatusCode != 401 || id == "" {
		t.Fatalf("status %d, id %q", resp.StatusCode, id)
	}

	var code int
	var out, errOut string
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, out, errOut = tollgate(t, "why", id[:8], "--server", admin)
		if code != 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // the capture is stored off the request path
	}
	if code != 0 {
		t.Fatalf("why: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"401", "SubscriptionKeyNotFound", "cause:", "X-Orders-Key", "fix:", "docs/troubleshooting.md#401-and-403", "origin    gateway"} {
		if !strings.Contains(out, want) {
			t.Errorf("why output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "team-a-primary-key-0123456789") {
		t.Errorf("why output shows the key:\n%s", out)
	}

	// Fix the folder: the API reads the default header again. The running
	// gateway picks the change up by itself.
	info := filepath.Join(dir, "apis/orders/apiInformation.json")
	fixed := time.Now()
	os.WriteFile(info, []byte(`{"properties":{"path":"orders","serviceUrl":"`+backend.URL+`","subscriptionRequired":true}}`), 0o644)
	for {
		status, _ := get(t, base+"/orders/orders/42", "Ocp-Apim-Subscription-Key", "team-a-primary-key-0123456789")
		if status == 200 {
			break
		}
		if time.Since(fixed) > 2*time.Second {
			t.Fatalf("the edited folder was not served within 2 s (status %d):\n%s", status, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("the edit was served %v after it was written", time.Since(fixed).Round(time.Millisecond))

	code, out, errOut = tollgate(t, "replay", id, "--server", admin)
	if code != 0 {
		t.Fatalf("replay: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"status", "401", "200", "authorization: SubscriptionKeyNotFound", "first difference at step 1", "now succeeds", "subscription team-a's current primary key"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = tollgate(t, "failures", "--server", admin, "--since", "1h")
	if code != 0 || !strings.Contains(out, "SubscriptionKeyNotFound") || !strings.Contains(out, "get-order") {
		t.Errorf("failures: exit %d\n%s", code, out)
	}
}

// A broken edit keeps the last good configuration serving: under load, no
// request fails while the folder is broken, and the refusal is reported.
func TestBrokenEditKeepsServingUnderLoad(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer backend.Close()
	policy := `<policies><inbound><base/><set-header name="X-Step" exists-action="override"><value>@(context.Request.Method)</value></set-header></inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`
	dir := writeFolder(t, map[string]string{
		"apis/a/apiInformation.json": `{"properties":{"path":"a","serviceUrl":"` + backend.URL + `","subscriptionRequired":false}}`,
		"apis/a/specification.yaml":  "openapi: 3.0.1\ninfo: {title: a, version: '1'}\npaths:\n  /x:\n    get: {operationId: x, responses: {'200': {description: OK}}}\n",
		"apis/a/policy.xml":          policy,
	})
	base, _, stderr := startRun(t, dir)

	stop := make(chan struct{})
	type counts struct{ ok, failed int }
	results := make(chan counts)
	for i := 0; i < 4; i++ {
		go func() {
			var c counts
			client := &http.Client{Timeout: 5 * time.Second}
			for {
				select {
				case <-stop:
					results <- c
					return
				default:
				}
				resp, err := client.Get(base + "/a/x")
				if err != nil || resp.StatusCode != 200 {
					c.failed++
				} else {
					c.ok++
				}
				if resp != nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	// An unclosed expression: the folder no longer loads.
	os.WriteFile(filepath.Join(dir, "apis/a/policy.xml"), []byte(strings.Replace(policy, "@(context.Request.Method)", "@(context.Request.Method", 1)), 0o644)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stderr.String(), "still serving the previous configuration") {
		if time.Now().After(deadline) {
			t.Fatalf("the broken edit was not reported:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	var total counts
	for i := 0; i < 4; i++ {
		c := <-results
		total.ok += c.ok
		total.failed += c.failed
	}
	if total.failed != 0 || total.ok == 0 {
		t.Fatalf("%d requests failed, %d succeeded while the folder was broken", total.failed, total.ok)
	}
	if !strings.Contains(stderr.String(), "policy.xml:1:") {
		t.Errorf("the refusal does not give the error's position:\n%s", stderr.String())
	}
	t.Logf("%d requests served, none failed, while the broken edit was refused", total.ok)

	// The console's configuration page says the same.
	_, page := get(t, adminURL(t, stderr)+"/config")
	if !strings.Contains(page, `id="live"`) || !strings.Contains(page, `id="refused"`) || !strings.Contains(page, "policy.xml:1:") {
		t.Errorf("the console does not show the live and refused configurations:\n%s", page)
	}

	// Readiness names the live configuration and the refused one's errors.
	_, ready := get(t, adminURL(t, stderr)+"/ready")
	for _, want := range []string{`"ready":true`, `"hash":"`, `"refused":{`, `policy.xml:1:`} {
		if !strings.Contains(ready, want) {
			t.Errorf("/ready lacks %s:\n%s", want, ready)
		}
	}
}
