package authn

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/authn/authntest"
)

func TestValidateScenarios(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	oidc := func(c Config) Config {
		c.HeaderName = "Authorization"
		c.RequireScheme = "Bearer"
		c.OpenIDConfigURLs = []string{f.p.URL}
		return c
	}
	hmac := authntest.HMACKey("", "HS256", []byte("0123456789abcdef0123456789abcdef"))
	hmacCfg := Config{HeaderName: "Authorization", IssuerSigningKeys: []Key{{Value: base64.StdEncoding.EncodeToString(hmac.Secret)}}}
	rsaKid := f.rsa.ID
	pubPEM := func() []byte {
		der, err := x509.MarshalPKIXPublicKey(&keyCache.rsa.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()

	type tc struct {
		name   string
		cfg    Config
		token  string // validated with found=true unless header is set
		header *string
		reason Reason // "" means success
		msg    string
		causes []string
	}
	str := func(s string) *string { return &s }
	base := f.claims("api://orders")
	tests := []tc{
		{name: "valid RS256 from openid-config", cfg: oidc(Config{Audiences: []string{"api://orders"}}),
			token: authntest.Sign(t, f.rsa, base, nil)},
		{name: "valid ES256 from openid-config", cfg: oidc(Config{}), token: authntest.Sign(t, f.ec, base, nil)},
		{name: "audience trailing slash in required-claims aud (seed)", cfg: oidc(Config{RequiredClaims: []Claim{{Name: "aud", Values: []string{"api://orders"}}}}),
			token:  authntest.Sign(t, f.rsa, with(base, "aud", "api://orders/"), nil),
			reason: TokenClaimValueNotAllowed, msg: "Claim aud value of api://orders/ is not allowed. Access denied.",
			causes: []string{`"api://orders/" and "api://orders": they differ only by a trailing slash`}},
		{name: "audience with a trailing slash is not allowed (seed)", cfg: oidc(Config{Audiences: []string{"api://orders"}}),
			token:  authntest.Sign(t, f.rsa, with(base, "aud", "api://orders/"), nil),
			reason: TokenAudienceNotAllowed,
			causes: []string{`"api://orders/" and "api://orders": they differ only by a trailing slash`}},
		{name: "audience differs by case", cfg: oidc(Config{Audiences: []string{"api://Orders"}}),
			token:  authntest.Sign(t, f.rsa, base, nil),
			reason: TokenAudienceNotAllowed,
			msg:    "IDX10214: Audience validation failed. Audiences: 'api://orders'. Did not match: validationParameters.ValidAudience: 'null' or validationParameters.ValidAudiences: 'api://Orders'. Access denied.",
			causes: []string{`the token's audience "api://orders" is not among the allowed audiences "api://Orders"`, "letter case"}},
		{name: "wrong audience", cfg: oidc(Config{Audiences: []string{"api://billing", "api://shipping"}}),
			token: authntest.Sign(t, f.rsa, base, nil), reason: TokenAudienceNotAllowed, msg: "~IDX10214",
			causes: []string{`"api://billing", "api://shipping"`}},
		{name: "no aud claim", cfg: oidc(Config{Audiences: []string{"api://orders"}}),
			token: authntest.Sign(t, f.rsa, with(base, "aud", nil), nil), reason: TokenAudienceNotAllowed,
			msg: "IDX10206: Unable to validate audience. The 'audiences' parameter is empty. Access denied.", causes: []string{"no aud claim"}},
		{name: "expired", cfg: oidc(Config{}), token: authntest.Sign(t, f.rsa, with(base, "exp", t0.Add(-time.Minute).Unix()), nil),
			reason: TokenExpired,
			msg:    "IDX10223: Lifetime validation failed. The token is expired. ValidTo: '11/23/2026 02:59:00', Current time: '11/23/2026 03:00:00'. Access denied.",
			causes: []string{"expired at 2026-11-23T02:59:00Z", "now is 2026-11-23T03:00:00Z", "clock-skew is 0", "expired 1m0s ago"}},
		{name: "expired within clock-skew", cfg: oidc(Config{ClockSkew: 2 * time.Minute}),
			token: authntest.Sign(t, f.rsa, with(base, "exp", t0.Add(-time.Minute).Unix()), nil)},
		{name: "expired beyond clock-skew", cfg: oidc(Config{ClockSkew: 30 * time.Second}),
			token:  authntest.Sign(t, f.rsa, with(base, "exp", t0.Add(-time.Minute).Unix()), nil),
			reason: TokenExpired, msg: "~The token is expired", causes: []string{"clock-skew is 30s"}},
		{name: "not before in the future", cfg: oidc(Config{}), token: authntest.Sign(t, f.rsa, with(base, "nbf", t0.Add(10*time.Minute).Unix()), nil),
			reason: JwtInvalid,
			msg:    "IDX10222: Lifetime validation failed. The token is not yet valid. ValidFrom: '11/23/2026 03:10:00', Current time: '11/23/2026 03:00:00'.",
			causes: []string{"becomes valid in 10m0s", "clocks"}},
		{name: "not before within clock-skew", cfg: oidc(Config{ClockSkew: 15 * time.Minute}),
			token: authntest.Sign(t, f.rsa, with(base, "nbf", t0.Add(10*time.Minute).Unix()), nil)},
		{name: "missing exp", cfg: oidc(Config{}), token: authntest.Sign(t, f.rsa, with(base, "exp", nil), nil),
			reason: JwtInvalid, msg: msgNoExpiration, causes: []string{"require-expiration-time is true"}},
		{name: "missing exp allowed", cfg: oidc(Config{RequireExpirationTime: Bool(false)}), token: authntest.Sign(t, f.rsa, with(base, "exp", nil), nil)},
		{name: "missing token", cfg: oidc(Config{}), header: nil, token: "", reason: TokenNotPresent, msg: "JWT not present.",
			causes: []string{"the Authorization header is empty"}},
		{name: "missing header", cfg: oidc(Config{}), header: str("<absent>"), reason: TokenNotPresent, msg: "JWT not present.",
			causes: []string{"the request has no Authorization header"}},
		{name: "wrong scheme", cfg: oidc(Config{}), header: str("Basic dXNlcjpwYXNz"), reason: TokenNotPresent, msg: "JWT not present.",
			causes: []string{`the token was found in the header Authorization but its scheme is "Basic", not "Bearer"`}},
		{name: "scheme is case-insensitive", cfg: oidc(Config{}), header: str("bearer " + authntest.Sign(t, f.rsa, base, nil))},
		{name: "subscription key sent as the bearer token (seed)", cfg: oidc(Config{}), header: str("Bearer 0123456789abcdef0123456789ABCDEF"),
			reason: JwtInvalid, msg: msgSegments, causes: []string{"this looks like a subscription key, not a JWT", "Ocp-Apim-Subscription-Key"}},
		{name: "scheme in a custom header", cfg: Config{HeaderName: "X-Token", OpenIDConfigURLs: []string{f.p.URL}},
			header: str("Bearer abc"), reason: JwtInvalid, causes: []string{`contains a space after "Bearer"`}},
		{name: "garbage token", cfg: oidc(Config{}), token: "abc.def", reason: JwtInvalid, msg: msgSegments, causes: []string{"has 2 dot-separated segments"}},
		{name: "header not base64", cfg: oidc(Config{}), token: "!!.e30.sig", reason: JwtInvalid, msg: msgBadHeader},
		{name: "payload not JSON", cfg: oidc(Config{}), token: "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.sig", reason: JwtInvalid, msg: msgBadPayload},
		{name: "wrong issuer", cfg: oidc(Config{Issuers: []string{"https://login.example/tenant/v2.0"}}),
			token: authntest.Sign(t, f.rsa, with(base, "iss", "https://login.example/tenant/v2.0/"), nil), reason: TokenIssuerNotAllowed,
			msg:    "IDX10205: Issuer validation failed. Issuer: 'https://login.example/tenant/v2.0/'. Did not match: validationParameters.ValidIssuer: 'null' or validationParameters.ValidIssuers: 'https://login.example/tenant/v2.0'. Access denied.",
			causes: []string{"the policy's issuers", "trailing slash"}},
		{name: "issuer from discovery accepted", cfg: oidc(Config{}), token: authntest.Sign(t, f.rsa, base, nil)},
		{name: "issuer not the discovery issuer", cfg: oidc(Config{}), token: authntest.Sign(t, f.rsa, with(base, "iss", "https://other.example"), nil),
			reason: TokenIssuerNotAllowed, causes: []string{"the openid-config documents' issuers"}},
		{name: "v1 issuer hint", cfg: oidc(Config{Issuers: []string{"https://login.microsoftonline.com/t/v2.0"}}),
			token: authntest.Sign(t, f.rsa, with(base, "iss", "https://sts.windows.net/t/"), nil), reason: TokenIssuerNotAllowed, causes: []string{"v1 token"}},
		{name: "no iss", cfg: oidc(Config{}), token: authntest.Sign(t, f.rsa, with(base, "iss", nil), nil), reason: TokenIssuerNotAllowed,
			msg: "IDX10211: Unable to validate issuer. The 'issuer' parameter is null or whitespace Access denied."},
		{name: "missing claims", cfg: oidc(Config{RequiredClaims: []Claim{{Name: "roles", Values: []string{"admin"}}, {Name: "sub"}, {Name: "scp"}}}),
			token: authntest.Sign(t, f.rsa, base, nil), reason: TokenClaimNotFound,
			msg: "JWT token is missing the following claims: roles, scp Access denied.", causes: []string{`"roles", "scp"`, "aud, exp, iat, iss, nbf, sub"}},
		{name: "claim match all fails", cfg: oidc(Config{RequiredClaims: []Claim{{Name: "roles", Match: "all", Values: []string{"reader", "writer"}}}}),
			token: authntest.Sign(t, f.rsa, with(base, "roles", []string{"reader"}), nil), reason: TokenClaimValueNotAllowed,
			msg: "Claim roles value of reader is not allowed. Access denied.", causes: []string{`claim roles has "reader" but not "writer"; match="all" (the default) needs every one of "reader", "writer"`}},
		{name: "claim match all passes", cfg: oidc(Config{RequiredClaims: []Claim{{Name: "roles", Values: []string{"reader", "writer"}}}}),
			token: authntest.Sign(t, f.rsa, with(base, "roles", []string{"writer", "reader", "other"}), nil)},
		{name: "claim match any passes", cfg: oidc(Config{RequiredClaims: []Claim{{Name: "roles", Match: "any", Values: []string{"admin", "reader"}}}}),
			token: authntest.Sign(t, f.rsa, with(base, "roles", []string{"reader"}), nil)},
		{name: "claim match any fails", cfg: oidc(Config{RequiredClaims: []Claim{{Name: "roles", Match: "any", Values: []string{"admin", "owner"}}}}),
			token: authntest.Sign(t, f.rsa, with(base, "roles", []string{"reader", "writer"}), nil), reason: TokenClaimValueNotAllowed,
			msg: "Claim roles value of reader,writer is not allowed. Access denied.", causes: []string{`match="any"`}},
		{name: "claim separator splits", cfg: oidc(Config{RequiredClaims: []Claim{{Name: "scp", Separator: " ", Values: []string{"orders.read", "orders.write"}}}}),
			token: authntest.Sign(t, f.rsa, with(base, "scp", "orders.read orders.write"), nil)},
		{name: "claim without separator", cfg: oidc(Config{RequiredClaims: []Claim{{Name: "scp", Values: []string{"orders.read"}}}}),
			token: authntest.Sign(t, f.rsa, with(base, "scp", "orders.read orders.write"), nil), reason: TokenClaimValueNotAllowed,
			msg: "Claim scp value of orders.read orders.write is not allowed. Access denied.", causes: []string{`set separator=" "`}},
		{name: "numeric and boolean claims compare as text", cfg: oidc(Config{RequiredClaims: []Claim{{Name: "level", Values: []string{"3"}}, {Name: "mfa", Values: []string{"true"}}}}),
			token: authntest.Sign(t, f.rsa, with(base, "level", 3, "mfa", true), nil)},
		{name: "unsigned token rejected", cfg: oidc(Config{}), token: authntest.Unsigned(t, base), reason: TokenSignatureInvalid,
			msg: msgUnsigned + " Access denied.", causes: []string{`alg "none"`, "require-signed-tokens is true"}},
		{name: "unsigned token allowed", cfg: oidc(Config{RequireSignedTokens: Bool(false)}), token: authntest.Unsigned(t, base)},
		{name: "stripped signature rejected", cfg: oidc(Config{}), token: strings.TrimRightFunc(authntest.Sign(t, f.rsa, base, nil), func(r rune) bool { return r != '.' }),
			reason: TokenSignatureInvalid, msg: msgUnsigned + " Access denied.", causes: []string{`alg "RS256", empty signature segment`}},
		{name: "alg none with a signature", cfg: oidc(Config{RequireSignedTokens: Bool(false)}), token: authntest.Unsigned(t, base) + "c2ln",
			reason: TokenSignatureInvalid, causes: []string{"carries a signature segment"}},
		{name: "missing alg", cfg: oidc(Config{}), token: withHeader(t, authntest.Sign(t, f.rsa, base, nil), `{"kid":"rsa-1"}`),
			reason: TokenSignatureInvalid, causes: []string{`alg "" is not supported`}},
		{name: "signed token still verified when unsigned allowed", cfg: oidc(Config{RequireSignedTokens: Bool(false)}),
			token: tamper(authntest.Sign(t, f.rsa, base, nil)), reason: TokenSignatureInvalid, causes: []string{`kid "rsa-1" did not verify`}},
		{name: "tampered payload", cfg: oidc(Config{}), token: tamper(authntest.Sign(t, f.rsa, base, nil)), reason: TokenSignatureInvalid,
			msg: "IDX10511: Signature validation failed. Keys tried: 'rsa-1'. kid: 'rsa-1'. Access denied."},
		{name: "HMAC from inline key", cfg: hmacCfg, token: authntest.Sign(t, hmac, base, nil)},
		{name: "HMAC wrong secret", cfg: hmacCfg, token: authntest.Sign(t, authntest.HMACKey("", "HS256", []byte("another secret of 32 bytes......")), base, nil),
			reason: TokenSignatureInvalid, msg: "~IDX10503", causes: []string{"none of the 1 symmetric (HMAC) key(s) verified", "base64 encoding of the secret"}},
		{name: "HS384 with inline key", cfg: hmacCfg, token: authntest.Sign(t, authntest.HMACKey("", "HS384", hmac.Secret), base, nil)},
		{name: "algorithm confusion: HS256 signed with the RSA public key", cfg: oidc(Config{}),
			token:  authntest.Sign(t, authntest.HMACKey(rsaKid, "HS256", pubPEM), base, nil),
			reason: TokenSignatureInvalid, causes: []string{"cannot verify a HS256 signature", "never used as an HMAC secret"}},
		{name: "algorithm confusion without kid", cfg: oidc(Config{}),
			token:  authntest.Sign(t, authntest.HMACKey("", "HS256", pubPEM), base, nil),
			reason: TokenSignatureKeyNotFound, msg: msgNoKeys + " Access denied.", causes: []string{"no key that can verify a HS256 signature"}},
		{name: "unsupported alg", cfg: oidc(Config{}), token: withHeader(t, authntest.Sign(t, f.rsa, base, nil), `{"alg":"RS1","kid":"rsa-1"}`),
			reason: TokenSignatureInvalid, msg: "~IDX10634", causes: []string{`alg "RS1" is not supported`}},
		{name: "RSA key from n and e with id", cfg: Config{IssuerSigningKeys: []Key{{ID: "static", N: b64u(keyCache.rsa.N.Bytes()), E: "AQAB"}}},
			token: authntest.Sign(t, &authntest.Key{ID: "static", Alg: "PS256", Private: keyCache.rsa}, base, nil)},
		{name: "RSA key from certificate", cfg: Config{IssuerSigningKeys: []Key{{CertificateID: "signing-cert", Certificate: keyCache.certPEM}}},
			token: authntest.Sign(t, &authntest.Key{Alg: "RS512", Private: keyCache.rsa2}, base, nil)},
		{name: "kid not found in static keys", cfg: Config{IssuerSigningKeys: []Key{{ID: "a", N: b64u(keyCache.rsa2.N.Bytes()), E: "AQAB"}}},
			token: authntest.Sign(t, f.rsa, base, nil), reason: TokenSignatureKeyNotFound,
			msg: "IDX10501: Signature validation failed. Unable to match key: kid: 'rsa-1'. Access denied.", causes: []string{"issuer-signing-keys [a]"}},
		{name: "kid unknown but a key without id verifies", cfg: Config{IssuerSigningKeys: []Key{{N: b64u(keyCache.rsa.N.Bytes()), E: "AQAB"}}},
			token: authntest.Sign(t, f.rsa, base, nil)},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			v := f.validator(t, c.cfg)
			var res *Result
			var fail *Failure
			switch {
			case c.header != nil && *c.header == "<absent>":
				res, fail = v.ValidateHeader(ctx, "", false)
			case c.header != nil:
				res, fail = v.ValidateHeader(ctx, *c.header, true)
			case c.cfg.HeaderName != "":
				res, fail = v.ValidateHeader(ctx, "Bearer "+c.token, true)
				if c.token == "" {
					res, fail = v.ValidateHeader(ctx, "", true)
				}
			default:
				res, fail = v.Validate(ctx, c.token, true)
			}
			if c.reason == "" {
				if fail != nil {
					t.Fatalf("failure: %v", fail)
				}
				if res == nil || res.Claims == nil {
					t.Fatal("nil result")
				}
				return
			}
			if fail != nil && testing.Verbose() {
				t.Logf("%s | %s | %s", fail.Reason, fail.Message, fail.Cause)
			}
			wantFailure(t, fail, c.reason, c.msg, c.causes...)
			if fail != nil && fail.Status != 401 {
				t.Errorf("status = %d, want 401", fail.Status)
			}
		})
	}
}

