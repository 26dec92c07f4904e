package eventhub

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
)

// MaxMessageBytes is the largest message sent; a longer one is truncated,
// as APIM truncates log-to-eventhub messages beyond 200 KB.
const MaxMessageBytes = 200 << 10

// Defaults of Options.
const (
	DefaultQueueSize       = 4096
	DefaultDeliveryTimeout = 30 * time.Second
	DefaultMaxBufferBytes  = 16 << 20
)

// Message is one log-to-eventhub message.
type Message struct {
	Logger string
	Body   string
	// PartitionID is the partition number (partition-id), PartitionKey the
	// record key that chooses the partition (partition-key); "" for none.
	PartitionID, PartitionKey string
}

// Options tune a Sink.
type Options struct {
	// QueueSize is how many messages of a logger may wait for Kafka's
	// answer before new ones are dropped; DefaultQueueSize when 0.
	QueueSize int
	// MaxBufferBytes bounds the bytes the Kafka client buffers per logger;
	// DefaultMaxBufferBytes when 0.
	MaxBufferBytes int
	// DeliveryTimeout is how long a message may wait for the broker before
	// it fails (at least a second); DefaultDeliveryTimeout when 0.
	DeliveryTimeout time.Duration
	// Errors receives failures, at most one line every ten seconds per
	// logger; nil discards them.
	Errors io.Writer
	// Trace, when set, puts the messages that fail in their requests'
	// traces.
	Trace Tracer
	// TLS is the TLS configuration for loggers that use TLS (root CAs);
	// nil uses the system's roots.
	TLS *tls.Config
}

// Stats are the sink's counters since it started, over all loggers.
type Stats struct {
	// Events were accepted for sending; each ends as successful, failed
	// or dropped.
	Events     uint64
	Successful uint64
	// Failed were refused by the broker or timed out waiting for it.
	Failed uint64
	// Dropped were not sent: the logger's queue or buffer was full, or the
	// logger is unknown or unusable.
	Dropped   uint64
	BytesSent uint64
}

// Tracer puts a message that Kafka did not take in the trace of the
// request that sent it. A message delivered leaves no span: a span per
// message would cost every request, and the metrics count deliveries.
type Tracer interface {
	// Parent is the trace of the request whose context ctx is; ok is
	// false when that request is not traced (not sampled).
	Parent(ctx context.Context) (parent TraceParent, ok bool)
	// Failed records that a message of logger to topic, sent under parent
	// at start, failed with err.
	Failed(parent TraceParent, logger, topic string, start time.Time, err error)
}

// TraceParent is a sent message's place in its request's trace.
type TraceParent struct {
	TraceID    [16]byte
	SpanID     [8]byte
	TraceState string
}

// Errors of Send.
var (
	ErrQueueFull = errors.New("the logger's queue is full")
	ErrClosed    = errors.New("the sink is closed")
)

// Sink sends log-to-eventhub messages to Kafka. It is safe for concurrent
// use.
type Sink struct {
	opts  Options
	dests atomic.Pointer[map[string]*destination]

	events, successful, failed, dropped, bytes atomic.Uint64
	// unusable says why loggers that exist cannot be sent to.
	unusable atomic.Pointer[map[string]string]
	closed   atomic.Bool
	mu       sync.Mutex // serializes Update and Close
	// resolve maps a broker address to the address dialed; tests use it
	// to reach a namespace's host on loopback.
	resolve func(string) string
}

// destination is one logger's topic with its client.
type destination struct {
	name     string
	settings Settings
	client   *kgo.Client
	// waiting counts the messages handed to the client and not yet
	// answered; Send drops a message when QueueSize are waiting.
	waiting atomic.Int64
	log     *rateLog
}

// New returns a sink for the azureEventHub loggers of snap. A logger whose
// settings cannot be used is reported and left out: its messages stay on
// the log line.
func New(snap *config.Snapshot, opts Options) (*Sink, diag.List) {
	return newSink(snap, opts, nil)
}

