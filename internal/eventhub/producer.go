package eventhub

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The produce path is the sink's own; franz-go's client (kgo) connects,
// authenticates, negotiates versions and answers metadata. Send appends a
// record to its logger's queue under a lock; the logger's goroutine (run)
// takes the queue at most once per Linger and sends what gathered as one
// record batch per partition, in one produce request per partition leader.
// kgo's producer does the same with a promise, a partitioner call and a
// lock per record, several times the cost of the append a request pays
// here.

// Linger is the least time between two rounds of a logger's goroutine: a
// message queued after a round waits for the next one to gather more, at
// most Linger. The batches' size against a message's delay: a round costs
// the gateway about 100 µs beside its records (a produce request, its
// answer, two goroutines woken), 1% of a core at a round every 10 ms, as
// franz-go lingers. APIM itself holds log-to-eventhub messages in memory
// and sends them about every 15 seconds; 100 ms keeps a message's delay
// below what a person watching the topic notices.
//
// A queue that gathers a round's worth before Linger ends is sent at once,
// so that a busy logger never waits its way into its bounds: a quarter of
// the messages that may wait for Kafka (QueueSize), or a produce request's
// bytes.
const Linger = 100 * time.Millisecond

// maxRequestBytes bounds the records of one produce request, below Kafka's
// default limit of a batch (message.max.bytes) and Event Hubs' of a
// request, 1 MiB; recordOverhead is a record's bytes beside its key and
// value, at most.
const (
	maxRequestBytes = 1_000_000
	recordOverhead  = 32
)

// metadataMaxAge is how long a topic's partitions and leaders are used
// before they are asked for again; an error asks at once.
const metadataMaxAge = time.Minute

// record is one message waiting for Kafka.
type record struct {
	value, key string
	keyed      bool  // key is set, possibly empty
	explicit   bool  // partition is the message's partition-id
	partition  int32 // the partition chosen
	traced     bool  // parent holds the request's trace
	parent     TraceParent
	first      time.Time // the first attempt, when the sender took it
	err        error     // the last attempt's error
	state      uint8     // its fate in a round: sending, delivered, failed, retried
}

func (r *record) size() int { return len(r.value) + len(r.key) }

// queue holds a logger's records from Send until its goroutine takes them.
type queue struct {
	mu      sync.Mutex
	recs    []record
	bytes   int // of every record not yet answered, queued or sent
	queued  int // of the records in recs
	closing bool
	wake    chan struct{} // a record came to an empty queue
	full    chan struct{} // the queue holds a round's worth: send it now
	stop    chan struct{} // closed by close: send what is left, then return
	done    chan struct{} // closed when run returns

	fullRecords int // a round's worth of records: QueueSize/4
}