// tamper changes one character of the payload.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	claims = []byte(strings.Replace(string(claims), `"sub":"user-1"`, `"sub":"admin-1"`, 1))
	parts[1] = base64.RawURLEncoding.EncodeToString(claims)
	return strings.Join(parts, ".")
}

// withHeader replaces the token's header.
func withHeader(t *testing.T, tok, hdr string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	parts[0] = base64.RawURLEncoding.EncodeToString([]byte(hdr))
	return strings.Join(parts, ".")
}

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func TestResultFields(t *testing.T) {
	f := newFixture(t)
	v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.URL}})
	claims := with(f.claims("api://a"), "aud", []string{"api://a", "api://b"}, "jti", "id-7", "roles", []string{"r1", "r2"}, "level", 3)
	res, fail := v.Validate(context.Background(), authntest.Sign(t, f.rsa, claims, nil), true)
	if fail != nil {
		t.Fatal(fail)
	}
	if res.Algorithm != "RS256" || res.KeyID != "rsa-1" || res.Type != "JWT" || res.ID != "id-7" || res.Subject != "user-1" || res.Issuer != f.p.Issuer() {
		t.Errorf("result = %+v", res)
	}
	if strings.Join(res.Audiences, "|") != "api://a|api://b" {
		t.Errorf("audiences = %v", res.Audiences)
	}
	if !res.ExpiresAt.Equal(t0.Add(59*time.Minute)) || !res.NotBefore.Equal(t0.Add(-time.Minute)) || !res.IssuedAt.Equal(t0.Add(-time.Minute)) {
		t.Errorf("times = %v %v %v", res.ExpiresAt, res.NotBefore, res.IssuedAt)
	}
	if got := strings.Join(res.ClaimValues("roles"), ","); got != "r1,r2" {
		t.Errorf("roles = %q", got)
	}
	if got := strings.Join(res.ClaimValues("level"), ","); got != "3" {
		t.Errorf("level = %q", got)
	}
	if res.ClaimValues("nope") != nil {
		t.Error("absent claim has values")
	}
}

