package xmlscan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

// render shows the tree of doc compactly: name{attrs}[children], with
// attribute values and texts quoted and prefixed E (expression), C (CDATA).
func render(doc *Document) string {
	var b strings.Builder
	text := func(t *Text) {
		if t.Expr {
			b.WriteByte('E')
		}
		if t.CDATA {
			b.WriteByte('C')
		}
		fmt.Fprintf(&b, "%q", t.Value)
	}
	var el func(e *Element)
	el = func(e *Element) {
		b.WriteString(e.Name)
		if len(e.Attrs) > 0 {
			b.WriteByte('{')
			for i, a := range e.Attrs {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(a.Name + "=")
				text(&a.Value)
			}
			b.WriteByte('}')
		}
		if len(e.Children) > 0 {
			b.WriteByte('[')
			for i, c := range e.Children {
				if i > 0 {
					b.WriteByte(' ')
				}
				switch c := c.(type) {
				case *Element:
					el(c)
				case *Text:
					text(c)
				case *Comment:
					fmt.Fprintf(&b, "!%q", c.Text)
				}
			}
			b.WriteByte(']')
		}
	}
	for _, c := range doc.Comments {
		fmt.Fprintf(&b, "!%q ", c.Text)
	}
	if doc.Root != nil {
		el(doc.Root)
	}
	return b.String()
}

// diagLines renders diagnostics as "line:col: severity: message".
func diagLines(l diag.List) string {
	var out []string
	for _, d := range l {
		p := d.Position()
		out = append(out, fmt.Sprintf("%d:%d: %s: %s", p.Line, p.Column, d.Severity, d.Message))
	}
	return strings.Join(out, "\n")
}

var rawSetBody = Options{RawContent: map[string]bool{"set-body": true}}

