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
