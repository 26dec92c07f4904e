package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

var update = flag.Bool("update", false, "rewrite the .golden files under testdata")

// summary renders every entity of s, one line each, in a stable order.
func summary(s *Snapshot, diags diag.List) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	name := func(f *diag.File) string {
		if f == nil {
			return "-"
		}
		return filepath.ToSlash(f.Name)
	}
	p("layout %s", s.Layout)
	p("global-policy %s", name(s.GlobalPolicy))
	for _, a := range s.APIs {
		var prods []string
		for _, pr := range a.Products {
			prods = append(prods, pr.Name)
		}
		vs := "-"
		if a.VersionSet != nil {
			vs = a.VersionSet.Name + "/" + a.VersionSet.Scheme
		}
		p("api %s name=%s display=%q rev=%s current=%t online=%t path=%q version=%q set=%s(%s) subscription=%t keys=%s|%s type=%s url=%q protocols=%v query-in-template=%t products=%v policy=%s",
			a.ID, a.Name, a.DisplayName, a.Revision, a.IsCurrent, a.IsOnline, a.Path, a.APIVersion, a.VersionSetID, vs,
			a.SubscriptionRequired, a.KeyHeader, a.KeyQuery, a.Type, a.ServiceURL, a.Protocols, a.RequiredQueryInTemplate, prods, name(a.Policy))
		for _, o := range a.Operations {
			p("  op %s %s %s display=%q where=%s policy=%s", o.Name, o.Method, o.URLTemplate, o.DisplayName, o.Where.Pos(), name(o.Policy))
			for _, pa := range o.Parameters {
				p("    param %s in=%s required=%t type=%s default=%q values=%q", pa.Name, pa.In, pa.Required, pa.Type, pa.Default, pa.Values)
			}
			for _, r := range o.Responses {
				line := fmt.Sprintf("    response %d", r.Status)
				for _, ct := range sortedKeys(r.Content) {
					line += fmt.Sprintf(" %s=%q", ct, r.Content[ct])
				}
				p("%s", line)
			}
		}
	}
	for _, n := range sortedKeys(s.Products) {
		pr := s.Products[n]
		limit := "-"
		if pr.SubscriptionsLimit != nil {
			limit = fmt.Sprint(*pr.SubscriptionsLimit)
		}
		p("product %s display=%q state=%s subscription=%t approval=%t limit=%s apis=%v groups=%v policy=%s",
			pr.Name, pr.DisplayName, pr.State, pr.SubscriptionRequired, pr.ApprovalRequired, limit, pr.APIs, pr.Groups, name(pr.Policy))
	}
	for _, su := range s.Subscriptions {
		p("subscription %s display=%q scope=%q kind=%d target=%q state=%s keys=%q|%q tracing=%t owner=%q",
			su.Name, su.DisplayName, su.Scope, su.ScopeKind, su.ScopeTarget, su.State, su.PrimaryKey, su.SecondaryKey, su.AllowTracing, su.OwnerID)
	}
	for _, n := range sortedKeys(s.NamedValues) {
		nv := s.NamedValues[n]
		p("named-value %s display=%q value=%q secret=%t has-value=%t tags=%v keyvault=%q", nv.Name, nv.DisplayName, nv.Value, nv.Secret, nv.HasValue, nv.Tags, nv.KeyVault)
	}
	for _, n := range sortedKeys(s.VersionSets) {
		v := s.VersionSets[n]
		p("version-set %s display=%q scheme=%s query=%q header=%q", v.Name, v.DisplayName, v.Scheme, v.QueryName, v.HeaderName)
	}
	for _, n := range sortedKeys(s.Backends) {
		be := s.Backends[n]
		p("backend %s url=%q protocol=%s type=%s properties=%v", be.Name, be.URL, be.Protocol, be.Type, sortedKeys(be.Properties))
	}
	for _, n := range sortedKeys(s.Fragments) {
		fr := s.Fragments[n]
		p("fragment %s description=%q policy=%s", fr.Name, fr.Description, name(fr.Policy))
	}
	for _, n := range sortedKeys(s.Groups) {
		g := s.Groups[n]
		p("group %s display=%q type=%s", g.Name, g.DisplayName, g.Type)
	}
	for _, n := range sortedKeys(s.Loggers) {
		lg := s.Loggers[n]
		line := fmt.Sprintf("logger %s type=%s buffered=%t description=%q", lg.Name, lg.Type, lg.IsBuffered, lg.Description)
		for _, k := range sortedKeys(lg.Credentials) {
			line += fmt.Sprintf(" %s=%q@%s", k, lg.Credentials[k], lg.CredentialSpans[k].Pos())
		}
		p("%s", line)
	}
	for _, d := range diags {
		p("diag %s", filepath.ToSlash(d.String()))
	}
	return b.String()
}

