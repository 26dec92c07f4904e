package policy

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestMissingNamedValue(t *testing.T) {
	src := wrap("inbound", `<set-header name="X-{{backend-ur}}" exists-action="override"><value>a&amp;{{nope}}</value></set-header>`)
	_, diags := load(t, "p.xml", src, API, testEnv())
	if len(diags) != 2 {
		t.Fatalf("diags:\n%s", diags)
	}
	d := diags[0]
	if d.Code != "unknown-named-value" || d.Message != `named value "backend-ur" does not exist` ||
		d.Span.Text() != "{{backend-ur}}" || d.Position().Line != 3 || d.Position().Column != 21 {
		t.Errorf("first: %s %q", d, d.Span.Text())
	}
	if len(d.Notes) != 1 || d.Notes[0] != "did you mean {{backend-url}}?" {
		t.Errorf("notes: %q", d.Notes)
	}
	// After an entity the reference still maps to its exact bytes.
	if d := diags[1]; d.Span.Text() != "{{nope}}" || len(d.Notes) != 0 {
		t.Errorf("second: %s %q %q", d, d.Span.Text(), d.Notes)
	}
}

func TestNamedValueWithoutNamedValues(t *testing.T) {
	env := testEnv()
	env.NamedValues = nil
	_, diags := load(t, "p.xml", wrap("inbound", `<set-variable name="a" value="{{x}}{{y}}" />`), API, env)
	if got := brief(diags, 2); len(got) != 2 || got[0] != "1:31 unknown-named-value" || got[1] != "1:36 unknown-named-value" {
		t.Errorf("got %q", got)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	const secret = "s3cr3t-value"
	src := wrap("inbound", `<set-header name="X-Key" exists-action="override"><value>{{api-key}}</value><value>@("k=" + "{{api-key}}" + "ECHO:")</value></set-header>`)
	doc, diags := load(t, "p.xml", src, API, testEnv())
	p := doc.Sections[Inbound].Statements[0].Policy.(*SetHeader)
	if p.Values[0].Resolved() != secret || p.Values[0].String() != "{{api-key}}" || !p.Values[0].HasSecret() {
		t.Errorf("value: %q / %q", p.Values[0].Resolved(), p.Values[0].String())
	}
	if !strings.Contains(p.Values[1].Expr.Source(), secret) {
		t.Errorf("the compiled source must hold the secret: %q", p.Values[1].Expr.Source())
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "%v %+v %#v %s %v %+v\n", p, p, p.Values, p.Values[1], *p.Values[1].Expr, p.Values[1].Expr)
	out.WriteString(diags.String())
	for _, d := range diags {
		out.WriteString(d.Snippet())
	}
	if err := Compose(nil, nil, doc, nil).Format(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), secret) {
		t.Errorf("secret printed:\n%s", out.String())
	}
	if !strings.Contains(diags.String(), `cannot compile @("k=" + "{{api-key}}" + "ECHO:")`) {
		t.Errorf("compiler message not scrubbed as expected:\n%s", diags)
	}
}

func TestSecretWithoutValue(t *testing.T) {
	env := testEnv()
	env.SecretHint = "with TOLLGATE_NV_UNSET_SECRET"
	_, diags := load(t, "p.xml", wrap("inbound", `<authentication-basic username="u" password="{{unset-secret}}" />`), API, env)
	if len(diags) != 1 || diags[0].Code != "secret-without-value" || diags[0].Span.Text() != "{{unset-secret}}" ||
		diags[0].Message != `secret named value "unset-secret" has no value: supply it with TOLLGATE_NV_UNSET_SECRET` {
		t.Errorf("diags: %s", diags)
	}
}

func TestExpressionOriginThroughSubstitution(t *testing.T) {
	env := testEnv()
	env.NamedValues = append(env.NamedValues, NamedValue{DisplayName: "bad-nv", Value: "@(1 + BAD)", HasValue: true})
	src := wrap("inbound", `<set-variable name="a" value="@(&quot;{{backend-url}}&quot; + BAD)" />`+"\n"+
		`<set-variable name="b" value="{{bad-nv}}" />`+"\n"+`<set-variable name="c" value="{{expr-nv}}" />`)
	doc, diags := load(t, "p.xml", src, API, env)
	if len(diags) != 2 {
		t.Fatalf("diags:\n%s", diags)
	}
	if d := diags[0]; d.Span.Text() != "BAD" || d.Position().Line != 3 {
		t.Errorf("after a substitution: %s %q", d, d.Span.Text())
	}
	if d := diags[1]; d.Span.Text() != "{{bad-nv}}" || d.Position().Line != 4 {
		t.Errorf("inside a substitution: %s %q", d, d.Span.Text())
	}
	c := doc.Sections[Inbound].Statements[2].Policy.(*SetVariable)
	if !c.Value.IsExpr() || c.Value.Expr.Program.(*fakeProgram).src != "@(context.Request.Method)" {
		t.Errorf("named value holding an expression: %+v", c.Value)
	}
}

func TestNamedValueCaseAndLiquid(t *testing.T) {
	src := wrap("inbound", `<set-variable name="a" value="{{tenantid}}" />`+"\n"+
		`<set-body template="liquid">{{body.id}} {{context.Request.MatchedParameters["id"]}} {{TenantId}}</set-body>`+"\n"+
		`<set-body>{{body.id}}</set-body>`)
	doc, diags := load(t, "p.xml", src, API, testEnv())
	if got := brief(diags, 2); len(got) != 2 || got[0] != "1:31 named-value-case" || got[1] != "3:11 unknown-named-value" {
		t.Errorf("got %q\n%s", got, diags)
	}
	if v := doc.Sections[Inbound].Statements[0].Policy.(*SetVariable).Value.Resolved(); v != "contoso" {
		t.Errorf("case-insensitive lookup: %q", v)
	}
	body := doc.Sections[Inbound].Statements[1].Policy.(*SetBody).Body.Resolved()
	if body != `{{body.id}} {{context.Request.MatchedParameters["id"]}} contoso` {
		t.Errorf("liquid body: %q", body)
	}
}

func TestFindRefs(t *testing.T) {
	cases := map[string][]string{
		"{{a}}":                {"{{a}}"},
		"x{{a.b-c_d}}y{{e}}":   {"{{a.b-c_d}}", "{{e}}"},
		"{{ a }}":              nil,
		"{{{a}}}":              {"{{a}}"},
		"{{a}":                 nil,
		`new JObject{{"a",1}}`: nil,
	}
	for in, want := range cases {
		var got []string
		for _, r := range findRefs(in) {
			got = append(got, in[r[0]:r[1]])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("findRefs(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSuggest(t *testing.T) {
	if s := suggest("set-heder", Names()); s != "set-header" {
		t.Errorf("got %q", s)
	}
	if s := suggest("zzz", Names()); s != "" {
		t.Errorf("got %q", s)
	}
}
