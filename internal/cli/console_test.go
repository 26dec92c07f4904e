package cli

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// tollgate run serves the console at the admin listener's root, over the
// live configuration and the captured requests.
func TestRunServesTheConsole(t *testing.T) {
	dir := writeFolder(t, map[string]string{
		"apis/echo/apiInformation.json": `{"properties":{"path":"echo","serviceUrl":"http://127.0.0.1:1","subscriptionRequired":true}}`,
		"apis/echo/specification.yaml":  "openapi: 3.0.1\ninfo: {title: echo, version: '1'}\npaths:\n  /items:\n    get: {operationId: list-items, responses: {'200': {description: OK}}}\n",
	})
	base, _, stderr := startRun(t, dir)
	admin := adminURL(t, stderr)
	resp, err := http.Get(base + "/echo/items")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("Tollgate-Correlation-Id")
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(admin + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
		return string(b)
	}
	if body := get("/config/apis/echo/operations/list-items"); !strings.Contains(body, "list-items") {
		t.Errorf("the operation's page:\n%s", body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(get("/requests"), id) {
		if time.Now().After(deadline) {
			t.Fatalf("the captured request %s is not on /requests", id)
		}
		time.Sleep(20 * time.Millisecond) // captures are stored off the request path
	}
	if body := get("/requests/" + id); !strings.Contains(body, "SubscriptionKeyNotFound") {
		t.Errorf("the request's page:\n%s", body)
	}
}
