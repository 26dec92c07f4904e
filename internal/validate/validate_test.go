package validate

import (
	"strings"
	"testing"
)

const petDoc = `{"$schema":"http://json-schema.org/draft-04/schema#","allOf":[{"$ref":"#/components/schemas/Pet"}],
"components":{"schemas":{"Pet":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0},"tag":{"$ref":"#/components/schemas/Tag"}}},
"Tag":{"type":"string","enum":["a","b"]}}}}`

func TestCheckJSON(t *testing.T) {
	s, err := Compile([]byte(petDoc), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		body, msg, cause string
		line, pos        int
	}{
		{body: `{"name":"rex","age":3,"tag":"a"}`},
		{body: `{"name":"rex","x":1}`},
		{body: "{\n  \"name\": 12\n}", msg: "Got number, want string at '/name'.", line: 2, pos: 12,
			cause: `value at /name (12) fails rule "type": got number, want string`},
		{body: `{"name":"rex","age":-1}`, msg: "Minimum: got -1, want 0 at '/age'.", line: 1, pos: 22,
			cause: `value at /age (-1) fails rule "minimum": minimum: got -1, want 0`},
		{body: `{"name":"rex","tag":"c"}`, msg: `Value must be one of 'a', 'b' at '/tag'.`, line: 1, pos: 23,
			cause: `value at /tag ("c") fails rule "enum": value must be one of 'a', 'b'`},
		{body: `{"age":1}`, msg: "Missing property 'name' at '(root)'.", line: 1, pos: 9,
			cause: `value at (root) ({"age":1}) fails rule "required": missing property 'name'`},
		{body: `{"name":`, msg: "Unexpected end of content while loading JObject. Path 'name', line 1, position 8.", line: 1, pos: 8,
			cause: "body is not JSON: Unexpected end of content while loading JObject. Path 'name', line 1, position 8."},
	}
	for _, tt := range tests {
		p := s.CheckJSON([]byte(tt.body))
		if tt.msg == "" {
			if p != nil {
				t.Errorf("%s: unexpected problem %+v", tt.body, p)
			}
			continue
		}
		if p == nil {
			t.Errorf("%s: no problem", tt.body)
			continue
		}
		if p.Message != tt.msg || p.Line != tt.line || p.Position != tt.pos || p.Cause != tt.cause {
			t.Errorf("%s:\n got %q %d:%d cause %q\nwant %q %d:%d cause %q", tt.body, p.Message, p.Line, p.Position, p.Cause, tt.msg, tt.line, tt.pos, tt.cause)
		}
	}
}

func TestAdditionalProperties(t *testing.T) {
	no := false
	s, err := Compile([]byte(petDoc), &no)
	if err != nil {
		t.Fatal(err)
	}
	p := s.CheckJSON([]byte(`{"name":"rex","x":1}`))
	if p == nil || !strings.Contains(p.Cause, `"additionalProperties"`) || !strings.Contains(p.Message, "'x'") {
		t.Fatalf("got %+v", p)
	}
}

