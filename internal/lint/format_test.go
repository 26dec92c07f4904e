package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// trapFolder lints the fixture tg003-product-rate-limit-before-cors, whose
// finding has a related location, plus a load warning.
func trapFindings(t *testing.T) (string, []Finding) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "rules", "tg003-product-rate-limit-before-cors.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	_, arch := parseArchive(string(src))
	files := map[string]string{
		"named values/secret/namedValueInformation.json": `{"properties": {"displayName": "secret", "secret": true}}`,
	}
	for _, f := range arch {
		if f.name != "want" && !strings.HasPrefix(f.name, "fixed/") {
			files[f.name] = f.data
		}
	}
	dir := t.TempDir()
	writeTree(t, dir, files)
	_, fs := lintDir(t, dir)
	if len(fs) != 2 {
		t.Fatalf("want a TG003 finding and a TG018 warning, got %v", fs)
	}
	return dir, fs
}

func TestText(t *testing.T) {
	dir, fs := trapFindings(t)
	var f Finding
	for _, x := range fs {
		if x.Rule == TG003 {
			f = x
		}
	}
	got := strings.ReplaceAll(f.Text(), dir+string(filepath.Separator), "")
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^products/starter/policy\.xml:3:4: warning: TG003: rate-limit \(product, products/starter/policy\.xml:3\) runs before cors \(policy\.xml:3\) .*429.*CORS error$`),
		regexp.MustCompile(`^    policy\.xml:3:4: cors, which runs too late$`),
		regexp.MustCompile(`^    fix: in products/starter/policy\.xml, move <base/> above rate-limit`),
		regexp.MustCompile(`^    see: docs/rules\.md#tg003, docs/troubleshooting\.md#cors$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), got)
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d: %q does not match %s", i+1, lines[i], re)
		}
	}
}

func TestJSON(t *testing.T) {
	dir, fs := trapFindings(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, fs); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Findings []struct {
			RuleID, Rule, Severity, Code, Message, Fix, Help, Doc string
			Location                                              struct {
				Path                             string
				Line, Column, EndLine, EndColumn int
			}
			Related []struct {
				Path         string
				Line, Column int
				Message      string
			}
		}
		Errors, Warnings, Notes int
	}
	if err := json.Unmarshal(b.Bytes(), &r); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if r.Errors != 0 || r.Warnings != 2 || len(r.Findings) != 2 {
		t.Fatalf("counts: %+v", r)
	}
	var seen []string
	for _, f := range r.Findings {
		seen = append(seen, f.RuleID)
		if f.RuleID != "TG003" {
			if f.Code != "named-value-without-value" || f.Severity != "warning" {
				t.Errorf("load warning: %+v", f)
			}
			continue
		}
		l := f.Location
		if rel(dir, l.Path) != "products/starter/policy.xml" || l.Line != 3 || l.Column != 4 || l.EndLine != 3 || l.EndColumn != 14 {
			t.Errorf("location %+v", l)
		}
		if f.Rule != "cors-behind-rejecting-policy" || f.Severity != "warning" || f.Help != "docs/rules.md#tg003" || f.Doc != "docs/troubleshooting.md#cors" || f.Fix == "" {
			t.Errorf("finding %+v", f)
		}
		if len(f.Related) != 1 || rel(dir, f.Related[0].Path) != "policy.xml" || f.Related[0].Line != 3 || f.Related[0].Message == "" {
			t.Errorf("related %+v", f.Related)
		}
	}
	if !slices.Equal(seen, []string{"TG018", "TG003"}) {
		t.Errorf("findings %v, want the load warning (named values/...) before the policy finding (products/...)", seen)
	}
}

