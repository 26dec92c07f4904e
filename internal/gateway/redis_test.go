package gateway

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	cacheredis "github.com/tollgate/tollgate/internal/cache/redisstore"
	limitredis "github.com/tollgate/tollgate/internal/limit/redisstore"
	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/testkit"
)

// redisReplica returns gateway options whose counters and external cache are
// in the Redis at addr, through a client of its own, as a separate tollgate
// process would have.
func redisReplica(t *testing.T, addr string, outage OutageMode) Options {
	t.Helper()
	client, err := redisclient.Dial(addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return Options{Limits: limitredis.New(client, limitredis.Options{}), ExternalCache: cacheredis.New(client, cacheredis.Options{}), Outage: outage}
}

// Two replicas sharing one real redis-server admit at most 1% more than the
// limit between them (tollgate's counters are exact, so they admit exactly
// the limit).
func TestRedisReplicasShareRateLimit(t *testing.T) {
	redis := testkit.StartRedis(t)
	files := map[string]string{"apis/test/policy.xml": `<policies><inbound><base/><rate-limit calls="100" renewal-period="300" /></inbound></policies>`}
	a := newSite(t, files, redisReplica(t, redis.Addr, FailOpen))
	b := newSite(t, files, redisReplica(t, redis.Addr, FailOpen))
	const clients, each = 16, 20
	var admitted, refused, other atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			base := a.srv.URL
			if c%2 == 1 {
				base = b.srv.URL
			}
			for i := 0; i < each; i++ {
				resp, err := http.Get(base + "/test/items?subscription-key=" + productKey)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch resp.StatusCode {
				case 200:
					admitted.Add(1)
				case 429:
					refused.Add(1)
				default:
					other.Add(1)
				}
			}
		}(c)
	}
	wg.Wait()
	t.Logf("two replicas, limit 100, %d requests: %d admitted, %d refused", clients*each, admitted.Load(), refused.Load())
	if admitted.Load() > 101 || admitted.Load() < 100 || other.Load() != 0 {
		t.Errorf("admitted %d (want 100, at most 101), other statuses %d", admitted.Load(), other.Load())
	}
}

func TestRedisSharedResponseCache(t *testing.T) {
	redis := testkit.StartRedis(t)
	files := map[string]string{"apis/test/policy.xml": `<policies>
  <inbound><base/><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="external"><vary-by-query-parameter>q</vary-by-query-parameter></cache-lookup></inbound>
  <outbound><base/><cache-store duration="60" /></outbound>
</policies>`}
	a := newSite(t, files, redisReplica(t, redis.Addr, FailOpen))
	b := newSite(t, files, redisReplica(t, redis.Addr, FailOpen))
	if got := a.do(t, "GET", "/test/items?q=1", keyHeader, productKey); got.status != 200 || a.lastLog(t)["Cache"] != "miss" {
		t.Fatalf("first call: %d, cache %v", got.status, a.lastLog(t)["Cache"])
	}
	got := b.do(t, "GET", "/test/items?q=1", keyHeader, productKey)
	if got.status != 200 || got.body != `{"ok":true}` || b.lastLog(t)["Cache"] != "hit" || b.lastLog(t)["BackendResponseCode"] != 0.0 {
		t.Fatalf("second replica: %d %q, log %v", got.status, got.body, b.lastLog(t))
	}
	if b.do(t, "GET", "/test/items?q=2", keyHeader, productKey); b.lastLog(t)["Cache"] != "miss" {
		t.Error("another query value must be another entry")
	}
}

func TestRedisOutageFailsOpenOrClosedAndRecovers(t *testing.T) {
	redis := testkit.StartRedis(t)
	files := map[string]string{"apis/test/policy.xml": `<policies><inbound><base/><rate-limit-by-key calls="2" renewal-period="300" counter-key="outage" /></inbound></policies>`}
	open := newSite(t, files, redisReplica(t, redis.Addr, FailOpen))
	closed := newSite(t, files, redisReplica(t, redis.Addr, FailClosed))
	if got := open.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 200 {
		t.Fatalf("before the outage: %d", got.status)
	}
	redis.Stop()
	got := open.do(t, "GET", "/test/items", keyHeader, productKey)
	if got.status != 200 || !strings.Contains(notes(open.lastLog(t)), "counter store is unavailable") {
		t.Errorf("fail open: %d, notes %q", got.status, notes(open.lastLog(t)))
	}
	got = closed.do(t, "GET", "/test/items", keyHeader, productKey)
	if got.status != 503 || closed.lastLog(t)["LastErrorReason"] != "StoreUnavailable" {
		t.Errorf("fail closed: %d %s", got.status, got.body)
	}
	redis.Start()
	// Redis came back empty: two calls are admitted again, the third refused.
	statuses := []int{}
	for i := 0; i < 3; i++ {
		statuses = append(statuses, open.do(t, "GET", "/test/items", keyHeader, productKey).status)
	}
	if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 429 {
		t.Errorf("after recovery: %v, want [200 200 429]", statuses)
	}
}
