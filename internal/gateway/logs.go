package gateway

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LogRecord is one gateway log line, with the column names of APIM's
// ApiManagementGatewayLogs table so that queries written for Log Analytics
// read tollgate's logs unchanged. LastErrorCause is tollgate's addition: the
// precise explanation of the failure.
type LogRecord struct {
	TimeGenerated time.Time
	CorrelationID string
	// TraceID is the W3C trace id of the request's span (the caller's trace
	// when it sent a traceparent); "" when tracing is off.
	TraceID             string
	APIID               string
	APIRevision         string
	OperationID         string
	OperationName       string
	UserID              string
	ProductID           string
	APIMSubscriptionID  string
	BackendID           string
	Method              string
	URL                 string
	BackendMethod       string
	BackendURL          string
	ResponseCode        int
	BackendResponseCode int
	RequestSize         int64
	ResponseSize        int64
	TotalTime           time.Duration
	BackendTime         time.Duration
	ClientTime          time.Duration
	CallerIPAddress     string
	ClientProtocol      string
	ClientTLSVersion    string
	BackendProtocol     string
	IsTraceRequested    bool
	IsTraceAllowed      bool
	Cache               string
	CacheTime           time.Duration
	LastError           *Error
	// Notes explain what tollgate did that the caller cannot see: a CORS
	// mismatch answered with an empty 200, a store outage failed open.
	Notes            []string
	LastErrorElapsed time.Duration
	// TraceRecords are the messages of trace policies (APIM's TraceRecords
	// column).
	TraceRecords []TraceRecord
	// Metrics are the metrics emit-metric recorded.
	Metrics []Metric
	// EventHubMessages are the messages log-to-eventhub recorded.
	EventHubMessages []EventHubMessage

	// logVerbosity is the least severity of the TraceRecords written on
	// the log line (the azuremonitor diagnostic's verbosity); the record
	// keeps them all.
	logVerbosity uint8
}

// TraceRecord is one message of a trace policy.
type TraceRecord struct {
	Source, Severity, Message string
	Metadata                  Metadata
}

// Metadata are a trace message's metadata, sorted by name, each name once
// (the policy's last). On the log line they are a JSON object.
type Metadata []NameValue

// NameValue is one named value of a record, such as a trace message's
// metadata.
type NameValue struct{ Name, Value string }

// MarshalJSON writes m as an object, as a map of it would be written.
func (m Metadata) MarshalJSON() ([]byte, error) { return appendNameValues(nil, m), nil }

// UnmarshalJSON reads an object of strings.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	var obj map[string]string
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	if obj == nil {
		*m = nil
		return nil
	}
	out := make(Metadata, 0, len(obj))
	for k, v := range obj {
		out = append(out, NameValue{k, v})
	}
	slices.SortFunc(out, func(a, b NameValue) int { return strings.Compare(a.Name, b.Name) })
	*m = out
	return nil
}

// Metric is one emit-metric value.
type Metric struct {
	Name, Namespace string
	Value           float64
	Dimensions      map[string]string
}

// EventHubMessage is one log-to-eventhub message. It is kept on the gateway
// log line, and sent to Kafka or Event Hubs when Options.EventHub is set.
type EventHubMessage struct {
	Logger, Message string
	// PartitionID and PartitionKey are the policy's partition-id and
	// partition-key, "" when not given.
	PartitionID  string `json:"PartitionId,omitempty"`
	PartitionKey string `json:",omitempty"`
}

// IsRequestSuccess reports whether the response code is 2xx or 3xx.
func (r *LogRecord) IsRequestSuccess() bool { return r.ResponseCode >= 200 && r.ResponseCode < 400 }

// Failed reports whether the request failed, as failure capture and
// tracing's alwaysLog count it: an answer of 400 or more, or a LastError
// (a client that went away has both no answer and a LastError).
func (r *LogRecord) Failed() bool { return r.ResponseCode >= 400 || r.LastError != nil }