func newSink(snap *config.Snapshot, opts Options, resolve func(string) string) (*Sink, diag.List) {
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.MaxBufferBytes <= 0 {
		opts.MaxBufferBytes = DefaultMaxBufferBytes
	}
	if opts.DeliveryTimeout <= 0 {
		opts.DeliveryTimeout = DefaultDeliveryTimeout
	}
	opts.DeliveryTimeout = max(opts.DeliveryTimeout, time.Second)
	s := &Sink{opts: opts, resolve: resolve}
	empty := map[string]*destination{}
	s.dests.Store(&empty)
	noReasons := map[string]string{}
	s.unusable.Store(&noReasons)
	diags := s.Update(snap)
	return s, diags
}

// Update makes the sink send to the loggers of snap, after a reload: a
// logger whose settings did not change keeps its client and queue, the
// others are replaced, and those gone are flushed and closed.
func (s *Sink) Update(snap *config.Snapshot) diag.List {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return nil
	}
	var diags diag.List
	old := *s.dests.Load()
	next := map[string]*destination{}
	unusable := map[string]string{}
	names := make([]string, 0, len(snap.Loggers))
	for name := range snap.Loggers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		lg := snap.Loggers[name]
		key := strings.ToLower(name)
		if !strings.EqualFold(lg.Type, LoggerType) {
			unusable[key] = fmt.Sprintf("logger %s is of type %s; log-to-eventhub needs an %s logger", name, lg.Type, LoggerType)
			continue
		}
		settings, d := ParseLogger(snap, lg)
		diags.Append(d)
		if len(d) > 0 {
			unusable[key] = fmt.Sprintf("logger %s has unusable settings (%s)", name, d[0].Message)
			continue
		}
		if prev := old[key]; prev != nil && prev.settings.equal(settings) {
			next[key] = prev
			continue
		}
		dest, err := s.open(name, settings)
		if err != nil {
			diags.Warnf(lg.Info, "invalid-logger", "logger %s: %v; its log-to-eventhub messages stay on the log line", name, err)
			unusable[key] = fmt.Sprintf("logger %s cannot be used (%v)", name, err)
			continue
		}
		next[key] = dest
	}
	s.dests.Store(&next)
	s.unusable.Store(&unusable)
	for key, d := range old {
		if next[key] != d {
			go d.close(5 * time.Second)
		}
	}
	return diags
}

// Loggers describes where each logger's messages go, sorted by name.
func (s *Sink) Loggers() []string {
	var out []string
	for _, d := range *s.dests.Load() {
		out = append(out, d.name+": "+d.settings.String())
	}
	sort.Strings(out)
	return out
}

// open makes the Kafka client and worker of one logger.
func (s *Sink) open(name string, st Settings) (*destination, error) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(st.Brokers...),
		kgo.DefaultProduceTopic(st.Topic),
		kgo.ClientID("tollgate"),
		kgo.RecordPartitioner(partitioner{kgo.StickyKeyPartitioner(nil)}),
		// Log lines need no exactly-once; Event Hubs does not offer it on
		// every tier, and without it a record that waits too long can
		// always be failed.
		kgo.DisableIdempotentWrite(),
		// franz-go compresses batches with snappy by default. Event Hubs'
		// Kafka endpoint does not take snappy batches on every tier, and a
		// log message is small: uncompressed batches work everywhere and
		// cost no CPU to compress.
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		// Send bounds the messages waiting at QueueSize, below the
		// client's own bound, so that a full queue is known at once.
		kgo.MaxBufferedRecords(s.opts.QueueSize * 2),
		kgo.MaxBufferedBytes(s.opts.MaxBufferBytes),
		kgo.RecordDeliveryTimeout(s.opts.DeliveryTimeout),
		kgo.ProduceRequestTimeout(s.opts.DeliveryTimeout),
	}
	opts = append(opts, kgo.Dialer(s.dialer(st.TLS)))
	if st.User != "" {
		opts = append(opts, kgo.SASL(plain.Auth{User: st.User, Pass: st.Password}.AsMechanism()))
	}
	client, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	return &destination{name: name, settings: st, client: client,
		log: &rateLog{w: s.opts.Errors, every: 10 * time.Second}}, nil
}

