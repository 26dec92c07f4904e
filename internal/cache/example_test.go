package cache_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/tollgate/tollgate/internal/cache"
)

// cache-lookup in inbound and cache-store in outbound for one GET request.
func Example() {
	ctx := context.Background()
	stores := cache.Stores{Internal: cache.NewMemory(64 << 20)}
	store, _ := stores.Select(cache.PreferExternal) // no Redis configured: memory
	spec := cache.NewKeySpec([]string{"Accept"}, []string{"version"}, false, false)
	req := cache.Request{
		API: "echo", Operation: "get", Path: "/echo/resource",
		Query:  url.Values{"version": {"2"}, "cb": {"123"}},
		Header: http.Header{"Accept": {"application/json"}},
	}
	for range 2 {
		if !cache.Cacheable(http.MethodGet, req.Header, false) {
			break
		}
		key := cache.ResponseKey(spec, req)
		if r, ok, err := cache.LookupResponse(ctx, store, key); ok {
			age := time.Since(r.Stored)
			fmt.Println("hit", r.Status, string(r.Body), cache.CacheControl(cache.DownstreamPrivate, true, time.Hour-age))
			continue
		} else if err != nil {
			// Log it; an unreachable cache is a miss.
			_ = err
		}
		// ... forward to the backend ...
		resp := &cache.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"v":2}`), Stored: time.Now()}
		if cache.Storable(resp.Status, false) {
			_ = cache.StoreResponse(ctx, store, key, resp, time.Hour) // an error only means not stored
		}
		fmt.Println("miss", cache.CacheControl(cache.DownstreamPrivate, true, time.Hour))
	}
	// Output:
	// miss private, max-age=3600, must-revalidate
	// hit 200 {"v":2} private, max-age=3599, must-revalidate
}
