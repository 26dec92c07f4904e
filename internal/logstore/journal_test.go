package logstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"
)

func lines(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// mustOpenJournal opens the journal at path, or ends the test.
func mustOpenJournal(t testing.TB, path string, max, read int64) *journal {
	t.Helper()
	j, err := openJournal(path, max, read)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func readAll(t *testing.T, j *journal, n int) []string {
	t.Helper()
	got, end, lost, err := j.next(nil, n)
	if err != nil {
		t.Fatal(err)
	}
	if lost != 0 {
		t.Errorf("%d lines lost", lost)
	}
	var out []string
	for _, l := range got {
		out = append(out, string(l))
	}
	if _, err := j.consumed(end, len(got)); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestJournalAppendNextConsume(t *testing.T) {
	path := filepath.Join(t.TempDir(), JournalName)
	j := mustOpenJournal(t, path, 1<<20, 0)
	defer j.close()
	if n, err := j.append(lines("a", "bb", "ccc")); n != 3 || err != nil {
		t.Fatalf("append: %d, %v", n, err)
	}
	frame := j.pending()
	if frame != frameHeaderSize+int64(len(s2.Encode(nil, []byte("a\nbb\nccc\n")))) || j.lines != 3 {
		t.Fatalf("pending %d bytes, %d lines; want one frame of the three", frame, j.lines)
	}
	if got := readAll(t, j, 2); strings.Join(got, ",") != "a,bb" {
		t.Errorf("first two lines: %q", got)
	}
	if j.lines != 1 || j.pending() != frame {
		t.Errorf("after two: %d lines, %d bytes pending; want 1 line of the frame", j.lines, j.pending())
	}
	if got := readAll(t, j, 10); strings.Join(got, ",") != "ccc" {
		t.Errorf("the rest: %q", got)
	}
	// Everything read: the file is emptied and starts again.
	if fi, _ := os.Stat(path); fi.Size() != 0 || j.read != 0 {
		t.Errorf("consumed journal: size %d, read %d; want both 0", fi.Size(), j.read)
	}
}

// TestJournalReadsWhatItIsAskedFor takes a few lines from a journal of
// many: next reads about their bytes, not a whole chunk.
func TestJournalReadsWhatItIsAskedFor(t *testing.T) {
	j := mustOpenJournal(t, filepath.Join(t.TempDir(), JournalName), 64<<20, 0)
	defer j.close()
	var many [][]byte
	for i := range 20000 {
		many = append(many, []byte(fmt.Sprintf("%05d%s", i, strings.Repeat("x", 95))))
	}
	if _, err := j.append(many); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"00000,00001,00002", "00003,00004,00005"} {
		var got []string
		for _, l := range readAll(t, j, 3) {
			got = append(got, string(l[:5]))
		}
		if strings.Join(got, ",") != want {
			t.Errorf("three lines: %q, want %s", got, want)
		}
	}
	if r, d := cap(j.rbuf), cap(j.dbuf); r > 16<<10 || d > maxFrameBytes {
		t.Errorf("three lines of 100 bytes read %d bytes and decoded %d, want one frame", r, d)
	}
	// A line longer than the estimate is still read whole.
	j.append([][]byte{[]byte(strings.Repeat("y", 100<<10))})
	var rest []string
	for j.pending() > 0 {
		rest = append(rest, readAll(t, j, 20000)...)
	}
	if len(rest) != 20000-6+1 || len(rest[len(rest)-1]) != 100<<10 {
		t.Errorf("the rest: %d lines", len(rest))
	}
}

func TestJournalBound(t *testing.T) {
	// The bound is what a journal of the first two lines takes.
	dir := t.TempDir()
	two := mustOpenJournal(t, filepath.Join(dir, "two"), 1<<20, 0)
	two.append(lines("1234", "5678"))
	two.close()
	j := mustOpenJournal(t, filepath.Join(dir, JournalName), two.size, 0)
	defer j.close()
	n, err := j.append(lines("1234", "5678", "9"))
	if n != 2 || !errors.Is(err, errJournalFull) {
		t.Errorf("append past the bound: wrote %d (%v); want 2 and errJournalFull", n, err)
	}
	if n, err := j.append(lines("9")); n != 0 || !errors.Is(err, errJournalFull) || j.size != two.size {
		t.Errorf("append to a full journal: wrote %d (%v), size %d", n, err, j.size)
	}
	if got := readAll(t, j, 10); strings.Join(got, ",") != "1234,5678" {
		t.Errorf("read back %q", got)
	}
}

func TestJournalLongLine(t *testing.T) {
	j := mustOpenJournal(t, filepath.Join(t.TempDir(), JournalName), 1<<30, 0)
	defer j.close()
	long := strings.Repeat("x", 3*journalChunk)
	j.append(lines("short", long, "after"))
	var got []string
	for j.pending() > 0 {
		got = append(got, readAll(t, j, 10)...)
	}
	if len(got) != 3 || got[1] != long || got[2] != "after" {
		t.Errorf("read %d lines around one of %d bytes", len(got), len(long))
	}
}

// TestJournalReopen opens journals as a crash leaves them: a last line cut
// short, an offset past a truncated file.
func TestJournalReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), JournalName)
	os.WriteFile(path, []byte("one\ntwo\nthree\nfou"), 0o600)
	j := mustOpenJournal(t, path, 1<<20, 4) // "one" was stored
	if j.lines != 2 {
		t.Errorf("%d lines pending, want 2 (the cut line is dropped)", j.lines)
	}
	if got := readAll(t, j, 10); strings.Join(got, ",") != "two,three" {
		t.Errorf("after reopening: %q", got)
	}
	j.close()

	os.WriteFile(path, []byte("new\n"), 0o600)
	j = mustOpenJournal(t, path, 1<<20, 100) // committed before a truncation
	defer j.close()
	if got := readAll(t, j, 10); strings.Join(got, ",") != "new" {
		t.Errorf("offset past the end: read %q, want everything", got)
	}
}

