package liquid

import (
	"fmt"
	"testing"
)

func TestScratch(t *testing.T) {
	ctx := &Context{Request: RequestView{Method: "GET", Headers: map[string][]string{"Accept": {"a", "b"}, "X-Id": {"7"}}, MatchedParameters: map[string]string{"id": "42"}}}
	body := &Message{ContentType: "application/json", Body: []byte(`{"a":{"b":[1,2.5,"x"]},"d":"2024-01-02T03:04:05Z","n":null}`)}
	for _, src := range []string{
		`{{ body.a.b | Join: "-" }}|{{ body.a.b.size }}|{{body.d}}|{{ body.d | Date: "yyyy-MM-dd HH:mm K" }}`,
		`{{ "abc" | upcase }} {{ "abc" | Upcase }} {{ "abc" | Nope }}`,
		`{{context.Request.MatchedParameters["id"]}} {{context.Request.Headers["accept"]}} {{context.Request.Headers.X-Id}}`,
		"{% for h in context.Request.Headers %}{{ h.Key }}={{ h.Value }};{% endfor %}",
		"{% for p in body %}{{ p.Key }}={{ p.Value }};{% endfor %}",
		"line1\n{% if x %}\nunterminated",
		"line1\n{{ x | }}",
		"a\n\n{% bogus %}",
		`{{ body.a }}`,
		`{{ 10 | DividedBy: 0 }}`,
		`{{ context.Request.Url }}`,
	} {
		tpl, err := Compile(src)
		if err != nil {
			fmt.Printf("COMPILE %q -> %v\n", src, err)
			continue
		}
		out, err := tpl.Render(body, ctx, Options{ParseDate: true})
		fmt.Printf("%q -> %q %v\n", src, out, err)
	}
}
