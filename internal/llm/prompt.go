package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Request is what the AI policies read from a model request body: OpenAI's
// chat completions, completions, embeddings or Responses API, Anthropic's
// Messages API (with its top-level system prompt), or Google's Gemini API
// (contents made of parts).
type Request struct {
	Model    string    `json:"model"`
	Messages []Message `json:"messages"`
	// System is Anthropic's system prompt: a string or text blocks.
	System json.RawMessage `json:"system"`
	// Contents and SystemInstruction are Gemini's conversation and system
	// prompt.
	Contents          json.RawMessage `json:"contents"`
	SystemInstruction json.RawMessage `json:"systemInstruction"`
	// Prompt is the completions prompt: a string or an array of strings.
	Prompt json.RawMessage `json:"prompt"`
	// Input is the embeddings or Responses API input: a string, an array of
	// strings, or (Responses API) an array of messages.
	Input         json.RawMessage `json:"input"`
	Stream        bool            `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

// Message is one chat message. Content is a string or an array of content
// parts, of which the text parts count; Parts are a Gemini message's.
type Message struct {
	Role    string          `json:"role"`
	Name    string          `json:"name"`
	Content json.RawMessage `json:"content"`
	Parts   json.RawMessage `json:"parts"`
}

// chat returns the conversation of a request: its messages (or the
// Responses API's input messages, or Gemini's contents), after its system
// prompt when the API gives that apart (Anthropic, Gemini). It is nil for
// a request without messages (completions, embeddings, a plain input).
func (r *Request) chat() []Message {
	messages := r.Messages
	if messages == nil {
		messages = messagesOf(r.Input, true)
	}
	if messages == nil {
		messages = messagesOf(r.Contents, false)
	}
	if messages == nil {
		return nil
	}
	for _, sys := range []json.RawMessage{r.System, r.SystemInstruction} {
		if textOf(sys) != "" {
			return append([]Message{{Role: "system", Content: sys}}, messages...)
		}
	}
	return messages
}

// ErrNotJSON is returned for a request body that is not a JSON object.
var ErrNotJSON = errors.New("the request body is not a JSON object")

// ParseRequest reads an OpenAI-compatible request body.
func ParseRequest(body []byte) (*Request, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return nil, ErrNotJSON
	}
	var r Request
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("the request body is not valid JSON: %w", err)
	}
	return &r, nil
}

// Text returns the text of a message's content: the string, or the text
// parts of an array joined by newlines.
func (m Message) Text() string {
	if len(m.Content) == 0 {
		return textOf(m.Parts)
	}
	return textOf(m.Content)
}

// textOf returns the text of a JSON string, of an array of strings or text
// parts, or of an array of messages (Responses API input).
func textOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	switch raw[0] {
	case '"':
		if s, ok := plainString(raw); ok {
			return s
		}
		var s string
		json.Unmarshal(raw, &s)
		return s
	case '[':
		var parts []json.RawMessage
		if json.Unmarshal(raw, &parts) != nil {
			return ""
		}
		var texts []string
		for _, p := range parts {
			if t := textOf(p); t != "" {
				texts = append(texts, t)
			}
		}
		return strings.Join(texts, "\n")
	case '{':
		// A text part, or a message (Gemini's systemInstruction) whose
		// content or parts hold the text.
		var part struct {
			Text string `json:"text"`
			Message
		}
		if json.Unmarshal(raw, &part) != nil {
			return ""
		}
		if part.Text != "" {
			return part.Text
		}
		return part.Message.Text()
	}
	return ""
}

// plainString returns the string of a JSON string literal whose escapes
// are all short ones (\n, \", \\ and the like, not \u) and whose bytes
// are valid UTF-8 without control characters, as json.Unmarshal reads it:
// it spares json.Unmarshal's validation and unquoting passes over a
// prompt. ok is false for any other raw, which json.Unmarshal reads.
func plainString(raw []byte) (s string, ok bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	ascii, escaped := true, false
	for i := 0; i < len(body); i++ {
		switch b := body[i]; {
		case b < 0x20 || b == '"':
			return "", false
		case b == '\\':
			if i+1 == len(body) || unescape[body[i+1]] == 0 {
				return "", false
			}
			escaped = true
			i++
		case b >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(body) {
		return "", false
	}
	if !escaped {
		return string(body), true
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\\' {
			i++
			c = unescape[body[i]]
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// unescape maps the letter of a JSON escape other than \u to its byte.
var unescape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// messagesOf returns the messages of a JSON array: Gemini's contents, or
// (with roles required) a Responses API input. It is nil when raw is not
// an array of messages: another API may use the name for something else,
// and a Responses API input may be plain items.
func messagesOf(raw json.RawMessage, rolesRequired bool) []Message {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil
	}
	var ms []Message
	if json.Unmarshal(raw, &ms) != nil {
		return nil
	}
	for _, m := range ms {
		if rolesRequired && m.Role == "" {
			return nil
		}
	}
	return ms
}

// Tokens per chat message and per reply, as OpenAI documents them for its
// chat models.
const (
	tokensPerMessage = 3
	tokensPerName    = 1
	tokensPerReply   = 3
)

// MaxExactPrompt bounds the bytes of prompt text EstimatePrompt counts
// exactly; beyond it each 4 bytes count as one token, so that a huge body
// costs bounded time.
const MaxExactPrompt = 1 << 20

// budget counts tokens exactly for the first MaxExactPrompt bytes.
type budget struct {
	enc  Encoding
	left int
}

func (b *budget) count(s string) (int, error) {
	if len(s) <= b.left {
		b.left -= len(s)
		return CountTokens(b.enc, s)
	}
	cut := b.left
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	n, err := CountTokens(b.enc, s[:cut])
	b.left = 0
	return n + (len(s)-cut+3)/4, err
}

// EstimatePrompt returns the number of prompt tokens of a request. model is
// used when the body names none (Azure OpenAI puts the deployment in the
// URL). See the package documentation for what is counted.
func EstimatePrompt(r *Request, model string) (int, error) {
	if r.Model != "" {
		model = r.Model
	}
	b := &budget{enc: EncodingFor(model), left: MaxExactPrompt}
	if messages := r.chat(); messages != nil {
		n := tokensPerReply
		for _, m := range messages {
			n += tokensPerMessage
			for _, s := range []string{m.Role, m.Text(), m.Name} {
				c, err := b.count(s)
				if err != nil {
					return 0, err
				}
				n += c
			}
			if m.Name != "" {
				n += tokensPerName
			}
		}
		return n, nil
	}
	text := textOf(r.Prompt)
	if text == "" {
		text = textOf(r.Input)
	}
	return b.count(text)
}

// PromptText returns the text a semantic cache compares: the chat messages'
// contents one per line (without system and developer messages when
// ignoreSystem is set), or the prompt or input. ok is false when the
// conversation has more than maxMessages messages (0: no limit), in which
// case the request is not cached.
func PromptText(r *Request, ignoreSystem bool, maxMessages int) (text string, ok bool) {
	messages := r.chat()
	if messages == nil {
		t := textOf(r.Prompt)
		if t == "" {
			t = textOf(r.Input)
		}
		return t, true
	}
	var b strings.Builder
	n := 0
	for _, m := range messages {
		if ignoreSystem && (m.Role == "system" || m.Role == "developer") {
			continue
		}
		n++
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(m.Role)
		b.WriteString(": ")
		b.WriteString(m.Text())
	}
	if maxMessages > 0 && n > maxMessages {
		return "", false
	}
	return b.String(), true
}

// CompletionText returns the generated text of a JSON response: the
// choices' message contents (chat) or texts (completions), the Responses
// API's output text, Anthropic's text blocks or Gemini's candidates' parts.
func CompletionText(body []byte) string {
	var doc struct {
		Choices []struct {
			Message *Message `json:"message"`
			Text    string   `json:"text"`
		} `json:"choices"`
		Output []struct {
			Content json.RawMessage `json:"content"`
		} `json:"output"`
		Content    json.RawMessage `json:"content"` // Anthropic: text blocks
		Candidates []struct {
			Content Message `json:"content"` // Gemini: parts
		} `json:"candidates"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	var texts []string
	for _, c := range doc.Choices {
		if c.Message != nil {
			texts = append(texts, c.Message.Text())
		} else if c.Text != "" {
			texts = append(texts, c.Text)
		}
	}
	for _, o := range doc.Output {
		if t := textOf(o.Content); t != "" {
			texts = append(texts, t)
		}
	}
	if t := textOf(doc.Content); t != "" {
		texts = append(texts, t)
	}
	for _, c := range doc.Candidates {
		if t := c.Content.Text(); t != "" {
			texts = append(texts, t)
		}
	}
	return strings.Join(texts, "\n")
}
