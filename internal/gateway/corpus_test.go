package gateway

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
)

// corpusDir holds the public policy snippets tollgate is tested against; it
// lives beside the repository and is never copied into it.
const corpusDir = "../../../shared/corpus/policy-snippets/examples"

// damagedCorpus are the files the corpus's SOURCE.md lists as broken upstream.
var damagedCorpus = []string{
	"Call out to an HTTP endpoint and cache the response.policy.xml",
	"Filter response content based on product name.policy.xml",
	"Loopback request for service at same API Management service.xml",
	"Pre-authorize requests based on HTTP method with validate-jwt.policy.xml",
	"Return a blob URL signed with a user delegation SAS token.xml",
}

// corpusFindings are undamaged corpus files with real defects that tollgate
// reports at load, as APIM would reject them when saving.
var corpusFindings = []string{
	// context.Request.MatchedParameters("x"): a dictionary called like a method.
	"DELETE a from to blobStorage account.xml",
	"GET a file from blobStorage account.xml",
	"PUT a file to blobStorage account.xml",
	// <quota> in an API policy: quota is allowed at product scope only.
	"Authenticate using Managed Identity to access Event Hub.xml",
	// duration="{{cachetime}]": the named value reference is not closed.
	"Get OAuth2 access token from AAD using client id and certificate using key vault manage identity.xml",
}

var namedValueRef = regexp.MustCompile(`\{\{([A-Za-z0-9._-]+)\}\}`)

// TestCorpusEndToEnd runs every corpus policy whose policies tollgate
// implements through the gateway against a loopback backend: the policy is
// attached at API scope, every named value it references exists, and one
// request goes through inbound, backend, outbound (and on-error when a
// policy fails on the test request, which is APIM's behaviour too). Files
// that use a policy tollgate does not run yet are counted, not run.
func TestCorpusEndToEnd(t *testing.T) {
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
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id": 1, "name": "backend", "items": [1, 2, 3]}`)
	}))
	defer backend.Close()

	fragments := map[string][]byte{}
	for _, f := range files {
		if b, _ := os.ReadFile(f); strings.Contains(string(b), "<fragment") {
			fragments[strings.TrimSuffix(filepath.Base(f), ".xml")] = b
		}
	}
	var ran, unsupported, skipped []string
	missing := map[string]int{}
	for _, f := range files {
		name := filepath.Base(f)
		src, _ := os.ReadFile(f)
		if _, isFragment := fragments[strings.TrimSuffix(name, ".xml")]; isFragment || slices.Contains(damagedCorpus, name) {
			continue
		}
		dir := t.TempDir()
		write := func(rel string, data []byte) {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, data, 0o644)
		}
		write("apis/test/apiInformation.json", []byte(`{"properties":{"path":"test","serviceUrl":"`+backend.URL+`/api","subscriptionRequired":false}}`))
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			write("apis/test/operations/"+strings.ToLower(m)+"-any/operationInformation.json",
				[]byte(`{"properties":{"displayName":"any","method":"`+m+`","urlTemplate":"/*"}}`))
		}
		write("apis/test/policy.xml", src)
		write("policy.xml", []byte("<policies><inbound/><backend><forward-request/></backend><outbound/><on-error/></policies>"))
		refs := map[string]bool{}
		for _, b := range append([][]byte{src}, mapValues(fragments)...) {
			for _, m := range namedValueRef.FindAllStringSubmatch(string(b), -1) {
				refs[m[1]] = true
			}
		}
		for ref := range refs {
			info, _ := json.Marshal(map[string]any{"properties": map[string]any{"displayName": ref, "value": "3600", "secret": false}})
			write("named values/"+ref+"/namedValueInformation.json", info)
		}
		for fname, b := range fragments {
			if strings.Contains(string(src), `fragment-id="`+fname+`"`) {
				write("policy fragments/"+fname+"/policy.xml", b)
			}
		}
		snap, diags := config.Load(dir, config.Options{})
		pols, pd := config.LoadPolicies(snap, PolicyOptions())
		diags.Append(pd)
		snap.Policies = pols
		if diags.HasErrors() {
			onlyUnsupported := true
			for _, d := range diags {
				if d.Severity != diag.Error {
					continue
				}
				if d.Code == "unsupported-policy" {
					missing[strings.TrimSuffix(strings.TrimPrefix(d.Message, "policy "), " is not supported by tollgate yet")]++
				} else {
					onlyUnsupported = false
				}
			}
			if onlyUnsupported {
				unsupported = append(unsupported, name)
				continue
			}
			skipped = append(skipped, name)
			if !slices.Contains(corpusFindings, name) {
				t.Errorf("%s does not load:\n%s", name, diags)
			}
			continue
		}
		gw, err := New(snap, Options{Log: NewLogWriter(io.Discard)})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var line []byte
		gw.log = NewLogWriter(writerFunc(func(p []byte) (int, error) { line = append(line[:0], p...); return len(p), nil }))
		req := httptest.NewRequest("POST", "http://gateway.test/test/items/42?code=abc&state=xyz", strings.NewReader(`{"id": 42, "name": "test"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
		rec := httptest.NewRecorder()
		gw.ServeHTTP(rec, req)
		var logged struct {
			ResponseCode                    int
			LastErrorReason, LastErrorCause string
		}
		if err := json.Unmarshal(line, &logged); err != nil {
			t.Errorf("%s: no log line: %v", name, err)
			continue
		}
		if logged.LastErrorReason == "PolicyNotSupported" || strings.Contains(logged.LastErrorCause, "internal error") {
			t.Errorf("%s: %s: %s", name, logged.LastErrorReason, logged.LastErrorCause)
		}
		ran = append(ran, name)
		t.Logf("%s: %d %s %s", name, rec.Code, logged.LastErrorReason, firstLine(logged.LastErrorCause))
	}
	var names []string
	for n, c := range missing {
		names = append(names, n+"×"+strconv.Itoa(c))
	}
	sort.Strings(names)
	t.Logf("corpus end to end: %d files ran, %d use policies tollgate does not run yet (%s), %d have defects tollgate reports at load",
		len(ran), len(unsupported), strings.Join(names, ", "), len(skipped))
	if len(ran) == 0 {
		t.Error("no corpus file ran")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func mapValues(m map[string][]byte) [][]byte {
	out := make([][]byte, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
