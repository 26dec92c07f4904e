package eventhub

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// answerProduce makes c answer its next produce request with code for every
// partition, and counts the produce requests in produced.
func answerProduce(c *kfake.Cluster, code int16, produced *atomic.Int32) {
	c.ControlKey(int16(kmsg.Produce), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		produced.Add(1)
		req := kreq.(*kmsg.ProduceRequest)
		resp := req.ResponseKind().(*kmsg.ProduceResponse)
		for _, t := range req.Topics {
			rt := kmsg.NewProduceResponseTopic()
			rt.Topic, rt.TopicID = t.Topic, t.TopicID
			for _, p := range t.Partitions {
				rp := kmsg.NewProduceResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, code
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp, nil, true
	})
}

// A partition's leader that moved (a retriable error) gets the records
// again, from the leader the metadata names now: none is lost or failed.
func TestRetriesWhatTheBrokerAsksToRetry(t *testing.T) {
	c := cluster(t)
	var refusals atomic.Int32
	answerProduce(c, kerr.NotLeaderForPartition.Code, &refusals)
	snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+c.ListenAddrs()[0]+`"}`)}, nil)
	tracer := &recordingTracer{}
	s, _ := New(snap, Options{Trace: tracer})
	defer s.Close(time.Second)
	for _, m := range []Message{{Logger: "l", Body: "a", PartitionKey: "k1"}, {Logger: "l", Body: "b", PartitionKey: "k2"}, {Logger: "l", Body: "c"}} {
		if err := s.Send(tracedContext(), m); err != nil {
			t.Fatal(err)
		}
	}
	recs := consume(t, 3, kgo.SeedBrokers(c.ListenAddrs()...))
	var values []string
	for _, r := range recs {
		values = append(values, string(r.Value))
	}
	waitFor(t, func() bool { return s.Stats().Successful == 3 })
	if st := s.Stats(); st.Failed != 0 || st.Dropped != 0 || refusals.Load() != 1 || len(values) != 3 {
		t.Errorf("stats %+v, %d refused produce requests, records %q", st, refusals.Load(), values)
	}
	if f := tracer.failures(); len(f) != 0 {
		t.Errorf("retried messages traced as failures: %+v", f)
	}
}

// A refusal that no retry mends fails the messages at once, each in its
// request's trace with Kafka's error, and the logger goes on.
func TestRefusalsFailAtOnce(t *testing.T) {
	c := cluster(t)
	var refusals atomic.Int32
	answerProduce(c, kerr.MessageTooLarge.Code, &refusals)
	snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+c.ListenAddrs()[0]+`"}`)}, nil)
	tracer := &recordingTracer{}
	s, _ := New(snap, Options{Trace: tracer})
	defer s.Close(time.Second)
	if err := s.Send(tracedContext(), Message{Logger: "l", Body: "too large"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.Stats().Failed == 1 })
	f := tracer.failures()
	if len(f) != 1 || !errors.Is(f[0].err, kerr.MessageTooLarge) || f[0].parent != testParent {
		t.Fatalf("traced failures %+v, want MESSAGE_TOO_LARGE under the request's trace", f)
	}
	if err := s.Send(context.Background(), Message{Logger: "l", Body: "next"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.Stats().Successful == 1 })
	if st := s.Stats(); st.Failed != 1 || refusals.Load() != 1 {
		t.Errorf("stats %+v, %d refused produce requests", st, refusals.Load())
	}
}

