package logstore

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/kql"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options configure a Store. Zero values take the defaults.
type Options struct {
	// Retention is how long rows are kept (default 7 days).
	Retention time.Duration
	// MaxSize is the size in bytes above which the oldest rows are deleted
	// (default 1 GiB).
	MaxSize int64
	// QueueSize is the number of writes (of one or more lines) and
	// captures the writer has not taken yet beyond which new ones are
	// dropped (default 16384).
	QueueSize int
	// BatchSize is the most rows inserted in one transaction (default 4096).
	BatchSize int
	// MaxBacklog bounds the bytes of lines written and not yet stored
	// (default 64 MiB); lines beyond it are dropped and counted. While the
	// backlog is over half of it, the writer stores what is beyond that
	// half, whatever the load.
	MaxBacklog int64
	// MaxJournal bounds the bytes of compressed lines kept in the state
	// directory's journal (logs.journal) until they are stored (default 512
	// MiB, some millions of lines). While requests keep the cores busy, the
	// backlog's lines move there once they pass SpillAt (default 4 MiB) in
	// memory: a line costs a share of one compression and one large write
	// to keep, a fraction of a microsecond, where storing it costs about
	// ten. They are stored, oldest first,
	// when the cores have time, and after a restart. A store in memory (no
	// directory) has no journal.
	MaxJournal int64
	SpillAt    int64
	// BusyShare is the share of one core's time the writer takes to store
	// rows while goroutines queue for the cores (default 0: none). Storing
	// waits for idle time rather than slowing requests down, until the
	// backlog is over half of MaxBacklog, or the journal over half of
	// MaxJournal, or a query asks for everything to be stored.
	BusyShare float64
	// CommitDelay is how long the writer gathers rows before it commits
	// them, unless BatchSize rows wait sooner or a flush asks (default 250
	// milliseconds). A transaction's fixed cost (its write-ahead log frames,
	// the index pages it rewrites) is then shared by many rows instead of the
	// few a busy gateway hands over at a time.
	CommitDelay time.Duration
	// CaptureMax and CaptureMaxBytes bound the captured requests kept
	// (defaults 1000 and 64 MiB); the oldest are evicted first.
	CaptureMax      int
	CaptureMaxBytes int64
	// MaintenanceInterval is how often retention runs (default 1 minute).
	MaintenanceInterval time.Duration
	// WarnInterval is the least time between two warnings about dropped
	// lines (default 10 seconds).
	WarnInterval time.Duration
	// MaxRows caps the rows of a query's result (default 50,000).
	MaxRows int
	// QueryTimeout bounds a query whose context has no deadline (default
	// 30 seconds).
	QueryTimeout time.Duration
	// ReadOnly opens an existing store for queries only: no writer, no
	// retention, Write and PutCapture drop everything. For `tollgate logs`
	// next to a running gateway.
	ReadOnly bool
	// Logger receives the store's warnings (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock of retention and of ago() in queries (default
	// time.Now); tests fix it.
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.MaxSize <= 0 {
		o.MaxSize = 1 << 30
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 16384
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 4096
	}
	if o.MaxBacklog <= 0 {
		o.MaxBacklog = 64 << 20
	}
	if o.MaxJournal <= 0 {
		o.MaxJournal = 512 << 20
	}
	if o.SpillAt <= 0 {
		o.SpillAt = 4 << 20
	}
	o.BusyShare = min(max(o.BusyShare, 0), 1)
	if o.CommitDelay <= 0 {
		o.CommitDelay = 250 * time.Millisecond
	}
	if o.CaptureMax <= 0 {
		o.CaptureMax = 1000
	}
	if o.CaptureMaxBytes <= 0 {
		o.CaptureMaxBytes = 64 << 20
	}
	if o.MaintenanceInterval <= 0 {
		o.MaintenanceInterval = time.Minute
	}
	if o.WarnInterval <= 0 {
		o.WarnInterval = 10 * time.Second
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 50000
	}
	if o.QueryTimeout <= 0 {
		o.QueryTimeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// FileName is the database's file in the state directory.
const FileName = "logs.db"

// Store is the log store. Its methods are safe for concurrent use.
type Store struct {
	db   *sql.DB
	opts Options

	queue  chan item
	chunks sync.Pool    // *[]byte buffers Write copies lines into
	mu     sync.RWMutex // guards closed against Write racing Close
	closed bool
	done   chan struct{}

	backlogBytes atomic.Int64 // bytes of lines written and not yet stored or journaled
	journalBytes atomic.Int64 // bytes of lines in the journal, not yet stored
	dropped      atomic.Uint64
	evicted      atomic.Uint64
	stored       atomic.Uint64
	lastWarn     atomic.Int64
	lastError    atomic.Int64

	batches atomic.Uint64 // transactions committed, for tests

	// beforeBatch, when set (by tests), runs in the writer after it takes
	// the first item of a batch and before it drains the rest.
	beforeBatch func()

	// Owned by the writer goroutine.
	journal       *journal // nil for a store in memory
	captureTotals bool     // captureCount and captureBytes were read
	captureCount  int64
	captureBytes  int64
	// unchecked counts the rows written or deleted since the last WAL
	// checkpoint (see checkpoint).
	unchecked atomic.Int64
	// checkpoints counts the checkpoints run, for tests.
	checkpoints atomic.Uint64
	// sinceMaintain counts the bytes of the lines stored since retention
	// last ran (see maintainIfGrown).
	sinceMaintain atomic.Int64
}

// item is one unit of the writer's queue.
type item struct {
	line    []byte
	buf     *[]byte // the pooled buffer line is in
	capture *Capture
	flush   chan struct{} // closed once everything before it is stored
	// capturesOnly makes a flush wait for the captures alone: reading one
	// must not wait for a journal of log lines to be stored.
	capturesOnly bool
	maintain     chan error // receives the result of a retention pass
	stop         bool
}

// Open opens the store in dir (the file dir/logs.db, in WAL mode), creating
// it when needed, or an in-memory store when dir is "".
func Open(dir string, opts Options) (*Store, error) {
	registerFunctions()
	opts.defaults()
	var dsn string
	if dir == "" {
		if opts.ReadOnly {
			return nil, errors.New("logstore: a read-only store needs a directory")
		}
		dsn = "file::memory:"
	} else {
		path := filepath.Join(dir, FileName)
		if opts.ReadOnly {
			if _, err := os.Stat(path); err != nil {
				return nil, fmt.Errorf("logstore: no log store in %s (a gateway started with --data %s creates it): %w", dir, dir, err)
			}
		} else if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("logstore: %w", err)
		}
		// The writer checkpoints the WAL itself, when the cores are idle
		// (see checkpoint): SQLite's own checkpoints would run inside a
		// commit, fsync included, whenever the WAL reaches 1,000 pages.
		dsn = "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)&_txlock=immediate"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("logstore: %w", err)
	}
	if dir == "" {
		// Every connection to :memory: is a database of its own: keep one.
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		db.SetMaxOpenConns(4)
	}
	s := &Store{db: db, opts: opts, queue: make(chan item, opts.QueueSize), done: make(chan struct{})}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	if opts.ReadOnly {
		s.closed = true
		close(s.done)
		s.journalBytes.Store(unstoredJournal(db, dir))
		return s, nil
	}
	if dir != "" {
		var read int64
		if err := db.QueryRow("SELECT read FROM tollgate_journal WHERE id = 0").Scan(&read); err != nil {
			db.Close()
			return nil, fmt.Errorf("logstore: %w", err)
		}
		j, err := openJournal(filepath.Join(dir, JournalName), opts.MaxJournal, read)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("logstore: %w", err)
		}
		if j.pending() == 0 && read != 0 {
			// Emptied before its position was set back (a crash between
			// the two): a position left from then would skip lines
			// appended from now on.
			if _, err := db.Exec("UPDATE tollgate_journal SET read = 0 WHERE id = 0"); err != nil {
				j.close()
				db.Close()
				return nil, fmt.Errorf("logstore: %w", err)
			}
		}
		s.journal = j
		s.journalBytes.Store(j.pending())
	}
	s.beforeBatch = testBeforeBatch
	go s.writer()
	return s, nil
}

