package policy

import (
	"github.com/tollgate/tollgate/internal/xmlscan"
)

// ValidateJWT is <validate-jwt>.
type ValidateJWT struct {
	HeaderName, QueryParameterName, TokenValue Value // exactly one
	FailedValidationHTTPCode                   Int   // default 401
	FailedValidationErrorMessage               Value
	RequireExpirationTime                      Bool // default true
	RequireScheme                              Value
	RequireSignedTokens                        Bool // default true
	ClockSkew                                  Int  // seconds, default 0
	OutputTokenVariableName                    Value
	OpenIDConfigs                              []Value // openid-config@url
	SigningKeys, DecryptionKeys                []Key
	Audiences, Issuers                         []Value
	RequiredClaims                             []Claim
}

// Key is a <key> of issuer-signing-keys or decryption-keys: base64 text, a
// certificate-id, or an RSA modulus and exponent.
type Key struct {
	Text              Value
	CertificateID, ID Value
	N, E              Value
}

// Claim is a <claim> of required-claims.
type Claim struct {
	Name      Value
	Match     Value // all (default) | any
	Separator Value
	Values    []Value
}

// PolicyName implements Policy.
func (*ValidateJWT) PolicyName() string { return "validate-jwt" }

func parseValidateJWT(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &ValidateJWT{HeaderName: a.str("header-name", expr), QueryParameterName: a.str("query-parameter-name", expr),
		TokenValue: a.str("token-value", expr), FailedValidationHTTPCode: a.integer("failed-validation-httpcode", 401, 100, 999, expr),
		FailedValidationErrorMessage: a.str("failed-validation-error-message", expr),
		RequireExpirationTime:        a.boolean("require-expiration-time", true, expr), RequireScheme: a.str("require-scheme", expr),
		RequireSignedTokens: a.boolean("require-signed-tokens", true, expr), ClockSkew: a.integer("clock-skew", 0, 0, maxInt, expr),
		OutputTokenVariableName: a.str("output-token-variable-name", opt)}
	a.exactlyOne([]string{"header-name", "query-parameter-name", "token-value"}, p.HeaderName, p.QueryParameterName, p.TokenValue)
	a.done()
	for _, k := range l.elems(e, "openid-config", "issuer-signing-keys", "decryption-keys", "audiences", "issuers", "required-claims") {
		switch k.Name {
		case "openid-config":
			b := l.attrs(k, false)
			p.OpenIDConfigs = append(p.OpenIDConfigs, b.str("url", req|expr))
			b.done()
			l.leaf(k)
		case "issuer-signing-keys":
			l.attrs(k, false).done()
			p.SigningKeys = l.keys(k)
		case "decryption-keys":
			l.attrs(k, false).done()
			p.DecryptionKeys = l.keys(k)
		case "audiences":
			l.attrs(k, false).done()
			p.Audiences = l.textList(k, "audience")
		case "issuers":
			l.attrs(k, false).done()
			p.Issuers = l.textList(k, "issuer")
		case "required-claims":
			l.attrs(k, false).done()
			p.RequiredClaims = l.claims(k)
		}
	}
	return p
}

func (l *loader) keys(e *xmlscan.Element) []Key {
	var out []Key
	for _, k := range l.elems(e, "key") {
		a := l.attrs(k, false)
		x := Key{CertificateID: a.str("certificate-id", opt), ID: a.str("id", opt), N: a.str("n", opt), E: a.str("e", opt)}
		a.done()
		x.Text = l.text(k, false)
		out = append(out, x)
	}
	return out
}

func (l *loader) claims(e *xmlscan.Element) []Claim {
	var out []Claim
	for _, k := range l.elems(e, "claim") {
		a := l.attrs(k, false)
		x := Claim{Name: a.str("name", req), Match: a.enum("match", opt, "all", "any"), Separator: a.str("separator", opt)}
		a.done()
		x.Values = l.textList(k, "value")
		out = append(out, x)
	}
	return out
}

