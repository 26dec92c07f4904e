package lint

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/demo"
)

// corpusDir holds the public policy snippets tollgate is tested against; it
// lives beside the repository and is never copied into it.
const corpusDir = "../../../shared/corpus/policy-snippets/examples"

// corpusFindings lists every finding the linter reports on the corpus, each
// placed as the API policy of a folder (fragments are included from one),
// with the reason the finding is right. Keys are "file: TGnnn line:col".
var corpusFindings = map[string]string{
	// Upstream defects SOURCE.md lists, and the ones the load step reports.
	"Authenticate using Managed Identity to access Event Hub.xml: TG000 15:10":                                           "<quota> in an API policy: APIM allows quota at product scope only",
	"Authenticate using Managed Identity to access Service Bus.xml: TG000 22:91":                                         "{{queue is not closed by }}, so it is sent as text, not the named value",
	"Call out to an HTTP endpoint and cache the response.policy.xml: TG000 41:73":                                        "damaged upstream: an unterminated string literal in an expression",
	"Filter response content based on product name.policy.xml: TG000 2:3":                                                "damaged upstream: -- inside an XML comment",
	"Get OAuth2 access token from AAD using client id and certificate using key vault manage identity.xml: TG000 92:136": "duration=\"{{cachetime}]\" is not closed: an error (not an integer) and a warning (not a reference) at the same place",

	// Timeouts above 240 s (seed 004): Azure's network drops the idle
	// connection before these timeouts expire.
	"Backend for Frontend or curated API policy.xml: TG012 27:75":                  "send-request timeout=\"{{bff-timeout}}\" is 3600 s with the test's named value, above 240 s",
	"Backend for Frontend or curated API policy.xml: TG012 30:75":                  "the same, second send-request",
	"Backend for Frontend or curated API policy.xml: TG012 33:75":                  "the same, third send-request",
	"Backend for Frontend or curated API policy.xml: TG012 36:75":                  "the same, fourth send-request",
	"DELETE a from to blobStorage account.xml: TG012 24:75":                        "send-request timeout=\"300\", above 240 s",
	"GET a file from blobStorage account.xml: TG012 24:75":                         "send-request timeout=\"300\", above 240 s",
	"PUT a file to blobStorage account.xml: TG012 25:75":                           "send-request timeout=\"300\", above 240 s",
	"Loopback request for service at same API Management service.xml: TG012 16:78": "send-request timeout=\"300\", above 240 s",

	// Retries that outlast the connection (seed 004).
	"Back-end API redundancy.policy.xml: TG013 52:14":         "forward-request keeps its default 300 s timeout inside a retry with count=\"2\": a hanging backend uses up the first attempt alone past 240 s, so the retries that make the API redundant never run",
	"Mask async calls as synchronous.policy.xml: TG013 17:14": "a polling retry with count=\"10\" and interval=\"30\" waits 300 s between attempts alone, past the 240 s after which the caller's connection is dropped",

	// Fragments placed alone: they read variables their including policy
	// must set first, and in a folder of their own nothing sets them.
	"oauth-proxy-session-fragment.xml: TG020 170:24":      "reads idpTokenEndpoint, which the including policy sets; placed alone the read throws",
	"oauth-proxy-slide-session-fragment.xml: TG020 12:28": "reads ivCookie, which the including policy sets; placed alone the read throws",
	"oauth-proxy-validate-token-fragment.xml: TG020 6:32": "reads accessToken, which the including policy sets; placed alone the read throws",
}

