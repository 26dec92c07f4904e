package logstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pausedStore opens an in-memory store whose writer stops after taking the
// first item, until release is called.
func pausedStore(t *testing.T, opts Options) (s *Store, release func()) {
	t.Helper()
	gate := make(chan struct{})
	var once sync.Once
	testBeforeBatch = func() { once.Do(func() { <-gate }) }
	defer func() { testBeforeBatch = nil }()
	s, err := Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	var rel sync.Once
	release = func() { rel.Do(func() { close(gate) }) }
	t.Cleanup(func() { release(); s.Close() })
	return s, release
}

func count(t testing.TB, s *Store, query string) int64 {
	t.Helper()
	res, err := s.Query(context.Background(), query, 0)
	if err != nil {
		t.Fatal(err)
	}
	return res.Tables[0].Rows[0][0].(int64)
}

func TestBatching(t *testing.T) {
	s, release := pausedStore(t, Options{BatchSize: 32, Now: func() time.Time { return testNow }})
	for i := range 100 {
		s.Write(Line{Ago: time.Duration(i) * time.Second, ResponseCode: 200}.JSON())
	}
	time.Sleep(10 * time.Millisecond)
	release()
	s.Flush()
	if got := s.Stored(); got != 100 {
		t.Fatalf("stored %d rows, want 100", got)
	}
	// The writer held the first line while the 99 others queued: batches
	// of 32, 32, 32 and 4.
	if got := s.batches.Load(); got != 4 {
		t.Errorf("%d transactions, want 4", got)
	}
	if n := count(t, s, "ApiManagementGatewayLogs | count"); n != 100 {
		t.Errorf("count = %d", n)
	}
}

