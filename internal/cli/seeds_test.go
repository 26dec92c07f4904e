package cli

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/gateway"
)

// The scenarios of the five troubleshooting articles in ../shared/seeds,
// each reproduced against a real gateway on loopback serving
// testdata/seeds, and each explained by `tollgate why ID --server`:
//
//	000  How to Troubleshoot Azure API Management (Complete Fix Guide)
//	001  Troubleshooting Common Errors in API Gateway
//	002  Error handling in API Management policies (LastError reference)
//	003  How to troubleshoot CORS error in Azure API Management service
//	004  Troubleshooting 4xx and 5xx errors with Azure APIM services, part 2

// seedEnv is one gateway serving testdata/seeds, its backends, and every
// secret the scenarios send or configure.
type seedEnv struct {
	base, admin    string
	dir            string
	stdout, stderr *syncBuffer
	allAccess      string
	keys           map[string]string // subscription name -> primary key
	signingKey     []byte            // the validate-jwt key, also a secret named value
	secrets        map[string]string // what the secret is -> its value

	mu      sync.Mutex
	outputs []string // every why and failures output, for the secret scan
	ids     []string // every captured request's id
}

func (e *seedEnv) record(ids []string, outputs ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ids = append(e.ids, ids...)
	e.outputs = append(e.outputs, outputs...)
}

