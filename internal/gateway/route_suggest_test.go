package gateway

import (
	"strings"
	"testing"
)

// A 404's cause suggests the URL the caller most likely meant (seed 001 §2:
// base path mapping, /v1 vs /api/v1, a misspelt path).
func TestNotFoundSuggestsNearestURL(t *testing.T) {
	s := newSite(t, map[string]string{
		"apis/test/apiInformation.json": `{"properties":{"path":"api/v1","serviceUrl":"$BACKEND$/api"}}`,
	}, Options{})
	cases := []struct {
		method, path, want string
	}{
		{"GET", "/v1/items", "did you mean /api/v1/items (API test, operation list)?"},
		{"GET", "/items/42", "did you mean /api/v1/items/42 (API test, operation get)?"},
		{"GET", "/shop/api/v1/items", "did you mean /api/v1/items (API test, operation list)?"},
		{"POST", "/apii/v1/items", "did you mean /api/v1/items (API test, operation create)?"},
		{"GET", "/api/v1/itemz", "API test matched the path prefix, but no operation template matches GET /itemz; did you mean GET /api/v1/items?"},
		{"GET", "/api/v1/items/42/lines", "did you mean GET /api/v1/items/{id}?"},
	}
	for _, c := range cases {
		got := s.do(t, c.method, c.path, keyHeader, productKey)
		if got.status != 404 {
			t.Errorf("%s %s: status %d", c.method, c.path, got.status)
			continue
		}
		if cause := str(s.lastLog(t)["LastErrorCause"]); !strings.Contains(cause, c.want) {
			t.Errorf("%s %s: cause %q lacks %q", c.method, c.path, cause, c.want)
		}
	}
	for _, path := range []string{"/totally/unrelated", "/"} {
		s.do(t, "GET", path)
		if cause := str(s.lastLog(t)["LastErrorCause"]); strings.Contains(cause, "did you mean") {
			t.Errorf("GET %s: cause %q suggests a URL that is not close", path, cause)
		}
	}
}

// A preflight no cors policy answers names the cors policy that exists but
// does not apply (seed 003 Scenarios 2 and 4).
func TestPreflightWithoutCORSNamesTheDroppedPolicy(t *testing.T) {
	cors := `<cors><allowed-origins><origin>https://app.example.com</origin></allowed-origins><allowed-headers><header>*</header></allowed-headers></cors>`
	s := newSite(t, map[string]string{
		"apis/test/policy.xml":                                "<policies><inbound><base />" + cors + "</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>",
		"apis/test/operations/get/policy.xml":                 "<policies><inbound><set-header name=\"X\" exists-action=\"override\"><value>1</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>",
		"apis/other/apiInformation.json":                      `{"properties":{"path":"other","serviceUrl":"$BACKEND$/o"}}`,
		"apis/other/specification.yaml":                       "openapi: 3.0.1\ninfo: {title: o, version: '1'}\npaths:\n  /things:\n    get: {operationId: things, responses: {'200': {description: OK}}}\n",
		"products/gold/apis/other/productApiInformation.json": `{}`,
		"products/gold/policy.xml":                            "<policies><inbound><base />" + cors + "</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>",
	}, Options{})
	preflight := []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "GET"}
	cases := []struct{ path, want string }{
		{"/test/items", ""}, // answered by the API's cors
		{"/test/items/42", "the api scope cors at "},
		{"/other/things", "product gold has a cors policy ("},
	}
	for _, c := range cases {
		got := s.do(t, "OPTIONS", c.path, preflight...)
		if c.want == "" {
			if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
				t.Errorf("%s: %d %v", c.path, got.status, got.header)
			}
			continue
		}
		cause := str(s.lastLog(t)["LastErrorCause"])
		if got.status != 404 || !strings.Contains(cause, c.want) {
			t.Errorf("%s: %d, cause %q lacks %q", c.path, got.status, cause, c.want)
		}
	}
	if cause := str(s.lastLog(t)["LastErrorCause"]); !strings.Contains(cause, "a preflight carries no subscription key") {
		t.Errorf("cause %q", cause)
	}
	s.do(t, "OPTIONS", "/test/items/42", preflight...)
	if cause := str(s.lastLog(t)["LastErrorCause"]); !strings.Contains(cause, "operations/get/policy.xml has no <base/>") {
		t.Errorf("cause %q", cause)
	}
}
