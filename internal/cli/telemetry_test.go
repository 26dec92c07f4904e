package cli

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// tollgate run with OTEL_EXPORTER_OTLP_ENDPOINT set and an Event Hubs
// logger on a Kafka broker: the request's span reaches the collector in the
// caller's trace, the log line has its trace id, the log-to-eventhub
// message reaches the topic, and /metrics counts it.
func TestRunExportsTracesAndEventHubMessages(t *testing.T) {
	var mu sync.Mutex
	traceIDs := map[string]bool{}
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/v1/traces" {
			var req coltrace.ExportTraceServiceRequest
			if err := proto.Unmarshal(body, &req); err != nil {
				t.Errorf("decoding traces: %v", err)
			}
			mu.Lock()
			for _, rs := range req.ResourceSpans {
				for _, ss := range rs.ScopeSpans {
					for _, s := range ss.Spans {
						traceIDs[hex.EncodeToString(s.TraceId)] = true
					}
				}
			}
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_METRICS_EXPORTER", "none")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")

	broker, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "calls"))
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer backend.Close()
	dir := writeFolder(t, map[string]string{
		"loggers/calls/loggerInformation.json":                       `{"properties":{"loggerType":"azureEventHub","credentials":{"name":"calls","bootstrapServers":"{{kafka}}"}}}`,
		"named values/kafka/namedValueInformation.json":              `{"properties":{"displayName":"kafka","value":"` + broker.ListenAddrs()[0] + `"}}`,
		"apis/shop/apiInformation.json":                              `{"properties":{"path":"shop","serviceUrl":"` + backend.URL + `","subscriptionRequired":false}}`,
		"apis/shop/specification.yaml":                               "openapi: 3.0.1\ninfo: {title: shop, version: '1'}\npaths:\n  /items:\n    get: {operationId: list-items, responses: {'200': {description: OK}}}\n",
		"apis/shop/policy.xml":                                       `<policies><inbound><base/><log-to-eventhub logger-id="calls" partition-id="1">@(context.Operation.Id)</log-to-eventhub></inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`,
		"diagnostics/applicationinsights/diagnosticInformation.json": `{"properties":{"sampling":{"samplingType":"fixed","percentage":100},"verbosity":"error"}}`,
	})
	base, stdout, stderr := startRun(t, dir)
	admin := adminURL(t, stderr)
	if !strings.Contains(stderr.String(), "tollgate: OpenTelemetry: exporting traces, logs over OTLP/HTTP") ||
		!strings.Contains(stderr.String(), "tollgate: log-to-eventhub logger calls: topic calls on "+broker.ListenAddrs()[0]+" (plaintext)") ||
		!strings.Contains(stderr.String(), "tollgate: OpenTelemetry: traces sampled at 100% (parent based), trace messages of severity error and above, as the folder's applicationinsights diagnostics say") {
		t.Errorf("startup lines:\n%s", stderr.String())
	}
	const caller = "0af7651916cd43dd8448eb211c80319c"
	req, _ := http.NewRequest("GET", base+"/shop/items", nil)
	req.Header.Set("traceparent", "00-"+caller+"-b7ad6b7169203331-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(broker.ListenAddrs()...), kgo.ConsumeTopics("calls"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var recs []*kgo.Record
	for len(recs) == 0 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
	}
	if len(recs) != 1 || string(recs[0].Value) != "list-items" || recs[0].Partition != 1 {
		t.Fatalf("records %v, want list-items in partition 1", recs)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := traceIDs[caller]
		mu.Unlock()
		if got {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no span of trace %s reached the collector", caller)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stdout.String(), `"TraceId":"`+caller+`"`) {
		t.Errorf("log line without the caller's trace id:\n%s", stdout.String())
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		status, body := get(t, admin+"/metrics")
		if status == 200 && strings.Contains(body, "tollgate_eventhub_successful_events_total 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics does not count the message:\n%s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A reload applies the diagnostic's new sampling, and an API's own.
	if err := os.WriteFile(filepath.Join(dir, "diagnostics", "applicationinsights", "diagnosticInformation.json"),
		[]byte(`{"properties":{"sampling":{"samplingType":"fixed","percentage":25}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "apis", "shop", "diagnostics", "applicationinsights"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "apis", "shop", "diagnostics", "applicationinsights", "diagnosticInformation.json"),
		[]byte(`{"properties":{"sampling":{"samplingType":"fixed","percentage":50}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), "tollgate: OpenTelemetry: traces sampled at 25% (parent based), 1 API(s) with their own (shop), as the folder's applicationinsights diagnostics say"); {
		if time.Now().After(deadline) {
			t.Fatalf("the reloaded diagnostic is not applied:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
