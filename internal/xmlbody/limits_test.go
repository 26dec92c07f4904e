package xmlbody

import (
	"errors"
	"strings"
	"testing"
)

// Bodies whose conversion would grow far past their size stop at a budget
// named in the error, and ordinary bodies convert within the defaults.
func TestConversionBudgets(t *testing.T) {
	// 900 levels of nesting, then many empty arrays: every line of the
	// output is indented by 1800 spaces.
	deepJSON := strings.Repeat(`{"a":`, 900) + `{"b":[` + strings.Repeat(`{},`, 20000) + `{}]}` + strings.Repeat("}", 900)
	deepXML := strings.Repeat("<a>", 900) + strings.Repeat("<b/>", 20000) + strings.Repeat("</a>", 900)
	wide := "[" + strings.Repeat("0,", 100000) + "0]"
	xmlWide := "<r>" + strings.Repeat("<e x='1' y='2'/>", 20000) + "</r>"
	out4 := Limits{MaxOutput: 4 << 20}
	lim := Limits{MaxMemory: 1 << 20}
	tests := []struct {
		name   string
		run    func() ([]byte, error)
		budget string
	}{
		{"json-to-xml indentation", func() ([]byte, error) { return JSONToXML([]byte(deepJSON), JSONToXMLOptions{Limits: out4}) }, "output"},
		{"xml-to-json indentation", func() ([]byte, error) {
			return XMLToJSON([]byte(deepXML), XMLToJSONOptions{Kind: KindDirect, Limits: out4})
		}, "output"},
		{"json-to-xml tree", func() ([]byte, error) { return JSONToXML([]byte(wide), JSONToXMLOptions{Limits: lim}) }, "memory"},
		{"xml-to-json tree", func() ([]byte, error) {
			return XMLToJSON([]byte(xmlWide), XMLToJSONOptions{Kind: KindDirect, Limits: lim})
		}, "memory"},
	}
	for _, tt := range tests {
		out, err := tt.run()
		var be *BudgetError
		if !errors.As(err, &be) || be.Budget != tt.budget {
			t.Errorf("%s: %d bytes, error %v; want the %s budget", tt.name, len(out), err, tt.budget)
			continue
		}
		if want := "the conversion ran out of its " + tt.budget + " budget of"; !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %q lacks %q", tt.name, err, want)
		}
	}
	// The same shape, smaller, converts under the defaults.
	deepJSON = strings.Repeat(`{"a":`, 900) + `{"b":[` + strings.Repeat(`{},`, 5000) + `{}]}` + strings.Repeat("}", 900)
	if out, err := JSONToXML([]byte(deepJSON), JSONToXMLOptions{}); err != nil || len(out) < 9<<20 {
		t.Errorf("default limits: %d bytes, %v", len(out), err)
	}
	if _, err := XMLToJSON([]byte(xmlWide), XMLToJSONOptions{Kind: KindDirect}); err != nil {
		t.Errorf("default limits: %v", err)
	}
}
