package authn

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jws"
)

// Result is a validated token, the value APIM stores in
// output-token-variable-name (a Jwt).
type Result struct {
	// Raw is the token as received (the outer JWE when encrypted).
	Raw string
	// Encrypted reports whether the token was a JWE.
	Encrypted bool
	// Header is the JOSE header of the signed token.
	Header map[string]any
	// Claims are the token's claims; numbers are json.Number.
	Claims map[string]any
	// Algorithm, KeyID and Type are the alg, kid and typ headers.
	Algorithm, KeyID, Type string
	// ID, Issuer and Subject are the jti, iss and sub claims.
	ID, Issuer, Subject string
	// Audiences is the aud claim as a list.
	Audiences []string
	// ExpiresAt, NotBefore and IssuedAt are exp, nbf and iat; zero when absent.
	ExpiresAt, NotBefore, IssuedAt time.Time
}

// ClaimValues returns the values of claim name as strings, the way APIM's
// Jwt.Claims dictionary presents them: arrays give one value per element,
// numbers and booleans their JSON text, objects their JSON text.
func (r *Result) ClaimValues(name string) []string {
	v, ok := r.Claims[name]
	if !ok {
		return nil
	}
	return claimStrings(v)
}

// jwtHeader is the part of the JOSE header validation reads.
type jwtHeader struct {
	alg, kid, typ string
	all           map[string]any
}

// Validate checks token against the configuration. found reports whether
// the request carried a token at all (false gives TokenNotPresent); token
// is the bare token, without a scheme (see ExtractToken). It returns the
// validated token, or the failure with APIM's reason and message and
// tollgate's cause.
func (v *Validator) Validate(ctx context.Context, token string, found bool) (*Result, *Failure) {
	token = strings.TrimSpace(token)
	if !found {
		return nil, v.fail(TokenNotPresent, msgNotPresent, fmt.Sprintf("no token was found in %s", v.tokenLocation))
	}
	if token == "" {
		return nil, v.fail(TokenNotPresent, msgNotPresent, fmt.Sprintf("%s is empty", v.tokenLocation))
	}
	res := &Result{Raw: token}
	dots := strings.Count(token, ".")
	if dots == 4 {
		inner, f := v.decrypt(token)
		if f != nil {
			return nil, f
		}
		token, res.Encrypted = inner, true
		dots = strings.Count(token, ".")
	}
	if dots != 2 {
		return nil, v.fail(JwtInvalid, msgSegments, v.malformedCause(token, dots))
	}
	i1 := strings.IndexByte(token, '.')
	i2 := i1 + 1 + strings.IndexByte(token[i1+1:], '.')
	hdr, err := decodeHeader(token[:i1])
	if err != nil {
		return nil, v.fail(JwtInvalid, msgBadHeader, "the token's header segment "+err.Error())
	}
	claims, err := decodeClaims(token[i1+1 : i2])
	if err != nil {
		return nil, v.fail(JwtInvalid, msgBadPayload, "the token's payload segment "+err.Error())
	}
	res.Header, res.Claims, res.Algorithm, res.KeyID, res.Type = hdr.all, claims, hdr.alg, hdr.kid, hdr.typ

	unsigned := i2 == len(token)-1 // empty signature segment
	var ks *keySet
	switch {
	case unsigned && v.requireSigned:
		return nil, v.fail(TokenSignatureInvalid, messageFor(TokenSignatureInvalid, msgUnsigned),
			fmt.Sprintf("the token is unsigned (alg %q, empty signature segment) and require-signed-tokens is true", hdr.alg))
	case !unsigned && hdr.alg == "none":
		return nil, v.fail(TokenSignatureInvalid, messageFor(TokenSignatureInvalid, msgUnsupportedAlg(hdr.alg)),
			"the token says alg \"none\" but carries a signature segment")
	case unsigned:
		// require-signed-tokens="false" accepts it without a signature; the
		// discovery documents still supply the issuers.
		ks = v.loadKeys(ctx)
	default:
		ks = v.loadKeys(ctx)
		if f := v.verifySignature(ctx, token, hdr, ks); f != nil {
			return nil, f
		}
	}
	if f := v.fillTimes(res); f != nil {
		return nil, f
	}
	if f := v.checkLifetime(res); f != nil {
		return nil, f
	}
	fillStrings(res)
	if f := v.checkAudience(res); f != nil {
		return nil, f
	}
	if f := v.checkIssuer(res, ks); f != nil {
		return nil, f
	}
	if f := v.checkClientApp(res); f != nil {
		return nil, f
	}
	if f := v.checkClaims(res); f != nil {
		return nil, f
	}
	return res, nil
}

