package authn

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwa"
)

// keyKind is the family of a verification or decryption key.
type keyKind uint8

const (
	kindSymmetric keyKind = iota + 1
	kindRSA
	kindEC
)

func (k keyKind) String() string {
	switch k {
	case kindSymmetric:
		return "symmetric (HMAC)"
	case kindRSA:
		return "RSA"
	case kindEC:
		return "EC"
	}
	return "unknown"
}

// verifyKey is a signature verification key, from configuration or a JWKS.
type verifyKey struct {
	id     string // id attribute or JWKS kid; "" when absent
	alg    string // JWKS alg; "" when absent
	kind   keyKind
	curve  elliptic.Curve // kindEC only
	key    any            // []byte, *rsa.PublicKey or *ecdsa.PublicKey
	origin string         // "issuer-signing-keys/key[1]" or the JWKS URL
}

// label names k in messages: its kid, or its origin.
func (k *verifyKey) label() string {
	if k.id != "" {
		return k.id
	}
	return k.origin
}

// decryptKey is a JWE key-management key from decryption-keys.
type decryptKey struct {
	id     string
	kind   keyKind
	key    any // []byte or *rsa.PrivateKey
	origin string
}

// ConfigError is an invalid value in the configuration, most often bad key
// material. Element names the element ("issuer-signing-keys/key[2]",
// "required-claims/claim[1]", 1-based like XPath), Attribute the offending
// attribute ("" for the element text), Index the element's 0-based position
// in its Config slice, so the caller can position the message.
type ConfigError struct {
	Element   string
	Index     int
	Attribute string
	Err       error
}

// Error formats the key error.
func (e *ConfigError) Error() string {
	if e.Attribute != "" {
		return fmt.Sprintf("%s: attribute %s: %v", e.Element, e.Attribute, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Element, e.Err)
}

// Unwrap returns the underlying error.
func (e *ConfigError) Unwrap() error { return e.Err }

// decodeBase64 accepts standard and URL-safe base64, padded or not, as the
// .NET decoders APIM uses do for key text.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not valid base64")
}

// compileSigningKey turns one issuer-signing-keys/key into a verifyKey.
func compileSigningKey(k Key, i int) (verifyKey, error) {
	el := fmt.Sprintf("issuer-signing-keys/key[%d]", i+1)
	bad := func(attr string, err error) (verifyKey, error) {
		return verifyKey{}, &ConfigError{Element: el, Index: i, Attribute: attr, Err: err}
	}
	vk := verifyKey{id: k.ID, origin: el}
	forms := 0
	for _, set := range []bool{strings.TrimSpace(k.Value) != "", k.CertificateID != "" || len(k.Certificate) > 0, k.N != "" || k.E != ""} {
		if set {
			forms++
		}
	}
	switch {
	case forms == 0:
		return bad("", errors.New("the key has no material: give base64 key text, certificate-id, or n and e"))
	case forms > 1:
		return bad("", errors.New("the key mixes forms: give only one of base64 key text, certificate-id, or n and e"))
	case strings.TrimSpace(k.Value) != "":
		b, err := decodeBase64(k.Value)
		if err != nil {
			return bad("", fmt.Errorf("the symmetric key text is %w", err))
		}
		if len(b) == 0 {
			return bad("", errors.New("the symmetric key is empty"))
		}
		vk.kind, vk.key = kindSymmetric, b
	case k.N != "" || k.E != "":
		if k.N == "" {
			return bad("n", errors.New("the RSA modulus is missing (e is set)"))
		}
		if k.E == "" {
			return bad("e", errors.New("the RSA exponent is missing (n is set)"))
		}
		n, err := decodeBase64(k.N)
		if err != nil || len(n) == 0 {
			return bad("n", fmt.Errorf("the RSA modulus is not valid base64url"))
		}
		e, err := decodeBase64(k.E)
		if err != nil || len(e) == 0 || len(e) > 4 {
			return bad("e", fmt.Errorf("the RSA exponent is not a valid base64url integer"))
		}
		ev := int(new(big.Int).SetBytes(e).Int64())
		if ev < 3 || ev%2 == 0 {
			return bad("e", fmt.Errorf("the RSA exponent %d is not valid", ev))
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: ev}
		if pub.N.BitLen() < 1024 {
			return bad("n", fmt.Errorf("the RSA modulus has %d bits; at least 1024 are required", pub.N.BitLen()))
		}
		vk.kind, vk.key = kindRSA, pub
	default:
		if len(k.Certificate) == 0 {
			return bad("certificate-id", fmt.Errorf("certificate %q was not supplied", k.CertificateID))
		}
		pub, err := parsePublicKey(k.Certificate)
		if err != nil {
			return bad("certificate-id", fmt.Errorf("certificate %q: %w", k.CertificateID, err))
		}
		switch p := pub.(type) {
		case *rsa.PublicKey:
			vk.kind, vk.key = kindRSA, p
		case *ecdsa.PublicKey:
			vk.kind, vk.key, vk.curve = kindEC, p, p.Curve
		default:
			return bad("certificate-id", fmt.Errorf("certificate %q has a %T key; only RSA and EC keys are supported", k.CertificateID, pub))
		}
		if k.CertificateID != "" {
			vk.origin = el + " (certificate " + k.CertificateID + ")"
		}
	}
	return vk, nil
}

