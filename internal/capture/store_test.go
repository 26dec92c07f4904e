package capture

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/reqtrace"
)

func pending(id string, t time.Time, secret string) *Pending {
	tr := reqtrace.New(id, t)
	tr.Mask(secret)
	tr.Add(reqtrace.Entry{Section: reqtrace.Inbound, Source: "check-header", Failed: true, Message: "header X-Key was " + secret})
	return &Pending{
		Doc:   Doc{ID: id, Time: t, Captured: Failed, Response: Response{Status: 401}, Request: Request{Headers: []Header{{"X-Key", secret}}}},
		Trace: tr, Line: []byte(`{"Url":"http://gw/x?k=` + secret + `"}`),
	}
}

func TestStoreMasksTheWholeDocument(t *testing.T) {
	s := NewStore(Options{})
	defer s.Close()
	s.Add(pending("aaaa-1", time.Now(), "very-secret-key-123"))
	s.Flush()
	d, err := s.Capture("aaaa")
	if err != nil {
		t.Fatal(err)
	}
	raw := fmt.Sprint(d.Steps) + fmt.Sprint(d.Request.Headers) + string(d.Log)
	if strings.Contains(raw, "very-secret-key-123") || !strings.Contains(raw, "***") {
		t.Errorf("document not masked: %s", raw)
	}
	if st := d.FailingStep(); st == nil || st.Source != "check-header" {
		t.Errorf("failing step %+v", st)
	}
}

func TestStoreBoundsAndLookups(t *testing.T) {
	s := NewStore(Options{MaxCount: 3})
	defer s.Close()
	now := time.Now()
	for i := 0; i < 5; i++ {
		s.Add(pending(fmt.Sprintf("id-%d-x", i), now.Add(time.Duration(i)*time.Second), "secret-value-xyz"))
	}
	s.Flush()
	st := s.Stats()
	if st.Count != 3 || st.Evicted != 2 || st.Captured != 5 {
		t.Fatalf("stats %+v", st)
	}
	if _, err := s.Capture("id-0-x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the oldest capture is still there (%v)", err)
	}
	var amb *AmbiguousError
	if _, err := s.Capture("id-"); !errors.As(err, &amb) || len(amb.Candidates) != 3 {
		t.Errorf("prefix id-: %v", err)
	}
	docs, _ := s.Captures(now.Add(3*time.Second), 0)
	if len(docs) != 2 || docs[0].ID != "id-4-x" {
		t.Errorf("captures since +3s: %d, first %v", len(docs), docs)
	}
}

func TestStoreByteBudgetAndDrops(t *testing.T) {
	s := NewStore(Options{MaxBytes: 2000, Queue: 1})
	defer s.Close()
	for i := 0; i < 200; i++ {
		s.Add(pending(fmt.Sprintf("b-%d", i), time.Now(), "secret-value-xyz"))
	}
	s.Flush()
	st := s.Stats()
	if st.Bytes > 2000+1000 || st.Captured+st.Dropped != 200 {
		t.Errorf("stats %+v: the byte budget or the drop count is off", st)
	}
}

// countingPersister counts the documents persisted, by API.
type countingPersister struct {
	mu    sync.Mutex
	byAPI map[string]int
}

func (c *countingPersister) PersistCapture(id string, t time.Time, status int, api, operation string, doc []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byAPI[api]++
}

func TestStorePersistsAFloodSparingly(t *testing.T) {
	p := &countingPersister{byAPI: map[string]int{}}
	s := NewStore(Options{Persist: p, PersistPerSecond: 5})
	defer s.Close()
	for i := range 200 {
		d := pending(fmt.Sprintf("flood-%d", i), time.Now(), "secret-value-xyz")
		d.Doc.Match.API = "orders"
		s.Add(d)
	}
	other := pending("other-1", time.Now(), "secret-value-xyz")
	other.Doc.Match.API = "payments"
	s.Add(other)
	s.Flush()
	// 200 documents of one kind within a second or two: 5 a second.
	if n := p.byAPI["orders"]; n < 5 || n > 15 {
		t.Errorf("persisted %d of 200 identical failures, want 5 per second", n)
	}
	if n := p.byAPI["payments"]; n != 1 {
		t.Errorf("persisted %d of 1 other failure, want it", n)
	}
	st := s.Stats()
	if int(st.Unpersisted) != 200-p.byAPI["orders"] || st.Captured != 201 {
		t.Errorf("stats %+v: want every document captured in memory and the rest counted as unpersisted", st)
	}
	if _, err := s.Capture("flood-199"); err != nil {
		t.Errorf("the last document of the flood is not in memory: %v", err)
	}
}

func TestAdmitLimitsAFloodOfOneKind(t *testing.T) {
	s := NewStore(Options{PerSecond: 3})
	defer s.Close()
	now := time.Unix(1_700_000_000, 0)
	admitted := 0
	for range 10 {
		if s.Admit(401, "orders", "get", now) {
			admitted++
		}
	}
	if admitted != 3 {
		t.Errorf("admitted %d of 10 identical failures in one second, want 3", admitted)
	}
	if !s.Admit(401, "orders", "list", now) || !s.Admit(500, "orders", "get", now) {
		t.Error("another kind of failure was refused")
	}
	if !s.Admit(401, "orders", "get", now.Add(time.Second)) {
		t.Error("the next second refused the kind")
	}
	if got := s.Stats().Skipped; got != 7 {
		t.Errorf("skipped %d, want 7", got)
	}
}
