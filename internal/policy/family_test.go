package policy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// policyCase loads stmts into one section of a document at a scope and
// compares the diagnostics. Each want entry is "code@needle": an error with
// that code at the first occurrence of needle in stmts.
type policyCase struct {
	name    string
	section string // default "inbound"
	scope   Scope  // default API (the zero value Global is set explicitly via global)
	global  bool
	stmts   string
	want    []string
	check   func(t *testing.T, st *Statement)
}

func expectAt(stmts string, want []string, lineShift int) []string {
	var out []string
	for _, w := range want {
		code, needle, _ := strings.Cut(w, "@")
		// "pre|post" points after pre in the first occurrence of pre+post.
		pre, post, found := strings.Cut(needle, "|")
		if !found {
			pre, post = "", needle
		}
		i := strings.Index(stmts, pre+post)
		if i < 0 {
			panic("needle not found: " + needle)
		}
		i += len(pre)
		line := strings.Count(stmts[:i], "\n") + 1
		col := utf8.RuneCountInString(stmts[strings.LastIndex(stmts[:i], "\n")+1:i]) + 1
		out = append(out, fmt.Sprintf("%d:%d %s", line, col, code))
	}
	return out
}

func runCases(t *testing.T, cases []policyCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			section, scope := c.section, c.scope
			if section == "" {
				section = "inbound"
			}
			if scope == Global && !c.global {
				scope = API
			}
			doc, diags := load(t, "policy.xml", wrap(section, c.stmts), scope, testEnv())
			got := brief(diags, 2)
			want := expectAt(c.stmts, c.want, 0)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("diagnostics\n got %q\nwant %q\n%s", got, want, diags)
			}
			if c.check != nil {
				s := Section(slices.Index(sectionNames[:], section))
				if len(doc.Sections[s].Statements) == 0 {
					t.Fatalf("no statements")
				}
				c.check(t, doc.Sections[s].Statements[0])
			}
		})
	}
}

func TestControlPolicies(t *testing.T) {
	runCases(t, []policyCase{
		{name: "choose", stmts: `<choose><when condition="@(true)"><set-variable name="a" value="1" /></when><otherwise /></choose>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*Choose)
				if len(p.When) != 1 || p.Otherwise == nil || !p.When[0].Condition.IsExpr() || len(p.When[0].Body) != 1 {
					t.Errorf("choose = %+v", p)
				}
			}},
		{name: "choose without when", stmts: `<choose><otherwise /></choose>`, want: []string{"missing-element@choose"}},
		{name: "when after otherwise", stmts: `<choose><when condition="true" /><otherwise /><when condition="false" /></choose>`,
			want: []string{"misplaced-element@when condition=\"false"}},
		{name: "condition not boolean", stmts: `<choose><when condition="yes" /></choose>`, want: []string{"invalid-value@yes"}},
		{name: "condition missing", stmts: `<choose><when /></choose>`, want: []string{"missing-attribute@when"}},
		{name: "nested statements checked", stmts: `<choose><when condition="true"><set-hedaer name="x" /></when></choose>`,
			want: []string{"unknown-policy@set-hedaer"}},
		{name: "nested placement uses the section", section: "outbound",
			stmts: `<choose><when condition="true"><rewrite-uri template="/x" /></when></choose>`,
			want:  []string{"misplaced-policy@rewrite-uri"}},
		{name: "retry", section: "backend", stmts: `<retry condition="@(context.Response.StatusCode >= 500)" count="3" interval="1"><forward-request /></retry>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*Retry)
				if p.Count.N != 3 || p.Interval.N != 1 || len(p.Body) != 1 || p.Body[0].Name != "forward-request" {
					t.Errorf("retry = %+v", p)
				}
			}},
		{name: "retry count out of range", stmts: `<retry condition="true" count="0" interval="1" />`, want: []string{"invalid-value@0\" interval"}},
		{name: "retry missing attributes", stmts: `<retry count="2" />`, want: []string{"missing-attribute@retry", "missing-attribute@retry"}},
		{name: "wait children", stmts: `<wait for="any"><send-request response-variable-name="r"><set-url>https://x</set-url></send-request><set-header name="a" /></wait>`,
			want: []string{"misplaced-policy@set-header"}},
		{name: "wait for enum", stmts: `<wait for="some" />`, want: []string{"invalid-value@some"}},
		{name: "wait not in on-error", section: "on-error", stmts: `<wait />`, want: []string{"misplaced-policy@wait"}},
		{name: "limit-concurrency", stmts: `<limit-concurrency key="@(context.Request.IpAddress)" max-count="@(3)" />`,
			want: []string{"expression-not-allowed@@(3)"}},
		{name: "base nested", stmts: `<choose><when condition="true"><base /></when></choose>`, want: []string{"misplaced-base@base"}},
		{name: "base twice", stmts: "<base />\n<base />", want: []string{"duplicate-base@\n<|base"}},
		{name: "id recorded", stmts: `<set-variable id="sv1" name="a" value="b" />`,
			check: func(t *testing.T, st *Statement) {
				if st.ID != "sv1" {
					t.Errorf("ID = %q", st.ID)
				}
			}},
	})
}

