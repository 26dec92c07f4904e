package llm

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Content Safety API paths and versions tollgate calls, relative to the
// backend entity's URL.
const (
	AnalyzeTextPath  = "/contentsafety/text:analyze?api-version=2023-10-01"
	ShieldPromptPath = "/contentsafety/text:shieldPrompt?api-version=2024-09-01"
)

// MaxAnalyzeChars is the most characters one Content Safety call accepts;
// longer text is checked in pieces (see Chunks).
const MaxAnalyzeChars = 10000

// Chunks splits text into pieces of at most size characters (runes).
func Chunks(text string, size int) []string {
	var out []string
	for len(text) > 0 {
		n, i := 0, 0
		for i < len(text) && n < size {
			_, w := utf8.DecodeRuneInString(text[i:])
			i += w
			n++
		}
		out = append(out, text[:i])
		text = text[i:]
	}
	return out
}

// AnalyzeTextRequest returns the body of a text:analyze call.
func AnalyzeTextRequest(text string, categories, blocklists []string, outputType string) []byte {
	req := struct {
		Text               string   `json:"text"`
		Categories         []string `json:"categories,omitempty"`
		BlocklistNames     []string `json:"blocklistNames,omitempty"`
		HaltOnBlocklistHit bool     `json:"haltOnBlocklistHit,omitempty"`
		OutputType         string   `json:"outputType,omitempty"`
	}{text, categories, blocklists, len(blocklists) > 0, outputType}
	b, _ := json.Marshal(req)
	return b
}

// Analysis is the answer of text:analyze.
type Analysis struct {
	BlocklistsMatch []struct {
		BlocklistName string `json:"blocklistName"`
		BlocklistItem string `json:"blocklistItemText"`
	} `json:"blocklistsMatch"`
	CategoriesAnalysis []struct {
		Category string `json:"category"`
		Severity int    `json:"severity"`
	} `json:"categoriesAnalysis"`
}

// ParseAnalysis reads a text:analyze answer.
func ParseAnalysis(body []byte) (*Analysis, error) {
	var a Analysis
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("the text:analyze answer is not valid JSON: %w", err)
	}
	return &a, nil
}

// ShieldPromptRequest returns the body of a text:shieldPrompt call.
func ShieldPromptRequest(userPrompt string) []byte {
	b, _ := json.Marshal(struct {
		UserPrompt string   `json:"userPrompt"`
		Documents  []string `json:"documents"`
	}{userPrompt, []string{}})
	return b
}

// ParseShield reports whether a text:shieldPrompt answer detected an attack
// in the user prompt or a document.
func ParseShield(body []byte) (bool, error) {
	var doc struct {
		UserPromptAnalysis *struct {
			AttackDetected bool `json:"attackDetected"`
		} `json:"userPromptAnalysis"`
		DocumentsAnalysis []struct {
			AttackDetected bool `json:"attackDetected"`
		} `json:"documentsAnalysis"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return false, fmt.Errorf("the text:shieldPrompt answer is not valid JSON: %w", err)
	}
	attack := doc.UserPromptAnalysis != nil && doc.UserPromptAnalysis.AttackDetected
	for _, d := range doc.DocumentsAnalysis {
		attack = attack || d.AttackDetected
	}
	return attack, nil
}
