// Package authntest is a loopback OpenID Connect provider and token minter
// for tests of token validation: an httptest.Server serving discovery
// documents and a JWKS whose keys can be rotated, and helpers that sign and
// encrypt tokens with RSA, EC and HMAC keys.
//
// It is imported only from _test.go files. It must not import
// internal/authn (so authn's own tests can use it) or any other internal
// package.
package authntest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwe"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// Key is a signing key: an RSA or EC private key, or an HMAC secret.
type Key struct {
	ID      string
	Alg     string        // RS256, PS256, ES256, HS256, ...
	Private crypto.Signer // nil for HMAC keys
	Secret  []byte        // HMAC keys only
}

// Public returns the public key (or the secret for HMAC keys).
func (k *Key) Public() any {
	if k.Private == nil {
		return k.Secret
	}
	return k.Private.Public()
}

// RSAKey returns a new 2048-bit RSA key for alg (RS* or PS*).
func RSAKey(t testing.TB, kid, alg string) *Key {
	t.Helper()
	pk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &Key{ID: kid, Alg: alg, Private: pk}
}

// ECKey returns a new EC key on the curve alg needs (ES256, ES384, ES512).
func ECKey(t testing.TB, kid, alg string) *Key {
	t.Helper()
	c := elliptic.P256()
	switch alg {
	case "ES384":
		c = elliptic.P384()
	case "ES512":
		c = elliptic.P521()
	}
	pk, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Key{ID: kid, Alg: alg, Private: pk}
}

// HMACKey returns an HMAC key with the given secret.
func HMACKey(kid, alg string, secret []byte) *Key {
	return &Key{ID: kid, Alg: alg, Secret: secret}
}

// Sign returns a compact JWS of claims signed with k; the kid header is set
// when k.ID is not empty. extra adds or overrides protected headers.
func Sign(t testing.TB, k *Key, claims map[string]any, extra map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	alg, ok := jwa.LookupSignatureAlgorithm(k.Alg)
	if !ok {
		t.Fatalf("unknown alg %s", k.Alg)
	}
	h := jws.NewHeaders()
	if k.ID != "" {
		_ = h.Set("kid", k.ID)
	}
	_ = h.Set("typ", "JWT")
	for n, v := range extra {
		_ = h.Set(n, v)
	}
	var key any = k.Secret
	if k.Private != nil {
		key = k.Private
	}
	out, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(h)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// Unsigned returns a token with alg "none" and an empty signature.
func Unsigned(t testing.TB, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "."
}

// Encrypt wraps token in a compact JWE: keyAlg is "dir", "A256KW",
// "RSA-OAEP" or "RSA-OAEP-256"; key is the secret bytes or the RSA public
// key; enc is A128CBC-HS256 unless set.
func Encrypt(t testing.TB, token, keyAlg string, key any, kid, enc string) string {
	t.Helper()
	alg, ok := jwa.LookupKeyEncryptionAlgorithm(keyAlg)
	if !ok {
		t.Fatalf("unknown key encryption alg %s", keyAlg)
	}
	if enc == "" {
		enc = "A128CBC-HS256"
	}
	ce, ok := jwa.LookupContentEncryptionAlgorithm(enc)
	if !ok {
		t.Fatalf("unknown content encryption %s", enc)
	}
	h := jwe.NewHeaders()
	_ = h.Set("cty", "JWT")
	if kid != "" {
		_ = h.Set("kid", kid)
	}
	out, err := jwe.Encrypt([]byte(token), jwe.WithKey(alg, key), jwe.WithContentEncryption(ce), jwe.WithProtectedHeaders(h), jwe.WithCompact())
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// Claims returns typical access-token claims: iss, aud, sub, iat, nbf and
// exp = now + ttl.
func Claims(iss, aud string, now time.Time, ttl time.Duration) map[string]any {
	return map[string]any{"iss": iss, "aud": aud, "sub": "user-1", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix()}
}

// Provider is a loopback OpenID Connect provider. Any path ending in
// /.well-known/openid-configuration serves a discovery document whose
// issuer is the server URL plus the path before /.well-known (the shape of
// Entra ID's v2.0 metadata) unless Issuer is set; /keys serves the
// published keys.
type Provider struct {
	Server *httptest.Server
	// URL is the metadata URL at the server root.
	URL string

	mu     sync.Mutex
	issuer string
	keys   []*Key
	status int // non-zero: every response has this status
	delay  time.Duration

	// MetadataRequests and JWKSRequests count the requests served.
	MetadataRequests, JWKSRequests atomic.Int64
}

// NewProvider starts a provider publishing keys; the server stops when the
// test ends.
func NewProvider(t testing.TB, keys ...*Key) *Provider {
	t.Helper()
	p := &Provider{keys: keys}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Server.Close)
	p.URL = p.Server.URL + "/.well-known/openid-configuration"
	return p
}

// Issuer returns the issuer the root metadata document names.
func (p *Provider) Issuer() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.issuer != "" {
		return p.issuer
	}
	return p.Server.URL
}

// SetIssuer fixes the issuer of every discovery document ("" restores the
// default).
func (p *Provider) SetIssuer(iss string) {
	p.mu.Lock()
	p.issuer = iss
	p.mu.Unlock()
}

// Publish replaces the published keys (key rotation).
func (p *Provider) Publish(keys ...*Key) {
	p.mu.Lock()
	p.keys = keys
	p.mu.Unlock()
}

// Fail makes every response use status (0 restores normal service).
func (p *Provider) Fail(status int) {
	p.mu.Lock()
	p.status = status
	p.mu.Unlock()
}

// Delay makes every response wait d first.
func (p *Provider) Delay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	status, delay, issuer, keys := p.status, p.delay, p.issuer, append([]*Key(nil), p.keys...)
	p.mu.Unlock()
	isMeta := strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration")
	if isMeta {
		p.MetadataRequests.Add(1)
	} else if r.URL.Path == "/keys" {
		p.JWKSRequests.Add(1)
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if status != 0 {
		http.Error(w, "provider unavailable", status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case isMeta:
		if issuer == "" {
			issuer = p.Server.URL + strings.TrimSuffix(r.URL.Path, "/.well-known/openid-configuration")
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": issuer, "jwks_uri": p.Server.URL + "/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	case r.URL.Path == "/keys":
		set := jwk.NewSet()
		for _, k := range keys {
			if k.Private == nil {
				continue // HMAC secrets are never published
			}
			jk, err := jwk.Import(k.Private.Public())
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			_ = jk.Set("kid", k.ID)
			_ = jk.Set("use", "sig")
			_ = jk.Set("alg", k.Alg)
			_ = set.AddKey(jk)
		}
		_ = json.NewEncoder(w).Encode(set)
	default:
		http.NotFound(w, r)
	}
}
