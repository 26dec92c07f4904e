package capture

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/reqtrace"
)

// Pending is a finished request handed over by the gateway. Doc holds what
// was cheap to fill on the request path; the Store completes it from Trace
// and masks it off the request path. The Store owns everything in a
// Pending once it is added.
type Pending struct {
	Doc Doc
	// Trace is the request's trace; its registered secrets mask the whole
	// document.
	Trace *reqtrace.Trace
	// Line is the request's log line.
	Line []byte
	// Done, when set, is called once the Store no longer needs Trace.
	Done func(*reqtrace.Trace)
}

// Persister keeps captured documents beyond the process's life (the state
// directory's log store). PersistCapture must not block for long: the
// Store's worker calls it.
type Persister interface {
	PersistCapture(id string, t time.Time, status int, api, operation string, doc []byte)
}

// Source finds captured requests: the Store in memory, the state
// directory's log store, or a running gateway's admin API.
type Source interface {
	// Capture returns the capture whose id is id or starts with it.
	Capture(id string) (*Doc, error)
	// Captures returns the captures since t, newest first, at most limit.
	Captures(since time.Time, limit int) ([]*Doc, error)
}

// ErrNotFound means no captured request has the id.
var ErrNotFound = errors.New("no captured request has this id")

// AmbiguousError means an id prefix matches several captures.
type AmbiguousError struct {
	Prefix     string
	Candidates []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("id prefix %q matches %d captured requests (%s): give more characters", e.Prefix, len(e.Candidates), strings.Join(e.Candidates, ", "))
}

// Options configure a Store.
type Options struct {
	// MaxCount and MaxBytes bound what is kept in memory; the oldest
	// captures are dropped first. Defaults: 1000 and 64 MiB.
	MaxCount int
	MaxBytes int64
	// Queue is how many finished requests may wait for the worker; more
	// are dropped and counted. Default 1024.
	Queue int
	// MaxBody is how many bytes of a request or response body are kept.
	// Default 16 KiB.
	MaxBody int
	// Persist, when set, receives the documents, but no more than
	// PersistPerSecond a second of one kind of failure (the same status on
	// the same API and operation): a flood of one failure would otherwise
	// rewrite the state directory with copies of it. The others stay in
	// memory, within its bounds. Default 10.
	Persist          Persister
	PersistPerSecond int
	// PerSecond is how many failures of one kind are captured a second
	// (Admit); the others keep their log line only. Default 100: a flood of
	// one failure then fills neither the memory nor the worker's time, and
	// leaves room for every other failure.
	PerSecond int
	// Sample is the share of successful requests captured, 0 to 1.
	Sample float64
	// Config names the configuration served; it is copied into every
	// document.
	Config func() Config
}

// Stats count what a Store did.
type Stats struct {
	Captured    uint64 // documents kept
	Dropped     uint64 // requests dropped because the queue was full
	Evicted     uint64 // documents dropped from memory to stay within the budget
	Unpersisted uint64 // documents kept in memory only, beyond PersistPerSecond
	Skipped     uint64 // failures not captured, beyond PerSecond
	Count       int    // documents in memory
	Bytes       int64  // their size
}

// Store keeps captured requests. It is safe for concurrent use.
type Store struct {
	opts  Options
	queue chan *Pending
	done  chan struct{}
	wg    sync.WaitGroup

	mu    sync.Mutex
	order []entry // oldest first
	bytes int64
	byID  map[string]int // index into order, offset by base
	base  int

	captured, dropped, evicted, unpersisted, skipped atomic.Uint64

	admitMu  sync.Mutex
	admitted persistWindow // failures captured in the current second, by kind
	lastWarn atomic.Int64
	flushMu  sync.Mutex
}

type entry struct {
	id     string
	time   time.Time
	status int
	doc    []byte
}

