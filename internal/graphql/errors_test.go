package graphql

import (
	"encoding/json"
	"testing"
)

func TestErrorBody(t *testing.T) {
	e := newError(CodeTooDeep, "query depth 8 exceeds max-depth 6 at /Query/a/<b>", 2, 3)
	e.Path = []any{"a", "b"}
	got := string(ErrorBody([]Error{e}))
	want := `{"errors":[{"message":"query depth 8 exceeds max-depth 6 at /Query/a/<b>","locations":[{"line":2,"column":3}],"path":["a","b"],"extensions":{"code":"QUERY_TOO_DEEP"}}]}`
	if got != want {
		t.Errorf("ErrorBody:\n got %s\nwant %s", got, want)
	}
	if got := string(ErrorBody(nil)); got != `{"errors":[]}` {
		t.Errorf("ErrorBody(nil) = %s", got)
	}
	if got := e.Error(); got != "query depth 8 exceeds max-depth 6 at /Query/a/<b> (2:3)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestMergeErrors(t *testing.T) {
	e := newError(CodeFieldNotAuthorized, "removed", 1, 2)
	const item = `{"message":"removed","locations":[{"line":1,"column":2}],"extensions":{"code":"FIELD_NOT_AUTHORIZED"}}`
	tests := []struct {
		body, want string
	}{
		{`{"data":{"a":1}}`, `{"data":{"a":1},"errors":[` + item + `]}`},
		{"{\"data\":{\"a\":1}}\n", `{"data":{"a":1},"errors":[` + item + "]}\n"},
		{`{}`, `{"errors":[` + item + `]}`},
		{` { } `, ` { "errors":[` + item + `]} `},
		{`{"errors":[{"message":"x"}],"data":null}`, `{"errors":[{"message":"x"},` + item + `],"data":null}`},
		{`{"data":{},"errors" : [ ] }`, `{"data":{},"errors" : [ ` + item + `] }`},
		{`{"errors":null,"data":{}}`, `{"errors":[` + item + `],"data":{}}`},
		{`{"data":{"errors":[]}}`, `{"data":{"errors":[]},"errors":[` + item + `]}`},
		{`{"errors":"x"}`, `{"errors":"x"}`},
		{`[1]`, `[1]`},
		{`"x"`, `"x"`},
		{`{"data":`, `{"data":`},
		{``, ``},
		{`not json`, `not json`},
	}
	for i, tt := range tests {
		got := string(MergeErrors([]byte(tt.body), []Error{e}))
		if got != tt.want {
			t.Errorf("%d: MergeErrors(%s)\n got %s\nwant %s", i, tt.body, got, tt.want)
		}
		if got != tt.body && !json.Valid([]byte(got)) {
			t.Errorf("%d: invalid JSON %s", i, got)
		}
	}
	if got := string(MergeErrors([]byte(`{"a":1}`), nil)); got != `{"a":1}` {
		t.Errorf("no errors: %s", got)
	}
}
