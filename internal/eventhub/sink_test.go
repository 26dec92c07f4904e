package eventhub

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tollgate/tollgate/internal/config"
)

// load writes files into a folder and loads it.
func load(t testing.TB, files map[string]string, env map[string]string) *config.Snapshot {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap, diags := config.Load(dir, config.Options{Env: func(k string) string { return env[k] }})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return snap
}

func loggerFile(typ, credentials string) string {
	return `{"properties":{"loggerType":"` + typ + `","credentials":` + credentials + `}}`
}

func TestParseConnectionString(t *testing.T) {
	cs := "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0;EntityPath=orders"
	snap := load(t, map[string]string{
		"loggers/hub/loggerInformation.json":                              loggerFile("azureEventHub", `{"name":"ignored","connectionString":"{{Logger-Credentials--hub}}"}`),
		"named values/Logger-Credentials--hub/namedValueInformation.json": `{"properties":{"displayName":"Logger-Credentials--hub","secret":true}}`,
	}, map[string]string{"TOLLGATE_NAMED_VALUE_LOGGER_CREDENTIALS__HUB": cs})
	s, diags := ParseLogger(snap, snap.Loggers["hub"])
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	want := Settings{Topic: "orders", Brokers: []string{"contoso.servicebus.windows.net:9093"}, TLS: true, User: "$ConnectionString", Password: cs}
	if !s.equal(want) {
		t.Errorf("settings %+v, want %+v", s, want)
	}
	if strings.Contains(s.String(), "c2VjcmV0") {
		t.Errorf("String shows the key: %s", s)
	}
}

func TestBadLoggerSettings(t *testing.T) {
	for name, tc := range map[string]struct{ cred, want string }{
		"no endpoint":   {`{"connectionString":"SharedAccessKeyName=a;SharedAccessKey=b;EntityPath=x"}`, `loggerInformation.json:1:79: warning: logger l: the connection string has no Endpoint=sb://NAMESPACE.servicebus.windows.net/`},
		"no key":        {`{"connectionString":"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=a;EntityPath=x"}`, "has SharedAccessKeyName but no SharedAccessKey"},
		"no hub":        {`{"connectionString":"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b"}`, "has no EntityPath and the credentials no name"},
		"not key=value": {`{"connectionString":"Endpoint=sb://ns/;SharedAccessKeyName=a;SharedAccessKeySECRETSECRET"}`, `has "Shar...", which is not Key=Value`},
		"bad server":    {`{"name":"t","bootstrapServers":"kafka1"}`, `"kafka1" is not host:port`},
		"half sasl":     {`{"name":"t","bootstrapServers":"k:9092","saslUsername":"u"}`, "SASL needs both saslUsername and saslPassword"},
		"no topic":      {`{"bootstrapServers":"k:9092"}`, "the credentials have no name"},
		"bad tls":       {`{"name":"t","bootstrapServers":"k:9092","tls":"yes"}`, `tls is "yes"; expected true or false`},
		"identity":      {`{"endpointAddress":"ns.servicebus.windows.net","identityClientId":"x"}`, "managed identity, which tollgate cannot use"},
		"nothing":       {`{}`, "neither connectionString nor bootstrapServers"},
		"missing value": {`{"name":"t","bootstrapServers":"{{kafka-servers}}"}`, `references the named value "kafka-servers", which does not exist`},
	} {
		snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", tc.cred)}, nil)
		_, diags := ParseLogger(snap, snap.Loggers["l"])
		if len(diags) != 1 || !strings.Contains(diags[0].String(), tc.want) || !strings.Contains(diags[0].String(), "loggerInformation.json:1:") {
			t.Errorf("%s: %v, want one diagnostic at the credential with %q", name, diags, tc.want)
		}
		if strings.Contains(diags.String(), "SECRETSECRET") {
			t.Errorf("%s: the diagnostic shows the key", name)
		}
	}
}