// dialer connects to a broker, with TLS when useTLS is set (the server name
// is the broker's host).
func (s *Sink) dialer(useTLS bool) func(ctx context.Context, network, host string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	base := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.opts.TLS != nil {
		base = s.opts.TLS
	}
	return func(ctx context.Context, network, host string) (net.Conn, error) {
		addr := host
		if s.resolve != nil {
			addr = s.resolve(host)
		}
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil || !useTLS {
			return conn, err
		}
		cfg := base.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName, _, _ = net.SplitHostPort(host)
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return tc, nil
	}
}

// Send queues m for its logger without blocking. It returns an error when
// the message will not be sent: the logger is unknown or unusable, or its
// queue is full.
func (s *Sink) Send(ctx context.Context, m Message) error {
	if s.closed.Load() {
		return ErrClosed
	}
	d := (*s.dests.Load())[strings.ToLower(m.Logger)]
	if d == nil {
		s.dropped.Add(1)
		if why := (*s.unusable.Load())[strings.ToLower(m.Logger)]; why != "" {
			return errors.New(why)
		}
		return fmt.Errorf("no logger %s in the configuration folder (loggers/%s/loggerInformation.json)", m.Logger, m.Logger)
	}
	if m.PartitionID != "" {
		if _, err := strconv.ParseUint(m.PartitionID, 10, 31); err != nil {
			s.dropped.Add(1)
			return fmt.Errorf("partition-id %q is not a partition number", m.PartitionID)
		}
	}
	if len(m.Body) > MaxMessageBytes {
		m.Body = m.Body[:MaxMessageBytes]
	}
	// The message is handed to the Kafka client here, which buffers it
	// per partition without blocking: a hand-off to a goroutine of the
	// sink's cost a request more than the client's own work.
	if d.waiting.Add(1) > int64(s.opts.QueueSize) {
		d.waiting.Add(-1)
		s.dropped.Add(1)
		d.log.printf("tollgate: log-to-eventhub: logger %s: %v; messages are dropped", d.name, ErrQueueFull)
		if s.opts.Trace != nil {
			if parent, ok := s.opts.Trace.Parent(ctx); ok {
				s.opts.Trace.Failed(parent, d.name, d.settings.Topic, time.Now(), ErrQueueFull)
			}
		}
		return ErrQueueFull
	}
	p := &pending{Context: context.Background(), s: s, d: d}
	if s.opts.Trace != nil {
		p.parent, p.traced = s.opts.Trace.Parent(ctx)
	}
	s.events.Add(1)
	p.rec.Value = bytesOf(m.Body)
	if m.PartitionKey != "" {
		p.rec.Key = bytesOf(m.PartitionKey)
	}
	if m.PartitionID != "" {
		p.partition, _ = strconv.Atoi(m.PartitionID)
		p.hasPartition = true
	}
	p.rec.Context = p
	d.client.TryProduce(p, &p.rec, delivered)
	return nil
}

// partitionIDKey is the context key of a record's partition-id.
type partitionIDKey struct{}

// pending is one message handed to the Kafka client: the record and what
// its promise needs, in one allocation. It is the record's Context too,
// which carries the partition-id to the partitioner and leads the promise
// back to the message, so that the promise is one function for every
// record rather than a closure per record.
type pending struct {
	context.Context // Background: a record is never cancelled
	rec             kgo.Record
	s               *Sink
	d               *destination
	partition       int
	hasPartition    bool
	traced          bool // parent holds the request's trace
	parent          TraceParent
}

// Value carries the partition-id under partitionIDKey.
func (p *pending) Value(key any) any {
	if _, ok := key.(partitionIDKey); ok {
		if p.hasPartition {
			return p.partition
		}
		return nil
	}
	return p.Context.Value(key)
}

