package xmlbody

import (
	"errors"
	"strings"
	"testing"
)

var nsOpts = JSONToXMLOptions{NamespaceSeparator: ":", NamespacePrefix: "xmlns", AttributeBlockName: "#attrs"}

func TestJSONToXML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		o    JSONToXMLOptions
		want string
	}{
		{
			// Observed APIM output for this body (dev.fyicenter.com,
			// "json-to-xml Azure API Policy Statement").
			name: "document root, booleans, arrays, empty array, null",
			in: `{"firstName": "John", "isAlive": true, "age": 25,
				"address": {"streetAddress": "21 2nd Street", "city": "New York"},
				"phoneNumbers": [{"type": "home", "number": "212 555-1234"}, {"type": "mobile", "number": "123 456-7890"}],
				"children": [], "spouse": null}`,
			want: `<Document>
  <firstName>John</firstName>
  <isAlive>True</isAlive>
  <age>25</age>
  <address>
    <streetAddress>21 2nd Street</streetAddress>
    <city>New York</city>
  </address>
  <phoneNumbers>
    <type>home</type>
    <number>212 555-1234</number>
  </phoneNumbers>
  <phoneNumbers>
    <type>mobile</type>
    <number>123 456-7890</number>
  </phoneNumbers>
  <children />
  <spouse xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" />
</Document>`,
		},
		{
			// The example of the json-to-xml reference page, whose printed
			// output leaves out the v1:QueryItem element.
			name: "soap envelope with namespaces and attribute block",
			in: `{"soapenv:Envelope": {
				"xmlns:soapenv": "http://schemas.xmlsoap.org/soap/envelope/",
				"xmlns:v1": "http://localdomain.com/core/v1",
				"soapenv:Header": {},
				"soapenv:Body": {"v1:QueryList": {"#attrs": {"queryName": "test"}, "v1:QueryItem": {"name": "dummy text"}}}}}`,
			o: nsOpts,
			want: `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v1="http://localdomain.com/core/v1">
  <soapenv:Header />
  <soapenv:Body>
    <v1:QueryList queryName="test">
      <v1:QueryItem>
        <name>dummy text</name>
      </v1:QueryItem>
    </v1:QueryList>
  </soapenv:Body>
</soapenv:Envelope>`,
		},
		{name: "single property is the root", in: `{"a":{"b":"c","d":false}}`, want: "<a>\n  <b>c</b>\n  <d>False</d>\n</a>"},
		{name: "single scalar property", in: `{"a":"x"}`, want: `<a>x</a>`},
		{name: "single null property", in: `{"a":null}`, want: `<a xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" />`},
		{name: "single array property is wrapped", in: `{"a":[1,2]}`, want: "<Document>\n  <a>1</a>\n  <a>2</a>\n</Document>"},
		{name: "nested arrays flatten", in: `{"a":[[1,2],[],{"b":[]}],"c":3}`,
			want: "<Document>\n  <a>1</a>\n  <a>2</a>\n  <a />\n  <a>\n    <b />\n  </a>\n  <c>3</c>\n</Document>"},
		{name: "array of arrays of objects", in: `{"r":{"x":[{"y":1},{"y":[2,3]}]}}`,
			want: "<r>\n  <x>\n    <y>1</y>\n  </x>\n  <x>\n    <y>2</y>\n    <y>3</y>\n  </x>\n</r>"},
		{name: "empty object", in: `{}`, want: `<Document />`},
		{name: "empty nested object", in: `{"a":{}}`, want: `<a />`},
		{name: "top-level array", in: `[1,{"b":"x"}]`, want: "<Document>\n  <Item>1</Item>\n  <Item>\n    <b>x</b>\n  </Item>\n</Document>"},
		{name: "top-level empty array", in: `[]`, want: `<Document />`},
		{name: "top-level string", in: `"x&y"`, want: `<Document>x&amp;y</Document>`},
		{name: "top-level null", in: ` null `, want: `<Document xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" />`},
		{name: "empty string", in: `{"a":""}`, want: `<a></a>`},
		{name: "text escaping", in: `{"a":"<b> & \"q\" 'a'\r\tend"}`, want: "<a>&lt;b&gt; &amp; \"q\" 'a'\n\tend</a>"},
		{name: "unicode kept", in: `{"a":"h\u00e9llo \ud83d\ude00 €"}`, want: "<a>héllo 😀 €</a>"},
		{name: "lone surrogate replaced", in: `{"a":"\ud800x"}`, want: "<a>\uFFFDx</a>"},
		{name: "attribute escaping", in: `{"a":{"#attrs":{"v":"<\"&'\n\t\r>"}}}`, o: nsOpts, want: `<a v="&lt;&quot;&amp;'&#xA;&#x9;&#xD;&gt;" />`},
		{name: "attribute scalars and null", in: `{"a":{"#attrs":{"n":1.50,"b":true,"z":null},"c":"d"}}`, o: nsOpts, want: "<a n=\"1.5\" b=\"True\">\n  <c>d</c>\n</a>"},
		{name: "attribute block off by default", in: `{"a":{"#attrs":{"n":1}}}`, want: "<a>\n  <_x0023_attrs>\n    <n>1</n>\n  </_x0023_attrs>\n</a>"},
		{name: "attribute block that is not an object is an element", in: `{"a":{"#attrs":"x"}}`, o: nsOpts, want: "<a>\n  <_x0023_attrs>x</_x0023_attrs>\n</a>"},
		{name: "attribute block on Document", in: `{"#attrs":{"id":"7"},"a":1}`, o: nsOpts, want: "<Document id=\"7\">\n  <a>1</a>\n</Document>"},
		{name: "names needing encoding", in: `{"first name":1,"1st":2,"a:b":3,"_x0041_":4,"ü-ok.1":5,"a/b":6,"😀":7}`,
			want: "<Document>\n  <first_x0020_name>1</first_x0020_name>\n  <_x0031_st>2</_x0031_st>\n  <a_x003A_b>3</a_x003A_b>\n  <_x005F_x0041_>4</_x005F_x0041_>\n  <ü-ok.1>5</ü-ok.1>\n  <a_x002F_b>6</a_x002F_b>\n  <😀>7</😀>\n</Document>"},
		{name: "undeclared prefix is encoded", in: `{"p:a":{"q:b":"x"}}`, o: nsOpts, want: "<p_x003A_a>\n  <q_x003A_b>x</q_x003A_b>\n</p_x003A_a>"},
		{name: "default separator", in: `{"xmlns_p":"urn:p","p_a":"x","q_b":"y"}`, o: JSONToXMLOptions{NamespacePrefix: "xmlns"},
			want: "<Document xmlns:p=\"urn:p\">\n  <p:a>x</p:a>\n  <q_b>y</q_b>\n</Document>"},
		{name: "default namespace", in: `{"root":{"xmlns":"urn:x","a":"1"}}`, o: nsOpts, want: "<root xmlns=\"urn:x\">\n  <a>1</a>\n</root>"},
		{name: "custom namespace prefix", in: `{"r":{"ns:s":"urn:s","s:a":{"#attrs":{"s:id":"1"}}}}`, o: JSONToXMLOptions{NamespaceSeparator: ":", NamespacePrefix: "ns", AttributeBlockName: "#attrs"},
			want: "<r xmlns:s=\"urn:s\">\n  <s:a s:id=\"1\" />\n</r>"},
		{name: "prefix scope ends with its element", in: `{"r":{"a":{"xmlns:p":"urn:p","p:x":1},"p:y":2}}`, o: nsOpts,
			want: "<r>\n  <a xmlns:p=\"urn:p\">\n    <p:x>1</p:x>\n  </a>\n  <p_x003A_y>2</p_x003A_y>\n</r>"},
		{name: "declared xsi is reused by null", in: `{"r":{"xmlns:xsi":"http://www.w3.org/2001/XMLSchema-instance","a":null}}`, o: nsOpts,
			want: "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <a xsi:nil=\"true\" />\n</r>"},
		{name: "namespace declarations are ignored without namespace-prefix", in: `{"r":{"xmlns":"urn:x"}}`, want: "<r>\n  <xmlns>urn:x</xmlns>\n</r>"},
		{name: "numbers", in: `{"n":[0,-0,1.0,1.50,-2.5e3,1e2,1E+21,1e15,123456789012345.6,1.5e-7,0.0001,0.00001,9223372036854775807,12345678901234567890123,1e400,-1e400]}`,
			want: "<Document>\n  <n>0</n>\n  <n>0</n>\n  <n>1</n>\n  <n>1.5</n>\n  <n>-2500</n>\n  <n>100</n>\n  <n>1E+21</n>\n  <n>1E+15</n>\n  <n>123456789012345.6</n>\n  <n>1.5E-07</n>\n  <n>0.0001</n>\n  <n>1E-05</n>\n  <n>9223372036854775807</n>\n  <n>12345678901234567890123</n>\n  <n>Infinity</n>\n  <n>-Infinity</n>\n</Document>"},
		{name: "dates parsed", in: `{"d":["2017-03-01T10:00:00Z","2017-03-01T10:00:00.1234567+01:00","2017-03-01T10:00:00","2017-03-01T00:30:00-0230","2017-03-01","2017-02-30T10:00:00Z","2017-03-01T10:00:00 Z","not a date"]}`, o: JSONToXMLOptions{ParseDate: true},
			want: "<Document>\n  <d>03/01/2017 10:00:00</d>\n  <d>03/01/2017 09:00:00</d>\n  <d>03/01/2017 10:00:00</d>\n  <d>03/01/2017 03:00:00</d>\n  <d>2017-03-01</d>\n  <d>2017-02-30T10:00:00Z</d>\n  <d>2017-03-01T10:00:00 Z</d>\n  <d>not a date</d>\n</Document>"},
		{name: "dates kept without parse-date", in: `{"d":"2017-03-01T10:00:00.5Z"}`, want: `<d>2017-03-01T10:00:00.5Z</d>`},
		{name: "duplicate property replaces the first", in: `{"a":1,"b":2,"a":[3,4]}`, want: "<Document>\n  <a>3</a>\n  <a>4</a>\n  <b>2</b>\n</Document>"},
		{name: "duplicate single property", in: `{"a":1,"a":2}`, want: "<a>2</a>"},
		{name: "byte order mark", in: "\uFEFF{\"a\":1}", want: `<a>1</a>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSONToXML([]byte(tt.in), tt.o)
			if err != nil {
				t.Fatalf("JSONToXML: %v", err)
			}
			if want := (tt.want); string(got) != want {
				t.Errorf("JSONToXML(%s)\ngot:\n%s\nwant:\n%s", tt.in, got, want)
			}
		})
	}
}

func TestJSONToXMLErrors(t *testing.T) {
	tests := []struct {
		in   string
		o    JSONToXMLOptions
		want string
	}{
		{``, JSONToXMLOptions{}, "line 1, column 1: unexpected end of input, expected a JSON value"},
		{"{\"a\":\n  [1,]}", JSONToXMLOptions{}, "line 2, column 6: unexpected character ']', expected a JSON value"},
		{`{"a":1}x`, JSONToXMLOptions{}, "line 1, column 8: unexpected character 'x' after the JSON value"},
		{`{"a" 1}`, JSONToXMLOptions{}, "line 1, column 6: unexpected character '1', expected ':' after a property name"},
		{`{a:1}`, JSONToXMLOptions{}, "line 1, column 2: unexpected character 'a', expected a property name"},
		{`{"a":"x`, JSONToXMLOptions{}, "line 1, column 6: unterminated string"},
		{`{"a":"\q"}`, JSONToXMLOptions{}, `line 1, column 7: invalid escape sequence '\q'`},
		{`{"a":01}`, JSONToXMLOptions{}, "line 1, column 6: number has a leading zero"},
		{`{"a":1.}`, JSONToXMLOptions{}, "line 1, column 8: unexpected character '}' in number, expected a digit after '.'"},
		{`[tru]`, JSONToXMLOptions{}, "line 1, column 2: unexpected character 't', expected a JSON value"},
		{`{"a":[1 2]}`, JSONToXMLOptions{}, "line 1, column 9: unexpected character '2', expected ',' or ']'"},
		{`{"":1}`, JSONToXMLOptions{}, "line 1, column 2: an empty property name cannot be an XML name"},
		{"{\"a\":\"x\\u0001\"}", JSONToXMLOptions{}, "line 1, column 6: character U+0001 cannot appear in XML"},
		{`{"a":{"#attrs":{"b":[1]}}}`, nsOpts, `line 1, column 21: attribute "b" needs a scalar value`},
		{`{"a":{"xmlns":"urn:a","#attrs":{"xmlns":"urn:b"}}}`, nsOpts, `line 1, column 41: duplicate attribute "xmlns"`},
		{`{"a":{"xmlns:p":{}}}`, nsOpts, `line 1, column 17: namespace declaration "xmlns:p" needs a string value`},
		{`{"a":{"xmlns:p":""}}`, nsOpts, `line 1, column 17: the prefix "p" cannot be bound to an empty namespace`},
		{strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), JSONToXMLOptions{}, "line 1, column 1001: JSON nesting deeper than 1000 levels"},
	}
	for _, tt := range tests {
		_, err := JSONToXML([]byte(tt.in), tt.o)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("JSONToXML(%.40q): error %v, want *Error", tt.in, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("JSONToXML(%.40q):\n got %s\nwant %s", tt.in, err, tt.want)
		}
	}
}