// parseTests are the table cases of TestParse; FuzzParse is seeded with
// their inputs.
var parseTests = []struct {
	name  string
	src   string
	opts  Options
	want  string
	diags string
}{
	{name: "empty-element", src: `<policies/>`, want: `policies`},
	{name: "nested-and-text", src: "<a>\n  <b x=\"1\" y='2'>hi</b>\n  <c />\n</a>", want: `a[b{x="1" y="2"}["hi"] c]`},
	{name: "prolog-bom-crlf", src: "\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<!-- top -->\r\n<a>x\r\ny</a>\r\n<!-- end -->\r\n", want: `!" top " !" end " a["x\ny"]`},
	{name: "rawxml-attr", src: `<set-variable name="v" value="@(context.Request.Headers.GetValueOrDefault("X-Id", ""))" />`,
		want: `set-variable{name="v" value=E"@(context.Request.Headers.GetValueOrDefault(\"X-Id\", \"\"))"}`},
	{name: "xml-attr", src: `<set-variable name="v" value="@(context.Request.Headers.GetValueOrDefault(&quot;a&quot;) &amp;&amp; x &lt; 3)" />`,
		want: `set-variable{name="v" value=E"@(context.Request.Headers.GetValueOrDefault(\"a\") && x < 3)"}`},
	{name: "rawxml-generic-and-ops", src: `<when condition="@(context.Variables.GetValueOrDefault<bool>("a") && x < 3 || y > 2)">t</when>`,
		want: `when{condition=E"@(context.Variables.GetValueOrDefault<bool>(\"a\") && x < 3 || y > 2)"}["t"]`},
	{name: "single-quoted-raw", src: `<a v='@(x == 'c' ? "it's" : "")' w='1'/>`, want: `a{v=E"@(x == 'c' ? \"it's\" : \"\")" w="1"}`},
	{name: "xml-single-quoted", src: `<a v='@(x == &apos;c&apos;)'/>`, want: `a{v=E"@(x == 'c')"}`},
	{name: "multiline-attr-comment", src: "<a v=\"@{\n  // don't \"quote\" me\n  return 1; }\"/>", want: `a{v=E"@{\n  // don't \"quote\" me\n  return 1; }"}`},
	{name: "interp-in-attr", src: `<a v="@($"{(port != 443 ? $":{port}" : "")}")"/>`, want: `a{v=E"@($\"{(port != 443 ? $\":{port}\" : \"\")}\")"}`},
	{name: "xml-attr-escaped-paren-in-string", src: `<a v="@(x(&quot;)&quot;))"/>`, want: `a{v=E"@(x(\")\"))"}`},
	{name: "attr-expr-then-text", src: `<a v="@(x) y" w="@(z) "/>`, want: `a{v="@(x) y" w="@(z) "}`},
	{name: "entity-in-raw-expr-string", src: `<a v="@("a &amp; b")"/>`, want: `a{v=E"@(\"a & b\")"}`},
	{name: "text-expr", src: "<set-body>@{ var x = body.As<JObject>(); if (a < b && c) { return \"</set-body>\"; } return x; }</set-body>",
		want: `set-body[E"@{ var x = body.As<JObject>(); if (a < b && c) { return \"</set-body>\"; } return x; }"]`},
	{name: "text-expr-raw-content", opts: rawSetBody, src: "<set-body>\n  @{ return \"<a>\" + \"</set-body>\"; }\n</set-body>",
		want: `set-body[E"\n  @{ return \"<a>\" + \"</set-body>\"; }\n"]`},
	{name: "text-expr-ws-xml-form", src: "<value>\n  @(a &lt; b &amp;&amp; c == &quot;x&quot;)\n</value>", want: `value[E"\n  @(a < b && c == \"x\")\n"]`},
	{name: "text-not-whole-expr", src: `<value>@(a) b</value>`, want: `value["@(a) b"]`},
	{name: "text-with-comment", src: `<a>x<!-- c -->y</a>`, want: `a["x" !" c " "y"]`},
	{name: "cdata", src: `<a><![CDATA[<x> & "y"]]></a>`, want: `a[C"<x> & \"y\""]`},
	{name: "cdata-expr", src: "<a><![CDATA[ @(x < 1 && y) ]]></a>", want: `a[EC" @(x < 1 && y) "]`},
	{name: "raw-cdata-expr", opts: rawSetBody, src: "<set-body>\n<![CDATA[@{ return \"]]\"; }]]>\n</set-body>", want: `set-body[EC"@{ return \"]]\"; }"]`},
	{name: "entities", src: `<a v="&lt;&#65;&#x42;&amp;&unknown; && x">&gt;&#x1F600;</a>`, want: `a{v="<AB&&unknown; && x"}[">😀"]`},
	{name: "raw-liquid", opts: rawSetBody, src: "<set-body template=\"liquid\"><soap:Envelope a=\"1\">{{body.x}} &amp; <b/></soap:Envelope></set-body>",
		want: `set-body{template="liquid"}["<soap:Envelope a=\"1\">{{body.x}} &amp; <b/></soap:Envelope>"]`},
	{name: "raw-nested-same-name", opts: rawSetBody, src: "<set-body><set-body>a</set-body><set-body/></set-body><x/>",
		want: `set-body["<set-body>a</set-body><set-body/>"]`, diags: "1:55: error: element <x> after the root element <set-body>: a policy file has one root element"},
	{name: "raw-text-decoded", opts: rawSetBody, src: `<r><set-body>a &amp; b</set-body><set-body><![CDATA[<x/>]]></set-body></r>`,
		want: `r[set-body["a & b"] set-body[C"<x/>"]]`},
	{name: "literal-quotes-in-attr", src: `<validate-client-certificate subject="CN=x, O="Contoso, Inc.", C=US" thumbprint="1"/>`,
		want:  `validate-client-certificate{subject="CN=x, O=\"Contoso, Inc.\", C=US" thumbprint="1"}`,
		diags: `1:47: warning: value of attribute "subject" contains a literal "; it is read up to the " at 1:68 (write &quot; to avoid the ambiguity)`},
	{name: "damaged-strings-still-read", src: `<when condition="@(!context.Variables.ContainsKey("latlong="""))">x</when>`,
		want: `when{condition=E"@(!context.Variables.ContainsKey(\"latlong=\"\"\"))"}["x"]`},

	// Errors.
	{name: "mismatched-end-tag", src: "<a>\n<b></c></b></a>", want: `a[b]`,
		diags: "2:4: error: unexpected end tag </c>: expected </b> (element opened at 2:1)"},
	{name: "unclosed-inner", src: "<a>\n  <b>\n</a>", want: `a[b]`,
		diags: "2:3: error: element <b> is not closed: found </a> at 3:1 before </b>"},
	{name: "unclosed-root", src: "<a><b/>", want: `a[b]`, diags: "1:1: error: element <a> is not closed: missing </a>"},
	{name: "unterminated-comment", src: "<a/>\n<!-- x", want: `!" x" a`, diags: "2:1: error: unterminated comment: missing '-->'"},
	{name: "dashes-in-comment", src: "<!-- a -- b --><a/>", want: `!" a -- b " a`, diags: "1:8: error: '--' is not allowed inside a comment"},
	{name: "nested-comment", src: "<!-- a\n<!-- b -->\n<a/>", want: `!" a\n<!-- b " a`,
		diags: "2:3: error: '--' is not allowed inside a comment: comments do not nest (the comment opened at 1:1 is still open)"},
	{name: "no-root", src: "<!-- only -->\n", want: `!" only " `, diags: "2:1: error: the file has no root element"},
	{name: "empty-file", src: "", want: ``, diags: "1:1: error: the file has no root element"},
	{name: "unterminated-attr-expr", src: "<a v=\"@(x(\"a\")\" w=\"1\"/>\n<b/>", want: `a{v="@(x(\"a\")\" w=\"1"}`,
		diags: "1:7: error: expression is not closed: missing ')'\n2:1: error: element <b> after the root element <a>: a policy file has one root element"},
	{name: "broken-string-in-attr", src: "<a>\n<r t=\"@{ var x = c[\"a=\"\"\n  b=\"\"\n  c=\"\"/{x}\";}\"/>\n</a>", want: `a[r{t="@{ var x = c[\"a=\"\"\n  b=\"\"\n  c=\"\"/{x}\";}"}]`,
		diags: "2:24: error: unterminated string literal"},
	{name: "unterminated-text-expr", src: "<a><set-url>@{ return \"x\"; </set-url><b/></a>", want: `a[set-url["@{ return \"x\"; "] b]`,
		diags: "1:13: error: expression is not closed: missing '}'"},
	{name: "text-outside-root", src: "hello <a/>", want: `a`, diags: "1:1: error: text before the root element"},
	{name: "attr-without-value", src: `<a b c="1"/>`, want: `a{b="" c="1"}`, diags: `1:4: error: attribute "b" has no value`},
	{name: "unquoted-attr", src: `<a b=1 c="2"/>`, want: `a{b="1" c="2"}`, diags: `1:6: error: value of attribute "b" is not quoted`},
	{name: "duplicate-attr", src: `<a b="1" b="2"/>`, want: `a{b="1" b="2"}`, diags: `1:10: error: duplicate attribute "b" (first at 1:4)`},
	{name: "lt-in-text", src: `<a>x < y</a>`, want: `a["x " "< y"]`, diags: `1:6: error: '<' in text must be written &lt;`},
	{name: "unterminated-cdata", src: `<a><![CDATA[x`, want: `a[C"x"]`,
		diags: "1:1: error: element <a> is not closed: missing </a>\n1:4: error: unterminated CDATA section: missing ']]>'"},
	{name: "start-tag-cut", src: "<a><b x=\"1\"\n<c/></a>", want: `a[b{x="1"}[c]]`,
		diags: "1:4: error: start tag <b> is not closed: missing '>'\n1:4: error: element <b> is not closed: found </a> at 2:5 before </b>"},
	{name: "unclosed-attr-value", src: `<a b="x`, want: `a{b="x"}`,
		diags: "1:1: error: start tag <a> is not closed: missing '>'\n1:6: error: value of attribute \"b\" is not closed: missing \""},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			f := diag.NewFile("p.xml", []byte(tt.src))
			doc, diags := Parse(f, tt.opts)
			if got := render(doc); got != tt.want {
				t.Errorf("tree\n got %s\nwant %s", got, tt.want)
			}
			if got := diagLines(diags); got != tt.diags {
				t.Errorf("diagnostics\n got %s\nwant %s", got, tt.diags)
			}
			checkSpans(t, doc)
		})
	}
}