// ValidateAzureADToken is <validate-azure-ad-token>.
type ValidateAzureADToken struct {
	TenantID                                   Value
	HeaderName, QueryParameterName, TokenValue Value
	FailedValidationHTTPCode                   Int
	FailedValidationErrorMessage               Value
	OutputTokenVariableName                    Value
	ClientApplicationIDs                       []Value
	BackendApplicationIDs                      []Value
	Audiences                                  []Value
	RequiredClaims                             []Claim
}

// PolicyName implements Policy.
func (*ValidateAzureADToken) PolicyName() string { return "validate-azure-ad-token" }

func parseValidateAzureADToken(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &ValidateAzureADToken{TenantID: a.str("tenant-id", req|expr), HeaderName: a.str("header-name", expr),
		QueryParameterName: a.str("query-parameter-name", expr), TokenValue: a.str("token-value", expr),
		FailedValidationHTTPCode:     a.integer("failed-validation-httpcode", 401, 100, 999, expr),
		FailedValidationErrorMessage: a.str("failed-validation-error-message", expr),
		OutputTokenVariableName:      a.str("output-token-variable-name", opt)}
	a.done()
	for _, k := range l.elems(e, "client-application-ids", "backend-application-ids", "audiences", "required-claims") {
		l.attrs(k, false).done()
		switch k.Name {
		case "client-application-ids":
			p.ClientApplicationIDs = l.textList(k, "application-id")
			for _, v := range p.ClientApplicationIDs {
				if v.IsExpr() {
					l.diags.Errorf(v.Span, "expression-not-allowed", "<application-id> does not accept policy expressions")
				}
			}
		case "backend-application-ids":
			p.BackendApplicationIDs = l.textList(k, "application-id")
		case "audiences":
			p.Audiences = l.textList(k, "audience")
		case "required-claims":
			p.RequiredClaims = l.claims(k)
		}
	}
	return p
}

// ValidateClientCertificate is <validate-client-certificate>.
type ValidateClientCertificate struct {
	ValidateRevocation, ValidateTrust   Bool // default true
	ValidateNotBefore, ValidateNotAfter Bool // default true
	IgnoreError                         Bool // default false
	Identities                          []map[string]Value
}

// PolicyName implements Policy.
func (*ValidateClientCertificate) PolicyName() string { return "validate-client-certificate" }

func parseValidateClientCertificate(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &ValidateClientCertificate{ValidateRevocation: a.boolean("validate-revocation", true, opt),
		ValidateTrust: a.boolean("validate-trust", true, opt), ValidateNotBefore: a.boolean("validate-not-before", true, opt),
		ValidateNotAfter: a.boolean("validate-not-after", true, opt), IgnoreError: a.boolean("ignore-error", false, opt)}
	a.done()
	for _, k := range l.elems(e, "identities") {
		l.attrs(k, false).done()
		for _, id := range l.elems(k, "identity") {
			b := l.attrs(id, false)
			m := map[string]Value{}
			for _, n := range []string{"thumbprint", "serial-number", "common-name", "subject", "dns-name",
				"issuer-subject", "issuer-thumbprint", "issuer-certificate-id"} {
				if v := b.str(n, opt); v.Set {
					m[n] = v
				}
			}
			b.done()
			l.leaf(id)
			p.Identities = append(p.Identities, m)
		}
	}
	return p
}

// GetAuthorizationContext is <get-authorization-context>.
type GetAuthorizationContext struct {
	ProviderID, AuthorizationID, ContextVariableName Value
	IdentityType                                     Value // managed (default) | jwt
	Identity                                         Value
	IgnoreError                                      Bool
}

// PolicyName implements Policy.
func (*GetAuthorizationContext) PolicyName() string { return "get-authorization-context" }

func parseGetAuthorizationContext(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &GetAuthorizationContext{ProviderID: a.str("provider-id", req|expr), AuthorizationID: a.str("authorization-id", req|expr),
		ContextVariableName: a.str("context-variable-name", req), IdentityType: a.enum("identity-type", expr, "managed", "jwt"),
		Identity: a.str("identity", expr), IgnoreError: a.boolean("ignore-error", false, opt)}
	a.done()
	l.leaf(e)
	return p
}