func TestTransformPolicies(t *testing.T) {
	runCases(t, []policyCase{
		{name: "set-variable", stmts: `<set-variable name="n" value="@(context.Request.Method)" />`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*SetVariable)
				if p.Name.String() != "n" || !p.Value.IsExpr() || p.Value.Expr.Program.(*fakeProgram).src != "@(context.Request.Method)" {
					t.Errorf("set-variable = %+v", p)
				}
			}},
		{name: "set-variable name no expression", stmts: `<set-variable name="@("n")" value="v" />`, want: []string{`expression-not-allowed@@("n")`}},
		{name: "set-variable missing value", stmts: `<set-variable name="n" />`, want: []string{"missing-attribute@set-variable"}},
		{name: "unknown attribute", stmts: `<set-variable name="n" value="v" vaule="x" />`, want: []string{"unknown-attribute@vaule"}},
		{name: "set-status", stmts: `<set-status code="4o1" reason="x" />`, want: []string{"invalid-value@4o1"}},
		{name: "set-method", stmts: `<set-method>POST</set-method>`, check: func(t *testing.T, st *Statement) {
			if m := st.Policy.(*SetMethod).Method.String(); m != "POST" {
				t.Errorf("method = %q", m)
			}
		}},
		{name: "set-method empty", stmts: `<set-method />`, want: []string{"missing-text@set-method"}},
		{name: "set-method not in outbound", section: "outbound", stmts: `<set-method>GET</set-method>`, want: []string{"misplaced-policy@set-method"}},
		{name: "set-header", stmts: "<set-header name=\"X-A\" exists-action=\"append\">\n<value>a</value>\n<value>@(\"b\")</value>\n</set-header>",
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*SetHeader)
				if p.Action() != "append" || len(p.Values) != 2 || p.Values[0].String() != "a" || !p.Values[1].IsExpr() {
					t.Errorf("set-header = %+v", p)
				}
			}},
		{name: "set-header bad action", stmts: `<set-header name="X" exists-action="overide" />`, want: []string{"invalid-value@overide"}},
		{name: "set-header unknown child", stmts: `<set-header name="X"><valeu>a</valeu></set-header>`, want: []string{"unknown-element@valeu"}},
		{name: "set-query-parameter not outbound", section: "outbound", stmts: `<set-query-parameter name="a" exists-action="delete" />`,
			want: []string{"misplaced-policy@set-query-parameter"}},
		{name: "set-query-parameter needs a value", stmts: `<set-query-parameter name="a" />`,
			want: []string{"missing-element@set-query-parameter"}},
		{name: "set-body liquid", stmts: `<set-body template="liquid">{{body.x}} {{backend-url}}</set-body>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*SetBody)
				if !p.Liquid() || p.Body.Resolved() != "{{body.x}} https://backend.example" || p.Body.IsExpr() {
					t.Errorf("set-body = %q", p.Body.Resolved())
				}
			}},
		{name: "set-body expression", stmts: `<set-body>@{ return "x"; }</set-body>`, check: func(t *testing.T, st *Statement) {
			if !st.Policy.(*SetBody).Body.IsExpr() {
				t.Error("not an expression")
			}
		}},
		{name: "set-body template enum", stmts: `<set-body template="liquidd">x</set-body>`, want: []string{"invalid-value@liquidd"}},
		{name: "find-and-replace", section: "outbound", stmts: `<find-and-replace from="a" />`, want: []string{"missing-attribute@find-and-replace"}},
		{name: "rewrite-uri", stmts: `<rewrite-uri template="/v2/{id}" copy-unmatched-params="maybe" />`, want: []string{"invalid-value@maybe"}},
		{name: "rewrite-uri backend", section: "backend", stmts: `<rewrite-uri template="/" />`, want: []string{"misplaced-policy@rewrite-uri"}},
		{name: "json-to-xml", section: "outbound", stmts: `<json-to-xml apply="always" consider-accept-header="false" />`},
		{name: "json-to-xml apply", section: "outbound", stmts: `<json-to-xml apply="sometimes" />`, want: []string{"invalid-value@sometimes"}},
		{name: "xml-to-json", section: "outbound", stmts: `<xml-to-json kind="direct" apply="content-type-xml" />`},
		{name: "xml-to-json kind required", section: "outbound", stmts: `<xml-to-json apply="always" />`, want: []string{"missing-attribute@xml-to-json"}},
		{name: "xsl-transform", section: "outbound", stmts: `<xsl-transform><parameter parameter-name="a">@("b")</parameter><xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><x/></xsl:template></xsl:stylesheet></xsl-transform>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*XSLTransform)
				if len(p.Parameters) != 1 || p.Stylesheet == nil {
					t.Errorf("xsl = %+v", p)
				}
			}},
		{name: "jsonp once", section: "outbound", stmts: "<jsonp callback-parameter-name=\"cb\" />\n<jsonp callback-parameter-name=\"cb\" />",
			want: []string{"duplicate-policy@\n<|jsonp"}},
		{name: "jsonp inbound", stmts: `<jsonp callback-parameter-name="cb" />`, want: []string{"misplaced-policy@jsonp"}},
		{name: "redirect-content-urls", section: "outbound", stmts: `<redirect-content-urls />`},
		{name: "cross-domain", global: true, stmts: `<cross-domain><cross-domain-policy><allow-http-request-headers-from domain="*" headers="*" /></cross-domain-policy></cross-domain>`},
	})
}