// decodeSegment decodes one base64url segment of a compact token.
func decodeSegment(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		// Some issuers pad; accept it as .NET's Base64UrlEncoder does.
		if b2, err2 := base64.URLEncoding.DecodeString(s); err2 == nil {
			return b2, nil
		}
		return nil, fmt.Errorf("is not base64url: %w", err)
	}
	return b, nil
}

func decodeHeader(seg string) (jwtHeader, error) {
	b, err := decodeSegment(seg)
	if err != nil {
		return jwtHeader{}, err
	}
	var h jwtHeader
	if err := json.Unmarshal(b, &h.all); err != nil || h.all == nil {
		return jwtHeader{}, fmt.Errorf("is not a JSON object")
	}
	var ok bool
	if h.alg, ok = stringField(h.all, "alg"); !ok {
		return jwtHeader{}, fmt.Errorf("has an alg that is not a string")
	}
	if h.kid, ok = stringField(h.all, "kid"); !ok {
		return jwtHeader{}, fmt.Errorf("has a kid that is not a string")
	}
	h.typ, _ = stringField(h.all, "typ")
	return h, nil
}

// stringField returns m[k] when it is a string or absent.
func stringField(m map[string]any, k string) (string, bool) {
	v, ok := m[k]
	if !ok || v == nil {
		return "", true
	}
	s, ok := v.(string)
	return s, ok
}

func decodeClaims(seg string) (map[string]any, error) {
	b, err := decodeSegment(seg)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("is not a JSON object")
	}
	return m, nil
}

// numericTime reads a NumericDate claim.
func numericTime(m map[string]any, name string) (time.Time, bool, error) {
	v, ok := m[name]
	if !ok || v == nil {
		return time.Time{}, false, nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return time.Time{}, false, fmt.Errorf("claim %s is %T, not a number of seconds", name, v)
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
		return time.Time{}, false, fmt.Errorf("claim %s value %s is not a valid time", name, n)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
}

func (v *Validator) fillTimes(r *Result) *Failure {
	for _, c := range []struct {
		name string
		dst  *time.Time
	}{{"exp", &r.ExpiresAt}, {"nbf", &r.NotBefore}, {"iat", &r.IssuedAt}} {
		t, _, err := numericTime(r.Claims, c.name)
		if err != nil {
			return v.fail(JwtInvalid, fmt.Sprintf("IDX14300: Could not parse '%s' : '%v' as type: 'System.Int64'.", c.name, r.Claims[c.name]), err.Error())
		}
		*c.dst = t
	}
	return nil
}

func (v *Validator) checkLifetime(r *Result) *Failure {
	now := v.now().UTC()
	skew := v.cfg.ClockSkew
	skewNote := "clock-skew is 0"
	if skew > 0 {
		skewNote = fmt.Sprintf("clock-skew is %s", skew)
	}
	if r.ExpiresAt.IsZero() {
		if v.requireExp {
			return v.fail(JwtInvalid, msgNoExpiration, "the token has no exp claim and require-expiration-time is true (set it to false to accept tokens without expiry)")
		}
	} else if !now.Before(r.ExpiresAt.Add(skew)) {
		return v.fail(TokenExpired, messageFor(TokenExpired, msgExpired(r.ExpiresAt, now)),
			fmt.Sprintf("the token expired at %s (exp), now is %s, %s: it expired %s ago",
				r.ExpiresAt.Format(time.RFC3339), now.Format(time.RFC3339), skewNote, now.Sub(r.ExpiresAt).Round(time.Second)))
	}
	if !r.NotBefore.IsZero() && now.Add(skew).Before(r.NotBefore) {
		return v.fail(JwtInvalid, msgNotYetValid(r.NotBefore, now),
			fmt.Sprintf("the token is not valid before %s (nbf), now is %s, %s: it becomes valid in %s; check the clocks of the issuer and the gateway",
				r.NotBefore.Format(time.RFC3339), now.Format(time.RFC3339), skewNote, r.NotBefore.Sub(now).Round(time.Second)))
	}
	return nil
}

// fillStrings copies the registered string claims into r.
func fillStrings(r *Result) {
	r.ID, _ = r.Claims["jti"].(string)
	r.Issuer, _ = r.Claims["iss"].(string)
	r.Subject, _ = r.Claims["sub"].(string)
	switch a := r.Claims["aud"].(type) {
	case string:
		r.Audiences = []string{a}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				r.Audiences = append(r.Audiences, s)
			}
		}
	}
}

