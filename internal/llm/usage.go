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

// usageJSON accepts both spellings: chat completions (prompt_tokens,
// completion_tokens) and the Responses API (input_tokens, output_tokens).
type usageJSON struct {
	PromptTokens     *int64 `json:"prompt_tokens"`
	CompletionTokens *int64 `json:"completion_tokens"`
	InputTokens      *int64 `json:"input_tokens"`
	OutputTokens     *int64 `json:"output_tokens"`
	TotalTokens      *int64 `json:"total_tokens"`
}

func (u *usageJSON) usage() (Usage, bool) {
	if u == nil {
		return Usage{}, false
	}
	var out Usage
	found := false
	pick := func(dst *int64, vs ...*int64) {
		for _, v := range vs {
			if v != nil {
				*dst, found = *v, true
				return
			}
		}
	}
	pick(&out.PromptTokens, u.PromptTokens, u.InputTokens)
	pick(&out.CompletionTokens, u.CompletionTokens, u.OutputTokens)
	pick(&out.TotalTokens, u.TotalTokens)
	if out.TotalTokens == 0 {
		out.TotalTokens = out.PromptTokens + out.CompletionTokens
	}
	return out, found
}

// ParseUsage returns the "usage" object of a JSON response body (also
// nested in "response", as the Responses API streams it). ok is false when
// there is none.
func ParseUsage(body []byte) (Usage, bool) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' || !bytes.Contains(b, []byte(`"usage"`)) {
		return Usage{}, false
	}
	var doc struct {
		Usage    *usageJSON `json:"usage"`
		Response *struct {
			Usage *usageJSON `json:"usage"`
		} `json:"response"`
	}
	if json.Unmarshal(b, &doc) != nil {
		return Usage{}, false
	}
	if u, ok := doc.Usage.usage(); ok {
		return u, true
	}
	if doc.Response != nil {
		return doc.Response.Usage.usage()
	}
	return Usage{}, false
}

// maxEventLine bounds one line of an event stream that StreamUsage keeps;
// longer lines cannot carry the usage chunk and are skipped.
const maxEventLine = 1 << 20

// StreamUsage watches a server-sent event stream (text/event-stream) as it
// passes and keeps the last usage reported in a "data:" line: with
// stream_options.include_usage the last chunk before [DONE] carries it.
// It holds at most one line of the stream in memory.
type StreamUsage struct {
	line  []byte
	skip  bool // the current line is too long: drop it
	usage Usage
	found bool
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
	if u, ok := ParseUsage(data); ok {
		s.usage, s.found = u, true
	}
}

// Usage returns the last usage seen; ok is false when the stream reported
// none (the request did not ask for it with stream_options.include_usage).
func (s *StreamUsage) Usage() (Usage, bool) {
	if len(s.line) > 0 && !s.skip {
		s.endLine() // a last line without a newline
	}
	return s.usage, s.found
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
