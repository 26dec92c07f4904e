package gateway

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/authn/authntest"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// TestValidateJWTExpressions runs validate-jwt whose audience, issuer and
// required claim value are policy expressions: the audience from a named
// value, the issuer from context.Variables, the claim value from a request
// header. A mismatch answers APIM's 401 and names the expression and the
// value it gave in LastError.
func TestValidateJWTExpressions(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	key := authntest.HMACKey("", "HS256", secret)
	const iss, aud = "https://issuer.example/", "api://orders"
	pol := `<policies><inbound><base/>
  <set-variable name="expected-issuer" value="` + iss + `" />
  <validate-jwt header-name="@(&quot;Authori&quot; + &quot;zation&quot;)" require-scheme="Bearer" output-token-variable-name="jwt">
    <issuer-signing-keys><key>` + base64.StdEncoding.EncodeToString(secret) + `</key></issuer-signing-keys>
    <audiences><audience>@("{{api-audience}}")</audience></audiences>
    <issuers><issuer>https://other.example/</issuer><issuer>@((string)context.Variables["expected-issuer"])</issuer></issuers>
    <required-claims>
      <claim name="tenant" match="any"><value>@(context.Request.Headers.GetValueOrDefault("X-Tenant", ""))</value><value>fixed</value></claim>
    </required-claims>
  </validate-jwt>
</inbound></policies>`
	s := newSite(t, map[string]string{
		"named values/api-audience/namedValueInformation.json": `{"properties":{"displayName":"api-audience","value":"` + aud + `"}}`,
		"apis/test/policy.xml":                                 pol,
	}, Options{Traces: reqtrace.NewStore(10)})
	now := time.Now()
	token := func(iss, aud, tenant string) string {
		c := authntest.Claims(iss, aud, now, time.Hour)
		c["tenant"] = tenant
		return "Bearer " + authntest.Sign(t, key, c, nil)
	}
	cases := []struct {
		name    string
		headers []string
		status  int
		reason  string
		message string   // the message of the 401 body
		cause   []string // in LastErrorCause
	}{
		{"every value matches", []string{"Authorization", token(iss, aud, "t-1"), "X-Tenant", "t-1"}, 200, "", "", nil},
		{"the literal claim value matches", []string{"Authorization", token(iss, aud, "fixed"), "X-Tenant", "t-1"}, 200, "", "", nil},
		{"audience from the named value", []string{"Authorization", token(iss, "api://other", "t-1"), "X-Tenant", "t-1"}, 401, "TokenAudienceNotAllowed",
			"IDX10214: Audience validation failed. Audiences: 'api://other'. Did not match: validationParameters.ValidAudience: 'null' or validationParameters.ValidAudiences: 'api://orders'. Access denied.",
			[]string{`audience 1 is the expression @("api://orders")`, "(named value api-audience)", `which gave "api://orders"`, `"api://other"`}},
		{"issuer from a variable", []string{"Authorization", token("https://evil.example/", aud, "t-1"), "X-Tenant", "t-1"}, 401, "TokenIssuerNotAllowed",
			"IDX10205: Issuer validation failed. Issuer: 'https://evil.example/'. Did not match: validationParameters.ValidIssuer: 'null' or validationParameters.ValidIssuers: 'https://other.example/, https://issuer.example/'. Access denied.",
			[]string{`issuer 2 is the expression @((string)context.Variables["expected-issuer"])`, `which gave "https://issuer.example/"`, `"https://other.example/"`}},
		{"claim value from a header", []string{"Authorization", token(iss, aud, "t-1"), "X-Tenant", "t-2"}, 401, "TokenClaimValueNotAllowed",
			"Claim tenant value of t-1 is not allowed. Access denied.", []string{`value 1 of claim tenant is the expression @(context.Request.Headers.GetValueOrDefault("X-Tenant", ""))`, `which gave "t-2"`}},
		{"claim value from a missing header", []string{"Authorization", token(iss, aud, "t-1")}, 401, "TokenClaimValueNotAllowed",
			"", []string{`which gave ""`}},
		{"header name from an expression", []string{"X-Token", token(iss, aud, "t-1"), "X-Tenant", "t-1"}, 401, "TokenNotPresent",
			"JWT not present.", []string{"Authorization"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := s.do(t, "GET", "/test/items", append([]string{keyHeader, testAllAccessKey, "Ocp-Apim-Trace", "true"}, c.headers...)...)
			if got.status != c.status {
				t.Fatalf("status %d, want %d: %s", got.status, c.status, got.body)
			}
			line := s.lastLog(t)
			if c.status == 200 {
				if line["LastErrorReason"] != nil && line["LastErrorReason"] != "" {
					t.Errorf("LastError on success: %v", line)
				}
				tr := s.gw.Trace(got.header.Get(CorrelationHeader))
				b, _ := json.Marshal(tr)
				if !strings.Contains(string(b), `audience 1 is the expression`) || !strings.Contains(string(b), `which gave \"t-1\"`) {
					t.Errorf("the trace does not show the evaluated expressions:\n%s", b)
				}
				return
			}
			if c.message != "" {
				if want := `{ "statusCode": 401, "message": "` + c.message + `" }`; got.body != want {
					t.Errorf("body %s\nwant %s", got.body, want)
				}
			}
			if line["LastErrorSource"] != "validate-jwt" || line["LastErrorReason"] != c.reason {
				t.Errorf("LastError %v %v, want validate-jwt %s (cause %v)", line["LastErrorSource"], line["LastErrorReason"], c.reason, line["LastErrorCause"])
			}
			for _, w := range c.cause {
				if !strings.Contains(str(line["LastErrorCause"]), w) {
					t.Errorf("LastErrorCause %q lacks %q", line["LastErrorCause"], w)
				}
			}
		})
	}
}