// TestSARIFShape checks the log against the properties SARIF 2.1.0 requires
// and the ones GitHub code scanning reads.
func TestSARIFShape(t *testing.T) {
	_, fs := trapFindings(t)
	fs = append(fs, Finding{Rule: TG000, Severity: TG000.Severity, Message: "a problem with no file"})
	var b bytes.Buffer
	if err := WriteSARIF(&b, fs, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	for _, err := range checkSARIF(log) {
		t.Error(err)
	}
	// The rule metadata and the result the issue names.
	run := log["runs"].([]any)[0].(map[string]any)
	rules := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)
	if len(rules) != len(Rules()) {
		t.Errorf("%d rules in the driver, want the whole catalogue (%d)", len(rules), len(Rules()))
	}
	r3 := rules[3].(map[string]any)
	if r3["id"] != "TG003" || r3["helpUri"] != DocURL+"#tg003" || r3["defaultConfiguration"].(map[string]any)["level"] != "warning" {
		t.Errorf("rule TG003: %v", r3)
	}
	results := run["results"].([]any)
	var r map[string]any
	for _, x := range results {
		if x.(map[string]any)["ruleId"] == "TG003" {
			r = x.(map[string]any)
		}
	}
	loc := r["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
	region := loc["region"].(map[string]any)
	if region["startLine"] != 3.0 || region["startColumn"] != 4.0 || !strings.HasSuffix(loc["artifactLocation"].(map[string]any)["uri"].(string), "/products/starter/policy.xml") {
		t.Errorf("location %v", loc)
	}
	if rl := r["relatedLocations"].([]any); len(rl) != 1 {
		t.Errorf("related locations %v", rl)
	}
}

// checkSARIF returns every violation of the SARIF 2.1.0 schema's required
// properties and enumerations among the objects tollgate writes.
func checkSARIF(log map[string]any) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	str := func(m map[string]any, key, where string) string {
		s, ok := m[key].(string)
		if !ok || s == "" {
			bad("%s: %q is required and must be a non-empty string", where, key)
		}
		return s
	}
	obj := func(v any, where string) map[string]any {
		m, ok := v.(map[string]any)
		if !ok {
			bad("%s must be an object", where)
			return map[string]any{}
		}
		return m
	}
	arr := func(v any, where string) []any {
		a, ok := v.([]any)
		if !ok {
			bad("%s must be an array", where)
		}
		return a
	}
	message := func(v any, where string) {
		m := obj(v, where)
		if _, ok := m["text"].(string); !ok {
			if _, ok := m["id"].(string); !ok {
				bad("%s: a message needs text or id", where)
			}
		}
	}
	levels := []string{"none", "note", "warning", "error"}
	absURI := func(s, where string) {
		if u, err := url.Parse(s); err != nil || !u.IsAbs() {
			bad("%s: %q is not an absolute URI", where, s)
		}
	}
	location := func(v any, where string) {
		l := obj(v, where)
		if id, ok := l["id"]; ok {
			if n, ok := id.(float64); !ok || n < -1 || n != float64(int(n)) {
				bad("%s: id must be an integer >= -1", where)
			}
		}
		if m, ok := l["message"]; ok {
			message(m, where+".message")
		}
		pl, ok := l["physicalLocation"]
		if !ok {
			return
		}
		p := obj(pl, where+".physicalLocation")
		_, hasArtifact := p["artifactLocation"]
		_, hasAddress := p["address"]
		if !hasArtifact && !hasAddress {
			bad("%s.physicalLocation needs artifactLocation or address", where)
		}
		if hasArtifact {
			u := str(obj(p["artifactLocation"], where+".artifactLocation"), "uri", where+".artifactLocation")
			if _, err := url.Parse(u); err != nil || strings.ContainsAny(u, " \\") {
				bad("%s: artifact uri %q is not a URI reference", where, u)
			}
		}
		if rg, ok := p["region"]; ok {
			r := obj(rg, where+".region")
			sl, _ := r["startLine"].(float64)
			if sl < 1 {
				bad("%s.region: startLine must be >= 1", where)
			}
			for _, k := range []string{"startColumn", "endLine", "endColumn"} {
				if v, ok := r[k]; ok {
					if n, _ := v.(float64); n < 1 {
						bad("%s.region: %s must be >= 1", where, k)
					}
				}
			}
			if el, ok := r["endLine"].(float64); ok && el < sl {
				bad("%s.region: endLine before startLine", where)
			}
		}
	}
	if log["version"] != "2.1.0" {
		bad("version must be 2.1.0, not %v", log["version"])
	}
	if s, ok := log["$schema"].(string); ok {
		absURI(s, "$schema")
	}
	runs := arr(log["runs"], "runs")
	for i, rv := range runs {
		where := fmt.Sprintf("runs[%d]", i)
		run := obj(rv, where)
		driver := obj(obj(run["tool"], where+".tool")["driver"], where+".tool.driver")
		str(driver, "name", where+".tool.driver")
		if u, ok := driver["informationUri"].(string); ok {
			absURI(u, where+".tool.driver.informationUri")
		}
		if ck, ok := run["columnKind"]; ok && ck != "utf16CodeUnits" && ck != "unicodeCodePoints" {
			bad("%s: columnKind %v", where, ck)
		}
		var ids []string
		for j, rv := range arr(driver["rules"], where+".tool.driver.rules") {
			w := fmt.Sprintf("%s.rules[%d]", where, j)
			r := obj(rv, w)
			ids = append(ids, str(r, "id", w))
			for _, k := range []string{"shortDescription", "fullDescription", "help"} {
				if v, ok := r[k]; ok {
					m := obj(v, w+"."+k)
					if _, ok := m["text"].(string); !ok {
						bad("%s.%s: text is required", w, k)
					}
				} else {
					bad("%s: %s missing (code scanning shows it)", w, k)
				}
			}
			absURI(str(r, "helpUri", w), w+".helpUri")
			if !slices.Contains(levels, obj(r["defaultConfiguration"], w+".defaultConfiguration")["level"].(string)) {
				bad("%s: defaultConfiguration.level not one of %v", w, levels)
			}
		}
		for j, rv := range arr(run["results"], where+".results") {
			w := fmt.Sprintf("%s.results[%d]", where, j)
			r := obj(rv, w)
			message(r["message"], w+".message")
			id := str(r, "ruleId", w)
			if idx, ok := r["ruleIndex"].(float64); ok && (int(idx) >= len(ids) || ids[int(idx)] != id) {
				bad("%s: ruleIndex %v does not point at rule %s", w, idx, id)
			}
			if lv, ok := r["level"].(string); ok && !slices.Contains(levels, lv) {
				bad("%s: level %q", w, lv)
			}
			if ls, ok := r["locations"]; ok {
				for k, l := range arr(ls, w+".locations") {
					location(l, fmt.Sprintf("%s.locations[%d]", w, k))
				}
			}
			seen := map[float64]bool{}
			if ls, ok := r["relatedLocations"]; ok {
				for k, l := range arr(ls, w+".relatedLocations") {
					location(l, fmt.Sprintf("%s.relatedLocations[%d]", w, k))
					if id, ok := l.(map[string]any)["id"].(float64); ok {
						if seen[id] {
							bad("%s.relatedLocations: id %v twice", w, id)
						}
						seen[id] = true
					}
				}
			}
		}
	}
	return errs
}

