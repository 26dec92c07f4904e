package authn

import (
	"net/http"
	"time"
)

// Config mirrors the attributes and child elements of one validate-jwt
// policy after the caller has resolved policy expressions and named values.
// The zero value of a field means "attribute absent"; pointer fields
// distinguish an absent boolean (APIM's default applies) from false.
type Config struct {
	// Source is the policy name reported in failures: "validate-jwt" when
	// empty, or "validate-azure-ad-token".
	Source string

	// HeaderName, QueryParameterName and TokenValue record where the token
	// comes from (exactly one is set in valid policy XML). The caller reads
	// the request and passes the token to Validate; these names only make
	// causes precise and decide whether require-scheme applies.
	HeaderName         string
	QueryParameterName string
	TokenValue         bool

	// FailedValidationHTTPCode is the response status on failure; 0 means 401.
	FailedValidationHTTPCode int
	// FailedValidationErrorMessage replaces the reason-specific text in the
	// response body when set.
	FailedValidationErrorMessage string
	// RequireExpirationTime is require-expiration-time; nil means true.
	RequireExpirationTime *bool
	// RequireScheme is require-scheme (for example "Bearer"); honoured only
	// for the Authorization header, as in APIM.
	RequireScheme string
	// RequireSignedTokens is require-signed-tokens; nil means true.
	RequireSignedTokens *bool
	// ClockSkew is clock-skew (APIM gives it in seconds; default 0).
	ClockSkew time.Duration
	// OutputTokenVariableName is output-token-variable-name; the caller stores
	// the Result under this name.
	OutputTokenVariableName string

	// OpenIDConfigURLs are the url attributes of the openid-config elements
	// (the .well-known/openid-configuration documents).
	OpenIDConfigURLs []string
	// IssuerSigningKeys are the issuer-signing-keys/key elements.
	IssuerSigningKeys []Key
	// DecryptionKeys are the decryption-keys/key elements (JWE).
	DecryptionKeys []Key
	// Audiences are audiences/audience values; any one must match.
	Audiences []string
	// Issuers are issuers/issuer values; any one must match.
	Issuers []string
	// RequiredClaims are required-claims/claim elements.
	RequiredClaims []Claim

	// ClientApplicationIDs, when set, requires the token's azp (v2) or appid
	// (v1) claim to be one of them (validate-azure-ad-token).
	ClientApplicationIDs []string
}

// Key is one key element of issuer-signing-keys or decryption-keys. Exactly
// one form is used: Value (base64 symmetric key text), Certificate (the
// certificate named by CertificateID, resolved by the caller), or N and E
// (RSA modulus and exponent, base64url).
type Key struct {
	// ID is the id attribute; when set, it must equal the token's kid.
	ID string
	// Value is the element text: a base64-encoded symmetric key.
	Value string
	// CertificateID is the certificate-id attribute, used in messages.
	CertificateID string
	// Certificate is the certificate named by CertificateID, PEM or DER. For
	// decryption keys it must be PEM and include the private key (a
	// "PRIVATE KEY" or "RSA PRIVATE KEY" block); PKCS#12 is not read.
	Certificate []byte
	// N and E are the n and e attributes (RSA modulus and exponent,
	// base64url without padding).
	N, E string
}

// Claim is one required-claims/claim element.
type Claim struct {
	// Name is the claim name.
	Name string
	// Match is "all" (the default when empty) or "any".
	Match string
	// Separator, when set, splits string claim values into several values.
	Separator string
	// Values are the value children; none means the claim must only exist.
	Values []string
}

// Options are the runtime collaborators of a Validator.
type Options struct {
	// Discovery is the shared OpenID metadata and JWKS cache. Pass the same
	// one to every Validator of a configuration, and keep it across
	// configuration reloads so keys are not fetched again. When nil and the
	// configuration has openid-config URLs, the Validator creates a private
	// one from HTTPClient.
	Discovery *Discovery
	// HTTPClient is used for a private Discovery; nil means a client with
	// default settings.
	HTTPClient *http.Client
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// DynamicOpenIDConfig prepares the Validator for openid-config urls
	// given per request (Overrides.OpenIDConfigURLs), written as policy
	// expressions.
	DynamicOpenIDConfig bool
}

// Bool returns a pointer to b, for Config's optional booleans.
func Bool(b bool) *bool { return &b }

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}
