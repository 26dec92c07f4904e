package gateway

import (
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/jsonx"
	"github.com/tollgate/tollgate/internal/testkit"
)

func TestCacheValueCodec(t *testing.T) {
	arr, err := jsonx.Parse(`[{"url":"https://a.example","priority":1,"isThrottling":false}]`)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []expr.Value{nil, true, false, int32(-1), int32(7), int64(1) << 40, 0.25, "", "text", "\x00i7", arr} {
		got := decodeCacheValue(encodeCacheValue(v))
		if tok, ok := v.(*jsonx.Token); ok {
			gt, ok := got.(*jsonx.Token)
			if !ok || gt.Compact() != tok.Compact() {
				t.Errorf("%v read back as %#v", v, got)
			}
			continue
		}
		if got != v {
			t.Errorf("%#v read back as %#v (%s)", v, got, expr.TypeName(got))
		}
	}
	// Bytes an older tollgate stored, without the tag, read back as text.
	if got := decodeCacheValue([]byte("12")); got != "12" {
		t.Errorf("untagged bytes read back as %#v", got)
	}
	// Another type is kept as its text.
	if got := decodeCacheValue(encodeCacheValue(expr.TimeSpan(3 * 10_000_000))); got != "00:00:03" { // 3 s in 100 ns ticks
		t.Errorf("a TimeSpan read back as %#v", got)
	}
}

// cacheValuePolicy counts requests the way Microsoft's round-robin load
// balancing samples do: the counter is an int in the cache, read back with
// a cast, and a JArray stored once is read back as a JArray.
const cacheValuePolicy = `<policies><inbound><base/>
  <cache-lookup-value key="counter" variable-name="counter" default-value="@(0)" caching-type="prefer-external" />
  <set-variable name="counter" value="@(((int)context.Variables[&quot;counter&quot;]) + 1)" />
  <cache-store-value key="counter" value="@((int)context.Variables[&quot;counter&quot;])" duration="60" caching-type="prefer-external" />
  <cache-lookup-value key="pool" variable-name="pool" caching-type="prefer-external" />
  <choose><when condition="@(!context.Variables.ContainsKey(&quot;pool&quot;))">
    <set-variable name="pool" value="@(new JArray(&quot;a&quot;, &quot;b&quot;))" />
    <cache-store-value key="pool" value="@((JArray)context.Variables[&quot;pool&quot;])" duration="60" caching-type="prefer-external" />
  </when></choose>
  <return-response><set-status code="200" />
    <set-body>@(context.Variables.GetValueOrDefault&lt;int&gt;("counter").ToString() + " " + ((JArray)context.Variables["pool"])[((int)context.Variables["counter"]) % 2])</set-body>
  </return-response>
</inbound></policies>`

func TestCacheValuesKeepTheirType(t *testing.T) {
	check := func(t *testing.T, s *site) {
		for i, want := range []string{"1 b", "2 a", "3 b"} {
			got := s.do(t, "GET", "/test/items", keyHeader, productKey)
			if got.status != 200 || got.body != want {
				t.Fatalf("request %d: %d %q, want %q (log: %v)", i+1, got.status, got.body, want, s.lastLog(t)["LastErrorCause"])
			}
		}
	}
	t.Run("internal", func(t *testing.T) {
		check(t, newSite(t, map[string]string{"apis/test/policy.xml": cacheValuePolicy}, Options{}))
	})
	t.Run("redis", func(t *testing.T) {
		redis := testkit.StartRedis(t)
		check(t, newSite(t, map[string]string{"apis/test/policy.xml": cacheValuePolicy}, redisReplica(t, redis.Addr, FailOpen)))
	})
}

// A literal value is cached as text, and a literal default value is text.
func TestCacheValueLiteralsAreText(t *testing.T) {
	s := newSite(t, map[string]string{"apis/test/policy.xml": `<policies><inbound><base/>
  <cache-lookup-value key="missing" variable-name="d" default-value="0" />
  <cache-store-value key="lit" value="1" duration="60" />
  <cache-lookup-value key="lit" variable-name="lit" />
  <return-response><set-status code="200" /><set-body>@((context.Variables["d"] is string) + " " + (context.Variables["lit"] is string))</set-body></return-response>
</inbound></policies>`}, Options{})
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 200 || got.body != "True True" {
		t.Fatalf("%d %q", got.status, got.body)
	}
	if !strings.HasPrefix(string(encodeCacheValue("x")), "\x00s") {
		t.Error("a string is not tagged")
	}
}
