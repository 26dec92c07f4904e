// Package credentials is tollgate's local credential manager: the access
// tokens that get-authorization-context hands to policies, which APIM keeps
// in its credential manager connections (provider, authorization).
//
// Tokens come from the environment or from a file. The environment variable
// TOLLGATE_AUTHORIZATION_<PROVIDER>_<ID> holds the access token of
// authorization ID of provider PROVIDER, both upper-cased with every
// character other than A-Z and 0-9 replaced by "_" (provider "github",
// authorization "auth-1": TOLLGATE_AUTHORIZATION_GITHUB_AUTH_1). When the
// token is a JWT, its payload's claims are the authorization's claims.
//
// The file (tollgate run --authorizations FILE), JSON or YAML, maps
// providers to authorizations:
//
//	authorizations:
//	  github:
//	    auth-1:
//	      accessToken: gho_xxx
//	      claims: {login: octocat}
//	      expiresOn: 2030-01-01T00:00:00Z
//
// The environment wins over the file. A token past its expiresOn is an
// error, as an authorization in an error state is in APIM. Tokens are
// secrets: they never appear in an error of this package.
package credentials
