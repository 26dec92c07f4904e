package explain

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/capture"
)

// Sections of docs/troubleshooting.md.
const (
	docAuth     = "docs/troubleshooting.md#401-and-403"
	docNotFound = "docs/troubleshooting.md#404"
	docThrottle = "docs/troubleshooting.md#429"
	docServer   = "docs/troubleshooting.md#5xx"
	docCORS     = "docs/troubleshooting.md#cors"
	docPolicies = "docs/troubleshooting.md#broken-policies-and-named-values"
)

// diagnose names the origin, cause, fix and documentation of d's failure.
func diagnose(d *capture.Doc) (origin, cause, fix, doc string) {
	e := d.LastError
	if e == nil {
		return diagnoseWithoutError(d)
	}
	cause = e.Cause
	if cause == "" {
		cause = e.Message
	}
	at := e.Where
	if w := firstPosition(e.Cause); w != "" {
		at = w
	}
	api, keyHeader, keyQuery := d.Match.API, d.Match.KeyHeader, d.Match.KeyQuery
	origin = "gateway"
	lc := strings.ToLower(cause)
	switch e.Reason {
	case "SubscriptionKeyNotFound":
		doc = docAuth
		switch {
		case strings.Contains(cause, "Authorization header carries a subscription key"):
			fix = fmt.Sprintf("send the key in the %s header (or the %s query parameter), not as Authorization: Bearer", keyHeader, keyQuery)
		case strings.Contains(cause, "but this API reads it from"):
			fix = fmt.Sprintf("send the key where API %s reads it: the %s header or the %s query parameter (apis/%s/apiInformation.json, subscriptionKeyParameterNames)", api, keyHeader, keyQuery, api)
		default:
			fix = fmt.Sprintf("send a subscription key in the %s header or the %s query parameter; or, if API %s is meant to be open, set \"subscriptionRequired\": false in apis/%s/apiInformation.json", keyHeader, keyQuery, api, api)
		}
	case "SubscriptionKeyInvalid":
		doc = docAuth
		switch {
		case strings.Contains(cause, "which does not contain API"):
			product := between(cause, "scoped to product ", ",")
			fix = fmt.Sprintf("add API %s to product %s (products/%s/productApis.json), or call with the key of a subscription to a product that contains it", api, product, product)
			if i := strings.Index(cause, "products that contain it: "); i >= 0 {
				fix += " (" + cause[i:] + ")"
			}
		case strings.Contains(cause, "only active subscriptions are accepted"):
			sub := between(cause, "belongs to subscription ", ",")
			fix = fmt.Sprintf("activate subscription %s: set \"state\": \"active\" in subscriptions/%s/subscriptionInformation.json, or use the key of an active subscription", sub, sub)
		case strings.Contains(cause, "is scoped to API"):
			fix = fmt.Sprintf("use a key of a subscription scoped to API %s, all APIs, or a product containing it", api)
		default:
			fix = "use the primary or secondary key of an active subscription (subscriptions/*/subscriptionInformation.json, or the values file that supplies the keys); keys are case-sensitive and must be sent whole"
		}
	case "OperationNotFound":
		doc = docNotFound
		switch {
		case strings.Contains(cause, "none for method"):
			fix = fmt.Sprintf("call with a method API %s defines for this path, or add an operation for %s to the API's specification", api, d.Request.Method)
		case strings.Contains(cause, "no known version") || strings.Contains(cause, "has version"):
			fix = "name a version the version set has, in the place its scheme reads it (path segment, query parameter or header)"
		case strings.Contains(cause, "revision"):
			fix = "call an online revision (;rev=N) or make a revision current (isCurrent in the revision's apiInformation.json)"
		case strings.Contains(cause, "preflight"):
			doc = docCORS
			fix = "add a cors policy that applies to this API (keep <base/> in the API and operation policies so a global cors applies), or an OPTIONS operation"
		case strings.Contains(cause, "did you mean"):
			fix = "call the URL the cause suggests, or change the API's path (apis/<api>/apiInformation.json) or the operation's template"
		case strings.Contains(cause, "no operation template matches"):
			fix = fmt.Sprintf("call a path one of API %s's operation templates matches (tollgate effective lists them), or add the operation; mind trailing slashes and the API path prefix", api)
		default:
			fix = "call a URL whose path starts with an API's path (apis/*/apiInformation.json \"path\"): mind the /api prefix, the version segment and trailing slashes"
		}
	case "RateLimitExceeded", "QuotaExceeded", "ConcurrencyLimitExceeded":
		doc = docThrottle
		if strings.Contains(lc, "product") && strings.Contains(lc, "allows more") {
			fix = fmt.Sprintf("the product's limit answers first: raise calls/renewal-period of the policy at %s, or move the limit to the API where it was meant", at)
		} else {
			fix = fmt.Sprintf("wait for the Retry-After seconds, or raise the limit of %s at %s (calls, renewal-period, counter-key)", e.Source, at)
		}
	case "CallerIpNotAllowed":
		doc = docAuth
		fix = fmt.Sprintf("add the caller's address %s to the ip-filter at %s, or call from an allowed address (behind a proxy the caller address is the proxy's)", d.Request.CallerIP, at)
	case "ExpressionValueEvaluationFailure":
		doc = docPolicies
		switch {
		case strings.Contains(cause, "named value"):
			fix = fmt.Sprintf("at %s, read the named value with {{name}} in the attribute (outside @(...)), not through context.Variables", at)
		case strings.Contains(lc, "null"):
			fix = fmt.Sprintf("at %s, guard the value that can be missing (GetValueOrDefault with a default, ?. and ??), or make sure the caller sends it", at)
		default:
			fix = fmt.Sprintf("correct the expression at %s; try it with `tollgate expr` and the request's headers", at)
		}
	case "BackendConnectionFailure":
		doc = docServer
		switch {
		case strings.Contains(lc, "resolve") || strings.Contains(lc, "no such host"):
			fix = "correct the backend host in the API's serviceUrl or the backend entity (backends/*/backendInformation.json), or make it resolvable from the gateway"
		case strings.Contains(lc, "trust") || strings.Contains(lc, "certificate"):
			fix = "give the gateway the CA that signed the backend's certificate, or for a development backend set tls.validateCertificateChain and validateCertificateName to false in its backend entity"
		case strings.Contains(lc, "transport stream") || strings.Contains(lc, "does not speak tls"):
			fix = "the URL says https but the port speaks plain HTTP: use http:// or the backend's TLS port"
		case strings.Contains(lc, "refused") || strings.Contains(lc, "unable to connect"):
			fix = "start the backend, or correct the port in the API's serviceUrl or backend entity"
		default:
			fix = "check that the backend is up and the service URL is right; the backend's own logs say why it closed the connection"
		}
	case "Timeout":
		doc = docServer
		fix = fmt.Sprintf("make the backend answer sooner, or raise the timeout of forward-request (at %s, or the backend entity's)", orDefault(at, "the effective backend section"))
	case "ClientConnectionFailure":
		doc = docServer
		origin = "client"
		fix = "nothing to change in the gateway: the caller hung up; if the backend was slow, the caller's timeout is shorter than the backend's answer time"
	case "BackendCircuitBreakerOpen":
		doc = docServer
		fix = "the backend failed often enough to trip its circuit breaker: fix the backend; the breaker closes after its tripDuration"
	case "BackendStatusCode":
		doc = docServer
		origin = "backend"
		fix = "the backend answered an error status: look at the backend's logs"
	default:
		doc = docPolicies
		if strings.HasPrefix(e.Reason, "Token") || e.Reason == "JwtInvalid" || strings.Contains(e.Source, "jwt") || strings.Contains(e.Source, "token") {
			doc = docAuth
			fix = jwtFix(cause, at)
		} else if at != "" {
			fix = fmt.Sprintf("change the %s policy at %s as the cause says", e.Source, at)
		} else {
			fix = "see the cause"
		}
	}
	return origin, cause, fix, doc
}

