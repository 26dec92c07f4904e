package authn

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/authn/authntest"
)

func TestAlgorithmsFromJWKS(t *testing.T) {
	cachedKeys(t)
	keys := []*authntest.Key{
		{ID: "rs384", Alg: "RS384", Private: keyCache.rsa},
		{ID: "ps512", Alg: "PS512", Private: keyCache.rsa2},
		authntest.ECKey(t, "es384", "ES384"),
		authntest.ECKey(t, "es512", "ES512"),
	}
	p := authntest.NewProvider(t, keys...)
	now := func() time.Time { return t0 }
	d := NewDiscovery(DiscoveryOptions{HTTPClient: p.Server.Client(), Now: now})
	v, err := New(Config{OpenIDConfigURLs: []string{p.URL}}, Options{Discovery: d, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	claims := authntest.Claims(p.Issuer(), "api://x", t0.Add(-time.Minute), time.Hour)
	for _, k := range keys {
		t.Run(k.Alg, func(t *testing.T) {
			if _, fail := v.Validate(context.Background(), authntest.Sign(t, k, claims, nil), true); fail != nil {
				t.Fatal(fail)
			}
		})
	}
	t.Run("alg differs from the JWKS alg", func(t *testing.T) {
		// Signed with the PS512 key under RS512: the JWKS entry says PS512.
		tok := authntest.Sign(t, &authntest.Key{ID: "ps512", Alg: "RS512", Private: keyCache.rsa2}, claims, nil)
		_, fail := v.Validate(context.Background(), tok, true)
		wantFailure(t, fail, TokenSignatureInvalid, "", "is published for alg PS512, not RS512")
	})
	t.Run("EC curve mismatch", func(t *testing.T) {
		// A P-521 key's kid on an ES256 token.
		p256 := authntest.ECKey(t, "es512", "ES256")
		_, fail := v.Validate(context.Background(), authntest.Sign(t, p256, claims, nil), true)
		wantFailure(t, fail, TokenSignatureInvalid, "", "curve P-521")
	})
}