func TestCheckValue(t *testing.T) {
	s, err := Compile([]byte(`{"$schema":"http://json-schema.org/draft-04/schema#","allOf":[{"type":"integer","minimum":1,"maximum":10}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := s.CheckValue(QueryParameter, "n", "5"); e != nil {
		t.Fatalf("5: %+v", e)
	}
	e := s.CheckValue(QueryParameter, "n", "x")
	if e == nil || e.Details != "Value of the query parameter n cannot be parsed against the definition.\n\nCould not convert string to integer: x." ||
		e.Cause != `query parameter n: value "x" is not a valid integer` {
		t.Fatalf("x: %+v", e)
	}
	e = s.CheckValue(PathParameter, "n", "11")
	if e == nil || e.Details != "Value of the path parameter n does not conform to the definition.\n\nMaximum: got 11, want 10 at '(root)'. Line: 1, Position: 2" ||
		e.Cause != `path parameter n: value at (root) (11) fails rule "maximum": maximum: got 11, want 10` {
		t.Fatalf("11: %+v", e)
	}
	a, err := Compile([]byte(`{"allOf":[{"type":"array","items":{"type":"string","enum":["x","y"]}}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := a.CheckValue(RequestHeader, "h", "x,y"); e != nil {
		t.Fatalf("x,y: %+v", e)
	}
	if e := a.CheckValue(RequestHeader, "h", "x,z"); e == nil || !strings.Contains(e.Cause, "at /1") {
		t.Fatalf("x,z: %+v", e)
	}
}

func TestErrorTexts(t *testing.T) {
	tests := []struct {
		e              *Error
		details, pub   string
		name, typ, rul string
	}{
		{SizeLimit(RequestBody, 120, 100), "Request's body is 120 bytes long and it exceeds the configured limit of 100 bytes.",
			"Request's body is 120 bytes long and it exceeds the configured limit of 100 bytes.", "", RequestBody, "SizeLimit"},
		{SizeLimit(ResponseBody, 120, 100), "Response's body is 120 bytes long and it exceeds the configured limit of 100 bytes.",
			internalMessage, "", ResponseBody, "SizeLimit"},
		{UnspecifiedContentType(RequestBody, "text/plain", []string{"application/json"}), "Unspecified content type text/plain is not allowed.",
			"Unspecified content type text/plain is not allowed.", "text/plain", RequestBody, "Unspecified"},
		{UnspecifiedParameter(QueryParameter, "debug"), "Unspecified query parameter debug is not allowed.",
			"Unspecified query parameter debug is not allowed.", "debug", QueryParameter, "Unspecified"},
		{UnspecifiedParameter(ResponseHeader, "X-Debug"), "Undefined header X-Debug is not allowed.", internalMessage, "X-Debug", ResponseHeader, "Unspecified"},
		{MultipleValues(QueryParameter, "id", 2), "Request cannot contain multiple values for the query parameter id.",
			"Request cannot contain multiple values for the query parameter id.", "id", QueryParameter, "IncorrectMessage"},
		{UnspecifiedStatusCode(418, []int{200}), "Response status code 418 is not allowed.", internalMessage, "418", StatusCode, "Unspecified"},
		{IncorrectBody(RequestBody, "Pet", "application/json", &Problem{Message: "M.", Line: 1, Position: 2}),
			"Body of the request does not conform to the definition Pet, which is associated with the content type application/json.\n\nM. Line: 1, Position: 2",
			"Body of the request does not conform to the definition Pet, which is associated with the content type application/json.\n\nM. Line: 1, Position: 2",
			"application/json", RequestBody, "IncorrectMessage"},
	}
	for _, tt := range tests {
		if tt.e.Details != tt.details || tt.e.Public() != tt.pub || tt.e.Name != tt.name || tt.e.Type != tt.typ || tt.e.ValidationRule != tt.rul {
			t.Errorf("got %+v public %q", tt.e, tt.e.Public())
		}
	}
	e := UnspecifiedParameter(QueryParameter, `a"b`)
	e.Action = Detect
	if got, want := e.JSON(), `{"Name":"a\"b","Type":"QueryParameter","ValidationRule":"Unspecified","Details":"Unspecified query parameter a\"b is not allowed.","Action":"detect"}`; got != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, doc := range []string{`{`, `{"type":12}`, `{"$ref":"http://example.com/x.json"}`} {
		if _, err := Compile([]byte(doc), nil); err == nil {
			t.Errorf("%s: compiled", doc)
		}
	}
}

func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"name":"a"}`, `[1,{"a":[2]}]`, `{"name":`, `"x"`} {
		f.Add([]byte(s))
	}
	s, err := Compile([]byte(petDoc), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = s.CheckJSON(b)
	})
}

func BenchmarkCheckJSON(b *testing.B) {
	s, err := Compile([]byte(petDoc), nil)
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"name":"rex","age":3,"tag":"a"}`)
	b.ReportAllocs()
	for b.Loop() {
		if p := s.CheckJSON(body); p != nil {
			b.Fatal(p.Cause)
		}
	}
}

func BenchmarkCheckValue(b *testing.B) {
	s, err := Compile([]byte(`{"allOf":[{"type":"integer","minimum":1}]}`), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if e := s.CheckValue(QueryParameter, "n", "42"); e != nil {
			b.Fatal(e.Cause)
		}
	}
}