// bytesOf is s's bytes without a copy: the Kafka client only reads a
// record's key and value. An empty s is an empty value, not a null one.
func bytesOf(s string) []byte {
	if s == "" {
		return []byte{}
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// delivered is the promise of every record: Kafka's answer.
func delivered(r *kgo.Record, err error) {
	p := r.Context.(*pending)
	s, d := p.s, p.d
	d.waiting.Add(-1)
	if err == nil {
		s.successful.Add(1)
		s.bytes.Add(uint64(len(r.Value) + len(r.Key)))
		return
	}
	if errors.Is(err, kgo.ErrMaxBuffered) {
		s.dropped.Add(1)
	} else {
		s.failed.Add(1)
	}
	if p.traced {
		s.opts.Trace.Failed(p.parent, d.name, d.settings.Topic, r.Timestamp, err)
	}
	d.log.printf("tollgate: log-to-eventhub: logger %s (%s): %v", d.name, d.settings.String(), err)
}

// Stats returns the counters.
func (s *Sink) Stats() Stats {
	return Stats{Events: s.events.Load(), Successful: s.successful.Load(), Failed: s.failed.Load(),
		Dropped: s.dropped.Load(), BytesSent: s.bytes.Load()}
}

// Close sends what is queued, waiting at most timeout, and stops.
func (s *Sink) Close(timeout time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Swap(true) {
		return
	}
	var wg sync.WaitGroup
	for _, d := range *s.dests.Load() {
		wg.Go(func() { d.close(timeout) })
	}
	wg.Wait()
}

// close flushes the client and closes it, waiting at most about timeout:
// a broker that does not answer is left behind.
func (d *destination) close(timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.client.Flush(ctx); err != nil {
			d.client.PurgeTopicsFromProducing(d.settings.Topic)
		}
		d.client.Close()
	}()
	select {
	case <-done:
	case <-time.After(timeout + 100*time.Millisecond):
	}
}

// partitioner sends a record with a partition-id to that partition and
// partitions the others by key as Kafka does (murmur2), sticking to one
// partition per batch for records without a key.
type partitioner struct{ keyed kgo.Partitioner }

func (p partitioner) ForTopic(topic string) kgo.TopicPartitioner {
	return &topicPartitioner{keyed: p.keyed.ForTopic(topic)}
}

type topicPartitioner struct{ keyed kgo.TopicPartitioner }

func explicitPartition(r *kgo.Record) (int, bool) {
	if p, ok := r.Context.(*pending); ok {
		return p.partition, p.hasPartition
	}
	if r.Context == nil {
		return 0, false
	}
	id, ok := r.Context.Value(partitionIDKey{}).(int)
	return id, ok
}

func (p *topicPartitioner) RequiresConsistency(r *kgo.Record) bool {
	if _, ok := explicitPartition(r); ok {
		return true
	}
	return p.keyed.RequiresConsistency(r)
}

// Partition returns the partition-id as it is: one the topic does not have
// fails the record.
func (p *topicPartitioner) Partition(r *kgo.Record, n int) int {
	if id, ok := explicitPartition(r); ok {
		return id
	}
	return p.keyed.Partition(r, n)
}

func (p *topicPartitioner) OnNewBatch() {
	if nb, ok := p.keyed.(kgo.TopicPartitionerOnNewBatch); ok {
		nb.OnNewBatch()
	}
}

// rateLog writes at most one line every interval, counting the others.
type rateLog struct {
	w       io.Writer
	every   time.Duration
	mu      sync.Mutex
	last    time.Time
	skipped int
}

func (l *rateLog) printf(format string, args ...any) {
	if l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.last) < l.every {
		l.skipped++
		return
	}
	msg := fmt.Sprintf(format, args...)
	if l.skipped > 0 {
		msg += fmt.Sprintf(" (and %d more failures)", l.skipped)
	}
	fmt.Fprintln(l.w, msg)
	l.last, l.skipped = now, 0
}
