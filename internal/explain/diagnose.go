package explain

import (
	"fmt"
	"regexp"
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

var namedValueRE = regexp.MustCompile(`"([^"]+)" is a named value, not a variable`)

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
			fix = fmt.Sprintf("add API %s to product %s (products/%s/apis/%s/productApiInformation.json, or the product's apis.json), or call with the key of a subscription to a product that contains it", api, product, product, api)
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
			switch {
			case strings.Contains(cause, "has no <base/>"):
				file := between(cause, "the inbound section of ", " has no <base/>")
				fix = fmt.Sprintf("add <base/> to the inbound section of %s, so the broader cors policy applies (tollgate effective shows what was dropped)", file)
			case strings.Contains(cause, "has a cors policy") && strings.Contains(cause, "product "):
				product := between(cause, "product ", " has a cors policy")
				fix = fmt.Sprintf("move the cors policy of product %s (products/%s/policy.xml) to the API's or the global policy: a preflight never has product context", product, product)
			default:
				fix = "add a cors policy that applies to this API (keep <base/> in the API and operation policies so a global cors applies), or an OPTIONS operation"
			}
		case strings.Contains(cause, "did you mean "):
			suggestion := between(cause, "did you mean ", "?")
			if i := strings.Index(suggestion, " ("); i >= 0 {
				suggestion = suggestion[:i]
			}
			fix = fmt.Sprintf("call %s instead; or, if the URL the caller used is the one meant, change the API's \"path\" (apis/<api>/apiInformation.json) or the operation's template", suggestion)
		case strings.Contains(cause, "no operation template matches"):
			fix = fmt.Sprintf("call a path one of API %s's operation templates matches (tollgate effective lists them), or add the operation; mind trailing slashes and the API path prefix", api)
		default:
			fix = "call a URL whose path starts with an API's path (apis/*/apiInformation.json \"path\"): mind the /api prefix, the version segment and trailing slashes"
		}
	case "RateLimitExceeded", "QuotaExceeded", "ConcurrencyLimitExceeded":
		doc = docThrottle
		if strings.Contains(lc, "stricter product limit answers first") {
			fix = fmt.Sprintf("the product's limit answers first: raise calls or renewal-period of the product's %s at %s (products/<product>/policy.xml), or remove it so the API's own limit applies", e.Source, at)
		} else {
			fix = fmt.Sprintf("wait for the Retry-After seconds, or raise the limit of %s at %s (calls, renewal-period, counter-key)", e.Source, at)
		}
	case "CallerIpNotAllowed":
		doc = docAuth
		fix = fmt.Sprintf("add the caller's address %s to the ip-filter at %s, or call from an allowed address (behind a proxy the caller address is the proxy's)", d.Request.CallerIP, at)
	case "ExpressionValueEvaluationFailure":
		doc = docPolicies
		switch {
		case strings.Contains(cause, "is a named value, not a variable"):
			name := ""
			if m := namedValueRE.FindStringSubmatch(cause); m != nil {
				name = m[1]
			}
			fix = fmt.Sprintf("at %s, write {{%s}} where the value is needed (inside an expression as a string literal, \"{{%s}}\"), not context.Variables[\"%s\"]; or store it first with set-variable", at, name, name, name)
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
	case "HeaderNotFound", "HeaderValueNotAllowed":
		doc = docAuth
		header := between(e.Message, "Header ", " ")
		if e.Reason == "HeaderNotFound" {
			fix = fmt.Sprintf("send the header %s, or change the check-header at %s", header, at)
		} else {
			fix = fmt.Sprintf("send a value of %s that check-header at %s lists, or add the value there", header, at)
		}
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
	if e.Scope == "product" && d.Match.Product != "" && !d.Match.AllAccess && origin == "gateway" {
		cause += fmt.Sprintf("; this is a policy of product %s (%s at %s), which applies only to subscriptions of that product: the all-access key (the portal's test console) runs no product policies, which is why the same request can succeed with it", d.Match.Product, e.Source, orDefault(at, "products/"+d.Match.Product+"/policy.xml"))
	}
	return origin, cause, fix, doc
}

