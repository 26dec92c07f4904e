package jsonx

import (
	"github.com/tollgate/tollgate/internal/dotnet"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		fn   func(string) (*Token, error)
		in   string
		want string
	}{
		{Parse, `x`, "Unexpected character encountered while parsing value: x. Path '', line 0, position 0."},
		{Parse, `{"a":x}`, "Unexpected character encountered while parsing value: x. Path 'a', line 1, position 5."},
		{Parse, `[1,x]`, "Unexpected character encountered while parsing value: x. Path '[0]', line 1, position 3."},
		{Parse, `[x]`, "Unexpected character encountered while parsing value: x. Path '', line 1, position 1."},
		{Parse, `[1 2]`, "After parsing a value an unexpected character was encountered: 2. Path '[0]', line 1, position 3."},
		{Parse, `{"a":1 "b":2}`, "After parsing a value an unexpected character was encountered: \". Path 'a', line 1, position 7."},
		{Parse, `{"a":1,}x`, "Additional text encountered after finished reading JSON content: x. Path '', line 1, position 8."},
		{Parse, "{\n  \"a\": 1,\n  -: 2\n}", "Invalid property identifier character: -. Path 'a', line 3, position 2."},
		{Parse, `{"a" 1}`, "Invalid character after parsing property name. Expected ':' but got: 1. Path '', line 1, position 5."},
		{Parse, `{"a":1`, "Unexpected end of content while loading JObject. Path 'a', line 1, position 6."},
		{Parse, `[1,2`, "Unexpected end of content while loading JArray. Path '[1]', line 1, position 4."},
		{Parse, `{"a":"abc`, "Unterminated string. Expected delimiter: \". Path 'a', line 1, position 9."},
		{Parse, `{"a":tru}`, "Error parsing boolean value. Path 'a', line 1, position 8."},
		{Parse, `{"a":"\q"}`, "Bad JSON escape sequence: \\q. Path 'a', line 1, position 8."},
		{Parse, `{"a":1.2.3}`, "Input string '1.2.3' is not a valid number. Path 'a', line 1, position 10."},
		{Parse, ``, "Error reading JToken from JsonReader. Path '', line 0, position 0."},
		{ParseObject, ``, "Error reading JObject from JsonReader. Path '', line 0, position 0."},
		{ParseObject, `[1]`, "Error reading JObject from JsonReader. Current JsonReader item is not an object: StartArray. Path '', line 1, position 1."},
		{ParseObject, `"abc"`, "Error reading JObject from JsonReader. Current JsonReader item is not an object: String. Path '', line 1, position 5."},
		{ParseArray, `{}`, "Error reading JArray from JsonReader. Current JsonReader item is not an array: StartObject. Path '', line 1, position 1."},
		{Parse, `  `, "Error reading JToken from JsonReader. Path '', line 1, position 2."},
		{Parse, ` x`, "Unexpected character encountered while parsing value: x. Path '', line 1, position 1."},
		{Parse, `[{"a":[1,{"b":x}]}]`, "Unexpected character encountered while parsing value: x. Path '[0].a[1].b', line 1, position 14."},
		{Parse, `{"a b":{"c.d":x}}`, "Unexpected character encountered while parsing value: x. Path '['a b']['c.d']', line 1, position 14."},
		{Parse, `{"a":[1,2`, "Unexpected end of content while loading JObject. Path 'a[1]', line 1, position 9."},
		{Parse, `[1}`, "JsonToken EndObject is not valid for closing JsonType Array. Path '', line 1, position 3."},
		{Parse, `{"a":1]`, "JsonToken EndArray is not valid for closing JsonType Object. Path '', line 1, position 7."},
		{Parse, `]`, "JsonToken EndArray is not valid for closing JsonType None. Path '', line 1, position 1."},
		{Parse, `{"a":1,,}`, "Invalid property identifier character: ,. Path 'a', line 1, position 7."},
		{Parse, `{a-b:1}`, "Invalid JavaScript property identifier character: -. Path '', line 1, position 2."},
		{Parse, `[12g]`, "Unexpected character encountered while parsing number: g. Path '', line 1, position 3."},
		{Parse, `[08]`, "Input string '08' is not a valid number. Path '', line 1, position 3."},
		{Parse, `[1.5e]`, "Input string '1.5e' is not a valid number. Path '', line 1, position 5."},
		{Parse, `[tru`, "Unexpected end when reading JSON. Path '', line 1, position 4."},
		{Parse, `[truex]`, "Error parsing boolean value. Path '', line 1, position 5."},
		{Parse, `[nul]`, "Error parsing null value. Path '', line 1, position 4."},
		{Parse, `[nx]`, "Unexpected character encountered while parsing value: n. Path '', line 1, position 1."},
		{Parse, `/* x`, "Unexpected end while parsing comment. Path '', line 1, position 4."},
		{Parse, `[1 /x]`, "Error parsing comment. Expected: *, got x. Path '[0]', line 1, position 4."},
		{Parse, `["\u12"]`, "Invalid Unicode escape sequence: \\u12\"]. Path '', line 1, position 4."},
		{Parse, "{\r\n\"a\":\r\n  x}", "Unexpected character encountered while parsing value: x. Path 'a', line 3, position 2."},
		{Parse, "[\"é😀\", x]", "Unexpected character encountered while parsing value: x. Path '[0]', line 1, position 8."},
		{Parse, strings.Repeat("[", 65), "The reader's MaxDepth of 64 has been exceeded. Path '" + strings.Repeat("[0]", 64) + "', line 1, position 65."},
	}
	for _, tt := range tests {
		_, err := tt.fn(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("parse %q:\n got  %v\n want %s", tt.in, err, tt.want)
		}
	}
}

func TestParseCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := Parse(string(b))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		back, err := Parse(tok.String())
		if err != nil || !DeepEquals(tok, back) {
			t.Errorf("%s: round trip failed: %v", f, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(string(b))
	}
	for _, s := range []string{`{"a":[1,2.5,"x",null,true]}`, `[1e400,-0.0,010,0x10]`, `{'a':b}`, `"2020-01-02T03:04:05.123+01:00"`, `/*c*/[]//`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		// NaN and infinities print as strings, as in Json.NET, so the
		// property is that printing is a fixed point after one round.
		for _, indented := range []bool{true, false} {
			text := tok.JSON(indented)
			back, err := Parse(text)
			if err != nil {
				t.Fatalf("reparse of %q failed: %v", text, err)
			}
			if again := back.JSON(indented); again != text {
				t.Fatalf("print not stable: %q -> %q -> %q", s, text, again)
			}
			if !hasNonFinite(tok) && !DeepEquals(tok, back) {
				t.Fatalf("round trip changed value: %q -> %q", s, text)
			}
		}
	})
}

func hasNonFinite(t *Token) bool {
	if t.Type() == Float && (t.Float() != t.Float() || t.Float()-t.Float() != 0) {
		return true
	}
	for _, c := range t.Children() {
		if hasNonFinite(c) {
			return true
		}
	}
	return false
}

// FuzzSelectToken checks that path parsing and evaluation never panic.
func FuzzSelectToken(f *testing.F) {
	for _, s := range []string{"a.b[0].c", "$..x", "['a b'][*]", "a[?(@.x > 1 && @.y == 'z')]", "a[1:-1:2]", "$.*", "a[0,1]"} {
		f.Add(s)
	}
	doc, _ := Parse(`{"a":[{"x":1,"y":"z"},{"x":2,"b":{"c":[1,2]}}],"a b":[true,null]}`)
	f.Fuzz(func(t *testing.T, path string) {
		_, err := doc.SelectTokens(path)
		switch err.(type) {
		case nil, *ConvertError, *dotnet.Exception:
		default:
			t.Fatalf("unexpected error type %T", err)
		}
	})
}
