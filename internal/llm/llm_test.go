package llm

import (
	"io"
	"strings"
	"testing"
)

// Token counts that OpenAI's own tokenizer gives for these texts.
func TestCountTokens(t *testing.T) {
	for _, c := range []struct {
		enc  Encoding
		text string
		want int
	}{
		{Cl100kBase, "hello world", 2},
		{O200kBase, "hello world", 2},
		{Cl100kBase, "tiktoken is great!", 6},
		{Cl100kBase, "antidisestablishmentarianism", 6},
		{Cl100kBase, "", 0},
	} {
		got, err := CountTokens(c.enc, c.text)
		if err != nil || got != c.want {
			t.Errorf("CountTokens(%s, %q) = %d, %v; want %d", c.enc, c.text, got, err, c.want)
		}
	}
}

func TestEncodingFor(t *testing.T) {
	for model, want := range map[string]Encoding{
		"gpt-4o": O200kBase, "gpt-4o-mini": O200kBase, "GPT-4.1": O200kBase, "gpt-41-mini": O200kBase, "o3-mini": O200kBase, "gpt-5": O200kBase,
		"gpt-4": Cl100kBase, "gpt-35-turbo": Cl100kBase, "gpt-3.5-turbo": Cl100kBase, "text-embedding-3-small": Cl100kBase, "": Cl100kBase, "llama3": Cl100kBase,
	} {
		if got := EncodingFor(model); got != want {
			t.Errorf("EncodingFor(%q) = %s, want %s", model, got, want)
		}
	}
}

// The chat example of OpenAI's guide to counting tokens: 129 prompt tokens
// for gpt-4 (and gpt-3.5-turbo-0613) and 124 for gpt-4o, as the API reports.
const cookbookChat = `{"model":"%s","messages":[
{"role":"system","content":"You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
{"role":"system","name":"example_user","content":"New synergies will help drive top-line growth."},
{"role":"system","name":"example_assistant","content":"Things working well together will increase revenue."},
{"role":"system","name":"example_user","content":"Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
{"role":"system","name":"example_assistant","content":"Let's talk later when we're less busy about how to do better."},
{"role":"user","content":"This late pivot means we don't have time to boil the ocean for the client deliverable."}]}`