// testBeforeBatch is the beforeBatch of stores opened while it is set; only
// tests set it.
var testBeforeBatch func()

func (s *Store) init() error {
	ctx := context.Background()
	// auto_vacuum takes effect only before the first table is created; it
	// lets retention give pages back to the file system.
	if _, err := s.db.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
		return fmt.Errorf("logstore: %w", err)
	}
	for _, q := range schemaSQL() {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("logstore: creating the schema: %w", err)
		}
	}
	// A store written by an older tollgate lacks newer columns: add them.
	have := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf("PRAGMA table_info(%q)", TableName))
	if err != nil {
		return fmt.Errorf("logstore: %w", err)
	}
	for rows.Next() {
		var cid int
		var name, typ string
		var notnull, pk int
		var dflt any
		if err := rows.Scan(&cid, &name, &typ, &notnull, &dflt, &pk); err != nil {
			rows.Close()
			return fmt.Errorf("logstore: %w", err)
		}
		have[name] = true
	}
	rows.Close()
	for _, c := range columns {
		if !have[c.Name] && !s.opts.ReadOnly {
			if _, err := s.db.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %q ADD COLUMN %q %s", TableName, c.Name, sqlType(c.Type))); err != nil {
				return fmt.Errorf("logstore: adding column %s: %w", c.Name, err)
			}
		}
	}
	if !s.opts.ReadOnly {
		if err := s.migrateTimeIndexes(ctx); err != nil {
			return fmt.Errorf("logstore: %w", err)
		}
	}
	return s.db.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(length(doc)), 0) FROM tollgate_captures").
		Scan(&s.captureCount, &s.captureBytes)
}

