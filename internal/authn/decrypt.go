package authn

import (
	"fmt"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwe"
)

// decrypt opens a compact JWE with the decryption keys and returns the
// inner token.
func (v *Validator) decrypt(token string) (string, *Failure) {
	hdr, err := decodeHeader(token[:strings.IndexByte(token, '.')])
	if err != nil {
		return "", v.fail(JwtInvalid, msgBadHeader, "the encrypted token's header segment "+err.Error())
	}
	enc, _ := stringField(hdr.all, "enc")
	if len(v.decryptKeys) == 0 {
		return "", v.fail(JwtInvalid, msgNoDecryptionKeys,
			fmt.Sprintf("the token is encrypted (JWE, alg %q, enc %q) but the policy has no decryption-keys", hdr.alg, enc))
	}
	alg, ok := jwa.LookupKeyEncryptionAlgorithm(hdr.alg)
	var want keyKind
	switch {
	case !ok:
	case hdr.alg == "dir" || strings.HasPrefix(hdr.alg, "A") && strings.HasSuffix(hdr.alg, "KW"):
		want = kindSymmetric
	case strings.HasPrefix(hdr.alg, "RSA"):
		want = kindRSA
	}
	if want == 0 {
		return "", v.fail(JwtInvalid, msgDecrypt(nil),
			fmt.Sprintf("the encrypted token's key management alg %q is not supported; use dir, A128KW/A192KW/A256KW (symmetric keys) or RSA-OAEP/RSA-OAEP-256 (certificates)", hdr.alg))
	}
	var tried []string
	var lastErr error
	for i := range v.decryptKeys {
		k := &v.decryptKeys[i]
		if k.kind != want || (hdr.kid != "" && k.id != "" && k.id != hdr.kid) {
			continue
		}
		tried = append(tried, k.origin)
		out, err := jwe.Decrypt([]byte(token), jwe.WithKey(alg, k.key))
		if err == nil {
			return string(out), nil
		}
		lastErr = err
	}
	if len(tried) == 0 {
		return "", v.fail(JwtInvalid, msgDecrypt(nil),
			fmt.Sprintf("the token is encrypted with alg %q (kid %q), which needs a %s key, and no decryption key of that kind (and id) is configured", hdr.alg, hdr.kid, want))
	}
	return "", v.fail(JwtInvalid, msgDecrypt(tried),
		fmt.Sprintf("no decryption key opened the token (alg %q, enc %q); tried %s; last error: %v", hdr.alg, enc, strings.Join(tried, ", "), lastErr))
}