func jwtFix(cause, at string) string {
	lc := strings.ToLower(cause)
	switch {
	case strings.Contains(lc, "subscription key"):
		return "send the subscription key in its own header, and a JWT from the identity provider in Authorization"
	case strings.Contains(lc, "trailing slash"):
		return fmt.Sprintf("make the <audience> of validate-jwt at %s exactly the token's aud (the two differ only by a trailing slash)", at)
	case strings.Contains(lc, "audience"):
		return fmt.Sprintf("set the <audience> of validate-jwt at %s to the token's aud, or request the token for the expected audience", at)
	case strings.Contains(lc, "issuer"):
		return fmt.Sprintf("set the <issuer> of validate-jwt at %s to the token's iss", at)
	case strings.Contains(lc, "expired"):
		return "get a fresh token; if clocks differ, raise clock-skew of validate-jwt"
	case strings.Contains(lc, "kid") || strings.Contains(lc, "signature") || strings.Contains(lc, "key"):
		return fmt.Sprintf("check the signing keys of validate-jwt at %s (openid-config url or issuer-signing-keys) against the token's issuer", at)
	case strings.Contains(lc, "claim"):
		return fmt.Sprintf("issue the token with the required claim, or change <required-claims> of validate-jwt at %s", at)
	case strings.Contains(lc, "not present") || strings.Contains(lc, "no token") || strings.Contains(lc, "missing"):
		return "send the token in the header validate-jwt reads (Authorization: Bearer <jwt> by default)"
	}
	return fmt.Sprintf("change the token or validate-jwt at %s as the cause says", at)
}