func TestRoutingPolicies(t *testing.T) {
	runCases(t, []policyCase{
		{name: "forward-request", section: "backend", stmts: `<forward-request timeout="60" buffer-response="false" />`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*ForwardRequest)
				if p.Timeout.N != 60 || p.BufferResponse.B || p.FollowRedirects.B {
					t.Errorf("forward-request = %+v", p)
				}
			}},
		{name: "forward-request default timeout", section: "backend", stmts: `<forward-request />`, check: func(t *testing.T, st *Statement) {
			if st.Policy.(*ForwardRequest).Timeout.N != 300 {
				t.Error("default timeout")
			}
		}},
		{name: "forward-request inbound", stmts: `<forward-request />`, want: []string{"misplaced-policy@forward-request"}},
		{name: "forward-request bool", section: "backend", stmts: `<forward-request follow-redirects="yes" />`, want: []string{"invalid-value@yes"}},
		{name: "set-backend-service", stmts: `<set-backend-service base-url="{{backend-url}}/v1" />`, check: func(t *testing.T, st *Statement) {
			if u := st.Policy.(*SetBackendService).BaseURL.Resolved(); u != "https://backend.example/v1" {
				t.Errorf("base-url = %q", u)
			}
		}},
		{name: "set-backend-service both", stmts: `<set-backend-service base-url="https://a" backend-id="b" />`, want: []string{"conflicting-attributes@b\""}},
		{name: "set-backend-service none", stmts: `<set-backend-service />`, want: []string{"missing-attribute@set-backend-service"}},
		{name: "proxy", stmts: `<proxy url="http://proxy:8080" username="u" password="p" />`},
		{name: "return-response", stmts: "<return-response>\n<set-status code=\"401\" reason=\"Unauthorized\" />\n<set-header name=\"WWW-Authenticate\" exists-action=\"override\"><value>Bearer</value></set-header>\n<set-body>no</set-body>\n</return-response>",
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*ReturnResponse)
				if p.Status == nil || p.Status.Code.N != 401 || len(p.Headers) != 1 || p.Body == nil {
					t.Errorf("return-response = %+v", p)
				}
			}},
		{name: "return-response unknown child", stmts: `<return-response><set-variable name="a" value="b" /></return-response>`,
			want: []string{"unknown-element@set-variable"}},
		{name: "mock-response no expressions", stmts: `<mock-response status-code="@(200)" />`, want: []string{"expression-not-allowed@@(200)"}},
		{name: "send-request", stmts: `<send-request mode="new" response-variable-name="r" timeout="20" ignore-error="true"><set-url>{{backend-url}}/token</set-url><set-method>POST</set-method><set-header name="a" exists-action="override"><value>b</value></set-header><set-body>x</set-body><authentication-managed-identity resource="https://r" /></send-request>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*SendRequest)
				if p.URL.Resolved() != "https://backend.example/token" || p.Method.String() != "POST" || p.Timeout.N != 20 ||
					!p.IgnoreError.B || p.Authentication == nil || len(p.Headers) != 1 {
					t.Errorf("send-request = %+v", p)
				}
			}},
		{name: "send-request needs url and variable", stmts: `<send-request mode="new" />`,
			want: []string{"missing-attribute@send-request", "missing-element@send-request"}},
		{name: "send-request copy", stmts: `<send-request mode="copy" response-variable-name="r" />`},
		{name: "send-one-way-request has no response variable", section: "on-error",
			stmts: `<send-one-way-request mode="new" response-variable-name="r"><set-url>https://x</set-url></send-one-way-request>`,
			want:  []string{"unknown-attribute@response-variable-name"}},
		{name: "log-to-eventhub", stmts: `<log-to-eventhub logger-id="l" partition-id="0" partition-key="@(&quot;k&quot;)">@(context.RequestId)</log-to-eventhub>`,
			want: []string{"conflicting-attributes@@(&quot;"}},
	})
}

