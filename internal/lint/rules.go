package lint

import (
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// Rule is one trap of the catalogue.
type Rule struct {
	ID       string        // stable identifier, "TG" and three digits
	Name     string        // short kebab-case name, e.g. "cors-behind-rejecting-policy"
	Severity diag.Severity // default severity: diag.Error, diag.Warning or diag.Note
	Title    string        // one line naming the trap in the user's terms
	Message  string        // what goes wrong, in a few sentences
	Fix      string        // what to change
	Doc      string        // section anchor of docs/troubleshooting.md, e.g. "cors"
	Seed     string        // the troubleshooting article the trap comes from
	// Codes are the codes of load diagnostics that report this trap; such a
	// diagnostic is the rule's finding and Run does not report it again. An
	// entry "code:text" matches diagnostics with that code whose message
	// contains text.
	Codes []string
}

// DocURL is where the rules are documented, for SARIF's helpUri.
const DocURL = "https://github.com/tollgate/tollgate/blob/main/docs/rules.md"

// HelpURI returns the address of the rule's section of docs/rules.md.
func (r *Rule) HelpURI() string { return DocURL + "#" + strings.ToLower(r.ID) }

// DocPath returns the rule's troubleshooting section as a path with anchor.
func (r *Rule) DocPath() string { return "docs/troubleshooting.md#" + r.Doc }

// The seeds, as docs/rules.md cites them.
const (
	seed000 = "000 (How to troubleshoot Azure API Management)"
	seed003 = "003 (How to troubleshoot CORS errors in Azure API Management)"
	seed004 = "004 (Troubleshooting 4xx and 5xx errors, part 2)"
)

// The rules, by identifier.
var (
	// TG000 carries every load problem that is not one of the traps below.
	TG000 = &Rule{ID: "TG000", Name: "load-error", Severity: diag.Error,
		Title:   "the folder does not load as APIM would accept it",
		Message: "A problem the load step reports: malformed XML, C# that does not compile, a policy in a section or scope where APIM does not allow it, a policy tollgate does not run.",
		Fix:     "Correct the file at the position given; the message says what is wrong.",
		Doc:     "broken-policies-and-named-values", Seed: seed000}
	TG001 = &Rule{ID: "TG001", Name: "base-missing", Severity: diag.Warning,
		Title:   "a section without <base/> drops the policies of the enclosing scopes",
		Message: "A section of an API, operation or product policy that does not contain <base/> replaces everything the enclosing scopes have in that section: a global cors or set-header silently stops running for that API or operation.",
		Fix:     "Add <base/> to the section, first unless the section's own policies must run before the enclosing ones.",
		Doc:     "cors", Seed: seed003 + ", scenario 2", Codes: []string{"inheritance-cut"}}
	TG002 = &Rule{ID: "TG002", Name: "cors-not-first", Severity: diag.Warning,
		Title:   "cors is not the first policy of the effective inbound section",
		Message: "Statements that run before cors can fail (an expression that throws, a send-request that times out); the error then reaches the browser without CORS headers and is reported as a CORS failure.",
		Fix:     "Make cors the first statement of the effective inbound section: move it up, or move <base/> above the other statements of the enclosing scope.",
		Doc:     "cors", Seed: seed003 + ", scenario 3", Codes: []string{"cors-not-first"}}
	TG003 = &Rule{ID: "TG003", Name: "cors-behind-rejecting-policy", Severity: diag.Warning,
		Title:   "a policy that can reject the request runs before cors",
		Message: "rate-limit, quota, validate-jwt, ip-filter, check-header and the like answer with 401, 403 or 429 before cors has run, so the answer carries no CORS headers and the browser shows a CORS error instead of the real one. Product policies whose <base/> comes last run before an API's or the global cors.",
		Fix:     "Put cors first: move the rejecting policy after <base/> (or after cors), or move <base/> to the top of the product or API inbound section.",
		Doc:     "cors", Seed: seed003 + ", scenarios 3 and 4"}
	TG004 = &Rule{ID: "TG004", Name: "cors-twice", Severity: diag.Warning,
		Title:   "two cors policies in one effective policy",
		Message: "Only the first cors of the effective inbound section answers; origins, methods and headers listed only in the second one are refused.",
		Fix:     "Keep one cors policy per effective policy: merge the origins into the first one and remove the second.",
		Doc:     "cors", Seed: seed003 + ", scenario 5", Codes: []string{"cors-shadowed"}}
	TG005 = &Rule{ID: "TG005", Name: "cors-product-scope", Severity: diag.Warning,
		Title:   "cors at product scope does not answer preflights",
		Message: "Browsers send no subscription key header on a preflight, so the gateway cannot tell the product and the product's cors does not run; it works only when the key is sent in the query string.",
		Fix:     "Move cors to the API or the global policy.",
		Doc:     "cors", Seed: seed003 + ", scenario 4"}
	TG006 = &Rule{ID: "TG006", Name: "cors-header-not-allowed", Severity: diag.Warning,
		Title:   "a header the API requires is missing from cors allowed-headers",
		Message: "A browser sends a header cross-origin only when the preflight allows it. Only Ocp-Apim-Subscription-Key is allowed without being listed: a renamed subscription key header, the Authorization header validate-jwt reads, a header check-header requires or a version header must be in allowed-headers.",
		Fix:     "Add the header to <allowed-headers> of the cors policy.",
		Doc:     "cors", Seed: seed003 + ", scenario 6"}
	TG007 = &Rule{ID: "TG007", Name: "cors-credentials-any-origin", Severity: diag.Warning,
		Title:   "allow-credentials=\"true\" with the origin *",
		Message: "With credentials allowed, the gateway echoes whatever Origin the caller sends, so every web site can make credentialed calls and read the answers; browsers refuse a literal * with credentials.",
		Fix:     "List the origins that may call the API with credentials instead of *.",
		Doc:     "cors", Seed: seed000 + ", CORS question"}
	TG008 = &Rule{ID: "TG008", Name: "cors-terminate-unmatched-false", Severity: diag.Note,
		Title:   "terminate-unmatched-request=\"false\": unmatched preflights still get an empty 200",
		Message: "With terminate-unmatched-request=\"false\" a preflight whose origin matches no cors policy is answered with an empty 200 without CORS headers (a fake success the browser rejects), and an unmatched GET or HEAD runs without CORS headers.",
		Fix:     "Make sure every origin that calls the API is listed; keep false only to let non-browser callers that send an Origin reach the backend.",
		Doc:     "cors", Seed: seed003 + ", scenario 7"}
	TG009 = &Rule{ID: "TG009", Name: "options-operation-with-cors", Severity: diag.Warning,
		Title:   "an explicit OPTIONS operation turns the cors preflight handling off",
		Message: "When an API defines an OPTIONS operation, preflights match that operation and the cors policy's preflight answer is not given; the backend (or the operation's policy) must answer them.",
		Fix:     "Remove the OPTIONS operation and let cors answer preflights.",
		Doc:     "cors", Seed: seed000 + ", CORS question"}
	TG010 = &Rule{ID: "TG010", Name: "product-limit-shadows-api-limit", Severity: diag.Warning,
		Title:   "a product limit stricter than the API's limit answers first",
		Message: "A product rate-limit or quota that allows fewer calls than the API's rate-limit-by-key or rate-limit in the same period throttles first: callers get the product's 429 or 403, and the API's limit is never reached.",
		Fix:     "Raise the product's calls (or lengthen the API's window) so that the product limit is the looser one, or remove one of the two.",
		Doc:     "429", Seed: seed000 + ", step 5"}
	TG011 = &Rule{ID: "TG011", Name: "limit-never-reached", Severity: diag.Warning,
		Title:   "a limit that can never be reached",
		Message: "A limit for an API or operation that is looser than the limit around it, or looser than another limit on the same subscription that runs in the same request, never throttles: the stricter one always answers first.",
		Fix:     "Make the inner or later limit stricter than the enclosing one, or remove it.",
		Doc:     "429", Seed: seed000 + ", step 5"}
	TG012 = &Rule{ID: "TG012", Name: "timeout-over-240", Severity: diag.Warning,
		Title:   "a timeout above 240 seconds is not honoured",
		Message: "Azure's network drops idle connections after about 240 seconds, so a forward-request or send-request timeout above 240 s ends as a dropped connection rather than a timeout.",
		Fix:     "Set the timeout to 240 seconds or less; make long-running backends answer asynchronously (202 and polling).",
		Doc:     "timeouts-and-retries", Seed: seed004 + ", 504 scenario 3"}
	TG013 = &Rule{ID: "TG013", Name: "retry-outlasts-connection", Severity: diag.Warning,
		Title:   "a retry whose attempts cannot all finish within 240 seconds",
		Message: "A retry around forward-request or send-request waits up to the timeout on every attempt; when the attempts and the intervals add up to more than 240 seconds the caller's connection is dropped before the last retry, and a timeout far longer than the backend needs leaves no time to retry at all.",
		Fix:     "Set the timeout to what the backend needs, so that (count + 1) × timeout plus the intervals stays within 240 seconds, or lower the count.",
		Doc:     "timeouts-and-retries", Seed: seed004 + ", scenarios 6 and 9"}
	TG014 = &Rule{ID: "TG014", Name: "backend-tls-validation-off", Severity: diag.Warning,
		Title:   "a backend with certificate chain or name validation turned off",
		Message: "tls.validateCertificateChain or tls.validateCertificateName set to false makes the gateway accept any certificate from the backend, including an attacker's.",
		Fix:     "Turn validation back on and upload the backend's CA certificate, or give the backend a certificate from a trusted CA.",
		Doc:     "backend-urls-and-tls", Seed: seed000 + ", step 3; " + seed004 + ", scenario 8"}
	TG015 = &Rule{ID: "TG015", Name: "service-url-scheme-mismatch", Severity: diag.Warning,
		Title:   "an http:// backend for an HTTPS-only API, or https:// for an HTTP-only one",
		Message: "An API that callers may reach only over HTTPS forwards to a plain-HTTP backend (credentials and data leave the gateway unencrypted), or an HTTP-only API points at an HTTPS backend: the schemes were mixed up.",
		Fix:     "Use the scheme the backend serves and the API's protocols intend, usually https:// for both.",
		Doc:     "backend-urls-and-tls", Seed: seed000 + ", step 3"}
	TG016 = &Rule{ID: "TG016", Name: "service-url-double-slash", Severity: diag.Warning,
		Title:   "a service URL ending in / with operation templates starting with /",
		Message: "APIM appends the operation's path to the service URL as written, so a service URL ending in / sends //path to the backend, which many backends answer with 404.",
		Fix:     "Remove the trailing / from the service URL.",
		Doc:     "backend-urls-and-tls", Seed: seed000 + ", step 3"}
	TG017 = &Rule{ID: "TG017", Name: "service-url-query", Severity: diag.Warning,
		Title:   "a service URL with a query string",
		Message: "The query of a service URL is merged with the caller's query in ways that differ between gateways, and it often carries a secret that then appears in logs.",
		Fix:     "Remove the query from the service URL; add it with set-query-parameter or with the backend's credentials.query.",
		Doc:     "backend-urls-and-tls", Seed: seed000 + ", step 3"}
	TG018 = &Rule{ID: "TG018", Name: "named-value-missing", Severity: diag.Error,
		Title:   "a {{named value}} that does not exist or a secret without a value",
		Message: "A policy or backend references a named value that was deleted or renamed, or a secret named value whose value was not supplied; APIM rejects the policy at deploy, and a gateway running it fails every request.",
		Fix:     "Create the named value (its display name must match the reference), or supply the secret's value with TOLLGATE_NAMED_VALUE_<NAME> or a values file.",
		Doc:     "broken-policies-and-named-values", Seed: seed000 + ", step 4",
		Codes: []string{"unknown-named-value", "secret-without-value", "named-value-without-value", "invalid-backend:named value"}}
	TG019 = &Rule{ID: "TG019", Name: "named-value-in-expression", Severity: diag.Warning,
		Title:   "{{…}} written inside a C# expression",
		Message: "Named values are pasted into the expression's text before it is compiled: outside a string literal the value becomes C# code (and a secret becomes part of the program), and a {{name}} that names a variable set by set-variable is not that variable.",
		Fix:     "Read variables with context.Variables[\"name\"]; put a named value in a string literal (\"{{name}}\") or in the attribute itself, outside the expression.",
		Doc:     "broken-policies-and-named-values", Seed: seed000 + ", step 4"}
	TG020 = &Rule{ID: "TG020", Name: "variable-never-set", Severity: diag.Warning,
		Title:   "a variable is read before any set-variable can have set it",
		Message: "context.Variables[\"x\"] throws when no policy has set x on the path to it, which ends the request with a 500 (ExpressionValueEvaluationFailure); GetValueOrDefault of a variable that nothing sets always returns the default.",
		Fix:     "Set the variable earlier (set-variable in an earlier statement, section or enclosing scope), correct the name, or read it with GetValueOrDefault and a default.",
		Doc:     "5xx", Seed: seed004 + ", scenario 2"}
	TG021 = &Rule{ID: "TG021", Name: "jwt-trailing-slash", Severity: diag.Warning,
		Title:   "validate-jwt audiences or issuers that differ only by a trailing slash",
		Message: "Audiences and issuers are compared exactly; two policies that expect api://orders and api://orders/ cannot both accept the same token, so one of them answers 401 every time.",
		Fix:     "Write the value exactly as the token's aud or iss claim carries it, in every scope.",
		Doc:     "401-and-403", Seed: seed000 + ", step 2"}
	TG022 = &Rule{ID: "TG022", Name: "openid-config-http", Severity: diag.Warning,
		Title:   "openid-config over http://",
		Message: "Signing keys fetched over plain HTTP can be replaced on the way, and APIM's token library refuses metadata that is not served over HTTPS.",
		Fix:     "Use the https:// address of the OpenID configuration.",
		Doc:     "401-and-403", Seed: seed000 + ", step 2"}
	TG023 = &Rule{ID: "TG023", Name: "ip-filter-allows-nothing", Severity: diag.Error,
		Title:   "an ip-filter that allows no caller",
		Message: "An ip-filter with action=\"allow\" whose entries can match no address (a CIDR or host name in <address>, a range whose start is after its end, 0.0.0.0), or one with action=\"forbid\" covering every address, answers 403 to every request.",
		Fix:     "Write single addresses in <address> and ranges as <address-range from to>, start before end.",
		Doc:     "401-and-403", Seed: seed000 + ", step 2"}
	TG024 = &Rule{ID: "TG024", Name: "ip-filter-forbids-private", Severity: diag.Note,
		Title:   "an ip-filter forbids loopback or private addresses",
		Message: "Health probes, Application Gateway and callers inside the virtual network come from loopback or private addresses; forbidding them blocks the probes along with the callers.",
		Fix:     "Check that no probe or proxy calls from the forbidden range, or exempt it.",
		Doc:     "401-and-403", Seed: seed000 + ", step 2"}
	TG025 = &Rule{ID: "TG025", Name: "no-forward-request", Severity: diag.Warning,
		Title:   "the effective backend section has no forward-request",
		Message: "Without forward-request requests never reach the backend: the caller gets an empty 200.",
		Fix:     "Add <base/> or <forward-request/> to the backend section.",
		Doc:     "backend-urls-and-tls", Seed: seed000 + ", step 3", Codes: []string{"no-forward-request"}}
	TG026 = &Rule{ID: "TG026", Name: "duplicate-forward-request", Severity: diag.Warning,
		Title:   "forward-request appears twice in the effective backend section",
		Message: "Each forward-request calls the backend again: the request is sent twice.",
		Fix:     "Keep one forward-request: replace the broader scope's with <base/>, or remove <base/>.",
		Doc:     "backend-urls-and-tls", Seed: seed000 + ", step 3", Codes: []string{"duplicate-forward-request"}}
)

var catalogue = []*Rule{TG000, TG001, TG002, TG003, TG004, TG005, TG006, TG007, TG008, TG009, TG010, TG011, TG012,
	TG013, TG014, TG015, TG016, TG017, TG018, TG019, TG020, TG021, TG022, TG023, TG024, TG025, TG026}

// Rules returns the catalogue in identifier order. The slice is shared:
// do not modify it.
func Rules() []*Rule { return catalogue }

// Lookup returns the rule with the identifier id (case-insensitive), or nil.
func Lookup(id string) *Rule {
	for _, r := range catalogue {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

// ruleForCode returns the rule that owns diagnostic d, or nil.
func ruleForCode(d diag.Diagnostic) *Rule {
	for _, r := range catalogue {
		for _, c := range r.Codes {
			code, text, hasText := strings.Cut(c, ":")
			if code == d.Code && (!hasText || strings.Contains(d.Message, text)) {
				return r
			}
		}
	}
	return nil
}

// Supersedes reports whether d is a diagnostic of the check step (a
// composition warning) that Run reports itself as a rule finding; the
// command line drops such diagnostics so that each trap is reported once.
func Supersedes(d diag.Diagnostic) bool {
	switch d.Code {
	case "cors-not-first", "cors-shadowed", "no-forward-request", "duplicate-forward-request", "inheritance-cut":
		return true
	}
	return false
}
