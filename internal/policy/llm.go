package policy

import (
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/xmlscan"
)

// LLMSemanticCacheLookup is <llm-semantic-cache-lookup> and
// <azure-openai-semantic-cache-lookup>: serves a cached response to a prompt
// close enough to an earlier one, compared by the embeddings the
// embeddings backend computes.
type LLMSemanticCacheLookup struct {
	Element string
	// ScoreThreshold is the largest cosine distance (1 - similarity) that
	// still matches, 0 to 1; Threshold holds a literal's value.
	ScoreThreshold        Value
	Threshold             float64
	EmbeddingsBackendID   Value
	EmbeddingsBackendAuth Value // system-assigned
	IgnoreSystemMessages  Bool
	MaxMessageCount       Int // 0: no limit
	VaryBy                []Value
}

// PolicyName implements Policy.
func (p *LLMSemanticCacheLookup) PolicyName() string { return p.Element }

func parseLLMSemanticCacheLookup(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &LLMSemanticCacheLookup{Element: e.Name, ScoreThreshold: a.str("score-threshold", req|expr),
		EmbeddingsBackendID:   a.str("embeddings-backend-id", req|expr),
		EmbeddingsBackendAuth: a.enum("embeddings-backend-auth", opt, "system-assigned"),
		IgnoreSystemMessages:  a.boolean("ignore-system-messages", false, expr),
		MaxMessageCount:       a.integer("max-message-count", 0, 1, maxInt, expr)}
	a.done()
	if v := p.ScoreThreshold; v.Set && v.Expr == nil && !v.missing {
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Resolved()), 64)
		if err != nil || f < 0 || f > 1 {
			l.diags.Errorf(v.Span, "invalid-value", "attribute \"score-threshold\" of <%s> must be a number from 0.0 to 1.0, not %q", e.Name, v.String())
		}
		p.Threshold = f
	}
	p.VaryBy = l.textList(e, "vary-by")
	return p
}

// LLMSemanticCacheStore is <llm-semantic-cache-store> and
// <azure-openai-semantic-cache-store duration>.
type LLMSemanticCacheStore struct {
	Element  string
	Duration Int // seconds
}

// PolicyName implements Policy.
func (p *LLMSemanticCacheStore) PolicyName() string { return p.Element }

func parseLLMSemanticCacheStore(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &LLMSemanticCacheStore{Element: e.Name, Duration: a.integer("duration", 0, 1, maxInt, req|expr)}
	a.done()
	l.leaf(e)
	return p
}

// LLMContentSafety is <llm-content-safety>: the prompt (and, with
// enforce-on-completions, the completion) is sent to Azure AI Content
// Safety and the request refused when a category reaches its threshold, a
// blocklist matches, or (shield-prompt) an attack is detected.
type LLMContentSafety struct {
	BackendID            Value
	ShieldPrompt         Bool
	EnforceOnCompletions Bool
	OutputType           Value // FourSeverityLevels (default) | EightSeverityLevels
	Categories           []ContentSafetyCategory
	Blocklists           []Value
}

// ContentSafetyCategory is one <category name threshold> of
// llm-content-safety.
type ContentSafetyCategory struct {
	Name      Value // Hate | SelfHarm | Sexual | Violence
	Threshold Int   // severity from which content is refused
}

// PolicyName implements Policy.
func (*LLMContentSafety) PolicyName() string { return "llm-content-safety" }

func parseLLMContentSafety(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &LLMContentSafety{BackendID: a.str("backend-id", req|expr), ShieldPrompt: a.boolean("shield-prompt", false, expr),
		EnforceOnCompletions: a.boolean("enforce-on-completions", false, expr)}
	a.done()
	for _, k := range l.elems(e, "categories", "blocklists") {
		if k.Name == "blocklists" {
			l.attrs(k, false).done()
			p.Blocklists = append(p.Blocklists, l.textList(k, "id")...)
			continue
		}
		b := l.attrs(k, false)
		p.OutputType = b.enum("output-type", opt, "FourSeverityLevels", "EightSeverityLevels")
		b.done()
		for _, c := range l.elems(k, "category") {
			ca := l.attrs(c, false)
			cat := ContentSafetyCategory{Name: ca.enum("name", req, "Hate", "SelfHarm", "Sexual", "Violence"),
				Threshold: ca.integer("threshold", 0, 0, 7, req|expr)}
			ca.done()
			l.leaf(c)
			p.Categories = append(p.Categories, cat)
		}
	}
	return p
}
