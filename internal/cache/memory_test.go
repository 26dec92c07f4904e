package cache_test

import (
	"context"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tollgate/tollgate/internal/cache"
	"github.com/tollgate/tollgate/internal/cache/cachetest"
)

func TestMemoryConformance(t *testing.T) {
	cachetest.Run(t, cache.NewMemory(1<<20))
}

func TestMemoryTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := cache.NewMemory(1 << 20)
		m.Set(ctx, "k", []byte("v"), 100*time.Second)
		time.Sleep(100*time.Second - time.Nanosecond)
		if _, ok, _ := m.Get(ctx, "k"); !ok {
			t.Fatal("expired before its ttl")
		}
		time.Sleep(time.Nanosecond)
		if _, ok, _ := m.Get(ctx, "k"); ok {
			t.Fatal("alive at its ttl")
		}
		if m.Len() != 0 || m.Bytes() != 0 {
			t.Fatalf("expired entry still held: %d entries, %d bytes", m.Len(), m.Bytes())
		}
	})
}

func TestMemoryBudget(t *testing.T) {
	ctx := context.Background()
	val := make([]byte, 1000)
	// Each entry costs its 2-byte key, 1000 bytes and 64 of overhead.
	m := cache.NewMemory(5 * 1066)
	for i := range 5 {
		m.Set(ctx, "k"+strconv.Itoa(i), val, time.Hour)
	}
	if m.Len() != 5 || m.Bytes() != 5*1066 {
		t.Fatalf("%d entries, %d bytes", m.Len(), m.Bytes())
	}
	m.Get(ctx, "k0") // k0 is now the most recently used
	m.Set(ctx, "k5", val, time.Hour)
	if _, ok, _ := m.Get(ctx, "k1"); ok {
		t.Fatal("least recently used entry k1 was not evicted")
	}
	for _, k := range []string{"k0", "k2", "k3", "k4", "k5"} {
		if _, ok, _ := m.Get(ctx, k); !ok {
			t.Fatalf("%s evicted", k)
		}
	}
	if m.Bytes() > 5*1066 {
		t.Fatalf("budget exceeded: %d bytes", m.Bytes())
	}
	// A value larger than the whole budget is not stored and evicts nothing.
	m.Set(ctx, "huge", make([]byte, 6000), time.Hour)
	if _, ok, _ := m.Get(ctx, "huge"); ok || m.Len() != 5 {
		t.Fatalf("oversized value stored or evicted others: %d entries", m.Len())
	}
}

func BenchmarkCacheHitMemory(b *testing.B) {
	ctx := context.Background()
	m := cache.NewMemory(64 << 20)
	key := cache.ResponseKey(cache.NewKeySpec([]string{"Accept"}, nil, false, false), req("", "Accept", "application/json"))
	r := &cache.Response{Status: 200, Header: map[string][]string{"Content-Type": {"application/json"}}, Body: make([]byte, 1024), Stored: time.Now()}
	if err := cache.StoreResponse(ctx, m, key, r, time.Hour); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := cache.LookupResponse(ctx, m, key); !ok || err != nil {
			b.Fatal("miss", err)
		}
	}
}
