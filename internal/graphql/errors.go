package graphql

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// The values of extensions.code in the errors this package reports. They are
// stable: dashboards and clients may match on them.
const (
	CodeBadRequest         = "BAD_REQUEST"               // the HTTP request is not a GraphQL request
	CodeParseFailed        = "GRAPHQL_PARSE_FAILED"      // the query is not GraphQL
	CodeValidationFailed   = "GRAPHQL_VALIDATION_FAILED" // the query does not fit the schema, or names no single operation
	CodeTooLarge           = "QUERY_TOO_LARGE"           // max-size, or the 102,400-byte cap on query text
	CodeTooDeep            = "QUERY_TOO_DEEP"            // max-depth or max-total-depth
	CodeTooComplex         = "QUERY_TOO_COMPLEX"         // max-complexity
	CodeTooManyFields      = "TOO_MANY_FIELDS"           // more than MaxFields fields in the document
	CodeFieldNotAuthorized = "FIELD_NOT_AUTHORIZED"      // a reject or remove rule
)

// Error is one GraphQL error, shaped and JSON-tagged as the GraphQL
// specification's "Errors" section says. Extensions["code"] holds one of the
// Code constants.
type Error struct {
	Message    string         `json:"message"`
	Locations  []Location     `json:"locations,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Location is a 1-based line and column (in characters) in the query text.
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Error returns the message, followed by the first location as
// "(line:column)" when there is one.
func (e *Error) Error() string {
	if len(e.Locations) == 0 {
		return e.Message
	}
	l := e.Locations[0]
	return e.Message + " (" + strconv.Itoa(l.Line) + ":" + strconv.Itoa(l.Column) + ")"
}

// Code returns Extensions["code"], or "" when there is none.
func (e *Error) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// newError builds an Error with the given code and, when line > 0, one
// location.
func newError(code, msg string, line, col int) Error {
	e := Error{Message: msg, Extensions: map[string]any{"code": code}}
	if line > 0 {
		e.Locations = []Location{{Line: line, Column: col}}
	}
	return e
}

// ErrorBody renders {"errors":[...]}, the response to a request error: it has
// no "data" member, as the GraphQL specification requires when a request fails
// before execution.
func ErrorBody(errs []Error) []byte {
	var b bytes.Buffer
	b.WriteString(`{"errors":`)
	writeErrors(&b, errs)
	b.WriteByte('}')
	return b.Bytes()
}

// writeErrors writes errs as a JSON array.
func writeErrors(b *bytes.Buffer, errs []Error) {
	if errs == nil {
		errs = []Error{}
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errs) // cannot fail: the values are strings, numbers, slices and maps of them
	if n := b.Len(); n > 0 && b.Bytes()[n-1] == '\n' {
		b.Truncate(n - 1)
	}
}

// MergeErrors adds errs at the end of the "errors" array of a backend's JSON
// response body, creating the member when the body has none (or has one that
// is null). The rest of the body is kept byte for byte. The body is returned
// unchanged when errs is empty or the body is not a JSON object, or its
// "errors" member is neither an array nor null.
func MergeErrors(body []byte, errs []Error) []byte {
	if len(errs) == 0 || !json.Valid(body) {
		return body
	}
	start, end, found, ok := findErrorsMember(body)
	if !ok {
		return body
	}
	var b bytes.Buffer
	b.Grow(len(body) + 128*len(errs))
	if !found {
		// Insert before the object's closing brace.
		closing := bytes.LastIndexByte(body, '}')
		b.Write(body[:closing])
		if hasMember(body[:closing]) {
			b.WriteByte(',')
		}
		b.WriteString(`"errors":`)
		writeErrors(&b, errs)
		b.Write(body[closing:])
		return b.Bytes()
	}
	value := bytes.TrimSpace(body[start:end])
	b.Write(body[:start])
	if value[0] == 'n' { // null
		writeErrors(&b, errs)
		b.Write(body[end:])
		return b.Bytes()
	}
	// An array: insert the new elements before its closing bracket.
	closing := start + bytes.LastIndexByte(body[start:end], ']')
	b.Write(body[start:closing])
	inner := bytes.TrimSpace(value[1 : len(value)-1])
	var arr bytes.Buffer
	writeErrors(&arr, errs)
	elems := arr.Bytes()[1 : arr.Len()-1]
	if len(inner) > 0 {
		b.WriteByte(',')
	}
	b.Write(elems)
	b.Write(body[closing:])
	return b.Bytes()
}

// hasMember reports whether the text of an object before its closing brace
// holds at least one member.
func hasMember(open []byte) bool {
	i := bytes.IndexByte(open, '{')
	return len(bytes.TrimSpace(open[i+1:])) > 0
}

// findErrorsMember finds the value of the first top-level "errors" member of
// a valid JSON document: its byte range [start, end) with surrounding white
// space included. ok is false when the document is not an object, or the
// member's value is neither an array nor null.
func findErrorsMember(body []byte) (start, end int, found, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return 0, 0, false, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return 0, 0, false, false
		}
		key, _ := tok.(string)
		colon := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return 0, 0, false, false
		}
		if key != "errors" {
			continue
		}
		end := int(dec.InputOffset())
		// InputOffset after the key points before the colon.
		start := colon + bytes.IndexByte(body[colon:end], ':') + 1
		switch raw[0] {
		case '[', 'n':
			return start, end, true, true
		}
		return 0, 0, false, false
	}
	if _, err := dec.Token(); err != nil && err != io.EOF {
		return 0, 0, false, false
	}
	return 0, 0, false, true
}

// pathString joins segments as /a/b/c.
func pathString(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(s)
	}
	return b.String()
}
