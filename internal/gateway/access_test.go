package gateway

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/authn/authntest"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// site is a gateway serving a folder written by a test, with its log.
type site struct {
	srv  *httptest.Server
	gw   *Gateway
	logs *syncBuffer
}

const (
	productKey = "gold-primary-key-0000000000"
	apiKeyOnly = "api-only-primary-key-000000"
)

// writeFolder writes files to a new folder and returns its path.
func writeFolder(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newSite writes files over a base folder — API "test" at path "test" with
// operations GET/POST /items and GET /items/{id}, product "gold" holding it
// with subscription key productKey, and an API-scoped subscription with key
// apiKeyOnly — and serves it. $BACKEND$ in any file is the loopback backend.
func newSite(t *testing.T, files map[string]string, opts Options) *site {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(backend.Close)
	base := map[string]string{
		"policy.xml":                                          "<policies><inbound/><backend><forward-request/></backend><outbound/><on-error/></policies>",
		"apis/test/apiInformation.json":                       `{"properties":{"path":"test","serviceUrl":"$BACKEND$/api"}}`,
		"apis/test/specification.yaml":                        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /items:\n    get: {operationId: list, responses: {'200': {description: OK}}}\n    post: {operationId: create, responses: {'200': {description: OK}}}\n  /items/{id}:\n    get: {operationId: get, parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {'200': {description: OK}}}\n",
		"products/gold/productInformation.json":               `{"properties":{"displayName":"Gold","subscriptionRequired":true}}`,
		"products/gold/apis/test/productApiInformation.json":  `{}`,
		"subscriptions/gold-sub/subscriptionInformation.json": `{"properties":{"scope":"/products/gold","state":"active","primaryKey":"` + productKey + `"}}`,
		"subscriptions/api-sub/subscriptionInformation.json":  `{"properties":{"scope":"/apis/test","state":"active","primaryKey":"` + apiKeyOnly + `"}}`,
	}
	for k, v := range files {
		if v == "" {
			delete(base, k)
			continue
		}
		base[k] = v
	}
	for k, v := range base {
		base[k] = strings.ReplaceAll(v, "$BACKEND$", backend.URL)
	}
	dir := writeFolder(t, base)
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	diags.Append(pd)
	snap.Policies = pols
	if diags.HasErrors() {
		t.Fatalf("configuration does not load:\n%s", diags)
	}
	s := &site{logs: &syncBuffer{}}
	opts.Log = NewLogWriter(s.logs)
	if opts.AllAccessKey == "" {
		opts.AllAccessKey = testAllAccessKey
	}
	gw, err := New(snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.gw = gw
	s.srv = httptest.NewServer(gw)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) do(t *testing.T, method, path string, headers ...string) response {
	t.Helper()
	req, _ := http.NewRequest(method, s.srv.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

func (s *site) lastLog(t *testing.T) map[string]any {
	t.Helper()
	lines := s.logs.lines()
	if len(lines) == 0 {
		t.Fatal("no log line")
	}
	return lines[len(lines)-1]
}

func TestValidateJWTSeedScenarios(t *testing.T) {
	key := authntest.RSAKey(t, "key-1", "RS256")
	idp := authntest.NewProvider(t, key)
	policy := `<policies><inbound><base/>
  <validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized. Access token is missing or invalid." require-scheme="Bearer">
    <openid-config url="` + idp.URL + `" />
    <audiences><audience>api://orders</audience></audiences>
    <issuers><issuer>` + idp.Issuer() + `</issuer></issuers>
  </validate-jwt>
</inbound></policies>`
	s := newSite(t, map[string]string{"apis/test/policy.xml": policy}, Options{})
	now := time.Now()
	valid := authntest.Sign(t, key, authntest.Claims(idp.Issuer(), "api://orders", now, time.Hour), nil)
	slash := authntest.Sign(t, key, authntest.Claims(idp.Issuer(), "api://orders/", now, time.Hour), nil)
	expired := authntest.Sign(t, key, authntest.Claims(idp.Issuer(), "api://orders", now.Add(-2*time.Hour), time.Hour), nil)
	const denied = `{ "statusCode": 401, "message": "Unauthorized. Access token is missing or invalid." }`
	cases := []struct {
		name    string
		headers []string
		status  int
		reason  string
		cause   string
	}{
		{"valid token", []string{keyHeader, productKey, "Authorization", "Bearer " + valid}, 200, "", ""},
		{"missing token", []string{keyHeader, productKey}, 401, "TokenNotPresent", ""},
		{"audience with a trailing slash", []string{keyHeader, productKey, "Authorization", "Bearer " + slash}, 401, "TokenAudienceNotAllowed", "trailing slash"},
		{"expired token", []string{keyHeader, productKey, "Authorization", "Bearer " + expired}, 401, "TokenExpired", ""},
		{"subscription key sent as the bearer token", []string{keyHeader, productKey, "Authorization", "Bearer " + productKey}, 401, "", "subscription key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := s.do(t, "GET", "/test/items", c.headers...)
			if got.status != c.status {
				t.Fatalf("status %d, want %d: %s", got.status, c.status, got.body)
			}
			line := s.lastLog(t)
			if c.status == 401 {
				if got.body != denied {
					t.Errorf("body %s", got.body)
				}
				if line["LastErrorSource"] != "validate-jwt" {
					t.Errorf("LastErrorSource %v", line["LastErrorSource"])
				}
			}
			if c.reason != "" && line["LastErrorReason"] != c.reason {
				t.Errorf("LastErrorReason %v, want %s (cause %v)", line["LastErrorReason"], c.reason, line["LastErrorCause"])
			}
			if c.cause != "" && !strings.Contains(strings.ToLower(str(line["LastErrorCause"])), c.cause) {
				t.Errorf("LastErrorCause %q lacks %q", line["LastErrorCause"], c.cause)
			}
		})
	}
}

func TestQuotaExhausted(t *testing.T) {
	s := newSite(t, map[string]string{"products/gold/policy.xml": `<policies><inbound><base/><quota calls="3" renewal-period="3600" /></inbound></policies>`}, Options{})
	for i := 0; i < 3; i++ {
		if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 200 {
			t.Fatalf("call %d: %d %s", i+1, got.status, got.body)
		}
	}
	got := s.do(t, "GET", "/test/items", keyHeader, productKey)
	if got.status != 403 || !strings.HasPrefix(got.body, `{ "statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in `) {
		t.Fatalf("got %d %s", got.status, got.body)
	}
	if got.header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	line := s.lastLog(t)
	if line["LastErrorReason"] != "QuotaExceeded" || line["LastErrorScope"] != "product" || !strings.Contains(str(line["LastErrorCause"]), "subscription gold-sub") {
		t.Errorf("log: %v", line)
	}
	// A key without the product context is not counted by the product's quota.
	if got := s.do(t, "GET", "/test/items", keyHeader, apiKeyOnly); got.status != 200 {
		t.Errorf("API-scoped key: %d", got.status)
	}
}

func TestProductRateLimitBelowAPIRateLimitByKey(t *testing.T) {
	s := newSite(t, map[string]string{
		"products/gold/policy.xml": `<policies><inbound><base/><rate-limit calls="2" renewal-period="60" /></inbound></policies>`,
		"apis/test/policy.xml":     `<policies><inbound><base/><rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription.Id)" remaining-calls-header-name="X-Remaining" /></inbound></policies>`,
	}, Options{})
	for i := 0; i < 2; i++ {
		got := s.do(t, "GET", "/test/items", keyHeader, productKey)
		if got.status != 200 {
			t.Fatalf("call %d: %d", i+1, got.status)
		}
		if want := fmt.Sprint(9 - i); got.header.Get("X-Remaining") != want {
			t.Errorf("X-Remaining %q, want %s", got.header.Get("X-Remaining"), want)
		}
	}
	got := s.do(t, "GET", "/test/items", keyHeader, productKey)
	if got.status != 429 || !strings.HasPrefix(got.body, `{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in `) || got.header.Get("Retry-After") == "" {
		t.Fatalf("got %d %s %v", got.status, got.body, got.header)
	}
	line := s.lastLog(t)
	if line["LastErrorSource"] != "rate-limit" || line["LastErrorScope"] != "product" || !strings.Contains(str(line["LastErrorCause"]), "product scope rate-limit allows 2 calls per 60 s") {
		t.Errorf("log does not name the product-scope limit: %v", line)
	}
}

func TestRateLimitExactOnOneNode(t *testing.T) {
	const limitN, clients, each = 50, 16, 8
	s := newSite(t, map[string]string{"apis/test/policy.xml": `<policies><inbound><base/><rate-limit-by-key calls="50" renewal-period="300" counter-key="shared" /></inbound></policies>`}, Options{})
	var admitted, refused atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				resp, err := http.Get(s.srv.URL + "/test/items?subscription-key=" + productKey)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch resp.StatusCode {
				case 200:
					admitted.Add(1)
				case 429:
					refused.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if admitted.Load() != limitN || refused.Load() != clients*each-limitN {
		t.Errorf("admitted %d, refused %d; want exactly %d admitted", admitted.Load(), refused.Load(), limitN)
	}
}

func TestIPFilterOutsideAllowList(t *testing.T) {
	s := newSite(t, map[string]string{"apis/test/policy.xml": `<policies><inbound><base/><ip-filter action="allow"><address>203.0.113.10</address></ip-filter></inbound></policies>`}, Options{})
	got := s.do(t, "GET", "/test/items", keyHeader, productKey, "X-Forwarded-For", "203.0.113.10")
	if got.status != 403 || got.body != `{ "statusCode": 403, "message": "Caller IP address 127.0.0.1 is not allowed. Access denied." }` {
		t.Fatalf("got %d %s", got.status, got.body)
	}
	if c := str(s.lastLog(t)["LastErrorCause"]); !strings.Contains(c, "X-Forwarded-For") {
		t.Errorf("cause does not point at the proxy case: %s", c)
	}
}

// A secret named value never reaches the log line or the trace, even when a
// failing expression quotes the source it was substituted into, nor does
// the caller's key that a trace message's metadata carries.
func TestSecretsNeverLogged(t *testing.T) {
	const secret = "s3cr3t-value-42"
	s := newSite(t, map[string]string{
		"named values/api-secret/namedValueInformation.json": `{"properties":{"displayName":"api-secret","value":"` + secret + `","secret":true}}`,
		"apis/test/policy.xml": `<policies><inbound><base/>
  <trace source="t"><message>@("{{api-secret}}".Length.ToString())</message>
    <metadata name="signature" value="{{api-secret}}" />
    <metadata name="caller" value="@(context.Request.Headers.GetValueOrDefault(&quot;Ocp-Apim-Subscription-Key&quot;, &quot;&quot;))" />
  </trace>
  <set-variable name="n" value="@(int.Parse(&quot;{{api-secret}}&quot;))" />
</inbound></policies>`,
	}, Options{Traces: reqtrace.NewStore(10)})
	got := s.do(t, "GET", "/test/items", keyHeader, testAllAccessKey, "Ocp-Apim-Trace", "true")
	if got.status != 500 {
		t.Fatalf("status %d", got.status)
	}
	s.logs.mu.Lock()
	logText := s.logs.b.String()
	s.logs.mu.Unlock()
	if strings.Contains(logText, secret) || strings.Contains(logText, testAllAccessKey) {
		t.Errorf("the log line reveals a secret:\n%s", logText)
	}
	if !strings.Contains(logText, "ExpressionValueEvaluationFailure") {
		t.Errorf("the log line lacks the failure:\n%s", logText)
	}
	if !strings.Contains(logText, `"Metadata":{"caller":"`) || !strings.Contains(logText, `"signature":"`) {
		t.Errorf("the log line lacks the trace message's metadata:\n%s", logText)
	}
	tr := s.gw.Trace(got.header.Get(CorrelationHeader))
	if tr == nil {
		t.Fatal("no trace")
	}
	b, _ := json.Marshal(tr)
	if strings.Contains(string(b), secret) || strings.Contains(string(b), testAllAccessKey) {
		t.Errorf("the trace reveals a secret:\n%s", b)
	}
}