// enqueue adds r unless the logger is closing or its bytes would pass max.
func (d *destination) enqueue(r record, max int) error {
	q := &d.q
	n := r.size()
	q.mu.Lock()
	if q.closing {
		q.mu.Unlock()
		return ErrClosed
	}
	if q.bytes+n > max {
		q.mu.Unlock()
		return ErrQueueFull
	}
	q.bytes += n
	q.queued += n
	q.recs = append(q.recs, r)
	first := len(q.recs) == 1
	full := len(q.recs) == q.fullRecords || q.queued >= maxRequestBytes && q.queued-n < maxRequestBytes
	q.mu.Unlock()
	if first {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
	if full {
		select {
		case q.full <- struct{}{}:
		default:
		}
	}
	return nil
}

// take returns the queued records, in a slice reused from the last call.
func (q *queue) take(spare []record) []record {
	q.mu.Lock()
	defer q.mu.Unlock()
	recs := q.recs
	q.recs, q.queued = spare[:0], 0
	select {
	case <-q.full: // the records it was about are taken
	default:
	}
	return recs
}

// topicMeta is what a logger's goroutine knows of its topic.
type topicMeta struct {
	id      [16]byte
	leaders []int32 // by partition; -1 when the partition has none now
	fetched time.Time
}

// sender is the state of a logger's goroutine.
type sender struct {
	s     *Sink
	d     *destination
	meta  topicMeta
	keyed kgo.TopicPartitioner // Kafka's partitioner of keys (murmur2)
	probe kgo.Record           // the record keyed asks about
	// sticky is the partition of the records without key or partition-id
	// for one round, the next one in the following round.
	sticky int
	retry  []record
	// Scratch of a round: the records to send (indexes), those of one
	// request, the same by partition, a count per partition, the batches.
	todo, sent, order []int32
	counts            []int
	batch             []byte
	// pending is closed when the request a round gave up on ends.
	pending chan struct{}
}

// run sends d's records until close stops it.
func (d *destination) run(s *Sink) {
	defer close(d.q.done)
	sd := &sender{s: s, d: d, keyed: kgo.StickyKeyPartitioner(nil).ForTopic(d.settings.Topic)}
	var recs []record
	var backoff time.Duration
	var lastTake time.Time
	for {
		stopping := false
		if len(sd.retry) == 0 {
			select {
			case <-d.q.wake:
			case <-d.q.stop:
				stopping = true
			}
		}
		// At most one round per Linger, unless a round's worth gathered
		// sooner: a round that took longer (a broker far away) was time
		// enough to gather the next one.
		wait := s.opts.linger - time.Since(lastTake)
		full := d.q.full
		if backoff > 0 {
			wait, full = backoff, nil
		}
		if !stopping && wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-full:
				t.Stop()
			case <-d.q.stop:
				t.Stop()
				stopping = true
			}
		}
		recs = d.q.take(recs)
		now := time.Now()
		lastTake = now
		for i := range recs {
			recs[i].first = now
		}
		if stopping {
			sd.drain(recs, now)
			return
		}
		if sd.round(d.rounds, recs, now) {
			backoff = min(max(2*backoff, 100*time.Millisecond), time.Second)
		} else {
			backoff = 0
		}
		clear(recs) // the queue reuses it: let go of the messages
		recs = recs[:0]
	}
}

