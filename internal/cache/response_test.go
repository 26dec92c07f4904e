package cache_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/cache"
)

func TestResponseRoundTrip(t *testing.T) {
	cases := []*cache.Response{
		{Status: 200, Header: http.Header{}, Body: []byte{}, Stored: time.UnixMilli(0)},
		{
			Status: 404,
			Header: http.Header{"Content-Type": {"application/json"}, "Set-Cookie": {"a=1", "b=2"}, "X-Empty": {""}},
			Body:   []byte(`{"statusCode":404}`),
			Stored: time.UnixMilli(1763870400123),
		},
		{Status: 200, Header: http.Header{"X-Bin": {"\x00\xff"}}, Body: []byte{0, 1, 2}, Stored: time.UnixMilli(1)},
	}
	for _, r := range cases {
		b, err := r.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got cache.Response
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatalf("decode %q: %v", b, err)
		}
		if !reflect.DeepEqual(&got, r) {
			t.Fatalf("round trip: got %+v, want %+v", got, r)
		}
	}
	if _, err := (&cache.Response{Status: 42}).MarshalBinary(); err == nil {
		t.Fatal("status 42 encoded")
	}
}

func TestResponseCorrupt(t *testing.T) {
	good, _ := (&cache.Response{Status: 200, Header: http.Header{"A": {"b"}}, Body: []byte("body"), Stored: time.UnixMilli(5)}).MarshalBinary()
	for name, b := range map[string][]byte{
		"empty":     nil,
		"bad magic": []byte("XXXX"),
		"truncated": good[:len(good)-2],
		"trailing":  append(append([]byte(nil), good...), 0),
		"huge count": append([]byte("TGR1\xc8\x01\x00"),
			0xff, 0xff, 0xff, 0xff, 0x0f),
	} {
		var r cache.Response
		if err := r.UnmarshalBinary(b); !errors.Is(err, cache.ErrCorrupt) {
			t.Errorf("%s: error %v, want ErrCorrupt", name, err)
		}
	}
}

func FuzzResponseUnmarshal(f *testing.F) {
	good, _ := (&cache.Response{Status: 200, Header: http.Header{"A": {"b", "c"}}, Body: []byte("body"), Stored: time.UnixMilli(5)}).MarshalBinary()
	f.Add(good)
	f.Add([]byte("TGR1"))
	if b, err := os.ReadFile(filepath.Join("testdata", "response.bin")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r cache.Response
		if err := r.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, cache.ErrCorrupt) {
				t.Fatalf("error %v does not match ErrCorrupt", err)
			}
			return
		}
		// Whatever decodes re-encodes to something that decodes the same.
		b, err := r.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var again cache.Response
		if err := again.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(r, again) {
			t.Fatalf("re-encoding changed the response: %v", err)
		}
	})
}

// downStore is a Store whose backend is always unreachable.
type downStore struct{}

func (downStore) Get(context.Context, string) ([]byte, bool, error) {
	return nil, false, &cache.UnavailableError{Op: "get", Err: errors.New("connection refused")}
}

func (downStore) Set(context.Context, string, []byte, time.Duration) error {
	return &cache.UnavailableError{Op: "set", Err: errors.New("connection refused")}
}

func (downStore) Delete(context.Context, string) error {
	return &cache.UnavailableError{Op: "delete", Err: errors.New("connection refused")}
}

func TestOutageIsAMiss(t *testing.T) {
	ctx := context.Background()
	r, ok, err := cache.LookupResponse(ctx, downStore{}, "k")
	if r != nil || ok || !errors.Is(err, cache.ErrUnavailable) {
		t.Fatalf("lookup during an outage: %v %v %v, want a miss with ErrUnavailable", r, ok, err)
	}
	err = cache.StoreResponse(ctx, downStore{}, "k", &cache.Response{Status: 200}, time.Minute)
	if !errors.Is(err, cache.ErrUnavailable) {
		t.Fatalf("store during an outage: %v", err)
	}
	v := cache.LookupValue(ctx, downStore{}, "k", []byte("dflt"), true)
	if !v.Assign || v.Hit || string(v.Value) != "dflt" || !errors.Is(v.Err, cache.ErrUnavailable) {
		t.Fatalf("value lookup with default during an outage: %+v", v)
	}
	v = cache.LookupValue(ctx, downStore{}, "k", nil, false)
	if v.Assign || v.Hit || v.Err == nil {
		t.Fatalf("value lookup without default during an outage: %+v", v)
	}
	// A corrupt entry is a miss too.
	m := cache.NewMemory(1 << 20)
	m.Set(ctx, "bad", []byte("not a response"), time.Minute)
	if _, ok, err := cache.LookupResponse(ctx, m, "bad"); ok || !errors.Is(err, cache.ErrCorrupt) {
		t.Fatalf("corrupt entry: ok=%v err=%v", ok, err)
	}
}

func TestValues(t *testing.T) {
	ctx := context.Background()
	m := cache.NewMemory(1 << 20)
	if v := cache.LookupValue(ctx, m, "user:1", nil, false); v.Assign || v.Hit || v.Err != nil {
		t.Fatalf("miss without default: %+v, want the variable left unset", v)
	}
	if v := cache.LookupValue(ctx, m, "user:1", []byte("anon"), true); !v.Assign || v.Hit || string(v.Value) != "anon" {
		t.Fatalf("miss with default: %+v", v)
	}
	if err := cache.StoreValue(ctx, m, "user:1", []byte("alice"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v := cache.LookupValue(ctx, m, "user:1", []byte("anon"), true); !v.Assign || !v.Hit || string(v.Value) != "alice" {
		t.Fatalf("hit: %+v", v)
	}
	// Values and responses live apart even under the same key text.
	if _, ok, _ := m.Get(ctx, "user:1"); ok {
		t.Fatal("value stored under the bare key")
	}
	if err := cache.RemoveValue(ctx, m, "user:1"); err != nil {
		t.Fatal(err)
	}
	if v := cache.LookupValue(ctx, m, "user:1", nil, false); v.Hit {
		t.Fatalf("hit after remove: %+v", v)
	}
}