// cluster starts a kfake cluster with topic orders in three partitions.
func cluster(t testing.TB, opts ...kfake.Opt) *kfake.Cluster {
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(3, "orders")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// consume reads n records of topic orders.
func consume(t *testing.T, n int, opts ...kgo.Opt) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(append(opts, kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d records of %d", len(out), n)
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}

func TestMessagesReachKafkaWithTheirPartitions(t *testing.T) {
	c := cluster(t)
	snap := load(t, map[string]string{"loggers/orders-log/loggerInformation.json": loggerFile("azureEventHub",
		`{"name":"orders","bootstrapServers":"`+strings.Join(c.ListenAddrs(), ",")+`"}`)}, nil)
	tracer := &recordingTracer{}
	s, diags := New(snap, Options{Trace: tracer})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	defer s.Close(time.Second)
	sends := []Message{
		{Logger: "orders-log", Body: "a1", PartitionKey: "customer-a"},
		{Logger: "Orders-Log", Body: "b1", PartitionKey: "customer-b"},
		{Logger: "orders-log", Body: "a2", PartitionKey: "customer-a"},
		{Logger: "orders-log", Body: "p2", PartitionID: "2"},
		{Logger: "orders-log", Body: "none"},
	}
	for _, m := range sends {
		if err := s.Send(tracedContext(), m); err != nil {
			t.Fatalf("Send %v: %v", m, err)
		}
	}
	recs := consume(t, len(sends), kgo.SeedBrokers(c.ListenAddrs()...))
	by := map[string]*kgo.Record{}
	for _, r := range recs {
		by[string(r.Value)] = r
	}
	if string(by["a1"].Key) != "customer-a" || string(by["b1"].Key) != "customer-b" || by["none"].Key != nil {
		t.Errorf("keys: a1 %q b1 %q none %q", by["a1"].Key, by["b1"].Key, by["none"].Key)
	}
	if by["a1"].Partition != by["a2"].Partition {
		t.Errorf("the same partition-key went to partitions %d and %d", by["a1"].Partition, by["a2"].Partition)
	}
	if want := int32(kgo.KafkaHasher(murmur2)([]byte("customer-a"), 3)); by["a1"].Partition != want {
		t.Errorf("partition-key customer-a went to partition %d, Kafka's partitioner says %d", by["a1"].Partition, want)
	}
	if by["p2"].Partition != 2 {
		t.Errorf("partition-id 2 went to partition %d", by["p2"].Partition)
	}
	waitFor(t, func() bool { return s.Stats().Successful == uint64(len(sends)) })
	if st := s.Stats(); st.Events != 5 || st.Failed != 0 || st.Dropped != 0 || st.BytesSent != uint64(len("a1b1a2p2none")+len("customer-a")*2+len("customer-b")) {
		t.Errorf("stats %+v", st)
	}
	// Delivered messages leave no span.
	if f := tracer.failures(); len(f) != 0 {
		t.Errorf("failures traced for delivered messages: %v", f)
	}
}

// recordingTracer is a Tracer that records the failures of messages sent
// with tracedContext.
type recordingTracer struct {
	mu     sync.Mutex
	failed []tracedFailure
}

type tracedFailure struct {
	parent        TraceParent
	logger, topic string
	start         time.Time
	err           error
}

type traceKey struct{}

// testParent is the trace of tracedContext's request.
var testParent = TraceParent{TraceID: [16]byte{1, 2, 3}, SpanID: [8]byte{4, 5}, TraceState: "k=v"}

// tracedContext is the context of a traced request.
func tracedContext() context.Context {
	return context.WithValue(context.Background(), traceKey{}, testParent)
}

func (r *recordingTracer) Parent(ctx context.Context) (TraceParent, bool) {
	p, ok := ctx.Value(traceKey{}).(TraceParent)
	return p, ok
}

func (r *recordingTracer) Failed(parent TraceParent, logger, topic string, start time.Time, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, tracedFailure{parent, logger, topic, start, err})
}

func (r *recordingTracer) failures() []tracedFailure {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.failed)
}