// drain is the last rounds, after close: what is queued is sent until the
// time close gave passes (it cancels d.rounds), and what is left then fails.
func (sd *sender) drain(recs []record, now time.Time) {
	ctx := sd.d.rounds
	for len(recs)+len(sd.retry) > 0 && ctx.Err() == nil {
		if sd.round(ctx, recs, now) {
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
		recs, now = nil, time.Now()
	}
	left := append(sd.retry, recs...)
	sd.retry = nil
	for i := range left {
		switch err := left[i].err; {
		case err == nil || err == errNoAnswer || ctx.Err() != nil && errors.Is(err, ctx.Err()):
			left[i].err = errClosedUnsent
		default:
			left[i].err = fmt.Errorf("%w; the last attempt: %v", errClosedUnsent, err)
		}
		left[i].state = failed
	}
	sd.settle(left)
}

// errClosedUnsent fails the messages a closing logger could not send.
var errClosedUnsent = errors.New("the logger was closed (a reload that changed it, or tollgate stopping) before Kafka took the message")

// round sends the new records recs and the ones to retry, and reports
// whether some are left to retry. A record waits for the broker at most the
// delivery timeout since its first attempt, then fails with the last error.
// Records are not moved while a round decides their fates (state); settle
// ends the round.
func (sd *sender) round(ctx context.Context, recs []record, now time.Time) (retrying bool) {
	all := recs
	if len(sd.retry) > 0 {
		all = append(sd.retry, recs...)
		sd.retry = nil
	}
	if len(all) == 0 {
		return false
	}
	defer func() { retrying = sd.settle(all) }()
	// The ones past their delivery timeout fail now; the round's requests
	// end when the oldest of the others is due.
	oldest := now
	for i := range all {
		r := &all[i]
		r.state = sending
		if now.Sub(r.first) >= sd.s.opts.DeliveryTimeout {
			if r.err == nil {
				r.err = errNoAnswer
			}
			r.state = failed
		} else if r.first.Before(oldest) {
			oldest = r.first
		}
	}
	ctx, cancel := context.WithDeadline(ctx, oldest.Add(sd.s.opts.DeliveryTimeout))
	defer cancel()
	if err := sd.metadata(ctx, now); err != nil {
		fate := retried
		if refused(err) {
			fate = failed
		}
		for i := range all {
			if all[i].state == sending {
				all[i].err, all[i].state = err, fate
			}
		}
		return
	}
	n := len(sd.meta.leaders)
	sd.sticky = (sd.sticky + 1) % n
	// Partitions; a partition-id the topic does not have fails at once.
	sd.todo = sd.todo[:0]
	for i := range all {
		r := &all[i]
		if r.state != sending {
			continue
		}
		switch {
		case r.explicit:
			if int(r.partition) >= n {
				r.err = fmt.Errorf("partition-id %d: topic %s has %d partitions", r.partition, sd.d.settings.Topic, n)
				r.state = failed
				continue
			}
		case r.keyed:
			sd.probe.Key = bytesOf(r.key)
			r.partition = int32(sd.keyed.Partition(&sd.probe, n))
		default:
			r.partition = int32(sd.sticky)
		}
		sd.todo = append(sd.todo, int32(i))
	}
	// One produce request per leader, each partition's records in one
	// batch; what does not fit goes in the following requests.
	for todo := sd.todo; len(todo) > 0; {
		todo = sd.produce(ctx, all, todo, now)
	}
	return
}

// The fates of a round's records.
const (
	sending   uint8 = iota // not decided yet
	delivered              // Kafka took it
	failed                 // err says why; never retried
	retried                // err says why; the next round tries again
)

// produce sends to one leader a batch of each of its partitions' records
// (the ones of todo, indexes in all), and sets their fates from the answer.
// It returns the records of todo it left for another request.
func (sd *sender) produce(ctx context.Context, all []record, todo []int32, now time.Time) []int32 {
	leader := sd.meta.leaders[all[todo[0]].partition]
	// The records of this request: this leader's, up to maxRequestBytes;
	// the others stay in todo, in order.
	sd.sent = sd.sent[:0]
	rest := todo[:0]
	size := 0
	for _, i := range todo {
		r := &all[i]
		switch {
		case leader < 0 && sd.meta.leaders[r.partition] < 0:
			// No leader now (an election): the next round asks again.
			r.err, r.state = kerr.LeaderNotAvailable, retried
			sd.meta.fetched = time.Time{}
		case sd.meta.leaders[r.partition] != leader || (size > 0 && size+r.size()+recordOverhead > maxRequestBytes):
			rest = append(rest, i)
		default:
			size += r.size() + recordOverhead
			sd.sent = append(sd.sent, i)
		}
	}
	if leader < 0 {
		return rest
	}
	parts := sd.partitionsOf(all, sd.sent)
	req := kmsg.NewPtrProduceRequest()
	req.Acks = -1
	req.TimeoutMillis = int32(min(sd.s.opts.DeliveryTimeout, 30*time.Second).Milliseconds())
	topic := kmsg.NewProduceRequestTopic()
	topic.Topic, topic.TopicID = sd.d.settings.Topic, sd.meta.id
	sd.batch = sd.batch[:0]
	for _, p := range parts {
		rp := kmsg.NewProduceRequestTopicPartition()
		rp.Partition = p.partition
		start := len(sd.batch)
		sd.batch = appendBatch(sd.batch, all, sd.order[p.from:p.to], now)
		rp.Records = sd.batch[start:len(sd.batch):len(sd.batch)]
		topic.Partitions = append(topic.Partitions, rp)
	}
	req.Topics = append(req.Topics, topic)
	broker := sd.d.client.Broker(int(leader))
	resp, err := sd.request(ctx, func() (kmsg.Response, error) { return broker.Request(ctx, req) })
	if err != nil {
		// The broker was not reached or did not answer: retry, unless
		// it refused the client (SASL) for good.
		sd.meta.fetched = time.Time{}
		fate := retried
		if refused(err) {
			fate = failed
		}
		for _, i := range sd.sent {
			all[i].err, all[i].state = err, fate
		}
		return rest
	}
	for _, p := range parts {
		var err error
		answered := false
		for _, t := range resp.(*kmsg.ProduceResponse).Topics {
			for _, tp := range t.Partitions {
				if tp.Partition == p.partition {
					err, answered = kerr.ErrorForCode(tp.ErrorCode), true
				}
			}
		}
		if !answered {
			err = fmt.Errorf("the broker's answer leaves out partition %d", p.partition)
		}
		fate := delivered
		switch {
		case err == nil:
		case !answered || kerr.IsRetriable(err):
			fate = retried
			sd.meta.fetched = time.Time{}
		default:
			fate = failed
		}
		for _, i := range sd.order[p.from:p.to] {
			all[i].err, all[i].state = err, fate
		}
	}
	return rest
}

// settle ends the round of all: the records delivered or failed are
// counted, and the failures written to the error output and put in their
// requests' traces; the ones to retry are kept for the next round, which
// it reports.
func (sd *sender) settle(all []record) (retrying bool) {
	s, d := sd.s, sd.d
	var size, ended, nDelivered, deliveredBytes, nFailed int
	var firstErr error
	for i := range all {
		r := &all[i]
		switch r.state {
		case retried, sending:
			sd.retry = append(sd.retry, *r)
			continue
		case delivered:
			nDelivered++
			deliveredBytes += r.size()
		default:
			nFailed++
			if firstErr == nil {
				firstErr = r.err
			}
			if r.traced && s.opts.Trace != nil {
				s.opts.Trace.Failed(r.parent, d.name, d.settings.Topic, r.first, r.err)
			}
		}
		ended++
		size += r.size()
	}
	s.successful.Add(uint64(nDelivered))
	s.bytes.Add(uint64(deliveredBytes))
	s.failed.Add(uint64(nFailed))
	if ended > 0 {
		d.q.mu.Lock()
		d.q.bytes -= size
		d.q.mu.Unlock()
		d.waiting.Add(-int64(ended))
	}
	if firstErr != nil {
		d.log.printf("tollgate: log-to-eventhub: logger %s (%s): %v", d.name, d.settings.String(), firstErr)
	}
	return len(sd.retry) > 0
}

// refused says whether err is Kafka's refusal for good (a failed SASL
// authentication, a topic the client may not write to), which no retry
// mends.
func refused(err error) bool {
	ke, ok := errors.AsType[*kerr.Error](err)
	return ok && !ke.Retriable
}

// request returns f's answer, or an error when ctx ends first. kgo does
// not give up on a request whose connection is still being set up when
// its context ends; such a request is left to finish in its goroutine,
// and the next one waits for it, so that a broker that does not answer
// holds at most one.
func (sd *sender) request(ctx context.Context, f func() (kmsg.Response, error)) (kmsg.Response, error) {
	if sd.pending != nil {
		select {
		case <-sd.pending:
			sd.pending = nil
		case <-ctx.Done():
			return nil, errNoAnswer
		}
	}
	var resp kmsg.Response
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err = f()
	}()
	select {
	case <-done:
		return resp, err
	case <-ctx.Done():
		sd.pending = done
		return nil, errNoAnswer
	}
}

