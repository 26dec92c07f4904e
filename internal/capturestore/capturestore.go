// Package capturestore joins failure capture to the log store: Persisted
// keeps captured requests in a logstore.Store and reads them back, Layered
// looks in the capture store's memory first and in the log store after.
package capturestore

import (
	"errors"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/logstore"
)

// Persisted reads and writes captured requests in a log store: it is the
// capture store's Persister and a capture.Source.
type Persisted struct{ Store *logstore.Store }

// PersistCapture implements capture.Persister.
func (p Persisted) PersistCapture(id string, t time.Time, status int, api, operation string, doc []byte) {
	p.Store.PutCapture(logstore.Capture{ID: id, Time: t, Status: status, APIID: api, OperationID: operation, Doc: doc})
}

// Capture implements capture.Source.
func (p Persisted) Capture(id string) (*capture.Doc, error) {
	rec, err := p.Store.GetCapture(id)
	var amb *logstore.AmbiguousError
	switch {
	case errors.Is(err, logstore.ErrNotFound):
		return nil, capture.ErrNotFound
	case errors.As(err, &amb):
		return nil, &capture.AmbiguousError{Prefix: amb.Prefix, Candidates: amb.Candidates}
	case err != nil:
		return nil, err
	}
	return capture.Decode(rec.Doc)
}

// Captures implements capture.Source.
func (p Persisted) Captures(since time.Time, limit int) ([]*capture.Doc, error) {
	recs, err := p.Store.ListCaptures(since, limit)
	if err != nil {
		return nil, err
	}
	docs := make([][]byte, len(recs))
	for i, r := range recs {
		docs[i] = r.Doc
	}
	return capture.DecodeAll(docs)
}

// Layered looks in memory first (the newest captures, before the store has
// written them) and then in the store (everything kept, across restarts).
type Layered struct {
	Mem  *capture.Store
	Disk Persisted
}

// Capture implements capture.Source.
func (l Layered) Capture(id string) (*capture.Doc, error) {
	d, err := l.Mem.Capture(id)
	if errors.Is(err, capture.ErrNotFound) {
		return l.Disk.Capture(id)
	}
	return d, err
}

// Captures implements capture.Source.
func (l Layered) Captures(since time.Time, limit int) ([]*capture.Doc, error) {
	l.Mem.Flush()
	return l.Disk.Captures(since, limit)
}