func TestFailureStatusAndResponseMessage(t *testing.T) {
	v, err := New(Config{FailedValidationHTTPCode: 403, FailedValidationErrorMessage: "Unauthorized. Access token is missing or invalid.", Source: ""}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, fail := v.Validate(context.Background(), "", false)
	if fail.Status != 403 || fail.ResponseMessage != "Unauthorized. Access token is missing or invalid." || fail.Message != "JWT not present." || fail.Source != "validate-jwt" {
		t.Errorf("failure = %+v", fail)
	}
	if !strings.Contains(fail.Error(), "validate-jwt: TokenNotPresent: JWT not present. (") {
		t.Errorf("Error() = %q", fail.Error())
	}
}

func TestExtractToken(t *testing.T) {
	tests := []struct {
		name, header, value string
		present             bool
		scheme              string
		token, cause        string
	}{
		{"bearer", "Authorization", "Bearer abc", true, "Bearer", "abc", ""},
		{"no scheme required", "Authorization", "Bearer abc", true, "", "abc", ""},
		{"bare token, no scheme required", "Authorization", "abc", true, "", "abc", ""},
		{"bare token, scheme required", "Authorization", "abc", true, "Bearer", "", "has no scheme"},
		{"wrong scheme", "Authorization", "Basic abc", true, "Bearer", "", `its scheme is "Basic", not "Bearer"`},
		{"scheme only", "Authorization", "Bearer ", true, "Bearer", "", "has no scheme"},
		{"scheme without token", "authorization", "Bearer   x", true, "bearer", "x", ""},
		{"absent", "Authorization", "", false, "Bearer", "", "has no Authorization header"},
		{"empty", "Authorization", "  ", true, "Bearer", "", "header is empty"},
		{"custom header ignores scheme", "X-Jwt", "abc", true, "Bearer", "abc", ""},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			x := ExtractToken(c.header, c.value, c.present, c.scheme)
			if x.Token != c.token || x.Found != (c.token != "") {
				t.Errorf("extraction = %+v, want token %q", x, c.token)
			}
			if c.cause != "" && !strings.Contains(x.Cause, c.cause) {
				t.Errorf("cause = %q, want %q", x.Cause, c.cause)
			}
		})
	}
}