// folderFindings lists every finding the linter reports on the test folders
// of the project, with the reason it is right. Keys are
// "folder: TGnnn path:line:col".
var folderFindings = map[string]string{
	"confdiff/testdata/a: TG018 named values/old-secret/namedValueInformation.json:1:1":     "secret named value without a value: the diff fixture names secrets without supplying them",
	"confdiff/testdata/b: TG018 named values/payments-token/namedValueInformation.json:1:1": "secret named value without a value: the diff fixture names secrets without supplying them",
	"config/testdata/cli: TG003 products/starter/policy.xml:1:21":                           "seed 003 scenario 4: the starter product's rate-limit comes before its <base/>, so it runs before the global cors",
	"config/testdata/cli: TG006 policy.xml:3:4":                                             "the global cors lists no allowed-headers, and API orders-v1 renames its key header to X-Orders-Key (seed 003 scenario 6)",
	"config/testdata/cli: TG014 backends/orders-be/backendInformation.json:14:34":           "backend orders-be sets tls.validateCertificateName to false",
	"config/testdata/cli: TG018 namedValues/backend-key/namedValueInformation.json:1:1":     "secret named value without a value (the load step's warning: APIOps does not extract secrets)",
	"config/testdata/cli: TG018 namedValues/vault-key/namedValueInformation.json:1:1":       "Key Vault named value without a value (the load step's warning)",
	"config/testdata/cli: TG000 subscriptions/all-apis/subscriptionInformation.json:1:1":    "subscription without keys (the load step's warning: APIOps does not extract keys)",
	"config/testdata/v5: TG003 products/starter/policy.xml:1:21":                            "seed 003 scenario 4: the starter product's rate-limit comes before its <base/>, so it runs before the global cors",
	"config/testdata/v5: TG006 policy.xml:3:4":                                              "the global cors lists no allowed-headers, and API orders-v1 renames its key header to X-Orders-Key (seed 003 scenario 6)",
	"config/testdata/v5: TG014 backends/orders-be/backendInformation.json:14:34":            "backend orders-be sets tls.validateCertificateName to false",
	"config/testdata/v5: TG018 named values/backend-key/namedValueInformation.json:1:1":     "secret named value without a value (the load step's warning: APIOps does not extract secrets)",
	"config/testdata/v5: TG018 named values/vault-key/namedValueInformation.json:1:1":       "Key Vault named value without a value (the load step's warning)",
	"config/testdata/v5: TG000 subscriptions/all-apis/subscriptionInformation.json:1:1":     "subscription without keys (the load step's warning: APIOps does not extract keys)",
	"config/testdata/v7: TG003 products/starter/policy.xml:1:21":                            "seed 003 scenario 4: the starter product's rate-limit comes before its <base/>, so it runs before the global cors",
	"config/testdata/v7: TG006 policy.xml:3:4":                                              "the global cors lists no allowed-headers, and API orders-v1 renames its key header to X-Orders-Key (seed 003 scenario 6)",
	"config/testdata/v7: TG014 backends/orders-be/backendInformation.json:14:34":            "backend orders-be sets tls.validateCertificateName to false",
	"config/testdata/v7: TG018 named values/backend-key/namedValueInformation.json:1:1":     "secret named value without a value (the load step's warning: APIOps does not extract secrets)",
	"config/testdata/v7: TG018 named values/vault-key/namedValueInformation.json:1:1":       "Key Vault named value without a value (the load step's warning)",
	"config/testdata/v7: TG000 subscriptions/all-apis/subscriptionInformation.json:1:1":     "subscription without keys (the load step's warning: APIOps does not extract keys)",
}

var nvRef = regexp.MustCompile(`\{\{([A-Za-z0-9._-]+)\}\}`)