// errNoAnswer fails a message whose broker did not answer in time.
var errNoAnswer = errors.New("the broker did not answer before the delivery timeout")

// partitionRun is one partition's records in sender.order.
type partitionRun struct {
	partition int32
	from, to  int
}

// partitionsOf orders the records sent (indexes in all) by partition in
// sd.order, keeping each partition's order, and returns each partition's
// run.
func (sd *sender) partitionsOf(all []record, sent []int32) []partitionRun {
	n := len(sd.meta.leaders)
	sd.counts = append(sd.counts[:0], make([]int, n+1)...)
	counts := sd.counts
	for _, i := range sent {
		counts[all[i].partition+1]++
	}
	var runs []partitionRun
	for p := range n {
		if c := counts[p+1]; c > 0 {
			runs = append(runs, partitionRun{int32(p), counts[p], counts[p] + c})
		}
		counts[p+1] += counts[p]
	}
	sd.order = append(sd.order[:0], make([]int32, len(sent))...)
	for _, i := range sent {
		p := all[i].partition
		sd.order[counts[p]] = i
		counts[p]++
	}
	return runs
}

// metadata makes sure the topic's partitions and leaders are known.
func (sd *sender) metadata(ctx context.Context, now time.Time) error {
	if !sd.meta.fetched.IsZero() && now.Sub(sd.meta.fetched) < metadataMaxAge {
		return nil
	}
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(sd.d.settings.Topic)
	req.Topics = append(req.Topics, t)
	r, err := sd.request(ctx, func() (kmsg.Response, error) { return req.RequestWith(ctx, sd.d.client) })
	if err != nil {
		return err
	}
	resp := r.(*kmsg.MetadataResponse)
	if len(resp.Topics) != 1 {
		return fmt.Errorf("the broker's metadata has %d topics, want %s's", len(resp.Topics), sd.d.settings.Topic)
	}
	rt := resp.Topics[0]
	if err := kerr.ErrorForCode(rt.ErrorCode); err != nil {
		return fmt.Errorf("topic %s: %w", sd.d.settings.Topic, err)
	}
	if len(rt.Partitions) == 0 {
		return fmt.Errorf("topic %s has no partitions", sd.d.settings.Topic)
	}
	leaders := make([]int32, len(rt.Partitions))
	for i := range leaders {
		leaders[i] = -1
	}
	for _, p := range rt.Partitions {
		if p.Partition < 0 || int(p.Partition) >= len(leaders) {
			return fmt.Errorf("topic %s: the broker's metadata names partition %d of %d", sd.d.settings.Topic, p.Partition, len(leaders))
		}
		if kerr.ErrorForCode(p.ErrorCode) == nil || errors.Is(kerr.ErrorForCode(p.ErrorCode), kerr.ReplicaNotAvailable) {
			leaders[p.Partition] = p.Leader
		}
	}
	sd.meta = topicMeta{id: rt.TopicID, leaders: leaders, fetched: now}
	return nil
}

