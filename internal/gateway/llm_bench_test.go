package gateway

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/limit"
	limitredis "github.com/tollgate/tollgate/internal/limit/redisstore"
	"github.com/tollgate/tollgate/internal/llm"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/testkit"
)

// benchTokenLimit measures one token-limit decision as a request makes it:
// the inbound check of llm-token-limit (a counter-key expression, the
// window's state) and the count of the usage the response reports.
func benchTokenLimit(b *testing.B, store limit.Store) {
	dir := b.TempDir()
	files := map[string]string{
		"apis/ai/apiInformation.json": `{"properties":{"path":"ai","serviceUrl":"http://127.0.0.1:9/openai"}}`,
		"apis/ai/specification.yaml":  aiSpec,
		"apis/ai/policy.xml": `<policies><inbound><base/><llm-token-limit counter-key="@(context.Request.Headers.GetValueOrDefault(&quot;X-Tenant&quot;, &quot;none&quot;))"
			tokens-per-minute="1000000000" estimate-prompt-tokens="false" remaining-tokens-header-name="x-remaining" /></inbound></policies>`,
	}
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
	}
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	diags.Append(pd)
	snap.Policies = pols
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	g, err := New(snap, Options{Limits: store, Log: NewLogWriter(io.Discard)})
	if err != nil {
		b.Fatal(err)
	}
	var step *policy.Step
	for _, eff := range g.state.Load().pipes {
		for _, s := range eff.Sections[policy.Inbound] {
			if _, ok := s.Policy.(*policy.LLMTokenLimit); ok {
				step = s
			}
		}
	}
	if step == nil {
		b.Fatal("no llm-token-limit step")
	}
	p := step.Policy.(*policy.LLMTokenLimit)
	r := httptest.NewRequest("POST", "/ai/deployments/gpt-4o/chat/completions", nil)
	r.Header.Set("X-Tenant", "tenant-42")
	body := []byte(helloWorld)
	pooled := exchanges.Get().(*exchange) // for its scratch memory
	b.ReportAllocs()
	for b.Loop() {
		x := &exchange{g: g, st: g.state.Load(), r: r, start: time.Now(), section: policy.Inbound, scratch: pooled.scratch,
			req: outRequest{method: "POST", header: r.Header, body: newBytesBody(body)}}
		if err := x.execLLMTokenLimit(step, p, time.Now()); err != nil {
			b.Fatal(err.Cause)
		}
		x.llm.usage = &usageBox{usage: llm.Usage{PromptTokens: 10, CompletionTokens: 20, TotalTokens: 30}, found: true, done: true}
		x.countUsage()
		if !strings.HasPrefix(x.extraHeaders.Get("x-remaining"), "9") {
			b.Fatalf("remaining %q", x.extraHeaders.Get("x-remaining"))
		}
	}
}

func BenchmarkTokenLimitMemory(b *testing.B) { benchTokenLimit(b, limit.NewMemory()) }

func BenchmarkTokenLimitRedis(b *testing.B) {
	srv := testkit.StartRedis(b)
	client, err := redisclient.Dial(srv.Addr, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	benchTokenLimit(b, limitredis.New(client, limitredis.Options{}))
}
