package gateway

import (
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/capture"
)

func TestCaptureKeepsFailuresOnly(t *testing.T) {
	store := capture.NewStore(capture.Options{})
	defer store.Close()
	h := newHarness(t, Options{Capture: store})

	ok := h.do(t, "GET", "/orders/orders?x=1", keyHeader, goldKey)
	bearer := h.do(t, "GET", "/orders/orders", "Authorization", "Bearer "+goldKey)
	wrong := h.do(t, "GET", "/orders/orders?subscription-key=not-a-real-key-1234")
	missing := h.do(t, "DELETE", "/nowhere", keyHeader, goldSecondary)
	store.Flush()

	if ok.status != 200 || bearer.status != 401 || wrong.status != 401 || missing.status != 404 {
		t.Fatalf("statuses %d %d %d %d", ok.status, bearer.status, wrong.status, missing.status)
	}
	if _, err := store.Capture(ok.header.Get(CorrelationHeader)); err != capture.ErrNotFound {
		t.Errorf("a successful request was captured (err %v)", err)
	}
	for _, r := range []response{bearer, wrong, missing} {
		id := r.header.Get(CorrelationHeader)
		d, err := store.Capture(id[:8])
		if err != nil {
			t.Fatalf("capture %s: %v", id, err)
		}
		if d.ID != id || d.Captured != capture.Failed || d.Response.Status != r.status || d.Response.Body != r.body {
			t.Errorf("capture %s: id %s captured %q status %d body %q", id, d.ID, d.Captured, d.Response.Status, d.Response.Body)
		}
		if d.LastError == nil || d.LastError.Reason == "" || d.LastError.Cause == "" {
			t.Errorf("capture %s has no LastError with a cause: %+v", id, d.LastError)
		}
	}
	d, _ := store.Capture(bearer.header.Get(CorrelationHeader))
	if d.Match.API == "" || d.Match.KeyHeader != keyHeader {
		t.Errorf("match %+v", d.Match)
	}
	var auth string
	for _, hd := range d.Request.Headers {
		if hd.Name == "Authorization" {
			auth = hd.Value
		}
	}
	if auth != "Bearer ***" {
		t.Errorf("Authorization captured as %q", auth)
	}
	// No key, valid or not, appears anywhere in a captured document.
	docs, err := store.Captures(d.Time.Add(-1e9), 0)
	if err != nil || len(docs) != 3 {
		t.Fatalf("captures: %d, %v", len(docs), err)
	}
	for _, id := range []string{bearer.header.Get(CorrelationHeader), wrong.header.Get(CorrelationHeader), missing.header.Get(CorrelationHeader)} {
		d, _ := store.Capture(id)
		raw := string(d.Log) + d.Request.URL + d.Request.Query
		for _, hd := range d.Request.Headers {
			raw += hd.Value
		}
		for _, s := range d.Steps {
			raw += s.Message
		}
		raw += d.LastError.Cause + d.LastError.Message
		for _, secret := range []string{goldKey, goldSecondary, "not-a-real-key-1234"} {
			if strings.Contains(raw, secret) {
				t.Errorf("capture %s contains the key %s", id, secret)
			}
		}
	}
}

func TestCaptureSampling(t *testing.T) {
	store := capture.NewStore(capture.Options{Sample: 1})
	defer store.Close()
	h := newHarness(t, Options{Capture: store})
	r := h.do(t, "GET", "/orders/orders?x=1", keyHeader, goldKey)
	store.Flush()
	d, err := store.Capture(r.header.Get(CorrelationHeader))
	if err != nil || d.Captured != capture.Sampled || d.Backend == nil || d.Backend.Status != 200 {
		t.Fatalf("sampled capture: %+v, %v", d, err)
	}
	if len(d.Steps) == 0 {
		t.Errorf("sampled capture has no steps")
	}
}

// A key the caller put where no key is read (seed 001's x-api-key header, a
// parameter the API does not read) is masked in the capture and the log.
func TestCaptureMasksKeysInOtherPlaces(t *testing.T) {
	store := capture.NewStore(capture.Options{})
	defer store.Close()
	h := newHarness(t, Options{Capture: store})
	r1 := h.do(t, "GET", "/orders/orders", "X-Api-Key", goldKey)
	r2 := h.do(t, "GET", "/orders/orders?api-key="+goldSecondary+"&x=1")
	store.Flush()
	for _, r := range []response{r1, r2} {
		if r.status != 401 {
			t.Fatalf("status %d", r.status)
		}
		d, err := store.Capture(r.header.Get(CorrelationHeader))
		if err != nil {
			t.Fatal(err)
		}
		raw := string(d.Log) + d.Request.URL + d.Request.Query + d.LastError.Cause
		for _, hd := range d.Request.Headers {
			raw += hd.Name + ": " + hd.Value + "\n"
		}
		for _, s := range d.Steps {
			raw += s.Message
		}
		for _, key := range []string{goldKey, goldSecondary} {
			if strings.Contains(raw, key) {
				t.Errorf("capture %s contains a key:\n%s", d.ID, raw)
			}
		}
	}
	h.logs.mu.Lock()
	l := h.logs.b.String()
	h.logs.mu.Unlock()
	if strings.Contains(l, goldKey) || strings.Contains(l, goldSecondary) || !strings.Contains(l, "api-key=%2A%2A%2A") {
		t.Errorf("log lines reveal a key or do not show it masked:\n%s", l)
	}
}

// A flood of one failure is captured PerSecond times a second; another
// failure in the same second still is.
func TestCaptureFloodOfOneFailure(t *testing.T) {
	store := capture.NewStore(capture.Options{PerSecond: 5})
	defer store.Close()
	h := newHarness(t, Options{Capture: store})
	for range 40 {
		if r := h.do(t, "GET", "/orders/orders", keyHeader, "wrong-key-0123456789"); r.status != 401 {
			t.Fatalf("status %d, want 401", r.status)
		}
	}
	other := h.do(t, "DELETE", "/nowhere", keyHeader, goldKey)
	store.Flush()
	st := store.Stats()
	// 40 requests span at most a few seconds: 5 a second captured.
	if st.Captured < 5 || st.Captured > 21 || st.Skipped+st.Captured != 41 {
		t.Errorf("stats %+v: want 5 captures a second of the 401s and the 404", st)
	}
	if _, err := store.Capture(other.header.Get(CorrelationHeader)); err != nil {
		t.Errorf("the other failure was not captured: %v", err)
	}
}