// checkSpans asserts that every span of doc lies inside its file, children
// lie inside their parent, and each Text's offset map is monotonic, stays in
// Raw and points at the byte (or the reference) each Value byte came from.
func checkSpans(t testing.TB, doc *Document) {
	t.Helper()
	src := doc.File.Src
	in := func(what string, s diag.Span, lo, hi int) {
		t.Helper()
		if s.File != doc.File || s.Start < lo || s.End > hi || s.Start > s.End {
			t.Fatalf("%s span [%d,%d) outside [%d,%d)", what, s.Start, s.End, lo, hi)
		}
	}
	text := func(what string, x *Text) {
		t.Helper()
		in(what, x.Raw, 0, len(src))
		prev := x.Raw.Start
		for i := 0; i <= len(x.Value); i++ {
			off := x.FileOffset(i)
			if off < prev || off < x.Raw.Start || off > x.Raw.End {
				t.Fatalf("%s: FileOffset(%d) = %d not monotonic within [%d,%d)", what, i, off, x.Raw.Start, x.Raw.End)
			}
			prev = off
			if i == len(x.Value) {
				break
			}
			if off >= len(src) {
				t.Fatalf("%s: FileOffset(%d) = %d past the file", what, i, off)
			}
			if c := src[off]; c != x.Value[i] && c != '\r' && x.Value[i] != '\n' {
				if !strings.Contains(string(src[max(x.Raw.Start, off-12):off+1]), "&") {
					t.Fatalf("%s: Value[%d] = %q but file[%d] = %q", what, i, x.Value[i], off, c)
				}
			}
		}
		if s := x.SpanOf(0, len(x.Value)); s.Start < x.Raw.Start || s.End > x.Raw.End {
			t.Fatalf("%s: SpanOf(0, len) = [%d,%d) outside Raw [%d,%d)", what, s.Start, s.End, x.Raw.Start, x.Raw.End)
		}
	}
	var walk func(e *Element, lo, hi int)
	walk = func(e *Element, lo, hi int) {
		in("element "+e.Name, e.Span(), lo, hi)
		in("start tag "+e.Name, e.Start, lo, hi)
		in("name "+e.Name, e.NameSpan, e.Start.Start, e.Start.End)
		in("inner "+e.Name, e.Inner, e.Start.End, hi)
		if e.SelfClosing {
			if e.End != e.Start || e.Inner.Start != e.Start.End || e.Inner.End != e.Start.End {
				t.Fatalf("self-closing %s: End %v Inner %v", e.Name, e.End, e.Inner)
			}
		} else {
			in("end tag "+e.Name, e.End, e.Inner.End, hi)
		}
		for _, a := range e.Attrs {
			in("attribute name "+a.Name, a.NameSpan, e.Start.Start, e.Start.End)
			text("attribute "+a.Name, &a.Value)
			in("attribute "+a.Name, a.Value.Raw, e.Start.Start, e.Start.End)
		}
		prev := e.Inner.Start
		for _, c := range e.Children {
			in("child of "+e.Name, c.Span(), prev, e.Inner.End)
			prev = c.Span().End
			switch c := c.(type) {
			case *Element:
				walk(c, e.Inner.Start, e.Inner.End)
			case *Text:
				text("text in "+e.Name, c)
			}
		}
	}
	for _, c := range doc.Comments {
		in("comment", c.Raw, 0, len(src))
	}
	if doc.Root != nil {
		walk(doc.Root, 0, len(src))
	}
}

