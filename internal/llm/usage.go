package llm

import (
	"bytes"
	"encoding/json"
	"io"
)

// Usage is the token usage a model reports.
type Usage struct {
	PromptTokens     int64
	CompletionTokens int64
	TotalTokens      int64
}

// usageJSON accepts the spellings of the model APIs tollgate meters: chat
// completions (prompt_tokens, completion_tokens), the Responses API and
// Anthropic's Messages API (input_tokens, output_tokens), and Google's
// Gemini API on Vertex AI (usageMetadata: promptTokenCount,
// candidatesTokenCount, totalTokenCount).
type usageJSON struct {
	PromptTokens     *int64 `json:"prompt_tokens"`
	CompletionTokens *int64 `json:"completion_tokens"`
	InputTokens      *int64 `json:"input_tokens"`
	OutputTokens     *int64 `json:"output_tokens"`
	TotalTokens      *int64 `json:"total_tokens"`

	PromptTokenCount     *int64 `json:"promptTokenCount"`
	CandidatesTokenCount *int64 `json:"candidatesTokenCount"`
	TotalTokenCount      *int64 `json:"totalTokenCount"`
}

// report is one usage report: the counts it gives, nil for those it does
// not (Anthropic's streamed message_delta gives only the output tokens).
type report struct {
	prompt, completion, total *int64
}

func (u *usageJSON) report() (report, bool) {
	if u == nil {
		return report{}, false
	}
	first := func(vs ...*int64) *int64 {
		for _, v := range vs {
			if v != nil {
				return v
			}
		}
		return nil
	}
	r := report{
		prompt:     first(u.PromptTokens, u.InputTokens, u.PromptTokenCount),
		completion: first(u.CompletionTokens, u.OutputTokens, u.CandidatesTokenCount),
		total:      first(u.TotalTokens, u.TotalTokenCount),
	}
	return r, r.prompt != nil || r.completion != nil || r.total != nil
}

// tally merges the usage reports of a response: a later report's counts
// replace the earlier ones it gives (streamed counts are cumulative), and
// a total not reported is the sum of the two counts.
type tally struct {
	prompt, completion, total int64
	hasTotal, found           bool
}

func (t *tally) add(r report) {
	if r.prompt != nil {
		t.prompt = *r.prompt
	}
	if r.completion != nil {
		t.completion = *r.completion
	}
	if r.total != nil {
		t.total, t.hasTotal = *r.total, true
	}
	t.found = true
}

func (t *tally) usage() (Usage, bool) {
	u := Usage{PromptTokens: t.prompt, CompletionTokens: t.completion, TotalTokens: t.total}
	if !t.hasTotal || u.TotalTokens == 0 {
		u.TotalTokens = u.PromptTokens + u.CompletionTokens
	}
	return u, t.found
}

// parseReport finds the usage report of one JSON document: "usage" (also
// nested in "response", as the Responses API streams it, and in "message",
// as Anthropic's message_start event carries it) or "usageMetadata".
func parseReport(body []byte) (report, bool) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' || !bytes.Contains(b, []byte(`"usage`)) {
		return report{}, false
	}
	type nested struct {
		Usage *usageJSON `json:"usage"`
	}
	var doc struct {
		Usage         *usageJSON `json:"usage"`
		UsageMetadata *usageJSON `json:"usageMetadata"`
		Response      *nested    `json:"response"`
		Message       *nested    `json:"message"`
	}
	if json.Unmarshal(b, &doc) != nil {
		return report{}, false
	}
	for _, u := range []*usageJSON{doc.Usage, doc.UsageMetadata} {
		if r, ok := u.report(); ok {
			return r, true
		}
	}
	for _, n := range []*nested{doc.Response, doc.Message} {
		if n != nil {
			if r, ok := n.Usage.report(); ok {
				return r, true
			}
		}
	}
	return report{}, false
}

// ParseUsage returns the token usage a JSON response body reports (see
// parseReport for where it looks). ok is false when there is none.
func ParseUsage(body []byte) (Usage, bool) {
	r, ok := parseReport(body)
	if !ok {
		return Usage{}, false
	}
	var t tally
	t.add(r)
	return t.usage()
}

// maxEventLine bounds one line of an event stream that StreamUsage keeps;
// longer lines cannot carry the usage chunk and are skipped.
const maxEventLine = 1 << 20

// StreamUsage watches a server-sent event stream (text/event-stream) as it
// passes and merges the usage reported in its "data:" lines: with
// stream_options.include_usage the last chunk before [DONE] carries it;
// Anthropic reports the input tokens in message_start and the output
// tokens in message_delta; Gemini repeats cumulative counts in every chunk.
// It holds at most one line of the stream in memory.
type StreamUsage struct {
	line  []byte
	skip  bool // the current line is too long: drop it
	tally tally
}

// Write implements io.Writer; it never fails.
func (s *StreamUsage) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.add(p)
			break
		}
		s.add(p[:i])
		s.endLine()
		p = p[i+1:]
	}
	return n, nil
}

func (s *StreamUsage) add(p []byte) {
	if s.skip {
		return
	}
	if len(s.line)+len(p) > maxEventLine {
		s.skip, s.line = true, s.line[:0]
		return
	}
	s.line = append(s.line, p...)
}

func (s *StreamUsage) endLine() {
	line := bytes.TrimRight(s.line, "\r")
	s.line, s.skip = s.line[:0], false
	data, ok := bytes.CutPrefix(line, []byte("data:"))
	if !ok {
		return
	}
	if r, ok := parseReport(data); ok {
		s.tally.add(r)
	}
}

// Usage returns the usage the stream reported; ok is false when it
// reported none (the request did not ask for it with
// stream_options.include_usage).
func (s *StreamUsage) Usage() (Usage, bool) {
	if len(s.line) > 0 && !s.skip {
		s.endLine() // a last line without a newline
	}
	return s.tally.usage()
}

// UsageReader passes a response stream through and watches it for usage.
type UsageReader struct {
	R      io.ReadCloser
	Stream StreamUsage
	// Done, when set, is called once with the usage when the stream ends
	// (EOF or Close), before Close returns.
	Done func(Usage, bool)
	done bool
}

// Read implements io.Reader.
func (u *UsageReader) Read(p []byte) (int, error) {
	n, err := u.R.Read(p)
	if n > 0 {
		u.Stream.Write(p[:n])
	}
	if err == io.EOF {
		u.finish()
	}
	return n, err
}

// Close implements io.Closer.
func (u *UsageReader) Close() error {
	err := u.R.Close()
	u.finish()
	return err
}

func (u *UsageReader) finish() {
	if u.done {
		return
	}
	u.done = true
	if u.Done != nil {
		u.Done(u.Stream.Usage())
	}
}
