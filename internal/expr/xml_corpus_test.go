package expr

import (
	"context"
	"strings"
	"testing"
)

// TestCorpusXML runs the corpus expressions that read XML against the
// documents their comments describe.
func TestCorpusXML(t *testing.T) {
	exprs := corpusExprs(t)
	want := map[string]string{
		"Extracting multiple values from xml documents.policy.xml": `{"conditionValue":"true","value1":"MESSAGE1_TEST1","value3":"MESSAGE1_TEST3"}`,
		"Extract value from XML.xml":                               "ABCDEF123456789",
	}
	xmlBody := `<message1>
    <conditionValue>true</conditionValue>
    <value1>MESSAGE1_TEST1</value1>
    <value2>MESSAGE1_TEST2</value2>
    <value3>MESSAGE1_TEST3</value3>
</message1>`
	seen := map[string]bool{}
	for _, x := range exprs {
		w, ok := want[x.file]
		if !ok || !strings.Contains(x.src, "Xml") && !strings.Contains(x.src, "XDocument") {
			continue
		}
		seen[x.file] = true
		p, diags := Compile(substituteNamedValues(x.src), x.org)
		if diags.HasErrors() {
			t.Errorf("%s: %s", x.file, diags)
			continue
		}
		c := testContext(t)
		c.Variables.Set("sendRequestResponse", &Response{StatusCode: 200, Body: &BytesBody{Data: []byte(xmlBody)}})
		v, err := p.Eval(context.Background(), c)
		if err != nil {
			t.Errorf("%s: %v", x.file, err)
			continue
		}
		got := ToString(v)
		got = strings.NewReplacer("\r\n", "", "\n", "", " ", "").Replace(got)
		if got != w {
			t.Errorf("%s: got %s, want %s", x.file, got, w)
		}
	}
	for f := range want {
		if !seen[f] {
			t.Errorf("%s: no XML expression found", f)
		}
	}
}

// TestXMLRequestBody reads and rewrites a SOAP request body the way policies
// do, and compares with the text .NET prints.
func TestXMLRequestBody(t *testing.T) {
	body := "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n  <soap:Body>\n    <GetItem xmlns=\"urn:shop\"><id>7</id></GetItem>\n  </soap:Body>\n</soap:Envelope>"
	cases := []struct{ src, want string }{
		{`@{
			var doc = context.Request.Body.As<XDocument>(preserveContent: true);
			var ns = XNamespace.Get("http://schemas.xmlsoap.org/soap/envelope/");
			var op = doc.Root.Element(ns + "Body").Elements().First();
			return op.Name.LocalName + "|" + op.Name.NamespaceName + "|" + (int)op.Element(XName.Get("id", "urn:shop"));
		}`, "GetItem|urn:shop|7"},
		{`@{
			var doc = context.Request.Body.As<XDocument>(preserveContent: true);
			XNamespace shop = "urn:shop";
			var item = doc.Descendants(shop + "GetItem").Single();
			item.Add(new XElement(shop + "qty", 2));
			item.SetAttributeValue("v", "1");
			return doc.ToString();
		}`, "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n  <soap:Body>\n    <GetItem xmlns=\"urn:shop\" v=\"1\">\n      <id>7</id>\n      <qty>2</qty>\n    </GetItem>\n  </soap:Body>\n</soap:Envelope>"},
		{`@(context.Request.Body.As<XElement>().Descendants().Count())`, "3"},
	}
	for _, c := range cases {
		p, diags := Compile(c.src, nil)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", c.src, diags)
		}
		ctx, err := NewTestContext(TestRequest{Method: "POST", Headers: []string{"Content-Type: text/xml"}, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		v, err := p.Eval(context.Background(), ctx)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := ToString(v); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}