// NewStore starts a Store and its worker.
func NewStore(o Options) *Store {
	if o.MaxCount <= 0 {
		o.MaxCount = 1000
	}
	if o.PersistPerSecond <= 0 {
		o.PersistPerSecond = 10
	}
	if o.PerSecond <= 0 {
		o.PerSecond = 100
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 64 << 20
	}
	if o.Queue <= 0 {
		o.Queue = 1024
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 16 << 10
	}
	s := &Store{opts: o, queue: make(chan *Pending, o.Queue), done: make(chan struct{}), byID: map[string]int{}}
	s.admitted.limit = o.PerSecond
	s.wg.Add(1)
	go s.work()
	return s
}

// MaxBody is how many bytes of a body a capture keeps.
func (s *Store) MaxBody() int { return s.opts.MaxBody }

// Sample is the share of successful requests to capture.
func (s *Store) Sample() float64 { return s.opts.Sample }

// Admit reports whether a failure with this status on this API and
// operation, at now, is to be captured: at most PerSecond of one kind a
// second are. The others are counted (Stats.Skipped), and keep only their
// log line. The caller asks before it builds the document.
func (s *Store) Admit(status int, api, operation string, now time.Time) bool {
	s.admitMu.Lock()
	ok := s.admitted.allow(failureKind{status, api, operation}, now)
	s.admitMu.Unlock()
	if !ok {
		s.skipped.Add(1)
	}
	return ok
}

// Add hands p to the Store. It never blocks: when the queue is full the
// request is dropped and counted.
func (s *Store) Add(p *Pending) {
	select {
	case s.queue <- p:
	default:
		s.dropped.Add(1)
		now := time.Now().UnixNano()
		if last := s.lastWarn.Load(); now-last > int64(10*time.Second) && s.lastWarn.CompareAndSwap(last, now) {
			log.Printf("tollgate: failure capture is behind; %d captured requests dropped so far", s.dropped.Load())
		}
		if p.Done != nil {
			p.Done(p.Trace)
		}
	}
}

// Stats reports the Store's counters.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Captured: s.captured.Load(), Dropped: s.dropped.Load(), Evicted: s.evicted.Load(),
		Unpersisted: s.unpersisted.Load(), Skipped: s.skipped.Load(), Count: len(s.order), Bytes: s.bytes}
}

// Flush waits until every request added so far is stored.
func (s *Store) Flush() {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	ack := make(chan struct{})
	s.queue <- &Pending{Done: func(*reqtrace.Trace) { close(ack) }}
	<-ack
}

// Close stores what is queued and stops the worker.
func (s *Store) Close() {
	close(s.queue)
	s.wg.Wait()
}

func (s *Store) work() {
	defer s.wg.Done()
	persisted := persistWindow{limit: s.opts.PersistPerSecond}
	for p := range s.queue {
		if p.Trace == nil && p.Line == nil && p.Doc.ID == "" {
			p.Done(nil) // a flush marker
			continue
		}
		doc, err := s.build(p)
		if p.Done != nil {
			p.Done(p.Trace)
		}
		if err != nil {
			log.Printf("tollgate: capturing request %s: %v", p.Doc.ID, err)
			continue
		}
		s.keep(entry{id: p.Doc.ID, time: p.Doc.Time, status: p.Doc.Response.Status, doc: doc})
		s.captured.Add(1)
		if s.opts.Persist == nil {
			continue
		}
		if !persisted.allow(failureKind{p.Doc.Response.Status, p.Doc.Match.API, p.Doc.Match.Operation}, time.Now()) {
			s.unpersisted.Add(1)
			continue
		}
		s.opts.Persist.PersistCapture(p.Doc.ID, p.Doc.Time, p.Doc.Response.Status, p.Doc.Match.API, p.Doc.Match.Operation, doc)
	}
}

// failureKind is what makes two failures the same for PersistPerSecond.
type failureKind struct {
	status         int
	api, operation string
}

// persistWindow counts the documents of each kind persisted in the current
// second.
type persistWindow struct {
	limit  int
	second int64
	counts map[failureKind]int
}

