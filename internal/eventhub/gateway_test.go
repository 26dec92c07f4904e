package eventhub_test

import (
	"context"
	"io"
	"net"
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

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/eventhub"
	"github.com/tollgate/tollgate/internal/gateway"
)

// sink adapts the Sink to the gateway, as tollgate run does.
type sink struct{ s *eventhub.Sink }

func (k sink) Send(ctx context.Context, m gateway.EventHubMessage) error {
	return k.s.Send(ctx, eventhub.Message{Logger: m.Logger, Body: m.Message, PartitionID: m.PartitionID, PartitionKey: m.PartitionKey})
}

const key = "s1-primary-key-0123456789abcdef"

// serve loads a folder whose API logs every request to logger orders-log
// (on brokers), keyed by the customer header, and serves it.
func serve(t testing.TB, brokers string, opts eventhub.Options) (*eventhub.Sink, string, *syncBuffer) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(backend.Close)
	dir := t.TempDir()
	for name, content := range map[string]string{
		"loggers/orders-log/loggerInformation.json": `{"properties":{"loggerType":"azureEventHub","credentials":{"name":"orders","bootstrapServers":"` + brokers + `"}}}`,
		"apis/shop/apiInformation.json":             `{"properties":{"path":"shop","serviceUrl":"` + backend.URL + `","subscriptionRequired":true}}`,
		"apis/shop/specification.yaml":              "openapi: 3.0.1\ninfo: {title: shop, version: '1'}\npaths:\n  /items:\n    get: {operationId: list-items, responses: {'200': {description: OK}}}\n",
		"apis/shop/policy.xml": `<policies><inbound><base/>
<log-to-eventhub logger-id="orders-log" partition-key="@(context.Request.Headers.GetValueOrDefault(&quot;X-Customer&quot;, &quot;anonymous&quot;))">@("call by " + context.Subscription.Id + " with " + context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key", ""))</log-to-eventhub>
</inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`,
		"products/basic/productInformation.json":              `{"properties":{"displayName":"Basic","state":"published","subscriptionRequired":true}}`,
		"products/basic/apis/shop/productApiInformation.json": `{}`,
		"subscriptions/s1/subscriptionInformation.json":       `{"properties":{"scope":"/products/basic","state":"active","primaryKey":"` + key + `"}}`,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap, diags := gateway.LoadFolder(dir, config.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	s, diags := eventhub.New(snap, opts)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	t.Cleanup(func() { s.Close(100 * time.Millisecond) })
	logs := &syncBuffer{}
	gw, err := gateway.New(snap, gateway.Options{EventHub: sink{s}, Log: gateway.NewLogWriter(logs)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	return s, srv.URL, logs
}

func get(t testing.TB, url, customer string) int {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Ocp-Apim-Subscription-Key", key)
	if customer != "" {
		req.Header.Set("X-Customer", customer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// log-to-eventhub through a real gateway: the messages are consumed from
// the broker with their partition keys, masked like the log line, and stay
// on the log line.
func TestLogToEventHubThroughTheGateway(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, base, logs := serve(t, c.ListenAddrs()[0], eventhub.Options{})
	for _, customer := range []string{"alice", "bob", "alice", ""} {
		if code := get(t, base+"/shop/items", customer); code != 200 {
			t.Fatalf("status %d", code)
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var recs []*kgo.Record
	for len(recs) < 4 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
	}
	keys := map[string]int{}
	partitions := map[string]int32{}
	for _, r := range recs {
		keys[string(r.Key)]++
		if p, seen := partitions[string(r.Key)]; seen && p != r.Partition {
			t.Errorf("key %s in partitions %d and %d", r.Key, p, r.Partition)
		}
		partitions[string(r.Key)] = r.Partition
		if string(r.Value) != "call by s1 with ***" {
			t.Errorf("message %q, want the key masked", r.Value)
		}
	}
	if keys["alice"] != 2 || keys["bob"] != 1 || keys["anonymous"] != 1 {
		t.Errorf("partition keys %v", keys)
	}
	if !strings.Contains(logs.String(), `"EventHubMessages":[{"Logger":"orders-log","Message":"call by s1 with ***","PartitionKey":"alice"}]`) {
		t.Errorf("log line without the message:\n%s", logs.String())
	}
	waitFor(t, func() bool { return s.Stats().Successful == 4 })
}

// A broker that is down: every request still succeeds, and each message is
// counted as failed once the delivery timeout passes.
func TestBrokerDownDoesNotFailRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close() // nothing listens there any more
	var errs syncBuffer
	s, base, logs := serve(t, down, eventhub.Options{DeliveryTimeout: time.Second, Errors: &errs})
	const n = 50
	var wg sync.WaitGroup
	codes := make(chan int, n)
	for i := 0; i < n; i++ {
		wg.Go(func() { codes <- get(t, base+"/shop/items", "carol") })
	}
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != 200 {
			t.Fatalf("status %d while the broker is down", code)
		}
	}
	waitFor(t, func() bool { st := s.Stats(); return st.Failed+st.Dropped == n })
	if st := s.Stats(); st.Successful != 0 || st.Events+st.Dropped != n {
		t.Errorf("stats %+v", st)
	}
	if strings.Contains(logs.String(), "TollgateNotes") {
		t.Errorf("a message accepted for sending gave a note:\n%s", logs.String())
	}
	if !strings.Contains(errs.String(), "tollgate: log-to-eventhub: logger orders-log (topic orders on "+down+" (plaintext)):") || strings.Count(errs.String(), "\n") != 1 {
		t.Errorf("failures written as\n%s\nwant one line", errs.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
