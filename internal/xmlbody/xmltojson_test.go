package xmlbody

import (
	"errors"
	"strings"
	"testing"
)

var (
	direct       = XMLToJSONOptions{Kind: KindDirect}
	directArrays = XMLToJSONOptions{Kind: KindDirect, AlwaysArrayChildElements: true}
	friendly     = XMLToJSONOptions{Kind: KindJavaScriptFriendly}
)

const soapEnvelope = `<?xml version="1.0"?>
<soap:Envelope xmlns="http://fyicenter.com/"
    xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
    <soap:Body>
        <GetOrders>
            <Customer>1234567</Customer>
        </GetOrders>
    </soap:Body>
</soap:Envelope>`

func TestXMLToJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		o    XMLToJSONOptions
		want string
	}{
		{
			// Observed APIM output for this body (dev.fyicenter.com,
			// "xml-to-json Policy Statement").
			name: "soap envelope direct", in: soapEnvelope, o: direct,
			want: `{
  "version": "1.0",
  "soap$Envelope": {
    "@xmlns": "http://fyicenter.com/",
    "@xmlns$soap": "http://schemas.xmlsoap.org/soap/envelope/",
    "soap$Body": {
      "GetOrders": {
        "Customer": "1234567"
      }
    }
  }
}`,
		},
		{
			name: "soap envelope javascript-friendly", in: soapEnvelope, o: friendly,
			want: `{
  "Envelope": {
    "Body": {
      "GetOrders": {
        "Customer": "1234567"
      }
    }
  }
}`,
		},
		{
			name: "soap envelope always arrays", in: soapEnvelope, o: directArrays,
			want: `{
  "version": "1.0",
  "soap$Envelope": {
    "@xmlns": "http://fyicenter.com/",
    "@xmlns$soap": "http://schemas.xmlsoap.org/soap/envelope/",
    "soap$Body": [
      {
        "GetOrders": [
          {
            "Customer": [
              "1234567"
            ]
          }
        ]
      }
    ]
  }
}`,
		},
		{name: "text only root", in: `<a>x</a>`, o: direct, want: `{
  "a": "x"
}`},
		{name: "attributes and text", in: `<a id="1" xml:lang="en">x</a>`, o: direct, want: `{
  "a": {
    "@id": "1",
    "@xml$lang": "en",
    "#text": "x"
  }
}`},
		{name: "attributes only", in: `<a x="1" y=''/>`, o: friendly, want: `{
  "a": {
    "@x": "1",
    "@y": ""
  }
}`},
		{name: "mixed content", in: `<p>Hello <b>World</b>!<i/></p>`, o: direct, want: `{
  "p": {
    "#text": [
      "Hello ",
      "!"
    ],
    "b": "World",
    "i": null
  }
}`},
		{name: "repeated elements grouped at first position", in: "<r>\n <i>1</i>\n <j>x</j>\n <i>2</i>\n</r>", o: direct, want: `{
  "r": {
    "i": [
      "1",
      "2"
    ],
    "j": "x"
  }
}`},
		{name: "repeated elements always arrays", in: "<r><i>1</i><j>x</j><i>2</i></r>", o: directArrays, want: `{
  "r": {
    "i": [
      "1",
      "2"
    ],
    "j": [
      "x"
    ]
  }
}`},
		{name: "empty elements", in: "<r><a/><b></b><c> \n </c><d><!-- c --></d></r>", o: direct, want: `{
  "r": {
    "a": null,
    "b": "",
    "c": "",
    "d": ""
  }
}`},
		{name: "empty root", in: `<r/>`, o: direct, want: `{
  "r": null
}`},
		{name: "cdata and entities join text", in: `<a>x &amp; <![CDATA[<y> & z]]>&#65;&lt;<!-- gone --><?pi gone?>!</a>`, o: direct, want: `{
  "a": "x & <y> & zA<!"
}`},
		{name: "significant whitespace kept", in: `<a>  x  </a>`, o: direct, want: `{
  "a": "  x  "
}`},
		{name: "json escaping", in: "<a>q\"b\\s/\tn\r\nu\u2028c\u0085</a>", o: direct, want: `{
  "a": "q\"b\\s/\tn\nu\u2028c\u0085"
}`},
		{name: "declaration with encoding and standalone", in: `<?xml version="1.0" encoding="utf-8" standalone='yes'?><r>1</r>`, o: direct, want: `{
  "version": "1.0",
  "encoding": "utf-8",
  "standalone": "yes",
  "r": "1"
}`},
		{name: "declaration dropped when friendly", in: `<?xml version="1.0" encoding="UTF-8"?><r>1</r>`, o: friendly, want: `{
  "r": "1"
}`},
		{name: "doctype and prolog comments dropped", in: "<!DOCTYPE r>\n<!-- c -->\n<r>1</r>\n<!-- after -->\n", o: direct, want: `{
  "r": "1"
}`},
		{name: "namespaces direct", in: `<a:r xmlns:a="urn:a" xmlns:b="urn:b" b:x="1"><a:i>1</a:i><b:i>2</b:i></a:r>`, o: direct, want: `{
  "a$r": {
    "@xmlns$a": "urn:a",
    "@xmlns$b": "urn:b",
    "@b$x": "1",
    "a$i": "1",
    "b$i": "2"
  }
}`},
		{name: "namespaces friendly merge local names", in: `<a:r xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d" b:x="1"><a:i>1</a:i><b:i>2</b:i></a:r>`, o: friendly, want: `{
  "r": {
    "@x": "1",
    "i": [
      "1",
      "2"
    ]
  }
}`},
		{name: "latin-1 body", in: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9</a>", o: friendly, want: `{
  "a": "café"
}`},
		{name: "windows-1252 body", in: "<?xml version='1.0' encoding='windows-1252'?><a>\x80 caf\xe9 \x93q\x94</a>", o: friendly, want: `{
  "a": "€ café “q”"
}`},
		{name: "byte order mark", in: "\uFEFF<a>1</a>", o: friendly, want: `{
  "a": "1"
}`},
		{
			name: "soap fault",
			in: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>` +
				`<faultcode>s:Client</faultcode><faultstring xml:lang="en">Bad &lt;input&gt;</faultstring><detail/></s:Fault></s:Body></s:Envelope>`,
			o: friendly,
			want: `{
  "Envelope": {
    "Body": {
      "Fault": {
        "faultcode": "s:Client",
        "faultstring": {
          "@lang": "en",
          "#text": "Bad <input>"
        },
        "detail": null
      }
    }
  }
}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := XMLToJSON([]byte(tt.in), tt.o)
			if err != nil {
				t.Fatalf("XMLToJSON: %v", err)
			}
			if want := (tt.want); string(got) != want {
				t.Errorf("XMLToJSON(%q)\ngot:\n%s\nwant:\n%s", tt.in, got, want)
			}
		})
	}
}

func TestXMLToJSONErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{``, "line 1, column 1: the XML body has no root element"},
		{"  \n<!-- only -->", "line 2, column 14: the XML body has no root element"},
		{"<a>\n <b>x</c>\n</a>", "line 2, column 6: end tag </c> does not match <b>"},
		{"<a>\n <b>", "line 2, column 5: unexpected end of input: <b> is not closed"},
		{"<a/><b/>", "line 1, column 5: a second root element <b> after the first one"},
		{"<a/>x", "line 1, column 5: text outside the root element"},
		{"x<a/>", "line 1, column 1: text outside the root element"},
		{`<p:a/>`, `line 1, column 1: undeclared namespace prefix "p" on <p:a>`},
		{`<a p:x="1"/>`, `line 1, column 1: undeclared namespace prefix "p" on attribute "p:x"`},
		{`<a x="1" x="2"/>`, `line 1, column 1: duplicate attribute "x" on <a>`},
		{"<a>&nbsp;</a>", "line 1, column 10: malformed XML: invalid character entity &nbsp;"},
		{"<a>\n<b c=1/></a>", "line 2, column 7: malformed XML: unquoted or missing attribute value in element"},
		{"<a><</a>", "line 1, column 5: malformed XML: expected element name after <"},
		{"<a/><?xml version=\"1.0\"?>", "line 1, column 5: the XML declaration must come first"},
		{`<?xml version="1.0" encoding="EBCDIC"?><a/>`, `line 1, column 40: malformed XML: opening charset "EBCDIC": unsupported encoding "EBCDIC"`},
		{strings.Repeat("<a>", maxDepth+1), "line 1, column 3001: XML nesting deeper than 1000 levels"},
	}
	for _, tt := range tests {
		_, err := XMLToJSON([]byte(tt.in), direct)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("XMLToJSON(%.40q): error %v, want *Error", tt.in, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("XMLToJSON(%.40q):\n got %s\nwant %s", tt.in, err, tt.want)
		}
	}
	if _, err := XMLToJSON([]byte("<a/>"), XMLToJSONOptions{Kind: "Direct"}); err == nil || !strings.Contains(err.Error(), `unknown xml-to-json kind "Direct"`) {
		t.Errorf("unknown kind: got %v", err)
	}
}
