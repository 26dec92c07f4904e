package gateway

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/policy"
)

// policyCorpus is the corpus of real policy files gathered from public
// repositories, each kept byte for byte; SOURCES.md cites every file and
// gives the scope it is meant for.
const policyCorpus = "../../testdata/policycorpus"

// corpusExpectedFailures lists the corpus files tollgate does not load yet:
// each uses a policy tollgate does not run, and must fail at load with the
// error given here ("line:col code" of the first error), never later. A file
// that starts loading must be taken off the list.
var corpusExpectedFailures = map[string]string{
	"Azure-Samples/api-management-sample-apis/src/ApiManagement/TodoGraphQLApi/policy.xml":                  "4:10 unsupported-policy", // validate-graphql-request
	"Azure/azure-api-management-policy-toolkit/test/Test.Decompiling/TestData/validate-graphql-request.xml": "4:4 unsupported-policy",
	"Azure/azure-api-management-policy-toolkit/test/Test.Decompiling/TestData/validate-odata-request.xml":   "4:4 unsupported-policy",
	"Azure/azure-api-management-policy-toolkit/test/Test.Decompiling/TestData/xsl-transform.xml":            "4:4 unsupported-policy",
	"Azure/azure-api-management-policy-toolkit/test/Test.Decompiling/TestData/cross-domain.xml":             "4:4 unsupported-policy",
	"Azure/azure-api-management-policy-toolkit/test/Test.Decompiling/TestData/proxy.xml":                    "4:4 unsupported-policy",
	"Azure/azure-api-management-policy-toolkit/test/Test.Decompiling/TestData/redirect-content-urls.xml":    "10:4 unsupported-policy",
	"Azure/azure-api-management-policy-toolkit/test/Test.Decompiling/TestData/invoke-dapr-binding.xml":      "4:4 unsupported-policy",
	"Azure/azure-api-management-policy-toolkit/test/Test.Decompiling/TestData/send-service-bus-message.xml": "4:4 unsupported-policy",
}

// corpusEntry is one row of SOURCES.md.
type corpusEntry struct {
	file, repo, path, commit, licence string
	scope                             policy.Scope
}

var corpusScopes = map[string]policy.Scope{
	"global": policy.Global, "product": policy.Product, "api": policy.API,
	"operation": policy.Operation, "fragment": policy.Fragment,
}