func TestDropsWhenQueueFull(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	s, release := pausedStore(t, Options{QueueSize: 10, WarnInterval: time.Hour, Logger: logger, Now: func() time.Time { return testNow }})
	s.Write(Line{ResponseCode: 200}.JSON()) // taken by the paused writer
	time.Sleep(10 * time.Millisecond)
	start := time.Now()
	for range 30 {
		s.Write(Line{ResponseCode: 500}.JSON())
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Write blocked for %v", d)
	}
	if got := s.Dropped(); got != 20 {
		t.Errorf("dropped %d, want 20 (10 fit the queue)", got)
	}
	if n := strings.Count(logs.String(), "log store dropped a line"); n != 1 {
		t.Errorf("%d warnings, want 1 per interval:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "dropped_total=1") {
		t.Errorf("the warning does not count: %s", logs.String())
	}
	release()
	s.Flush()
	if got := s.Stored(); got != 11 {
		t.Errorf("stored %d, want 11", got)
	}
}

func TestMalformedAndClosed(t *testing.T) {
	var logs bytes.Buffer
	s, err := Open("", Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	s.Write([]byte("not json\n"))
	s.Write([]byte(`{"ApiId":"no time"}`))
	s.Write([]byte(`{"TimeGenerated":"2025-06-01T11:00:00Z","ResponseCode":"oops"}`))
	s.Write(Line{ResponseCode: 200}.JSON())
	// Two lines in one write are both stored.
	s.Write(append(Line{ResponseCode: 201}.JSON(), Line{ResponseCode: 202}.JSON()...))
	s.Flush()
	if s.Stored() != 3 || s.Dropped() != 3 {
		t.Errorf("stored %d dropped %d, want 3 and 3", s.Stored(), s.Dropped())
	}
	if !strings.Contains(logs.String(), "malformed log line") {
		t.Errorf("no warning: %s", logs.String())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Write(Line{}.JSON()); err != nil || n == 0 {
		t.Errorf("Write after Close = %d, %v", n, err)
	}
	s.PutCapture(Capture{ID: "x"})
	s.Flush()
	if s.Dropped() != 5 {
		t.Errorf("dropped %d after Close, want 5", s.Dropped())
	}
}

func TestMissingColumnsAreEmpty(t *testing.T) {
	s, err := Open("", Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Today's gateway line lacks OperationName, UserId, Region ...; a
	// future one may carry names the table does not know.
	s.Write([]byte(`{"TimeGenerated":"2025-06-01T11:59:00.0000000Z","ApiId":"a","ResponseCode":200,"TotalTime":5,"IsRequestSuccess":true,"SomethingNew":1,"TollgateNotes":["cors"]}`))
	s.Flush()
	res, err := s.Query(context.Background(), "ApiManagementGatewayLogs | project OperationName, UserId, BackendResponseCode, IsTraceRequested, Errors, TollgateNotes", 0)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(res.Tables[0].Rows)
	if want := `[[  <nil> <nil> <nil> ["cors"]]]`; got != want {
		t.Errorf("row %s, want %s", got, want)
	}
}

func TestRetentionByAge(t *testing.T) {
	now := testNow
	s, err := Open("", Options{Retention: 24 * time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, l := range fixture {
		s.Write(l.JSON())
	}
	s.Flush()
	if err := s.Maintain(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "ApiManagementGatewayLogs | count"); n != int64(len(fixture)-1) {
		t.Errorf("%d rows after retention, want %d (one is two days old)", n, len(fixture)-1)
	}
	now = now.Add(12 * time.Hour) // 23h-old rows are now 35h old
	if err := s.Maintain(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "ApiManagementGatewayLogs | where TimeGenerated < ago(24h) | count"); n != 0 {
		t.Errorf("%d rows older than the retention remain", n)
	}
}

// openSized opens a store bounded to maxSize bytes, and returns it with a
// function that writes n failed lines of about 400 bytes, the i-th of them
// written i seconds before the newest.
func openSized(t *testing.T, maxSize int64) (*Store, func(from, n int)) {
	t.Helper()
	s, err := Open(t.TempDir(), Options{MaxSize: maxSize, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	msg := strings.Repeat("x", 400)
	return s, func(from, n int) {
		for i := from; i < from+n; i++ {
			s.Write(Line{Ago: time.Duration(100000-i) * time.Second, ResponseCode: 500, LastErrorMessage: msg}.JSON())
		}
		s.Flush()
	}
}

func TestRetentionBySize(t *testing.T) {
	const maxSize = 512 << 10
	s, write := openSized(t, maxSize)
	write(95000, 5000)
	before, _ := s.Size()
	if before <= maxSize {
		t.Fatalf("the test wrote only %d bytes", before)
	}
	if err := s.Maintain(); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Size()
	if after > maxSize {
		t.Errorf("size %d after retention, above %d", after, maxSize)
	}
	left := count(t, s, "ApiManagementGatewayLogs | count")
	if left == 0 || left >= 5000 {
		t.Fatalf("%d rows left", left)
	}
	// The newest rows stay.
	if n := count(t, s, "ApiManagementGatewayLogs | where TimeGenerated >= ago(10s) | count"); n != 10 {
		t.Errorf("%d of the 10 newest rows left", n)
	}
	oldest := count(t, s, "ApiManagementGatewayLogs | summarize tolong((now() - min(TimeGenerated)) / 1s)")
	if oldest != left {
		t.Errorf("the oldest row is %ds old with %d rows left: not the oldest were deleted", oldest, left)
	}
	t.Logf("%d bytes, %d rows -> %d bytes, %d rows", before, 5000, after, left)
}

// While the cores are busy, size retention waits until the database is a
// quarter past its bound, and then deletes only down to the bound; on free
// cores it goes down to 90%.
func TestRetentionBySizeWhileBusy(t *testing.T) {
	const maxSize = 512 << 10
	s, write := openSized(t, maxSize)
	used := func() int64 {
		t.Helper()
		n, err := s.usedBytes(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Past the bound, within the slack: nothing is deleted while busy.
	n := 0
	for used() <= maxSize {
		write(n, 100)
		n += 100
	}
	if u := used(); u > maxSize+maxSize/busySizeSlack {
		t.Fatalf("wrote past the slack at once: %d bytes", u)
	}
	rows := count(t, s, "ApiManagementGatewayLogs | count")
	if err := s.maintain(true); err != nil {
		t.Fatal(err)
	}
	if got := count(t, s, "ApiManagementGatewayLogs | count"); got != rows {
		t.Errorf("busy retention within the slack deleted %d rows", rows-got)
	}
	// Past the slack: deleted down to the bound, not to 90%.
	for used() <= maxSize+maxSize/busySizeSlack {
		write(n, 100)
		n += 100
	}
	if err := s.maintain(true); err != nil {
		t.Fatal(err)
	}
	if u := used(); u > maxSize || u < maxSize/10*9 {
		t.Errorf("busy retention past the slack left %d bytes, want between 90%% and 100%% of %d", u, maxSize)
	}
	// On free cores: down to 90%.
	if err := s.maintain(false); err != nil {
		t.Fatal(err)
	}
	if u := used(); u > maxSize {
		t.Errorf("retention on free cores left %d bytes, above %d", u, maxSize)
	}
}

func TestReopenFile(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range fixture {
		s.Write(l.JSON())
	}
	s.PutCapture(Capture{ID: "c1", Time: testNow, Status: 500, Doc: []byte(`{}`)})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(dir, Options{ReadOnly: true, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n := count(t, ro, "ApiManagementGatewayLogs | count"); n != int64(len(fixture)) {
		t.Errorf("%d rows after reopening", n)
	}
	if _, err := ro.GetCapture("c1"); err != nil {
		t.Error(err)
	}
	if _, err := Open(t.TempDir(), Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "no log store") {
		t.Errorf("read-only open of an empty directory: %v", err)
	}
}

func TestCaptures(t *testing.T) {
	s, err := Open("", Options{CaptureMax: 3, CaptureMaxBytes: 100, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := []string{"abc123", "abd456", "abc789", "ffe001", "ffe002"}
	for i, id := range ids {
		s.PutCapture(Capture{ID: id, Time: testNow.Add(time.Duration(i) * time.Second), Status: 500 + i, APIID: "orders", OperationID: "get", Doc: []byte(`{"n":` + fmt.Sprint(i) + `}`)})
	}
	s.Flush()
	list, err := s.ListCaptures(time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range list {
		got = append(got, c.ID)
	}
	if strings.Join(got, ",") != "ffe002,ffe001,abc789" || s.Evicted() != 2 {
		t.Errorf("kept %v (evicted %d), want the newest three", got, s.Evicted())
	}
	if list[0].Status != 504 || string(list[0].Doc) != `{"n":4}` || list[0].APIID != "orders" || !list[0].Time.Equal(testNow.Add(4*time.Second)) {
		t.Errorf("capture %+v", list[0])
	}
	if l, _ := s.ListCaptures(testNow.Add(4*time.Second), 0); len(l) != 1 {
		t.Errorf("since: %d captures", len(l))
	}
	if l, _ := s.ListCaptures(time.Time{}, 2); len(l) != 2 {
		t.Errorf("limit: %d captures", len(l))
	}

	// Lookup by id and prefix.
	if c, err := s.GetCapture("abc789"); err != nil || c.ID != "abc789" {
		t.Errorf("exact: %v %v", c.ID, err)
	}
	if c, err := s.GetCapture("abc"); err != nil || c.ID != "abc789" {
		t.Errorf("unique prefix: %v %v", c.ID, err)
	}
	var amb *AmbiguousError
	if _, err := s.GetCapture("ffe"); !errors.As(err, &amb) || strings.Join(amb.Candidates, ",") != "ffe002,ffe001" {
		t.Errorf("ambiguous prefix: %v", err)
	}
	if _, err := s.GetCapture("abd"); !errors.Is(err, ErrNotFound) {
		t.Errorf("evicted capture: %v", err)
	}
	if _, err := s.GetCapture(""); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty id: %v", err)
	}

	// Bytes bound: 100 bytes hold two 40-byte documents.
	for i := range 3 {
		s.PutCapture(Capture{ID: fmt.Sprint("big", i), Time: testNow.Add(time.Minute + time.Duration(i)*time.Second), Doc: bytes.Repeat([]byte("x"), 40)})
	}
	s.PutCapture(Capture{ID: "huge", Time: testNow.Add(time.Hour), Doc: bytes.Repeat([]byte("x"), 101)})
	s.Flush()
	list, _ = s.ListCaptures(time.Time{}, 0)
	got = got[:0]
	for _, c := range list {
		got = append(got, c.ID)
	}
	if strings.Join(got, ",") != "big2,big1" {
		t.Errorf("kept %v, want big2,big1", got)
	}
	if s.Dropped() != 1 {
		t.Errorf("the oversized capture was not counted as dropped: %d", s.Dropped())
	}
}

func TestBacklogBound(t *testing.T) {
	line := Line{ResponseCode: 200}.JSON()
	line = append(line, '\n')
	// Room for ten lines; the paused writer holds the first.
	s, release := pausedStore(t, Options{MaxBacklog: int64(10 * len(line)), WarnInterval: time.Hour, Now: func() time.Time { return testNow }})
	for range 25 {
		s.Write(line)
	}
	if got := s.Dropped(); got != 15 {
		t.Errorf("dropped %d lines, want 15 (10 fit the backlog)", got)
	}
	release()
	s.Flush()
	if got := s.Stored(); got != 10 {
		t.Errorf("stored %d rows, want 10", got)
	}
	// Stored lines give their room back.
	for range 10 {
		s.Write(line)
	}
	s.Flush()
	if got, d := s.Stored(), s.Dropped(); got != 20 || d != 15 {
		t.Errorf("after the backlog emptied: stored %d, dropped %d; want 20 and 15", got, d)
	}
}

// TestWriterYieldsToBusyCores writes lines while goroutines queue for the
// one core: the writer must store only a share of them then, and all of them
// once the cores are free again, without a flush.
func TestWriterYieldsToBusyCores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s, err := Open(t.TempDir(), Options{CommitDelay: 50 * time.Millisecond, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	line := append(Line{ResponseCode: 200}.JSON(), '\n')
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written atomic.Int64
	for range 16 {
		wg.Add(1)
		go func() { // a request: some work, a line, a short wait
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for range 20000 {
				}
				s.Write(line)
				written.Add(1)
				time.Sleep(20 * time.Microsecond)
			}
		}()
	}
	time.Sleep(time.Second)
	busyStored, busyWritten, busyCheckpoints := s.Stored(), written.Load(), s.checkpoints.Load()
	close(stop)
	wg.Wait()
	if busyWritten < 1000 {
		t.Fatalf("only %d lines written in a second", busyWritten)
	}
	if float64(busyStored) > 0.8*float64(busyWritten) {
		t.Errorf("stored %d of %d lines while the core was busy: the writer did not yield", busyStored, busyWritten)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Stored() < uint64(written.Load()) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got, want := s.Stored(), uint64(written.Load()); got != want || s.Dropped() != 0 {
		t.Errorf("once the core was free: stored %d of %d lines (dropped %d)", got, want, s.Dropped())
	}
	// The WAL is checkpointed once the core is free, not while it is busy
	// (fewer rows than busyCheckpointRows were stored then).
	if busyCheckpoints != 0 {
		t.Errorf("%d WAL checkpoints while the core was busy, want none", busyCheckpoints)
	}
	for s.checkpoints.Load() == 0 && written.Load() >= idleCheckpointRows && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if written.Load() >= idleCheckpointRows && s.checkpoints.Load() == 0 {
		t.Errorf("no WAL checkpoint after %d rows once the core was free", written.Load())
	}
	t.Logf("busy: stored %d of %d lines; then all %d; %d checkpoints", busyStored, busyWritten, s.Stored(), s.checkpoints.Load())
}

// TestRetentionBySizeBetweenTicks: retention by size runs as the store
// grows, not only at its tick (an hour here), so a store written far past
// its bound in less than a tick stays near it.
func TestRetentionBySizeBetweenTicks(t *testing.T) {
	const maxSize = 512 << 10
	for _, dir := range []string{t.TempDir(), ""} { // on disk, and in memory (--data none)
		s, err := Open(dir, Options{MaxSize: maxSize, MaintenanceInterval: time.Hour, Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		msg := strings.Repeat("x", 400)
		for i := range 20000 { // about 10 MB of lines, 20 times the bound
			s.Write(Line{Ago: time.Duration(100000-i) * time.Second, ResponseCode: 500, LastErrorMessage: msg}.JSON())
			if i%1000 == 999 {
				s.Flush()
			}
		}
		s.Flush()
		size, err := s.Size()
		if err != nil {
			t.Fatal(err)
		}
		// Retention runs after every sixteenth of the bound stored, and may
		// leave the database a quarter past it while the cores are busy.
		t.Logf("store in %q: %d bytes", dir, size)
		if size > maxSize*3/2 {
			t.Errorf("store in %q: %d bytes after 20,000 lines, bound %d", dir, size, maxSize)
		}
		if s.Stored() != 20000 || s.Dropped() != 0 {
			t.Errorf("store in %q: stored %d, dropped %d", dir, s.Stored(), s.Dropped())
		}
		s.Close()
	}
}
