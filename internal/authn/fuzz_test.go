package authn

import (
	"bufio"
	"context"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/authn/authntest"
)

// FuzzValidate feeds arbitrary tokens to a validator with inline HMAC and
// symmetric decryption keys. Properties: no panic; exactly one of result
// and failure; a failure has a known reason and a message.
func FuzzValidate(f *testing.F) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	key := authntest.HMACKey("k1", "HS256", secret)
	valid := authntest.Sign(f, key, authntest.Claims("https://issuer", "api://a", t0.Add(-time.Minute), time.Hour), nil)
	f.Add(valid)
	f.Add(authntest.Encrypt(f, valid, "dir", secret, "", ""))
	f.Add(authntest.Unsigned(f, map[string]any{"exp": t0.Unix()}))
	file, err := os.Open("testdata/tokens.txt")
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			f.Add(line)
		}
	}
	file.Close()
	b64 := base64.StdEncoding.EncodeToString(secret)
	v, err := New(Config{HeaderName: "Authorization", RequireScheme: "Bearer",
		IssuerSigningKeys: []Key{{ID: "k1", Value: b64}}, DecryptionKeys: []Key{{Value: b64}},
		Audiences: []string{"api://a"}, Issuers: []string{"https://issuer"},
		RequiredClaims: []Claim{{Name: "sub", Separator: ",", Values: []string{"user-1"}}}},
		Options{Now: func() time.Time { return t0 }})
	if err != nil {
		f.Fatal(err)
	}
	known := map[Reason]bool{TokenNotPresent: true, TokenSignatureInvalid: true, TokenAudienceNotAllowed: true, TokenIssuerNotAllowed: true,
		TokenExpired: true, TokenSignatureKeyNotFound: true, TokenClaimNotFound: true, TokenClaimValueNotAllowed: true, JwtInvalid: true}
	f.Fuzz(func(t *testing.T, tok string) {
		res, fail := v.ValidateHeader(context.Background(), "Bearer "+tok, true)
		if (res == nil) == (fail == nil) {
			t.Fatalf("result %v and failure %v", res, fail)
		}
		if fail != nil && (!known[fail.Reason] || fail.Message == "" || fail.Cause == "") {
			t.Fatalf("failure %+v", fail)
		}
	})
}