// TestSARIFCheckerCatchesViolations keeps checkSARIF honest: it must reject
// logs that break the schema.
func TestSARIFCheckerCatchesViolations(t *testing.T) {
	for _, doc := range []string{
		`{"version": "2.0.0", "runs": []}`,
		`{"version": "2.1.0"}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": [{"id": "A", "shortDescription": {}, "fullDescription": {"text": "f"}, "help": {"text": "h"}, "helpUri": "rules.md", "defaultConfiguration": {"level": "warning"}}]}}, "results": []}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": []}}, "results": [{"ruleId": "A", "message": {}}]}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": []}}, "results": [{"ruleId": "A", "message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a b"}, "region": {"startLine": 0}}}]}]}]}`,
	} {
		var log map[string]any
		if err := json.Unmarshal([]byte(doc), &log); err != nil {
			t.Fatal(err)
		}
		if errs := checkSARIF(log); len(errs) == 0 {
			t.Errorf("no violation found in %s", doc)
		}
	}
}

func TestArtifactURI(t *testing.T) {
	for in, want := range map[string]string{
		"artifacts/named values/x/namedValueInformation.json": "artifacts/named%20values/x/namedValueInformation.json",
		"./apis/orders;rev=2/policy.xml":                      "apis/orders%3Brev=2/policy.xml",
		"/abs/apis/a/policy.xml":                              "file:///abs/apis/a/policy.xml",
		"(default global policy)":                             "",
	} {
		if got := artifactURI(in); got != want {
			t.Errorf("artifactURI(%q) = %q, want %q", in, got, want)
		}
	}
}