// TestJournalFramesReopen opens a journal of frames as a crash leaves it:
// a last frame cut short, a position inside a frame, a position from before
// a truncation.
func TestJournalFramesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), JournalName)
	j := mustOpenJournal(t, path, 1<<20, 0)
	j.append(lines("one", "two", "three"))
	j.append(lines("four", "five"))
	if got := readAll(t, j, 1); strings.Join(got, ",") != "one" {
		t.Fatalf("first line: %q", got)
	}
	read := position(j.read, j.skip) // as the store commits it
	whole := j.size
	j.append(lines("six", "seven"))
	j.close()
	// The third frame was cut short by a crash.
	os.Truncate(path, whole+5)

	j = mustOpenJournal(t, path, 1<<20, read)
	if j.lines != 4 || j.size != whole {
		t.Errorf("reopened: %d lines pending in %d bytes, want 4 in %d (the cut frame is dropped)", j.lines, j.size, whole)
	}
	if got := readAll(t, j, 10); strings.Join(got, ",") != "two,three,four,five" {
		t.Errorf("after reopening: %q", got)
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Errorf("read to the end: %d bytes left", fi.Size())
	}
	// Everything stored, and a crash before the truncation.
	j.append(lines("eight", "nine"))
	j.close()
	full, _ := os.ReadFile(path)
	j = mustOpenJournal(t, path, 1<<20, position(int64(len(full)), 0))
	if j.lines != 0 || j.pending() != 0 {
		t.Errorf("reopened after everything was stored: %d lines, %d bytes pending", j.lines, j.pending())
	}
	// Lines appended after the truncation, with a position from before it
	// past their end.
	j.append(lines("new"))
	j.close()
	j = mustOpenJournal(t, path, 1<<20, position(whole+100, 0))
	defer j.close()
	if got := readAll(t, j, 10); strings.Join(got, ",") != "new" {
		t.Errorf("a position past the frames: read %q, want everything", got)
	}
}

// TestJournalPlainThenFrames reads a journal of plain lines, as an earlier
// tollgate wrote it, appends to it, and writes frames once it is emptied.
func TestJournalPlainThenFrames(t *testing.T) {
	path := filepath.Join(t.TempDir(), JournalName)
	os.WriteFile(path, []byte("one\ntwo\n"), 0o600)
	j := mustOpenJournal(t, path, 1<<20, 0)
	defer j.close()
	j.append(lines("three"))
	if b, _ := os.ReadFile(path); string(b) != "one\ntwo\nthree\n" {
		t.Errorf("appended to plain lines: %q", b)
	}
	if got := readAll(t, j, 10); strings.Join(got, ",") != "one,two,three" {
		t.Errorf("plain lines: %q", got)
	}
	j.append(lines("four"))
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), journalMagic) {
		t.Errorf("emptied, the journal holds %q, want frames", b)
	}
	if got := readAll(t, j, 10); strings.Join(got, ",") != "four" {
		t.Errorf("frames: %q", got)
	}
}

