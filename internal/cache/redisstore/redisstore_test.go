package redisstore_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/internal/cache"
	"github.com/tollgate/tollgate/internal/cache/cachetest"
	"github.com/tollgate/tollgate/internal/cache/redisstore"
	"github.com/tollgate/tollgate/internal/testkit"
)

// client returns a go-redis client for addr whose timeouts are short and
// follow the context, closed when the test ends.
func client(t testing.TB, addr string) *redis.Client {
	c := redis.NewClient(redisstore.ClientOptions(addr, 0))
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisConformance(t *testing.T) {
	srv := testkit.StartRedis(t)
	cachetest.Run(t, redisstore.New(client(t, srv.Addr), redisstore.Options{}))
}

func TestRedisSharedBetweenReplicas(t *testing.T) {
	srv := testkit.StartRedis(t)
	ctx := context.Background()
	a := redisstore.New(client(t, srv.Addr), redisstore.Options{})
	b := redisstore.New(client(t, srv.Addr), redisstore.Options{})
	key := cache.ResponseKey(cache.NewKeySpec([]string{"Accept"}, nil, false, false),
		cache.Request{API: "echo", Operation: "get", Path: "/echo", Header: http.Header{"Accept": {"application/json"}}})
	want := &cache.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"ok":true}`), Stored: time.UnixMilli(time.Now().UnixMilli())}
	if err := cache.StoreResponse(ctx, a, key, want, time.Minute); err != nil {
		t.Fatal(err)
	}
	got, ok, err := cache.LookupResponse(ctx, b, key)
	if err != nil || !ok || got.Status != 200 || string(got.Body) != `{"ok":true}` || !got.Stored.Equal(want.Stored) {
		t.Fatalf("replica b: %+v %v %v", got, ok, err)
	}
	if err := cache.StoreValue(ctx, a, "token", []byte("abc"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v := cache.LookupValue(ctx, b, "token", nil, false); !v.Hit || string(v.Value) != "abc" {
		t.Fatalf("value from replica b: %+v", v)
	}
	if err := cache.RemoveValue(ctx, b, "token"); err != nil {
		t.Fatal(err)
	}
	if v := cache.LookupValue(ctx, a, "token", nil, false); v.Hit || v.Assign {
		t.Fatalf("value after remove: %+v", v)
	}
}

func TestRedisOutageAndRecovery(t *testing.T) {
	srv := testkit.StartRedis(t)
	ctx := context.Background()
	s := redisstore.New(client(t, srv.Addr), redisstore.Options{})
	if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	start := time.Now()
	if _, ok, err := s.Get(ctx, "k"); ok || !errors.Is(err, cache.ErrUnavailable) {
		t.Fatalf("get with redis down: ok=%v err=%v", ok, err)
	}
	if err := s.Set(ctx, "k", []byte("v"), time.Minute); !errors.Is(err, cache.ErrUnavailable) {
		t.Fatalf("set with redis down: %v", err)
	}
	if err := s.Delete(ctx, "k"); !errors.Is(err, cache.ErrUnavailable) {
		t.Fatalf("delete with redis down: %v", err)
	}
	if _, ok, err := cache.LookupResponse(ctx, s, "k"); ok || !errors.Is(err, cache.ErrUnavailable) {
		t.Fatalf("lookup with redis down: ok=%v err=%v", ok, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("four operations with redis down took %v", d)
	}
	srv.Start()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := s.Set(ctx, "k", []byte("again"), time.Minute)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("store did not recover: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v, ok, err := s.Get(ctx, "k"); err != nil || !ok || string(v) != "again" {
		t.Fatalf("after recovery: %q %v %v", v, ok, err)
	}
}

func BenchmarkCacheHitRedis(b *testing.B) {
	srv := testkit.StartRedis(b)
	ctx := context.Background()
	s := redisstore.New(client(b, srv.Addr), redisstore.Options{})
	key := cache.ResponseKey(cache.NewKeySpec([]string{"Accept"}, nil, false, false),
		cache.Request{API: "echo", Operation: "get", Path: "/echo", Header: http.Header{"Accept": {"application/json"}}})
	r := &cache.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: make([]byte, 1024), Stored: time.Now()}
	if err := cache.StoreResponse(ctx, s, key, r, time.Hour); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := cache.LookupResponse(ctx, s, key); !ok || err != nil {
			b.Fatal("miss", err)
		}
	}
}
