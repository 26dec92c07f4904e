package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBroken asserts every diagnostic of the broken tree, line for line.
func TestBroken(t *testing.T) {
	s, diags := Load(filepath.Join("testdata", "broken"), Options{})
	want := `testdata/broken/apis/bad-json/apiInformation.json:3:18: error: invalid JSON: invalid character ',' at start of value [syntax]
testdata/broken/apis/bad-yaml/specification.yaml:6: error: invalid YAML: did not find expected key [syntax]
testdata/broken/apis/empty: error: folder has no apiInformation.json; it is ignored [missing-file]
testdata/broken/apis/first/apiInformation.json:1:1: warning: api first has no specification and no operations; every request to it is answered 404 [no-operations]
testdata/broken/apis/items/apiInformation.json:5:24: error: api items is in version set "nope", which does not exist [unknown-version-set]
testdata/broken/apis/items/apiInformation.json:6:29: error: subscriptionRequired must be true or false, found string [invalid-field]
testdata/broken/apis/items/operations/no-such-op/policy.xml:1:1: error: policy for operation no-such-op, which api items does not have [unknown-operation]
testdata/broken/apis/items/specification.yaml:10:20: error: operation name list-items is used twice in api items (GET /items and POST /items) [duplicate-operation]
testdata/broken/apis/items/specification.yaml:14:5: warning: operation DELETE /items/{id} has no operationId; it is named delete-items-id [missing-operation-id]
testdata/broken/apis/lonely;rev=3/apiInformation.json:5:18: error: api lonely has no current revision: folder lonely;rev=3 is not current and no folder apis/lonely holds the current one [missing-current-revision]
testdata/broken/apis/second/apiInformation.json:1:1: warning: api second has no specification and no operations; every request to it is answered 404 [no-operations]
testdata/broken/apis/second/apiInformation.json:3:13: error: apis first and second both answer requests for /shared; a request cannot be routed to one of them [ambiguous-route]
testdata/broken/apis/seg-v1-copy/apiInformation.json:3:13: error: apis seg-v1 and seg-v1-copy both answer requests for /seg/v1; a request cannot be routed to one of them [ambiguous-route]
testdata/broken/apis/twice/apiInformation.json:1:1: warning: api twice has no specification and no operations; every request to it is answered 404 [no-operations]
testdata/broken/apis/twice;rev=2/apiInformation.json:1:1: warning: api twice;rev=2 has no specification and no operations; every request to it is answered 404 [no-operations]
testdata/broken/apis/twice;rev=2/apiInformation.json:5:18: error: api twice has two current revisions: twice and twice;rev=2 [duplicate-current-revision]
testdata/broken/backends/pool/backendInformation.json:7:17: error: backend pool lists pool member "/backends/missing", which does not exist [unknown-backend]
testdata/broken/named values/b/namedValueInformation.json:3:20: error: named values a and b have the same display name "same"; {{same}} is ambiguous [duplicate-display-name]
testdata/broken/policy fragments/frag: error: policy fragment frag has no policy.xml [missing-file]
testdata/broken/products/p1/apis.json:3:12: error: product p1 links api phantom, which does not exist [unknown-api]
testdata/broken/products/p1/apis/ghost/productApiInformation.json:1:1: error: product p1 links api ghost, which does not exist [unknown-api]
testdata/broken/products/p1/productInformation.json:4:14: error: product p1 has state "hidden"; expected published or notPublished [invalid-field]
testdata/broken/stuff: warning: folder "stuff" is not part of an APIOps layout; it is ignored [unknown-folder]
testdata/broken/subscriptions/s1/subscriptionInformation.json:3:14: error: subscription s1 is scoped to product nothing, which does not exist [unknown-product]
testdata/broken/subscriptions/s2/subscriptionInformation.json:3:14: error: subscription s2 is scoped to api nothing, which does not exist [unknown-api]
testdata/broken/subscriptions/s3/subscriptionInformation.json:3:14: error: subscription s3 has scope "/users/bob"; expected /apis, /apis/<api> or /products/<product> [invalid-field]
testdata/broken/subscriptions/s3/subscriptionInformation.json:4:14: error: subscription s3 has state "paused"; expected active, suspended, submitted, rejected, cancelled or expired [invalid-field]
testdata/broken/version sets/vs/versionSetInformation.json:3:25: error: version set vs has versioningScheme "Path"; expected Segment, Query or Header [invalid-field]
`
	got := filepath.ToSlash(diags.String())
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("line %d:\n got: %s\nwant: %s", i+1, g, w)
			}
		}
	}
	// The snapshot is still built from everything that could be read.
	if s == nil || s.APIByID("items") == nil || s.APIByID("bad-json") != nil || s.Products["p1"] == nil || len(s.Subscriptions) != 3 {
		t.Errorf("partial snapshot: %+v", s)
	}
	if p := s.Products["p1"]; p == nil || len(p.APIs) != 1 || p.APIs[0] != "first" {
		t.Errorf("p1 keeps its valid link: %+v", p)
	}
	if len(s.Diagnostics) != 6 {
		t.Errorf("Snapshot.Diagnostics = %d warnings, want 6", len(s.Diagnostics))
	}
	// Every diagnostic with a span renders a snippet.
	for _, d := range diags {
		if d.Span.IsValid() && d.Snippet() == "" && d.Span.File.Line(d.Position().Line) != "" {
			t.Errorf("no snippet for %s", d)
		}
	}
}

