package gateway

import (
	"net/http"
	"strconv"
	"strings"
)

// Error is a failure raised while processing a request. It carries APIM's
// LastError fields, the response APIM sends for it, and tollgate's precise
// cause, which goes to logs and traces but never to the caller.
type Error struct {
	Source   string // LastError.Source: "configuration", "authorization", "forward-request", a policy name
	Reason   string // LastError.Reason: "OperationNotFound", "SubscriptionKeyInvalid", ...
	Message  string // LastError.Message, as APIM words it
	Scope    string // LastError.Scope: "global", "product", "api", "operation" or ""
	Section  string // LastError.Section: "inbound", "backend", "outbound", "on-error" or ""
	Path     string // LastError.Path, e.g. `choose[1]\when[1]`
	PolicyID string // LastError.PolicyId
	Where    string // "file:line:col" of the failing policy, "" for built-in steps

	Status int         // status sent to the caller when on-error does not change it
	Body   string      // body sent to the caller (APIM's JSON error shape)
	Header http.Header // headers sent with the error response, e.g. Retry-After

	// Cause explains the failure precisely: which input, which step, what to
	// change. It never contains a secret.
	Cause string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.Cause != "" {
		b.WriteString(" (")
		b.WriteString(e.Cause)
		b.WriteString(")")
	}
	return b.String()
}

// Messages APIM sends in its gateway error bodies.
const (
	msgNotFound       = "Resource not found"
	msgOperationNF    = "Unable to match incoming request to an operation."
	msgMissingKey     = "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."
	msgInvalidKey     = "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
	msgInternal       = "Internal server error"
	msgBackendClosed  = "Underlying transport connection was unexpectedly closed."
	msgClientAborted  = "The client closed the connection before the response was sent."
	msgBackendTimeout = "The operation was canceled because the backend did not send a response within the timeout."
)

// errorBody renders APIM's error body: { "statusCode": N, "message": "..." }.
func errorBody(status int, message string) string {
	return `{ "statusCode": ` + strconv.Itoa(status) + `, "message": ` + jsonString(message) + ` }`
}

// internalErrorBody renders APIM's body for an unhandled failure, which
// carries the request's activity id.
func internalErrorBody(activityID string) string {
	return `{ "statusCode": 500, "message": "Internal server error", "activityId": "` + activityID + `" }`
}

func errOperationNotFound(cause string) *Error {
	return &Error{
		Source: "configuration", Reason: "OperationNotFound", Message: msgOperationNF,
		Status: 404, Body: errorBody(404, msgNotFound), Cause: cause,
	}
}

func errKeyNotFound(cause string) *Error {
	return &Error{
		Source: "authorization", Reason: "SubscriptionKeyNotFound", Message: msgMissingKey,
		Status: 401, Body: errorBody(401, msgMissingKey), Cause: cause,
	}
}

func errKeyInvalid(cause string) *Error {
	return &Error{
		Source: "authorization", Reason: "SubscriptionKeyInvalid", Message: msgInvalidKey,
		Status: 401, Body: errorBody(401, msgInvalidKey), Cause: cause,
	}
}

func jsonString(s string) string {
	return string(appendJSONString(nil, s))
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the bytes appendJSONString copies unescaped.
var jsonSafe = func() (safe [256]bool) {
	for c := 0x20; c < 256; c++ {
		safe[c] = true
	}
	for _, c := range []byte{'"', '\\', '<', '>', '&', 0x7f} {
		safe[c] = false
	}
	return safe
}()

// appendJSONString appends s as a JSON string literal. It escapes what JSON
// requires plus <, > and & so the output is safe in any context.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if jsonSafe[c] {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
