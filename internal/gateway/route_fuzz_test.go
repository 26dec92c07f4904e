package gateway

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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

// FuzzServe sends arbitrary requests through the gateway serving
// testdata/shop and the golden test policies' kind of pipeline (with a
// backend that answers at once): it must never panic, must answer every
// request with a status, and must write exactly one log line.
func FuzzServe(f *testing.F) {
	f.Add("GET", "/orders/orders/17?x=1", "gold-team-primary-key-000000", "", "")
	f.Add("POST", "/orders/orders", "", "Bearer x", "{\"a\":1}")
	f.Add("OPTIONS", "/pets/v1/pets/1", "nope", "", "")
	f.Add("GET", "/weather/forecast?api-version=2024-01-01&subscription-key=everything-primary-key-000000", "", "", "")
	dir := copyTree(f, "shop", map[string]string{"$BACKEND$": "http://backend.test", "$DOWN$": "http://127.0.0.1:9"})
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	diags.Append(pd)
	if diags.HasErrors() {
		f.Fatal(diags)
	}
	snap.Policies = pols
	var lines int
	gw, err := New(snap, Options{AllAccessKey: testAllAccessKey, Transport: cannedTransport{},
		Log: NewLogWriter(writerFunc(func(p []byte) (int, error) { lines++; return len(p), nil }))})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target, key, auth, body string) {
		if !isToken(method) {
			return
		}
		if !strings.HasPrefix(target, "/") {
			return
		}
		req, err := http.NewRequest(method, "http://gw"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.RemoteAddr = "127.0.0.1:50000"
		if key != "" && !strings.ContainsAny(key, "\r\n") {
			req.Header.Set(keyHeader, key)
		}
		if auth != "" && !strings.ContainsAny(auth, "\r\n") {
			req.Header.Set("Authorization", auth)
		}
		before := lines
		rec := httptest.NewRecorder()
		gw.ServeHTTP(rec, req)
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
		if lines != before+1 {
			t.Fatalf("%d log lines for one request", lines-before)
		}
	})
}

// isToken reports whether s is an HTTP token, as a method must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}