// Brokers before Kafka 4.1 (Event Hubs among them) name the topic in a
// produce request; later ones take its id. Both reach the topic.
func TestProduceVersions(t *testing.T) {
	for _, tc := range []struct {
		name     string
		versions *kversion.Versions
		want     int32 // the produce version sent
	}{
		{"Kafka 2.8 (produce v9, topic by name)", kversion.V2_8_0(), 9},
		{"Kafka 1.0 (produce v5, before flexible versions)", kversion.V1_0_0(), 5},
		{"the newest (produce v13, topic by id)", nil, 13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cluster(t)
			var version atomic.Int32
			c.ControlKey(int16(kmsg.Produce), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				version.Store(int32(kreq.GetVersion()))
				return nil, nil, false
			})
			snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+c.ListenAddrs()[0]+`"}`)}, nil)
			var opts []kgo.Opt
			if tc.versions != nil {
				opts = append(opts, kgo.MaxVersions(tc.versions))
			}
			s, _ := newSink(snap, Options{}, nil, opts...)
			defer s.Close(time.Second)
			body := strings.Repeat("x", 300) // two bytes of varint length
			for _, key := range []string{"a", "b", "c", ""} {
				if err := s.Send(context.Background(), Message{Logger: "l", Body: body + key, PartitionKey: key}); err != nil {
					t.Fatal(err)
				}
			}
			recs := consume(t, 4, kgo.SeedBrokers(c.ListenAddrs()...))
			waitFor(t, func() bool { return s.Stats().Successful == 4 })
			for _, r := range recs {
				if key := strings.TrimPrefix(string(r.Value), body); key != string(r.Key) {
					t.Errorf("record %q has key %q", r.Value, r.Key)
				}
			}
			if v := version.Load(); v != tc.want {
				t.Errorf("produce version %d, want %d", v, tc.want)
			}
		})
	}
}

// What gathered beyond a produce request's bound goes in the following
// requests of the round, in order.
func TestLargeRoundsSplitIntoRequests(t *testing.T) {
	c := cluster(t)
	var requests atomic.Int32
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		requests.Add(1)
		return nil, nil, false
	})
	snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+c.ListenAddrs()[0]+`"}`)}, nil)
	s, _ := New(snap, Options{})
	defer s.Close(time.Second)
	const n = 12
	body := strings.Repeat("x", 150<<10)
	for i := range n {
		if err := s.Send(context.Background(), Message{Logger: "l", Body: body + strconv.Itoa(i), PartitionID: "1"}); err != nil {
			t.Fatal(err)
		}
	}
	recs := consume(t, n, kgo.SeedBrokers(c.ListenAddrs()...))
	for i, r := range recs {
		if got := strings.TrimPrefix(string(r.Value), body); got != strconv.Itoa(i) {
			t.Fatalf("record %d is message %s", i, got)
		}
	}
	waitFor(t, func() bool { return s.Stats().Successful == n })
	if r := requests.Load(); r < 2 {
		t.Errorf("%d messages of 150 KB in %d produce requests, want at least 2 (1 MB each at most)", n, r)
	}
}