func TestCorpusHasNoUnexplainedFindings(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("corpus not present:", err)
	}
	var files []string
	filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 59 {
		t.Errorf("the corpus has %d policy files, want 59", len(files))
	}
	fragments := map[string][]byte{}
	for _, f := range files {
		if b, _ := os.ReadFile(f); isFragment(b) {
			fragments[strings.TrimSuffix(filepath.Base(f), ".xml")] = b
		}
	}
	got := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		src, _ := os.ReadFile(f)
		dir := t.TempDir()
		tree := map[string]string{
			"apis/test/apiInformation.json": `{"properties":{"path":"test","serviceUrl":"https://backend.example/api","subscriptionRequired":false}}`,
			"policy.xml":                    "<policies><inbound/><backend><forward-request/></backend><outbound/><on-error/></policies>",
		}
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			tree["apis/test/operations/"+strings.ToLower(m)+"-any/operationInformation.json"] =
				`{"properties":{"displayName":"any","method":"` + m + `","urlTemplate":"/*"}}`
		}
		policyFile := "apis/test/policy.xml"
		if frag := strings.TrimSuffix(name, ".xml"); fragments[frag] != nil {
			tree["apis/test/policy.xml"] = `<policies><inbound><base /><include-fragment fragment-id="` + frag + `" /></inbound></policies>`
			policyFile = "policy fragments/" + frag + "/policy.xml"
		}
		tree[policyFile] = string(src)
		all := [][]byte{src}
		for frag, b := range fragments {
			if strings.Contains(string(src), `fragment-id="`+frag+`"`) {
				tree["policy fragments/"+frag+"/policy.xml"] = string(b)
				all = append(all, b)
			}
		}
		for _, b := range all {
			for _, m := range nvRef.FindAllStringSubmatch(string(b), -1) {
				info, _ := json.Marshal(map[string]any{"properties": map[string]any{"displayName": m[1], "value": "3600", "secret": false}})
				tree["named values/"+m[1]+"/namedValueInformation.json"] = string(info)
			}
		}
		writeTree(t, dir, tree)
		lines, fs := lintDir(t, dir)
		for i, l := range lines {
			id, pos, _ := strings.Cut(l, " ")
			key := name + ": " + id + " " + strings.TrimPrefix(pos, policyFile+":")
			got[key] = true
			if _, ok := corpusFindings[key]; !ok {
				t.Errorf("unexplained finding %q\n%s", key, dump(dir, fs[i:i+1]))
			}
		}
	}
	for _, k := range sortedKeys(corpusFindings) {
		if !got[k] {
			t.Errorf("listed finding %q is no longer reported", k)
		}
	}
}

func isFragment(b []byte) bool {
	i, j := strings.Index(string(b), "<fragment"), strings.Index(string(b), "<policies")
	return i >= 0 && (j < 0 || i < j)
}

// testFolders returns the APIOps folders among the test data of the
// project: every folder under internal/*/testdata with an apis folder at its
// top, by name relative to internal/.
func testFolders(t *testing.T) map[string]string {
	out := map[string]string{}
	roots, _ := filepath.Glob("../*/testdata")
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() || d.Name() != "apis" {
				return nil
			}
			parent := filepath.Dir(p)
			if filepath.Base(filepath.Dir(parent)) == "products" || filepath.Base(filepath.Dir(parent)) == "tags" {
				return filepath.SkipDir
			}
			out[strings.TrimPrefix(filepath.ToSlash(parent), "../")] = parent
			return filepath.SkipDir
		})
	}
	dir := t.TempDir()
	if err := demo.WriteTree(dir, "http://127.0.0.1:9"); err != nil {
		t.Fatal(err)
	}
	out["demo (tollgate run without a folder)"] = dir
	return out
}

func TestProjectFoldersHaveNoUnexplainedFindings(t *testing.T) {
	folders := testFolders(t)
	if len(folders) < 5 {
		t.Fatalf("found only %d test folders: %v", len(folders), folders)
	}
	got := map[string]bool{}
	names := sortedKeys(folders)
	for _, name := range names {
		dir := folders[name]
		snap, diags := load(dir)
		if diags.HasErrors() {
			// A folder that does not load is judged anyway: the linter must
			// not crash on it, but its load errors are its point.
			Run(snap, Options{Load: diags})
			t.Logf("%s does not load (%d errors); linted for robustness only", name, diags.Errors())
			continue
		}
		lines, fs := lintDir(t, dir)
		for i, l := range lines {
			key := name + ": " + l
			got[key] = true
			if _, ok := folderFindings[key]; !ok {
				t.Errorf("unexplained finding %q\n%s", key, dump(dir, fs[i:i+1]))
			}
		}
	}
	keys := sortedKeys(folderFindings)
	sort.Strings(keys)
	for _, k := range keys {
		if !got[k] {
			t.Errorf("listed finding %q is no longer reported", k)
		}
	}
}
