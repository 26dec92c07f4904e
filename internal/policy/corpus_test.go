package policy

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

// damaged are the corpus files SOURCE.md lists as broken upstream.
var damaged = []string{
	"Call out to an HTTP endpoint and cache the response.policy.xml",
	"Filter response content based on product name.policy.xml",
	"Loopback request for service at same API Management service.xml",
	"Pre-authorize requests based on HTTP method with validate-jwt.policy.xml",
	"Return a blob URL signed with a user delegation SAS token.xml",
}

// findings are real defects of undamaged corpus files: the error codes
// loading them must report.
var findings = map[string][]string{
	// duration="{{cachetime}]": the reference is not closed.
	"Get OAuth2 access token from AAD using client id and certificate using key vault manage identity.xml": {"invalid-value"},
}

type corpusFile struct {
	rel   string
	file  *diag.File
	scope Scope
}

// readCorpus reads every policy file of the corpus and an Env that defines
// every named value they reference (when withNamedValues) and every
// fragment they include.
func readCorpus(t testing.TB, withNamedValues bool) ([]corpusFile, *Env) {
	dir := corpusDir(t)
	env := &Env{Fragments: map[string]*diag.File{}, Compile: fakeCompile}
	var files []corpusFile
	names := map[string]bool{}
	ref := regexp.MustCompile(`\{\{([A-Za-z0-9._-]+)\}\}`)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".xml") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		f := diag.NewFile(filepath.ToSlash(rel), src)
		scope := Product
		if i, j := strings.Index(string(src), "<fragment"), strings.Index(string(src), "<policies"); i >= 0 && (j < 0 || i < j) {
			scope = Fragment
			env.Fragments[strings.TrimSuffix(filepath.Base(path), ".xml")] = f
		}
		for _, m := range ref.FindAllStringSubmatch(string(src), -1) {
			names[m[1]] = true
		}
		files = append(files, corpusFile{rel: f.Name, file: f, scope: scope})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if withNamedValues {
		// Values are numbers so that integer attributes built from named
		// values (timeout="{{bff-timeout}}") are valid.
		for _, n := range slices.Sorted(maps.Keys(names)) {
			env.NamedValues = append(env.NamedValues, NamedValue{DisplayName: n, Value: "3600", HasValue: true})
		}
	}
	return files, env
}

func TestCorpus(t *testing.T) {
	files, env := readCorpus(t, true)
	var loaded, statements, errs, warnings int
	policies := map[string]int{}
	for _, cf := range files {
		doc, diags := LoadDocument(cf.file, cf.scope, env)
		isDamaged := slices.Contains(damaged, filepath.Base(cf.rel))
		for _, d := range diags {
			switch d.Severity {
			case diag.Error:
				errs++
			case diag.Warning:
				warnings++
			}
		}
		if len(diags) > 0 {
			t.Logf("%s (damaged upstream: %v):\n%s", cf.rel, isDamaged, diags)
		}
		if want, ok := findings[cf.rel]; ok {
			var got []string
			for _, d := range diags {
				if d.Severity == diag.Error {
					got = append(got, d.Code)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: errors %q, want %q", cf.rel, got, want)
			}
		} else if diags.HasErrors() && !isDamaged {
			t.Errorf("%s does not load", cf.rel)
			continue
		}
		if !diags.HasErrors() {
			loaded++
		}
		count := func(list []*Statement) {
			for _, st := range list {
				statements++
				policies[st.Name]++
			}
		}
		count(doc.Body)
		for _, s := range doc.Sections {
			count(s.Statements)
		}
		// Every file composes on its own and prints.
		if cf.scope != Fragment {
			var b strings.Builder
			if err := Compose(nil, nil, doc, nil).Format(&b); err != nil {
				t.Error(err)
			}
		}
	}
	t.Logf("corpus: %d files, %d loaded without errors, %d top-level statements, %d errors, %d warnings, %d named values provided, %d fragments",
		len(files), loaded, statements, errs, warnings, len(env.NamedValues), len(env.Fragments))
	t.Logf("policies: %v", policies)
}

// TestCorpusWithoutNamedValues shows what loading reports when none of the
// referenced named values exists: only unknown-named-value errors, one per
// reference outside Liquid bodies.
func TestCorpusWithoutNamedValues(t *testing.T) {
	files, env := readCorpus(t, false)
	total := 0
	for _, cf := range files {
		if slices.Contains(damaged, filepath.Base(cf.rel)) {
			continue
		}
		_, diags := LoadDocument(cf.file, cf.scope, env)
		n := 0
		for _, d := range diags {
			if d.Severity != diag.Error {
				continue
			}
			if d.Code != "unknown-named-value" && !slices.Contains(findings[cf.rel], d.Code) {
				t.Errorf("%s: unexpected %s", cf.rel, d)
			}
			n++
		}
		if n > 0 {
			t.Logf("%s: %d unknown named value references, first: %s", cf.rel, n, diags[0])
		}
		total += n
	}
	t.Logf("unknown named value references in the corpus: %d", total)
	if total == 0 {
		t.Error("the corpus references named values; expected errors")
	}
}

func BenchmarkLoadCorpus(b *testing.B) {
	files, env := readCorpus(b, true)
	b.ReportAllocs()
	for b.Loop() {
		for _, cf := range files {
			doc, _ := LoadDocument(cf.file, cf.scope, env)
			if cf.scope != Fragment {
				Compose(nil, nil, doc, nil)
			}
		}
	}
}

func BenchmarkCompose(b *testing.B) {
	files, env := readCorpus(b, true)
	var docs []*Document
	for _, cf := range files {
		if cf.scope != Fragment {
			d, _ := LoadDocument(cf.file, cf.scope, env)
			docs = append(docs, d)
		}
	}
	global, _ := LoadDocument(diag.NewFile("policy.xml", []byte(wrap("backend", "<forward-request />"))), Global, env)
	b.ReportAllocs()
	for b.Loop() {
		for i, d := range docs {
			Compose(global, docs[(i+1)%len(docs)], d, nil)
		}
	}
}
