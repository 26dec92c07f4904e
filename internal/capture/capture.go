package capture

import (
	"encoding/json"
	"time"
)

// Why a request was captured (Doc.Captured).
const (
	Failed        = "failed"         // status >= 400 or a LastError
	ClientAborted = "client-aborted" // the caller closed the connection
	CORSRefused   = "cors-refused"   // the browser blocks it although the status may be 200
	Sampled       = "sampled"        // a successful request chosen by --trace-sample
)

// Doc is a captured request. Its JSON field names are stable: tools read
// them from `tollgate why --json` and the admin API.
type Doc struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	Captured string    `json:"captured"`
	Config   Config    `json:"config"`
	Request  Request   `json:"request"`
	Response Response  `json:"response"`
	// Match is what routing and the key check decided.
	Match Match `json:"match"`
	// LastError is the failure, nil for a request without one.
	LastError *LastError `json:"lastError,omitempty"`
	// Backend is the backend call, nil when none was made.
	Backend *Backend `json:"backend,omitempty"`
	// Notes are what tollgate did that the caller cannot see.
	Notes []string `json:"notes,omitempty"`
	// Steps are the trace's entries in order.
	Steps []Step `json:"steps"`
	// Log is the gateway log line of the request.
	Log json.RawMessage `json:"log"`
}

// Config names the configuration that served the request.
type Config struct {
	Dir  string `json:"dir,omitempty"`
	Hash string `json:"hash,omitempty"`
}

// Header is one header line.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Request is the request as the caller sent it, secrets masked.
type Request struct {
	Method   string   `json:"method"`
	URL      string   `json:"url"`
	Path     string   `json:"path"`
	Query    string   `json:"query,omitempty"`
	Host     string   `json:"host,omitempty"`
	CallerIP string   `json:"callerIp"`
	Protocol string   `json:"protocol"`
	Headers  []Header `json:"headers"`
	Body     string   `json:"body,omitempty"`
	// BodyKept says what became of the body: "none" (there was none),
	// "whole", "truncated", "streamed" (sent to the backend unread, not
	// kept).
	BodyKept string `json:"bodyKept"`
	// BodySize is the body's length when known, -1 otherwise.
	BodySize int64 `json:"bodySize"`
}

// Response is what the caller got.
type Response struct {
	Status   int      `json:"status"`
	Headers  []Header `json:"headers"`
	Body     string   `json:"body,omitempty"`
	BodyKept string   `json:"bodyKept"`
}

// Match is what routing and the key check decided.
type Match struct {
	API          string `json:"api,omitempty"`
	APIRevision  string `json:"apiRevision,omitempty"`
	Operation    string `json:"operation,omitempty"`
	Product      string `json:"product,omitempty"`
	Subscription string `json:"subscription,omitempty"`
	// KeyHeader and KeyQuery are where the API reads its subscription key.
	KeyHeader string `json:"keyHeader,omitempty"`
	KeyQuery  string `json:"keyQuery,omitempty"`
	// KeyOf is the subscription whose key the request carried (in the
	// header or query parameter the API reads, the default ones, or
	// Authorization), whether or not it was accepted.
	KeyOf string `json:"keyOf,omitempty"`
	// AllAccess is true when the all-access key admitted the request.
	AllAccess bool `json:"allAccess,omitempty"`
}

// LastError is APIM's LastError with tollgate's cause.
type LastError struct {
	Source   string `json:"source"`
	Reason   string `json:"reason"`
	Message  string `json:"message"`
	Scope    string `json:"scope,omitempty"`
	Section  string `json:"section,omitempty"`
	Path     string `json:"path,omitempty"`
	PolicyID string `json:"policyId,omitempty"`
	// Where is the failing policy's "file:line:col", when a policy failed.
	Where string `json:"where,omitempty"`
	Cause string `json:"cause,omitempty"`
	// ElapsedMs is when the error happened, from the request's start.
	ElapsedMs int64 `json:"elapsedMs"`
}

// Backend is the backend call of a request.
type Backend struct {
	ID         string `json:"id,omitempty"`
	Method     string `json:"method,omitempty"`
	URL        string `json:"url,omitempty"`
	Protocol   string `json:"protocol,omitempty"`
	Status     int    `json:"status"`
	TimeMs     int64  `json:"timeMs"`
	StatusLine string `json:"statusLine,omitempty"`
}

// Step is one trace entry.
type Step struct {
	Section   string  `json:"section"`
	Source    string  `json:"source"`
	ElapsedMs float64 `json:"elapsedMs"`
	TookMs    float64 `json:"tookMs,omitempty"`
	Where     string  `json:"where,omitempty"`
	Path      string  `json:"path,omitempty"`
	Scope     string  `json:"scope,omitempty"`
	Failed    bool    `json:"failed,omitempty"`
	Message   string  `json:"message,omitempty"`
	Data      any     `json:"data,omitempty"`
}

// Status is the response status of d, 0 when the client went away.
func (d *Doc) Status() int { return d.Response.Status }

// FailingStep returns the step that failed, or nil.
func (d *Doc) FailingStep() *Step {
	for i := range d.Steps {
		if d.Steps[i].Failed {
			return &d.Steps[i]
		}
	}
	return nil
}
