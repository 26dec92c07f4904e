// Package authn validates bearer tokens the way APIM's validate-jwt and
// validate-azure-ad-token policies do, and explains every rejection.
//
// It owns: the compiled form of a validate-jwt configuration (key material
// decoded once, at configuration load), token extraction with require-scheme
// semantics, JWS signature verification and JWE decryption (through
// github.com/lestrrat-go/jwx/v3), lifetime, audience, issuer and
// required-claims checks, OpenID Connect discovery with a shared JWKS cache
// (refreshed in the background, re-fetched on an unknown kid at most once per
// bounded interval), and the mapping of every failure to APIM's reason code,
// APIM's message text and a precise cause for tollgate's users.
//
// It knows nothing about policy XML or expressions: the caller (the policy
// runtime) resolves expressions and passes plain values in a [Config]. Errors
// about key material name the element (for example
// "issuer-signing-keys/key[2]") so the caller can position them in the file.
//
// Hot path: [Validator.Validate] does no reflection and no configuration
// parsing; it decodes the token's header and claims with encoding/json.
//
// This package must not import internal/policy, internal/gateway or
// internal/config; it imports the standard library and jwx only.
package authn
