package gateway

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/policy"
)

// policyCorpus is the corpus of real policy files gathered from public
// repositories, each kept byte for byte; SOURCES.md cites every file and
// gives the scope it is meant for.
const policyCorpus = "../../testdata/policycorpus"

// corpusExpectedFailures lists the corpus files tollgate does not load yet,
// by what they use that tollgate does not do yet. Each must fail at load
// with the error given here (the first error's "path in the folder:line:col
// code"), never later; a file that starts loading must be taken off the
// list.
var corpusExpectedFailures = map[string]string{
	// Policies tollgate does not run yet.
	"Azure/azure-api-management-policy-toolkit/test/Test.Decompiling/TestData/xsl-transform.xml": "apis/test/policy.xml:4:4 unsupported-policy",
	// validate-content with schema-id (a global schema) and validate-as="xml".
	"Azure/azure-api-management-policy-toolkit/test/Test.Decompiling/TestData/validate-content.xml": "apis/test/policy.xml:8:92 unsupported-validation",
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

var corpusNamedValue = regexp.MustCompile(`\{\{([A-Za-z0-9._-]+)\}\}`)
var corpusInclude = regexp.MustCompile(`fragment-id="([^"]+)"`)
var commitHash = regexp.MustCompile(`^[0-9a-f]{40}$`)

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

// corpusFragments maps "repository fragment-id" to the corpus fragments of
// that name. Repositories that deploy fragments with Bicep or Terraform name
// the file frag-<id>.xml, so the id without that prefix names it too.
func corpusFragments(entries []corpusEntry) map[string][]string {
	out := map[string][]string{}
	for _, e := range entries {
		if e.scope != policy.Fragment {
			continue
		}
		id := strings.TrimSuffix(path.Base(e.path), path.Ext(e.path))
		out[e.repo+" "+id] = append(out[e.repo+" "+id], e.file)
		if trimmed, ok := strings.CutPrefix(id, "frag-"); ok {
			out[e.repo+" "+trimmed] = append(out[e.repo+" "+trimmed], e.file)
		}
	}
	return out
}

var (
	corpusBackendID = regexp.MustCompile(`backend-id="([A-Za-z0-9._-]+)"`)
	corpusLoggerID  = regexp.MustCompile(`logger-id="([A-Za-z0-9._-]+)"`)
)

// writeCorpusFolder writes an APIOps folder that deploys corpus file e at
// its scope: the global policy.xml, the policy of product p (which holds
// API test), of API test or of its operation chat (POST
// /deployments/{deployment-id}/chat/completions); a fragment is the policy
// fragment "corpus", included from API test's policy in section. The
// folder also holds every fragment the file includes (from the same
// repository when the corpus has one of that name, the nearest by path, an
// empty fragment otherwise: the corpus holds policies, not whole
// deployments), a backend for every literal backend-id and a logger for
// every logger-id, all pointing at backendURL, and a value for every named
// value (see corpusNamedValueFor).
func writeCorpusFolder(t *testing.T, dir string, e corpusEntry, fragments map[string][]string, backendURL, section string) {
	t.Helper()
	read := func(file string) string {
		b, err := os.ReadFile(filepath.Join(policyCorpus, filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write := func(rel, data string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := read(e.file)
	write("apis/test/apiInformation.json", `{"properties":{"path":"test","serviceUrl":"`+backendURL+`/openai","subscriptionRequired":false}}`)
	write("apis/test/operations/chat/operationInformation.json", `{"properties":{"displayName":"ChatCompletions_Create","method":"POST","urlTemplate":"/deployments/{deployment-id}/chat/completions"}}`)
	global := "<policies><inbound/><backend><forward-request/></backend><outbound/><on-error/></policies>"
	switch e.scope {
	case policy.Global:
		global = src
	case policy.Product:
		write("products/p/productInformation.json", `{"properties":{"displayName":"P","subscriptionRequired":false}}`)
		write("products/p/apis/test/productApiInformation.json", `{}`)
		write("products/p/policy.xml", src)
	case policy.API:
		write("apis/test/policy.xml", src)
	case policy.Operation:
		write("apis/test/operations/chat/policy.xml", src)
	case policy.Fragment:
		write("policy fragments/corpus/policy.xml", src)
		doc := "<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"
		include := `<include-fragment fragment-id="corpus" />`
		if section == "backend" {
			include = "<base />" + include // forward-request comes from the fragment or from base
			doc = strings.Replace(doc, "<backend><base /></backend>", "<backend>"+include+"</backend>", 1)
		} else {
			doc = strings.Replace(doc, "<"+section+"><base />", "<"+section+"><base />"+include, 1)
		}
		write("apis/test/policy.xml", doc)
	}
	write("policy.xml", global)
	texts := []string{src}
	for _, m := range corpusInclude.FindAllStringSubmatch(src, -1) {
		body := "<fragment></fragment>"
		if file := nearestFile(e.file, fragments[e.repo+" "+m[1]]); file != "" {
			body = read(file)
			texts = append(texts, body)
		}
		write("policy fragments/"+m[1]+"/policy.xml", body)
	}
	all := strings.Join(texts, "\n")
	for _, m := range corpusBackendID.FindAllStringSubmatch(all, -1) {
		write("backends/"+m[1]+"/backendInformation.json", `{"properties":{"url":"`+backendURL+`/openai","protocol":"http"}}`)
	}
	for _, m := range corpusLoggerID.FindAllStringSubmatch(all, -1) {
		write("loggers/"+m[1]+"/loggerInformation.json", `{"properties":{"loggerType":"azureEventHub","credentials":{"name":"hub","connectionString":"Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=a2V5;EntityPath=hub"}}}`)
	}
	seen := map[string]bool{}
	for _, m := range corpusNamedValue.FindAllStringSubmatch(all, -1) {
		name := m[1]
		if seen[strings.ToLower(name)] {
			continue
		}
		seen[strings.ToLower(name)] = true
		info, _ := json.Marshal(map[string]any{"properties": map[string]any{"displayName": name, "value": corpusNamedValueFor(name), "secret": false}})
		write("named values/"+name+"/namedValueInformation.json", string(info))
	}
}

// loadCorpusFolder loads dir as tollgate run and tollgate check do: the
// folder, its policies with every expression compiled, and what the gateway
// compiles before serving (pipelines, token validators, Liquid templates,
// content validation).
func loadCorpusFolder(dir string) (*config.Snapshot, diag.List) {
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	diags.Append(pd)
	snap.Policies = pols
	if !diags.HasErrors() {
		diags.Append(Check(snap))
	}
	diags.Sort()
	return snap, diags
}

// TestPolicyCorpusLoads loads every corpus file as tollgate loads a
// policy.xml, at the scope the file is meant for, in an APIOps folder that
// deploys it (see writeCorpusFolder): parsed, named values substituted,
// fragments inlined, every expression compiled, and what the gateway
// compiles before serving. A fragment is included from an API policy in
// the first section where it is allowed (inbound, backend, outbound,
// on-error). Files that use what tollgate does not do yet must fail with
// the positioned error listed in corpusExpectedFailures.
func TestPolicyCorpusLoads(t *testing.T) {
	entries := readCorpusSources(t)
	if len(entries) == 0 {
		t.Fatal("SOURCES.md lists no files")
	}
	repos := map[string]bool{}
	cited := map[string]bool{}
	for _, e := range entries {
		repos[e.repo] = true
		cited[e.file] = true
		if !commitHash.MatchString(e.commit) || e.licence == "" {
			t.Errorf("SOURCES.md: %s needs its commit and licence", e.file)
		}
	}
	// Every file of the corpus is cited.
	filepath.WalkDir(policyCorpus, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "SOURCES.md" {
			rel, _ := filepath.Rel(policyCorpus, p)
			if !cited[filepath.ToSlash(rel)] {
				t.Errorf("%s is in the corpus but not in SOURCES.md", rel)
			}
		}
		return nil
	})
	fragments := corpusFragments(entries)
	listed := map[string]bool{}
	loaded, failed := 0, 0
	for _, e := range entries {
		listed[e.file] = true
		var diags diag.List
		var dir string
		for _, section := range []string{"inbound", "backend", "outbound", "on-error"} {
			d := t.TempDir()
			writeCorpusFolder(t, d, e, fragments, "http://backend.example", section)
			_, ds := loadCorpusFolder(d)
			if section == "inbound" {
				diags, dir = ds, d
			}
			if e.scope != policy.Fragment || !slices.ContainsFunc(ds, func(d diag.Diagnostic) bool { return d.Code == "misplaced-policy" }) {
				diags, dir = ds, d
				break
			}
		}
		reason, expected := corpusExpectedFailures[e.file]
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
		where := ""
		if first != nil {
			pos := first.Position()
			rel, _ := filepath.Rel(dir, pos.Filename)
			where = fmt.Sprintf("%s:%d:%d %s", filepath.ToSlash(rel), pos.Line, pos.Column, first.Code)
		}
		switch {
		case !expected:
			t.Errorf("%s does not load:\n%s", e.file, diags)
		case where != reason:
			t.Errorf("%s fails with %s, want %s:\n%s", e.file, where, reason, diags)
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
