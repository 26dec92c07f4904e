package authn

import (
	"fmt"
	"strings"
	"time"
)

// Reason is an APIM reason code, the value of context.LastError.Reason.
type Reason string

// The reason codes validate-jwt and validate-azure-ad-token report.
const (
	TokenNotPresent           Reason = "TokenNotPresent"
	TokenSignatureInvalid     Reason = "TokenSignatureInvalid"
	TokenAudienceNotAllowed   Reason = "TokenAudienceNotAllowed"
	TokenIssuerNotAllowed     Reason = "TokenIssuerNotAllowed"
	TokenExpired              Reason = "TokenExpired"
	TokenSignatureKeyNotFound Reason = "TokenSignatureKeyNotFound"
	TokenClaimNotFound        Reason = "TokenClaimNotFound"
	TokenClaimValueNotAllowed Reason = "TokenClaimValueNotAllowed"
	JwtInvalid                Reason = "JwtInvalid"
)

// Failure is a rejected token: what APIM reports (Source, Reason, Message,
// Status) and what tollgate adds (Cause).
type Failure struct {
	// Source is the policy name: "validate-jwt" or "validate-azure-ad-token".
	Source string
	// Reason is APIM's reason code.
	Reason Reason
	// Message is APIM's message, the value of context.LastError.Message.
	Message string
	// Status is failed-validation-httpcode (401 by default).
	Status int
	// ResponseMessage is the message for the response body:
	// failed-validation-error-message when configured, else Message.
	ResponseMessage string
	// Cause is tollgate's precise explanation of the failure, for logs and
	// traces; it is never sent to the client.
	Cause string
}

// Error formats the failure for logs.
func (f *Failure) Error() string {
	s := f.Source + ": " + string(f.Reason) + ": " + f.Message
	if f.Cause != "" {
		s += " (" + f.Cause + ")"
	}
	return s
}

// accessDenied is appended to library messages for the reasons APIM's
// documentation lists as "<message>. Access denied.".
const accessDenied = " Access denied."

// msgNotPresent is APIM's TokenNotPresent message.
const msgNotPresent = "JWT not present."

// netTime formats t the way .NET's invariant culture prints a DateTime in
// IdentityModel messages.
func netTime(t time.Time) string { return t.UTC().Format("01/02/2006 15:04:05") }

// piiHidden stands for token content IdentityModel does not print.
const piiHidden = "[PII is hidden]"

func msgExpired(exp, now time.Time) string {
	return fmt.Sprintf("IDX10223: Lifetime validation failed. The token is expired. ValidTo: '%s', Current time: '%s'.", netTime(exp), netTime(now))
}

func msgNotYetValid(nbf, now time.Time) string {
	return fmt.Sprintf("IDX10222: Lifetime validation failed. The token is not yet valid. ValidFrom: '%s', Current time: '%s'.", netTime(nbf), netTime(now))
}

const msgNoExpiration = "IDX10225: Lifetime validation failed. The token is missing an Expiration Time. Tokentype: 'System.IdentityModel.Tokens.Jwt.JwtSecurityToken'."

func msgAudience(tokenAuds, valid []string) string {
	return fmt.Sprintf("IDX10214: Audience validation failed. Audiences: '%s'. Did not match: validationParameters.ValidAudience: 'null' or validationParameters.ValidAudiences: '%s'.",
		strings.Join(tokenAuds, ", "), strings.Join(valid, ", "))
}

const msgNoAudience = "IDX10206: Unable to validate audience. The 'audiences' parameter is empty."

func msgIssuer(iss string, valid []string) string {
	return fmt.Sprintf("IDX10205: Issuer validation failed. Issuer: '%s'. Did not match: validationParameters.ValidIssuer: 'null' or validationParameters.ValidIssuers: '%s'.",
		iss, strings.Join(valid, ", "))
}

const msgNoIssuer = "IDX10211: Unable to validate issuer. The 'issuer' parameter is null or whitespace"

func msgKidNotFound(kid string) string {
	return fmt.Sprintf("IDX10501: Signature validation failed. Unable to match key: kid: '%s'.", kid)
}

const msgNoKeys = "IDX10500: Signature validation failed. No security keys were provided to validate the signature."

func msgSignatureKid(tried []string, kid string) string {
	return fmt.Sprintf("IDX10511: Signature validation failed. Keys tried: '%s'. kid: '%s'.", strings.Join(tried, ", "), kid)
}

func msgSignature(tried []string) string {
	return fmt.Sprintf("IDX10503: Signature validation failed. Keys tried: '%s'.", strings.Join(tried, ", "))
}

const msgUnsigned = "IDX10504: Unable to validate signature, token does not have a signature: '" + piiHidden + "'."

func msgUnsupportedAlg(alg string) string {
	return fmt.Sprintf("IDX10634: Unable to create the SignatureProvider. Algorithm: '%s', SecurityKey: '%s' is not supported.", alg, piiHidden)
}

const msgSegments = "IDX12741: JWT: '" + piiHidden + "' must have three segments (JWS) or five segments (JWE)."

const msgBadHeader = "IDX12729: Unable to decode the header '" + piiHidden + "' as Base64Url encoded string."

const msgBadPayload = "IDX12723: Unable to decode the payload '" + piiHidden + "' as Base64Url encoded string."

const msgNoDecryptionKeys = "IDX10609: Decryption failed. No Keys tried: token: '" + piiHidden + "'."

func msgDecrypt(tried []string) string {
	return fmt.Sprintf("IDX10603: Decryption failed. Keys tried: '%s'.", strings.Join(tried, ", "))
}

func msgClaimsMissing(names []string) string {
	return "JWT token is missing the following claims: " + strings.Join(names, ", ") + accessDenied
}

func msgClaimValue(name, value string) string {
	return "Claim " + name + " value of " + value + " is not allowed." + accessDenied
}

// messageFor returns the Message for a library message under reason: APIM
// appends "Access denied." to the five signature, audience, issuer and
// lifetime reasons and leaves JwtInvalid as the library wrote it.
func messageFor(r Reason, lib string) string {
	switch r {
	case TokenSignatureInvalid, TokenAudienceNotAllowed, TokenIssuerNotAllowed, TokenExpired, TokenSignatureKeyNotFound:
		return lib + accessDenied
	}
	return lib
}

// nearMiss explains how got differs from want when the difference is one
// users overlook: a trailing slash, letter case, or surrounding spaces.
func nearMiss(got, want string) string {
	switch {
	case got == want:
		return ""
	case strings.TrimSuffix(got, "/") == strings.TrimSuffix(want, "/"):
		return "they differ only by a trailing slash"
	case strings.EqualFold(got, want):
		return "they differ only by letter case (the comparison is case-sensitive)"
	case strings.TrimSpace(got) == strings.TrimSpace(want):
		return "they differ only by surrounding spaces"
	}
	return ""
}

// quoteList formats values as "a", "b".
func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
