package value

import (
	"strings"
	"testing"
)

func TestXMLRoundTrip(t *testing.T) {
	cases := []struct{ in, indented, flat string }{
		{"<a/>", "<a />", "<a />"},
		{"<a></a>", "<a></a>", "<a></a>"},
		{"<a><b>1</b><c><d/></c></a>", "<a>\n  <b>1</b>\n  <c>\n    <d />\n  </c>\n</a>", "<a><b>1</b><c><d /></c></a>"},
		{"<a>x<b/>y</a>", "<a>x<b />y</a>", "<a>x<b />y</a>"},
		{"<a>\n  <b>1</b>\n</a>", "<a>\n  <b>1</b>\n</a>", "<a><b>1</b></a>"},
		{"<s:E xmlns:s='urn:s' k='v'><s:B/></s:E>", "<s:E xmlns:s=\"urn:s\" k=\"v\">\n  <s:B />\n</s:E>", "<s:E xmlns:s=\"urn:s\" k=\"v\"><s:B /></s:E>"},
		{"<a><!--c--><?pi data?></a>", "<a>\n  <!--c-->\n  <?pi data?>\n</a>", "<a><!--c--><?pi data?></a>"},
	}
	for _, c := range cases {
		doc, err := ParseXML(c.in, false)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := doc.XML(true); got != c.indented {
			t.Errorf("%q indented:\n got %q\nwant %q", c.in, got, c.indented)
		}
		if got := doc.XML(false); got != c.flat {
			t.Errorf("%q flat:\n got %q\nwant %q", c.in, got, c.flat)
		}
	}
}

func TestXMLNamespaces(t *testing.T) {
	doc, err := ParseXML(`<r xmlns="urn:d" xmlns:p="urn:p"><p:x p:k="1"/><y/></r>`, false)
	if err != nil {
		t.Fatal(err)
	}
	r := doc.Root()
	if r.Name != (XName{NS: "urn:d", Local: "r"}) {
		t.Errorf("root name %v", r.Name)
	}
	x := r.Elements(nil)[0]
	if x.Name != (XName{NS: "urn:p", Local: "x"}) || x.Attrs[0].Name != (XName{NS: "urn:p", Local: "k"}) {
		t.Errorf("x name %v attrs %v", x.Name, x.Attrs[0].Name)
	}
	if got := x.XML(false); got != `<p:x p:k="1" xmlns:p="urn:p" />` {
		t.Errorf("detached prefix: %q", got)
	}
	if got := r.Elements(nil)[1].XML(false); got != `<y xmlns="urn:d" />` {
		t.Errorf("default namespace: %q", got)
	}
}

func FuzzParseXML(f *testing.F) {
	for _, s := range []string{"<a/>", "<a><b>1</b>t</a>", `<s:E xmlns:s="u"><s:B a="&amp;"/></s:E>`, "<?xml version=\"1.0\"?><!--c--><r/>", "<a><![CDATA[x]]></a>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := ParseXML(s, false)
		if err != nil {
			if _, ok := err.(*Exception); !ok {
				t.Fatalf("error is %T", err)
			}
			return
		}
		flat := doc.XML(false)
		if strings.Contains(flat, "\x00") {
			return
		}
		again, err := ParseXML(flat, false)
		if err != nil {
			t.Fatalf("reparse of %q (%q): %v", flat, s, err)
		}
		if got := again.XML(false); got != flat {
			t.Fatalf("not stable: %q -> %q", flat, got)
		}
	})
}
