package cache_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/cache"
)

// req builds a Request for the echo API's get operation from a raw query and
// header pairs.
func req(rawQuery string, header ...string) cache.Request {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		panic(err)
	}
	h := http.Header{}
	for i := 0; i < len(header); i += 2 {
		h.Add(header[i], header[i+1])
	}
	return cache.Request{API: "echo", Operation: "get", Product: "starter", Path: "/echo/resource", Query: q, Header: h}
}

func TestResponseKey(t *testing.T) {
	spec := cache.NewKeySpec([]string{"Accept", "accept-charset", " ACCEPT "}, []string{"version", "a; b", ""}, false, false)
	cases := []struct {
		name string
		a, b cache.Request
		spec *cache.KeySpec
		same bool
	}{
		{"identical requests", req("version=1"), req("version=1"), nil, true},
		{"listed query parameter differs", req("version=1"), req("version=2"), nil, false},
		{"unlisted query parameter ignored", req("version=1&x=1"), req("version=1&x=2"), nil, true},
		{"query order does not matter", req("a=1&b=2&version=3"), req("version=3&b=2&a=1"), nil, true},
		{"names split on semicolons", req("a=1"), req("a=2"), nil, false},
		{"parameter names are case-sensitive", req("Version=1"), req("version=1"), nil, false},
		{"absent differs from empty parameter", req(""), req("version="), nil, false},
		{"repeated parameter values count", req("version=1&version=2"), req("version=1"), nil, false},
		{"listed header differs", req("", "Accept", "application/json"), req("", "Accept", "text/xml"), nil, false},
		{"header name case does not matter", req("", "ACCEPT-CHARSET", "utf-8"), req("", "accept-charset", "utf-8"), nil, true},
		{"header values as sent", req("", "Accept", "application/json"), req("", "Accept", "Application/JSON"), nil, false},
		{"unlisted header ignored", req("", "X-Trace", "1"), req("", "X-Trace", "2"), nil, true},
		{"absent differs from empty header", req(""), req("", "Accept", ""), nil, false},
		{"no separator collision", req("a=1,2"), req("a=1&a=2"), nil, false},
		{"developer ignored unless asked", withDev(req(""), "alice"), withDev(req(""), "bob"), nil, true},
		{"vary by developer", withDev(req(""), "alice"), withDev(req(""), "bob"), &cache.KeySpec{VaryByDeveloper: true}, false},
		{"same developer", withDev(req(""), "alice"), withDev(req(""), "alice"), &cache.KeySpec{VaryByDeveloper: true}, true},
		{"groups ignored unless asked", withGroups(req(""), "a"), withGroups(req(""), "b"), nil, true},
		{"vary by groups", withGroups(req(""), "a"), withGroups(req(""), "b"), &cache.KeySpec{VaryByDeveloperGroups: true}, false},
		{"group order does not matter", withGroups(req(""), "a", "b"), withGroups(req(""), "b", "a", "a"), &cache.KeySpec{VaryByDeveloperGroups: true}, true},
		{"API differs", req(""), func() cache.Request { r := req(""); r.API = "other"; return r }(), nil, false},
		{"operation differs", req(""), func() cache.Request { r := req(""); r.Operation = "list"; return r }(), nil, false},
		{"product differs", req(""), func() cache.Request { r := req(""); r.Product = "unlimited"; return r }(), nil, false},
		{"path differs", req(""), func() cache.Request { r := req(""); r.Path = "/echo/other"; return r }(), nil, false},
	}
	for _, c := range cases {
		s := spec
		if c.spec != nil {
			s = *c.spec
		}
		ka, kb := cache.ResponseKey(s, c.a), cache.ResponseKey(s, c.b)
		if (ka == kb) != c.same {
			t.Errorf("%s: keys %q and %q, want same=%v", c.name, ka, kb, c.same)
		}
	}
}

func TestKeySpecNormalised(t *testing.T) {
	s := cache.NewKeySpec([]string{"X-B", "accept", "Accept", ""}, []string{"b;a", " c ;a"}, false, false)
	if got := strings.Join(s.Headers(), ","); got != "accept,x-b" {
		t.Errorf("Headers = %q", got)
	}
	if got := strings.Join(s.QueryParameters(), ","); got != "a,b,c" {
		t.Errorf("QueryParameters = %q", got)
	}
	// The request's groups are not reordered.
	groups := []string{"b", "a", "b"}
	cache.ResponseKey(cache.KeySpec{VaryByDeveloperGroups: true}, withGroups(req(""), groups...))
	if strings.Join(groups, ",") != "b,a,b" {
		t.Errorf("ResponseKey changed the request's groups: %v", groups)
	}
}