func TestMissingFolder(t *testing.T) {
	s, diags := Load(filepath.Join("testdata", "does-not-exist"), Options{})
	if s == nil || !diags.HasErrors() || !strings.Contains(diags.String(), "cannot read configuration folder") {
		t.Fatalf("got %v\n%s", s, diags)
	}
	s, diags = Load(filepath.Join("testdata", "v7.golden"), Options{})
	if s == nil || !strings.Contains(diags.String(), "not a folder") {
		t.Fatalf("got %v\n%s", s, diags)
	}
}

func TestParseScope(t *testing.T) {
	for _, tc := range []struct {
		scope  string
		kind   ScopeKind
		target string
		ok     bool
	}{
		{"/apis", ScopeAllAPIs, "", true},
		{"/apis/", ScopeAllAPIs, "", true},
		{"/apis/orders", ScopeAPI, "orders", true},
		{"/apis/orders;rev=2", ScopeAPI, "orders", true},
		{"/products/starter", ScopeProduct, "starter", true},
		{"/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc/products/starter", ScopeProduct, "starter", true},
		{"/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc/apis", ScopeAllAPIs, "", true},
		{"/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc", ScopeService, "", true},
		{"/", ScopeService, "", true},
		{"", 0, "", false},
		{"/users/bob", 0, "", false},
		{"starter", 0, "", false},
	} {
		kind, target, ok := parseScope(tc.scope)
		if kind != tc.kind || target != tc.target || ok != tc.ok {
			t.Errorf("parseScope(%q) = %v, %q, %t; want %v, %q, %t", tc.scope, kind, target, ok, tc.kind, tc.target, tc.ok)
		}
	}
}

func TestSanitizeAndEnvNames(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"get", "/orders/{id}"}:         "get-orders-id",
		{"POST", "/a/b_c/{x}/"}:         "post-a-b-c-x",
		{"delete", "/"}:                 "delete",
		{"get", "/v1/items/{id}/parts"}: "get-v1-items-id-parts",
	} {
		if got := sanitizeName(in[0], in[1]); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"backend-key":    "BACKEND_KEY",
		"BackendKey":     "BACKENDKEY",
		"my.value 1":     "MY_VALUE_1",
		"clé":            "CL_",
		"Logger-Creds--": "LOGGER_CREDS__",
	} {
		if got := envName(in); got != want {
			t.Errorf("envName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSymlinkedFolders(t *testing.T) {
	dir := t.TempDir()
	abs, err := filepath.Abs(filepath.Join("testdata", "v7", "apis"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(dir, "apis")); err != nil {
		t.Skip("symbolic links not supported:", err)
	}
	s, diags := Load(dir, Options{})
	if len(s.APIs) != 4 {
		t.Errorf("apis through a symbolic link: %d\n%s", len(s.APIs), diags)
	}
}
