package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/lint"
)

// trapFolder has a warning (a 600 s timeout, TG012) and a note
// (terminate-unmatched-request="false", TG008), and no error.
func trapFolder(t *testing.T) string {
	return writeFolder(t, map[string]string{
		"apis/a/apiInformation.json":                      `{"properties":{"path":"a","serviceUrl":"https://backend.example/a","subscriptionRequired":false}}`,
		"apis/a/operations/get/operationInformation.json": `{"properties":{"method":"GET","urlTemplate":"/items"}}`,
		"apis/a/policy.xml": `<policies>
	<inbound>
		<cors terminate-unmatched-request="false">
			<allowed-origins><origin>https://app.example</origin></allowed-origins>
		</cors>
		<base />
	</inbound>
	<backend>
		<forward-request timeout="600" />
	</backend>
</policies>
`,
	})
}

func check(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(context.Background(), append([]string{"check"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCheckRules(t *testing.T) {
	code, out, _ := check(t, "--rules")
	if code != 0 {
		t.Fatalf("check --rules: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(lint.Rules()) {
		t.Fatalf("%d lines, want one per rule (%d):\n%s", len(lines), len(lint.Rules()), out)
	}
	re := regexp.MustCompile(`^TG\d{3}  (error|warning|note) +\S.*$`)
	for i, l := range lines {
		if !re.MatchString(l) || !strings.HasPrefix(l, lint.Rules()[i].ID+"  ") || !strings.HasSuffix(l, lint.Rules()[i].Title) {
			t.Errorf("line %q: want id, severity and title of %s", l, lint.Rules()[i].ID)
		}
	}
	if code, _, _ := check(t); code != 2 {
		t.Errorf("check without a folder and without --rules: exit %d, want 2", code)
	}
}

func TestCheckText(t *testing.T) {
	dir := trapFolder(t)
	code, out, errOut := check(t, dir)
	if code != 0 {
		t.Errorf("warnings and notes only: exit %d, want 0", code)
	}
	policy := filepath.Join(dir, "apis", "a", "policy.xml")
	want := policy + ":3:38: note: TG008: terminate-unmatched-request=\"false\""
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	lines := strings.Split(out, "\n")
	i := strings.Index(out, policy+":9:29: warning: TG012: forward-request waits up to 600 s")
	if i < 0 {
		t.Fatalf("no TG012 finding at the timeout attribute:\n%s", out)
	}
	rest := strings.Split(out[i:], "\n")
	if !strings.HasPrefix(rest[1], "    fix: set timeout to 240 or less") || rest[2] != "    see: docs/rules.md#tg012, docs/troubleshooting.md#timeouts-and-retries" {
		t.Errorf("want indented fix: and see: lines after the finding, got %q", rest[1:3])
	}
	for _, l := range lines {
		if l != "" && !strings.HasPrefix(l, "    ") && !regexp.MustCompile(`^\S.*:\d+:\d+: (error|warning|note): TG\d{3}: .+`).MatchString(l) {
			t.Errorf("line %q is neither a finding nor indented under one", l)
		}
	}
	if !strings.Contains(errOut, "0 error(s), 1 warning(s), 1 note(s)") {
		t.Errorf("summary: %q", errOut)
	}

	code, out, _ = check(t, "--strict", dir)
	if code != 1 {
		t.Errorf("--strict with a warning: exit %d, want 1", code)
	}
	if !strings.Contains(out, ": error: TG012: ") || !strings.Contains(out, ": note: TG008: ") {
		t.Errorf("--strict makes warnings errors and leaves notes:\n%s", out)
	}
}

func TestCheckJSONAndSARIF(t *testing.T) {
	dir := trapFolder(t)
	code, out, _ := check(t, "--format", "json", dir)
	if code != 0 {
		t.Errorf("json: exit %d", code)
	}
	var r struct {
		Findings []struct {
			RuleID, Severity string
			Location         struct {
				Path         string
				Line, Column int
			}
		}
		Errors, Warnings, Notes int
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if r.Errors != 0 || r.Warnings != 1 || r.Notes != 1 || len(r.Findings) != 2 ||
		r.Findings[1].RuleID != "TG012" || r.Findings[1].Location.Line != 9 || r.Findings[1].Location.Column != 29 {
		t.Errorf("json report: %+v", r)
	}

	code, out, _ = check(t, "--format", "sarif", "--strict", dir)
	if code != 1 {
		t.Errorf("sarif --strict: exit %d, want 1", code)
	}
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID, Level string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("sarif: %v\n%s", err, out)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "tollgate" || len(log.Runs[0].Tool.Driver.Rules) != len(lint.Rules()) {
		t.Fatalf("sarif log: %+v", log)
	}
	res := log.Runs[0].Results
	if len(res) != 2 || res[1].RuleID != "TG012" || res[1].Level != "error" || res[0].Level != "note" {
		t.Errorf("sarif results with --strict: %+v", res)
	}

	if code, _, errOut := check(t, "--format", "xml", dir); code != 2 || !strings.Contains(errOut, "--format") {
		t.Errorf("--format xml: exit %d, %q", code, errOut)
	}
}

func TestCheckLoadErrorsAndTrapsOnce(t *testing.T) {
	dir := writeFolder(t, map[string]string{
		"apis/a/apiInformation.json":                      `{"properties":{"path":"a","serviceUrl":"https://backend.example/a","subscriptionRequired":false}}`,
		"apis/a/operations/get/operationInformation.json": `{"properties":{"method":"GET","urlTemplate":"/items"}}`,
		"policy.xml": `<policies>
	<inbound>
		<cors><allowed-origins><origin>https://app.example</origin></allowed-origins></cors>
	</inbound>
	<backend><forward-request /></backend>
</policies>
`,
		"apis/a/policy.xml": `<policies>
	<inbound>
		<base />
		<cors><allowed-origins><origin>https://other.example</origin></allowed-origins></cors>
		<set-header name="X-Key" exists-action="override"><value>{{missing}}</value></set-header>
		<set-variable name="n" value="@(context.Request.Url.Path.Lenght)" />
	</inbound>
</policies>
`,
	})
	code, out, _ := check(t, dir)
	if code != 1 {
		t.Errorf("a missing named value: exit %d, want 1", code)
	}
	policy := filepath.Join(dir, "apis", "a", "policy.xml")
	loadLine := policy + `:5:60: error: named value "missing" does not exist [unknown-named-value]`
	if !strings.Contains(out, loadLine+"\n") {
		t.Errorf("the load error is not printed as before (%q):\n%s", loadLine, out)
	}
	// A load error's notes are printed below it, indented.
	typo := policy + ":6:60: error: 'string' does not contain a definition for 'Lenght' [expression-unknown-member]\n    note: did you mean 'Length'?\n"
	if !strings.Contains(out, typo) {
		t.Errorf("the misspelt member is not printed with its note (%q):\n%s", typo, out)
	}
	if strings.Count(out, `"missing"`) != 1 {
		t.Errorf("the missing named value is reported more than once:\n%s", out)
	}
	if strings.Count(out, "TG004") != 1 || strings.Contains(out, "[cors-shadowed]") {
		t.Errorf("the second cors must be reported once, as TG004, not also as the old warning:\n%s", out)
	}

	code, out, _ = check(t, "--format", "json", dir)
	if code != 1 {
		t.Errorf("json: exit %d, want 1", code)
	}
	var r struct {
		Findings []struct{ RuleID, Code string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.RuleID+"/"+f.Code)
	}
	if strings.Join(ids, " ") != "TG004/ TG018/unknown-named-value TG000/expression-unknown-member" {
		t.Errorf("json findings %v, want the second cors and the missing named value under TG018", ids)
	}
}

func TestCheckPolicyFileInFolder(t *testing.T) {
	dir := trapFolder(t)
	policy := filepath.Join(dir, "apis", "a", "policy.xml")
	code, out, _ := check(t, policy)
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(out, policy+":9:29: warning: TG012: ") {
		t.Errorf("checking one file of a folder reports the rules' findings in it:\n%s", out)
	}
}