func TestAccessPolicies(t *testing.T) {
	runCases(t, []policyCase{
		{name: "cors", stmts: `<cors allow-credentials="true"><allowed-origins><origin>https://a.example</origin></allowed-origins><allowed-methods preflight-result-max-age="300"><method>GET</method></allowed-methods><allowed-headers><header>*</header></allowed-headers></cors>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*CORS)
				if !p.AllowCredentials.B || !p.TerminateUnmatchedRequest.B || len(p.Origins) != 1 || p.PreflightMaxAge.N != 300 || len(p.Methods) != 1 {
					t.Errorf("cors = %+v", p)
				}
			}},
		{name: "cors without origins", stmts: `<cors />`, want: []string{"missing-element@cors"}},
		{name: "cors outbound", section: "outbound", stmts: `<cors><allowed-origins><origin>*</origin></allowed-origins></cors>`, want: []string{"misplaced-policy@cors"}},
		{name: "cors twice", stmts: "<cors><allowed-origins><origin>*</origin></allowed-origins></cors>\n<cors><allowed-origins><origin>*</origin></allowed-origins></cors>",
			want: []string{"duplicate-policy@\n<|cors"}},
		{name: "cors origin typo", stmts: `<cors><allowed-origins><orign>*</orign></allowed-origins></cors>`, want: []string{"unknown-element@orign"}},
		{name: "rate-limit", scope: Product, stmts: `<rate-limit calls="20" renewal-period="90"><api name="echo" calls="5"><operation name="get" calls="2" /></api></rate-limit>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*RateLimit)
				if p.Calls.N != 20 || p.RenewalPeriod.N != 90 || len(p.APIs) != 1 || len(p.APIs[0].Operations) != 1 {
					t.Errorf("rate-limit = %+v", p)
				}
			}},
		{name: "rate-limit at global", global: true, stmts: `<rate-limit calls="20" renewal-period="90" />`, want: []string{"misplaced-policy@rate-limit"}},
		{name: "rate-limit calls expression", stmts: `<rate-limit calls="@(5)" renewal-period="900" />`,
			want: []string{"expression-not-allowed@@(5)", "invalid-value@900"}},
		{name: "rate-limit-by-key", global: true, stmts: `<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" increment-condition="@(context.Response.StatusCode == 200)" />`},
		{name: "quota at api", stmts: `<quota calls="10" renewal-period="60" />`, want: []string{"misplaced-policy@quota"}},
		{name: "quota needs calls or bandwidth", scope: Product, stmts: `<quota renewal-period="60" />`, want: []string{"missing-attribute@quota"}},
		{name: "quota-by-key", stmts: `<quota-by-key calls="100" renewal-period="3600" counter-key="k" first-period-start="2024-01-01T00:00:00Z" />`},
		{name: "quota-by-key increment-count", stmts: `<quota-by-key calls="100" renewal-period="3600" counter-key="k" increment-count="@(2)" />`,
			check: func(t *testing.T, st *Statement) {
				if p := st.Policy.(*QuotaByKey); p.IncrementCount.Expr == nil || p.IncrementCount.N != 1 {
					t.Errorf("quota-by-key increment-count = %+v", p.IncrementCount)
				}
			}},
		{name: "validate-jwt claim value expression", stmts: `<validate-jwt header-name="Authorization"><required-claims><claim name="aud"><value>@(context.Api.Id)</value></claim></required-claims></validate-jwt>`,
			check: func(t *testing.T, st *Statement) {
				if p := st.Policy.(*ValidateJWT); len(p.RequiredClaims) != 1 || !p.RequiredClaims[0].Values[0].IsExpr() {
					t.Errorf("validate-jwt claim value is not an expression: %+v", p.RequiredClaims)
				}
			}},
		{name: "ip-filter", stmts: `<ip-filter action="allow"><address>10.0.0.1</address><address-range from="10.0.0.2" to="10.0.0.9" /></ip-filter>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*IPFilter)
				if len(p.Addresses) != 1 || len(p.Ranges) != 1 {
					t.Errorf("ip-filter = %+v", p)
				}
			}},
		{name: "ip-filter empty", stmts: `<ip-filter action="deny" />`, want: []string{"invalid-value@deny", "missing-element@ip-filter"}},
		{name: "check-header", stmts: `<check-header name="Authorization" failed-check-httpcode="401" failed-check-error-message="no" ignore-case="false"><value>a</value></check-header>`},
		{name: "check-header missing", stmts: `<check-header name="A" />`,
			want: []string{"missing-attribute@check-header", "missing-attribute@check-header", "missing-attribute@check-header"}},
		{name: "validate-jwt", stmts: `<validate-jwt header-name="Authorization" failed-validation-httpcode="401" require-scheme="Bearer"><openid-config url="https://login.example/{{TenantId}}/.well-known/openid-configuration" /><audiences><audience>api://x</audience></audiences><issuers><issuer>https://i</issuer></issuers><required-claims><claim name="roles" match="any"><value>admin</value></claim></required-claims></validate-jwt>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*ValidateJWT)
				if len(p.OpenIDConfigs) != 1 || p.OpenIDConfigs[0].Resolved() != "https://login.example/contoso/.well-known/openid-configuration" ||
					len(p.RequiredClaims) != 1 || len(p.RequiredClaims[0].Values) != 1 {
					t.Errorf("validate-jwt = %+v", p)
				}
			}},
		{name: "validate-jwt two token sources", stmts: `<validate-jwt header-name="a" token-value="b" />`, want: []string{"missing-attribute@validate-jwt"}},
		{name: "validate-jwt claim match", stmts: `<validate-jwt header-name="a"><required-claims><claim name="c" match="some" /></required-claims></validate-jwt>`,
			want: []string{"invalid-value@some"}},
		{name: "validate-azure-ad-token", stmts: `<validate-azure-ad-token tenant-id="t"><client-application-ids><application-id>@("x")</application-id></client-application-ids></validate-azure-ad-token>`,
			want: []string{`expression-not-allowed@@("x")`}},
		{name: "validate-client-certificate", stmts: `<validate-client-certificate validate-trust="@(true)"><identities><identity thumbprint="ab" /></identities></validate-client-certificate>`,
			want: []string{"expression-not-allowed@@(true)"}},
		{name: "get-authorization-context", stmts: `<get-authorization-context provider-id="p" authorization-id="a" context-variable-name="c" identity-type="managed" />`},
		{name: "authentication-basic", stmts: `<authentication-basic username="u" password="{{api-key}}" />`},
		{name: "authentication-certificate", stmts: `<authentication-certificate />`, want: []string{"missing-attribute@authentication-certificate"}},
		{name: "authentication-managed-identity", stmts: `<authentication-managed-identity resource="https://r" output-token-variable-name="t" />`},
		{name: "authentication outbound", section: "outbound", stmts: `<authentication-basic username="u" password="p" />`,
			want: []string{"misplaced-policy@authentication-basic"}},
		{name: "llm-token-limit", stmts: `<llm-token-limit counter-key="k" tokens-per-minute="100" estimate-prompt-tokens="false" />`},
		{name: "llm-token-limit needs a limit", stmts: `<azure-openai-token-limit counter-key="k" estimate-prompt-tokens="false" />`,
			want: []string{"missing-attribute@azure-openai-token-limit"}},
	})
}

