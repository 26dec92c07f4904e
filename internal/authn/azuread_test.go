package authn

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/authn/authntest"
)

func TestAzureAD(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const tenant = "11111111-2222-3333-4444-555555555555"
	const client, backend = "aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002"
	cfg := AzureADConfig{TenantID: tenant, Authority: f.p.Server.URL, ClientApplicationIDs: []string{client},
		BackendApplicationIDs: []string{backend}, RequiredClaims: []Claim{{Name: "roles", Match: "any", Values: []string{"Orders.Read"}}}}
	v, err := NewAzureAD(cfg, Options{Discovery: f.disc, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	issuer := f.p.Server.URL + "/" + tenant + "/v2.0"
	claims := map[string]any{"iss": issuer, "aud": "api://" + backend, "azp": client, "tid": tenant, "roles": []string{"Orders.Read"},
		"iat": t0.Unix(), "nbf": t0.Unix(), "exp": t0.Add(time.Hour).Unix()}

	res, fail := v.ValidateHeader(ctx, "Bearer "+authntest.Sign(t, f.rsa, claims, nil), true)
	if fail != nil {
		t.Fatal(fail)
	}
	if res.Issuer != issuer {
		t.Errorf("issuer = %q", res.Issuer)
	}
	// v1 tokens carry appid and the bare application ID as audience.
	v1 := with(claims, "azp", nil, "appid", client, "aud", backend)
	if _, fail := v.ValidateHeader(ctx, "Bearer "+authntest.Sign(t, f.rsa, v1, nil), true); fail != nil {
		t.Fatal(fail)
	}

	_, fail = v.ValidateHeader(ctx, "Bearer "+authntest.Sign(t, f.rsa, with(claims, "azp", "cccccccc-0000-0000-0000-000000000003"), nil), true)
	wantFailure(t, fail, TokenClaimValueNotAllowed, "Claim azp value of cccccccc-0000-0000-0000-000000000003 is not allowed. Access denied.",
		"not among client-application-ids")
	if fail.Source != "validate-azure-ad-token" {
		t.Errorf("source = %q", fail.Source)
	}
	_, fail = v.ValidateHeader(ctx, "Bearer "+authntest.Sign(t, f.rsa, with(claims, "aud", "api://someone-else"), nil), true)
	wantFailure(t, fail, TokenAudienceNotAllowed, "~IDX10214")
	_, fail = v.ValidateHeader(ctx, "Bearer "+authntest.Sign(t, f.rsa, with(claims, "roles", []string{"Orders.Write"}), nil), true)
	wantFailure(t, fail, TokenClaimValueNotAllowed, "Claim roles value of Orders.Write is not allowed. Access denied.")
	_, fail = v.ValidateHeader(ctx, "Bearer "+authntest.Sign(t, f.rsa, with(claims, "iss", "https://login.microsoftonline.com/other/v2.0"), nil), true)
	wantFailure(t, fail, TokenIssuerNotAllowed, "", issuer)
	_, fail = v.ValidateHeader(ctx, "Basic abc", true)
	wantFailure(t, fail, TokenNotPresent, "JWT not present.", "scheme")

	if got := f.p.MetadataRequests.Load(); got != 1 {
		t.Errorf("metadata requests = %d", got)
	}
}

func TestAzureADConfig(t *testing.T) {
	c := AzureADConfig{TenantID: "11111111-2222-3333-4444-555555555555", ClientApplicationIDs: []string{"c"}, BackendApplicationIDs: []string{"b"}, Audiences: []string{"api://x"}}
	if got := c.MetadataURL(); got != "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0/.well-known/openid-configuration" {
		t.Errorf("metadata URL = %q", got)
	}
	cfg, err := c.JWTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HeaderName != "Authorization" || cfg.RequireScheme != "Bearer" || cfg.Source != "validate-azure-ad-token" {
		t.Errorf("cfg = %+v", cfg)
	}
	if !slices.Equal(cfg.Audiences, []string{"api://x", "b", "api://b"}) {
		t.Errorf("audiences = %v", cfg.Audiences)
	}
	if !slices.Equal(cfg.Issuers, []string{"https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0", "https://sts.windows.net/11111111-2222-3333-4444-555555555555/"}) {
		t.Errorf("issuers = %v", cfg.Issuers)
	}
	c.TenantID = "contoso.onmicrosoft.com"
	c.Authority = "https://login.microsoftonline.us/"
	cfg, _ = c.JWTConfig()
	if len(cfg.Issuers) != 0 || !strings.HasPrefix(cfg.OpenIDConfigURLs[0], "https://login.microsoftonline.us/contoso.onmicrosoft.com/v2.0/") {
		t.Errorf("cfg = %+v", cfg)
	}
	if _, err := (AzureADConfig{ClientApplicationIDs: []string{"c"}}).JWTConfig(); err == nil || !strings.Contains(err.Error(), "tenant-id") {
		t.Errorf("err = %v", err)
	}
	// Without client-application-ids any client application is accepted.
	if cfg, err := (AzureADConfig{TenantID: "t", Audiences: []string{"api://x"}}).JWTConfig(); err != nil || len(cfg.ClientApplicationIDs) != 0 {
		t.Errorf("without client-application-ids: %+v, %v", cfg, err)
	}
}

func TestOpenIDConfigURLsPerRequestAreBounded(t *testing.T) {
	v, err := New(Config{Audiences: []string{"a"}}, Options{DynamicOpenIDConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range MaxProviders {
		if _, err := v.With(Overrides{OpenIDConfigURLs: []string{fmt.Sprintf("https://idp.test/t%d/.well-known/openid-configuration", i)}}); err != nil {
			t.Fatalf("URL %d: %v", i+1, err)
		}
	}
	// A URL already kept is still fine; a new one is refused.
	if _, err := v.With(Overrides{OpenIDConfigURLs: []string{"https://idp.test/t0/.well-known/openid-configuration"}}); err != nil {
		t.Errorf("a known URL: %v", err)
	}
	if _, err := v.With(Overrides{OpenIDConfigURLs: []string{"https://idp.test/new/.well-known/openid-configuration"}}); err == nil {
		t.Error("a URL beyond MaxProviders was accepted")
	}
	if _, err := v.With(Overrides{OpenIDConfigURLs: []string{"ftp://idp.test/x"}}); err == nil {
		t.Error("an ftp URL was accepted")
	}
	plain, _ := New(Config{Audiences: []string{"a"}}, Options{})
	if _, err := plain.With(Overrides{OpenIDConfigURLs: []string{"https://idp.test/x"}}); err == nil {
		t.Error("a validator built without discovery took per-request URLs")
	}
}