// seedBackend answers /…/slow after 5 s (or when the caller gives up),
// 404 for a path ending in "/" (a backend strict about trailing slashes),
// 500 for /orders/orders/fail, and 200 otherwise.
func seedBackend(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/slow/status"):
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		io.WriteString(w, "late")
	case strings.HasSuffix(r.URL.Path, "/"):
		http.NotFound(w, r)
	case r.URL.Path == "/orders/orders/fail":
		w.WriteHeader(500)
		io.WriteString(w, `{"error":"NullReferenceException in OrdersController.Get"}`)
	default:
		io.WriteString(w, "ok "+r.URL.Path)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// startSeeds serves testdata/seeds with every backend the scenarios need.
func startSeeds(t *testing.T) *seedEnv {
	t.Helper()
	plain := httptest.NewServer(http.HandlerFunc(seedBackend))
	t.Cleanup(plain.Close)
	tlsBackend := httptest.NewTLSServer(http.HandlerFunc(seedBackend))
	t.Cleanup(tlsBackend.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() // nothing listens here once closed
	ln.Close()

	e := &seedEnv{keys: map[string]string{}, secrets: map[string]string{}, allAccess: randomHex(16)}
	e.signingKey = make([]byte, 32)
	rand.Read(e.signingKey)
	e.secrets["all-access key"] = e.allAccess
	e.secrets["backend-password named value"] = "pw-" + randomHex(12)
	e.secrets["backend-token named value"] = "tok-" + randomHex(12)
	e.secrets["jwt-signing-key named value"] = base64.StdEncoding.EncodeToString(e.signingKey)

	var values strings.Builder
	values.WriteString("namedValues:\n")
	for _, nv := range []string{"backend-password", "backend-token", "jwt-signing-key"} {
		fmt.Fprintf(&values, "  - name: %s\n    properties:\n      value: %q\n", nv, e.secrets[nv+" named value"])
	}
	values.WriteString("subscriptions:\n")
	for _, s := range []string{"orders-app", "paused-app", "partner-app", "starter-app", "starter-web", "trial-app", "reports-app"} {
		e.keys[s] = randomHex(16) // 32 hexadecimal digits, as APIM's keys
		e.secrets["primary key of "+s] = e.keys[s]
		secondary := randomHex(16)
		e.secrets["secondary key of "+s] = secondary
		fmt.Fprintf(&values, "  - name: %s\n    properties:\n      primaryKey: %q\n      secondaryKey: %q\n", s, e.keys[s], secondary)
	}
	valuesFile := filepath.Join(t.TempDir(), "configuration.test.yaml")
	if err := os.WriteFile(valuesFile, []byte(values.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	e.dir = copySeeds(t, map[string]string{
		"$BACKEND$":    plain.URL,
		"$DOWN$":       down,
		"$DNS$":        "http://orders.backend.invalid",
		"$TLS$":        tlsBackend.URL,
		"$PLAINHTTPS$": strings.Replace(plain.URL, "http://", "https://", 1),
		"$SLOW$":       plain.URL + "/slow",
		"$ABORT$":      plain.URL + "/slow",
	})
	e.base, e.stdout, e.stderr = startRun(t, e.dir, "--values", valuesFile, "--all-access-key", e.allAccess)
	m := regexp.MustCompile(`admin endpoints at (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(e.stderr.String())
	if m == nil {
		t.Fatalf("no admin endpoints in the start-up message:\n%s", e.stderr.String())
	}
	e.admin = m[1]
	return e
}

// copySeeds copies testdata/seeds into a temporary folder, replacing the
// placeholders in every file.
func copySeeds(t *testing.T, repl map[string]string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", "seeds")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(b)
		for k, v := range repl {
			s = strings.ReplaceAll(s, k, v)
		}
		return os.WriteFile(target, []byte(s), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// lineOf returns "file:N", N the first line of testdata/seeds/file that
// contains marker.
func lineOf(t *testing.T, file, marker string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "seeds", filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.Contains(sc.Text(), marker) {
			return fmt.Sprintf("%s:%d", file, n)
		}
	}
	t.Fatalf("%s has no line with %q", file, marker)
	return ""
}

// send makes one request and returns its status, correlation id and body.
func (e *seedEnv) send(t *testing.T, method, path string, header ...string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get(gateway.CorrelationHeader), string(b)
}

// why runs `tollgate why ID --server` and `--json` until the capture is
// there (it is stored after the response is sent).
func (e *seedEnv) why(t *testing.T, id string) (string, map[string]any) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, out, errOut := tollgate(t, "why", id, "--server", e.admin)
		if code == 0 {
			code, js, errOut := tollgate(t, "why", id, "--server", e.admin, "--json")
			if code != 0 {
				t.Fatalf("why --json %s: exit %d: %s", id, code, errOut)
			}
			var x map[string]any
			if err := json.Unmarshal([]byte(js), &x); err != nil {
				t.Fatalf("why --json is not one JSON object: %v\n%s", err, js)
			}
			e.record([]string{id}, out, js)
			return out, x
		}
		if code != 1 || time.Now().After(deadline) {
			t.Fatalf("why %s: exit %d: %s", id, code, errOut)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// line returns the text after "label:" in a why output.
func whyLine(out, label string) string {
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, label+":"); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// seedScenario is one scenario of a seed article.
type seedScenario struct {
	name string
	// seed names the article and its section.
	seed string
	// do sends the requests of the scenario and returns the id of the one
	// to explain and the status it got.
	do     func(t *testing.T, e *seedEnv) (status int, id string)
	status int
	// captured is why the request was kept (capture.Failed by default).
	captured string
	reason   string   // LastError reason, "" when none
	cause    []string // words the cause names
	fix      []string // words the fix names
	// at are "file:marker" pairs: the why output names file:line of the
	// line holding marker.
	at     []string
	origin string
	note   string // words of the status note, when tollgate's status differs from a seed's
	// also are words anywhere in the output.
	also []string
}

func (e *seedEnv) key(name string) []string {
	return []string{"Ocp-Apim-Subscription-Key", e.keys[name]}
}

// request returns a do function sending one request.
func request(method, path string, header func(e *seedEnv) []string) func(*testing.T, *seedEnv) (int, string) {
	return func(t *testing.T, e *seedEnv) (int, string) {
		var h []string
		if header != nil {
			h = header(e)
		}
		status, id, _ := e.send(t, method, path, h...)
		return status, id
	}
}

func keyOf(name string) func(e *seedEnv) []string {
	return func(e *seedEnv) []string { return e.key(name) }
}

// jwt signs an HS256 token with the policy's symmetric key.
func (e *seedEnv) jwt(claims map[string]any) string {
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	c, _ := json.Marshal(claims)
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	mac := hmac.New(sha256.New, e.signingKey)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

func (e *seedEnv) bearer(t *testing.T, token string) []string {
	e.mu.Lock()
	e.secrets[fmt.Sprintf("bearer token %d", len(e.secrets))] = token
	e.mu.Unlock()
	return []string{"Authorization", "Bearer " + token}
}

var seedScenarios = []seedScenario{
	// 000 §2 Cause A, 001 §1: a key-protected API called without a key.
	{
		name: "401 missing key", seed: "000 §2 Cause A; 001 §1",
		do:     request("GET", "/api/v1/orders", nil),
		status: 401, reason: "SubscriptionKeyNotFound",
		cause: []string{"API orders requires a subscription key", "Ocp-Apim-Subscription-Key"},
		fix:   []string{"send a subscription key in the Ocp-Apim-Subscription-Key header", `"subscriptionRequired": false`, "apis/orders/apiInformation.json"},
	},
	// 000 Quick Fix, Pro Tip: the key sent as Authorization: Bearer.
	{
		name: "401 key sent as bearer", seed: "000 The Quick Fix, Pro Tip",
		do: request("GET", "/api/v1/orders", func(e *seedEnv) []string {
			return []string{"Authorization", "Bearer " + e.keys["orders-app"]}
		}),
		status: 401, reason: "SubscriptionKeyNotFound",
		cause: []string{"the Authorization header carries a subscription key"},
		fix:   []string{"Ocp-Apim-Subscription-Key header", "not as Authorization: Bearer"},
	},
	// 000 FAQ "Why am I getting a 401 … correct subscription key", 003
	// Scenario 6: the key in the default header of an API that renamed it.
	{
		name: "401 key in the default header of a renamed one", seed: "000 FAQ (401 with the correct key); 003 Scenario 6",
		do:     request("GET", "/renamed/items", keyOf("orders-app")),
		status: 401, reason: "SubscriptionKeyNotFound",
		cause: []string{"a key was sent in the header Ocp-Apim-Subscription-Key, but this API reads it from api-key"},
		fix:   []string{"api-key header", "apis/renamed/apiInformation.json", "subscriptionKeyParameterNames"},
	},
	// 001 §1 curl example: the key in an x-api-key header.
	{
		name: "401 key in x-api-key", seed: "001 §1 (curl -H x-api-key)",
		do: request("GET", "/api/v1/orders", func(e *seedEnv) []string {
			return []string{"X-Api-Key", e.keys["orders-app"]}
		}),
		status: 401, reason: "SubscriptionKeyNotFound",
		cause: []string{"a key was sent in the header X-Api-Key, but this API reads it from Ocp-Apim-Subscription-Key"},
		fix:   []string{"Ocp-Apim-Subscription-Key header"},
	},
	// 000 §2 Cause A, 002 SubscriptionKeyInvalid: a key of no subscription.
	{
		name: "401 invalid key", seed: "000 §2 Cause A; 002 Predefined errors (SubscriptionKeyInvalid)",
		do: request("GET", "/api/v1/orders", func(e *seedEnv) []string {
			return []string{"Ocp-Apim-Subscription-Key", "0123456789abcdef0123456789abcdef"}
		}),
		status: 401, reason: "SubscriptionKeyInvalid",
		cause: []string{"belongs to no subscription", "key ending in …cdef"},
		fix:   []string{"primary or secondary key of an active subscription"},
	},
	// 000 §2 Cause A ("associated with the wrong product"), 001 §1 (key bound
	// to the correct plan).
	{
		name: "401 key of a product without the API", seed: "000 Why This Is Happening (key for the wrong product); 001 §1",
		do:     request("GET", "/api/v1/orders", keyOf("reports-app")),
		status: 401, reason: "SubscriptionKeyInvalid",
		cause: []string{"subscription reports-app is scoped to product reports, which does not contain API orders", "products that contain it: trial, unlimited"},
		fix:   []string{"add API orders to product reports", "products/reports/apis/orders"},
	},
	// 000 §2 Cause A and FAQ: a suspended subscription.
	{
		name: "401 suspended subscription", seed: "000 §2 Cause A; 000 FAQ (Suspended)",
		do:     request("GET", "/api/v1/orders", keyOf("paused-app")),
		status: 401, reason: "SubscriptionKeyInvalid",
		cause: []string{"subscription paused-app", "suspended", "only active subscriptions"},
		fix:   []string{"activate subscription paused-app", `"state": "active"`, "subscriptions/paused-app/subscriptionInformation.json"},
	},
	// 000 Quick Fix and FAQ "works in the test console but fails from my
	// app": the all-access key passes, the app's subscription meets its
	// product's policy.
	{
		name: "403 product policy the all-access key skips", seed: "000 The Quick Fix; 000 FAQ (test console works, app fails)",
		do: func(t *testing.T, e *seedEnv) (int, string) {
			if status, _, body := e.send(t, "GET", "/web/items", "Ocp-Apim-Subscription-Key", e.allAccess); status != 200 {
				t.Fatalf("with the all-access key: %d %s", status, body)
			}
			status, id, _ := e.send(t, "GET", "/web/items", e.key("partner-app")...)
			return status, id
		},
		status: 403, reason: "HeaderNotFound",
		cause: []string{"X-Partner-Id", "product partner", "all-access key"},
		fix:   []string{"X-Partner-Id"},
		at:    []string{"products/partner/policy.xml:<check-header"},
	},
	// 000 §2 Cause B: the audience differs by a trailing slash.
	{
		name: "401 jwt audience with a trailing slash", seed: "000 §2 Cause B",
		do: func(t *testing.T, e *seedEnv) (int, string) {
			tok := e.jwt(map[string]any{"iss": "https://login.example.com/", "aud": "api://orders", "exp": time.Now().Add(time.Hour).Unix(), "sub": "alice"})
			status, id, _ := e.send(t, "GET", "/secure/profile", e.bearer(t, tok)...)
			return status, id
		},
		status: 401, reason: "TokenAudienceNotAllowed",
		cause: []string{"api://orders", "trailing slash"},
		fix:   []string{"<audience>", "trailing slash"},
		at:    []string{"apis/secure/policy.xml:<validate-jwt"},
	},
	// 001 §1: an expired token.
	{
		name: "401 jwt expired", seed: "001 §1 (expired credentials, clock skew)",
		do: func(t *testing.T, e *seedEnv) (int, string) {
			tok := e.jwt(map[string]any{"iss": "https://login.example.com/", "aud": "api://orders/", "exp": time.Now().Add(-time.Hour).Unix(), "sub": "alice"})
			status, id, _ := e.send(t, "GET", "/secure/profile", e.bearer(t, tok)...)
			return status, id
		},
		status: 401, reason: "TokenExpired",
		cause: []string{"expired"},
		fix:   []string{"fresh token", "clock-skew"},
		at:    []string{"apis/secure/policy.xml:<validate-jwt"},
	},
	// 000 Quick Fix, Pro Tip: the subscription key sent as the bearer token
	// of an API that validates JWTs.
	{
		name: "401 subscription key as the bearer token", seed: "000 The Quick Fix, Pro Tip (looks exactly like an OAuth failure)",
		do: request("GET", "/secure/profile", func(e *seedEnv) []string {
			return []string{"Authorization", "Bearer " + e.keys["orders-app"]}
		}),
		status: 401, reason: "JwtInvalid",
		cause: []string{"the Authorization header carries the subscription key of subscription orders-app, not a JWT"},
		fix:   []string{"subscription key in its own header"},
		at:    []string{"apis/secure/policy.xml:<validate-jwt"},
	},
	// 000 §2 Cause C, 002 CallerIpNotAllowed: ip-filter.
	{
		name: "403 ip-filter", seed: "000 §2 Cause C; 002 Predefined errors (ip-filter)",
		do:     request("GET", "/internal/stats", nil),
		status: 403, reason: "CallerIpNotAllowed",
		cause: []string{"127.0.0.1"},
		fix:   []string{"add the caller's address 127.0.0.1 to the ip-filter"},
		at:    []string{"apis/internal/policy.xml:<ip-filter"},
	},
	// 000 §2 Cause C, 002 QuotaExceeded: a product quota.
	{
		name: "403 quota", seed: "000 §2 Cause C; 002 Predefined errors (quota)",
		do: func(t *testing.T, e *seedEnv) (int, string) {
			if status, _, body := e.send(t, "GET", "/api/v1/orders", e.key("trial-app")...); status != 200 {
				t.Fatalf("first call: %d %s", status, body)
			}
			status, id, _ := e.send(t, "GET", "/api/v1/orders", e.key("trial-app")...)
			return status, id
		},
		status: 403, reason: "QuotaExceeded",
		cause: []string{"quota", "1 of 1 calls"},
		fix:   []string{"quota"},
		note:  "not 429",
		at:    []string{"products/trial/policy.xml:<quota"},
	},
	// 001 §2: a POST-only path called with another method.
	{
		name: "404 wrong method", seed: "001 §2 (HTTP method mismatch)",
		do:     request("DELETE", "/api/v1/orders", keyOf("orders-app")),
		status: 404, reason: "OperationNotFound",
		cause: []string{"API orders has an operation for this path but none for method DELETE"},
		fix:   []string{"method"},
		note:  "404, never 405",
	},
	// 001 §2: /v1 versus /api/v1.
	{
		name: "404 /v1 instead of /api/v1", seed: "001 §2 (versioning conflicts like /v1 vs /api/v1)",
		do:     request("GET", "/v1/orders", keyOf("orders-app")),
		status: 404, reason: "OperationNotFound",
		cause: []string{"no API path is a prefix of /v1/orders", "did you mean /api/v1/orders"},
		fix:   []string{"/api/v1/orders"},
	},
	// 001 §2 and 000 §3: a trailing slash. The gateway ignores it, as APIM
	// does, and forwards it; this backend has no resource with the slash.
	{
		name: "404 trailing slash at the backend", seed: "001 §2 (trailing slash inconsistencies); 000 §3 (trailing slash)",
		do:     request("GET", "/api/v1/orders/", keyOf("orders-app")),
		status: 404, origin: "backend",
		cause: []string{"the backend", "answered 404", "trailing slash"},
		fix:   []string{"trailing slash"},
	},
	// 001 §2: a version the version set does not have.
	{
		name: "404 unknown version", seed: "001 §2 (versioning conflicts)",
		do:     request("GET", "/pets/v3/pets", nil),
		status: 404, reason: "OperationNotFound",
		cause: []string{"/pets", "versioned", "v1, v2"},
		fix:   []string{"version"},
	},
	// 000 FAQ "roll back a policy change": a revision that does not exist.
	{
		name: "404 unknown revision", seed: "000 FAQ (revisions)",
		do:     request("GET", "/api/v1;rev=5/orders", keyOf("orders-app")),
		status: 404, reason: "OperationNotFound",
		cause: []string{"no online revision 5"},
		fix:   []string{"revision"},
	},
	// 000 §5, 001 §3: a product rate-limit stricter than the API's
	// rate-limit-by-key.
	{
		name: "429 product limit stricter than the API's", seed: "000 §5 (product-level rate limit lower than the API's); 001 §3",
		do: func(t *testing.T, e *seedEnv) (int, string) {
			for i := 0; i < 2; i++ {
				if status, _, body := e.send(t, "GET", "/catalog/products", e.key("starter-app")...); status != 200 {
					t.Fatalf("call %d: %d %s", i+1, status, body)
				}
			}
			status, id, _ := e.send(t, "GET", "/catalog/products", e.key("starter-app")...)
			return status, id
		},
		status: 429, reason: "RateLimitExceeded",
		cause: []string{"product scope rate-limit", "2 calls per 60 s", "rate-limit-by-key", "1000 calls per 60 s"},
		fix:   []string{"product's limit answers first", "calls"},
		at:    []string{"products/starter/policy.xml:<rate-limit"},
	},
	// 004 Scenario 2, 002 ExpressionValueEvaluationFailure: a null reference.
	{
		name: "500 expression null reference", seed: "004 Scenario 2 (Object reference not set)",
		do:     request("GET", "/expr/customers", nil),
		status: 500, reason: "ExpressionValueEvaluationFailure",
		cause: []string{`GetValueOrDefault("X-Customer-Id") returned null`, "ToUpper"},
		fix:   []string{"GetValueOrDefault with a default"},
		at:    []string{"apis/expr/operations/list-customers/policy.xml:GetValueOrDefault"},
	},
	// 000 §4: a named value read through context.Variables.
	{
		name: "500 named value read as a variable", seed: "000 §4 (named value inside an expression)",
		do:     request("GET", "/expr/invoices", nil),
		status: 500, reason: "ExpressionValueEvaluationFailure",
		cause: []string{`"backend-token" is a named value, not a variable`},
		fix:   []string{"{{backend-token}}"},
		at:    []string{"apis/expr/operations/list-invoices/policy.xml:context.Variables"},
	},
	// 004 Scenario 5: nothing listens at the backend's port.
	{
		name: "500 backend down", seed: "004 Scenario 5 (Unable to connect to the remote server)",
		do:     request("GET", "/down/status", nil),
		status: 500, reason: "BackendConnectionFailure",
		cause: []string{"refused"},
		fix:   []string{"start the backend"},
		note:  "APIM answers 500",
		also:  []string{"DNS: ok", "connect: failed"},
	},
	// 004 Scenario 7: DNS.
	{
		name: "500 backend name not resolved", seed: "004 Scenario 7 (The remote name could not be resolved); 004 502 Scenario 1",
		do:     request("GET", "/dns/status", nil),
		status: 500, reason: "BackendConnectionFailure",
		cause: []string{"orders.backend.invalid"},
		fix:   []string{"backend host"},
		note:  "APIM answers 500",
		also:  []string{"DNS: failed"},
	},
	// 004 Scenario 8, 000 §3: an untrusted certificate.
	{
		name: "500 backend certificate not trusted", seed: "004 Scenario 8 (Could not establish trust relationship); 000 §3 (self-signed)",
		do:     request("GET", "/tls/status", nil),
		status: 500, reason: "BackendConnectionFailure",
		cause: []string{"certificate"},
		fix:   []string{"validateCertificateChain"},
		note:  "APIM answers 500",
		also:  []string{"connect: ok", "TLS: failed"},
	},
	// 004 Scenario 4, 000 §3 (HTTP vs HTTPS mismatch): https to a plain port.
	{
		name: "500 https to a plain HTTP port", seed: "004 Scenario 4 (remote party has closed the transport stream); 000 §3 (HTTP vs HTTPS)",
		do:     request("GET", "/plainhttps/status", nil),
		status: 500, reason: "BackendConnectionFailure",
		cause: []string{"does not speak TLS"},
		fix:   []string{"use http://"},
		note:  "APIM answers 500",
		also:  []string{"TLS: failed"},
	},
	// 004 504 Scenario 3: forward-request timeout too low.
	{
		name: "timeout", seed: "004 504 Scenarios 2 and 3 (forward-request timeout)",
		do:     request("GET", "/slow/status", nil),
		status: 500, reason: "Timeout",
		cause: []string{"1 s"},
		fix:   []string{"timeout of forward-request"},
		at:    []string{"apis/slow/policy.xml:<forward-request"},
		note:  "APIM answers 500",
		also:  []string{"status line: failed"},
	},
	// 004 Scenario 1, 000 §3 (BackendResponseCode 500): the backend's 500.
	{
		name: "500 from the backend", seed: "004 Scenario 1 (BackendResponseCode 500); 000 §3",
		do:     request("GET", "/api/v1/orders/fail", keyOf("orders-app")),
		status: 500, origin: "backend",
		cause: []string{"answered 500", "passed it through unchanged"},
		fix:   []string{"backend's own logs"},
		also:  []string{"backend: the backend answered this"},
	},
	// 004 Scenario 3: the caller hangs up while the backend is slow.
	{
		name: "client abort", seed: "004 Scenario 3 (ClientConnectionFailure, ResponseCode 0)",
		do: func(t *testing.T, e *seedEnv) (int, string) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", e.base+"/abort/status?caller=abort-test", nil)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				t.Fatalf("the slow backend answered %d", resp.StatusCode)
			}
			return 0, e.findCapture(t, func(d *capture.Doc) bool { return strings.Contains(d.Request.URL, "caller=abort-test") })
		},
		status: 0, captured: capture.ClientAborted, reason: "ClientConnectionFailure", origin: "client",
		cause: []string{"client"},
		fix:   []string{"caller hung up"},
	},
	// 003 Scenario 1 and 7: a preflight from an origin cors does not allow.
	{
		name: "cors preflight from a disallowed origin", seed: "003 Scenario 1 and Scenario 7 (terminate-unmatched-request)",
		do: request("OPTIONS", "/web/items", func(e *seedEnv) []string {
			return []string{"Origin", "https://evil.example.net", "Access-Control-Request-Method", "GET"}
		}),
		status: 200, captured: capture.CORSRefused, origin: "gateway",
		cause: []string{"origin https://evil.example.net is not in allowed-origins"},
		fix:   []string{"add https://evil.example.net to allowed-origins"},
		note:  "empty 200",
		at:    []string{"apis/web/policy.xml:<cors"},
	},
	// 003 Scenarios 3 and 4: a product rate-limit before cors. The
	// preflight is answered by cors alone (as in APIM); the request after
	// it is refused by the product's rate-limit before cors adds its
	// headers, and the browser reports a CORS error.
	{
		name: "cors request refused by a policy before cors", seed: "003 Scenario 3 (cors after other policies) and Scenario 4 (product level)",
		do: func(t *testing.T, e *seedEnv) (int, string) {
			origin := []string{"Origin", "https://shop.example.com"}
			status, _, body := e.send(t, "OPTIONS", "/catalog/products", append(origin, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "ocp-apim-subscription-key")...)
			if status != 200 {
				t.Fatalf("preflight: %d %s", status, body)
			}
			for i := 0; i < 2; i++ {
				if status, _, body := e.send(t, "GET", "/catalog/products", append(e.key("starter-web"), origin...)...); status != 200 {
					t.Fatalf("call %d: %d %s", i+1, status, body)
				}
			}
			status, id, _ := e.send(t, "GET", "/catalog/products", append(e.key("starter-web"), origin...)...)
			return status, id
		},
		status: 429, reason: "RateLimitExceeded",
		cause: []string{"no CORS headers", "move cors first"},
		fix:   []string{"calls"},
		at:    []string{"products/starter/policy.xml:<rate-limit"},
	},
	// 003 Scenario 2: an operation policy without <base/> drops the API's
	// cors; the preflight finds no cors policy.
	{
		name: "cors dropped by a missing base", seed: "003 Scenario 2 (missing the <base> element)",
		do: request("OPTIONS", "/web/legacy", func(e *seedEnv) []string {
			return []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "GET"}
		}),
		status: 404, reason: "OperationNotFound",
		cause: []string{"no cors policy applies", "is dropped because the inbound section of apis/web/operations/legacy/policy.xml has no <base/>"},
		fix:   []string{"add <base/> to the inbound section of apis/web/operations/legacy/policy.xml"},
		at:    []string{"apis/web/policy.xml:<cors"},
		note:  "404, never 405",
	},
	// 003 Scenario 4: cors at product scope never answers a preflight.
	{
		name: "cors at product scope", seed: "003 Scenario 4 (product level CORS setting); 000 FAQ (CORS, 405)",
		do: request("OPTIONS", "/shop/cart", func(e *seedEnv) []string {
			return []string{"Origin", "https://shop.example.com", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "ocp-apim-subscription-key"}
		}),
		status: 404, reason: "OperationNotFound",
		cause: []string{"product storefront has a cors policy", "a preflight carries no subscription key"},
		fix:   []string{"move the cors policy of product storefront", "products/storefront/policy.xml"},
		at:    []string{"products/storefront/policy.xml:<cors"},
		note:  "404, never 405",
	},
	// 003 Scenario 6: the renamed key header missing from allowed-headers.
	{
		name: "cors renamed key header not allowed", seed: "003 Scenario 6 (customized header ocp-apim-subscription-key)",
		do: request("OPTIONS", "/renamed/items", func(e *seedEnv) []string {
			return []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "api-key"}
		}),
		status: 200, captured: capture.CORSRefused, origin: "gateway",
		cause: []string{"request header api-key is not in allowed-headers", "renamed subscription key header"},
		fix:   []string{"add api-key to allowed-headers", "renamed subscription key header"},
		note:  "empty 200",
		at:    []string{"apis/renamed/policy.xml:<cors"},
	},
}

// findCapture waits for a captured request that ok accepts and returns its
// id: for a request whose caller never saw the correlation id.
func (e *seedEnv) findCapture(t *testing.T, ok func(*capture.Doc) bool) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(e.admin + "/v1/captures?since=1h")
		if err != nil {
			t.Fatal(err)
		}
		var docs []*capture.Doc
		err = json.NewDecoder(resp.Body).Decode(&docs)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			if ok(d) {
				return d.ID
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the request was not captured")
	return ""
}

func TestSeedScenarios(t *testing.T) {
	e := startSeeds(t)
	t.Run("scenarios", func(t *testing.T) {
		for _, sc := range seedScenarios {
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				status, id := sc.do(t, e)
				if status != sc.status {
					t.Fatalf("[seed %s] status %d, want %d", sc.seed, status, sc.status)
				}
				if id == "" {
					t.Fatalf("[seed %s] no %s header", sc.seed, gateway.CorrelationHeader)
				}
				out, x := e.why(t, id)
				if testing.Verbose() {
					t.Logf("tollgate why %s\n%s", id, out)
				}
				checkWhy(t, sc, out, x)
			})
		}
	})
	t.Run("missing named value", func(t *testing.T) {
		// 000 §4: "A named value that was deleted but is still referenced …
		// will cause every request … to fail with a 500-level error, not a
		// configuration warning at deploy time." tollgate refuses it at load.
		dir := writeFolder(t, map[string]string{
			"apis/a/apiInformation.json": `{"properties":{"path":"a","serviceUrl":"http://127.0.0.1:1","subscriptionRequired":false}}`,
			"apis/a/policy.xml":          "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"Authorization\" exists-action=\"override\">\n      <value>Bearer {{backend-token}}</value>\n    </set-header>\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n",
		})
		code, out, errOut := tollgate(t, "check", dir)
		if code != 1 {
			t.Fatalf("check: exit %d, want 1\n%s%s", code, out, errOut)
		}
		if !regexp.MustCompile(`apis/a/policy\.xml:5:\d+: error: .*backend-token`).MatchString(out) {
			t.Errorf("check does not name the missing named value at its position:\n%s", out)
		}
	})
	t.Run("failures", func(t *testing.T) { checkFailures(t, e) })
	t.Run("no secret is written", func(t *testing.T) { checkNoSecrets(t, e) })
}

func checkWhy(t *testing.T, sc seedScenario, out string, x map[string]any) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("[seed %s] "+format+"\n--- why:\n%s", append([]any{sc.seed}, append(args, out)...)...)
	}
	cause, fix := whyLine(out, "cause"), whyLine(out, "fix")
	for _, w := range sc.cause {
		if !strings.Contains(cause, w) {
			fail("the cause does not say %q", w)
		}
	}
	for _, w := range sc.fix {
		if !strings.Contains(fix, w) {
			fail("the fix does not say %q", w)
		}
	}
	for _, w := range sc.also {
		if !strings.Contains(out, w) {
			fail("the output does not say %q", w)
		}
	}
	for _, a := range sc.at {
		file, marker, _ := strings.Cut(a, ":")
		pos := lineOf(t, file, marker)
		if !strings.Contains(out, pos+":") && !strings.Contains(out, pos+" ") && !strings.HasSuffix(strings.TrimSpace(out), pos) {
			fail("the output does not name %s", pos)
		}
	}
	if sc.note != "" && !strings.Contains(whyLine(out, "note"), sc.note) {
		fail("no note saying %q", sc.note)
	}
	captured := sc.captured
	if captured == "" {
		captured = capture.Failed
	}
	if x["captured"] != captured {
		fail("captured %v, want %s", x["captured"], captured)
	}
	if x["cause"] != cause || x["fix"] != fix {
		fail("--json cause/fix differ from the text: %q / %q", x["cause"], x["fix"])
	}
	if doc, _ := x["doc"].(string); !strings.HasPrefix(doc, "docs/troubleshooting.md#") {
		fail("--json doc %q names no section of docs/troubleshooting.md", doc)
	}
	if sc.origin != "" && x["origin"] != sc.origin {
		fail("origin %v, want %s", x["origin"], sc.origin)
	}
	if sc.reason != "" {
		f, _ := x["failure"].(map[string]any)
		if f == nil || f["reason"] != sc.reason {
			fail("--json failure %v, want reason %s", f, sc.reason)
		}
	}
	if resp, _ := x["response"].(map[string]any); resp == nil || resp["status"] != float64(sc.status) {
		fail("--json response %v, want status %d", x["response"], sc.status)
	}
}

func checkFailures(t *testing.T, e *seedEnv) {
	code, out, errOut := tollgate(t, "failures", "--server", e.admin)
	if code != 0 {
		t.Fatalf("failures: exit %d: %s", code, errOut)
	}
	code, js, errOut := tollgate(t, "failures", "--server", e.admin, "--since", "1h", "--json")
	if code != 0 {
		t.Fatalf("failures --json: exit %d: %s", code, errOut)
	}
	e.record(nil, out, js)
	if testing.Verbose() {
		t.Logf("tollgate failures\n%s", out)
	}
	var groups []struct {
		Count     int    `json:"count"`
		Status    int    `json:"status"`
		Source    string `json:"source"`
		Reason    string `json:"reason"`
		API       string `json:"api"`
		Operation string `json:"operation"`
		Example   string `json:"example"`
		Cause     string `json:"cause"`
	}
	if err := json.Unmarshal([]byte(js), &groups); err != nil {
		t.Fatalf("failures --json: %v\n%s", err, js)
	}
	find := func(status int, reason, api string) int {
		n := 0
		for _, g := range groups {
			if g.Status == status && g.Reason == reason && g.API == api {
				n += g.Count
				if g.Example == "" || g.Cause == "" {
					t.Errorf("group %+v has no example or cause", g)
				}
			}
		}
		return n
	}
	want := []struct {
		status        int
		reason, api   string
		count         int
		cause, source string
	}{
		{401, "SubscriptionKeyNotFound", "orders", 3, "", "authorization"}, // missing, bearer, x-api-key
		{401, "SubscriptionKeyNotFound", "renamed", 1, "", "authorization"},
		{401, "SubscriptionKeyInvalid", "orders", 3, "", "authorization"}, // invalid, wrong product, suspended
		{404, "OperationNotFound", "", 3, "", "configuration"},            // /v1 for /api/v1, unknown version, unknown revision
		{404, "OperationNotFound", "orders", 1, "", "configuration"},      // wrong method
		{404, "OperationNotFound", "shop", 1, "", "configuration"},        // product-scope cors
		{404, "OperationNotFound", "web", 1, "", "configuration"},         // missing <base/>
		{429, "RateLimitExceeded", "catalog", 2, "", "rate-limit"},
		{500, "BackendConnectionFailure", "down", 1, "", "forward-request"},
		{500, "BackendStatus500", "orders", 1, "", "backend"},
		{0, "ClientConnectionFailure", "abort", 1, "", "forward-request"},
		{200, "CorsRefused", "web", 1, "", "cors"},
	}
	for _, w := range want {
		if n := find(w.status, w.reason, w.api); n != w.count {
			t.Errorf("failures: %d requests with %d %s on API %q, want %d\n%s", n, w.status, w.reason, w.api, w.count, out)
		}
	}
	for _, l := range []string{"COUNT", "STATUS", "REASON", "EXAMPLE", "cause: ", "RateLimitExceeded", "ClientConnectionFailure"} {
		if !strings.Contains(out, l) {
			t.Errorf("failures output lacks %q:\n%s", l, out)
		}
	}
	if !regexp.MustCompile(`\d+ failures in \d+ groups`).MatchString(out) {
		t.Errorf("failures output has no summary:\n%s", out)
	}
}

// checkNoSecrets scans everything the gateway wrote for these requests: log
// lines, its start-up output (but for the all-access key it prints on
// purpose), every captured document, every why output and the failures
// output.
func checkNoSecrets(t *testing.T, e *seedEnv) {
	e.mu.Lock()
	texts := map[string]string{"log lines": e.stdout.String()}
	var startup []string
	for _, l := range strings.Split(e.stderr.String(), "\n") {
		if !strings.HasPrefix(l, "tollgate: all-access key: ") {
			startup = append(startup, l)
		}
	}
	texts["start-up output"] = strings.Join(startup, "\n")
	for i, o := range e.outputs {
		texts[fmt.Sprintf("why/failures output %d", i)] = o
	}
	ids := slices.Clone(e.ids)
	secrets := make(map[string]string, len(e.secrets))
	for k, v := range e.secrets {
		secrets[k] = v
	}
	e.mu.Unlock()
	if len(ids) < len(seedScenarios) {
		t.Fatalf("%d captures explained, want %d", len(ids), len(seedScenarios))
	}
	for _, path := range []string{"/v1/captures?since=1h", "/v1/failures?since=1h"} {
		texts["admin "+path] = adminGet(t, e.admin+path)
	}
	for _, id := range ids {
		texts["admin capture "+id] = adminGet(t, e.admin+"/v1/captures/"+id)
		texts["admin why "+id] = adminGet(t, e.admin+"/v1/why/"+id)
	}
	if n := strings.Count(texts["log lines"], "\n"); n < len(seedScenarios) {
		t.Errorf("%d log lines, want at least %d", n, len(seedScenarios))
	}
	for what, text := range texts {
		for name, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("the %s of the %s appears in %s", "value", name, what)
			}
		}
	}
}

func adminGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}