// TestValidateJWTExpressionFailure: an expression that throws gives APIM's
// ExpressionValueEvaluationFailure with the position of the expression,
// not a token failure.
func TestValidateJWTExpressionFailure(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	key := authntest.HMACKey("", "HS256", secret)
	s := newSite(t, map[string]string{"apis/test/policy.xml": `<policies><inbound><base/>
  <validate-jwt header-name="Authorization">
    <issuer-signing-keys><key>` + base64.StdEncoding.EncodeToString(secret) + `</key></issuer-signing-keys>
    <audiences><audience>@((string)context.Variables["missing"])</audience></audiences>
  </validate-jwt>
</inbound></policies>`}, Options{})
	tok := authntest.Sign(t, key, authntest.Claims("i", "a", time.Now(), time.Hour), nil)
	got := s.do(t, "GET", "/test/items", keyHeader, productKey, "Authorization", "Bearer "+tok)
	if got.status != 500 {
		t.Fatalf("status %d: %s", got.status, got.body)
	}
	line := s.lastLog(t)
	if line["LastErrorReason"] != "ExpressionValueEvaluationFailure" || !strings.Contains(str(line["LastErrorCause"]), "missing") {
		t.Errorf("LastError %v: %v", line["LastErrorReason"], line["LastErrorCause"])
	}
}

// TestValidateJWTBooleanExpressions: require-expiration-time given by an
// expression is evaluated per request.
func TestValidateJWTBooleanExpressions(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	key := authntest.HMACKey("", "HS256", secret)
	s := newSite(t, map[string]string{"apis/test/policy.xml": `<policies><inbound><base/>
  <validate-jwt header-name="Authorization" require-expiration-time="@(context.Request.Headers.ContainsKey(&quot;X-Strict&quot;))">
    <issuer-signing-keys><key>` + base64.StdEncoding.EncodeToString(secret) + `</key></issuer-signing-keys>
  </validate-jwt>
</inbound></policies>`}, Options{})
	tok := "Bearer " + authntest.Sign(t, key, map[string]any{"iss": "i", "aud": "a"}, nil)
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey, "Authorization", tok); got.status != 200 {
		t.Fatalf("lenient: status %d: %s", got.status, got.body)
	}
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey, "Authorization", tok, "X-Strict", "1"); got.status != 401 {
		t.Fatalf("strict: status %d: %s", got.status, got.body)
	}
	if line := s.lastLog(t); line["LastErrorReason"] != "JwtInvalid" || !strings.Contains(str(line["LastErrorCause"]), "require-expiration-time") {
		t.Errorf("LastError %v: %v", line["LastErrorReason"], line["LastErrorCause"])
	}
}

// jwtBenchGateway serves one open API whose inbound is validate-jwt with
// the audience, issuer and a claim value written as literals or as
// expressions.
func jwtBenchGateway(b *testing.B, secret []byte, exprs bool) *Gateway {
	aud, iss, val := "api://orders", "https://issuer.example/", "t-1"
	if exprs {
		aud, iss, val = `@("{{api-audience}}")`, `@((string)context.Variables["expected-issuer"])`, `@(context.Request.Headers.GetValueOrDefault("X-Tenant", ""))`
	}
	files := map[string]string{
		"policy.xml":                                           "<policies><inbound/><backend><forward-request/></backend><outbound/><on-error/></policies>",
		"apis/test/apiInformation.json":                        `{"properties":{"path":"test","serviceUrl":"http://backend.test/api","subscriptionRequired":false}}`,
		"apis/test/specification.yaml":                         "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /items:\n    get: {operationId: list, responses: {'200': {description: OK}}}\n",
		"named values/api-audience/namedValueInformation.json": `{"properties":{"displayName":"api-audience","value":"api://orders"}}`,
		"apis/test/policy.xml": `<policies><inbound><base/>
  <set-variable name="expected-issuer" value="https://issuer.example/" />
  <validate-jwt header-name="Authorization">
    <issuer-signing-keys><key>` + base64.StdEncoding.EncodeToString(secret) + `</key></issuer-signing-keys>
    <audiences><audience>` + aud + `</audience></audiences>
    <issuers><issuer>` + iss + `</issuer></issuers>
    <required-claims><claim name="tenant"><value>` + val + `</value></claim></required-claims>
  </validate-jwt>
</inbound></policies>`,
	}
	return folderGateway(b, files, Options{Log: NewLogWriter(io.Discard), Transport: cannedTransport{}})
}

// BenchmarkValidateJWTLiteral and BenchmarkValidateJWTExpressions validate
// the same HS256 token in process; their difference is what evaluating the
// audience, issuer and claim value expressions per request costs.
func BenchmarkValidateJWTLiteral(b *testing.B)     { benchJWT(b, false) }
func BenchmarkValidateJWTExpressions(b *testing.B) { benchJWT(b, true) }

func benchJWT(b *testing.B, exprs bool) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	gw := jwtBenchGateway(b, secret, exprs)
	c := authntest.Claims("https://issuer.example/", "api://orders", time.Now(), time.Hour)
	c["tenant"] = "t-1"
	tok := authntest.Sign(b, authntest.HMACKey("", "HS256", secret), c, nil)
	req := httptest.NewRequest("GET", "http://gw/test/items", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Tenant", "t-1")
	w := &statusWriter{discardWriter: discardWriter{h: http.Header{}}}
	gw.ServeHTTP(w, req)
	if w.status != 200 {
		b.Fatalf("status %d", w.status)
	}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		gw.ServeHTTP(w, req)
	}
}
