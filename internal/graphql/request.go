package graphql

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Request is a GraphQL request: the query text, the operation to run and the
// variables' values (JSON numbers are json.Number).
type Request struct {
	Query         string
	OperationName string
	Variables     map[string]any
}

// ReadRequest reads a GraphQL request the way GraphQL servers accept it over
// HTTP:
//
//   - POST with Content-Type application/json (or any application/*+json):
//     a JSON object {"query": "...", "operationName": "...", "variables": {...}};
//     operationName and variables may be null or absent, and variables may be a
//     JSON string holding the object, as some clients send it;
//   - POST with Content-Type application/graphql: the body is the query;
//   - GET with the same three members as URL query parameters, variables as JSON.
//
// A body longer than maxSize bytes (for GET, the three parameters' combined
// length) is refused before anything is decoded, with code QUERY_TOO_LARGE;
// maxSize <= 0 means no limit. Any other failure is code BAD_REQUEST. The
// error is always an *Error, to be sent with ErrorBody.
func ReadRequest(method, contentType string, query url.Values, body []byte, maxSize int64) (Request, error) {
	switch method {
	case "GET":
		q, op, vars := query.Get("query"), query.Get("operationName"), query.Get("variables")
		if n := int64(len(q) + len(op) + len(vars)); maxSize > 0 && n > maxSize {
			return Request{}, tooLarge("GET request parameters", n, maxSize)
		}
		if q == "" {
			return Request{}, badRequest("GET request has no query parameter")
		}
		r := Request{Query: q, OperationName: op}
		if vars != "" {
			v, err := decodeVariables([]byte(vars))
			if err != nil {
				return Request{}, badRequest("variables parameter: " + err.Error())
			}
			r.Variables = v
		}
		return r, nil
	case "POST":
	default:
		return Request{}, badRequest(fmt.Sprintf("method %s is not supported: send GraphQL requests with GET or POST", method))
	}
	if n := int64(len(body)); maxSize > 0 && n > maxSize {
		return Request{}, tooLarge("request body", n, maxSize)
	}
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case mt == "application/graphql":
		if len(bytes.TrimSpace(body)) == 0 {
			return Request{}, badRequest("application/graphql request has an empty body")
		}
		return Request{Query: string(body)}, nil
	case mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"):
		return readJSON(body)
	case mt == "":
		return Request{}, badRequest("POST request has no Content-Type: send application/json or application/graphql")
	}
	return Request{}, badRequest(fmt.Sprintf("unsupported Content-Type %s: send application/json or application/graphql", mt))
}

// readJSON decodes a JSON request body.
func readJSON(body []byte) (Request, error) {
	var m struct {
		Query         json.RawMessage `json:"query"`
		OperationName json.RawMessage `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
	}
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return Request{}, badRequest("request body is empty: send a JSON object with a query")
	case trimmed[0] == '[':
		return Request{}, badRequest("batched GraphQL requests (a JSON array) are not supported: send one JSON object")
	case trimmed[0] != '{':
		if !json.Valid(trimmed) {
			return Request{}, badRequest("request body is not valid JSON: " + jsonErr(json.Unmarshal(trimmed, new(any))))
		}
		return Request{}, badRequest("request body is not a JSON object")
	}
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return Request{}, badRequest("request body is not valid JSON: " + jsonErr(err))
	}
	var r Request
	if len(m.Query) == 0 || m.Query[0] != '"' {
		return Request{}, badRequest(`request body has no "query" string`)
	}
	if err := json.Unmarshal(m.Query, &r.Query); err != nil {
		return Request{}, badRequest(`"query": ` + jsonErr(err))
	}
	if len(m.OperationName) > 0 && string(m.OperationName) != "null" {
		if m.OperationName[0] != '"' {
			return Request{}, badRequest(`"operationName" must be a string`)
		}
		if err := json.Unmarshal(m.OperationName, &r.OperationName); err != nil {
			return Request{}, badRequest(`"operationName": ` + jsonErr(err))
		}
	}
	if len(m.Variables) > 0 {
		raw := []byte(m.Variables)
		if raw[0] == '"' {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return Request{}, badRequest(`"variables": ` + jsonErr(err))
			}
			raw = []byte(s)
		}
		v, err := decodeVariables(raw)
		if err != nil {
			return Request{}, badRequest(`"variables": ` + err.Error())
		}
		r.Variables = v
	}
	return r, nil
}

// decodeVariables decodes a JSON object (or null) of variable values, keeping
// numbers as json.Number.
func decodeVariables(raw []byte) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" || len(raw) == 0 {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, errors.New("must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, errors.New("not valid JSON: " + jsonErr(err))
	}
	if dec.More() {
		return nil, errors.New("not valid JSON: data after the object")
	}
	return v, nil
}

// jsonErr describes a JSON decoding error, with its byte offset when known.
func jsonErr(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s value where %s was expected at byte %d", te.Value, te.Type, te.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of JSON input"
	}
	return err.Error()
}

// badRequest returns a BAD_REQUEST error.
func badRequest(msg string) *Error {
	e := newError(CodeBadRequest, msg, 0, 0)
	return &e
}

// tooLarge returns a QUERY_TOO_LARGE error for what, n bytes over max.
func tooLarge(what string, n, max int64) *Error {
	e := newError(CodeTooLarge, fmt.Sprintf("%s of %d bytes exceeds max-size %d", what, n, max), 0, 0)
	return &e
}
