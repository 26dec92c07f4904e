package authn

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/authn/authntest"
)

// longClaims are valid for a day from t0, so tests can move the clock.
func (f *fixture) longClaims() map[string]any {
	return authntest.Claims(f.p.Issuer(), "api://orders", t0.Add(-time.Minute), 24*time.Hour)
}

func TestKeyRotation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.URL}})
	if _, fail := v.Validate(ctx, authntest.Sign(t, f.rsa, f.longClaims(), nil), true); fail != nil {
		t.Fatal(fail)
	}
	if n := f.p.JWKSRequests.Load(); n != 1 {
		t.Fatalf("JWKS requests = %d, want 1", n)
	}

	// The provider rotates: rsa-2 replaces rsa-1.
	rsa2 := &authntest.Key{ID: "rsa-2", Alg: "RS256", Private: keyCache.rsa2}
	f.p.Publish(rsa2, f.ec)

	// Within the minimum refresh interval the unknown kid is not fetched.
	f.clock.Advance(30 * time.Second)
	_, fail := v.Validate(ctx, authntest.Sign(t, rsa2, f.longClaims(), nil), true)
	wantFailure(t, fail, TokenSignatureKeyNotFound, "IDX10501: Signature validation failed. Unable to match key: kid: 'rsa-2'. Access denied.",
		`no key has the token's kid "rsa-2"`, "[rsa-1, ec-1]", "was not re-fetched for the unknown kid", "next allowed at 2026-11-23T03:01:00Z")
	if n := f.p.JWKSRequests.Load(); n != 1 {
		t.Fatalf("JWKS requests = %d, want 1 (bounded refresh)", n)
	}

	// After it, the first token with the new kid triggers one refresh.
	f.clock.Advance(time.Minute)
	res, fail := v.Validate(ctx, authntest.Sign(t, rsa2, f.longClaims(), nil), true)
	if fail != nil {
		t.Fatalf("new kid after refresh: %v", fail)
	}
	if res.KeyID != "rsa-2" {
		t.Errorf("kid = %q", res.KeyID)
	}
	if n := f.p.JWKSRequests.Load(); n != 2 {
		t.Fatalf("JWKS requests = %d, want 2", n)
	}

	// A token signed by the removed key fails, without another fetch.
	_, fail = v.Validate(ctx, authntest.Sign(t, f.rsa, f.longClaims(), nil), true)
	wantFailure(t, fail, TokenSignatureKeyNotFound, "~kid: 'rsa-1'", `no key has the token's kid "rsa-1"`, "[rsa-2, ec-1]")
	if n := f.p.JWKSRequests.Load(); n != 2 {
		t.Fatalf("JWKS requests = %d, want 2", n)
	}

	// Later, an unknown kid is fetched again and still missing.
	f.clock.Advance(2 * time.Minute)
	_, fail = v.Validate(ctx, authntest.Sign(t, f.rsa, f.longClaims(), nil), true)
	wantFailure(t, fail, TokenSignatureKeyNotFound, "", `was re-fetched for the unknown kid "rsa-1"`)
	if n := f.p.JWKSRequests.Load(); n != 3 {
		t.Fatalf("JWKS requests = %d, want 3", n)
	}
}

// waitFor polls cond until it holds or a second passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 200 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestBackgroundRefresh(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.URL}})
	if err := v.Prefetch(ctx); err != nil {
		t.Fatal(err)
	}
	rsa2 := &authntest.Key{ID: "rsa-2", Alg: "RS256", Private: keyCache.rsa2}
	f.p.Publish(f.rsa, rsa2)

	// Past the refresh interval a validation uses the cached keys and
	// starts a background refresh.
	f.clock.Advance(61 * time.Minute)
	if _, fail := v.Validate(ctx, authntest.Sign(t, f.rsa, f.longClaims(), nil), true); fail != nil {
		t.Fatal(fail)
	}
	waitFor(t, "the background refresh", func() bool {
		st := f.disc.Status()
		return len(st) == 1 && st[0].FetchedAt.Equal(f.clock.Now()) && len(st[0].KeyIDs) == 2
	})
	if _, fail := v.Validate(ctx, authntest.Sign(t, rsa2, f.longClaims(), nil), true); fail != nil {
		t.Fatal(fail)
	}
	if n := f.p.JWKSRequests.Load(); n != 2 {
		t.Errorf("JWKS requests = %d, want 2", n)
	}
	if err := f.disc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.p.MetadataRequests.Load(); n != 3 {
		t.Errorf("metadata requests = %d, want 3", n)
	}
}