func withDev(r cache.Request, dev string) cache.Request { r.Developer = dev; return r }

func withGroups(r cache.Request, groups ...string) cache.Request { r.Groups = groups; return r }

func TestResponseKeyFormat(t *testing.T) {
	got := cache.ResponseKey(cache.NewKeySpec([]string{"Accept"}, []string{"version"}, true, false), withDev(req("version=2&x=1", "Accept", "application/json"), "u1"))
	want := "r|echo|get|starter|/echo/resource|q&version=2|h&accept=application/json|d=u1"
	if got != want {
		t.Fatalf("ResponseKey = %q, want %q", got, want)
	}
}

func TestCacheable(t *testing.T) {
	auth := http.Header{"Authorization": {"Bearer x"}}
	cases := []struct {
		method       string
		header       http.Header
		allowPrivate bool
		want         bool
	}{
		{"GET", nil, false, true},
		{"POST", nil, false, false},
		{"HEAD", nil, true, false},
		{"GET", auth, false, false},
		{"GET", auth, true, true},
	}
	for _, c := range cases {
		if got := cache.Cacheable(c.method, c.header, c.allowPrivate); got != c.want {
			t.Errorf("Cacheable(%s, %v, %v) = %v", c.method, c.header, c.allowPrivate, got)
		}
	}
	if !cache.Storable(200, false) || cache.Storable(404, false) || !cache.Storable(404, true) || cache.Storable(201, false) {
		t.Error("Storable: only 200 unless cache-response")
	}
}

func TestCacheControl(t *testing.T) {
	cases := []struct {
		d    string
		mr   bool
		age  time.Duration
		want string
	}{
		{"none", true, time.Hour, ""},
		{"", false, time.Hour, ""},
		{"private", true, 3600 * time.Second, "private, max-age=3600, must-revalidate"},
		{"private", false, 90*time.Second + 500*time.Millisecond, "private, max-age=90"},
		{"public", true, 10 * time.Second, "public, max-age=10, must-revalidate"},
		{"public", false, -time.Second, "public, max-age=0"},
	}
	for _, c := range cases {
		d, err := cache.ParseDownstream(c.d)
		if err != nil {
			t.Fatal(err)
		}
		if got := cache.CacheControl(d, c.mr, c.age); got != c.want {
			t.Errorf("CacheControl(%s, %v, %v) = %q, want %q", c.d, c.mr, c.age, got, c.want)
		}
	}
	if _, err := cache.ParseDownstream("shared"); err == nil {
		t.Error("ParseDownstream accepted shared")
	}
}

func TestSelect(t *testing.T) {
	in, ex := cache.NewMemory(1<<20), cache.NewMemory(1<<20)
	both := cache.Stores{Internal: in, External: ex}
	only := cache.Stores{Internal: in}
	cases := []struct {
		attr   string
		stores cache.Stores
		want   cache.Store
		err    bool
	}{
		{"", both, ex, false},
		{"prefer-external", both, ex, false},
		{"prefer-external", only, in, false},
		{"internal", both, in, false},
		{"external", both, ex, false},
		{"external", only, nil, true},
	}
	for _, c := range cases {
		typ, err := cache.ParseType(c.attr)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.stores.Select(typ)
		if got != c.want || (err != nil) != c.err {
			t.Errorf("Select(%q) = %v, %v", c.attr, got, err)
		}
	}
	if _, err := cache.ParseType("redis"); err == nil {
		t.Error("ParseType accepted redis")
	}
	if cache.External.String() != "external" || cache.PreferExternal.String() != "prefer-external" {
		t.Error("Type.String")
	}
}

func BenchmarkResponseKey(b *testing.B) {
	spec := cache.NewKeySpec([]string{"Accept", "Accept-Charset"}, []string{"version;format"}, true, false)
	r := withDev(req("version=2&format=json&x=1", "Accept", "application/json", "Accept-Charset", "utf-8"), "user-1")
	b.ReportAllocs()
	for b.Loop() {
		cache.ResponseKey(spec, r)
	}
}
