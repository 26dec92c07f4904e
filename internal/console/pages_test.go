package console_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/admin"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/gateway"
)

var linkRE = regexp.MustCompile(`(?:href|data-href)="([^"]*)"`)

// TestNoSecretInConsole reads every page the console links to, and every
// admin endpoint and query it uses, and finds none of the secrets the
// traffic and the configuration carried.
func TestNoSecretInConsole(t *testing.T) {
	e := newEnv(t)
	check := func(what, body string, h http.Header) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s shows the secret %s", what, s)
			}
			for k, vs := range h {
				for _, v := range vs {
					if strings.Contains(v, s) {
						t.Errorf("%s sends the secret %s in its header %s", what, s, k)
					}
				}
			}
		}
	}
	queue := []string{"/", "/failures", "/requests", "/requests?status=failed&rows=1", "/query", "/config", "/assets/console.js", "/assets/console.css"}
	for _, r := range console.Ranges {
		queue = append(queue, "/failures?range="+r.Name, "/requests?range="+r.Name)
	}
	seen := map[string]bool{}
	for len(queue) > 0 && len(seen) < 500 {
		p := queue[0]
		queue = queue[1:]
		if i := strings.IndexByte(p, '#'); i >= 0 {
			p = p[:i]
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		req, _ := http.NewRequest("GET", e.admin.URL+p, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// A query the store refuses is answered 400, with its error.
		if resp.StatusCode != 200 && resp.StatusCode != 302 && !(resp.StatusCode == 400 && strings.HasPrefix(p, "/query?")) {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
		check(p, string(b), resp.Header)
		for _, m := range linkRE.FindAllStringSubmatch(string(b), -1) {
			link := html.UnescapeString(m[1])
			if strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//") && !seen[link] {
				queue = append(queue, link)
			}
		}
	}
	if len(seen) < 40 {
		t.Errorf("the crawl read only %d pages", len(seen))
	}
	for _, want := range []string{"/requests/" + e.tenantFailure, "/config/apis/orders/operations/get-order", "/config/files/products/gold/policy.xml"} {
		found := false
		for p := range seen {
			found = found || strings.HasPrefix(p, want)
		}
		if !found {
			t.Errorf("the crawl never reached %s", want)
		}
	}
	// The secrets were there to leak: the trace masks the named value the
	// API policy sets, and the key and token the caller sent.
	_, page := e.get(t, "/requests/"+e.tenantFailure)
	for _, masked := range []string{"header X-Backend-Secret set: ***", "Bearer ***"} {
		if !strings.Contains(html.UnescapeString(page), masked) {
			t.Errorf("the failed request's page does not show %q", masked)
		}
	}
	// The admin endpoints the console and its users read.
	docs, _ := e.store.Captures(e.snapHorizon(), 0)
	for _, p := range []string{"/v1/captures", "/v1/failures"} {
		status, body := e.get(t, p)
		if status != 200 {
			t.Errorf("%s: %d", p, status)
		}
		check(p, body, nil)
	}
	for _, d := range docs {
		for _, p := range []string{"/v1/captures/" + d.ID, "/v1/why/" + d.ID} {
			_, body := e.get(t, p)
			check(p, body, nil)
		}
	}
	for _, q := range e.logs.Seen {
		b, _ := json.Marshal(map[string]string{"query": q})
		req, _ := http.NewRequest("POST", e.admin.URL+"/v1/query", strings.NewReader(string(b)))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		check("POST /v1/query", string(body), resp.Header)
	}
	// Signing in sets a cookie that is not the token.
	resp, err := noRedirect.PostForm(e.admin.URL+"/login", url.Values{"token": {adminToken}, "next": {"/config"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	check("POST /login", "", resp.Header)
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	// A browser without the token is sent to sign in; a script gets 401.
	req, _ := http.NewRequest("GET", e.admin.URL+"/requests?status=401", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login?next=%2Frequests%3Fstatus%3D401" {
		t.Errorf("a browser without the token: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = noRedirect.Get(e.admin.URL + "/failures")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("a script without the token: %d", resp.StatusCode)
	}

	// The sign-in page and its stylesheet need no token.
	for _, p := range []string{"/login", "/assets/console.css"} {
		resp, err = noRedirect.Get(e.admin.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s without the token: %d", p, resp.StatusCode)
		}
	}
	resp, err = noRedirect.PostForm(e.admin.URL+"/login", url.Values{"token": {"not-the-token"}, "next": {"/config"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || len(resp.Cookies()) != 0 || !strings.Contains(string(b), "not this gateway") {
		t.Errorf("a wrong token: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	for next, want := range map[string]string{"/config": "/config", "//evil.example/": "/failures", "https://evil.example/": "/failures", `/\evil.example`: "/failures"} {
		resp, err = noRedirect.PostForm(e.admin.URL+"/login", url.Values{"token": {adminToken}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 303 || resp.Header.Get("Location") != want {
			t.Errorf("signing in with next=%s: %d to %q, want %s", next, resp.StatusCode, resp.Header.Get("Location"), want)
		}
		cs := resp.Cookies()
		if len(cs) != 1 || cs[0].Name != admin.TokenCookie || cs[0].Value != admin.TokenCookieValue(adminToken) || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode {
			t.Fatalf("cookie %+v", cs)
		}
		// The cookie opens the console.
		req, _ := http.NewRequest("GET", e.admin.URL+"/config", nil)
		req.AddCookie(cs[0])
		resp, err = noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("with the cookie: %d", resp.StatusCode)
		}
	}
}

// TestRequestsPages pages through more requests than one page holds: each
// page asks the store for one row more than it shows, and no request is
// shown twice or skipped.
func TestRequestsPages(t *testing.T) {
	e := newEnv(t)
	for range 70 {
		resp, err := http.Get(e.gateway.URL + "/nowhere/else")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	ids := map[string]bool{}
	next := "/requests?status=404"
	pages := 0
	idRE := regexp.MustCompile(`<tr class="go" data-href="/requests/([^"]+)"`)
	olderRE := regexp.MustCompile(`<a href="([^"]+)" class="button" id="older"`)
	for next != "" {
		pages++
		before := len(e.logs.Seen)
		status, body := e.get(t, next)
		if status != 200 {
			t.Fatalf("%s: %d", next, status)
		}
		if n := len(e.logs.Seen) - before; n != 1 || !strings.Contains(e.logs.Seen[before], "| take 51\n") {
			t.Errorf("page %d sent %d queries: %q", pages, n, e.logs.Seen[before:])
		}
		rows := idRE.FindAllStringSubmatch(body, -1)
		if pages == 1 && len(rows) != 50 {
			t.Errorf("the first page shows %d requests", len(rows))
		}
		for _, m := range rows {
			if ids[m[1]] {
				t.Errorf("request %s shown twice", m[1])
			}
			ids[m[1]] = true
		}
		next = ""
		if m := olderRE.FindStringSubmatch(body); m != nil {
			next = html.UnescapeString(m[1])
		}
	}
	if pages != 2 || len(ids) != 71 {
		t.Errorf("%d pages with %d requests, want 2 with 71 (70 and the test traffic's one)", pages, len(ids))
	}
}

func TestQueryErrorHasCaret(t *testing.T) {
	e := newEnv(t)
	status, body := e.get(t, "/query?q="+url.QueryEscape("ApiManagementGatewayLogs\n| where TimeGenerated > ago(1h)\n| bogus"))
	if status != 400 {
		t.Errorf("status %d", status)
	}
	if !strings.Contains(body, `id="query-error"`) || !strings.Contains(body, "query:3:3:") || !strings.Contains(body, "| bogus\n  ^") {
		t.Errorf("the error does not point at the mistake:\n%s", body)
	}
}

// TestStoreOff serves the console with captured requests only.
func TestStoreOff(t *testing.T) {
	e := newEnv(t)
	h := console.Handler(console.Options{Captures: e.store, Config: func() *config.Snapshot { return e.snap }, Check: gateway.Check})
	srv := httptest.NewServer(admin.Handler(admin.Options{Captures: e.store, Mount: map[string]http.Handler{"/": h}}))
	defer srv.Close()
	get := func(p string) string {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if body := get("/failures"); !strings.Contains(body, "The log store is off") || !strings.Contains(body, "HeaderNotFound") || !strings.Contains(body, "RateLimitExceeded") {
		t.Errorf("/failures without a store:\n%s", body)
	}
	body := get("/requests?status=401&operation=get-order")
	if n := strings.Count(body, `<tr class="go"`); n != 2 || !strings.Contains(body, e.tenantFailure) {
		t.Errorf("/requests?status=401&operation=get-order shows %d captured requests", n)
	}
	body = get("/requests?category=Throttled")
	if n := strings.Count(body, `<tr class="go"`); n != 2 {
		t.Errorf("/requests?category=Throttled shows %d captured requests", n)
	}
	if body := get("/query?q=x"); !strings.Contains(body, "The log store is off") {
		t.Errorf("/query without a store")
	}
	if body := get("/requests/" + e.tenantFailure); !strings.Contains(body, `id="waterfall"`) {
		t.Errorf("the request's page without a store has no waterfall")
	}
}