func jwtFix(cause, at string) string {
	lc := strings.ToLower(cause)
	switch {
	case strings.Contains(lc, "subscription key"):
		return "send the subscription key in its own header, and a JWT from the identity provider in Authorization"
	case strings.Contains(lc, " is the expression @"):
		// the allowed value came from a policy expression: the cause
		// names the expression, its position and what it gave
		return fmt.Sprintf("check what the expression in validate-jwt at %s gives for this request (the cause shows its value): its named value, variable or header, or the token", at)
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
		at := orDefault(firstPosition(note), "the effective inbound section")
		cause = "the browser blocks this response: " + note
		var wants []string
		if o := between(note, "origin ", " is not in allowed-origins"); o != "" {
			wants = append(wants, fmt.Sprintf("add %s to allowed-origins", o))
		}
		if m := between(note, "method ", " is not in allowed-methods"); m != "" {
			wants = append(wants, fmt.Sprintf("add %s to allowed-methods", m))
		}
		if h := between(note, "request header ", " is not in allowed-headers"); h != "" {
			w := fmt.Sprintf("add %s to allowed-headers", h)
			if strings.Contains(note, "renamed subscription key header") {
				w += " (it is the API's renamed subscription key header, which must be listed)"
			}
			wants = append(wants, w)
		}
		if len(wants) == 0 {
			wants = append(wants, "allow the origin, method and headers (allowed-origins, allowed-methods, allowed-headers; a renamed key header must be listed)")
		}
		fix = fmt.Sprintf("in the cors policy at %s, %s; the first cors policy of the effective inbound section decides", at, strings.Join(wants, " and "))
		return "gateway", cause, fix, docCORS
	case d.Backend != nil && d.Backend.Status == status && status >= 400:
		cause = fmt.Sprintf("the backend %s answered %d %s, and the gateway passed it through unchanged", d.Backend.URL, status, d.Backend.StatusLine)
		fix = "look at the backend's own logs for this request (the backend received it; tollgate's part succeeded)"
		if status == 404 {
			fix = fmt.Sprintf("the backend has no resource at %s: check the API's serviceUrl and rewrite-uri (a trailing slash or a missing path segment)", d.Backend.URL)
			if p := d.Request.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
				cause += fmt.Sprintf("; the request's path ends with a trailing slash, which the gateway (as APIM) ignores when it matches operation %s, but passes on to the backend", d.Match.Operation)
				fix = "call the URL without the trailing slash, or make the backend accept it (or remove it with rewrite-uri in the API's inbound policy)"
			}
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
		if d.Captured == capture.CORSRefused {
			return "the status is 200 although the browser refuses the response: APIM answers a CORS request that its cors policy does not allow with an empty 200 too (docs/compat.md, Statuses the troubleshooting articles describe differently)"
		}
		return ""
	}
	switch {
	case e.Reason == "QuotaExceeded":
		return "a quota answers 403 (\"Out of call volume quota\"), not 429 as some articles say; only rate limits answer 429 (docs/compat.md, Statuses the troubleshooting articles describe differently)"
	case e.Reason == "ClientConnectionFailure":
		return "ResponseCode is 0 in the log line: the caller received no response (APIM logs 0 as well; some articles mention 500)"
	case e.Reason == "BackendConnectionFailure" || e.Reason == "Timeout":
		return "APIM answers 500 when it cannot reach the backend or times out (not 502, 503 or 504 as some articles say): the status is APIM's, the cause above is the real one (docs/compat.md, Statuses the troubleshooting articles describe differently)"
	case e.Reason == "OperationNotFound" && d.Request.Method != "GET":
		return "APIM answers 404, never 405, when the path matches but the method does not, and for a CORS preflight that no cors policy answers (docs/compat.md, Statuses the troubleshooting articles describe differently)"
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