// diagnoseWithoutError explains a request captured with no LastError: a
// backend error passed through, a CORS refusal, or a sampled success.
func diagnoseWithoutError(d *capture.Doc) (origin, cause, fix, doc string) {
	status := d.Response.Status
	switch {
	case d.Captured == capture.CORSRefused:
		note := ""
		for _, n := range d.Notes {
			if strings.Contains(n, "cors") || strings.Contains(n, "CORS") {
				note = n
				break
			}
		}
		at := firstPosition(note)
		cause = "the browser blocks this response: " + note
		fix = fmt.Sprintf("allow the origin, method and headers in the cors policy at %s (allowed-origins, allowed-methods, allowed-headers; a renamed key header must be listed)", orDefault(at, "the effective inbound section"))
		return "gateway", cause, fix, docCORS
	case d.Backend != nil && d.Backend.Status == status && status >= 400:
		cause = fmt.Sprintf("the backend %s answered %d %s, and the gateway passed it through unchanged", d.Backend.URL, status, d.Backend.StatusLine)
		fix = "look at the backend's own logs for this request (the backend received it; tollgate's part succeeded)"
		if status == 404 {
			fix = fmt.Sprintf("the backend has no resource at %s: check the API's serviceUrl and rewrite-uri (a trailing slash or a missing path segment)", d.Backend.URL)
		}
		return "backend", cause, fix, docServer
	case status >= 400:
		return "gateway", fmt.Sprintf("a policy answered %d (return-response, mock-response or set-status)", status), "see the steps below for the policy that set the status", docPolicies
	}
	return "", "the request succeeded", "nothing to fix", ""
}

// statusNote says where tollgate's status differs from what articles about
// APIM say, and why.
func statusNote(d *capture.Doc) string {
	e := d.LastError
	if e == nil {
		return ""
	}
	switch {
	case e.Reason == "BackendConnectionFailure" || e.Reason == "Timeout":
		return "APIM answers 500 when it cannot reach the backend or times out (not 502/503/504 as some articles say): the status is APIM's, the cause above is the real one (docs/compat.md)"
	case e.Reason == "OperationNotFound" && d.Request.Method != "GET":
		return "APIM answers 404, never 405, when the path matches but the method does not"
	}
	return ""
}

func between(s, after, before string) string {
	i := strings.Index(s, after)
	if i < 0 {
		return ""
	}
	s = s[i+len(after):]
	if j := strings.Index(s, before); j >= 0 {
		s = s[:j]
	}
	return strings.TrimSpace(s)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