// castagnoli is the CRC of Kafka's record batches.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendBatch appends the records of all at indexes idx as one
// uncompressed record batch (magic 2), timestamped now.
func appendBatch(b []byte, all []record, idx []int32, now time.Time) []byte {
	ts := now.UnixMilli()
	start := len(b)
	b = binary.BigEndian.AppendUint64(b, 0)                  // base offset
	b = binary.BigEndian.AppendUint32(b, 0)                  // length, below
	b = binary.BigEndian.AppendUint32(b, 0xffffffff)         // partition leader epoch: -1
	b = append(b, 2)                                         // magic
	b = binary.BigEndian.AppendUint32(b, 0)                  // CRC, below
	crcFrom := len(b)                                        //
	b = binary.BigEndian.AppendUint16(b, 0)                  // attributes: no compression, create time
	b = binary.BigEndian.AppendUint32(b, uint32(len(idx)-1)) // last offset delta
	b = binary.BigEndian.AppendUint64(b, uint64(ts))         // base timestamp
	b = binary.BigEndian.AppendUint64(b, uint64(ts))         // max timestamp
	b = binary.BigEndian.AppendUint64(b, 0xffffffffffffffff) // producer id: -1
	b = binary.BigEndian.AppendUint16(b, 0xffff)             // producer epoch: -1
	b = binary.BigEndian.AppendUint32(b, 0xffffffff)         // base sequence: -1
	b = binary.BigEndian.AppendUint32(b, uint32(len(idx)))   // records
	for delta, i := range idx {
		b = appendRecord(b, &all[i], delta)
	}
	binary.BigEndian.PutUint32(b[start+8:], uint32(len(b)-start-12))
	binary.BigEndian.PutUint32(b[crcFrom-4:], crc32.Checksum(b[crcFrom:], castagnoli))
	return b
}

// appendRecord appends r as the record at offsetDelta of its batch. Kafka's
// varints are zigzag encoded, as binary.AppendVarint's.
func appendRecord(b []byte, r *record, offsetDelta int) []byte {
	keyLen, key := int64(-1), ""
	if r.keyed {
		keyLen, key = int64(len(r.key)), r.key
	}
	// attributes, timestamp delta 0, offset delta, key, value, no headers
	body := 1 + 1 + varintSize(int64(offsetDelta)) + varintSize(keyLen) + len(key) +
		varintSize(int64(len(r.value))) + len(r.value) + 1
	b = binary.AppendVarint(b, int64(body))
	b = append(b, 0, 0)
	b = binary.AppendVarint(b, int64(offsetDelta))
	b = binary.AppendVarint(b, keyLen)
	b = append(b, key...)
	b = binary.AppendVarint(b, int64(len(r.value)))
	b = append(b, r.value...)
	return append(b, 0)
}

// varintSize is the length of v as a zigzag varint.
func varintSize(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	n := 1
	for u >= 0x80 {
		u >>= 7
		n++
	}
	return n
}
