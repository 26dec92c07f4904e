// Package cachetest is the conformance suite every cache.Store must pass, so
// that the memory and Redis caches keep identical semantics. It is imported
// only from _test.go files.
package cachetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/cache"
)

// Run runs the suite against s, whose keys must not be shared with other
// tests. It sleeps about half a second to watch entries expire in real time.
func Run(t *testing.T, s cache.Store) {
	ctx := context.Background()
	get := func(key string) ([]byte, bool) {
		t.Helper()
		v, ok, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("get %q: %v", key, err)
		}
		return v, ok
	}
	set := func(key string, v []byte, ttl time.Duration) {
		t.Helper()
		if err := s.Set(ctx, key, v, ttl); err != nil {
			t.Fatalf("set %q: %v", key, err)
		}
	}
	if _, ok := get("missing"); ok {
		t.Fatal("hit on a key never set")
	}
	bin := []byte{0, 1, 2, 0xff, '\r', '\n', 0}
	set("bin", bin, time.Minute)
	if v, ok := get("bin"); !ok || !bytes.Equal(v, bin) {
		t.Fatalf("round trip of binary value: %q %v", v, ok)
	}
	set("empty", []byte{}, time.Minute)
	if v, ok := get("empty"); !ok || len(v) != 0 {
		t.Fatalf("empty value: %q %v", v, ok)
	}
	set("k", []byte("one"), time.Minute)
	set("k", []byte("two"), time.Minute)
	if v, _ := get("k"); string(v) != "two" {
		t.Fatalf("overwrite: got %q", v)
	}
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok := get("k"); ok {
		t.Fatal("hit after delete")
	}
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatalf("delete of a missing key: %v", err)
	}
	set("zero", []byte("x"), time.Minute)
	set("zero", []byte("x"), 0)
	if _, ok := get("zero"); ok {
		t.Fatal("ttl 0 did not remove the key")
	}
	// Values are copied: changing the caller's slice changes nothing.
	buf := []byte("abc")
	set("copy", buf, time.Minute)
	buf[0] = 'X'
	if v, _ := get("copy"); string(v) != "abc" {
		t.Fatalf("stored value aliases the caller's slice: %q", v)
	}
	set("short", []byte("v"), 300*time.Millisecond)
	set("long", []byte("v"), time.Minute)
	if _, ok := get("short"); !ok {
		t.Fatal("entry expired early")
	}
	time.Sleep(450 * time.Millisecond)
	if _, ok := get("short"); ok {
		t.Fatal("entry outlived its ttl")
	}
	if _, ok := get("long"); !ok {
		t.Fatal("long entry expired")
	}
}
