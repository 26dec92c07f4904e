package graphql

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestReadRequest(t *testing.T) {
	const q = `query Q($n: Int) { users(first: $n) { name } }`
	tests := []struct {
		desc        string
		method, ct  string
		query       url.Values
		body        string
		max         int64
		want        Request
		code, inMsg string // an error's code and part of its message
	}{
		{desc: "json", method: "POST", ct: "application/json",
			body: `{"query":"{ me { name } }","operationName":"Op","variables":{"n":5,"s":"x"}}`,
			want: Request{Query: "{ me { name } }", OperationName: "Op", Variables: map[string]any{"n": json.Number("5"), "s": "x"}}},
		{desc: "json with charset and nulls", method: "POST", ct: "Application/JSON; charset=utf-8",
			body: `{"query":"{ me }","operationName":null,"variables":null,"extensions":{"x":1}}`,
			want: Request{Query: "{ me }"}},
		{desc: "json variables as a string", method: "POST", ct: "application/json",
			body: `{"query":"{ me }","variables":"{\"n\":1}"}`,
			want: Request{Query: "{ me }", Variables: map[string]any{"n": json.Number("1")}}},
		{desc: "+json media type", method: "POST", ct: "application/vnd.api+json",
			body: `{"query":"{ me }"}`, want: Request{Query: "{ me }"}},
		{desc: "application/graphql", method: "POST", ct: "application/graphql",
			body: q, want: Request{Query: q}},
		{desc: "get", method: "GET",
			query: url.Values{"query": {q}, "operationName": {"Q"}, "variables": {`{"n":2}`}},
			want:  Request{Query: q, OperationName: "Q", Variables: map[string]any{"n": json.Number("2")}}},
		{desc: "get without variables", method: "GET", query: url.Values{"query": {"{ me }"}},
			want: Request{Query: "{ me }"}},
		{desc: "body at max-size", method: "POST", ct: "application/graphql", body: "{ me }", max: 6,
			want: Request{Query: "{ me }"}},

		{desc: "body past max-size", method: "POST", ct: "application/graphql", body: "{ me }", max: 5,
			code: CodeTooLarge, inMsg: "request body of 6 bytes exceeds max-size 5"},
		{desc: "malformed json past max-size is refused for its size", method: "POST", ct: "application/json", body: `{"query":`, max: 5,
			code: CodeTooLarge, inMsg: "max-size 5"},
		{desc: "get past max-size", method: "GET", query: url.Values{"query": {"{ me }"}, "variables": {"{}"}}, max: 7,
			code: CodeTooLarge, inMsg: "8 bytes exceeds max-size 7"},
		{desc: "get without query", method: "GET", query: url.Values{"operationName": {"x"}},
			code: CodeBadRequest, inMsg: "no query parameter"},
		{desc: "get with bad variables", method: "GET", query: url.Values{"query": {"{ me }"}, "variables": {"[1]"}},
			code: CodeBadRequest, inMsg: "variables parameter: must be a JSON object"},
		{desc: "get with malformed variables", method: "GET", query: url.Values{"query": {"{ me }"}, "variables": {"{"}},
			code: CodeBadRequest, inMsg: "not valid JSON"},
		{desc: "put", method: "PUT", ct: "application/json", body: `{"query":"{ me }"}`,
			code: CodeBadRequest, inMsg: "method PUT is not supported"},
		{desc: "no content type", method: "POST", body: `{"query":"{ me }"}`,
			code: CodeBadRequest, inMsg: "no Content-Type"},
		{desc: "form", method: "POST", ct: "application/x-www-form-urlencoded", body: "query=x",
			code: CodeBadRequest, inMsg: "unsupported Content-Type application/x-www-form-urlencoded"},
		{desc: "malformed json", method: "POST", ct: "application/json", body: `{"query": "{ me }",}`,
			code: CodeBadRequest, inMsg: "not valid JSON: invalid character '}'"},
		{desc: "truncated json", method: "POST", ct: "application/json", body: `{"query": "{ me }"`,
			code: CodeBadRequest, inMsg: "not valid JSON"},
		{desc: "json string", method: "POST", ct: "application/json", body: `"{ me }"`,
			code: CodeBadRequest, inMsg: "not a JSON object"},
		{desc: "json garbage", method: "POST", ct: "application/json", body: `{ me }x`,
			code: CodeBadRequest, inMsg: "not valid JSON"},
		{desc: "batch", method: "POST", ct: "application/json", body: `[{"query":"{ me }"}]`,
			code: CodeBadRequest, inMsg: "batched"},
		{desc: "empty json body", method: "POST", ct: "application/json", body: "  ",
			code: CodeBadRequest, inMsg: "empty"},
		{desc: "no query", method: "POST", ct: "application/json", body: `{"operationName":"x"}`,
			code: CodeBadRequest, inMsg: `no "query" string`},
		{desc: "query not a string", method: "POST", ct: "application/json", body: `{"query":{"a":1}}`,
			code: CodeBadRequest, inMsg: `no "query" string`},
		{desc: "null query", method: "POST", ct: "application/json", body: `{"query":null}`,
			code: CodeBadRequest, inMsg: `no "query" string`},
		{desc: "operationName not a string", method: "POST", ct: "application/json", body: `{"query":"{ me }","operationName":3}`,
			code: CodeBadRequest, inMsg: `"operationName" must be a string`},
		{desc: "variables not an object", method: "POST", ct: "application/json", body: `{"query":"{ me }","variables":[1]}`,
			code: CodeBadRequest, inMsg: `"variables": must be a JSON object`},
		{desc: "variables string not an object", method: "POST", ct: "application/json", body: `{"query":"{ me }","variables":"x"}`,
			code: CodeBadRequest, inMsg: `"variables": must be a JSON object`},
		{desc: "empty graphql body", method: "POST", ct: "application/graphql", body: " \n",
			code: CodeBadRequest, inMsg: "empty body"},
	}
	for i, tt := range tests {
		got, err := ReadRequest(tt.method, tt.ct, tt.query, []byte(tt.body), tt.max)
		if tt.code == "" {
			if err != nil {
				t.Errorf("%d %s: unexpected error %v", i, tt.desc, err)
			} else if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%d %s: got %#v; want %#v", i, tt.desc, got, tt.want)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%d %s: got %#v, error %v; want an *Error", i, tt.desc, got, err)
			continue
		}
		if e.Code() != tt.code || !strings.Contains(e.Message, tt.inMsg) {
			t.Errorf("%d %s: got %s %q; want %s containing %q", i, tt.desc, e.Code(), e.Message, tt.code, tt.inMsg)
		}
	}
}
