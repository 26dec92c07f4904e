package authn

import (
	"errors"
	"regexp"
	"strings"
)

// DefaultAuthority is the Microsoft Entra ID authority of the public cloud.
const DefaultAuthority = "https://login.microsoftonline.com"

// AzureADConfig mirrors validate-azure-ad-token after expressions are
// resolved.
type AzureADConfig struct {
	// TenantID is tenant-id: a GUID or a domain such as contoso.onmicrosoft.com.
	TenantID string
	// Authority overrides the authority base URL (sovereign clouds, tests);
	// empty means DefaultAuthority.
	Authority string

	// HeaderName, QueryParameterName and TokenValue are as in Config; when
	// none is set the header is Authorization.
	HeaderName         string
	QueryParameterName string
	TokenValue         bool

	FailedValidationHTTPCode     int
	FailedValidationErrorMessage string
	OutputTokenVariableName      string

	// ClientApplicationIDs are client-application-ids/application-id: the
	// token's azp (v2) or appid (v1) must be one of them. APIM's reference
	// lists the element as required, its gateway runs policies without it
	// (Microsoft's own templates have none): then any client application is
	// accepted.
	ClientApplicationIDs []string
	// BackendApplicationIDs are backend-application-ids/application-id: each
	// is accepted as an audience, bare and as "api://<id>".
	BackendApplicationIDs []string
	// Audiences are audiences/audience.
	Audiences []string
	// RequiredClaims are required-claims/claim.
	RequiredClaims []Claim
}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// MetadataURL returns the OpenID configuration URL of the tenant:
// <authority>/<tenant>/v2.0/.well-known/openid-configuration.
func (c AzureADConfig) MetadataURL() string {
	a := c.Authority
	if a == "" {
		a = DefaultAuthority
	}
	return strings.TrimSuffix(a, "/") + "/" + c.TenantID + "/v2.0/.well-known/openid-configuration"
}

// JWTConfig translates the policy into the equivalent validate-jwt
// configuration. Issuers come from the tenant's metadata; when the tenant
// is a GUID and the authority is the public cloud, the v1 issuer
// https://sts.windows.net/<tenant>/ is accepted as well, so v1 and v2
// access tokens both validate.
func (c AzureADConfig) JWTConfig() (Config, error) {
	if strings.TrimSpace(c.TenantID) == "" {
		return Config{}, errors.New("tenant-id is empty")
	}
	cfg := Config{Source: "validate-azure-ad-token", HeaderName: c.HeaderName, QueryParameterName: c.QueryParameterName,
		TokenValue: c.TokenValue, FailedValidationHTTPCode: c.FailedValidationHTTPCode,
		FailedValidationErrorMessage: c.FailedValidationErrorMessage, OutputTokenVariableName: c.OutputTokenVariableName,
		RequireExpirationTime: Bool(true), RequireSignedTokens: Bool(true),
		OpenIDConfigURLs: []string{c.MetadataURL()}, RequiredClaims: c.RequiredClaims,
		ClientApplicationIDs: c.ClientApplicationIDs}
	if cfg.HeaderName == "" && cfg.QueryParameterName == "" && !cfg.TokenValue {
		cfg.HeaderName = "Authorization"
	}
	if cfg.HeaderName != "" && strings.EqualFold(cfg.HeaderName, "Authorization") {
		cfg.RequireScheme = "Bearer"
	}
	cfg.Audiences = append(cfg.Audiences, c.Audiences...)
	for _, id := range c.BackendApplicationIDs {
		cfg.Audiences = append(cfg.Audiences, id, "api://"+id)
	}
	a := strings.TrimSuffix(c.Authority, "/")
	if guidPattern.MatchString(c.TenantID) && (a == "" || a == DefaultAuthority) {
		cfg.Issuers = []string{DefaultAuthority + "/" + c.TenantID + "/v2.0", "https://sts.windows.net/" + c.TenantID + "/"}
	}
	return cfg, nil
}

// NewAzureAD compiles a validate-azure-ad-token configuration.
func NewAzureAD(c AzureADConfig, opts Options) (*Validator, error) {
	cfg, err := c.JWTConfig()
	if err != nil {
		return nil, err
	}
	return New(cfg, opts)
}