func TestCacheValidateLoggingPolicies(t *testing.T) {
	runCases(t, []policyCase{
		{name: "cache-lookup", stmts: `<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" downstream-caching-type="private"><vary-by-header>Accept</vary-by-header><vary-by-query-parameter>v</vary-by-query-parameter></cache-lookup>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*CacheLookup)
				if len(p.VaryByHeaders) != 1 || len(p.VaryByQueryParameters) != 1 {
					t.Errorf("cache-lookup = %+v", p)
				}
			}},
		{name: "cache-lookup caching-type", stmts: `<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="extrenal" />`,
			want: []string{"invalid-value@extrenal"}},
		{name: "cache-store outbound only", stmts: `<cache-store duration="10" />`, want: []string{"misplaced-policy@cache-store"}},
		{name: "cache-store", section: "outbound", stmts: `<cache-store duration="@(10)" cache-response="true" />`},
		{name: "cache-lookup-value", stmts: `<cache-lookup-value key="k" variable-name="@(x)" />`, want: []string{"expression-not-allowed@@(x)"}},
		{name: "cache-store-value", section: "on-error", stmts: `<cache-store-value key="k" value="v" duration="10" />`},
		{name: "cache-remove-value", stmts: `<cache-remove-value />`, want: []string{"missing-attribute@cache-remove-value"}},
		{name: "validate-content", stmts: `<validate-content unspecified-content-type-action="prevent" max-size="102400" size-exceeded-action="detect" errors-variable-name="e"><content type="application/json" validate-as="json" action="prevent" /></validate-content>`},
		{name: "validate-content size", stmts: `<validate-content unspecified-content-type-action="prevent" max-size="204800" size-exceeded-action="detect" />`,
			want: []string{"invalid-value@204800"}},
		{name: "validate-parameters", stmts: `<validate-parameters specified-parameter-action="detect" unspecified-parameter-action="prevent"><headers specified-parameter-action="detect" unspecified-parameter-action="detect"><parameter name="x" action="ignore" /></headers><path specified-parameter-action="detect" /></validate-parameters>`},
		{name: "validate-headers inbound", stmts: `<validate-headers specified-header-action="detect" unspecified-header-action="detect" />`,
			want: []string{"misplaced-policy@validate-headers"}},
		{name: "validate-status-code", section: "outbound", stmts: `<validate-status-code unspecified-status-code-action="prevent"><status-code code="200" action="ignore" /></validate-status-code>`},
		{name: "trace message element", section: "on-error", stmts: `<trace source="s" severity="error"><message>@(context.LastError.Message)</message><metadata name="a" value="b" /></trace>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*Trace)
				if !p.Message.IsExpr() || len(p.Metadata) != 1 {
					t.Errorf("trace = %+v", p)
				}
			}},
		{name: "trace text form", stmts: `<trace source="s">@(context.RequestId)</trace>`},
		{name: "trace without message", stmts: `<trace source="s" />`, want: []string{"missing-element@trace"}},
		{name: "emit-metric", stmts: `<emit-metric name="m" value="1" namespace="n"><dimension name="API ID" /><dimension name="ip" value="@(context.Request.IpAddress)" /></emit-metric>`},
		{name: "emit-metric without dimensions, as APIM accepts", stmts: `<emit-metric name="m" value="@((double)1)" namespace="n" />`,
			check: func(t *testing.T, st *Statement) {
				if p := st.Policy.(*EmitMetric); len(p.Dimensions) != 0 {
					t.Errorf("dimensions = %+v", p.Dimensions)
				}
			}},
		{name: "emit-metric 11 dimensions", stmts: `<emit-metric name="m">` + strings.Repeat(`<dimension name="API ID" />`, 11) + `</emit-metric>`,
			want: []string{"too-many-elements@emit-metric"}},
		{name: "opaque known policy", stmts: `<validate-odata-request max-size="100" />`},
	})
}

