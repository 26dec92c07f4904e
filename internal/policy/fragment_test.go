package policy

import (
	"slices"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

func fragEnv(frags map[string]string) *Env {
	env := testEnv()
	for name, src := range frags {
		env.Fragments[name] = diag.NewFile("fragments/"+name+"/policy.xml", []byte(src))
	}
	return env
}

func TestIncludeFragment(t *testing.T) {
	env := fragEnv(map[string]string{"auth": "<fragment>\n\t<set-header name=\"X-Frag\" exists-action=\"override\"><value>{{backend-url}}</value></set-header>\n\t<set-variable name=\"v\" value=\"1\" />\n</fragment>"})
	src := wrap("inbound", `<base />`+"\n"+`<include-fragment fragment-id="auth" />`)
	doc, diags := load(t, "apis/echo/policy.xml", src, API, env)
	if len(diags) != 0 {
		t.Fatalf("diags:\n%s", diags)
	}
	list := doc.Sections[Inbound].Statements
	if len(list) != 3 || list[1].Name != "set-header" || list[1].Fragment != "auth" || list[1].Scope != API ||
		list[1].Include == nil || list[1].Elem.Start.Pos().Filename != "fragments/auth/policy.xml" {
		t.Fatalf("statements: %+v", list)
	}
	if v := list[1].Policy.(*SetHeader).Values[0].Resolved(); v != "https://backend.example" {
		t.Errorf("named value in fragment: %q", v)
	}
}

func TestFragmentErrors(t *testing.T) {
	cases := []struct {
		name  string
		frags map[string]string
		stmts string
		want  []string // "file:line:col code"
	}{
		{"missing", nil, `<include-fragment fragment-id="nope" />`, []string{"p.xml:3:32 unknown-fragment"}},
		{"did you mean", map[string]string{"auth-jwt": "<fragment />"}, `<include-fragment fragment-id="auth-jtw" />`,
			[]string{"p.xml:3:32 unknown-fragment"}},
		{"cycle", map[string]string{
			"a": "<fragment>\n<include-fragment fragment-id=\"b\" />\n</fragment>",
			"b": "<fragment>\n<include-fragment fragment-id=\"a\" />\n</fragment>",
		}, `<include-fragment fragment-id="a" />`, []string{
			"fragments/a/policy.xml:2:2 nested-fragment",
			"fragments/b/policy.xml:2:32 fragment-cycle",
		}},
		{"base and sections", map[string]string{"f": "<fragment>\n<base />\n<inbound />\n</fragment>"}, `<include-fragment fragment-id="f" />`,
			[]string{"fragments/f/policy.xml:2:2 base-in-fragment", "fragments/f/policy.xml:3:2 unknown-policy"}},
		{"placement follows the including section", map[string]string{"f": "<fragment>\n<forward-request />\n</fragment>"},
			`<include-fragment fragment-id="f" />`, []string{"fragments/f/policy.xml:2:2 misplaced-policy"}},
		{"wrong root", map[string]string{"f": "<policies />"}, `<include-fragment fragment-id="f" />`,
			[]string{"fragments/f/policy.xml:1:2 wrong-root"}},
		{"expression id", nil, `<include-fragment fragment-id="@(&quot;x&quot;)" />`, []string{"p.xml:3:32 expression-not-allowed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, diags := load(t, "p.xml", wrap("inbound", c.stmts), API, fragEnv(c.frags))
			var got []string
			for _, d := range diags {
				got = append(got, d.Position().String()+" "+d.Code)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q\nwant %q\n%s", got, c.want, diags)
			}
			if c.name == "did you mean" && (len(diags) != 1 || len(diags[0].Notes) != 1 || diags[0].Notes[0] != `did you mean "auth-jwt"?`) {
				t.Errorf("notes: %s %q", diags, diags[0].Notes)
			}
		})
	}
}

func TestFragmentOnItsOwn(t *testing.T) {
	doc, diags := load(t, "f.xml", "<fragment>\n<set-variable name=\"a\" value=\"b\" />\n<forward-request />\n</fragment>", Fragment, testEnv())
	if len(diags) != 0 || len(doc.Body) != 2 || doc.Scope != Fragment {
		t.Errorf("diags %s, body %d", diags, len(doc.Body))
	}
}
