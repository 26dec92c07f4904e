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

	// linger replaces Linger, in tests.
	linger time.Duration
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
	// unusable says why loggers that exist cannot be sent to: the error
	// Send returns for each of their messages, made once.
	unusable atomic.Pointer[map[string]error]
	closed   atomic.Bool
	mu       sync.Mutex // serializes Update and Close
	// resolve maps a broker address to the address dialed; tests use it
	// to reach a namespace's host on loopback.
	resolve func(string) string
	// clientOpts are added to each Kafka client's; tests pin versions.
	clientOpts []kgo.Opt
}

// destination is one logger's topic, with the Kafka client that reaches it
// and the queue its goroutine sends from (producer.go).
type destination struct {
	name     string
	settings Settings
	client   *kgo.Client
	// waiting counts the messages queued or sent and not yet answered;
	// Send drops a message when QueueSize are waiting.
	waiting atomic.Int64
	q       queue
	// rounds is the context of the goroutine's requests: close cancels it
	// once the time it gives the goroutine has passed.
	rounds       context.Context
	cancelRounds context.CancelFunc
	log          *rateLog
}

// New returns a sink for the azureEventHub loggers of snap. A logger whose
// settings cannot be used is reported and left out: its messages stay on
// the log line.
func New(snap *config.Snapshot, opts Options) (*Sink, diag.List) {
	return newSink(snap, opts, nil)
}

// newSink is New with what tests change: resolve maps a broker address to
// the address dialed, and clientOpts are added to each Kafka client's.

func newSink(snap *config.Snapshot, opts Options, resolve func(string) string, clientOpts ...kgo.Opt) (*Sink, diag.List) {
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
	if opts.linger <= 0 {
		opts.linger = Linger
	}
	s := &Sink{opts: opts, resolve: resolve, clientOpts: clientOpts}
	empty := map[string]*destination{}
	s.dests.Store(&empty)
	noReasons := map[string]error{}
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
	unusable := map[string]error{}
	names := make([]string, 0, len(snap.Loggers))
	for name := range snap.Loggers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		lg := snap.Loggers[name]
		key := strings.ToLower(name)
		if !strings.EqualFold(lg.Type, LoggerType) {
			unusable[key] = fmt.Errorf("logger %s is of type %s; log-to-eventhub needs an %s logger", name, lg.Type, LoggerType)
			continue
		}
		settings, d := ParseLogger(snap, lg)
		diags.Append(d)
		if len(d) > 0 {
			unusable[key] = fmt.Errorf("logger %s has unusable settings (%s)", name, d[0].Message)
			continue
		}
		if prev := old[key]; prev != nil && prev.settings.equal(settings) {
			next[key] = prev
			continue
		}
		dest, err := s.open(name, settings)
		if err != nil {
			diags.Warnf(lg.Info, "invalid-logger", "logger %s: %v; its log-to-eventhub messages stay on the log line", name, err)
			unusable[key] = fmt.Errorf("logger %s cannot be used (%v)", name, err)
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

// open makes the Kafka client and the goroutine of one logger.
func (s *Sink) open(name string, st Settings) (*destination, error) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(st.Brokers...),
		kgo.ClientID("tollgate"),
		// The sink produces with its own requests (producer.go), with
		// acks from all in-sync replicas; the client must say the same.
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.DisableIdempotentWrite(),
		kgo.Dialer(s.dialer(st.TLS)),
	}
	if st.User != "" {
		opts = append(opts, kgo.SASL(plain.Auth{User: st.User, Pass: st.Password}.AsMechanism()))
	}
	client, err := kgo.NewClient(append(opts, s.clientOpts...)...)
	if err != nil {
		return nil, err
	}
	d := &destination{name: name, settings: st, client: client,
		log: &rateLog{w: s.opts.Errors, every: 10 * time.Second}}
	d.rounds, d.cancelRounds = context.WithCancel(context.Background())
	d.q.wake = make(chan struct{}, 1)
	d.q.full = make(chan struct{}, 1)
	d.q.fullRecords = max(1, s.opts.QueueSize/4)
	d.q.stop = make(chan struct{})
	d.q.done = make(chan struct{})
	go d.run(s)
	return d, nil
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
		if why := (*s.unusable.Load())[strings.ToLower(m.Logger)]; why != nil {
			return why
		}
		return fmt.Errorf("no logger %s in the configuration folder (loggers/%s/loggerInformation.json)", m.Logger, m.Logger)
	}
	r := record{value: m.Body, key: m.PartitionKey, keyed: m.PartitionKey != ""}
	if m.PartitionID != "" {
		id, err := strconv.ParseUint(m.PartitionID, 10, 31)
		if err != nil {
			s.dropped.Add(1)
			return fmt.Errorf("partition-id %q is not a partition number", m.PartitionID)
		}
		r.partition, r.explicit = int32(id), true
	}
	if len(r.value) > MaxMessageBytes {
		r.value = r.value[:MaxMessageBytes]
	}
	if d.waiting.Add(1) > int64(s.opts.QueueSize) {
		d.waiting.Add(-1)
		return s.refuse(ctx, d, ErrQueueFull)
	}
	if s.opts.Trace != nil {
		r.parent, r.traced = s.opts.Trace.Parent(ctx)
	}
	if err := d.enqueue(r, s.opts.MaxBufferBytes); err != nil {
		d.waiting.Add(-1)
		return s.refuse(ctx, d, err)
	}
	s.events.Add(1)
	return nil
}

// refuse drops a message of d that Send did not queue because of err.
func (s *Sink) refuse(ctx context.Context, d *destination, err error) error {
	s.dropped.Add(1)
	d.log.printf("tollgate: log-to-eventhub: logger %s: %v; messages are dropped", d.name, err)
	if s.opts.Trace != nil {
		if parent, ok := s.opts.Trace.Parent(ctx); ok {
			s.opts.Trace.Failed(parent, d.name, d.settings.Topic, time.Now(), err)
		}
	}
	return err
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

// close stops d's goroutine, which sends what is queued for at most about
// timeout and fails the rest, and closes the client: a broker that does not
// answer is left behind.
func (d *destination) close(timeout time.Duration) {
	d.q.mu.Lock()
	if d.q.closing {
		d.q.mu.Unlock()
		return
	}
	d.q.closing = true
	d.q.mu.Unlock()
	close(d.q.stop)
	cutoff := time.AfterFunc(timeout, d.cancelRounds)
	defer cutoff.Stop()
	select {
	case <-d.q.done:
	case <-time.After(timeout + 100*time.Millisecond):
	}
	d.cancelRounds()
	d.client.Close()
}

// bytesOf is s's bytes without a copy, for kgo's partitioner, which only
// reads a record's key.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
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