func TestJSONToXMLNewlineInText(t *testing.T) {
	got, err := JSONToXML([]byte(`{"a":"1\n2\r3\r\n4"}`), JSONToXMLOptions{})
	if want := "<a>1\n2\n3\n4</a>"; err != nil || string(got) != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
}

func TestEncodeLocalName(t *testing.T) {
	tests := map[string]string{
		"abc": "abc", "a b": "a_x0020_b", "9": "_x0039_", "-a": "_x002D_a", "a-9": "a-9", "a:b": "a_x003A_b",
		"_x12": "_x12", "_x1234_": "_x005F_x1234_", "_X00410041_": "_x005F_X00410041_", "a\U000F0000": "a_x000F0000_", "a\U000E0000": "a\U000E0000",
		"$ref": "_x0024_ref", "@id": "_x0040_id", "é": "é", "\u00B7a": "_x00B7_a", "a\u00B7": "a\u00B7",
	}
	for in, want := range tests {
		if got := encodeLocalName(in); got != want {
			t.Errorf("encodeLocalName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatDouble(t *testing.T) {
	tests := map[float64]string{
		0.1: "0.1", 1.0 / 3: "0.3333333333333333", 1e14: "100000000000000", 1e15: "1E+15", 1.25e-5: "1.25E-05",
		123.456: "123.456", -1e-7: "-1E-07", 5e-324: "5E-324", 1.7976931348623157e308: "1.7976931348623157E+308",
	}
	for in, want := range tests {
		if got := formatDouble(in); got != want {
			t.Errorf("formatDouble(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestContentTypes(t *testing.T) {
	json := []string{"application/json", "Application/JSON; charset=utf-8", "text/json", "application/problem+json", " application/vnd.api+json ;x=y"}
	xml := []string{"application/xml", "text/xml; charset=iso-8859-1", "application/soap+xml", "application/atom+xml"}
	neither := []string{"", "text/plain", "application/jsonx", "application/+json", "+json", "json", "application/xml-dtd", "text/html"}
	for _, ct := range json {
		if !IsJSONContentType(ct) || IsXMLContentType(ct) {
			t.Errorf("%q: want JSON only", ct)
		}
	}
	for _, ct := range xml {
		if !IsXMLContentType(ct) || IsJSONContentType(ct) {
			t.Errorf("%q: want XML only", ct)
		}
	}
	for _, ct := range neither {
		if IsJSONContentType(ct) || IsXMLContentType(ct) {
			t.Errorf("%q: want neither", ct)
		}
	}
}
