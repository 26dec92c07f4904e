package lint

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Each testdata/rules/<id>-<name>.txtar is a folder with one trap:
//
//	-- want --                 the findings, one "TG003 path:line:col" per line
//	-- <path> --               the files of the folder
//	-- fixed/<path> --         the same folder fixed: these files replace the
//	                           trap's, and the result has no finding at all
//
// The trap folder must report exactly the findings of want, so a fixture
// also proves that the other rules stay quiet on it.
func TestRuleFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "rules", "*.txtar"))
	covered := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		id := strings.ToUpper(name[:5])
		rule := Lookup(id)
		if rule == nil {
			t.Errorf("%s: no rule %s", file, id)
			continue
		}
		covered[rule.ID] = true
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, arch := parseArchive(string(src))
			trap, fixed := map[string]string{}, map[string]string{}
			var want []string
			for _, f := range arch {
				switch {
				case f.name == "want":
					for l := range strings.SplitSeq(strings.TrimSpace(f.data), "\n") {
						if l = strings.TrimSpace(l); l != "" {
							want = append(want, l)
						}
					}
				case strings.HasPrefix(f.name, "fixed/"):
					fixed[strings.TrimPrefix(f.name, "fixed/")] = f.data
				default:
					trap[f.name] = f.data
				}
			}
			slices.Sort(want)
			if !slices.ContainsFunc(want, func(w string) bool { return strings.HasPrefix(w, rule.ID+" ") }) {
				t.Fatalf("want names no finding of %s", rule.ID)
			}
			if len(fixed) == 0 {
				t.Fatal("no fixed/ files")
			}
			dir := t.TempDir()
			writeTree(t, dir, trap)
			got, fs := lintDir(t, dir)
			got = slices.Sorted(slices.Values(got))
			if !slices.Equal(got, want) {
				t.Errorf("trap: got findings\n\t%s\nwant\n\t%s\n%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"), dump(dir, fs))
			}
			for _, f := range fs {
				if f.Rule.ID == rule.ID && (f.Message == "" || f.Fix == "") {
					t.Errorf("%s has no message or fix", f)
				}
			}
			for k, v := range trap {
				if _, ok := fixed[k]; !ok {
					fixed[k] = v
				}
			}
			dir = t.TempDir()
			writeTree(t, dir, fixed)
			if got, fs := lintDir(t, dir); len(got) > 0 {
				t.Errorf("fixed: got findings\n\t%s\n%s", strings.Join(got, "\n\t"), dump(dir, fs))
			}
		})
	}
	for _, r := range Rules() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no fixture in testdata/rules", r.ID)
		}
	}
}

func dump(dir string, fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("\t" + rel(dir, f.String()) + "\n\t\tfix: " + f.Fix + "\n")
		for _, r := range f.Related {
			b.WriteString("\t\t" + rel(dir, r.Position().String()) + ": " + r.Message + "\n")
		}
	}
	return b.String()
}

func TestCatalogue(t *testing.T) {
	id := regexp.MustCompile(`^TG\d{3}$`)
	seen := map[string]bool{}
	anchors := troubleshootingAnchors(t)
	for i, r := range Rules() {
		if !id.MatchString(r.ID) || seen[r.ID] {
			t.Errorf("rule %d: bad or duplicate id %q", i, r.ID)
		}
		seen[r.ID] = true
		if r.Name == "" || r.Title == "" || r.Message == "" || r.Fix == "" || r.Doc == "" || r.Seed == "" {
			t.Errorf("%s: every field must be filled: %+v", r.ID, r)
		}
		if !anchors[r.Doc] {
			t.Errorf("%s: docs/troubleshooting.md has no section #%s", r.ID, r.Doc)
		}
		if Lookup(strings.ToLower(r.ID)) != r {
			t.Errorf("Lookup(%q) does not find the rule", r.ID)
		}
	}
}

// troubleshootingAnchors returns the anchors GitHub gives the headings of
// docs/troubleshooting.md.
func troubleshootingAnchors(t *testing.T) map[string]bool {
	src, err := os.ReadFile("../../docs/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for l := range strings.SplitSeq(string(src), "\n") {
		if h, ok := strings.CutPrefix(l, "## "); ok {
			out[anchor(h)] = true
		}
	}
	return out
}

// anchor turns a heading into its GitHub anchor.
func anchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}