func TestFetchFailureKeepsLastGoodKeys(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.URL}})
	tok := authntest.Sign(t, f.rsa, f.longClaims(), nil)
	if _, fail := v.Validate(ctx, tok, true); fail != nil {
		t.Fatal(fail)
	}
	f.p.Fail(500)
	f.clock.Advance(2 * time.Hour)
	if _, fail := v.Validate(ctx, tok, true); fail != nil {
		t.Fatalf("stale keys must stay in use: %v", fail)
	}
	waitFor(t, "the failed refresh", func() bool {
		st := f.disc.Status()
		return len(st) == 1 && st[0].LastError != nil
	})
	if _, fail := v.Validate(ctx, tok, true); fail != nil {
		t.Fatalf("keys after a failed refresh: %v", fail)
	}
	f.clock.Advance(2 * time.Minute)
	unknown := &authntest.Key{ID: "rsa-9", Alg: "RS256", Private: keyCache.rsa2}
	_, fail := v.Validate(ctx, authntest.Sign(t, unknown, f.longClaims(), nil), true)
	wantFailure(t, fail, TokenSignatureKeyNotFound, "~kid: 'rsa-9'", "the fetch failed", "status 500", "the keys fetched at 2026-11-23T03:00:00Z are still in use")
}

func TestFirstFetchFailure(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.p.Fail(503)
	v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.URL}})
	tok := authntest.Sign(t, f.rsa, f.longClaims(), nil)
	_, fail := v.Validate(ctx, tok, true)
	wantFailure(t, fail, TokenSignatureKeyNotFound, "", "the metadata could not be loaded", "status 503")
	_, fail = v.Validate(ctx, tok, true)
	wantFailure(t, fail, TokenSignatureKeyNotFound, "", "status 503")
	if n := f.p.MetadataRequests.Load(); n != 1 {
		t.Errorf("metadata requests = %d, want 1 (failures are retried at most once per interval)", n)
	}
	f.p.Fail(0)
	f.clock.Advance(2 * time.Minute)
	if _, fail := v.Validate(ctx, tok, true); fail != nil {
		t.Fatalf("after recovery: %v", fail)
	}
}

func TestConcurrentValidationsShareOneFetch(t *testing.T) {
	f := newFixture(t)
	f.p.Delay(100 * time.Millisecond)
	v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.URL}})
	tok := authntest.Sign(t, f.rsa, f.longClaims(), nil)
	var wg sync.WaitGroup
	fails := make(chan *Failure, 16)
	for range 16 {
		wg.Go(func() {
			if _, fail := v.Validate(context.Background(), tok, true); fail != nil {
				fails <- fail
			}
		})
	}
	wg.Wait()
	close(fails)
	for fail := range fails {
		t.Error(fail)
	}
	if m, j := f.p.MetadataRequests.Load(), f.p.JWKSRequests.Load(); m != 1 || j != 1 {
		t.Errorf("requests = %d metadata, %d JWKS; want 1 and 1", m, j)
	}
}

