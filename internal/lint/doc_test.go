package lint

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md from the catalogue and the fixtures")

const rulesDoc = "../../docs/rules.md"

// seedScenarios maps every scenario of the seeds that a folder can show to
// the rules that catch it.
var seedScenarios = []struct{ seed, scenario, rules string }{
	{"003", "1: no cors policy in the effective policy", "TG001 when a cors exists but an API or operation without `<base/>` drops it; a folder without any cors is not a trap tollgate can judge (it cannot know that browsers call the API), and `tollgate test` explains the 404 of the preflight"},
	{"003", "2: `<base/>` missing at API or operation scope", "TG001"},
	{"003", "3: cors after other policies (rate-limit)", "TG003, and TG002 when what runs first cannot reject the request"},
	{"003", "4: product-level policies run before cors; cors at product scope", "TG003 (product rate-limit and quota before `<base/>`), TG005 (cors in a product policy)"},
	{"003", "5: duplicate cors at different scopes", "TG004"},
	{"003", "6: renamed subscription key header not in allowed-headers", "TG006"},
	{"003", "7: terminate-unmatched-request", "TG008"},
	{"000", "step 2, cause A: renamed subscription key header", "TG006 (for browsers); at run time the 401's cause names the header"},
	{"000", "step 2, cause B: validate-jwt audience with a trailing slash; OpenID configuration", "TG021, TG022"},
	{"000", "step 2, cause C: ip-filter", "TG023, TG024"},
	{"000", "step 3: HTTP vs HTTPS, trailing slash, TLS validation turned off", "TG015, TG016, TG017, TG014; TG025 and TG026 for the backend section"},
	{"000", "step 4: missing named values, `{{…}}` inside expressions", "TG018, TG019"},
	{"000", "step 5: a product limit stricter than the API's", "TG010, TG011"},
	{"000", "FAQ, CORS: allow-credentials with `*`, OPTIONS operations", "TG007, TG009"},
	{"004", "scenario 2: expression evaluation failure (null reference)", "TG020"},
	{"004", "scenarios 6 and 9: retry for dropped connections", "TG013"},
	{"004", "scenario 8: certificate chain validation turned off", "TG014"},
	{"004", "504, scenarios 2 and 3: forward-request timeout", "TG012, TG013"},
}

// rulesMarkdown renders docs/rules.md: each rule with its severity, the trap,
// the bad and the good example of its fixture, the fix and the seed.
func rulesMarkdown(t *testing.T) string {
	var b strings.Builder
	b.WriteString(`# tollgate check: the rule catalogue

` + "`tollgate check DIR`" + ` judges the effective policy of every API and operation — in every product that
carries it, and without a product — and the entities around it, and reports each configuration trap below at the
position that must change. ` + "`tollgate check --rules`" + ` lists the catalogue; ` + "`--format json`" + ` and
` + "`--format sarif`" + ` write it for CI and code scanning; ` + "`--strict`" + ` turns warnings into errors. The
exit status is 1 when there is an error, 0 otherwise.

Each rule's examples are the test fixture of the rule (` + "`internal/lint/testdata/rules`" + `): the bad
example is reported, the good one is not. This file is generated from the catalogue and the fixtures
(` + "`go test ./internal/lint -run RulesDoc -update`" + `).

## Where the troubleshooting articles' scenarios are caught

| Seed | Scenario | Rules |
|---|---|---|
`)
	for _, s := range seedScenarios {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.seed, s.scenario, s.rules)
	}
	b.WriteString("\n## Rules\n\n| Rule | Severity | Trap |\n|---|---|---|\n")
	for _, r := range Rules() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Severity, escapeCell(prose(r.Title)))
	}
	for _, r := range Rules() {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** (%s, `%s`)\n\n%s\n\n", r.ID, prose(r.Title), r.Severity, r.Name, prose(r.Message))
		bad, good, file, lang := ruleExample(t, r)
		fmt.Fprintf(&b, "Bad (`%s`):\n\n```%s\n%s```\n\nGood:\n\n```%s\n%s```\n\n", file, lang, bad, lang, good)
		fmt.Fprintf(&b, "**Fix:** %s\n\n", prose(r.Fix))
		fmt.Fprintf(&b, "Seed: %s. See [troubleshooting](troubleshooting.md#%s).\n", r.Seed, r.Doc)
	}
	return b.String()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// prose escapes catalogue text for Markdown: element names such as <base/>
// and a lone * would otherwise be read as HTML and emphasis.
func prose(s string) string {
	return strings.NewReplacer("<", "&lt;", "*", `\*`).Replace(s)
}

// ruleExample returns the file of r's first fixture that holds the finding,
// as written in the trap and in the fixed folder.
func ruleExample(t *testing.T, r *Rule) (bad, good, file, lang string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "rules", strings.ToLower(r.ID)+"-*.txtar"))
	if len(files) == 0 {
		t.Fatalf("%s has no fixture", r.ID)
	}
	src, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	_, arch := parseArchive(string(src))
	get := func(name string) (string, bool) {
		for _, f := range arch {
			if f.name == name {
				return f.data, true
			}
		}
		return "", false
	}
	want, _ := get("want")
	for l := range strings.SplitSeq(want, "\n") {
		if id, pos, ok := strings.Cut(strings.TrimSpace(l), " "); ok && id == r.ID {
			file = pos[:strings.Index(pos, ":")]
			break
		}
	}
	bad, _ = get(file)
	var ok bool
	if good, ok = get("fixed/" + file); !ok {
		// The fix is in another file: show that one.
		for _, f := range arch {
			if name, isFixed := strings.CutPrefix(f.name, "fixed/"); isFixed {
				file, good = name, f.data
				bad, _ = get(name)
				break
			}
		}
	}
	if bad == "" {
		bad = "(absent)\n"
	}
	lang = "xml"
	if strings.HasSuffix(file, ".json") {
		lang = "json"
	}
	return bad, good, file, lang
}

func TestRulesDoc(t *testing.T) {
	want := rulesMarkdown(t)
	if *update {
		if err := os.WriteFile(rulesDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(rulesDoc)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("docs/rules.md is out of date with the catalogue or the fixtures: run go test ./internal/lint -run RulesDoc -update")
	}
}
