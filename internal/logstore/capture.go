package logstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Capture is one captured request: the capture package's JSON document with
// the fields it is found by.
type Capture struct {
	ID          string
	Time        time.Time
	Status      int
	APIID       string
	OperationID string
	Doc         []byte
}

// ErrNotFound reports that no capture has the id asked for.
var ErrNotFound = errors.New("logstore: no such capture")

// AmbiguousError reports an id prefix that matches several captures.
type AmbiguousError struct {
	Prefix     string
	Candidates []string // the matching ids, newest first (at most 10)
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("capture id prefix %q matches several captures: %s", e.Prefix, strings.Join(e.Candidates, ", "))
}

// PutCapture stores c through the writer, like Write: it never blocks, and a
// capture that does not fit the queue, or is larger than CaptureMaxBytes, is
// counted as dropped. The oldest captures are evicted beyond CaptureMax or
// CaptureMaxBytes.
func (s *Store) PutCapture(c Capture) {
	if int64(len(c.Doc)) > s.opts.CaptureMaxBytes {
		s.drop(fmt.Sprintf("capture %s is larger than the capture limit of %d bytes", c.ID, s.opts.CaptureMaxBytes))
		return
	}
	c.Doc = append([]byte(nil), c.Doc...)
	s.enqueue(item{capture: &c})
}

// evictCaptures deletes the oldest captures beyond the bounds, inside the
// writer's transaction, after added were inserted. The count and size of
// the captures kept are read once and then kept up to date.
func (s *Store) evictCaptures(ctx context.Context, tx *sql.Tx, added []*Capture) error {
	if !s.captureTotals {
		if err := tx.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(length(doc)), 0) FROM tollgate_captures").
			Scan(&s.captureCount, &s.captureBytes); err != nil {
			return err
		}
		s.captureTotals = true
	} else {
		for _, c := range added {
			s.captureCount++
			s.captureBytes += int64(len(c.Doc))
		}
	}
	for s.captureCount > int64(s.opts.CaptureMax) || s.captureBytes > s.opts.CaptureMaxBytes {
		// The oldest beyond the count bound at once, else one at a time
		// until the bytes fit.
		n := max(1, s.captureCount-int64(s.opts.CaptureMax))
		rows, err := tx.QueryContext(ctx, "DELETE FROM tollgate_captures WHERE rowid IN (SELECT rowid FROM tollgate_captures ORDER BY time, rowid LIMIT ?) RETURNING length(doc)", n)
		if err != nil {
			return err
		}
		deleted := 0
		for rows.Next() {
			var size int64
			if err := rows.Scan(&size); err != nil {
				rows.Close()
				return err
			}
			s.captureCount--
			s.captureBytes -= size
			deleted++
		}
		if err := rows.Close(); err != nil {
			return err
		}
		s.evicted.Add(uint64(deleted))
		if deleted == 0 {
			break
		}
	}
	return nil
}

const captureCols = "id, time, status, api_id, operation_id, doc"

func scanCapture(sc interface{ Scan(...any) error }) (Capture, error) {
	var c Capture
	var ns int64
	err := sc.Scan(&c.ID, &ns, &c.Status, &c.APIID, &c.OperationID, &c.Doc)
	c.Time = time.Unix(0, ns).UTC()
	return c, err
}

// GetCapture returns the capture whose id is idOrPrefix or, failing that,
// the one capture whose id starts with it. It returns ErrNotFound, or an
// *AmbiguousError listing the candidates. The captures waiting to be
// stored are stored first.
func (s *Store) GetCapture(idOrPrefix string) (Capture, error) {
	s.flush(true)
	ctx := context.Background()
	if idOrPrefix == "" {
		return Capture{}, ErrNotFound
	}
	c, err := scanCapture(s.db.QueryRowContext(ctx, "SELECT "+captureCols+" FROM tollgate_captures WHERE id = ?", idOrPrefix))
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Capture{}, fmt.Errorf("logstore: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+captureCols+" FROM tollgate_captures WHERE substr(id, 1, ?) = ? ORDER BY time DESC, rowid DESC LIMIT 11",
		len(idOrPrefix), idOrPrefix)
	if err != nil {
		return Capture{}, fmt.Errorf("logstore: %w", err)
	}
	defer rows.Close()
	var found []Capture
	for rows.Next() {
		c, err := scanCapture(rows)
		if err != nil {
			return Capture{}, fmt.Errorf("logstore: %w", err)
		}
		found = append(found, c)
	}
	if err := rows.Err(); err != nil {
		return Capture{}, fmt.Errorf("logstore: %w", err)
	}
	switch len(found) {
	case 0:
		return Capture{}, ErrNotFound
	case 1:
		return found[0], nil
	}
	e := &AmbiguousError{Prefix: idOrPrefix}
	for i, c := range found {
		if i == 10 {
			e.Candidates = append(e.Candidates, "…")
			break
		}
		e.Candidates = append(e.Candidates, c.ID)
	}
	return Capture{}, e
}

// ListCaptures returns the captures at or after since, newest first, at most
// limit of them (all when limit <= 0). The captures waiting to be stored
// are stored first.
func (s *Store) ListCaptures(since time.Time, limit int) ([]Capture, error) {
	s.flush(true)
	if limit <= 0 {
		limit = -1
	}
	var sinceNS int64 = -1 << 63
	if !since.IsZero() {
		sinceNS = since.UnixNano()
	}
	rows, err := s.db.QueryContext(context.Background(),
		"SELECT "+captureCols+" FROM tollgate_captures WHERE time >= ? ORDER BY time DESC, rowid DESC LIMIT ?", sinceNS, limit)
	if err != nil {
		return nil, fmt.Errorf("logstore: %w", err)
	}
	defer rows.Close()
	var out []Capture
	for rows.Next() {
		c, err := scanCapture(rows)
		if err != nil {
			return nil, fmt.Errorf("logstore: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
