package gateway

import (
	"net/url"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
)

// FuzzRoute feeds arbitrary methods, paths, queries and version headers to
// the router of testdata/shop: it must never panic, and a match it returns
// must name an operation of the API it matched.
func FuzzRoute(f *testing.F) {
	for _, seed := range []struct{ method, path, query, header string }{
		{"GET", "/orders/orders/17", "", ""},
		{"GET", "/orders;rev=2/orders/5/lines", "", ""},
		{"GET", "/pets/v2/pets/7", "", ""},
		{"GET", "/weather/forecast", "api-version=2024-01-01", ""},
		{"GET", "/reports/daily/mon", "", "2"},
		{"DELETE", "/orders/orders", "", ""},
		{"GET", "//;rev=/%zz/../", "a=%", ""},
	} {
		f.Add(seed.method, seed.path, seed.query, seed.header)
	}
	dir := copyTree(f, "shop", map[string]string{"$BACKEND$": "http://127.0.0.1:1", "$DOWN$": "http://127.0.0.1:9"})
	snap, diags := config.Load(dir, config.Options{})
	if diags.HasErrors() {
		f.Fatal(diags)
	}
	r, err := newRouter(snap.APIs)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path, rawQuery, version string) {
		q, _ := url.ParseQuery(rawQuery)
		m := r.route(method, path, q, func(string) string { return version })
		if m == nil || m.api == nil || m.op == nil {
			return
		}
		for _, op := range m.api.Operations {
			if op == m.op {
				return
			}
		}
		t.Fatalf("%s %s matched operation %s, which API %s does not have", method, path, m.op.Name, m.api.ID)
	})
}