// allow reports whether one more document of kind k may be persisted at
// now, and counts it.
func (w *persistWindow) allow(k failureKind, now time.Time) bool {
	if sec := now.Unix(); sec != w.second || w.counts == nil {
		w.second = sec
		clear(w.counts)
		if w.counts == nil {
			w.counts = map[failureKind]int{}
		}
	}
	if w.counts[k] >= w.limit {
		return false
	}
	w.counts[k]++
	return true
}

// build completes and masks the document of p.
func (s *Store) build(p *Pending) ([]byte, error) {
	d := p.Doc
	if s.opts.Config != nil {
		d.Config = s.opts.Config()
	}
	d.Log = json.RawMessage(p.Line)
	if t := p.Trace; t != nil {
		for _, e := range t.Entries() {
			st := Step{
				Section: e.Section.String(), Source: e.Source, ElapsedMs: ms(e.Elapsed), TookMs: ms(e.Took),
				Where: e.Where, Path: e.Path, Scope: e.Scope, Failed: e.Failed, Message: e.Message, Data: e.Data,
			}
			d.Steps = append(d.Steps, st)
		}
	}
	if d.Steps == nil {
		d.Steps = []Step{}
	}
	b, err := json.Marshal(&d)
	if err != nil {
		return nil, err
	}
	if p.Trace != nil {
		b = []byte(p.Trace.MaskString(string(b)))
	}
	return b, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (s *Store) keep(e entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[e.id] = s.base + len(s.order)
	s.order = append(s.order, e)
	s.bytes += int64(len(e.doc))
	for len(s.order) > 1 && (len(s.order) > s.opts.MaxCount || s.bytes > s.opts.MaxBytes) {
		old := s.order[0]
		s.order[0] = entry{}
		s.order = s.order[1:]
		s.base++
		s.bytes -= int64(len(old.doc))
		if s.byID[old.id] == s.base-1 {
			delete(s.byID, old.id)
		}
		s.evicted.Add(1)
	}
	if cap(s.order) > 4*s.opts.MaxCount && len(s.order) < s.opts.MaxCount {
		s.order = append([]entry(nil), s.order...)
	}
}

// Capture returns the capture with id, or the only one whose id starts with
// id.
func (s *Store) Capture(id string) (*Doc, error) {
	s.mu.Lock()
	var found []entry
	if i, ok := s.byID[id]; ok {
		found = append(found, s.order[i-s.base])
	} else if id != "" {
		for _, e := range s.order {
			if strings.HasPrefix(e.id, id) {
				found = append(found, e)
			}
		}
	}
	s.mu.Unlock()
	switch len(found) {
	case 0:
		return nil, ErrNotFound
	case 1:
		return Decode(found[0].doc)
	}
	ids := make([]string, 0, len(found))
	for _, e := range found {
		ids = append(ids, e.id)
	}
	sort.Strings(ids)
	return nil, &AmbiguousError{Prefix: id, Candidates: ids}
}

// Captures returns the captures since t, newest first, at most limit (all
// when limit <= 0).
func (s *Store) Captures(since time.Time, limit int) ([]*Doc, error) {
	s.mu.Lock()
	var raw [][]byte
	for i := len(s.order) - 1; i >= 0; i-- {
		e := s.order[i]
		if e.time.Before(since) {
			break
		}
		raw = append(raw, e.doc)
		if limit > 0 && len(raw) == limit {
			break
		}
	}
	s.mu.Unlock()
	return DecodeAll(raw)
}

// DecodeAll reads documents, in order.
func DecodeAll(docs [][]byte) ([]*Doc, error) {
	out := make([]*Doc, 0, len(docs))
	for _, b := range docs {
		d, err := Decode(b)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Decode reads a document.
func Decode(b []byte) (*Doc, error) {
	d := new(Doc)
	if err := json.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("reading a captured request: %w", err)
	}
	return d, nil
}
