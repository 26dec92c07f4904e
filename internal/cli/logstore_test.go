package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/console"
)

// The seed's ErrorCategory query, verbatim (seed 000, "Analyzing Gateway
// Logs with Advanced KQL Queries"), as the console offers it.
const seedErrorCategoryQuery = console.SeedErrorCategory

// A real gateway serves a known mix of failures; the seed's query over its
// state directory, and over its admin listener, counts them exactly.
func TestSeedErrorCategoryQueryOverRealTraffic(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/boom") {
			w.WriteHeader(500)
		}
		io.WriteString(w, "ok")
	}))
	defer backend.Close()
	spec := "openapi: 3.0.1\ninfo: {title: shop, version: '1'}\npaths:\n" +
		"  /items:\n    get: {operationId: list-items, summary: List items, responses: {'200': {description: OK}}}\n" +
		"  /boom:\n    get: {operationId: boom, summary: Boom, responses: {'200': {description: OK}}}\n" +
		"  /secure:\n    get: {operationId: secure, summary: Secure, responses: {'200': {description: OK}}}\n"
	dir := writeFolder(t, map[string]string{
		"apis/shop/apiInformation.json": `{"properties":{"path":"shop","serviceUrl":"` + backend.URL + `","subscriptionRequired":true}}`,
		"apis/shop/specification.yaml":  spec,
		"apis/shop/operations/secure/policy.xml": `<policies><inbound><base/><ip-filter action="allow"><address>10.0.0.1</address></ip-filter></inbound>
<backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`,
		"apis/legacy/apiInformation.json":                     `{"properties":{"path":"legacy","serviceUrl":"` + closedURL(t) + `","subscriptionRequired":false}}`,
		"apis/legacy/specification.yaml":                      "openapi: 3.0.1\ninfo: {title: legacy, version: '1'}\npaths:\n  /get:\n    get: {operationId: legacy-get, summary: Legacy get, responses: {'200': {description: OK}}}\n",
		"products/basic/productInformation.json":              `{"properties":{"displayName":"Basic","state":"published","subscriptionRequired":true}}`,
		"products/basic/apis/shop/productApiInformation.json": `{}`,
		"products/basic/policy.xml":                           `<policies><inbound><base/><rate-limit calls="5" renewal-period="300"/></inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`,
		"subscriptions/s1/subscriptionInformation.json":       `{"properties":{"scope":"/products/basic","state":"active","primaryKey":"s1-primary-key-0123456789abcdef","secondaryKey":"s1-secondary-key-0123456789abcdef"}}`,
	})
	state := t.TempDir()
	base, _, stderr := startRun(t, dir, "--data", state)
	admin := adminURL(t, stderr)
	key := []string{"Ocp-Apim-Subscription-Key", "s1-primary-key-0123456789abcdef"}

	send := func(path string, header []string, want int) string {
		t.Helper()
		status, id := getID(t, base+path, header...)
		if status != want {
			t.Fatalf("GET %s: %d, want %d", path, status, want)
		}
		return id
	}
	send("/shop/items", nil, 401)
	send("/shop/items", nil, 401)
	denied := send("/shop/secure", key, 403)
	send("/shop/boom", key, 500)
	send("/legacy/get", nil, 500)
	send("/legacy/get", nil, 500)
	for i := 0; i < 3; i++ {
		send("/shop/items", key, 200)
	}
	send("/shop/items", key, 429) // the sixth call of the subscription in the window

	want := []string{"Access Denied|Secure|1", "Auth Failure|List items|2", "Backend Error|Boom|1", "Gateway Error|Legacy get|2", "Throttled|List items|1"}
	table := func(args ...string) []string {
		code, out, errOut := tollgate(t, append([]string{"logs", seedErrorCategoryQuery, "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("logs %v: exit %d\n%s%s", args, code, out, errOut)
		}
		var rows []map[string]any
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("logs --format json: %v\n%s", err, out)
		}
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%v|%v|%v", r["ErrorCategory"], r["OperationName"], r["Count"]))
		}
		sort.Strings(got)
		return got
	}
	for _, where := range [][]string{{"--server", admin}, {"--data", state}} {
		var got []string
		deadline := time.Now().Add(10 * time.Second)
		for {
			got = table(where...)
			if strings.Join(got, ";") == strings.Join(want, ";") || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond) // lines are stored in batches, off the request path
		}
		if strings.Join(got, ";") != strings.Join(want, ";") {
			t.Errorf("ErrorCategory through %s:\n got %v\nwant %v", where[0], got, want)
		}
	}

	// why reads the same state directory.
	var code int
	var out string
	for deadline := time.Now().Add(5 * time.Second); ; {
		code, out, _ = tollgate(t, "why", denied, "--data", state)
		if code == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code != 0 || !strings.Contains(out, "CallerIpNotAllowed") || !strings.Contains(out, "operations/secure/policy.xml:1") {
		t.Errorf("why --data: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(state, "logs.db")); err != nil {
		t.Errorf("no log store in the state directory: %v", err)
	}
}

// closedURL is the URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}