func TestFetchTimeout(t *testing.T) {
	f := newFixture(t)
	f.p.Delay(5 * time.Second)
	d := NewDiscovery(DiscoveryOptions{HTTPClient: f.p.Server.Client(), Timeout: 100 * time.Millisecond, Now: f.clock.Now})
	v, err := New(Config{OpenIDConfigURLs: []string{f.p.URL}}, Options{Discovery: d, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, fail := v.Validate(context.Background(), authntest.Sign(t, f.rsa, f.longClaims(), nil), true)
	wantFailure(t, fail, TokenSignatureKeyNotFound, "", "deadline exceeded")
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("validation took %s", el)
	}
}

func TestCallerContextCancelled(t *testing.T) {
	f := newFixture(t)
	f.p.Delay(300 * time.Millisecond)
	v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.URL}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, fail := v.Validate(ctx, authntest.Sign(t, f.rsa, f.longClaims(), nil), true)
	wantFailure(t, fail, TokenSignatureKeyNotFound, "", "context deadline exceeded")
	// The shared fetch goes on and later validations use its keys.
	waitFor(t, "the shared fetch", func() bool {
		st := f.disc.Status()
		return len(st) == 1 && !st[0].FetchedAt.IsZero()
	})
	if _, fail := v.Validate(context.Background(), authntest.Sign(t, f.rsa, f.longClaims(), nil), true); fail != nil {
		t.Fatal(fail)
	}
}

func TestSeveralOpenIDConfigs(t *testing.T) {
	f := newFixture(t)
	other := authntest.NewProvider(t, &authntest.Key{ID: "other-1", Alg: "RS256", Private: keyCache.rsa2})
	v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.URL, other.URL}})
	claims := authntest.Claims(other.Issuer(), "api://x", t0.Add(-time.Minute), time.Hour)
	if _, fail := v.Validate(context.Background(), authntest.Sign(t, &authntest.Key{ID: "other-1", Alg: "RS256", Private: keyCache.rsa2}, claims, nil), true); fail != nil {
		t.Fatal(fail)
	}
	if _, fail := v.Validate(context.Background(), authntest.Sign(t, f.rsa, f.claims("api://x"), nil), true); fail != nil {
		t.Fatal(fail)
	}
	_, fail := v.Validate(context.Background(), authntest.Sign(t, f.rsa, with(f.claims("api://x"), "iss", "https://evil.example"), nil), true)
	wantFailure(t, fail, TokenIssuerNotAllowed, "", f.p.Issuer(), other.Issuer())
}

func TestMalformedMetadata(t *testing.T) {
	f := newFixture(t)
	// A metadata URL that serves the key set instead of a discovery document.
	v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.Server.URL + "/keys"}})
	_, fail := v.Validate(context.Background(), authntest.Sign(t, f.rsa, f.claims("a"), nil), true)
	wantFailure(t, fail, TokenSignatureKeyNotFound, "", "has no jwks_uri")
	v = f.validator(t, Config{OpenIDConfigURLs: []string{f.p.Server.URL + "/missing"}})
	_, fail = v.Validate(context.Background(), authntest.Sign(t, f.rsa, f.claims("a"), nil), true)
	wantFailure(t, fail, TokenSignatureKeyNotFound, "", "404")
	if !strings.Contains(fail.Cause, "/missing") {
		t.Errorf("cause %q does not name the URL", fail.Cause)
	}
}

func TestEntraTenantPlaceholderIssuer(t *testing.T) {
	f := newFixture(t)
	f.p.SetIssuer("https://login.microsoftonline.com/{tenantid}/v2.0")
	v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.URL}})
	tid := "72f988bf-86f1-41af-91ab-2d7cd011db47"
	claims := with(f.claims("api://x"), "iss", "https://login.microsoftonline.com/"+tid+"/v2.0", "tid", tid)
	if _, fail := v.Validate(context.Background(), authntest.Sign(t, f.rsa, claims, nil), true); fail != nil {
		t.Fatal(fail)
	}
	claims = with(claims, "tid", "00000000-0000-0000-0000-000000000000")
	_, fail := v.Validate(context.Background(), authntest.Sign(t, f.rsa, claims, nil), true)
	wantFailure(t, fail, TokenIssuerNotAllowed, "")
}
