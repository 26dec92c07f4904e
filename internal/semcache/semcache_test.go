package semcache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/cache"
	"github.com/tollgate/tollgate/internal/cache/redisstore"
	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/testkit"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func run(t *testing.T, store cache.Store) {
	ctx := context.Background()
	clk := &clock{time.Now()}
	c := New(store, Options{MaxEntries: 3, Now: clk.now})
	p := fmt.Sprintf("api|%d", time.Now().UnixNano())
	if _, ok, err := c.Lookup(ctx, p, []float32{1, 0}, 0.1); ok || err != nil {
		t.Fatalf("lookup in an empty cache: ok=%v err=%v", ok, err)
	}
	if err := c.Store(ctx, p, []float32{1, 0}, []byte("east"), time.Minute); err != nil {
		t.Fatal(err)
	}
	c.Store(ctx, p, []float32{0, 1}, []byte("north"), time.Minute)
	// Close to east (cosine distance about 0.005): a hit within 0.05.
	h, ok, err := c.Lookup(ctx, p, []float32{1, 0.1}, 0.05)
	if err != nil || !ok || string(h.Response) != "east" || h.Score > 0.01 {
		t.Fatalf("near east: %q score %v ok=%v err=%v", h.Response, h.Score, ok, err)
	}
	// Half-way: distance about 0.29 from both, a miss at 0.05.
	if _, ok, _ := c.Lookup(ctx, p, []float32{1, 1}, 0.05); ok {
		t.Error("a distant prompt hit")
	}
	if h, ok, _ := c.Lookup(ctx, p, []float32{1, 1}, 0.3); !ok {
		t.Error("a threshold of 0.3 must accept a distance of 0.29")
	} else if h.Score < 0.28 || h.Score > 0.3 {
		t.Errorf("score %v, want about 0.29", h.Score)
	}
	// Another partition sees nothing.
	if _, ok, _ := c.Lookup(ctx, p+"x", []float32{1, 0}, 0.5); ok {
		t.Error("a hit across partitions")
	}
	// A vector of another dimension never matches.
	if _, ok, _ := c.Lookup(ctx, p, []float32{1, 0, 0}, 1); ok {
		t.Error("a hit across dimensions")
	}
	// The bound: a fourth entry drops the oldest (east).
	c.Store(ctx, p, []float32{-1, 0}, []byte("west"), time.Minute)
	c.Store(ctx, p, []float32{0, -1}, []byte("south"), time.Minute)
	if h, ok, _ := c.Lookup(ctx, p, []float32{1, 0}, 0.01); ok {
		t.Errorf("the oldest entry survived the bound: %q", h.Response)
	}
	entries, _ := c.index(ctx, p)
	if len(entries) != 3 {
		t.Errorf("index holds %d entries, want 3", len(entries))
	}
	// Expiry: an hour later every entry is gone.
	clk.t = clk.t.Add(time.Hour)
	if _, ok, _ := c.Lookup(ctx, p, []float32{0, -1}, 0.01); ok {
		t.Error("an expired entry hit")
	}
}

func TestMemory(t *testing.T) { run(t, cache.NewMemory(1<<20)) }

func TestRedis(t *testing.T) {
	srv := testkit.StartRedis(t)
	client, err := redisclient.Dial(srv.Addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	run(t, redisstore.New(client, redisstore.Options{}))
}

func TestDecodeRejectsDamage(t *testing.T) {
	good := encode([]entry{{id: 1, expires: 5, vec: []float32{1, 2}}})
	if e, err := decode(good); err != nil || len(e) != 1 || e[0].vec[1] != 2 {
		t.Fatalf("decode(encode) = %v, %v", e, err)
	}
	for _, bad := range [][]byte{nil, {1}, good[:len(good)-1], append(good, 0), {0xff, 0xff, 0xff, 0x7f}} {
		if _, err := decode(bad); err == nil {
			t.Errorf("decode(%x) accepted", bad)
		}
	}
	// A damaged index is a miss, not an error.
	store := cache.NewMemory(1 << 20)
	store.Set(context.Background(), indexKey("p"), []byte{1, 2, 3}, time.Minute)
	if _, ok, err := New(store, Options{}).Lookup(context.Background(), "p", []float32{1}, 1); ok || err != nil {
		t.Errorf("damaged index: ok=%v err=%v", ok, err)
	}
}

func BenchmarkLookup128x1536(b *testing.B) {
	ctx := context.Background()
	c := New(cache.NewMemory(64<<20), Options{})
	vec := func(seed int) []float32 {
		v := make([]float32, 1536)
		for i := range v {
			v[i] = float32((i*seed)%17) - 8
		}
		return v
	}
	for i := range 128 {
		c.Store(ctx, "p", vec(i+1), []byte("r"), time.Hour)
	}
	q := vec(500)
	b.ReportAllocs()
	for b.Loop() {
		c.Lookup(ctx, "p", q, 0.05)
	}
}