// golden compares got with testdata/<name>.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s line %d:\n got: %s\nwant: %s", path, i+1, g, w)
				break
			}
		}
	}
}

func TestLayouts(t *testing.T) {
	for _, tc := range []struct {
		dir    string
		layout Layout
	}{
		{"v7", LayoutV7},
		{"v5", LayoutV5},
		{"cli", LayoutCLI},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			s, diags := Load(filepath.Join("testdata", tc.dir), Options{})
			if diags.HasErrors() {
				t.Errorf("unexpected errors:\n%s", diags)
			}
			if s.Layout != tc.layout {
				t.Errorf("layout = %s, want %s", s.Layout, tc.layout)
			}
			golden(t, tc.dir, summary(s, diags))
		})
	}
}

// TestModel checks the facts every layout must agree on, independently of
// the golden files.
func TestModel(t *testing.T) {
	for _, dir := range []string{"v7", "v5", "cli"} {
		t.Run(dir, func(t *testing.T) {
			s, diags := Load(filepath.Join("testdata", dir), Options{})
			if diags.HasErrors() {
				t.Fatalf("errors:\n%s", diags)
			}
			var ids []string
			for _, a := range s.APIs {
				ids = append(ids, a.ID)
			}
			if want := []string{"orders-v1", "orders-v1;rev=2", "orders-v2", "petstore"}; !slices.Equal(ids, want) {
				t.Fatalf("apis = %v, want %v", ids, want)
			}
			cur, rev2, v2, pets := s.APIs[0], s.APIs[1], s.APIs[2], s.APIs[3]
			if s.APIByID("orders-v1;rev=2") != rev2 || s.APIByID("nope") != nil {
				t.Error("APIByID")
			}
			// The current revision.
			if cur.Path != "orders" || cur.APIVersion != "v1" || cur.VersionSet == nil || cur.VersionSet.Scheme != "Segment" ||
				!cur.IsCurrent || cur.Revision != "1" || cur.KeyHeader != "X-Orders-Key" || cur.KeyQuery != "key" {
				t.Errorf("current revision: %+v", cur)
			}
			// The revision inherits the shared fields but keeps its own.
			if rev2.Name != "orders-v1" || rev2.Revision != "2" || rev2.IsCurrent || rev2.Path != "orders" ||
				rev2.APIVersion != "v1" || rev2.VersionSetID != "orders" || rev2.KeyHeader != "X-Orders-Key" ||
				rev2.ServiceURL != "https://orders-next.internal/api" || rev2.DisplayName != "Orders" {
				t.Errorf("revision 2: %+v", rev2)
			}
			if len(rev2.Operations) != 2 || rev2.Operations[0].Name != "delete-order" {
				t.Errorf("revision 2 operations: %v", rev2.Operations)
			}
			// A full ARM version set id resolves by its last segment.
			if v2.VersionSet != cur.VersionSet || v2.RequiredQueryInTemplate {
				t.Errorf("orders-v2: %+v", v2)
			}
			// Defaults.
			if pets.SubscriptionRequired || pets.KeyHeader != DefaultKeyHeader || pets.KeyQuery != DefaultKeyQuery ||
				!pets.IsOnline || pets.Type != "http" || pets.Revision != "1" || len(pets.Protocols) != 0 {
				t.Errorf("petstore defaults: %+v", pets)
			}
			list := findOp(cur, "list-orders")
			if list == nil || list.URLTemplate != "/orders?date={date}" || list.Method != "GET" {
				t.Errorf("list-orders: %+v", list)
			}
			if op := findOp(v2, "list-orders"); op == nil || op.URLTemplate != "/orders" {
				t.Errorf("orders-v2 list-orders (translateRequiredQueryParameters=query): %+v", op)
			}
			if op := findOp(pets, "listPets"); op == nil || op.URLTemplate != "/pets?kind={kind}" {
				t.Errorf("listPets: %+v", op)
			}
			if op := findOp(cur, "get-order"); op == nil || op.Policy == nil || !strings.HasSuffix(op.Policy.Name, filepath.Join("get-order", "policy.xml")) {
				t.Errorf("get-order policy not attached: %+v", op)
			}
			if op := findOp(pets, "getPet"); op == nil || op.Policy == nil || op.URLTemplate != "/pets/{petId}" {
				t.Errorf("getPet: %+v", op)
			}
			// Policy files are kept byte for byte (BOM, CRLF).
			if cur.Policy == nil || !strings.HasPrefix(string(cur.Policy.Src), "\uFEFF<policies>") {
				t.Error("api policy must keep its byte order mark")
			}
			if fr := s.Fragments["correlation"]; fr == nil || fr.Policy == nil || !strings.Contains(string(fr.Policy.Src), "\r\n") || fr.Description != "adds a correlation id" {
				t.Errorf("fragment: %+v", fr)
			}
			if s.GlobalPolicy == nil {
				t.Error("no global policy")
			}
			// Products and links, both directions.
			st := s.Products["starter"]
			if st == nil || !slices.Equal(st.APIs, []string{"orders-v1", "orders-v2"}) || !slices.Equal(st.Groups, []string{"developers"}) ||
				st.State != "published" || st.SubscriptionsLimit == nil || *st.SubscriptionsLimit != 1 || st.Policy == nil {
				t.Errorf("starter: %+v", st)
			}
			if open := s.Products["open"]; open == nil || open.SubscriptionRequired || open.State != "notPublished" || open.ApprovalRequired {
				t.Errorf("open: %+v", open)
			}
			if len(cur.Products) != 1 || cur.Products[0] != st || len(rev2.Products) != 1 {
				t.Errorf("api products: %v %v", cur.Products, rev2.Products)
			}
			// Subscriptions: scopes and states.
			subs := map[string]*Subscription{}
			for _, su := range s.Subscriptions {
				subs[su.Name] = su
			}
			for name, want := range map[string]struct {
				kind   ScopeKind
				target string
				state  string
			}{
				"team-a":   {ScopeProduct, "starter", "active"},
				"team-b":   {ScopeAPI, "petstore", "suspended"},
				"all-apis": {ScopeAllAPIs, "", "active"},
				"pending":  {ScopeProduct, "open", "submitted"},
				"master":   {ScopeService, "", "active"},
			} {
				su := subs[name]
				if su == nil || su.ScopeKind != want.kind || su.ScopeTarget != want.target || su.State != want.state {
					t.Errorf("subscription %s: %+v, want %+v", name, su, want)
				}
			}
			if a := subs["team-a"]; a.PrimaryKey != "team-a-primary" || a.SecondaryKey != "team-a-secondary" || !a.AllowTracing || a.OwnerID != "alice" || a.DisplayName != "Team A" {
				t.Errorf("team-a: %+v", a)
			}
			// Named values.
			env := s.NamedValues["environment-name"]
			if env == nil || env.Value != "dev" || !env.HasValue || env.Secret || !slices.Equal(env.Tags, []string{"env"}) {
				t.Errorf("environment-name: %+v", env)
			}
			if bk := s.NamedValues["backend-key"]; bk == nil || !bk.Secret || bk.HasValue || bk.DisplayName != "BackendKey" {
				t.Errorf("backend-key: %+v", bk)
			}
			// Backends keep their raw properties.
			be := s.Backends["orders-be"]
			if be == nil || be.URL != "https://orders.internal/api" || be.Type != "Single" || be.Protocol != "http" {
				t.Fatalf("orders-be: %+v", be)
			}
			cb := be.Properties["circuitBreaker"].(map[string]any)["rules"].([]any)[0].(map[string]any)
			if cb["failureCondition"].(map[string]any)["count"] != 3.0 {
				t.Errorf("circuit breaker: %v", cb)
			}
			if s.Backends["pool"].Type != "Pool" {
				t.Error("pool backend")
			}
			if g := s.Groups["developers"]; g == nil || g.DisplayName != "Developers" || g.Type != "system" {
				t.Errorf("group: %+v", g)
			}
			// Warnings: two unsupplied secrets and one subscription without keys.
			codes := map[string]int{}
			for _, d := range diags {
				codes[d.Code]++
			}
			if codes["named-value-without-value"] != 2 || codes["subscription-without-keys"] != 1 || len(diags) != 3 {
				t.Errorf("diagnostics:\n%s", diags)
			}
			if len(s.Diagnostics) != 3 {
				t.Errorf("Snapshot.Diagnostics holds %d warnings, want 3", len(s.Diagnostics))
			}
		})
	}
}

func findOp(a *API, name string) *Operation {
	for _, o := range a.Operations {
		if o.Name == name {
			return o
		}
	}
	return nil
}

func TestNamedValueByDisplayName(t *testing.T) {
	s, _ := Load(filepath.Join("testdata", "v7"), Options{})
	if nv := s.NamedValueByDisplayName("BackendKey"); nv == nil || nv.Name != "backend-key" {
		t.Errorf("BackendKey = %+v", nv)
	}
	if s.NamedValueByDisplayName("backend-key") != nil {
		t.Error("the resource name is not a display name here")
	}
}