// AppendJSON appends r as one JSON object without a newline. It writes the
// fields in a fixed order and uses no reflection.
func (r *LogRecord) AppendJSON(b []byte) []byte {
	b = append(b, `{"TimeGenerated":"`...)
	b = appendTimestamp(b, r.TimeGenerated)
	b = append(b, '"')
	b = appendStr(b, "Category", "GatewayLogs")
	b = appendStr(b, "CorrelationId", r.CorrelationID)
	b = appendStr(b, "TraceId", r.TraceID)
	b = appendStr(b, "ApiId", r.APIID)
	b = appendStr(b, "ApiRevision", r.APIRevision)
	b = appendStr(b, "OperationId", r.OperationID)
	b = appendStr(b, "OperationName", r.OperationName)
	b = appendStr(b, "UserId", r.UserID)
	b = appendStr(b, "ProductId", r.ProductID)
	b = appendStr(b, "ApimSubscriptionId", r.APIMSubscriptionID)
	b = appendStr(b, "BackendId", r.BackendID)
	b = appendStr(b, "Method", r.Method)
	b = appendStr(b, "Url", r.URL)
	b = appendStr(b, "BackendMethod", r.BackendMethod)
	b = appendStr(b, "BackendUrl", r.BackendURL)
	b = appendInt(b, "ResponseCode", int64(r.ResponseCode))
	b = appendInt(b, "BackendResponseCode", int64(r.BackendResponseCode))
	b = appendInt(b, "RequestSize", r.RequestSize)
	b = appendInt(b, "ResponseSize", r.ResponseSize)
	b = appendInt(b, "TotalTime", r.TotalTime.Milliseconds())
	b = appendInt(b, "BackendTime", r.BackendTime.Milliseconds())
	b = appendInt(b, "ClientTime", r.ClientTime.Milliseconds())
	b = appendStr(b, "CallerIpAddress", r.CallerIPAddress)
	b = appendStr(b, "ClientProtocol", r.ClientProtocol)
	b = appendStr(b, "ClientTlsVersion", r.ClientTLSVersion)
	b = appendStr(b, "BackendProtocol", r.BackendProtocol)
	b = appendStr(b, "Region", "local")
	b = appendStr(b, "Cache", r.Cache)
	b = appendInt(b, "CacheTime", r.CacheTime.Milliseconds())
	b = append(b, `,"IsRequestSuccess":`...)
	b = strconv.AppendBool(b, r.IsRequestSuccess())
	b = append(b, `,"IsTraceRequested":`...)
	b = strconv.AppendBool(b, r.IsTraceRequested)
	b = append(b, `,"IsTraceAllowed":`...)
	b = strconv.AppendBool(b, r.IsTraceAllowed)
	if e := r.LastError; e != nil {
		b = appendInt(b, "LastErrorElapsed", r.LastErrorElapsed.Milliseconds())
		b = appendStr(b, "LastErrorSource", e.Source)
		b = appendStr(b, "LastErrorReason", e.Reason)
		b = appendStr(b, "LastErrorMessage", e.Message)
		b = appendStr(b, "LastErrorScope", e.Scope)
		b = appendStr(b, "LastErrorSection", e.Section)
		b = appendStr(b, "LastErrorPath", e.Path)
		b = appendStr(b, "LastErrorPolicyId", e.PolicyID)
		b = appendStr(b, "LastErrorCause", e.Cause)
		// Errors is APIM's list of every error of the request; tollgate
		// keeps the last one, which is the one that decided the response.
		b = append(b, `,"Errors":[{"source":`...)
		b = appendJSONString(b, e.Source)
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, e.Reason)
		b = append(b, `,"message":`...)
		b = appendJSONString(b, e.Message)
		b = append(b, `,"section":`...)
		b = appendJSONString(b, e.Section)
		b = append(b, `,"path":`...)
		b = appendJSONString(b, e.Path)
		b = append(b, `,"elapsed":`...)
		b = strconv.AppendInt(b, r.LastErrorElapsed.Milliseconds(), 10)
		b = append(b, `}]`...)
	} else {
		for _, k := range [...]string{"LastErrorSource", "LastErrorReason", "LastErrorMessage", "LastErrorSection"} {
			b = appendStr(b, k, "")
		}
	}
	if len(r.TraceRecords) > 0 || len(r.Metrics) > 0 || len(r.EventHubMessages) > 0 {
		b = r.appendRecords(b)
	}
	if len(r.Notes) > 0 {
		b = append(b, `,"TollgateNotes":[`...)
		for i, n := range r.Notes {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, n)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendTimestamp appends t in UTC as 2006-01-02T15:04:05.0000000Z, the
// layout of APIM's TimeGenerated, without time.Format's parsing of the
// layout.
func appendTimestamp(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, "2006-01-02T15:04:05.0000000Z")
	}
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, second, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/100, 7)
	return append(b, 'Z')
}

// appendDigits appends n, at least 0, as exactly width (at most 7) decimal
// digits.
func appendDigits(b []byte, n, width int) []byte {
	b = append(b, "0000000"[:width]...)
	for i := len(b) - 1; width > 0; i, width = i-1, width-1 {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}

func appendStr(b []byte, key, val string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendJSONString(b, val)
}

func appendInt(b []byte, key string, v int64) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, v, 10)
}

// LogWriter writes log records as JSON lines. A line is only ever written
// whole, so that concurrent requests never interleave and a reader tailing
// the file sees whole lines.
//
// Under load, lines are coalesced: the line of a request that ends while
// others are still being served waits in memory for the last of them, so
// that one write carries many lines instead of one write per request. A
// line waits at most until no request is in flight, the lines waiting reach
// logBatchBytes, or logMaxDelay has passed; when the gateway serves one
// request at a time, its line is written before the response is complete.
type LogWriter struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte // lines not yet written
	out     []byte // the lines being written, swapped with buf
	writing bool   // a goroutine is writing out
	active  int    // requests begun and not yet logged
	timer   *time.Timer
	armed   bool // timer will flush
}

