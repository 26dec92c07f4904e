package liquid

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir holds real policy files; the tests skip when it is absent.
const corpusDir = "../../../shared/corpus/policy-snippets/examples"

// liquidBodies returns the raw content of every <set-body template="liquid">
// element in a policy document, with the five predefined XML entities
// decoded, as the policy loader hands them over.
func liquidBodies(doc string) []string {
	var out []string
	for {
		i := strings.Index(doc, "<set-body")
		if i < 0 {
			return out
		}
		doc = doc[i:]
		end := strings.IndexByte(doc, '>')
		if end < 0 {
			return out
		}
		open := doc[:end]
		doc = doc[end+1:]
		if !strings.Contains(open, `template="liquid"`) || strings.HasSuffix(open, "/") {
			continue
		}
		close := strings.Index(doc, "</set-body>")
		if close < 0 {
			return out
		}
		body := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&").Replace(doc[:close])
		out = append(out, body)
		doc = doc[close:]
	}
}

func TestCorpusTemplates(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.xml"))
	if len(files) == 0 {
		t.Skip("policy corpus not present")
	}
	// want lists, per file, text each rendering must contain.
	want := map[string][]string{
		"List all inbound headers.policy.xml":                            {"Accept: application/json,text/plain", "X-Tenant: acme"},
		"Trigger Azure Data Factory Pipeline With Parameters.policy.xml": {`"UserEmailAddress": "ada@example.com"`},
		"Extracting multiple values from xml documents.policy.xml":       {"<message3>", `<data val1="" val3="" />`},
		"Generate Azure Relay Token.policy.xml":                          {"<!-- set your body transformation here -->"},
	}
	ctx := testContext(false)
	ctx.Request.MatchedParameters = map[string]string{"emailAddress": "ada@example.com"}
	body := &Message{ContentType: "application/json", Body: []byte(`{"name": "ada", "items": [1, 2]}`)}
	seen := 0
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, src := range liquidBodies(string(text)) {
			seen++
			tpl, err := Compile(src)
			if err != nil {
				t.Errorf("%s #%d: %v", filepath.Base(file), i, err)
				continue
			}
			if w := tpl.Warnings(); len(w) > 0 {
				t.Errorf("%s #%d: unexpected warnings %v", filepath.Base(file), i, w)
			}
			out, err := tpl.Render(body, ctx, Options{ParseDate: true})
			if err != nil {
				t.Errorf("%s #%d: render: %v", filepath.Base(file), i, err)
				continue
			}
			for _, w := range want[filepath.Base(file)] {
				if !strings.Contains(out, w) {
					t.Errorf("%s #%d: output lacks %q:\n%s", filepath.Base(file), i, w, out)
				}
			}
		}
	}
	if seen < 5 {
		t.Errorf("found %d liquid bodies in the corpus, want at least 5", seen)
	}
}