// parsePublicKey reads a public key from a PEM or DER certificate, or a PEM
// PUBLIC KEY block.
func parsePublicKey(b []byte) (any, error) {
	rest := b
	sawPEM := false
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		sawPEM = true
		switch blk.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parse certificate: %w", err)
			}
			return c.PublicKey, nil
		case "PUBLIC KEY":
			return x509.ParsePKIXPublicKey(blk.Bytes)
		}
	}
	if sawPEM {
		return nil, errors.New("the PEM data has no CERTIFICATE or PUBLIC KEY block")
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		return nil, fmt.Errorf("neither PEM nor a DER certificate: %w", err)
	}
	return c.PublicKey, nil
}

// compileDecryptionKey turns one decryption-keys/key into a decryptKey.
func compileDecryptionKey(k Key, i int) (decryptKey, error) {
	el := fmt.Sprintf("decryption-keys/key[%d]", i+1)
	bad := func(attr string, err error) (decryptKey, error) {
		return decryptKey{}, &ConfigError{Element: el, Index: i, Attribute: attr, Err: err}
	}
	dk := decryptKey{id: k.ID, origin: el}
	switch {
	case k.N != "" || k.E != "":
		return bad("n", errors.New("n and e give an RSA public key, which cannot decrypt; use certificate-id with a private key"))
	case strings.TrimSpace(k.Value) != "":
		if k.CertificateID != "" {
			return bad("", errors.New("the key mixes forms: give base64 key text or certificate-id, not both"))
		}
		b, err := decodeBase64(k.Value)
		if err != nil || len(b) == 0 {
			return bad("", errors.New("the symmetric key text is not valid base64"))
		}
		dk.kind, dk.key = kindSymmetric, b
	case k.CertificateID != "" || len(k.Certificate) > 0:
		if len(k.Certificate) == 0 {
			return bad("certificate-id", fmt.Errorf("certificate %q was not supplied", k.CertificateID))
		}
		priv, err := parsePrivateKey(k.Certificate)
		if err != nil {
			return bad("certificate-id", fmt.Errorf("certificate %q: %w", k.CertificateID, err))
		}
		dk.kind, dk.key = kindRSA, priv
	default:
		return bad("", errors.New("the key has no material: give base64 key text or certificate-id"))
	}
	return dk, nil
}

// parsePrivateKey reads an RSA private key from PEM.
func parsePrivateKey(b []byte) (*rsa.PrivateKey, error) {
	rest := b
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, errors.New("no RSA private key found: decryption needs PEM with a PRIVATE KEY or RSA PRIVATE KEY block")
		}
		switch blk.Type {
		case "RSA PRIVATE KEY":
			return x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return nil, err
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("the private key is %T; only RSA keys decrypt", k)
			}
			return rk, nil
		}
	}
}

// sigAlg describes a supported JWS algorithm.
type sigAlg struct {
	alg   jwa.SignatureAlgorithm
	kind  keyKind
	curve elliptic.Curve // EC algorithms only
}

// lookupSigAlg returns the algorithm named by a token's alg header. The
// list is closed: RS, PS, ES and HS with SHA-256/384/512.
func lookupSigAlg(name string) (sigAlg, bool) {
	switch name {
	case "RS256":
		return sigAlg{jwa.RS256(), kindRSA, nil}, true
	case "RS384":
		return sigAlg{jwa.RS384(), kindRSA, nil}, true
	case "RS512":
		return sigAlg{jwa.RS512(), kindRSA, nil}, true
	case "PS256":
		return sigAlg{jwa.PS256(), kindRSA, nil}, true
	case "PS384":
		return sigAlg{jwa.PS384(), kindRSA, nil}, true
	case "PS512":
		return sigAlg{jwa.PS512(), kindRSA, nil}, true
	case "ES256":
		return sigAlg{jwa.ES256(), kindEC, elliptic.P256()}, true
	case "ES384":
		return sigAlg{jwa.ES384(), kindEC, elliptic.P384()}, true
	case "ES512":
		return sigAlg{jwa.ES512(), kindEC, elliptic.P521()}, true
	case "HS256":
		return sigAlg{jwa.HS256(), kindSymmetric, nil}, true
	case "HS384":
		return sigAlg{jwa.HS384(), kindSymmetric, nil}, true
	case "HS512":
		return sigAlg{jwa.HS512(), kindSymmetric, nil}, true
	}
	return sigAlg{}, false
}

// compatible reports whether k may verify a signature made with a, and why
// not. This is the algorithm-confusion guard: an HMAC algorithm only ever
// gets symmetric key bytes, never an RSA or EC public key.
func (a sigAlg) compatible(k *verifyKey) (bool, string) {
	if k.kind != a.kind {
		return false, fmt.Sprintf("key %s is %s but the token's alg %s needs a %s key", k.label(), k.kind, a.alg.String(), a.kind)
	}
	if a.kind == kindEC && k.curve != a.curve {
		return false, fmt.Sprintf("key %s is on curve %s but alg %s needs %s", k.label(), k.curve.Params().Name, a.alg.String(), a.curve.Params().Name)
	}
	if k.alg != "" && k.alg != a.alg.String() {
		return false, fmt.Sprintf("key %s is published for alg %s, not %s", k.label(), k.alg, a.alg.String())
	}
	return true, ""
}