// audienceMatches compares audiences exactly (ordinal): a trailing slash
// difference is a mismatch, which is what APIM users see (a 401 every time
// the App ID URI and the aud claim differ by a slash).
func audienceMatches(got, want string) bool {
	return got == want
}

func (v *Validator) checkAudience(r *Result) *Failure {
	if len(v.cfg.Audiences) == 0 {
		return nil
	}
	if len(r.Audiences) == 0 {
		return v.fail(TokenAudienceNotAllowed, messageFor(TokenAudienceNotAllowed, msgNoAudience),
			fmt.Sprintf("the token has no aud claim; the policy allows %s", quoteList(v.cfg.Audiences)))
	}
	for _, got := range r.Audiences {
		for _, want := range v.cfg.Audiences {
			if audienceMatches(got, want) {
				return nil
			}
		}
	}
	cause := fmt.Sprintf("the token's audience %s is not among the allowed audiences %s", quoteList(r.Audiences), quoteList(v.cfg.Audiences))
	cause += nearMisses(r.Audiences, v.cfg.Audiences)
	return v.fail(TokenAudienceNotAllowed, messageFor(TokenAudienceNotAllowed, msgAudience(r.Audiences, v.cfg.Audiences)), cause)
}

// nearMisses lists the pairs of got and want values that differ only in a
// way users overlook.
func nearMisses(got, want []string) string {
	var b strings.Builder
	for _, g := range got {
		for _, w := range want {
			if why := nearMiss(g, w); why != "" {
				fmt.Fprintf(&b, "; %q and %q: %s", g, w, why)
			}
		}
	}
	return b.String()
}

// validIssuers returns the issuers to accept: the configured ones, else
// those of the openid-config documents (with Entra ID's {tenantid}
// placeholder replaced by the token's tid claim).
func (v *Validator) validIssuers(r *Result, ks *keySet) (issuers []string, fromDiscovery bool) {
	if len(v.cfg.Issuers) > 0 {
		return v.cfg.Issuers, false
	}
	tid, _ := r.Claims["tid"].(string)
	for _, m := range ks.metas {
		if m == nil || m.issuer == "" {
			continue
		}
		iss := m.issuer
		if tid != "" {
			iss = strings.ReplaceAll(iss, "{tenantid}", tid)
		}
		issuers = append(issuers, iss)
	}
	return issuers, true
}

func (v *Validator) checkIssuer(r *Result, ks *keySet) *Failure {
	if len(v.cfg.Issuers) == 0 && len(v.providers) == 0 {
		return nil
	}
	valid, fromDiscovery := v.validIssuers(r, ks)
	where := "the policy's issuers"
	if fromDiscovery {
		where = "the openid-config documents' issuers"
		if len(valid) == 0 {
			return v.fail(TokenIssuerNotAllowed, messageFor(TokenIssuerNotAllowed, msgIssuer(r.Issuer, nil)),
				"the policy has no issuers element and no openid-config document could be loaded to supply one"+ks.problems())
		}
	}
	if r.Issuer == "" {
		return v.fail(TokenIssuerNotAllowed, messageFor(TokenIssuerNotAllowed, msgNoIssuer),
			fmt.Sprintf("the token has no iss claim; %s are %s", where, quoteList(valid)))
	}
	for _, w := range valid {
		if r.Issuer == w {
			return nil
		}
	}
	cause := fmt.Sprintf("the token's issuer %q is not among %s %s", r.Issuer, where, quoteList(valid))
	cause += nearMisses([]string{r.Issuer}, valid)
	if strings.HasPrefix(r.Issuer, "https://sts.windows.net/") {
		cause += "; the token is an Entra ID v1 token (issuer sts.windows.net) while v2 metadata names the login.microsoftonline.com/{tenant}/v2.0 issuer: list both in issuers or set accessTokenAcceptedVersion to 2 in the app registration"
	}
	return v.fail(TokenIssuerNotAllowed, messageFor(TokenIssuerNotAllowed, msgIssuer(r.Issuer, valid)), cause)
}

