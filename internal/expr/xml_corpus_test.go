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
		got = strings.NewReplacer("\r\n", "", " ", "").Replace(got)
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
