package liquid

import (
	"strconv"
	"testing"
	"time"
)

// filterBody is the JSON body the filter cases read from.
const filterBody = `{
  "name": "  Ada Lovelace  ",
  "title": "hello world",
  "n": 7,
  "f": 2.5,
  "list": [3, 1, 2, 3, null],
  "words": ["b", "A", "c", "a"],
  "people": [{"name": "Zed", "age": 30}, {"name": "amy", "age": 25}],
  "html": "<p>Hi & \"bye\"</p>",
  "lines": "a\nb\r\nc",
  "space": "   ",
  "when": "2024-03-05T14:07:09Z",
  "whenOffset": "2024-03-05T14:07:09+02:00",
  "dateOnly": "2024-03-05",
  "url": "a b&c=d/\u00e9"
}`

func TestFilters(t *testing.T) {
	tests := []struct{ src, want string }{
		// Append, Prepend
		{`{{ "a" | Append: "b" }}`, "ab"},
		{`{{ body.n | Append: "x" }}`, "7x"},
		{`{{ body.missing | Append: "x" }}`, ""},
		{`{{ "b" | Prepend: "a" }}`, "ab"},
		// AtLeast, AtMost
		{`{{ 3 | AtLeast: 5 }}`, "5"},
		{`{{ 7 | AtLeast: 5 }}`, "7"},
		{`{{ body.f | AtLeast: 1 }}`, "2.5"},
		{`{{ "abc" | AtLeast: 5 }}`, "abc"},
		{`{{ 7 | AtMost: 5 }}`, "5"},
		{`{{ 3 | AtMost: 5 }}`, "3"},
		// Capitalize upper-cases the first letter of every word.
		{`{{ body.title | Capitalize }}`, "Hello World"},
		{`{{ "hELLO-wORLD foo_bar" | Capitalize }}`, "HELLO-WORLD Foo_bar"},
		// Compact, Uniq
		{`{{ body.list | Compact | Join: "," }}`, "3,1,2,3"},
		{`{{ body.list | Uniq | Join: "," }}`, "3,1,2,"},
		{`{{ body.words | Uniq | Size }}`, "4"},
		// Currency
		{`{{ 1234.5 | Currency: "en-US" }}`, "$1,234.50"},
		{`{{ -1234.5 | Currency: "de-DE" }}`, "-1.234,50\u00a0\u20ac"},
		{`{{ 12 | Currency }}`, "\u00a412.00"},
		{`{{ "12.345" | Currency: "en-GB" }}`, "\u00a312.35"},
		{`{{ "abc" | Currency: "en-US" }}`, "abc"},
		// Date with .NET format strings
		{`{{ body.when | Date: "yyyy-MM-dd'T'HH:mm:ss" }}`, "2024-03-05T14:07:09"},
		{`{{ body.when | Date: "dddd, dd MMMM yyyy" }}`, "Tuesday, 05 March 2024"},
		{`{{ body.when | Date: "ddd d MMM yy h:mm tt" }}`, "Tue 5 Mar 24 2:07 PM"},
		{`{{ body.when | Date: "o" }}`, "2024-03-05T14:07:09.0000000Z"},
		{`{{ body.whenOffset | Date: "HH:mm" }}`, "12:07"},
		{`{{ body.dateOnly | Date: "MM/dd/yy" }}`, "03/05/24"},
		{`{{ "not a date" | Date: "yyyy" }}`, "not a date"},
		{`{{ body.dateOnly | Date: "" }}`, "2024-03-05"},
		{`{{ body.when }}`, "03/05/2024 14:07:09"},
		// Default
		{`{{ body.missing | Default: "d" }}`, "d"},
		{`{{ body.space | Default: "d" }}`, "d"},
		{`{{ body.n | Default: "d" }}`, "7"},
		// Arithmetic: integers stay integers, a double makes a double.
		{`{{ 7 | DividedBy: 2 }}`, "3"},
		{`{{ 7.0 | DividedBy: 2 }}`, "3.5"},
		{`{{ body.f | DividedBy: 2 }}`, "1.25"},
		{`{{ 7 | Minus: 10 }}`, "-3"},
		{`{{ body.f | Minus: 1 }}`, "1.5"},
		{`{{ 7 | Modulo: 3 }}`, "1"},
		{`{{ 7.5 | Modulo: 2 }}`, "1.5"},
		{`{{ 1 | Plus: 2 }}`, "3"},
		{`{{ "1" | Plus: 2 }}`, "12"},
		{`{{ 1.5 | Plus: 1 }}`, "2.5"},
		{`{{ 3 | Times: 4 }}`, "12"},
		{`{{ 1.5 | Times: 2 }}`, "3"},
		{`{{ "ab" | Times: 3 }}`, "ababab"},
		{`{{ 2.5 | Round }}`, "2"},
		{`{{ 3.5 | Round }}`, "4"},
		{`{{ 3.14159 | Round: 2 }}`, "3.14"},
		{`{{ 2.675 | Round: 2 }}`, "2.68"},
		{`{{ 3.1 | Round: 2 }}`, "3.1"},
		{`{{ "x" | Round }}`, ""},
		// Downcase, Upcase
		{`{{ "AbC" | Downcase }}`, "abc"},
		{`{{ "AbC" | Upcase }}`, "ABC"},
		// Escape, H
		{`{{ body.html | Escape }}`, "&lt;p&gt;Hi &amp; &quot;bye&quot;&lt;/p&gt;"},
		{"{{ \"\u00e9'\" | H }}", "&#233;&#39;"},
		// First, Last
		{`{{ body.words | First }}`, "b"},
		{`{{ body.words | Last }}`, "a"},
		{`{{ "xyz" | First }}`, "x"},
		{`{{ body.words.first }}-{{ body.words.last }}-{{ body.words.size }}`, "b-a-4"},
		// Join
		{`{{ body.words | Join }}`, "b A c a"},
		{`{{ body.words | Join: ", " }}`, "b, A, c, a"},
		// Lstrip, Rstrip, Strip
		{`[{{ body.name | Lstrip }}]`, "[Ada Lovelace  ]"},
		{`[{{ body.name | Rstrip }}]`, "[  Ada Lovelace]"},
		{`[{{ body.name | Strip }}]`, "[Ada Lovelace]"},
		// Map, Sort
		{`{{ body.people | Map: "name" | Join: "," }}`, "Zed,amy"},
		{`{{ body.words | Sort | Join: "," }}`, "a,A,b,c"},
		{`{{ body.people | Sort: "age" | Map: "name" | Join: "," }}`, "amy,Zed"},
		{`{{ body.list | Compact | Sort | Join: "," }}`, "1,2,3,3"},
		// NewlineToBr, StripNewlines, StripHtml
		{`{{ body.lines | NewlineToBr }}`, "a<br />\nb<br />\r\nc"},
		{`{{ body.lines | StripNewlines }}`, "abc"},
		{`{{ body.html | StripHtml }}`, `Hi & "bye"`},
		// Remove, RemoveFirst, Replace, ReplaceFirst (literal text, not patterns)
		{`{{ "a-b-c" | Remove: "-" }}`, "abc"},
		{`{{ "a-b-c" | RemoveFirst: "-" }}`, "ab-c"},
		{`{{ "a.b.c" | Replace: ".", "/" }}`, "a/b/c"},
		{`{{ "a.b.c" | ReplaceFirst: ".", "/" }}`, "a/b.c"},
		{`{{ "a.b" | Replace: "." }}`, "ab"},
		// Size
		{`{{ body.words | Size }}`, "4"},
		{"{{ \"h\u00e9llo\" | Size }}", "5"},
		{`{{ body.n | Size }}`, "0"},
		{`{{ body.people[0] | Size }}`, "2"},
		// Slice
		{`{{ "hello" | Slice: 1, 3 }}`, "ell"},
		{`{{ "hello" | Slice: -3, 2 }}`, "ll"},
		{`{{ "hello" | Slice: 1 }}`, "e"},
		{`{{ "hello" | Slice: 9 }}`, ""},
		{`{{ body.words | Slice: 1, 2 | Join: "" }}`, "Ac"},
		// Split
		{`{{ "a,,b" | Split: "," | Join: "|" }}`, "a|b"},
		{`{{ "a,,b" | Split: "," | Size }}`, "2"},
		// Truncate, TruncateWords
		{`{{ "Ground control to Major Tom." | Truncate: 20 }}`, "Ground control to..."},
		{`{{ "abc" | Truncate: 5 }}`, "abc"},
		{`{{ "abcdef" | Truncate: 4, "!" }}`, "abc!"},
		{`{{ "one two three four" | TruncateWords: 2 }}`, "one two..."},
		{`{{ "one two" | TruncateWords: 2 }}`, "one two"},
		// UrlEncode, UrlDecode
		{`{{ body.url | UrlEncode }}`, "a+b%26c%3Dd%2F%C3%A9"},
		{`{{ "a+b%26c%3D%C3%A9%zz" | UrlDecode }}`, "a b&c=\u00e9%zz"},
		// Shopify's lower-case names and unknown filters pass the input through.
		{`{{ "abc" | upcase }}`, "abc"},
		{`{{ "a" | append: "b" }}`, "a"},
		{`{{ body.words | join: "," }}`, "bAca"},
		{`{{ "a" | NoSuchFilter: 1 }}`, "a"},
		{`{{ "abc" | upcase | Upcase }}`, "ABC"},
	}
	body := &Message{ContentType: "application/json", Body: []byte(filterBody)}
	for _, tt := range tests {
		tpl, err := Compile(tt.src)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.src, err)
			continue
		}
		got, err := tpl.Render(body, &Context{}, Options{ParseDate: true})
		if err != nil {
			t.Errorf("Render(%q): %v", tt.src, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Render(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestDateNow(t *testing.T) {
	tpl, err := Compile(`{{ "now" | Date: "yyyy" }}|{{ "Today" | Date: "yyyy" }}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.Render(nil, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	y := strconv.Itoa(time.Now().UTC().Year())
	if got != y+"|"+y {
		t.Errorf("got %q, want the current year twice", got)
	}
}

func TestFilterErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`{{ 10 | DividedBy: 0 }}`, "attempted to divide by zero"},
		{`{{ 10 | Modulo: 0 }}`, "attempted to divide by zero"},
		{`{{ "x" | Minus: 1 }}`, "cannot apply the arithmetic filter"},
		{`{{ 1 | Currency: "xx-XX" }}`, `culture "xx-XX" is not supported`},
		{"\n{{ \"2024-01-02\" | Date: \"%\" }}", "line 2:"},
	}
	for _, tt := range tests {
		tpl, err := Compile(tt.src)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.src, err)
			continue
		}
		got, err := tpl.Render(nil, nil, Options{})
		if err == nil {
			t.Errorf("Render(%q) = %q, want an error containing %q", tt.src, got, tt.want)
			continue
		}
		if !contains(err.Error(), tt.want) {
			t.Errorf("Render(%q) error %q, want it to contain %q", tt.src, err, tt.want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