const (
	// logBatchBytes is how many bytes of lines wait at most before a
	// write.
	logBatchBytes = 32 << 10
	// logMaxDelay is how long a line waits at most.
	logMaxDelay = 100 * time.Millisecond
)

// NewLogWriter returns a LogWriter writing to w.
func NewLogWriter(w io.Writer) *LogWriter { return &LogWriter{w: w} }

// Write writes r as one line, with any lines still waiting, before it
// returns. Failures to write are dropped: logging never fails a request.
func (l *LogWriter) Write(r *LogRecord) {
	if l == nil || l.w == nil {
		return
	}
	l.mu.Lock()
	l.buf = r.AppendJSON(l.buf)
	l.buf = append(l.buf, '\n')
	l.writeOut()
}

// begin counts a request whose line will come with end.
func (l *LogWriter) begin() {
	if l == nil || l.w == nil {
		return
	}
	l.mu.Lock()
	l.active++
	l.mu.Unlock()
}

// end logs the record of a request counted by begin: written now when no
// other request is in flight or enough lines wait, else left for the last
// request in flight to write.
func (l *LogWriter) end(r *LogRecord) {
	if l == nil || l.w == nil {
		return
	}
	l.mu.Lock()
	l.active--
	l.buf = r.AppendJSON(l.buf)
	l.buf = append(l.buf, '\n')
	if l.active <= 0 || len(l.buf) >= logBatchBytes {
		l.writeOut()
		return
	}
	if !l.armed {
		// A request that never ends (a handler that panicked) must not
		// hold the lines back.
		l.armed = true
		if l.timer == nil {
			l.timer = time.AfterFunc(logMaxDelay, l.Flush)
		} else {
			l.timer.Reset(logMaxDelay)
		}
	}
	l.mu.Unlock()
}

// Flush writes the lines waiting, if any.
func (l *LogWriter) Flush() {
	if l == nil || l.w == nil {
		return
	}
	l.mu.Lock()
	l.armed = false
	l.writeOut()
}

// writeOut writes the waiting lines; it is called with l.mu held and
// releases it. Lines are written in the order they were logged: while one
// goroutine writes, the lines logged meanwhile wait for it to write them
// next.
func (l *LogWriter) writeOut() {
	if l.writing {
		l.mu.Unlock()
		return
	}
	l.writing = true
	for len(l.buf) > 0 {
		l.buf, l.out = l.out[:0], l.buf
		l.mu.Unlock()
		l.w.Write(l.out)
		l.mu.Lock()
	}
	l.writing = false
	if cap(l.out) > 4*logBatchBytes {
		l.out = nil // a rare huge line: do not keep its buffer
	}
	l.mu.Unlock()
}

// appendRecords appends the trace records, metrics and event hub messages.
// They are rare, so they go through encoding/json.
func (r *LogRecord) appendRecords(b []byte) []byte {
	written := 0
	for _, t := range r.TraceRecords {
		if r.logVerbosity > severityVerbose && severityRank(t.Severity) < r.logVerbosity {
			continue
		}
		if written == 0 {
			b = append(b, `,"TraceRecords":[`...)
		} else {
			b = append(b, ',')
		}
		written++
		b = append(b, `{"Source":`...)
		b = appendJSONString(b, t.Source)
		b = append(b, `,"Severity":`...)
		b = appendJSONString(b, t.Severity)
		b = append(b, `,"Message":`...)
		b = appendJSONString(b, t.Message)
		b = append(b, `,"Metadata":`...)
		b = appendNameValues(b, t.Metadata)
		b = append(b, '}')
	}
	if written > 0 {
		b = append(b, ']')
	}
	if len(r.Metrics) > 0 {
		// encoding/json writes the numbers; a value it refuses (NaN) leaves
		// the field out.
		if j, err := json.Marshal(r.Metrics); err == nil {
			b = append(b, `,"Metrics":`...)
			b = append(b, j...)
		}
	}
	if len(r.EventHubMessages) > 0 {
		b = append(b, `,"EventHubMessages":[`...)
		for i, m := range r.EventHubMessages {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"Logger":`...)
			b = appendJSONString(b, m.Logger)
			b = append(b, `,"Message":`...)
			b = appendJSONString(b, m.Message)
			if m.PartitionID != "" {
				b = append(b, `,"PartitionId":`...)
				b = appendJSONString(b, m.PartitionID)
			}
			if m.PartitionKey != "" {
				b = append(b, `,"PartitionKey":`...)
				b = appendJSONString(b, m.PartitionKey)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return b
}

// appendNameValues appends sorted, unique name-value pairs as a JSON
// object; none is null, as a nil map was.
func appendNameValues(b []byte, nvs []NameValue) []byte {
	if nvs == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i, nv := range nvs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, nv.Name)
		b = append(b, ':')
		b = appendJSONString(b, nv.Value)
	}
	return append(b, '}')
}

// tlsVersionName names a TLS version as the ClientTlsVersion column does.
func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "1.3"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS11:
		return "1.1"
	case tls.VersionTLS10:
		return "1.0"
	}
	return ""
}
