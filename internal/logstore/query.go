package logstore

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/tollgate/tollgate/internal/kql"
)

// Result is a query's answer in the shape of the Log Analytics query API.
type Result struct {
	Tables []ResultTable `json:"tables"`
	// Error is set, as Log Analytics sets it, when the result is partial:
	// more rows than the store's MaxRows.
	Error *ResultError `json:"error,omitempty"`
}

// ResultTable is one table of a Result; queries return one, PrimaryResult.
type ResultTable struct {
	Name    string         `json:"name"`
	Columns []ResultColumn `json:"columns"`
	Rows    [][]any        `json:"rows"`
}

// ResultColumn is a column's name and Log Analytics type ("datetime",
// "string", "long", ...).
type ResultColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// ResultError is the error object of the Log Analytics query API.
type ResultError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ExecError is a failure while running a compiled query (as opposed to a
// mistake in it, which is a *kql.Error or kql.ErrorList).
type ExecError struct{ Err error }

func (e *ExecError) Error() string { return "query: " + e.Err.Error() }
func (e *ExecError) Unwrap() error { return e.Err }

// Query compiles query (KQL) against the log table and runs it. When
// timespan > 0 only rows of the last timespan are seen. The query stops at
// ctx's deadline, or after Options.QueryTimeout when ctx has none, and the
// result is cut at Options.MaxRows rows (with Result.Error saying so).
// Mistakes in the query come back as *kql.Error or kql.ErrorList. Lines
// still waiting to be stored are stored first, so that a query sees every
// line written before it.
func (s *Store) Query(ctx context.Context, query string, timespan time.Duration) (*Result, error) {
	return s.QueryRows(ctx, query, timespan, 0)
}

// QueryRows is Query with the result cut at maxRows rows, for a caller
// that shows no more than that (the console's Query page): SQLite stops
// there instead of reading rows nobody sees, and Result.Error says the
// result was cut. A maxRows of 0, or above Options.MaxRows, is
// Options.MaxRows.
func (s *Store) QueryRows(ctx context.Context, query string, timespan time.Duration, maxRows int) (*Result, error) {
	if maxRows <= 0 || maxRows > s.opts.MaxRows {
		maxRows = s.opts.MaxRows
	}
	s.Flush() // a query sees every line written before it
	now := s.opts.Now()
	opts := kql.Options{Tables: []*kql.Table{Table()}, Now: now, MaxRows: maxRows}
	if timespan > 0 {
		opts.Since = now.Add(-timespan)
	}
	c, err := kql.Compile(query, opts)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.QueryTimeout)
		defer cancel()
	}
	rows, err := s.db.QueryContext(ctx, c.SQL, c.Args...)
	if err != nil {
		return nil, s.execError(ctx, err)
	}
	defer rows.Close()
	t := ResultTable{Name: "PrimaryResult", Rows: [][]any{}}
	for _, col := range c.Columns {
		t.Columns = append(t.Columns, ResultColumn{Name: col.Name, Type: col.Type.String()})
	}
	res := &Result{}
	vals := make([]any, len(c.Columns))
	ptrs := make([]any, len(c.Columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if len(t.Rows) == maxRows {
			res.Error = &ResultError{Code: "PartialError", Message: fmt.Sprintf(
				"the result has more than %d rows and was cut there; narrow the query with where, summarize or take", maxRows)}
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, s.execError(ctx, err)
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = convert(c.Columns[i].Type, v)
		}
		t.Rows = append(t.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, s.execError(ctx, err)
	}
	res.Tables = []ResultTable{t}
	if n := s.journalBytes.Load(); s.opts.ReadOnly && n > 0 && res.Error == nil {
		// A store opened for reading cannot store them.
		res.Error = &ResultError{Code: "PartialError", Message: fmt.Sprintf(
			"log lines wait in %s (%d bytes, compressed) and are not in this result: the gateway stores them when its cores have time, and when it next starts; ask it with --server to see them",
			JournalName, n)}
	}
	return res, nil
}

func (s *Store) execError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &ExecError{Err: fmt.Errorf("the query did not finish in time: %w", ctx.Err())}
	}
	return &ExecError{Err: err}
}

// convert turns a SQL value into the JSON value of a Log Analytics type.
func convert(t kql.Type, v any) any {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch t {
	case kql.String:
		if v == nil {
			return ""
		}
		if s, ok := v.(string); ok {
			return s
		}
		return fmt.Sprint(v)
	case kql.Bool:
		switch x := v.(type) {
		case int64:
			return x != 0
		case float64:
			return x != 0
		}
	case kql.DateTime:
		if n, ok := v.(int64); ok {
			return kql.FormatDateTime(n)
		}
		if f, ok := v.(float64); ok {
			return kql.FormatDateTime(int64(f))
		}
	case kql.Timespan:
		if n, ok := v.(int64); ok {
			return kql.FormatTimespan(time.Duration(n))
		}
		if f, ok := v.(float64); ok {
			return kql.FormatTimespan(time.Duration(f))
		}
	case kql.Int, kql.Long:
		switch x := v.(type) {
		case int64:
			return x
		case float64:
			return int64(x)
		}
	case kql.Real:
		switch x := v.(type) {
		case int64:
			return float64(x)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil
			}
			return x
		}
	case kql.Dynamic:
		if s, ok := v.(string); ok {
			return s
		}
	}
	return nil
}

// IsQueryError reports whether err is a mistake in the query (as opposed to
// a failure of the store).
func IsQueryError(err error) bool {
	return kql.Errors(err) != nil
}