// readCorpusSources reads the table of SOURCES.md.
func readCorpusSources(t *testing.T) []corpusEntry {
	f, err := os.Open(filepath.Join(policyCorpus, "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusEntry
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| file ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 6 {
			continue // another table of the document
		}
		scope, ok := corpusScopes[cells[5]]
		if !ok {
			t.Fatalf("SOURCES.md:%d: unknown scope %q", n, cells[5])
		}
		if cells[0] != cells[1]+"/"+cells[2] {
			t.Errorf("SOURCES.md:%d: file %s is not repository/path", n, cells[0])
		}
		out = append(out, corpusEntry{cells[0], cells[1], cells[2], cells[3], cells[4], scope})
	}
	return out
}

var corpusNamedValue = regexp.MustCompile(`\{\{([^{}]+)\}\}`)
var corpusInclude = regexp.MustCompile(`fragment-id="([^"]+)"`)

// corpusNamedValueFor returns a value for a named value the corpus file
// references: the corpus has no named values of its own, so URLs get a URL
// and everything else the number 60, which every attribute type accepts
// (counts, periods within their limits, durations, text).
func corpusNamedValueFor(name string) string {
	n := strings.ToLower(name)
	for _, w := range []string{"url", "endpoint", "uri", "host", "address", "issuer", "audience", "authority"} {
		if strings.Contains(n, w) {
			return "https://backend.example/" + name
		}
	}
	return "60"
}

// nearestFile returns the candidate that shares the longest folder prefix
// with file: a fragment from the same folder or capability wins over one of
// the same name elsewhere in the repository.
func nearestFile(file string, candidates []string) string {
	best, bestLen := "", -1
	for _, c := range candidates {
		n := 0
		for n < len(c) && n < len(file) && c[n] == file[n] {
			n++
		}
		if n > bestLen {
			best, bestLen = c, n
		}
	}
	return best
}

// TestPolicyCorpusLoads loads every corpus file the way tollgate loads a
// policy.xml: parsed, named values substituted, fragments inlined and every
// expression compiled, at the scope the file is meant for (fragments as
// fragments). A fragment a policy includes is taken from the same
// repository when the corpus has it (by file name, the nearest one when
// several share the name), and is an empty fragment otherwise: the corpus
// holds the policies, not every repository's whole deployment.
func TestPolicyCorpusLoads(t *testing.T) {
	entries := readCorpusSources(t)
	if len(entries) == 0 {
		t.Fatal("SOURCES.md lists no files")
	}
	repos := map[string]bool{}
	fragments := map[string][]string{} // repository and fragment id to corpus files
	for _, e := range entries {
		repos[e.repo] = true
		if e.scope != policy.Fragment {
			continue
		}
		id := strings.TrimSuffix(path.Base(e.path), path.Ext(e.path))
		if path.Base(e.path) == "policy.xml" {
			id = path.Base(path.Dir(e.path))
		}
		fragments[e.repo+" "+id] = append(fragments[e.repo+" "+id], e.file)
		// Repositories that deploy their fragments with Bicep or Terraform
		// name the file frag-<id>.xml.
		if trimmed, ok := strings.CutPrefix(id, "frag-"); ok {
			fragments[e.repo+" "+trimmed] = append(fragments[e.repo+" "+trimmed], e.file)
		}
	}
	listed := map[string]bool{}
	loaded, failed := 0, 0
	for _, e := range entries {
		src, err := os.ReadFile(filepath.Join(policyCorpus, filepath.FromSlash(e.file)))
		if err != nil {
			t.Errorf("%s: %v", e.file, err)
			continue
		}
		env := &policy.Env{Fragments: map[string]*diag.File{}, Compile: compileExpr, Runnable: Runnable}
		texts := []string{string(src)}
		for _, m := range corpusInclude.FindAllStringSubmatch(string(src), -1) {
			id := m[1]
			if file := nearestFile(e.file, fragments[e.repo+" "+id]); file != "" {
				b, err := os.ReadFile(filepath.Join(policyCorpus, filepath.FromSlash(file)))
				if err != nil {
					t.Fatal(err)
				}
				env.Fragments[id] = diag.NewFile(file, b)
				texts = append(texts, string(b))
			} else {
				env.Fragments[id] = diag.NewFile(id+".xml", []byte("<fragment></fragment>"))
			}
		}
		seen := map[string]bool{}
		for _, text := range texts {
			for _, m := range corpusNamedValue.FindAllStringSubmatch(text, -1) {
				if name := strings.TrimSpace(m[1]); !seen[strings.ToLower(name)] {
					seen[strings.ToLower(name)] = true
					env.NamedValues = append(env.NamedValues, policy.NamedValue{DisplayName: name, Value: corpusNamedValueFor(name), HasValue: true})
				}
			}
		}
		_, diags := policy.LoadDocument(diag.NewFile(e.file, src), e.scope, env)
		reason, expected := corpusExpectedFailures[e.file]
		listed[e.file] = true
		if !diags.HasErrors() {
			loaded++
			if expected {
				t.Errorf("%s loads now; take it off corpusExpectedFailures (it failed with %s)", e.file, reason)
			}
			continue
		}
		failed++
		var first *diag.Diagnostic
		for i, d := range diags {
			if d.Severity != diag.Error {
				continue
			}
			if !d.Span.IsValid() && d.Pos.Filename == "" {
				t.Errorf("%s: error without a position: %s", e.file, d)
			}
			if first == nil {
				first = &diags[i]
			}
		}
		switch {
		case !expected:
			t.Errorf("%s does not load:\n%s", e.file, diags)
		case first != nil && fmt.Sprintf("%d:%d %s", first.Position().Line, first.Position().Column, first.Code) != reason:
			t.Errorf("%s fails with %s, want %s:\n%s", e.file, first, reason, diags)
		}
	}
	var stale []string
	for f := range corpusExpectedFailures {
		if !listed[f] {
			stale = append(stale, f)
		}
	}
	sort.Strings(stale)
	for _, f := range stale {
		t.Errorf("corpusExpectedFailures lists %s, which SOURCES.md does not", f)
	}
	t.Logf("policy corpus: %d files from %d repositories, %d load, %d expected failures", len(entries), len(repos), loaded, failed)
}
