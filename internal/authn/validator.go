package authn

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Validator is a compiled validate-jwt configuration. It is immutable and
// safe for concurrent use; build one per policy at configuration load.
type Validator struct {
	cfg           Config
	source        string
	status        int
	requireExp    bool
	requireSigned bool
	signingKeys   []verifyKey
	decryptKeys   []decryptKey
	providers     []*provider
	discovery     *Discovery // where providers come from; nil without openid-config
	claims        []compiledClaim
	now           func() time.Time
	schemeApplies bool
	tokenLocation string // "the header Authorization", for causes
}

type compiledClaim struct {
	Claim
	any bool
}

// New compiles cfg. Bad key material and invalid attribute values are
// reported as errors joined together; key errors are *ConfigError values
// naming the element, which the caller positions in the policy file.
func New(cfg Config, opts Options) (*Validator, error) {
	v := &Validator{cfg: cfg, source: cfg.Source, status: cfg.FailedValidationHTTPCode,
		requireExp: boolOr(cfg.RequireExpirationTime, true), requireSigned: boolOr(cfg.RequireSignedTokens, true), now: opts.Now}
	if v.source == "" {
		v.source = "validate-jwt"
	}
	if v.status == 0 {
		v.status = http.StatusUnauthorized
	}
	if v.now == nil {
		v.now = time.Now
	}
	var errs []error
	if v.status < 100 || v.status > 999 {
		errs = append(errs, fmt.Errorf("failed-validation-httpcode %d is not an HTTP status code", v.status))
	}
	if cfg.ClockSkew < 0 {
		errs = append(errs, fmt.Errorf("clock-skew %s is negative", cfg.ClockSkew))
	}
	for i, k := range cfg.IssuerSigningKeys {
		vk, err := compileSigningKey(k, i)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		v.signingKeys = append(v.signingKeys, vk)
	}
	for i, k := range cfg.DecryptionKeys {
		dk, err := compileDecryptionKey(k, i)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		v.decryptKeys = append(v.decryptKeys, dk)
	}
	claims, cerrs := compileClaims(cfg.RequiredClaims)
	v.claims = claims
	errs = append(errs, cerrs...)
	if len(cfg.OpenIDConfigURLs) > 0 || opts.DynamicOpenIDConfig {
		d := opts.Discovery
		if d == nil {
			d = NewDiscovery(DiscoveryOptions{HTTPClient: opts.HTTPClient, Now: opts.Now})
		}
		v.discovery = d
		for i, u := range cfg.OpenIDConfigURLs {
			if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
				errs = append(errs, &ConfigError{Element: fmt.Sprintf("openid-config[%d]", i+1), Index: i, Attribute: "url", Err: fmt.Errorf("%q is not an http(s) URL", u)})
				continue
			}
			v.providers = append(v.providers, d.provider(u))
		}
	}
	v.locate()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return v, nil
}

// locate sets where v looks for the token, for causes and require-scheme.
func (v *Validator) locate() {
	cfg := v.cfg
	v.schemeApplies = false
	switch {
	case cfg.HeaderName != "":
		v.tokenLocation = "the header " + cfg.HeaderName
		v.schemeApplies = strings.EqualFold(cfg.HeaderName, "Authorization")
	case cfg.QueryParameterName != "":
		v.tokenLocation = "the query parameter " + cfg.QueryParameterName
	case cfg.TokenValue:
		v.tokenLocation = "token-value"
	default:
		v.tokenLocation = "the request"
	}
}

// compileClaims checks the required claims and compiles them.
func compileClaims(cs []Claim) ([]compiledClaim, []error) {
	var errs []error
	out := make([]compiledClaim, 0, len(cs))
	for i, c := range cs {
		el := fmt.Sprintf("required-claims/claim[%d]", i+1)
		if strings.TrimSpace(c.Name) == "" {
			errs = append(errs, &ConfigError{Element: el, Index: i, Attribute: "name", Err: errors.New("the claim name is empty")})
		}
		switch c.Match {
		case "", "all", "any":
		default:
			errs = append(errs, &ConfigError{Element: el, Index: i, Attribute: "match", Err: fmt.Errorf("%q is neither \"all\" nor \"any\"", c.Match)})
		}
		out = append(out, compiledClaim{Claim: c, any: c.Match == "any"})
	}
	return out, errs
}