// AuthenticationBasic is <authentication-basic username password>.
type AuthenticationBasic struct {
	Username, Password Value
}

// PolicyName implements Policy.
func (*AuthenticationBasic) PolicyName() string { return "authentication-basic" }

func parseAuthenticationBasic(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &AuthenticationBasic{Username: a.str("username", req|expr), Password: a.str("password", req|expr)}
	a.done()
	l.leaf(e)
	return p
}

// AuthenticationCertificate is <authentication-certificate>: a client
// certificate by thumbprint, certificate-id or body (+ password).
type AuthenticationCertificate struct {
	Thumbprint, CertificateID, Body, Password Value
}

// PolicyName implements Policy.
func (*AuthenticationCertificate) PolicyName() string { return "authentication-certificate" }

func parseAuthenticationCertificate(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &AuthenticationCertificate{Thumbprint: a.str("thumbprint", expr), CertificateID: a.str("certificate-id", expr),
		Body: a.str("body", expr), Password: a.str("password", expr)}
	a.exactlyOne([]string{"thumbprint", "certificate-id", "body"}, p.Thumbprint, p.CertificateID, p.Body)
	a.done()
	l.leaf(e)
	return p
}

// AuthenticationManagedIdentity is <authentication-managed-identity>.
type AuthenticationManagedIdentity struct {
	Resource, ClientID, OutputTokenVariableName Value
	IgnoreError                                 Bool
}

// PolicyName implements Policy.
func (*AuthenticationManagedIdentity) PolicyName() string { return "authentication-managed-identity" }

func parseAuthenticationManagedIdentity(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &AuthenticationManagedIdentity{Resource: a.str("resource", req|expr), ClientID: a.str("client-id", expr),
		OutputTokenVariableName: a.str("output-token-variable-name", opt), IgnoreError: a.boolean("ignore-error", false, expr)}
	a.done()
	l.leaf(e)
	return p
}

// LLMTokenLimit is <llm-token-limit> and <azure-openai-token-limit>.
type LLMTokenLimit struct {
	Element                     string
	CounterKey                  Value
	TokensPerMinute, TokenQuota Int
	TokenQuotaPeriod            Value
	EstimatePromptTokens        Bool
	HeaderAndVariableNames      map[string]Value
}

// PolicyName implements Policy.
func (p *LLMTokenLimit) PolicyName() string { return p.Element }

func parseLLMTokenLimit(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &LLMTokenLimit{Element: e.Name, CounterKey: a.str("counter-key", req|expr),
		TokensPerMinute: a.integer("tokens-per-minute", 0, 0, maxInt, expr), TokenQuota: a.integer("token-quota", 0, 0, maxInt, expr),
		TokenQuotaPeriod:     a.enum("token-quota-period", opt, "Hourly", "Daily", "Weekly", "Monthly", "Yearly"),
		EstimatePromptTokens: a.boolean("estimate-prompt-tokens", false, req), HeaderAndVariableNames: map[string]Value{}}
	for _, n := range []string{"retry-after-header-name", "retry-after-variable-name", "remaining-quota-tokens-header-name",
		"remaining-quota-tokens-variable-name", "remaining-tokens-header-name", "remaining-tokens-variable-name",
		"tokens-consumed-header-name", "tokens-consumed-variable-name"} {
		if v := a.str(n, opt); v.Set {
			p.HeaderAndVariableNames[n] = v
		}
	}
	a.done()
	l.leaf(e)
	if !p.TokensPerMinute.Set && !(p.TokenQuota.Set && p.TokenQuotaPeriod.Set) {
		l.diags.Errorf(e.NameSpan, "missing-attribute", "<%s> requires \"tokens-per-minute\" or both \"token-quota\" and \"token-quota-period\"", e.Name)
	}
	return p
}
