package loadbench

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/eventhub"
	"github.com/tollgate/tollgate/internal/gateway"
)

// syncBuffer is a bytes.Buffer the gateway writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// hubMessages records the gateway's log-to-eventhub messages.
type hubMessages struct {
	mu   sync.Mutex
	msgs []gateway.EventHubMessage
}

func (h *hubMessages) Send(_ context.Context, m gateway.EventHubMessage) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, m)
	return nil
}

// The sinks folder loads without a diagnostic, names a logger on the
// broker, and each request sends one log-to-eventhub message keyed by the
// subscription and puts the trace policy's message on the log line.
func TestSinksFolderLoads(t *testing.T) {
	backend := httptest.NewServer(Echo())
	defer backend.Close()
	dir := t.TempDir()
	if err := WriteSinksFolder(dir, backend.URL, "127.0.0.1:9092"); err != nil {
		t.Fatal(err)
	}
	snap := loadChecked(t, dir)
	hubs := &hubMessages{}
	logLines := &syncBuffer{}
	lw := gateway.NewLogWriter(logLines)
	gw, err := gateway.New(snap, gateway.Options{Log: lw, EventHub: hubs})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+Variants[0].Target(), nil)
	req.Header.Set(KeyHeader, Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	hubs.mu.Lock()
	msgs := slices.Clone(hubs.msgs)
	hubs.mu.Unlock()
	if len(msgs) != 1 || msgs[0].Logger != "load-events" || msgs[0].Message != "GET /load/items/42" || msgs[0].PartitionKey != "load" {
		t.Errorf("log-to-eventhub messages %+v, want one to load-events keyed by the subscription", msgs)
	}
	for deadline := time.Now().Add(5 * time.Second); logLines.String() == "" && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(logLines.String(), "load request") {
		t.Errorf("log line without the trace policy's message: %s", logLines.String())
	}
	if lg, ok := snap.Loggers["load-events"]; !ok || lg.Credentials["bootstrapServers"] != "127.0.0.1:9092" || lg.Credentials["name"] != SinksTopic {
		t.Errorf("logger %+v", snap.Loggers)
	}

	// Without a broker (tollgate-sinks-off) the logger names none, and
	// tollgate keeps its messages on the log line.
	off := t.TempDir()
	if err := WriteSinksFolder(off, backend.URL, ""); err != nil {
		t.Fatal(err)
	}
	snap = loadChecked(t, off)
	lg, ok := snap.Loggers["load-events"]
	if !ok {
		t.Fatalf("no logger in the folder without a broker: %v", snap.Loggers)
	}
	if _, diags := eventhub.ParseLogger(snap, lg); len(diags) != 1 || !strings.Contains(diags[0].Message, "stay on the log line") {
		t.Errorf("logger without a broker: %v, want its messages on the log line", diags)
	}

	// The plain folder has none of it.
	plain := t.TempDir()
	WriteFolder(plain, backend.URL)
	snap, _ = config.Load(plain, config.Options{})
	if len(snap.Loggers) != 0 {
		t.Errorf("plain folder has loggers %v", snap.Loggers)
	}
}

func TestSinksCount(t *testing.T) {
	s := &Sinks{}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	post := func(path, ctype, body string) int {
		resp, err := http.Post(srv.URL+path, ctype, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if post("/v1/traces", "application/x-protobuf", "0123456789") != 200 || post("/v1/logs", "application/x-protobuf", "abc") != 200 ||
		post("/v1/metrics", "application/x-protobuf", "") != 200 {
		t.Error("an export was refused")
	}
	if post("/v1/traces", "application/json", "{}") != 400 || post("/v1/other", "application/x-protobuf", "") != 404 {
		t.Error("a bad export was accepted")
	}
	metrics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "tollgate_requests_total 1\n")
	}))
	defer metrics.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Scrape(ctx, metrics.URL+"/metrics", 10*time.Millisecond); close(done) }()
	for s.Stats().Scrapes < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	s.AddProduce(3)

	resp, err := http.Get(srv.URL + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	var got SinkStats
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if got.TraceExports != 1 || got.TraceBytes != 10 || got.LogExports != 1 || got.LogBytes != 3 || got.MetricExports != 1 ||
		got.KafkaProduces != 1 || got.KafkaRecords != 3 || got.Scrapes < 2 || got.ScrapeBytes != got.Scrapes*26 || got.ScrapeFailures != 0 {
		t.Errorf("stats %+v", got)
	}
	if !strings.Contains(got.String(), "Kafka: 3 records in 1 produce requests") {
		t.Errorf("summary %q", got)
	}
}

func TestRecordsInBatches(t *testing.T) {
	batch := func(records int32, payload int) []byte {
		b := make([]byte, 61+payload)
		binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
		binary.BigEndian.PutUint32(b[57:], uint32(records))
		return b
	}
	if n := RecordsInBatches(slices.Concat(batch(3, 40), batch(5, 0))); n != 8 {
		t.Errorf("%d records, want 8", n)
	}
	if n := RecordsInBatches(batch(2, 10)[:30]); n != 0 {
		t.Errorf("a cut batch counts %d", n)
	}
}