// Config returns the configuration v was compiled from.
func (v *Validator) Config() Config { return v.cfg }

// Prefetch loads every openid-config document and key set now, so the first
// request does not wait for them. It returns the fetch failures joined.
func (v *Validator) Prefetch(ctx context.Context) error {
	var errs []error
	for _, p := range v.providers {
		if _, err := p.get(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// fail builds a Failure with v's status and response message.
func (v *Validator) fail(r Reason, msg, cause string) *Failure {
	f := &Failure{Source: v.source, Reason: r, Message: msg, Status: v.status, ResponseMessage: msg, Cause: cause}
	if v.cfg.FailedValidationErrorMessage != "" {
		f.ResponseMessage = v.cfg.FailedValidationErrorMessage
	}
	return f
}

// Extraction is a token read from a request header.
type Extraction struct {
	// Token is the token text, without the scheme.
	Token string
	// Found reports whether a token was found where the policy looks.
	Found bool
	// Scheme is the scheme the header value carried ("" when none).
	Scheme string
	// Cause explains why no token was found (empty when Found).
	Cause string
}

// ExtractToken reads the token from the value of header name (present tells
// whether the header exists) with require-scheme semantics: for the
// Authorization header, the value is "<scheme> <token>" and, when
// requireScheme is set, the scheme must equal it (case-insensitively);
// other headers carry the token alone and requireScheme is ignored, as in
// APIM. A wrong scheme is reported as not found (APIM's TokenNotPresent)
// with a cause saying which scheme was seen.
func ExtractToken(name, value string, present bool, requireScheme string) Extraction {
	if !present {
		return Extraction{Cause: fmt.Sprintf("the request has no %s header", name)}
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return Extraction{Cause: fmt.Sprintf("the %s header is empty", name)}
	}
	if !strings.EqualFold(name, "Authorization") {
		return Extraction{Token: value, Found: true}
	}
	scheme, token, hasSpace := strings.Cut(value, " ")
	if !hasSpace {
		if requireScheme != "" {
			return Extraction{Cause: fmt.Sprintf("the header %s has no scheme; require-scheme expects %q, as in \"%s <token>\"", name, requireScheme, requireScheme)}
		}
		return Extraction{Token: value, Found: true}
	}
	token = strings.TrimSpace(token)
	if requireScheme != "" && !strings.EqualFold(scheme, requireScheme) {
		return Extraction{Scheme: scheme, Cause: fmt.Sprintf("the token was found in the header %s but its scheme is %q, not %q (require-scheme)", name, scheme, requireScheme)}
	}
	if token == "" {
		return Extraction{Scheme: scheme, Cause: fmt.Sprintf("the header %s has the scheme %q but no token after it", name, scheme)}
	}
	return Extraction{Token: token, Found: true, Scheme: scheme}
}

// ValidateHeader extracts the token from the value of the configured header
// (present tells whether the request has it) and validates it.
func (v *Validator) ValidateHeader(ctx context.Context, value string, present bool) (*Result, *Failure) {
	scheme := ""
	if v.schemeApplies {
		scheme = v.cfg.RequireScheme
	}
	name := v.cfg.HeaderName
	if name == "" {
		name = "Authorization"
	}
	x := ExtractToken(name, value, present, scheme)
	if !x.Found {
		return nil, v.fail(TokenNotPresent, msgNotPresent, x.Cause)
	}
	return v.Validate(ctx, x.Token, true)
}

// LooksLikeSubscriptionKey reports whether s has the shape of an APIM
// subscription key: 32 hexadecimal digits. The gateway can use it too, to
// explain a missing subscription key that was sent as a bearer token.
func LooksLikeSubscriptionKey(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// malformedCause explains a token that is not a compact JWS or JWE.
func (v *Validator) malformedCause(tok string, dots int) string {
	switch {
	case LooksLikeSubscriptionKey(tok):
		return fmt.Sprintf("the value in %s is 32 hexadecimal digits: this looks like a subscription key, not a JWT; send subscription keys in the Ocp-Apim-Subscription-Key header (or the API's subscription key header or query parameter) and a JWT here", v.tokenLocation)
	case strings.Contains(tok, " "):
		s, _, _ := strings.Cut(tok, " ")
		return fmt.Sprintf("the value in %s contains a space after %q: only the Authorization header has its scheme removed, so %s must carry the bare token", v.tokenLocation, s, v.tokenLocation)
	}
	return fmt.Sprintf("the value in %s has %d dot-separated segments; a JWT has 3 (signed, JWS) or 5 (encrypted, JWE)", v.tokenLocation, dots+1)
}

// Overrides are per-request values of the validate-jwt attributes that
// accept policy expressions. Nil fields keep the compiled value.
type Overrides struct {
	FailedValidationHTTPCode     *int
	FailedValidationErrorMessage *string
	RequireExpirationTime        *bool
	RequireScheme                *string
	RequireSignedTokens          *bool
	ClockSkew                    *time.Duration
	// HeaderName and QueryParameterName, when non-nil, replace where the
	// token is read from (header-name, query-parameter-name).
	HeaderName, QueryParameterName *string
	// Audiences, Issuers and RequiredClaims, when non-nil, replace the
	// compiled lists: audiences/audience, issuers/issuer and
	// required-claims/claim written as policy expressions.
	Audiences, Issuers []string
	RequiredClaims     []Claim
	// OpenIDConfigURLs, when non-nil, replace the openid-config urls; the
	// Validator must have been built with Options.DynamicOpenIDConfig or
	// an openid-config. Their documents are cached in its Discovery, at
	// most MaxProviders of them.
	OpenIDConfigURLs []string
}

// With returns a copy of v with the overrides applied, sharing v's compiled
// keys and discovery cache, so expression-valued attributes cost one small
// allocation per request instead of a recompilation. An invalid status code
// or a negative skew is an error.
func (v *Validator) With(o Overrides) (*Validator, error) {
	w := *v
	if o.FailedValidationHTTPCode != nil {
		if c := *o.FailedValidationHTTPCode; c < 100 || c > 999 {
			return nil, fmt.Errorf("failed-validation-httpcode %d is not an HTTP status code", c)
		}
		w.status = *o.FailedValidationHTTPCode
		w.cfg.FailedValidationHTTPCode = w.status
	}
	if o.FailedValidationErrorMessage != nil {
		w.cfg.FailedValidationErrorMessage = *o.FailedValidationErrorMessage
	}
	if o.RequireExpirationTime != nil {
		w.requireExp = *o.RequireExpirationTime
		w.cfg.RequireExpirationTime = Bool(w.requireExp)
	}
	if o.RequireScheme != nil {
		w.cfg.RequireScheme = *o.RequireScheme
	}
	if o.RequireSignedTokens != nil {
		w.requireSigned = *o.RequireSignedTokens
		w.cfg.RequireSignedTokens = Bool(w.requireSigned)
	}
	if o.ClockSkew != nil {
		if *o.ClockSkew < 0 {
			return nil, fmt.Errorf("clock-skew %s is negative", *o.ClockSkew)
		}
		w.cfg.ClockSkew = *o.ClockSkew
	}
	if o.HeaderName != nil || o.QueryParameterName != nil {
		if o.HeaderName != nil {
			w.cfg.HeaderName = *o.HeaderName
		}
		if o.QueryParameterName != nil {
			w.cfg.QueryParameterName = *o.QueryParameterName
		}
		w.locate()
	}
	if o.Audiences != nil {
		w.cfg.Audiences = o.Audiences
	}
	if o.Issuers != nil {
		w.cfg.Issuers = o.Issuers
	}
	if o.OpenIDConfigURLs != nil {
		if v.discovery == nil {
			return nil, errors.New("openid-config urls given per request to a validator built without discovery")
		}
		w.providers = make([]*provider, 0, len(o.OpenIDConfigURLs))
		for _, u := range o.OpenIDConfigURLs {
			if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
				return nil, fmt.Errorf("openid-config url %q is not an http(s) URL", u)
			}
			p, ok := v.discovery.boundedProvider(u)
			if !ok {
				return nil, fmt.Errorf("openid-config url %q would be the %dth metadata document kept: an expression naming a new URL on every request is refused", u, MaxProviders+1)
			}
			w.providers = append(w.providers, p)
		}
		w.cfg.OpenIDConfigURLs = o.OpenIDConfigURLs
	}
	if o.RequiredClaims != nil {
		claims, errs := compileClaims(o.RequiredClaims)
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		w.cfg.RequiredClaims, w.claims = o.RequiredClaims, claims
	}
	return &w, nil
}