func (v *Validator) checkClientApp(r *Result) *Failure {
	ids := v.cfg.ClientApplicationIDs
	if len(ids) == 0 {
		return nil
	}
	name := "azp"
	got, ok := r.Claims["azp"].(string)
	if !ok {
		name = "appid"
		got, ok = r.Claims["appid"].(string)
	}
	if !ok {
		return v.fail(TokenClaimNotFound, msgClaimsMissing([]string{"azp"}),
			fmt.Sprintf("the token has neither azp (v2) nor appid (v1), so its client application cannot be checked against client-application-ids %s", quoteList(ids)))
	}
	for _, id := range ids {
		if strings.EqualFold(got, id) {
			return nil
		}
	}
	return v.fail(TokenClaimValueNotAllowed, msgClaimValue(name, got),
		fmt.Sprintf("the token was issued to client application %q (%s claim), which is not among client-application-ids %s", got, name, quoteList(ids)))
}

// claimStrings flattens a claim value into strings.
func claimStrings(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case json.Number:
		return []string{x.String()}
	case bool:
		if x {
			return []string{"true"}
		}
		return []string{"false"}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case []any, map[string]any:
				b, _ := json.Marshal(e)
				out = append(out, string(b))
			default:
				out = append(out, claimStrings(e)...)
			}
		}
		return out
	default:
		b, _ := json.Marshal(x)
		return []string{string(b)}
	}
}

func (v *Validator) checkClaims(r *Result) *Failure {
	var missing []string
	for _, c := range v.claims {
		if _, ok := r.Claims[c.Name]; !ok {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		have := make([]string, 0, len(r.Claims))
		for k := range r.Claims {
			have = append(have, k)
		}
		slices.Sort(have)
		return v.fail(TokenClaimNotFound, msgClaimsMissing(missing),
			fmt.Sprintf("required-claims needs %s, absent from the token, whose claims are %s", quoteList(missing), strings.Join(have, ", ")))
	}
	for _, c := range v.claims {
		if len(c.Values) == 0 {
			continue
		}
		got := claimStrings(r.Claims[c.Name])
		if c.Separator != "" {
			var split []string
			for _, g := range got {
				split = append(split, strings.Split(g, c.Separator)...)
			}
			got = split
		}
		has := func(want string) bool {
			for _, g := range got {
				if g == want {
					return true
				}
			}
			return false
		}
		shown := rawClaimText(r.Claims[c.Name])
		if c.any {
			ok := false
			for _, w := range c.Values {
				if has(w) {
					ok = true
					break
				}
			}
			if !ok {
				cause := fmt.Sprintf("claim %s has %s; match=\"any\" needs at least one of %s", c.Name, quoteList(got), quoteList(c.Values))
				return v.fail(TokenClaimValueNotAllowed, msgClaimValue(c.Name, shown), cause+v.claimHints(c, got, c.Values))
			}
			continue
		}
		for _, w := range c.Values {
			if !has(w) {
				cause := fmt.Sprintf("claim %s has %s but not %q", c.Name, quoteList(got), w)
				if len(c.Values) > 1 {
					cause += fmt.Sprintf(`; match="all" (the default) needs every one of %s`, quoteList(c.Values))
				}
				return v.fail(TokenClaimValueNotAllowed, msgClaimValue(c.Name, shown), cause+v.claimHints(c, got, []string{w}))
			}
		}
	}
	return nil
}

// claimHints adds near misses between got and want and a separator hint to
// a claim cause.
func (v *Validator) claimHints(c compiledClaim, got, want []string) string {
	s := nearMisses(got, want)
	if c.Separator == "" {
		for _, g := range got {
			for _, sep := range []string{" ", ",", ";"} {
				if strings.Contains(g, sep) {
					return s + fmt.Sprintf("; the value %q contains %q: set separator=%q to split it into several values", g, sep, sep)
				}
			}
		}
	}
	return s
}

// rawClaimText is a claim value as APIM prints it in messages.
func rawClaimText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return strings.Join(claimStrings(v), ",")
}

