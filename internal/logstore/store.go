package logstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options configure a Store. Zero values take the defaults.
type Options struct {
	// Retention is how long rows are kept (default 7 days).
	Retention time.Duration
	// MaxSize is the size in bytes above which the oldest rows are deleted
	// (default 1 GiB).
	MaxSize int64
	// QueueSize is the number of lines and captures waiting to be stored
	// beyond which new ones are dropped (default 16384).
	QueueSize int
	// BatchSize is the most rows inserted in one transaction (default 1024).
	BatchSize int
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
		o.BatchSize = 1024
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
	mu     sync.RWMutex // guards closed against Write racing Close
	closed bool
	done   chan struct{}

	dropped   atomic.Uint64
	evicted   atomic.Uint64
	stored    atomic.Uint64
	lastWarn  atomic.Int64
	lastError atomic.Int64

	batches atomic.Uint64 // transactions committed, for tests

	// beforeBatch, when set (by tests), runs in the writer after it takes
	// the first item of a batch and before it drains the rest.
	beforeBatch func()

	// Owned by the writer goroutine.
	captureCount int64
	captureBytes int64
}

// item is one unit of the writer's queue.
type item struct {
	line     []byte
	capture  *Capture
	flush    chan struct{} // closed once everything before it is stored
	maintain chan error    // receives the result of a retention pass
	stop     bool
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
		dsn = "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
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
		return s, nil
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
	return s.db.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(length(doc)), 0) FROM tollgate_captures").
		Scan(&s.captureCount, &s.captureBytes)
}

// Write stores one JSON log line (a trailing newline is allowed). It copies
// the line into the queue and returns at once; when the queue is full the
// line is counted as dropped. It never fails, so that logging never fails a
// request.
func (s *Store) Write(line []byte) (int, error) {
	n := len(line)
	s.enqueue(item{line: append([]byte(nil), line...)})
	return n, nil
}

func (s *Store) enqueue(it item) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		s.drop("the store is closed")
		return
	}
	select {
	case s.queue <- it:
	default:
		s.drop("the queue is full")
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

// Stored returns the number of log rows inserted since Open.
func (s *Store) Stored() uint64 { return s.stored.Load() }

// Evicted returns the number of captures evicted by the count and byte
// bounds since Open.
func (s *Store) Evicted() uint64 { return s.evicted.Load() }

// Flush waits until everything queued before the call is stored.
func (s *Store) Flush() {
	done := make(chan struct{})
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return
	}
	s.queue <- item{flush: done}
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

// Close stores what is queued, stops the writer and closes the database.
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

// writer is the single goroutine that writes to the database.
func (s *Store) writer() {
	defer close(s.done)
	tick := time.NewTicker(s.opts.MaintenanceInterval)
	defer tick.Stop()
	row := make([]any, len(columns))
	var batch []item
	for {
		select {
		case it := <-s.queue:
			batch = append(batch[:0], it)
			if s.beforeBatch != nil {
				s.beforeBatch()
			}
		drain:
			for len(batch) < s.opts.BatchSize {
				select {
				case it := <-s.queue:
					batch = append(batch, it)
				default:
					break drain
				}
			}
			if stop := s.writeBatch(batch, row); stop {
				return
			}
		case <-tick.C:
			if err := s.maintain(); err != nil {
				s.warnError("retention", err)
			}
		}
	}
}

// writeBatch stores the lines and captures of batch in one transaction and
// then answers its flush and maintenance requests. It reports whether a stop
// request was seen.
func (s *Store) writeBatch(batch []item, row []any) (stop bool) {
	var lines, caps int
	for _, it := range batch {
		if it.line != nil {
			lines++
		} else if it.capture != nil {
			caps++
		}
	}
	if lines+caps > 0 {
		if err := s.insert(batch, row, caps > 0); err != nil {
			s.warnError("insert", err)
			for i := 0; i < lines+caps; i++ {
				s.dropped.Add(1)
			}
		}
	}
	for _, it := range batch {
		switch {
		case it.flush != nil:
			close(it.flush)
		case it.maintain != nil:
			it.maintain <- s.maintain()
		case it.stop:
			stop = true
		}
	}
	return stop
}

func (s *Store) insert(batch []item, row []any, withCaptures bool) error {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, insertSQL)
	if err != nil {
		return err
	}
	defer stmt.Close()
	var capStmt *sql.Stmt
	if withCaptures {
		capStmt, err = tx.PrepareContext(ctx, `INSERT OR REPLACE INTO tollgate_captures (id, time, status, api_id, operation_id, doc) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer capStmt.Close()
	}
	inserted := 0
	for _, it := range batch {
		switch {
		case it.line != nil:
			for _, line := range splitLines(it.line) {
				if err := parseLine(line, row); err != nil {
					s.drop("malformed log line: " + err.Error())
					continue
				}
				if _, err := stmt.ExecContext(ctx, row...); err != nil {
					return err
				}
				inserted++
			}
		case it.capture != nil:
			c := it.capture
			if _, err := capStmt.ExecContext(ctx, c.ID, c.Time.UnixNano(), c.Status, c.APIID, c.OperationID, c.Doc); err != nil {
				return err
			}
		}
	}
	if withCaptures {
		if err := s.evictCaptures(ctx, tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.stored.Add(uint64(inserted))
	s.batches.Add(1)
	return nil
}

// splitLines splits b into its non-empty lines.
func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
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
// while the database is larger than MaxSize, and gives freed pages back.
func (s *Store) maintain() error {
	ctx := context.Background()
	cutoff := s.opts.Now().Add(-s.opts.Retention).UnixNano()
	deleted := false
	for {
		res, err := s.db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %q WHERE rowid IN (SELECT rowid FROM %[1]q WHERE TimeGenerated < ? LIMIT 10000)`, TableName), cutoff)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		deleted = deleted || n > 0
		if n < 10000 {
			break
		}
	}
	for i := 0; i < 100; i++ {
		used, err := s.usedBytes(ctx)
		if err != nil {
			return err
		}
		if used <= s.opts.MaxSize {
			break
		}
		var rows int64
		if err := s.db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %q", TableName)).Scan(&rows); err != nil {
			return err
		}
		if rows == 0 {
			break
		}
		// Delete the share of rows above 90% of MaxSize, oldest first.
		target := s.opts.MaxSize / 10 * 9
		n := max(1, rows*(used-target)/used)
		if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %q WHERE rowid IN (SELECT rowid FROM %[1]q ORDER BY TimeGenerated LIMIT ?)`, TableName), n); err != nil {
			return err
		}
		deleted = true
		if _, err := s.db.ExecContext(ctx, "PRAGMA incremental_vacuum"); err != nil {
			return err
		}
	}
	if deleted {
		if _, err := s.db.ExecContext(ctx, "PRAGMA incremental_vacuum"); err != nil {
			return err
		}
	}
	return nil
}

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
