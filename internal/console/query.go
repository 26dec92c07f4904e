package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// Querier runs KQL against the log store. The log store's query API
// (POST /v1/query) answers in the same shape; HandlerQuerier adapts it.
type Querier interface {
	// Query runs kql. A positive timespan limits the rows to those of the
	// last timespan, as the Log Analytics API's timespan does. A positive
	// maxRows cuts the result there (Result.Error then says so), so that a
	// page reads no more rows than it shows. A mistake in the query is a
	// *QueryError.
	Query(ctx context.Context, kql string, timespan time.Duration, maxRows int) (*Result, error)
}

// Result is the answer of the Log Analytics query API.
type Result struct {
	Tables []Table `json:"tables"`
	// Error is set when the result is partial (cut at the store's row
	// limit).
	Error *ErrorBody `json:"error,omitempty"`
}

// Table is one table of a Result.
type Table struct {
	Name    string   `json:"name"`
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// Column is a column's name and Log Analytics type: datetime, string,
// int, long, real, bool, timespan or dynamic.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// ErrorBody is the error object of the query API.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// QueryError is a query the store refused: a mistake in it, with its
// position ("query:1:34: ...").
type QueryError struct {
	Code    string
	Message string
}

func (e *QueryError) Error() string { return e.Message }

// Primary returns the first table of r, or an empty one.
func (r *Result) Primary() *Table {
	if r == nil || len(r.Tables) == 0 {
		return &Table{Name: "PrimaryResult"}
	}
	return &r.Tables[0]
}

// Col returns the index of the column named name, or -1.
func (t *Table) Col(name string) int {
	for i, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// HandlerQuerier runs queries through h, a handler of the query API
// (POST /v1/query with {"query": ..., "timespan": ..., "maxRows": ...}),
// in process.
func HandlerQuerier(h http.Handler) Querier { return handlerQuerier{h} }

type handlerQuerier struct{ h http.Handler }

// maxResultBytes bounds what one query may hand the console.
const maxResultBytes = 32 << 20

func (q handlerQuerier) Query(ctx context.Context, kql string, timespan time.Duration, maxRows int) (*Result, error) {
	body := map[string]any{"query": kql}
	if timespan > 0 {
		body["timespan"] = isoDuration(timespan)
	}
	if maxRows > 0 {
		body["maxRows"] = maxRows
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req := httptest.NewRequestWithContext(ctx, "POST", "/v1/query", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	q.h.ServeHTTP(rec, req)
	if rec.Body.Len() > maxResultBytes {
		return nil, fmt.Errorf("the query's result is larger than %d MiB: narrow it with where, summarize or take", maxResultBytes>>20)
	}
	if rec.Code != http.StatusOK {
		var e struct {
			Error ErrorBody `json:"error"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &e) == nil && e.Error.Message != "" {
			if rec.Code == http.StatusBadRequest {
				return nil, &QueryError{Code: e.Error.Code, Message: e.Error.Message}
			}
			return nil, fmt.Errorf("the log store answered %d: %s", rec.Code, e.Error.Message)
		}
		return nil, fmt.Errorf("the log store answered %d", rec.Code)
	}
	res := new(Result)
	dec := json.NewDecoder(rec.Body)
	dec.UseNumber()
	if err := dec.Decode(res); err != nil {
		return nil, fmt.Errorf("reading the log store's answer: %w", err)
	}
	return res, nil
}

// isoDuration writes d as an ISO 8601 duration in seconds (PT3600S).
func isoDuration(d time.Duration) string {
	return fmt.Sprintf("PT%dS", int64(d/time.Second))
}