// verifySignature checks the JWS signature with the key named by kid, or
// every compatible key when kid is absent or unknown.
func (v *Validator) verifySignature(ctx context.Context, token string, hdr jwtHeader, ks *keySet) *Failure {
	a, ok := lookupSigAlg(hdr.alg)
	if !ok {
		return v.fail(TokenSignatureInvalid, messageFor(TokenSignatureInvalid, msgUnsupportedAlg(hdr.alg)),
			fmt.Sprintf("the token's alg %q is not supported; tollgate accepts RS256/384/512, PS256/384/512, ES256/384/512 and HS256/384/512", hdr.alg))
	}
	if hdr.kid != "" && !ks.hasKid(v.signingKeys, hdr.kid) && len(v.providers) > 0 {
		v.refreshForKid(ctx, hdr.kid, ks)
	}
	tok := []byte(token)
	var tried, mismatched []string
	var lastErr error
	try := func(k *verifyKey) bool {
		if ok, why := a.compatible(k); !ok {
			mismatched = append(mismatched, why)
			return false
		}
		tried = append(tried, k.label())
		_, err := jws.VerifyCompactFast(k.key, tok, a.alg)
		if err != nil {
			lastErr = err
		}
		return err == nil
	}
	if hdr.kid != "" && ks.hasKid(v.signingKeys, hdr.kid) {
		okAny := false
		ks.each(v.signingKeys, func(k *verifyKey) bool {
			if k.id == hdr.kid && try(k) {
				okAny = true
				return false
			}
			return true
		})
		if okAny {
			return nil
		}
		cause := fmt.Sprintf("the key with kid %q did not verify the %s signature", hdr.kid, hdr.alg)
		if len(tried) == 0 {
			cause = fmt.Sprintf("the key with kid %q cannot verify a %s signature: %s", hdr.kid, hdr.alg, strings.Join(mismatched, "; "))
			if a.kind == kindSymmetric {
				cause += " (a public key is never used as an HMAC secret: this guards against algorithm confusion)"
			}
		} else {
			cause += fmt.Sprintf(": the token was altered, or signed by another key that reuses the kid (%v)", lastErr)
		}
		return v.fail(TokenSignatureInvalid, messageFor(TokenSignatureInvalid, msgSignatureKid(tried, hdr.kid)), cause)
	}
	// No kid, or a kid no key has: try every compatible key, as IdentityModel
	// does.
	okAny := false
	ks.each(v.signingKeys, func(k *verifyKey) bool {
		if try(k) {
			okAny = true
			return false
		}
		return true
	})
	if okAny {
		return nil
	}
	inventory := ks.inventory(v.signingKeys)
	switch {
	case hdr.kid != "":
		cause := fmt.Sprintf("no key has the token's kid %q; the keys are %s", hdr.kid, inventory) + ks.problems()
		return v.fail(TokenSignatureKeyNotFound, messageFor(TokenSignatureKeyNotFound, msgKidNotFound(hdr.kid)), cause)
	case len(tried) == 0:
		cause := "there is no key that can verify a " + hdr.alg + " signature; the keys are " + inventory
		if len(mismatched) > 0 {
			cause += "; " + strings.Join(mismatched, "; ")
		}
		return v.fail(TokenSignatureKeyNotFound, messageFor(TokenSignatureKeyNotFound, msgNoKeys), cause+ks.problems())
	}
	cause := fmt.Sprintf("the token has no kid and none of the %d %s key(s) verified its signature: %s", len(tried), a.kind, strings.Join(tried, ", "))
	if a.kind == kindSymmetric {
		cause += "; the key element must hold the base64 encoding of the secret's bytes, not the secret itself"
	}
	return v.fail(TokenSignatureInvalid, messageFor(TokenSignatureInvalid, msgSignature(tried)), cause+ks.problems())
}