// A topic the cluster does not have fails its messages once the delivery
// timeout passes, with Kafka's error naming the topic, in the request's
// trace and on the error output.
func TestUnknownTopicFails(t *testing.T) {
	c := cluster(t)
	snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"no-such-hub","bootstrapServers":"`+c.ListenAddrs()[0]+`"}`)}, nil)
	var errs strings.Builder
	var mu sync.Mutex
	tracer := &recordingTracer{}
	s, _ := New(snap, Options{DeliveryTimeout: time.Second, Trace: tracer, Errors: lockedWriter{&mu, &errs}})
	defer s.Close(time.Second)
	if err := s.Send(tracedContext(), Message{Logger: "l", Body: "lost"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.Stats().Failed == 1 })
	f := tracer.failures()
	if len(f) != 1 || !errors.Is(f[0].err, kerr.UnknownTopicOrPartition) || !strings.Contains(f[0].err.Error(), "topic no-such-hub") {
		t.Errorf("traced failures %+v, want UNKNOWN_TOPIC_OR_PARTITION for topic no-such-hub", f)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(errs.String(), "logger l (topic no-such-hub on ") || !strings.Contains(errs.String(), "UNKNOWN_TOPIC_OR_PARTITION") {
		t.Errorf("error output:\n%s", errs.String())
	}
}

// A broker that comes up after the messages were sent gets them: the
// logger's goroutine retries the connection and the metadata until the
// delivery timeout.
func TestBrokerThatComesUpGetsTheMessages(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+addr+`"}`)}, nil)
	s, _ := New(snap, Options{DeliveryTimeout: 20 * time.Second})
	defer s.Close(time.Second)
	for _, body := range []string{"early", "earlier"} {
		if err := s.Send(context.Background(), Message{Logger: "l", Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(500 * time.Millisecond) // some rounds fail to connect
	if st := s.Stats(); st.Successful+st.Failed != 0 {
		t.Fatalf("stats %+v before the broker is up", st)
	}
	c := cluster(t, kfake.Ports(port))
	recs := consume(t, 2, kgo.SeedBrokers(c.ListenAddrs()...))
	waitFor(t, func() bool { return s.Stats().Successful == 2 })
	if st := s.Stats(); st.Failed != 0 || len(recs) != 2 {
		t.Errorf("stats %+v, %d records", st, len(recs))
	}
}

// Closing a logger whose broker does not answer takes about the time
// given, and fails what is left, saying why.
func TestCloseFailsWhatIsLeft(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accepts and never answers
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+ln.Addr().String()+`"}`)}, nil)
	tracer := &recordingTracer{}
	s, _ := New(snap, Options{Trace: tracer})
	for range 3 {
		if err := s.Send(tracedContext(), Message{Logger: "l", Body: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	s.Close(300 * time.Millisecond)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v", took)
	}
	waitFor(t, func() bool { return s.Stats().Failed == 3 })
	for _, f := range tracer.failures() {
		if !errors.Is(f.err, errClosedUnsent) {
			t.Errorf("failure %v, want %v", f.err, errClosedUnsent)
		}
	}
	if err := s.Send(context.Background(), Message{Logger: "l", Body: "late"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close: %v", err)
	}
}

// An answer that leaves a partition out is taken as no answer for it: its
// messages are sent again.
func TestAnswerWithoutThePartitionRetries(t *testing.T) {
	c := cluster(t)
	var empty atomic.Int32
	c.ControlKey(int16(kmsg.Produce), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		empty.Add(1)
		return kreq.(*kmsg.ProduceRequest).ResponseKind(), nil, true
	})
	snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+c.ListenAddrs()[0]+`"}`)}, nil)
	s, _ := New(snap, Options{})
	defer s.Close(time.Second)
	if err := s.Send(context.Background(), Message{Logger: "l", Body: "once", PartitionID: "1"}); err != nil {
		t.Fatal(err)
	}
	recs := consume(t, 1, kgo.SeedBrokers(c.ListenAddrs()...))
	waitFor(t, func() bool { return s.Stats().Successful == 1 })
	if st := s.Stats(); st.Failed != 0 || empty.Load() != 1 || len(recs) != 1 || string(recs[0].Value) != "once" {
		t.Errorf("stats %+v, %d empty answers, records %v", st, empty.Load(), recs)
	}
}

// A queue that gathers a round's worth before the linger ends is sent at
// once: a quarter of QueueSize messages, or a produce request's bytes. The
// linger here is an hour: after the first round, which goes at once, only
// a full queue sends what follows.
func TestFullRoundGoesBeforeTheLinger(t *testing.T) {
	c := cluster(t)
	snap := load(t, map[string]string{"loggers/l/loggerInformation.json": loggerFile("azureEventHub", `{"name":"orders","bootstrapServers":"`+c.ListenAddrs()[0]+`"}`)}, nil)
	for _, tc := range []struct {
		name      string
		queueSize int
		body      string
		n         int // a round's worth
	}{
		{"messages", 40, "m", 10},
		{"bytes", DefaultQueueSize, strings.Repeat("x", MaxMessageBytes), maxRequestBytes/MaxMessageBytes + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := New(snap, Options{QueueSize: tc.queueSize, linger: time.Hour})
			defer s.Close(time.Second)
			send := func(n int) {
				for range n {
					if err := s.Send(context.Background(), Message{Logger: "l", Body: tc.body}); err != nil {
						t.Fatal(err)
					}
				}
			}
			send(1)
			waitFor(t, func() bool { return s.Stats().Successful == 1 })
			send(tc.n - 1)
			time.Sleep(50 * time.Millisecond)
			if got := s.Stats().Successful; got != 1 {
				t.Fatalf("%d messages delivered, want the first only: the queue is not full yet", got)
			}
			send(1)
			waitFor(t, func() bool { return s.Stats().Successful == uint64(1+tc.n) })
		})
	}
}
