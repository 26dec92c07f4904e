package liquid

import (
	"strings"
	"testing"
)

func TestWarnings(t *testing.T) {
	src := `{{ body.name | upcase }}
{{ "a|b" | Split: "|" | Join: "," }}
{% assign x = body.tags | url_encode %}
{% raw %}{{ x | ignored }}{% endraw %}{% comment %}{{ x | alsoIgnored }}{% endcomment %}
{{ x | Upcase | Frobnicate: 1 | truncatewords: 3 }}`
	tpl, err := Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line int
		msg  string
	}{
		{1, `filter "upcase" does nothing: APIM's filter names are PascalCase; use "Upcase"`},
		{3, `use "UrlEncode"`},
		{5, `filter "Frobnicate" does nothing: APIM has no such filter`},
		{5, `use "TruncateWords"`},
	}
	got := tpl.Warnings()
	if len(got) != len(want) {
		t.Fatalf("got %d warnings %v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].Line != w.line || !strings.Contains(got[i].Msg, w.msg) {
			t.Errorf("warning %d = line %d %q, want line %d containing %q", i, got[i].Line, got[i].Msg, w.line, w.msg)
		}
	}
	clean, err := Compile(benchTemplate)
	if err != nil {
		t.Fatal(err)
	}
	if w := clean.Warnings(); len(w) != 0 {
		t.Errorf("clean template has warnings %v", w)
	}
}
