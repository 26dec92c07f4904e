package expr

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusSignedClientAssertion runs the corpus expression that signs a
// client-assertion JWT with a certificate's RSA key, with a PKCS#12 file
// loaded from a variable, and checks the token's header, claims and
// signature.
func TestCorpusSignedClientAssertion(t *testing.T) {
	const file = "Get OAuth2 access token from AAD using client id and certificate using key vault manage identity.xml"
	var src string
	var org textOrigin
	for _, x := range corpusExprs(t) {
		if x.file == file && strings.Contains(x.src, "rsa.SignData") {
			src, org = x.src, x.org
		}
	}
	if src == "" {
		t.Fatalf("%s: no expression calls rsa.SignData", file)
	}
	p, diags := Compile(substituteNamedValues(src), org)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pfx, err := os.ReadFile(filepath.Join("testdata", "crypto", "cert-nopass.pfx"))
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := os.ReadFile(filepath.Join("testdata", "crypto", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	c := testContext(t)
	c.Variables.Set("authorizationServer", "https://login.microsoftonline.com/tenant/oauth2/token")
	c.Variables.Set("clientId", "client-1")
	c.Variables.Set("keyVaultCertBase64", base64.StdEncoding.EncodeToString(pfx))
	v, err := p.Eval(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(ToString(v), ".")
	if len(parts) != 3 {
		t.Fatalf("token %q: want three parts", ToString(v))
	}
	dec := func(s string) map[string]string {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return m
	}
	hdr, claims := dec(parts[0]), dec(parts[1])
	thumb := sha1.Sum(cert.Raw)
	if hdr["alg"] != "RS256" || hdr["kid"] != base64.RawURLEncoding.EncodeToString(thumb[:]) {
		t.Errorf("header %v", hdr)
	}
	if claims["aud"] != "https://login.microsoftonline.com/tenant/oauth2/token" || claims["iss"] != "client-1" || claims["sub"] != "client-1" || claims["jti"] == "" {
		t.Errorf("claims %v", claims)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature does not verify with the certificate's public key: %v", err)
	}
	sum[0] ^= 1
	if rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig) == nil {
		t.Error("signature verifies a different message")
	}
}