// TestJournalSkipsALostFrame damages a frame in the middle: its lines are
// counted as lost and the next frame is read.
func TestJournalSkipsALostFrame(t *testing.T) {
	path := filepath.Join(t.TempDir(), JournalName)
	j := mustOpenJournal(t, path, 1<<20, 0)
	defer j.close()
	j.append(lines("one"))
	second := j.size
	j.append(lines("two", "three"))
	j.append(lines("four"))
	f, _ := os.OpenFile(path, os.O_WRONLY, 0)
	f.WriteAt([]byte{0xff, 0xff}, second+frameHeaderSize+1) // zeros or garbage, as a lost block reads
	f.Close()
	got, end, lost, err := j.next(nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, l := range got {
		s = append(s, string(l))
	}
	if strings.Join(s, ",") != "one,four" || lost != 2 {
		t.Errorf("read %q with %d lost, want one,four and 2", s, lost)
	}
	if emptied, err := j.consumed(end, len(got)+lost); !emptied || err != nil || j.lines != 0 {
		t.Errorf("consumed: emptied %v (%v), %d lines left", emptied, err, j.lines)
	}
}

// gatewayLines returns n log lines that differ as a gateway's do: times,
// URLs, codes, latencies, callers.
func gatewayLines(n int) []string {
	var all []string
	for i := range n {
		l := Line{Ago: time.Duration(i) * time.Millisecond, ApiId: "orders", OperationName: "GetOrder", Method: "GET",
			Url: fmt.Sprintf("https://api.example.com/orders/%d", i*7919), ResponseCode: 200 + i%5,
			TotalTime: int64(i * 37 % 500), BackendTime: int64(i * 13 % 400), CallerIpAddress: fmt.Sprintf("10.%d.%d.%d", i%7, i%251, i%13)}.JSON()
		all = append(all, string(l[:len(l)-1])) // lines reach the journal without their newline
	}
	return all
}

// BenchmarkJournalAppend appends log lines as the writer spills them, 256
// at a time: the cost of keeping a line for later.
func BenchmarkJournalAppend(b *testing.B) {
	all := lines(gatewayLines(4096)...)
	size := 0
	for _, l := range all {
		size += len(l) + 1
	}
	j := mustOpenJournal(b, filepath.Join(b.TempDir(), JournalName), 1<<40, 0)
	defer j.close()
	b.SetBytes(int64(size) / int64(len(all)))
	var in, out int64
	for i := 0; i < b.N; i += 256 {
		from := i % len(all)
		piece := all[from:min(len(all), from+256, from+b.N-i)]
		before := j.size
		j.append(piece)
		out += j.size - before
		for _, l := range piece {
			in += int64(len(l)) + 1
		}
		if j.size > 256<<20 {
			j.truncate(0)
		}
	}
	b.ReportMetric(float64(in)/float64(out), "ratio")
}

// TestJournalCompresses writes log lines as a gateway does: the journal
// holds them in a fraction of their bytes, and a few lines at a time read
// them back in order, across frames.
func TestJournalCompresses(t *testing.T) {
	j := mustOpenJournal(t, filepath.Join(t.TempDir(), JournalName), 64<<20, 0)
	defer j.close()
	all := gatewayLines(2000)
	size := 0
	for _, l := range all {
		size += len(l) + 1
	}
	for i := 0; i < len(all); i += 256 {
		j.append(lines(all[i:min(len(all), i+256)]...))
	}
	if ratio := float64(size) / float64(j.pending()); ratio < 4 {
		t.Errorf("%d bytes of lines take %d in the journal (%.1f×), want at least 4× less", size, j.pending(), ratio)
	}
	var got []string
	for j.pending() > 0 {
		got = append(got, readAll(t, j, 37)...)
	}
	if !slices.Equal(got, all) {
		t.Errorf("read back %d lines, want the %d written, in order", len(got), len(all))
	}
}

// TestStoreStoresTheJournalAtOpen leaves lines in a store's journal, as a
// gateway stopped while busy does, and opens the store again: they are
// stored, once, and the journal is emptied.
func TestStoreStoresTheJournalAtOpen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	var b strings.Builder
	for i := range 100 {
		fmt.Fprintf(&b, "%s\n", Line{Ago: time.Duration(i) * time.Second, ResponseCode: 200 + i}.JSON())
	}
	b.WriteString(`{"TimeGenerated":"2026-`) // cut short by a crash
	os.WriteFile(filepath.Join(dir, JournalName), []byte(b.String()), 0o600)

	// Read only, the store says what it cannot show.
	ro, err := Open(dir, Options{ReadOnly: true, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ro.Query(context.Background(), "ApiManagementGatewayLogs | count", 0)
	ro.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || !strings.Contains(res.Error.Message, JournalName) {
		t.Errorf("a read-only query with lines in the journal: %+v, want a PartialError naming %s", res.Error, JournalName)
	}

	s, err = Open(dir, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Backlog(); got == 0 {
		t.Error("the journal is not counted in the backlog")
	}
	s.Flush()
	if n := count(t, s, "ApiManagementGatewayLogs | count"); n != 100 {
		t.Errorf("%d rows from the journal, want 100", n)
	}
	if fi, _ := os.Stat(filepath.Join(dir, JournalName)); fi.Size() != 0 || s.Backlog() != 0 {
		t.Errorf("after storing: journal of %d bytes, backlog %d", fi.Size(), s.Backlog())
	}
	s.Close()
	s, err = Open(dir, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := count(t, s, "ApiManagementGatewayLogs | count"); n != 100 {
		t.Errorf("after another restart: %d rows, want the same 100", n)
	}
}

// TestBusyGatewayJournalsItsLines writes lines while goroutines queue for
// the one core, with a small spill mark: the backlog moves to the journal
// instead of growing in memory, and everything is stored once the core is
// free.
func TestBusyGatewayJournalsItsLines(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	dir := t.TempDir()
	s, err := Open(dir, Options{CommitDelay: 20 * time.Millisecond, SpillAt: 64 << 10, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	line := append(Line{ResponseCode: 200}.JSON(), '\n')
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written atomic.Int64
	var journaled atomic.Int64 // the most the journal held
	var inMemory atomic.Int64  // the most the backlog in memory held
	for range 16 {
		wg.Add(1)
		go func() {
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
				if j := s.journalBytes.Load(); j > journaled.Load() {
					journaled.Store(j)
				}
				if m := s.backlogBytes.Load(); m > inMemory.Load() {
					inMemory.Store(m)
				}
				time.Sleep(20 * time.Microsecond)
			}
		}()
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	// Nearly everything written while the core was busy moved to the
	// journal rather than growing the backlog in memory.
	// (The journal compresses: its bytes are not the lines'.)
	if writtenBytes := written.Load() * int64(len(line)); journaled.Load() == 0 || inMemory.Load() > writtenBytes/4 {
		t.Errorf("of %d bytes written on a busy core, the backlog in memory held up to %d, the journal up to %d", writtenBytes, inMemory.Load(), journaled.Load())
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Stored() < uint64(written.Load()) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got, want := s.Stored(), uint64(written.Load()); got != want || s.Dropped() != 0 {
		t.Errorf("once the core was free: stored %d of %d lines (dropped %d)", got, want, s.Dropped())
	}
	if n := count(t, s, "ApiManagementGatewayLogs | count"); n != written.Load() {
		t.Errorf("%d rows, want %d", n, written.Load())
	}
	t.Logf("%d lines; the journal held up to %d bytes", written.Load(), journaled.Load())
}

// TestCaptureReadsDoNotWaitForTheJournal reads a capture while a journal of
// log lines waits: the capture is there, and the lines still wait.
func TestCaptureReadsDoNotWaitForTheJournal(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	var b strings.Builder
	for range 1000 {
		fmt.Fprintf(&b, "%s\n", Line{ResponseCode: 200}.JSON())
	}
	os.WriteFile(filepath.Join(dir, JournalName), []byte(b.String()), 0o600)

	// The writer wakes only when asked to: nothing stores the journal
	// but a flush.
	s, err = Open(dir, Options{CommitDelay: time.Hour, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.PutCapture(Capture{ID: "c1", Time: testNow, Status: 401, Doc: []byte(`{}`)})
	if _, err := s.GetCapture("c1"); err != nil {
		t.Fatalf("the capture: %v", err)
	}
	if list, err := s.ListCaptures(time.Time{}, 0); err != nil || len(list) != 1 {
		t.Errorf("ListCaptures: %d captures, %v", len(list), err)
	}
	if got := s.Stored(); got != 0 {
		t.Errorf("reading a capture stored %d log lines of the journal first", got)
	}
	s.Flush()
	if got := s.Stored(); got != 1000 {
		t.Errorf("a flush stored %d of the journal's 1000 lines", got)
	}
}

// TestPooledBuffersKeepEveryLine writes chunks of three lines, each with a
// value of its own, while the core is busy (the lines go to the journal as
// they come) and then while it is idle: Write's buffers are reused, and no
// row may show another line's bytes.
func TestPooledBuffersKeepEveryLine(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s, err := Open(t.TempDir(), Options{CommitDelay: 10 * time.Millisecond, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var next atomic.Int64
	write := func() {
		var chunk []byte
		for range 3 {
			n := next.Add(1)
			chunk = append(chunk, Line{ResponseCode: 200, BackendTime: n, OperationId: fmt.Sprint("op", n)}.JSON()...)
			chunk = append(chunk, '\n')
		}
		s.Write(chunk)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for range 20000 {
				}
				write()
				time.Sleep(20 * time.Microsecond)
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	busy := next.Load()
	for range 300 {
		write()
	}
	s.Flush()
	written := next.Load()
	if s.Dropped() != 0 {
		t.Fatalf("dropped %d lines", s.Dropped())
	}
	// Each row's two values come from the same line, and each line is there
	// once.
	if n := count(t, s, `ApiManagementGatewayLogs | where OperationId != strcat("op", tostring(BackendTime)) | count`); n != 0 {
		t.Errorf("%d rows mix two lines", n)
	}
	if n := count(t, s, "ApiManagementGatewayLogs | distinct BackendTime | count"); n != written {
		t.Errorf("%d distinct lines stored, want %d", n, written)
	}
	t.Logf("%d lines, %d of them from a busy core", written, busy)
}

// TestWriterGivesBuffersBackWhenTheirLinesAreGone follows the buffers of
// Write through lines consumed in pieces that do not match the buffers.
func TestWriterGivesBuffersBackWhenTheirLinesAreGone(t *testing.T) {
	w := &writerState{s: &Store{}}
	bufs := make([]*[]byte, 3)
	for i := range bufs {
		b := []byte(fmt.Sprintf("a%d\nb%d\n", i, i))
		bufs[i] = &b
		n := len(w.lines)
		w.lines = appendLines(w.lines, b)
		w.hold(bufs[i], len(w.lines)-n)
	}
	held := func() []int {
		var n []int
		for _, h := range w.bufs {
			n = append(n, h.lines)
		}
		return n
	}
	w.consume(1) // half of the first
	if got := held(); !slices.Equal(got, []int{1, 2, 2}) {
		t.Fatalf("after 1 line: held %v", got)
	}
	w.consume(2) // the rest of the first, half of the second
	if got := held(); !slices.Equal(got, []int{1, 2}) || w.bufs[0].buf != bufs[1] {
		t.Fatalf("after 3 lines: held %v", got)
	}
	if string(w.lines[0]) != "b1" {
		t.Fatalf("oldest line %q, want b1", w.lines[0])
	}
	w.consume(3)
	if len(w.bufs) != 0 || w.lines != nil {
		t.Fatalf("after every line: %d buffers held, lines %q", len(w.bufs), w.lines)
	}
}

// TestOpenResetsAStalePosition opens a store whose journal was emptied
// before its position was set back to zero: the position is reset, so that
// lines appended later are all stored after a restart.
func TestOpenResetsAStalePosition(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("UPDATE tollgate_journal SET read = ? WHERE id = 0", position(100, 3)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(dir, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var read int64
	if err := s.db.QueryRow("SELECT read FROM tollgate_journal WHERE id = 0").Scan(&read); err != nil || read != 0 {
		t.Errorf("position after opening with an empty journal: %d (%v), want 0", read, err)
	}
}