func TestFileOffset(t *testing.T) {
	//                 0         1         2
	//                 0123456789012345678901234567
	src := "<a v=\"x&quot;y&#x1F600;z\">p\r\nq&amp;r</a>"
	doc, diags := Parse(diag.NewFile("p.xml", []byte(src)), Options{})
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	v := doc.Root.Attr("v").Value
	eq(t, v.Value, "x\"y😀z")
	// x=6, &quot; at 7..12, y=13, &#x1F600; at 14..22, z=23, end=24.
	wantAttr := []int{6, 7, 13, 14, 15, 16, 17, 23, 24}
	for i, w := range wantAttr {
		if got := v.FileOffset(i); got != w {
			t.Errorf("attribute FileOffset(%d) = %d, want %d", i, got, w)
		}
	}
	if s := v.SpanOf(1, 2); s.Start != 7 || s.End != 13 {
		t.Errorf("SpanOf(1, 2) = [%d,%d), want [7,13) (the whole &quot;)", s.Start, s.End)
	}
	text := doc.Root.Children[0].(*Text)
	eq(t, text.Value, "p\nq&r")
	// p=26, \r\n at 27..28 (the \n maps to 28), q=29, &amp; at 30..34, r=35, end=36.
	wantText := []int{26, 28, 29, 30, 35, 36}
	for i, w := range wantText {
		if got := text.FileOffset(i); got != w {
			t.Errorf("text FileOffset(%d) = %d, want %d", i, got, w)
		}
	}
	if got := text.SpanOf(2, 5).Text(); got != "q&amp;r" {
		t.Errorf("SpanOf(2, 5) covers %q, want %q", got, "q&amp;r")
	}
}