func TestJWE(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	secret := []byte("0123456789abcdef0123456789abcdef") // 256 bits for A128CBC-HS256 with dir
	inner := authntest.Sign(t, f.rsa, f.claims("api://orders"), nil)
	cfg := Config{OpenIDConfigURLs: []string{f.p.URL}, Audiences: []string{"api://orders"},
		DecryptionKeys: []Key{{Value: base64.StdEncoding.EncodeToString(secret)}, {CertificateID: "enc-cert", Certificate: append(append([]byte{}, keyCache.certPEM...), keyCache.keyPEM...)}}}
	v := f.validator(t, cfg)

	t.Run("dir symmetric", func(t *testing.T) {
		tok := authntest.Encrypt(t, inner, "dir", secret, "", "A128CBC-HS256")
		res, fail := v.Validate(ctx, tok, true)
		if fail != nil {
			t.Fatal(fail)
		}
		if !res.Encrypted || res.Raw != tok || res.Subject != "user-1" {
			t.Errorf("result = %+v", res)
		}
	})
	t.Run("A256KW symmetric", func(t *testing.T) {
		tok := authntest.Encrypt(t, inner, "A256KW", secret, "", "A256CBC-HS512")
		if _, fail := v.Validate(ctx, tok, true); fail != nil {
			t.Fatal(fail)
		}
	})
	t.Run("RSA-OAEP certificate", func(t *testing.T) {
		tok := authntest.Encrypt(t, inner, "RSA-OAEP", &keyCache.rsa2.PublicKey, "", "A256CBC-HS512")
		if _, fail := v.Validate(ctx, tok, true); fail != nil {
			t.Fatal(fail)
		}
	})
	t.Run("encrypted expired token", func(t *testing.T) {
		expired := authntest.Sign(t, f.rsa, with(f.claims("api://orders"), "exp", t0.Add(-time.Hour).Unix()), nil)
		_, fail := v.Validate(ctx, authntest.Encrypt(t, expired, "dir", secret, "", ""), true)
		wantFailure(t, fail, TokenExpired, "~IDX10223")
	})
	t.Run("wrong key", func(t *testing.T) {
		tok := authntest.Encrypt(t, inner, "RSA-OAEP-256", &keyCache.rsa.PublicKey, "", "")
		_, fail := v.Validate(ctx, tok, true)
		wantFailure(t, fail, JwtInvalid, "IDX10603: Decryption failed. Keys tried: 'decryption-keys/key[2]'.", "no decryption key opened the token")
	})
	t.Run("no decryption keys", func(t *testing.T) {
		v := f.validator(t, Config{OpenIDConfigURLs: []string{f.p.URL}})
		tok := authntest.Encrypt(t, inner, "dir", secret, "", "")
		_, fail := v.Validate(ctx, tok, true)
		wantFailure(t, fail, JwtInvalid, msgNoDecryptionKeys, "has no decryption-keys")
	})
}

func TestNewConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"bad base64", Config{IssuerSigningKeys: []Key{{Value: "not base64!"}}}, []string{"issuer-signing-keys/key[1]: the symmetric key text is not valid base64"}},
		{"n without e", Config{IssuerSigningKeys: []Key{{Value: "YWJj"}, {N: "AQAB"}}}, []string{"issuer-signing-keys/key[2]: attribute e: the RSA exponent is missing"}},
		{"short modulus", Config{IssuerSigningKeys: []Key{{N: "AQAB", E: "AQAB"}}}, []string{"attribute n: the RSA modulus has 17 bits"}},
		{"certificate not supplied", Config{IssuerSigningKeys: []Key{{CertificateID: "c1"}}}, []string{`attribute certificate-id: certificate "c1" was not supplied`}},
		{"certificate garbage", Config{IssuerSigningKeys: []Key{{CertificateID: "c1", Certificate: []byte("junk")}}}, []string{`certificate "c1": neither PEM nor a DER certificate`}},
		{"empty key", Config{IssuerSigningKeys: []Key{{ID: "x"}}}, []string{"the key has no material"}},
		{"mixed forms", Config{IssuerSigningKeys: []Key{{Value: "YWJj", N: "AQAB", E: "AQAB"}}}, []string{"mixes forms"}},
		{"decryption with n", Config{DecryptionKeys: []Key{{N: "AQAB", E: "AQAB"}}}, []string{"decryption-keys/key[1]: attribute n: n and e give an RSA public key"}},
		{"decryption certificate without private key", Config{DecryptionKeys: []Key{{CertificateID: "c", Certificate: []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}}}, []string{"no RSA private key found"}},
		{"bad match", Config{RequiredClaims: []Claim{{Name: "a", Match: "some"}}}, []string{`required-claims/claim[1]: attribute match: "some" is neither`}},
		{"bad url", Config{OpenIDConfigURLs: []string{"ftp://x"}}, []string{`openid-config[1]: attribute url: "ftp://x" is not`}},
		{"several errors", Config{IssuerSigningKeys: []Key{{Value: "!"}, {Value: "!"}}}, []string{"key[1]", "key[2]"}},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.cfg, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error = %q, want %q", err, w)
				}
			}
		})
	}
	_, err := New(Config{IssuerSigningKeys: []Key{{Value: "YWJj"}, {N: "AQAB"}}}, Options{})
	ke, ok := errors.AsType[*ConfigError](err)
	if !ok || ke.Index != 1 || ke.Element != "issuer-signing-keys/key[2]" || ke.Attribute != "e" {
		t.Errorf("ConfigError = %+v, %v", ke, ok)
	}
}

