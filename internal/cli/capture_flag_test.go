package cli

import (
	"net/http"
	"testing"
	"time"
)

// --capture=false, for measuring what failure capture costs, keeps no
// failed request.
func TestRunCaptureOff(t *testing.T) {
	dir := writeFolder(t, map[string]string{
		"apis/a/apiInformation.json": `{"properties":{"path":"a","serviceUrl":"http://127.0.0.1:1","subscriptionRequired":true}}`,
		"apis/a/specification.yaml":  "openapi: 3.0.1\ninfo: {title: a, version: '1'}\npaths:\n  /x:\n    get: {operationId: x, responses: {'200': {description: OK}}}\n",
	})
	base, _, stderr := startRun(t, dir, "--capture=false")
	admin := adminURL(t, stderr)
	resp, err := http.Get(base + "/a/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("Tollgate-Correlation-Id")
	if resp.StatusCode != 401 || id == "" {
		t.Fatalf("status %d, id %q", resp.StatusCode, id)
	}
	time.Sleep(200 * time.Millisecond) // a capture would be stored by now
	if code, out, errOut := tollgate(t, "why", id, "--server", admin); code == 0 {
		t.Errorf("with --capture=false the failure was captured:\n%s%s", out, errOut)
	}
}
