package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/policy"
)

// TestPolicyCorpusRuns runs every API and operation policy of the corpus
// through a gateway: the policy is the API's policy.xml of an APIOps folder
// with the fragments it includes, the backends and loggers it names and a
// value for every named value, in front of a loopback backend that answers
// like an OpenAI chat completions API. One chat completion request goes
// through inbound, backend and outbound. The policies may fail on that
// request as they would in APIM (a missing variable, a managed identity
// that is not configured); tollgate itself must not fail, and no policy may
// be reported as unsupported at run time.
func TestPolicyCorpusRuns(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-ratelimit-remaining-tokens", "1000")
		w.Header().Set("x-ratelimit-remaining-requests", "10")
		io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hello"}}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}`)
	}))
	defer backend.Close()

	entries := readCorpusSources(t)
	fragments := corpusFragments(entries)
	ran := 0
	outcomes := map[string]int{}
	for _, e := range entries {
		if (e.scope != policy.API && e.scope != policy.Operation) || corpusExpectedFailures[e.file] != "" {
			continue
		}
		dir := t.TempDir()
		writeCorpusFolder(t, dir, e, fragments, backend.URL, "")
		snap, diags := loadCorpusFolder(dir)
		if diags.HasErrors() {
			t.Errorf("%s does not load:\n%s", e.file, diags) // TestPolicyCorpusLoads says why
			continue
		}
		gw, err := New(snap, Options{})
		if err != nil {
			t.Errorf("%s: %v", e.file, err)
			continue
		}
		var line []byte
		gw.log = NewLogWriter(writerFunc(func(p []byte) (int, error) { line = append(line[:0], p...); return len(p), nil }))
		req := httptest.NewRequest("POST", "http://gateway.test/test/deployments/gpt-4o/chat/completions?api-version=2024-02-01",
			strings.NewReader(`{"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}],"max_tokens":16}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		gw.ServeHTTP(rec, req)
		var logged struct {
			ResponseCode                    int
			LastErrorReason, LastErrorCause string
		}
		if err := json.Unmarshal(line, &logged); err != nil {
			t.Errorf("%s: no log line: %v", e.file, err)
			continue
		}
		if logged.LastErrorReason == "PolicyNotSupported" || strings.Contains(logged.LastErrorCause, "internal error") {
			t.Errorf("%s: %d %s: %s", e.file, rec.Code, logged.LastErrorReason, logged.LastErrorCause)
		}
		ran++
		outcomes[logged.LastErrorReason]++
		t.Logf("%s: %d %s %s", e.file, rec.Code, logged.LastErrorReason, firstLine(logged.LastErrorCause))
	}
	t.Logf("policy corpus: %d API and operation policies ran; outcomes by LastErrorReason: %v", ran, outcomes)
	if ran == 0 {
		t.Error("no corpus policy ran")
	}
}