// migrateTimeIndexes gives the rows stored by a tollgate that kept no
// blocks (all of an older store's, or those a downgraded gateway added
// after the last block) their blocks, and drops the indexes on
// TimeGenerated that the blocks replace, in one transaction.
func (s *Store) migrateTimeIndexes(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := coverTail(ctx, tx); err != nil {
		return err
	}
	for _, ix := range []string{"logs_time", "logs_success_time"} {
		if _, err := tx.ExecContext(ctx, "DROP INDEX IF EXISTS "+ix); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// coverTail adds blocks of up to blockRows rowids for the rows after the
// last block.
func coverTail(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %[1]s (first, last, tmin, tmax)
		SELECT min(rowid), max(rowid), coalesce(min(TimeGenerated), 0), coalesce(max(TimeGenerated), 0) FROM %[2]q
		WHERE rowid > (SELECT coalesce(max(last), %[3]d) FROM %[1]s) GROUP BY rowid / %[4]d ORDER BY 1`,
		BlocksTable, TableName, int64(math.MinInt64), blockRows))
	return err
}

// Write stores JSON log lines, one or more (a trailing newline is
// allowed). It copies them into the queue and returns at once; when the
// queue is full the lines are counted as dropped. It never fails, so that
// logging never fails a request.
func (s *Store) Write(line []byte) (int, error) {
	n := len(line)
	if n == 0 {
		return 0, nil
	}
	if s.backlogBytes.Load()+int64(n) > s.opts.MaxBacklog {
		s.drop("the backlog is full")
		return n, nil
	}
	s.backlogBytes.Add(int64(n))
	buf, _ := s.chunks.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	*buf = append((*buf)[:0], line...)
	if !s.enqueue(item{line: *buf, buf: buf}) {
		s.backlogBytes.Add(-int64(n))
		s.chunks.Put(buf)
	}
	return n, nil
}

// maxPooledChunk is the largest buffer Write's pool keeps: the log
// writer's batches are up to 32 KiB.
const maxPooledChunk = 64 << 10

// enqueue hands it to the writer, or counts it as dropped and returns
// false.
func (s *Store) enqueue(it item) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		s.drop("the store is closed")
		return false
	}
	select {
	case s.queue <- it:
		return true
	default:
		s.drop("the queue is full")
		return false
	}
}

// drop counts a lost line or capture and warns at most once per
// WarnInterval.
func (s *Store) drop(why string) {
	n := s.dropped.Add(1)
	now := time.Now().UnixNano()
	last := s.lastWarn.Load()
	if now-last >= int64(s.opts.WarnInterval) && s.lastWarn.CompareAndSwap(last, now) {
		s.opts.Logger.Warn("log store dropped a line", "reason", why, "dropped_total", n)
	}
}

// Dropped returns the number of lines and captures lost so far: queue full,
// store closed, malformed, or failed to insert.
func (s *Store) Dropped() uint64 { return s.dropped.Load() }

// Backlog returns the bytes of log lines written and not yet stored, in
// memory and in the journal.
func (s *Store) Backlog() int64 { return s.backlogBytes.Load() + s.journalBytes.Load() }

// Stored returns the number of log rows inserted since Open.
func (s *Store) Stored() uint64 { return s.stored.Load() }

// Evicted returns the number of captures evicted by the count and byte
// bounds since Open.
func (s *Store) Evicted() uint64 { return s.evicted.Load() }

// Flush waits until everything queued before the call is stored.
func (s *Store) Flush() { s.flush(false) }

// flush waits until everything queued before the call, or only the
// captures, is stored.
func (s *Store) flush(capturesOnly bool) {
	done := make(chan struct{})
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return
	}
	s.queue <- item{flush: done, capturesOnly: capturesOnly}
	s.mu.RUnlock()
	<-done
}

// Maintain runs a retention pass now (the writer runs one every
// MaintenanceInterval) and returns its error.
func (s *Store) Maintain() error {
	res := make(chan error, 1)
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errors.New("logstore: the store is closed")
	}
	s.queue <- item{maintain: res}
	s.mu.RUnlock()
	return <-res
}

// Close stores what is queued, for at most a few seconds when there is a
// journal (what is left waits there for the next Open), stops the writer
// and closes the database.
// Writes after Close are counted as dropped.
func (s *Store) Close() error {
	s.mu.Lock()
	wasClosed := s.closed
	s.closed = true
	s.mu.Unlock()
	if !wasClosed {
		s.queue <- item{stop: true}
	}
	<-s.done
	return s.db.Close()
}

// writer is the single goroutine that writes to the database. It keeps
// what the queue brings in a backlog and stores it in transactions of up to
// BatchSize rows every CommitDelay: all of it while goroutines find a core
// when they need one, and only what its governor allows while they queue
// for the cores. A flush, maintenance or stop request stores everything
// first.
func (s *Store) writer() {
	defer close(s.done)
	tick := time.NewTicker(s.opts.MaintenanceInterval)
	defer tick.Stop()
	wake := time.NewTimer(time.Hour)
	wake.Stop()
	armed := false
	w := &writerState{s: s, row: newRow(), gov: newGovernor(s.opts.BusyShare, runQueueTime)}
	if s.journal != nil {
		defer s.journal.close()
	}
	for {
		select {
		case it := <-s.queue:
			if w.empty() && s.beforeBatch != nil {
				s.beforeBatch()
			}
			w.take(it)
			w.drain()
			w.gov.observe()
			switch {
			case w.gov.holding():
				w.spill(min(holdSpillAt, s.opts.SpillAt))
			case len(w.lines) >= s.opts.BatchSize:
				w.store(s.opts.BatchSize)
			}
		case <-wake.C:
			armed = false
			w.store(min(catchUpRows, w.gov.budget(w.waiting(), w.fill(), fillBound)))
			w.spill(s.opts.SpillAt)
		case <-tick.C:
			if err := s.maintain(w.gov.holding()); err != nil {
				s.warnError("retention", err)
			}
		}
		s.maintainIfGrown(w.gov.holding())
		s.checkpoint(w.empty() && !w.gov.busy)
		if w.settle() {
			return
		}
		if !w.empty() && !armed {
			delay := s.opts.CommitDelay
			if !w.gov.holding() && w.waiting() > catchUpRows/2 {
				delay = time.Millisecond // catching up
			}
			wake.Reset(delay)
			armed = true
		}
	}
}

// writerState is what the writer goroutine owns: the backlog of what it
// has taken from the queue and not stored yet, the row it parses lines into
// and its governor.
type writerState struct {
	s        *Store
	lines    [][]byte // log lines, oldest first
	captures []*Capture
	controls []item   // flush, maintenance and stop requests taken
	jlines   [][]byte // the lines read from the journal for one batch
	// bufs are the buffers of Write that lines point into, oldest first,
	// with how many of lines each holds. A buffer goes back to Write's
	// pool once its lines are stored or in the journal.
	bufs    []heldBuffer
	row     *row
	gov     *governor
	yielded time.Duration // time given to other goroutines during a store
}

func (w *writerState) empty() bool { return w.waiting() == 0 && len(w.captures) == 0 }

// waiting returns the number of lines not stored yet, in memory and in the
// journal.
func (w *writerState) waiting() int {
	n := len(w.lines)
	if j := w.s.journal; j != nil {
		n += j.lines
	}
	return n
}

// fillBound is the scale of fill.
const fillBound = 1 << 20

// fill returns how full the backlog is, out of fillBound: the larger of the
// shares of its bounds that memory and the journal use.
func (w *writerState) fill() int64 {
	s := w.s
	f := float64(s.backlogBytes.Load()) / float64(s.opts.MaxBacklog)
	if j := s.journal; j != nil {
		f = max(f, float64(j.pending())/float64(j.max))
	}
	return int64(f * fillBound)
}

// catchUpRows is the most rows the writer stores at one wake; when more
// wait and the cores are free it wakes again at once. Between two wakes
// its governor looks at the cores again.
const catchUpRows = 32768

// spill moves the lines in memory to the journal, when there is one and
// they pass at bytes (all of them when at is negative). Those that do not
// fit stay.
func (w *writerState) spill(at int64) {
	s, j := w.s, w.s.journal
	all := at < 0
	if j == nil || len(w.lines) == 0 || s.backlogBytes.Load() <= at {
		return
	}
	// In pieces, letting requests run and taking what the queue brings
	// between them: on a busy core the writer runs a small share of the
	// time, a queue left alone for a whole spill would fill up, and
	// requests waiting for the core behind a whole spill (megabytes
	// written) would wait milliseconds.
	slice := time.Now()
	for n := len(w.lines); n > 0; {
		piece := w.lines[:min(n, spillPiece)]
		wrote, err := j.append(piece)
		if err != nil && !errors.Is(err, errJournalFull) {
			s.warnError("journal", err)
		}
		if wrote > 0 {
			s.backlogBytes.Add(-linesSize(piece[:wrote]))
			s.journalBytes.Store(j.pending())
			w.consume(wrote)
			n -= wrote
		}
		if wrote < len(piece) {
			break
		}
		// Requests get the core back after each spillSlice of work, unless
		// the backlog in memory is past SpillAt: then the writer has fallen
		// behind, and a yield on a busy core can keep it off for
		// milliseconds, long enough for the producers to fill the backlog
		// (seen with 16 goroutines writing 150,000 lines a second, one a
		// write).
		if !all && time.Since(slice) >= spillSlice && s.backlogBytes.Load() <= s.opts.SpillAt {
			runtime.Gosched()
			slice = time.Now()
		}
		w.drain()
	}
}

// spillSlice is how long spill writes to the journal before it lets
// requests run: about the time a request waits for the core anyway.
const spillSlice = 100 * time.Microsecond

// heldBuffer is a buffer of Write and the number of lines in memory that
// point into it.
type heldBuffer struct {
	buf   *[]byte
	lines int
}

// hold notes that the last n lines in memory point into buf.
func (w *writerState) hold(buf *[]byte, n int) {
	switch {
	case buf == nil:
	case n == 0:
		w.release(buf)
	default:
		w.bufs = append(w.bufs, heldBuffer{buf, n})
	}
}

// consume drops the n oldest lines in memory, stored or in the journal,
// and gives the buffers no line points into any more back to Write's pool.
func (w *writerState) consume(n int) {
	clear(w.lines[:n])
	w.lines = w.lines[n:]
	if len(w.lines) == 0 {
		w.lines = nil // let the backing array go
	}
	i := 0
	for ; i < len(w.bufs) && w.bufs[i].lines <= n; i++ {
		n -= w.bufs[i].lines
		w.release(w.bufs[i].buf)
	}
	if i < len(w.bufs) {
		w.bufs[i].lines -= n
	}
	w.bufs = w.bufs[:copy(w.bufs, w.bufs[i:])]
}

// release gives buf back to Write's pool, unless it is unusually large.
func (w *writerState) release(buf *[]byte) {
	if cap(*buf) <= maxPooledChunk {
		w.s.chunks.Put(buf)
	}
}

// holdSpillAt is the backlog in memory past which the writer moves lines
// to the journal as they arrive while it holds rows back: small enough that
// the heap does not swing by megabytes (the runtime's scavenger then gave
// pages back in 1-ms slices requests waited behind), large enough that one
// system call moves many writes, not one each.
const holdSpillAt = 256 << 10

// spillPiece is how many lines spill writes to the journal at a time, a
// tenth of a millisecond's work.
const spillPiece = 256

// take adds the lines, capture or control request of it to the backlog.
func (w *writerState) take(it item) {
	switch {
	case it.line != nil:
		n := len(w.lines)
		w.lines = appendLines(w.lines, it.line)
		w.hold(it.buf, len(w.lines)-n)
		// Write counted the bytes written; store takes back the size of
		// each line it stores.
		w.s.backlogBytes.Add(linesSize(w.lines[n:]) - int64(len(it.line)))
	case it.capture != nil:
		w.captures = append(w.captures, it.capture)
	case it.flush != nil || it.maintain != nil || it.stop:
		w.controls = append(w.controls, it)
	}
}

// drain takes what waits in the queue, but no more than the queue holds:
// busy writers may keep it from ever being empty.
func (w *writerState) drain() {
	for range cap(w.s.queue) {
		select {
		case it := <-w.s.queue:
			w.take(it)
		default:
			return
		}
	}
}

// settle stores everything and answers the control requests taken, as long
// as there are some; it reports whether one was a stop. Before a stop, the
// lines in memory go to the journal, when there is one, and the next Open
// stores them.
func (w *writerState) settle() (stop bool) {
	for len(w.controls) > 0 {
		switch {
		case slices.ContainsFunc(w.controls, func(it item) bool { return it.stop }):
			w.storeBefore(time.Now().Add(closeTime))
		case !slices.ContainsFunc(w.controls, func(it item) bool { return !it.capturesOnly }):
			w.store(0) // the captures
		default:
			w.storeAll()
		}
		controls := w.controls
		w.controls = nil
		for _, it := range controls {
			switch {
			case it.flush != nil:
				close(it.flush)
			case it.maintain != nil:
				it.maintain <- w.s.maintain(false)
			case it.stop:
				stop = true
			}
		}
		if stop {
			return true
		}
	}
	return false
}

// storeAll stores every line waiting.
func (w *writerState) storeAll() {
	for {
		waiting := w.waiting()
		if waiting == 0 {
			w.store(0) // the captures
			return
		}
		if w.store(waiting) == 0 {
			return // the journal cannot be read: warned
		}
	}
}

// closeTime is how long a store being closed goes on storing its backlog;
// what is left then waits in the journal for the next Open.
const closeTime = 5 * time.Second

// storeBefore stores the lines waiting until deadline, moves those left to
// the journal (when there is one), and stores the captures.
func (w *writerState) storeBefore(deadline time.Time) {
	for w.waiting() > 0 && (w.s.journal == nil || time.Now().Before(deadline)) {
		if w.store(catchUpRows) == 0 {
			break
		}
	}
	w.spill(-1)
	w.store(0)
}

// store stores up to n lines of the backlog, oldest first (the journal's,
// then those in memory), and every capture, tells the governor what it
// cost, and returns the number of lines it took.
func (w *writerState) store(n int) int {
	s := w.s
	if n == 0 && len(w.captures) == 0 {
		return 0
	}
	start := time.Now()
	w.yielded = 0
	fromJournal := 0
	if j := s.journal; j != nil {
		// Lines in memory are newer than the journal's.
		for j.pending() > 0 && fromJournal < n {
			batch, end, lost, err := j.next(w.jlines[:0], min(n-fromJournal, s.opts.BatchSize))
			w.jlines = batch
			if err != nil {
				s.warnError("journal", err)
				break
			}
			if lost > 0 {
				s.dropped.Add(uint64(lost))
				s.warnError("journal", fmt.Errorf("%d lines in %s were not as written (the disk lost them)", lost, JournalName))
			}
			if err := s.insertLines(batch, w.row, w.yield, end); err != nil {
				s.warnError("insert", err)
				s.dropped.Add(uint64(len(batch)))
				s.setJournalRead(end)
			}
			emptied, err := j.consumed(end, len(batch)+lost)
			if err == nil && emptied {
				err = s.setJournalRead(0)
			}
			if err != nil {
				s.warnError("journal", err)
			}
			s.journalBytes.Store(j.pending())
			clear(w.jlines)
			fromJournal += max(len(batch)+lost, 1)
		}
	}
	n = min(n-fromJournal, len(w.lines))
	lines := w.lines[:n] // the queue drained meanwhile only appends
	size := linesSize(lines)
	for len(lines) > 0 {
		chunk := lines[:min(len(lines), s.opts.BatchSize)]
		if err := s.insertLines(chunk, w.row, w.yield, -1); err != nil {
			s.warnError("insert", err)
			s.dropped.Add(uint64(len(chunk)))
		}
		lines = lines[len(chunk):]
	}
	w.gov.spent(fromJournal+n, time.Since(start)-w.yielded)
	if len(w.captures) > 0 {
		if err := s.insertCaptures(w.captures); err != nil {
			s.warnError("insert", err)
			s.dropped.Add(uint64(len(w.captures)))
		}
		clear(w.captures)
		w.captures = w.captures[:0]
	}
	s.backlogBytes.Add(-size)
	w.consume(n)
	return fromJournal + n
}

// unstoredJournal returns the bytes of the journal in dir that are not
// stored yet, for a store opened for reading.
func unstoredJournal(db *sql.DB, dir string) int64 {
	var read int64
	db.QueryRow("SELECT read FROM tollgate_journal WHERE id = 0").Scan(&read)
	return unstoredBytes(filepath.Join(dir, JournalName), read)
}

// setJournalRead commits the journal's read offset outside an insert.
func (s *Store) setJournalRead(offset int64) error {
	_, err := s.db.Exec("UPDATE tollgate_journal SET read = ? WHERE id = 0", offset)
	return err
}

// yield runs every few rows of a store, stored counting the rows of the
// transaction so far: it lets the goroutines waiting for the core run
// first, and takes what came into the queue meanwhile, which would
// otherwise fill up during a long store.
func (w *writerState) yield(stored int) {
	start := time.Now()
	// While the governor holds rows back, every few rows; on idle cores, or
	// storing what is past the backlog's high mark, every few dozen:
	// goroutines that become runnable meanwhile wait about a millisecond,
	// not a whole transaction. Past the mark every few rows would not keep
	// up: on a saturated core each yield waits for every request goroutine
	// queued to run, and 8 rows a round of 32 requests is less than they
	// bring. Past three quarters of the bound the writer is still falling
	// behind, and lines are dropped at the bound: every few hundred rows.
	every := yieldEvery
	switch {
	case w.gov.nearFull:
		every = fullYieldEvery
	case w.gov.pastMark || !w.gov.holding():
		every = drainYieldEvery
	}
	if stored%every == 0 {
		runtime.Gosched()
	}
	w.drain()
	w.yielded += time.Since(start)
}

// linesSize is the size by which the backlog's bound counts lines.
func linesSize(lines [][]byte) int64 {
	var size int64
	for _, l := range lines {
		size += int64(len(l)) + 1
	}
	return size
}

// insertLines stores lines in one transaction, which also commits
// journalEnd as the journal's read offset unless it is negative. It talks to
// the driver's connection itself: database/sql would check and convert each
// of a row's values on every insert, which costs as much as storing them.
func (s *Store) insertLines(lines [][]byte, r *row, yield func(stored int), journalEnd int64) error {
	ctx := context.Background()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	inserted := 0
	err = conn.Raw(func(dc any) error {
		// A batch holds thousands of rows and uses a handful of statements:
		// preparing them per batch costs little and ties them to the
		// connection they run on.
		inserts := insertCache{conn: dc}
		defer inserts.close()
		tx, err := dc.(driver.ConnBeginTx).BeginTx(ctx, driver.TxOptions{})
		if err != nil {
			return err
		}
		b := rowBatch{ctx: ctx, dc: dc, inserts: &inserts}
		defer b.release()
		defer r.forget() // its values point into the batch's lines
		for n, line := range lines {
			if n%yieldEvery == yieldEvery-1 {
				yield(n + 1) // the transaction is held: nothing else needs it
			}
			if err := parseLine(line, r); err != nil {
				s.drop("malformed log line: " + err.Error())
				continue
			}
			if err := b.add(r); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := b.finish(); err != nil {
			tx.Rollback()
			return err
		}
		inserted = b.inserted
		if journalEnd >= 0 {
			if err := setJournalReadIn(ctx, dc, journalEnd); err != nil {
				tx.Rollback()
				return err
			}
		}
		return tx.Commit()
	})
	if err != nil {
		return err
	}
	s.stored.Add(uint64(inserted))
	s.sinceMaintain.Add(linesSize(lines))
	s.batches.Add(1)
	s.unchecked.Add(int64(inserted))
	return nil
}

// setJournalReadIn commits offset as the journal's read offset on the
// driver connection dc, in its transaction.
func setJournalReadIn(ctx context.Context, dc any, offset int64) error {
	_, err := execIn(ctx, dc, "UPDATE tollgate_journal SET read = ? WHERE id = 0", []driver.NamedValue{{Ordinal: 1, Value: offset}})
	return err
}

// yieldEvery is how many rows the writer stores between two chances it
// gives other goroutines to run, about a sixth of a millisecond, while its
// governor holds rows back; drainYieldEvery is the same on idle cores,
// about a millisecond.
const (
	yieldEvery      = 8
	drainYieldEvery = 8 * yieldEvery
	// fullYieldEvery is the same while the backlog is past three quarters
	// of its bound, about 5 ms.
	fullYieldEvery = 64 * yieldEvery
)

// insertCaptures stores the captures of batch and evicts the oldest beyond
// the bounds, in one transaction.
func (s *Store) insertCaptures(captures []*Capture) error {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO tollgate_captures (id, time, status, api_id, operation_id, doc) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, c := range captures {
		if _, err := stmt.ExecContext(ctx, c.ID, c.Time.UnixNano(), c.Status, c.APIID, c.OperationID, c.Doc); err != nil {
			return err
		}
	}
	if err := s.evictCaptures(ctx, tx, captures); err != nil {
		return err
	}
	return tx.Commit()
}

// appendLines appends the non-empty lines of b to out.
func appendLines(out [][]byte, b []byte) [][]byte {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b)
		}
		line := b[:i]
		for len(line) > 0 && (line[len(line)-1] == '\r' || line[len(line)-1] == ' ') {
			line = line[:len(line)-1]
		}
		if len(line) > 0 {
			out = append(out, line)
		}
		if i == len(b) {
			break
		}
		b = b[i+1:]
	}
	return out
}

func (s *Store) warnError(what string, err error) {
	now := time.Now().UnixNano()
	last := s.lastError.Load()
	if now-last >= int64(s.opts.WarnInterval) && s.lastError.CompareAndSwap(last, now) {
		s.opts.Logger.Warn("log store "+what+" failed", "error", err)
	}
}

// maintain deletes rows older than the retention, then the oldest rows
// while the database is larger than MaxSize, in chunks between which
// requests run, and gives freed pages back unless the cores are busy.
//
// While the cores are busy the database may pass MaxSize by a quarter
// (busySizeSlack) before rows are deleted, and then only down to MaxSize:
// deleting a row costs about what storing it does, and the requests come
// first. The next pass on free cores brings it back to 90%.
func (s *Store) maintain(busy bool) error {
	s.sinceMaintain.Store(0)
	ctx := context.Background()
	cutoff := s.opts.Now().Add(-s.opts.Retention).UnixNano()
	deleted := false
	for {
		res, err := s.db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %q WHERE rowid IN (SELECT rowid FROM %[1]q WHERE TimeGenerated < ? AND %s LIMIT ?)`,
			TableName, timeBound(kql.SQLite, false, strconv.FormatInt(cutoff-1, 10))), cutoff, deleteChunk)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		s.unchecked.Add(n)
		deleted = deleted || n > 0
		if n < deleteChunk {
			break
		}
		runtime.Gosched()
	}
	// No row is older than cutoff now: the blocks' ranges start there at
	// the earliest, so that a row stored far out of order does not keep
	// every pass reading up to its block until it goes.
	if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET tmin = ? WHERE tmin < ? AND tmax >= ?`, BlocksTable), cutoff, cutoff, cutoff); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE tmax < ?`, BlocksTable), cutoff); err != nil {
		return err
	}
	bound, target := s.opts.MaxSize, s.opts.MaxSize/10*9
	if busy {
		bound, target = s.opts.MaxSize+s.opts.MaxSize/busySizeSlack, s.opts.MaxSize
	}
	for i := 0; i < 100; i++ {
		used, err := s.usedBytes(ctx)
		if err != nil {
			return err
		}
		// Above bound, delete; once deleting, go on down to target (the
		// share deleted at once is estimated from the rowids).
		if used <= bound && (i == 0 || used <= target) {
			break
		}
		// Rows are deleted oldest first, so their rowids are about
		// contiguous: the span of rowids counts them without a scan.
		var rows int64
		if err := s.db.QueryRowContext(ctx, fmt.Sprintf("SELECT coalesce(max(rowid) - min(rowid) + 1, 0) FROM %q", TableName)).Scan(&rows); err != nil {
			return err
		}
		if rows == 0 {
			break
		}
		// Delete the share of rows above target, oldest first, a chunk
		// at a time, letting requests run between chunks.
		for n := max(1, rows*(used-target)/used); n > 0; n -= deleteChunk {
			chunk := min(n, deleteChunk)
			if !sortRetention {
				d, ok, err := s.deleteFirstRows(ctx, chunk)
				if err != nil {
					return err
				}
				if ok {
					s.unchecked.Add(d)
					runtime.Gosched()
					continue
				}
			}
			// The oldest rows are among those of the blocks that end
			// first: those by u, where they hold chunk rows.
			u, err := s.oldestBy(ctx, chunk)
			if err != nil {
				return err
			}
			q := fmt.Sprintf(`DELETE FROM %q WHERE rowid IN (SELECT rowid FROM %[1]q ORDER BY TimeGenerated LIMIT ?)`, TableName)
			if u != math.MaxInt64 {
				q = fmt.Sprintf(`DELETE FROM %q WHERE rowid IN (SELECT rowid FROM %[1]q WHERE TimeGenerated <= %d AND %s ORDER BY TimeGenerated LIMIT ?)`,
					TableName, u, timeBound(kql.SQLite, false, strconv.FormatInt(u, 10)))
			}
			res, err := s.db.ExecContext(ctx, q, chunk)
			if err != nil {
				return err
			}
			d, _ := res.RowsAffected()
			s.unchecked.Add(d)
			runtime.Gosched()
		}
		deleted = true
	}
	if deleted {
		// The blocks whose rows are all gone.
		if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE last < coalesce((SELECT min(rowid) FROM %q), %d)`,
			BlocksTable, TableName, int64(math.MaxInt64))); err != nil {
			return err
		}
	}
	// Freed pages are reused by new rows either way; giving them back to
	// the file system waits for idle cores.
	if deleted && !busy {
		if _, err := s.db.ExecContext(ctx, "PRAGMA incremental_vacuum"); err != nil {
			return err
		}
	}
	return nil
}

// sortRetention makes size retention always sort the rows by time, as it
// did before deleteFirstRows; only BenchmarkRetentionBySize sets it.
var sortRetention = false

// deleteFirstRows deletes the oldest rows, n of them and a few more, the
// cheap way when rows were stored about in time order, as a gateway stores
// them (a line's time is its request's start, so neighbours differ by
// request durations): the first n rows by rowid, whose newest time is t,
// and the rows stored after them that are older than t, which the blocks
// say lie in the next few. Every row left is then at least as new as every
// row deleted, as with a sort by time, without the sort. It reports false,
// deleting nothing, when more than n rows stored later may be older than t
// (a clock set back or forward): the caller sorts then.
func (s *Store) deleteFirstRows(ctx context.Context, n int64) (deleted int64, ok bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback()
	var lo, t, reach int64
	// reach: the last rowid that may hold a row older than t.
	q := fmt.Sprintf(`SELECT lo, t, %s FROM (SELECT coalesce(min(rowid), 0) AS lo, coalesce(max(TimeGenerated), 0) AS t FROM %q
		WHERE rowid BETWEEN (SELECT min(rowid) FROM %[2]q) AND (SELECT min(rowid) FROM %[2]q) + ?)`,
		lastRowidBy(kql.SQLite, "t"), TableName)
	if err := tx.QueryRowContext(ctx, q, n-1).Scan(&lo, &t, &reach); err != nil {
		return 0, false, err
	}
	hi := lo + n - 1
	if lo == 0 || reach-hi > n {
		return 0, false, nil
	}
	res, err := tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %q WHERE rowid > ? AND rowid <= ? AND TimeGenerated < ?", TableName), hi, reach, t)
	if err != nil {
		return 0, false, err
	}
	deleted, _ = res.RowsAffected()
	if res, err = tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %q WHERE rowid BETWEEN ? AND ?", TableName), lo, hi); err != nil {
		return 0, false, err
	}
	d, _ := res.RowsAffected()
	return deleted + d, true, tx.Commit()
}

// oldestBy returns a time by which at least n rows are stored, as the
// blocks count them, or math.MaxInt64 when they count fewer: the n oldest
// rows are among those with TimeGenerated at most that time.
func (s *Store) oldestBy(ctx context.Context, n int64) (int64, error) {
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT last - max(first, (SELECT coalesce(min(rowid), 0) FROM %q)) + 1, tmax FROM %s ORDER BY tmax`,
		TableName, BlocksTable))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var count, tmax int64
		if err := rows.Scan(&count, &tmax); err != nil {
			return 0, err
		}
		if n -= max(count, 0); n <= 0 {
			return tmax, nil
		}
	}
	return math.MaxInt64, rows.Err()
}

