package liquid

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testCase is one testdata/render file: sections introduced by
// "-- name --" lines; lines before the first section starting with '#'
// are comments.
type testCase struct {
	template    string
	contentType string
	body        string
	hasBody     bool
	want        string
	opts        Options
	outbound    bool
}

func parseCase(t *testing.T, text string) testCase {
	t.Helper()
	tc := testCase{opts: Options{ParseDate: true}}
	var name string
	var buf strings.Builder
	flush := func() {
		content := buf.String()
		buf.Reset()
		switch {
		case name == "":
		case name == "template":
			tc.template = content
		case name == "want":
			tc.want = content
		case strings.HasPrefix(name, "body"):
			tc.contentType = strings.TrimSpace(strings.TrimPrefix(name, "body"))
			tc.body, tc.hasBody = content, true
		case name == "options":
			for _, f := range strings.Fields(content) {
				switch f {
				case "parse-date=false":
					tc.opts.ParseDate = false
				case "xsi-nil=null":
					tc.opts.XsiNilNull = true
				case "outbound":
					tc.outbound = true
				default:
					t.Fatalf("unknown option %q", f)
				}
			}
		default:
			t.Fatalf("unknown section %q", name)
		}
	}
	for line := range strings.SplitAfterSeq(text, "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") {
			flush()
			name = strings.TrimSuffix(strings.TrimPrefix(trimmed, "-- "), " --")
			continue
		}
		if name == "" {
			continue
		}
		buf.WriteString(line)
	}
	flush()
	return tc
}

// testContext is the context every rendering test sees.
func testContext(outbound bool) *Context {
	c := &Context{Request: RequestView{
		Method:         "POST",
		OriginalMethod: "GET",
		Url: URLView{
			Scheme: "https", Host: "api.example.com", Port: 443, Path: "/orders/7",
			Query:       map[string][]string{"page": {"2"}, "tag": {"a", "b"}},
			QueryString: "?page=2&tag=a&tag=b",
		},
		OriginalUrl:       URLView{Scheme: "http", Host: "backend.local", Port: 8080, Path: "/v1/orders/7"},
		IpAddress:         "10.0.0.9",
		MatchedParameters: map[string]string{"id": "7"},
		Headers:           map[string][]string{"X-Tenant": {"acme"}, "Accept": {"application/json", "text/plain"}},
		HasBody:           true,
	}}
	if outbound {
		c.Response = &ResponseView{StatusCode: 201, Headers: map[string][]string{"Content-Type": {"application/json"}}}
	}
	return c
}

func TestRenderFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/render/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			tc := parseCase(t, string(text))
			tpl, err := Compile(tc.template)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			var msg *Message
			if tc.hasBody {
				msg = &Message{ContentType: tc.contentType, Body: []byte(tc.body)}
			}
			got, err := tpl.Render(msg, testContext(tc.outbound), tc.opts)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		src  string
		line int
		msg  string
	}{
		{"a\n{% if x %}\nb", 2, `unterminated "if" block`},
		{"a\nb\n{{ x | }}", 3, "syntax error"},
		{"{% for x in %}{% endfor %}", 1, "syntax error"},
		{"<a>\n\n\n{% bogus %}", 4, `undefined tag "bogus"`},
		{"{% endif %}", 1, "not inside"},
		{"x\n{{ a", 2, "not terminated"},
		{"x\n\n{% if", 3, "not terminated"},
		{"{% include 'other' %}", 1, `undefined tag "include"`},
		{"{% render 'other' %}", 1, `undefined tag "render"`},
	}
	for _, tt := range tests {
		_, err := Compile(tt.src)
		if err == nil {
			t.Errorf("Compile(%q) succeeded, want an error", tt.src)
			continue
		}
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("Compile(%q) error is %T, want *Error", tt.src, err)
			continue
		}
		if e.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("Compile(%q) = line %d %q, want line %d containing %q", tt.src, e.Line, e.Msg, tt.line, tt.msg)
		}
		if m := e.Msg; m != "" && m[0] >= 'A' && m[0] <= 'Z' {
			t.Errorf("Compile(%q) message %q is not lower-case", tt.src, m)
		}
	}
}

func TestBodyErrors(t *testing.T) {
	tpl, err := Compile("{{ body }}")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ ct, body, msg string }{
		{"application/json", `{"a": }`, "body is not valid JSON"},
		{"application/json", `{"a": 1} x`, "after the top-level value"},
		{"application/xml", `<a><b></a>`, "body is not valid XML"},
		{"application/soap+xml", `<a>`, "unexpected EOF"},
		{"application/json", strings.Repeat("[", 300), "nesting deeper"},
	}
	for _, tt := range tests {
		_, err := tpl.Render(&Message{ContentType: tt.ct, Body: []byte(tt.body)}, nil, Options{})
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Render(%s %q) error = %v, want one containing %q", tt.ct, tt.body, err, tt.msg)
		}
	}
	// A byte order mark and a Latin-1 declaration are understood.
	bom := &Message{ContentType: "application/json", Body: []byte("\xEF\xBB\xBF{\"a\": 1}")}
	if got, err := tpl.Render(bom, nil, Options{}); err != nil || got != `{"a":1}` {
		t.Errorf("JSON with BOM: got %q, %v", got, err)
	}
	latin1, err := Compile("{{ body.r }}")
	if err != nil {
		t.Fatal(err)
	}
	doc := &Message{ContentType: "text/xml", Body: []byte("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>caf\xe9</r>")}
	if got, err := latin1.Render(doc, nil, Options{}); err != nil || got != "caf\u00e9" {
		t.Errorf("Latin-1 XML: got %q, %v", got, err)
	}
	doc = &Message{ContentType: "text/xml", Body: []byte(`<?xml version="1.0" encoding="EBCDIC"?><r/>`)}
	if _, err := latin1.Render(doc, nil, Options{}); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("EBCDIC XML: got error %v", err)
	}
	// An empty body is simply absent.
	got, err := tpl.Render(&Message{ContentType: "application/json"}, nil, Options{})
	if err != nil || got != "" {
		t.Errorf("empty body: got %q, %v", got, err)
	}
}

func TestBodyKind(t *testing.T) {
	tests := []struct {
		ct   string
		want contentKind
	}{
		{"application/json", kindJSON},
		{"Application/JSON; charset=utf-8", kindJSON},
		{"text/json", kindJSON},
		{"application/problem+json", kindJSON},
		{"application/xml", kindXML},
		{"text/xml; charset=utf-8", kindXML},
		{"application/soap+xml", kindXML},
		{"text/plain", kindOther},
		{"application/x-www-form-urlencoded", kindOther},
		{"", kindOther},
		{"application/jsonx", kindOther},
	}
	for _, tt := range tests {
		if got := bodyKind(tt.ct); got != tt.want {
			t.Errorf("bodyKind(%q) = %v, want %v", tt.ct, got, tt.want)
		}
	}
}