func TestUnknownPolicyAndRunnable(t *testing.T) {
	doc, diags := load(t, "p.xml", wrap("inbound", `<set-heder name="a" />`+"\n"+`<rate-limit-by-key calls="1" renewal-period="1" counter-key="k" />`), API, testEnv())
	if got := brief(diags, 2); !slices.Equal(got, []string{"1:2 unknown-policy"}) {
		t.Fatalf("got %q", got)
	}
	if n := diags[0].Notes; len(n) != 1 || n[0] != "did you mean <set-header>?" {
		t.Errorf("notes = %q", n)
	}
	if len(doc.Sections[Inbound].Statements) != 1 {
		t.Errorf("statements = %d", len(doc.Sections[Inbound].Statements))
	}
	env := testEnv()
	env.Runnable = func(name string) bool { return name != "rate-limit-by-key" }
	_, diags = load(t, "p.xml", wrap("inbound", `<rate-limit-by-key calls="1" renewal-period="1" counter-key="k" />`), API, env)
	if len(diags) != 1 || diags[0].Message != "policy rate-limit-by-key is not supported by tollgate yet" || diags[0].Position().Column != 2 {
		t.Errorf("diags = %s", diags)
	}
}

func TestDocumentStructure(t *testing.T) {
	cases := []struct {
		name  string
		scope Scope
		src   string
		want  []string // "line:col code"
	}{
		{"wrong root", API, "<policy>\n<inbound />\n</policy>", []string{"1:2 wrong-root"}},
		{"unknown section", API, "<policies>\n<inbond />\n</policies>", []string{"2:2 unknown-element"}},
		{"duplicate section", API, "<policies>\n<inbound />\n<inbound />\n</policies>", []string{"3:2 duplicate-section"}},
		{"text in section", API, "<policies>\n<inbound>hello</inbound>\n</policies>", []string{"2:10 unexpected-text"}},
		{"fragment root in a policy", API, "<fragment />", []string{"1:2 wrong-root"}},
		{"policies root in a fragment", Fragment, "<policies />", []string{"1:2 wrong-root"}},
		{"base in fragment", Fragment, "<fragment>\n<base />\n</fragment>", []string{"2:2 base-in-fragment"}},
		{"sections in fragment", Fragment, "<fragment>\n<inbound />\n</fragment>", []string{"2:2 unknown-policy"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, diags := load(t, "p.xml", c.src, c.scope, testEnv())
			if got := brief(diags, 0); !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q\n%s", got, c.want, diags)
			}
		})
	}
}

func TestRunnableNestedAuthentication(t *testing.T) {
	env := testEnv()
	env.Runnable = func(name string) bool { return name != "authentication-managed-identity" }
	stmts := `<send-request response-variable-name="r"><set-url>https://x</set-url><authentication-managed-identity resource="r" /></send-request>`
	_, diags := load(t, "p.xml", wrap("inbound", stmts), API, env)
	want := expectAt(stmts, []string{"unsupported-policy@authentication-managed-identity"}, 0)
	if got := brief(diags, 2); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