// maintainIfGrown runs retention as soon as the lines stored since it last
// ran add up to a sixteenth of MaxSize, rather than at the next tick: a
// saturated gateway stores tens of megabytes a second once it drains its
// backlog, and a store in memory (--data none) counts in the gateway's
// memory, so a minute between two passes would let either grow to many
// times its bound.
func (s *Store) maintainIfGrown(busy bool) {
	if s.sinceMaintain.Load() < s.opts.MaxSize/16 {
		return
	}
	if err := s.maintain(busy); err != nil {
		s.warnError("retention", err)
	}
}

// checkpoint copies the WAL's pages into the database file (a checkpoint,
// with an fsync) once enough rows were written since the last one: a few
// thousand when the writer has caught up (idle) and the cores are idle, as
// SQLite would, and many more otherwise, so that a busy gateway does not
// stall for the copy and the fsync, and the WAL stays bounded all the
// same. A checkpoint readers hold back copies what it can and leaves the
// rest to the next one.
func (s *Store) checkpoint(idle bool) {
	if n := s.unchecked.Load(); s.journal == nil || n < idleCheckpointRows || (!idle && n < busyCheckpointRows) {
		return
	}
	if _, err := s.db.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		s.warnError("checkpoint", err)
		return
	}
	s.unchecked.Store(0)
	s.checkpoints.Add(1)
}

// idleCheckpointRows and busyCheckpointRows are the rows written since the
// last checkpoint that make the writer checkpoint the WAL when it is idle
// and when it is not: about the 1,000 pages SQLite would wait
// for, and a WAL of some tens of megabytes.
const (
	idleCheckpointRows = 2_000
	busyCheckpointRows = 100_000
)

// busySizeSlack is the share (1/busySizeSlack) by which the database may
// pass MaxSize while the cores are busy.
const busySizeSlack = 4

// deleteChunk is the most rows retention deletes in one statement.
const deleteChunk = 10000

// usedBytes is the size of the database's pages in use.
func (s *Store) usedBytes(ctx context.Context) (int64, error) {
	var pages, free, size int64
	if err := s.db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return 0, err
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
		return 0, err
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		return 0, err
	}
	return (pages - free) * size, nil
}

// Size returns the bytes of the database's pages in use.
func (s *Store) Size() (int64, error) { return s.usedBytes(context.Background()) }
