package policy

import (
	"strings"
	"testing"
)

func TestAIGatewayPolicies(t *testing.T) {
	runCases(t, []policyCase{
		{name: "token limit", stmts: `<llm-token-limit counter-key="@(context.Subscription.Id)" tokens-per-minute="500" token-quota="10000" token-quota-period="Daily" estimate-prompt-tokens="true" remaining-tokens-header-name="x-remaining" tokens-consumed-variable-name="used" />`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*LLMTokenLimit)
				if p.TokensPerMinute.N != 500 || p.TokenQuota.N != 10000 || !p.EstimatePromptTokens.B || p.HeaderAndVariableNames["tokens-consumed-variable-name"].Resolved() != "used" {
					t.Errorf("%+v", p)
				}
			}},
		{name: "token limit without a limit", stmts: `<azure-openai-token-limit counter-key="k" estimate-prompt-tokens="false" />`, want: []string{"missing-attribute@azure-openai-token-limit"}},
		{name: "token quota without period", stmts: `<llm-token-limit counter-key="k" token-quota="5" estimate-prompt-tokens="false" />`, want: []string{"missing-attribute@llm-token-limit"}},
		{name: "token limit in outbound", section: "outbound", stmts: `<llm-token-limit counter-key="k" tokens-per-minute="5" estimate-prompt-tokens="false" />`, want: []string{"misplaced-policy@llm-token-limit"}},
		{name: "semantic lookup", stmts: `<llm-semantic-cache-lookup score-threshold="0.05" embeddings-backend-id="embeddings" embeddings-backend-auth="system-assigned" ignore-system-messages="true" max-message-count="10"><vary-by>@(context.Subscription.Id)</vary-by></llm-semantic-cache-lookup>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*LLMSemanticCacheLookup)
				if p.Threshold != 0.05 || p.EmbeddingsBackendID.Resolved() != "embeddings" || !p.IgnoreSystemMessages.B || p.MaxMessageCount.N != 10 || len(p.VaryBy) != 1 || p.VaryBy[0].Expr == nil {
					t.Errorf("%+v", p)
				}
			}},
		{name: "semantic lookup threshold out of range", stmts: `<azure-openai-semantic-cache-lookup score-threshold="1.5" embeddings-backend-id="e" />`, want: []string{"invalid-value@1.5"}},
		{name: "semantic lookup needs a backend", stmts: `<llm-semantic-cache-lookup score-threshold="0.1" />`, want: []string{"missing-attribute@llm-semantic-cache-lookup"}},
		{name: "semantic lookup twice", stmts: `<llm-semantic-cache-lookup score-threshold="0.1" embeddings-backend-id="e" /><llm-semantic-cache-lookup score-threshold="0.1" embeddings-backend-id="e" />`,
			want: []string{"duplicate-policy@llm-semantic-cache-lookup score-threshold=\"0.1\" embeddings-backend-id=\"e\" /><|llm-semantic-cache-lookup"}},
		{name: "semantic store", section: "outbound", stmts: `<llm-semantic-cache-store duration="60" />`,
			check: func(t *testing.T, st *Statement) {
				if st.Policy.(*LLMSemanticCacheStore).Duration.N != 60 {
					t.Error(st.Policy)
				}
			}},
		{name: "semantic store in inbound", stmts: `<azure-openai-semantic-cache-store duration="60" />`, want: []string{"misplaced-policy@azure-openai-semantic-cache-store"}},
		{name: "content safety", stmts: `<llm-content-safety backend-id="content-safety" shield-prompt="true"><categories output-type="EightSeverityLevels"><category name="Hate" threshold="4" /><category name="Violence" threshold="@(2)" /></categories><blocklists><id>words</id></blocklists></llm-content-safety>`,
			check: func(t *testing.T, st *Statement) {
				p := st.Policy.(*LLMContentSafety)
				if len(p.Categories) != 2 || p.Categories[0].Threshold.N != 4 || p.Categories[1].Threshold.Expr == nil || len(p.Blocklists) != 1 || !p.ShieldPrompt.B || p.OutputType.Resolved() != "EightSeverityLevels" {
					t.Errorf("%+v", p)
				}
			}},
		{name: "content safety unknown category", stmts: `<llm-content-safety backend-id="cs"><categories><category name="Rudeness" threshold="2" /></categories></llm-content-safety>`, want: []string{"invalid-value@Rudeness"}},
		{name: "content safety threshold range", stmts: `<llm-content-safety backend-id="cs"><categories><category name="Hate" threshold="9" /></categories></llm-content-safety>`, want: []string{"invalid-value@9"}},
		{name: "emit token metric", stmts: `<llm-emit-token-metric namespace="ai"><dimension name="API ID" /><dimension name="Client IP" value="@(context.Request.IpAddress)" /></llm-emit-token-metric>`},
		{name: "token metric with 7 dimensions", stmts: `<azure-openai-emit-token-metric namespace="ai">` + strings.Repeat(`<dimension name="d" value="@(context.Api.Id)" />`, 7) + `</azure-openai-emit-token-metric>`,
			check: func(t *testing.T, st *Statement) {
				if p := st.Policy.(*LLMEmitTokenMetric); len(p.Dimensions) != 7 {
					t.Errorf("dimensions = %d", len(p.Dimensions))
				}
			}},
		{name: "token metric with 11 dimensions", stmts: `<llm-emit-token-metric>` + strings.Repeat(`<dimension name="API ID" />`, 11) + `</llm-emit-token-metric>`,
			want: []string{"too-many-elements@llm-emit-token-metric"}},
		{name: "token metric without dimensions", stmts: `<llm-emit-token-metric />`, want: []string{"missing-element@llm-emit-token-metric"}},
		{name: "authorization context", stmts: `<get-authorization-context provider-id="github" authorization-id="auth1" context-variable-name="auth" identity-type="managed" ignore-error="false" />`},
	})
}
