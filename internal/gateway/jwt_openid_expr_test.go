package gateway

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/authn/authntest"
)

// The openid-config url may be a policy expression, as Microsoft's AI hub
// gateway accelerator writes it: the tenant's metadata is chosen per
// request, and its documents are cached like a literal URL's.
func TestValidateJWTOpenIDConfigExpression(t *testing.T) {
	key := authntest.RSAKey(t, "key-1", "RS256")
	idp := authntest.NewProvider(t, key)
	base := idp.Server.URL
	policy := `<policies><inbound><base/>
  <validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized">
    <openid-config url="@($&quot;` + base + `/{context.Request.Headers.GetValueOrDefault(&quot;X-Tenant&quot;, &quot;tenant-a&quot;)}/v2.0/.well-known/openid-configuration&quot;)" />
    <audiences><audience>api://orders</audience></audiences>
  </validate-jwt>
</inbound></policies>`
	s := newSite(t, map[string]string{"apis/test/policy.xml": policy}, Options{})
	now := time.Now()
	tokenA := authntest.Sign(t, key, authntest.Claims(base+"/tenant-a/v2.0", "api://orders", now, time.Hour), nil)

	if got := s.do(t, "GET", "/test/items", keyHeader, productKey, "Authorization", "Bearer "+tokenA); got.status != 200 {
		t.Fatalf("tenant a's token with tenant a's metadata: %d %s (cause %v)", got.status, got.body, s.lastLog(t)["LastErrorCause"])
	}
	got := s.do(t, "GET", "/test/items", keyHeader, productKey, "X-Tenant", "tenant-b", "Authorization", "Bearer "+tokenA)
	line := s.lastLog(t)
	if got.status != 401 || line["LastErrorReason"] != "TokenIssuerNotAllowed" {
		t.Fatalf("tenant a's token with tenant b's metadata: %d %s, reason %v", got.status, got.body, line["LastErrorReason"])
	}
	if cause := str(line["LastErrorCause"]); !strings.Contains(cause, "openid-config url 1 is the expression") || !strings.Contains(cause, "tenant-b") {
		t.Errorf("cause %q does not name the openid-config expression and what it gave", cause)
	}
	// Both tenants' documents were fetched once each, and are cached.
	before := idp.MetadataRequests.Load()
	for range 3 {
		s.do(t, "GET", "/test/items", keyHeader, productKey, "Authorization", "Bearer "+tokenA)
	}
	if n := idp.MetadataRequests.Load() - before; n != 0 {
		t.Errorf("%d more metadata fetches for a cached URL", n)
	}
	// A URL that is not http(s) fails the policy as APIM fails an
	// expression.
	got = s.do(t, "GET", "/test/items", keyHeader, productKey, "X-Tenant", "x\"; ftp://", "Authorization", "Bearer "+tokenA)
	if got.status != 401 && got.status != 500 {
		t.Errorf("a tenant that breaks the URL: %d %s", got.status, got.body)
	}
}
