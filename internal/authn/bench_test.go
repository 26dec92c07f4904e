package authn

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/authn/authntest"
)

// BenchmarkValidateRS256 validates an RS256 token whose key is already in
// the discovery cache: the request-time cost of validate-jwt.
func BenchmarkValidateRS256(b *testing.B) {
	cachedKeys(b)
	key := &authntest.Key{ID: "rsa-1", Alg: "RS256", Private: keyCache.rsa}
	p := authntest.NewProvider(b, key)
	now := func() time.Time { return t0 }
	d := NewDiscovery(DiscoveryOptions{HTTPClient: p.Server.Client(), Now: now})
	v, err := New(Config{HeaderName: "Authorization", RequireScheme: "Bearer", OpenIDConfigURLs: []string{p.URL},
		Audiences: []string{"api://orders"}, RequiredClaims: []Claim{{Name: "roles", Match: "any", Values: []string{"Orders.Read"}}}},
		Options{Discovery: d, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	claims := authntest.Claims(p.Issuer(), "api://orders", t0.Add(-time.Minute), time.Hour)
	claims["roles"] = []string{"Orders.Read"}
	header := "Bearer " + authntest.Sign(b, key, claims, nil)
	ctx := context.Background()
	if err := v.Prefetch(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, fail := v.ValidateHeader(ctx, header, true); fail != nil {
			b.Fatal(fail)
		}
	}
}

// BenchmarkValidateHS256 is the same with an inline HMAC key.
func BenchmarkValidateHS256(b *testing.B) {
	key := authntest.HMACKey("", "HS256", []byte("0123456789abcdef0123456789abcdef"))
	now := func() time.Time { return t0 }
	v, err := New(Config{IssuerSigningKeys: []Key{{Value: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}}, Audiences: []string{"api://orders"}}, Options{Now: now})
	if err != nil {
		b.Fatal(err)
	}
	tok := authntest.Sign(b, key, authntest.Claims("https://issuer", "api://orders", t0.Add(-time.Minute), time.Hour), nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, fail := v.Validate(ctx, tok, true); fail != nil {
			b.Fatal(fail)
		}
	}
}