func TestEstimatePromptChat(t *testing.T) {
	for model, want := range map[string]int{"gpt-4": 129, "gpt-4o": 124} {
		r, err := ParseRequest([]byte(strings.Replace(cookbookChat, "%s", model, 1)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := EstimatePrompt(r, "")
		if err != nil || got != want {
			t.Errorf("%s: EstimatePrompt = %d, %v; want %d", model, got, err, want)
		}
	}
}

func TestEstimatePromptForms(t *testing.T) {
	for _, c := range []struct {
		body, model string
		want        int
	}{
		// One user message "hello world": 3 (reply) + 3 (message) + 1 (role) + 2.
		{`{"messages":[{"role":"user","content":"hello world"}]}`, "", 9},
		// Content parts: only the text parts count.
		{`{"messages":[{"role":"user","content":[{"type":"text","text":"hello world"},{"type":"image_url","image_url":{"url":"https://x"}}]}]}`, "gpt-4o", 9},
		{`{"prompt":"hello world"}`, "", 2},
		{`{"prompt":["hello world"]}`, "", 2},
		{`{"input":"hello world","model":"text-embedding-3-small"}`, "", 2},
		// Responses API input messages count like chat messages.
		{`{"model":"gpt-4o","input":[{"role":"user","content":"hello world"}]}`, "", 9},
		// Anthropic: the top-level system prompt counts as a system message.
		{`{"model":"claude-sonnet-4","system":"be nice","messages":[{"role":"user","content":"hello world"}]}`, "", 15},
		{`{"system":[{"type":"text","text":"be nice"}],"messages":[{"role":"user","content":[{"type":"text","text":"hello world"}]}]}`, "gpt-4o", 15},
		// Gemini: contents of parts, and a system instruction.
		{`{"contents":[{"role":"user","parts":[{"text":"hello world"}]}]}`, "", 9},
		{`{"systemInstruction":{"parts":[{"text":"be nice"}]},"contents":[{"role":"user","parts":[{"text":"hello world"}]}]}`, "", 15},
		// A "contents" that is not Gemini's does not break the request.
		{`{"prompt":"hello world","contents":"x"}`, "", 2},
		{`{}`, "", 0},
	} {
		r, err := ParseRequest([]byte(c.body))
		if err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		got, err := EstimatePrompt(r, c.model)
		if err != nil || got != c.want {
			t.Errorf("%s: EstimatePrompt = %d, %v; want %d", c.body, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "hello", "[1]", `{"messages":`} {
		if _, err := ParseRequest([]byte(bad)); err == nil {
			t.Errorf("ParseRequest(%q) accepted", bad)
		}
	}
}

func TestPromptText(t *testing.T) {
	r, _ := ParseRequest([]byte(`{"messages":[{"role":"system","content":"be nice"},{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":"weather?"}]}`))
	if got, ok := PromptText(r, true, 0); !ok || got != "user: hi\nassistant: hello\nuser: weather?" {
		t.Errorf("PromptText(ignore system) = %q, %v", got, ok)
	}
	if got, _ := PromptText(r, false, 0); !strings.HasPrefix(got, "system: be nice\n") {
		t.Errorf("PromptText = %q", got)
	}
	claude, _ := ParseRequest([]byte(`{"system":"be nice","messages":[{"role":"user","content":"hi"}]}`))
	if got, _ := PromptText(claude, false, 0); got != "system: be nice\nuser: hi" {
		t.Errorf("PromptText(Anthropic) = %q", got)
	}
	if got, _ := PromptText(claude, true, 0); got != "user: hi" {
		t.Errorf("PromptText(Anthropic, ignore system) = %q", got)
	}
	if _, ok := PromptText(r, true, 2); ok {
		t.Error("3 messages over max-message-count 2 must not be cached")
	}
}

func TestParseUsage(t *testing.T) {
	u, ok := ParseUsage([]byte(`{"id":"x","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42}}`))
	if !ok || u != (Usage{12, 30, 42}) {
		t.Errorf("chat usage = %+v, %v", u, ok)
	}
	u, ok = ParseUsage([]byte(`{"usage":{"input_tokens":5,"output_tokens":7}}`))
	if !ok || u != (Usage{5, 7, 12}) {
		t.Errorf("responses usage = %+v, %v", u, ok)
	}
	u, ok = ParseUsage([]byte(`{"type":"response.completed","response":{"usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}}`))
	if !ok || u != (Usage{1, 2, 3}) {
		t.Errorf("nested usage = %+v, %v", u, ok)
	}
	u, ok = ParseUsage([]byte(`{"id":"msg_1","type":"message","role":"assistant","content":[],"usage":{"input_tokens":10,"cache_read_input_tokens":0,"output_tokens":25}}`))
	if !ok || u != (Usage{10, 25, 35}) {
		t.Errorf("Anthropic messages usage = %+v, %v", u, ok)
	}
	u, ok = ParseUsage([]byte(`{"candidates":[],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":6,"totalTokenCount":10}}`))
	if !ok || u != (Usage{4, 6, 10}) {
		t.Errorf("Gemini usage = %+v, %v", u, ok)
	}
	for _, none := range []string{`{"usage":null}`, `{"choices":[]}`, `not json`, ``, `{"usageMetadata":{}}`} {
		if _, ok := ParseUsage([]byte(none)); ok {
			t.Errorf("ParseUsage(%q) found usage", none)
		}
	}
}

const stream = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}],\"usage\":null}\n\n" +
	"data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}],\"usage\":null}\n\n" +
	"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\r\n\r\n" +
	"data: [DONE]\n\n"

// The usage chunk is found however the stream is cut into reads.
func TestStreamUsage(t *testing.T) {
	for size := 1; size <= len(stream); size += 7 {
		var s StreamUsage
		for i := 0; i < len(stream); i += size {
			s.Write([]byte(stream[i:min(i+size, len(stream))]))
		}
		if u, ok := s.Usage(); !ok || u != (Usage{9, 2, 11}) {
			t.Fatalf("chunks of %d: usage %+v, %v", size, u, ok)
		}
	}
	var s StreamUsage
	s.Write([]byte("data: {\"choices\":[]}\n\ndata: [DONE]\n\n"))
	if _, ok := s.Usage(); ok {
		t.Error("a stream without usage reported usage")
	}
}

// Anthropic's Messages API streams the input tokens in message_start and
// the (cumulative) output tokens in message_delta: both count.
func TestStreamUsageAnthropic(t *testing.T) {
	var s StreamUsage
	s.Write([]byte("event: message_start\n" +
		"data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n" +
		"event: content_block_delta\n" +
		"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n" +
		"event: message_delta\n" +
		"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n" +
		"event: message_stop\n" +
		"data: {\"type\":\"message_stop\"}\n\n"))
	if u, ok := s.Usage(); !ok || u != (Usage{25, 15, 40}) {
		t.Errorf("Anthropic stream usage = %+v, %v; want 25 + 15", u, ok)
	}
}

// Gemini repeats cumulative counts in every chunk: the last ones count.
func TestStreamUsageGemini(t *testing.T) {
	var s StreamUsage
	s.Write([]byte("data: {\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":7,\"candidatesTokenCount\":1,\"totalTokenCount\":8}}\r\n\r\n" +
		"data: {\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":7,\"candidatesTokenCount\":12,\"totalTokenCount\":19}}\r\n\r\n"))
	if u, ok := s.Usage(); !ok || u != (Usage{7, 12, 19}) {
		t.Errorf("Gemini stream usage = %+v, %v", u, ok)
	}
}

func TestStreamUsageBoundsLines(t *testing.T) {
	var s StreamUsage
	s.Write([]byte("data: " + strings.Repeat("x", 2*maxEventLine)))
	if cap(s.line) > maxEventLine+4096 {
		t.Errorf("kept %d bytes of one line", cap(s.line))
	}
	s.Write([]byte("\ndata: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n"))
	if u, ok := s.Usage(); !ok || u.TotalTokens != 2 {
		t.Errorf("usage after a long line = %+v, %v", u, ok)
	}
}

func TestUsageReader(t *testing.T) {
	var got Usage
	calls := 0
	r := &UsageReader{R: io.NopCloser(strings.NewReader(stream)), Done: func(u Usage, ok bool) { got = u; calls++ }}
	b, err := io.ReadAll(r)
	if err != nil || string(b) != stream {
		t.Fatalf("passed %q, %v", b, err)
	}
	r.Close()
	if calls != 1 || got.TotalTokens != 11 {
		t.Errorf("Done called %d times with %+v", calls, got)
	}
}

func TestEmbeddingAndCosine(t *testing.T) {
	v, err := ParseEmbedding([]byte(`{"data":[{"embedding":[1,0,0.5]}]}`))
	if err != nil || len(v) != 3 || v[2] != 0.5 {
		t.Fatalf("ParseEmbedding = %v, %v", v, err)
	}
	if _, err := ParseEmbedding([]byte(`{"data":[]}`)); err == nil {
		t.Error("an empty embeddings answer was accepted")
	}
	if c := Cosine([]float32{1, 0}, []float32{1, 0}); c < 0.9999 {
		t.Errorf("Cosine(same) = %v", c)
	}
	if c := Cosine([]float32{1, 0}, []float32{0, 1}); c != 0 {
		t.Errorf("Cosine(orthogonal) = %v", c)
	}
	if c := Cosine([]float32{1, 0}, []float32{1, 0, 0}); c != 0 {
		t.Errorf("Cosine(different lengths) = %v", c)
	}
}

func TestContentSafetyBodies(t *testing.T) {
	b := string(AnalyzeTextRequest("hi", []string{"Hate"}, []string{"words"}, "FourSeverityLevels"))
	if b != `{"text":"hi","categories":["Hate"],"blocklistNames":["words"],"haltOnBlocklistHit":true,"outputType":"FourSeverityLevels"}` {
		t.Errorf("analyze body = %s", b)
	}
	a, err := ParseAnalysis([]byte(`{"blocklistsMatch":[],"categoriesAnalysis":[{"category":"Hate","severity":4}]}`))
	if err != nil || a.CategoriesAnalysis[0].Severity != 4 {
		t.Errorf("ParseAnalysis = %+v, %v", a, err)
	}
	attack, err := ParseShield([]byte(`{"userPromptAnalysis":{"attackDetected":true},"documentsAnalysis":[]}`))
	if err != nil || !attack {
		t.Errorf("ParseShield = %v, %v", attack, err)
	}
}

// A 2 KB chat prompt, estimated as the token limit does per request.
func BenchmarkEstimatePrompt2KB(b *testing.B) { benchEstimatePrompt2KB(b, "gpt-4o") }

// benchEstimatePrompt2KB estimates a 2 KB chat prompt for model.
func benchEstimatePrompt2KB(b *testing.B, model string) {
	text := strings.Repeat("The quick brown fox jumps over the lazy dog near the riverbank at dawn. ", 29)[:2048]
	body := []byte(`{"model":"` + model + `","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"` + text + `"}]}`)
	Warm()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := ParseRequest(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := EstimatePrompt(r, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCompletionText(t *testing.T) {
	for body, want := range map[string]string{
		`{"choices":[{"message":{"role":"assistant","content":"Hi there"}}]}`:                        "Hi there",
		`{"choices":[{"text":"once upon"}]}`:                                                         "once upon",
		`{"output":[{"type":"message","content":[{"type":"output_text","text":"from responses"}]}]}`: "from responses",
		`{"id":"msg_1","type":"message","content":[{"type":"text","text":"from claude"}]}`:           "from claude",
		`{"candidates":[{"content":{"role":"model","parts":[{"text":"from gemini"}]}}]}`:             "from gemini",
		`not json`: "",
	} {
		if got := CompletionText([]byte(body)); got != want {
			t.Errorf("CompletionText(%s) = %q, want %q", body, got, want)
		}
	}
}

// A prompt beyond MaxExactPrompt is counted exactly up to it and by length
// after it, in bounded time.
func TestEstimatePromptBounded(t *testing.T) {
	text := strings.Repeat("hello world ", MaxExactPrompt/12*3)
	r := &Request{Prompt: []byte(`"` + text + `"`)}
	exact, _ := CountTokens(Cl100kBase, text[:MaxExactPrompt])
	got, err := EstimatePrompt(r, "")
	if want := exact + (len(text)-MaxExactPrompt+3)/4; err != nil || got != want {
		t.Errorf("EstimatePrompt = %d, %v; want %d", got, err, want)
	}
}

func TestChunks(t *testing.T) {
	got := Chunks("héllo wörld", 4)
	if strings.Join(got, "|") != "héll|o wö|rld" {
		t.Errorf("Chunks = %q", got)
	}
	if len(Chunks("", 4)) != 0 {
		t.Error("chunks of nothing")
	}
}