func TestWithOverrides(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.validator(t, Config{HeaderName: "Authorization", OpenIDConfigURLs: []string{f.p.URL}})
	expired := authntest.Sign(t, f.rsa, with(f.claims("a"), "exp", t0.Add(-time.Minute).Unix()), nil)
	if _, fail := v.Validate(ctx, expired, true); fail == nil || fail.Status != 401 {
		t.Fatalf("failure = %v", fail)
	}
	code, msg, skew, scheme := 403, "custom", 2*time.Minute, "Bearer"
	w, err := v.With(Overrides{FailedValidationHTTPCode: &code, FailedValidationErrorMessage: &msg, ClockSkew: &skew, RequireScheme: &scheme})
	if err != nil {
		t.Fatal(err)
	}
	if _, fail := w.Validate(ctx, expired, true); fail != nil {
		t.Fatalf("skew override: %v", fail)
	}
	_, fail := w.ValidateHeader(ctx, "Basic x", true)
	if fail == nil || fail.Status != 403 || fail.ResponseMessage != "custom" || fail.Reason != TokenNotPresent {
		t.Fatalf("failure = %+v", fail)
	}
	if _, fail := v.Validate(ctx, expired, true); fail == nil {
		t.Fatal("the original validator changed")
	}
	bad := -time.Second
	if _, err := v.With(Overrides{ClockSkew: &bad}); err == nil {
		t.Error("negative skew accepted")
	}
	badCode := 42
	if _, err := v.With(Overrides{FailedValidationHTTPCode: &badCode}); err == nil {
		t.Error("status 42 accepted")
	}
}