func TestSendRefusals(t *testing.T) {
	c := cluster(t)
	snap := load(t, map[string]string{
		"loggers/orders-log/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+c.ListenAddrs()[0]+`"}`),
		"loggers/ai/loggerInformation.json":         loggerFile("applicationInsights", `{"instrumentationKey":"k"}`),
		"loggers/broken/loggerInformation.json":     loggerFile("azureEventHub", `{}`),
	}, nil)
	tracer := &recordingTracer{}
	s, diags := New(snap, Options{Trace: tracer})
	defer s.Close(time.Second)
	if len(diags) != 1 || !strings.Contains(diags[0].String(), "logger broken") {
		t.Errorf("diagnostics %v, want the broken logger's", diags)
	}
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{Message{Logger: "nope"}, "no logger nope in the configuration folder (loggers/nope/loggerInformation.json)"},
		{Message{Logger: "ai"}, "logger ai is of type applicationInsights; log-to-eventhub needs an azureEventHub logger"},
		{Message{Logger: "broken"}, "logger broken has unusable settings"},
		{Message{Logger: "orders-log", PartitionID: "x"}, `partition-id "x" is not a partition number`},
	} {
		if err := s.Send(context.Background(), tc.m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Send(%+v) = %v, want %q", tc.m, err, tc.want)
		}
	}
	// A partition the topic does not have fails at the broker's answer,
	// and the failure is in its request's trace.
	before := time.Now()
	if err := s.Send(tracedContext(), Message{Logger: "orders-log", Body: "x", PartitionID: "7"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.Stats().Failed == 1 })
	if st := s.Stats(); st.Dropped != 4 || st.Events != 1 {
		t.Errorf("stats %+v", st)
	}
	f := tracer.failures()
	if len(f) != 1 || f[0].parent != testParent || f[0].logger != "orders-log" || f[0].topic != "orders" || f[0].err == nil ||
		f[0].start.Before(before.Truncate(time.Millisecond)) || f[0].start.After(time.Now()) {
		t.Errorf("traced failures %+v, want the partition-7 message's under its request's trace", f)
	}
}

// An Event Hubs connection string: SASL PLAIN over TLS to the namespace on
// port 9093, user $ConnectionString, the string as password. The broker
// here is a kfake cluster with TLS and that PLAIN user, reached on loopback.
func TestEventHubsConnectionString(t *testing.T) {
	cert, pool := selfSigned(t, "contoso.servicebus.windows.net")
	cs := "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0;EntityPath=orders"
	c := cluster(t, kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}}), kfake.EnableSASL(), kfake.Superuser("PLAIN", "$ConnectionString", cs))
	snap := load(t, map[string]string{"loggers/hub/loggerInformation.json": loggerFile("azureEventHub", `{"connectionString":"`+cs+`"}`)}, nil)
	addr := c.ListenAddrs()[0]
	s, diags := newSink(snap, Options{TLS: &tls.Config{RootCAs: pool}, DeliveryTimeout: time.Second}, func(host string) string {
		if host == "contoso.servicebus.windows.net:9093" {
			return addr
		}
		return host
	})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	defer s.Close(time.Second)
	if err := s.Send(context.Background(), Message{Logger: "hub", Body: "over TLS"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.Stats().Successful+s.Stats().Failed == 1 })
	if st := s.Stats(); st.Successful != 1 {
		t.Fatalf("stats %+v", st)
	}
	// A wrong key is refused by the broker and counted.
	bad := strings.Replace(cs, "c2VjcmV0", "d3Jvbmc=", 1)
	snap = load(t, map[string]string{"loggers/hub/loggerInformation.json": loggerFile("azureEventHub", `{"connectionString":"`+bad+`"}`)}, nil)
	s.Update(snap)
	s.Send(context.Background(), Message{Logger: "hub", Body: "refused"})
	waitFor(t, func() bool { return s.Stats().Failed == 1 })
}

// A full queue drops messages at once rather than wait.
func TestFullQueueDrops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// A broker that accepts connections and never answers.
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	defer ln.Close()
	snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+ln.Addr().String()+`"}`)}, nil)
	var errs strings.Builder
	var mu sync.Mutex
	tracer := &recordingTracer{}
	s, _ := New(snap, Options{QueueSize: 1, DeliveryTimeout: time.Second, Errors: lockedWriter{&mu, &errs}, Trace: tracer})
	defer s.Close(10 * time.Millisecond)
	dropped := 0
	for i := 0; i < 100; i++ {
		ctx := context.Background()
		if i%2 == 0 {
			ctx = tracedContext()
		}
		switch err := s.Send(ctx, Message{Logger: "l", Body: "x"}); {
		case errors.Is(err, ErrQueueFull):
			dropped++
		case err != nil:
			t.Fatal(err)
		}
	}
	if dropped == 0 {
		t.Error("no message dropped by a queue of one")
	}
	// The ones queued fail when the delivery timeout passes.
	waitFor(t, func() bool { st := s.Stats(); return st.Failed+st.Dropped == 100 })
	if st := s.Stats(); st.Events != uint64(100-dropped) || st.Dropped != uint64(dropped) || st.Successful != 0 {
		t.Errorf("stats %+v after %d refused sends", st, dropped)
	}
	// Every traced message failed (dropped or timed out), each in its
	// request's trace; the untraced ones are not in any.
	waitFor(t, func() bool { return len(tracer.failures()) == 50 })
	queueFull := 0
	for _, f := range tracer.failures() {
		if f.parent != testParent {
			t.Errorf("failure traced under %+v", f.parent)
		}
		if errors.Is(f.err, ErrQueueFull) {
			queueFull++
		}
	}
	if queueFull == 0 || queueFull > dropped {
		t.Errorf("%d traced queue-full failures of %d dropped", queueFull, dropped)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(errs.String(), "\n"); n != 1 || !strings.Contains(errs.String(), "logger l: the logger's queue is full; messages are dropped") {
		t.Errorf("%d error lines, want one (rate-limited):\n%s", n, errs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func selfSigned(t *testing.T, host string) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{host}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// murmur2 is Kafka's default partitioner hash, written out here to check
// that partition-key lands where any Kafka producer would put it.
func murmur2(b []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	h := seed ^ uint32(len(b))
	for len(b) >= 4 {
		k := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
		b = b[4:]
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	switch len(b) {
	case 3:
		h ^= uint32(b[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(b[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(b[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}

// BenchmarkSend is what log-to-eventhub adds to a request: handing one
// message to the Kafka client, for a broker that answers. Every 1024
// messages the clock stops until the broker has acknowledged them, so that
// none is dropped.
func BenchmarkSend(b *testing.B) {
	c := cluster(b)
	snap := load(b, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+c.ListenAddrs()[0]+`"}`)}, nil)
	s, _ := New(snap, Options{QueueSize: 1 << 12})
	defer s.Close(time.Second)
	m := Message{Logger: "l", Body: `{"api":"orders","status":200}`, PartitionKey: "customer-a"}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i++; i%1024 == 0 {
			b.StopTimer()
			waitFor(b, func() bool { st := s.Stats(); return st.Successful+st.Failed >= st.Events })
			b.StartTimer()
		}
		if err := s.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendDelivered is what a log-to-eventhub message costs the
// process until Kafka acknowledged it: Send in a traced request, the Kafka
// client and the promise. cpu-ns/op is the process's CPU time
// per message, the in-process broker (kfake) included; the senders wait
// whenever 4096 messages are unacknowledged, so that none is dropped.
func BenchmarkSendDelivered(b *testing.B) {
	c := cluster(b)
	snap := load(b, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+c.ListenAddrs()[0]+`"}`)}, nil)
	tracer := &recordingTracer{}
	s, _ := New(snap, Options{QueueSize: 1 << 13, Trace: tracer})
	defer s.Close(time.Second)
	m := Message{Logger: "l", Body: `{"api":"orders","status":200}`, PartitionKey: "customer-a"}
	ctx := tracedContext()
	delivered := func(n uint64) {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Microsecond) {
			if st := s.Stats(); st.Successful+st.Failed+4096 >= st.Events+n {
				return
			}
		}
		b.Fatalf("not delivered: %+v", s.Stats())
	}
	s.Send(ctx, m)
	delivered(4096)
	b.ReportAllocs()
	before, start := processCPU(), s.Stats()
	i := 0
	for b.Loop() {
		if i++; i%256 == 0 {
			delivered(0)
		}
		s.Send(ctx, m)
	}
	delivered(4096)
	b.ReportMetric(float64(processCPU()-before)/float64(b.N), "cpu-ns/op")
	if st := s.Stats(); st.Successful-start.Successful != uint64(b.N) || st.Dropped+st.Failed > 0 {
		b.Fatalf("%d messages: %+v", b.N, st)
	}
}

// processCPU is the process's CPU time, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
