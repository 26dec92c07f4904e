package logstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// JournalName is the file in the state directory that holds log lines
// written while the gateway was too busy to store them.
const JournalName = "logs.journal"

// A journal is the backlog's overflow on disk: log lines, one per line,
// appended while requests keep the cores busy and read back, oldest first,
// when the writer has time to store them. Appending a line costs a copy and
// a share of one large write, where storing it costs tens of microseconds:
// a gateway saturated for minutes defers its rows instead of slowing down
// or losing them.
//
// The file is consumed from a read offset, which the writer commits in the
// same transaction as the rows it read (the tollgate_journal table): after a
// crash, the rows stored are not stored twice and the rest are stored after
// the restart. Once everything is read the file is truncated.
type journal struct {
	f     *os.File
	path  string
	max   int64 // the most bytes it holds
	size  int64 // bytes written
	read  int64 // bytes consumed: every line before it is stored
	lines int   // lines written and not consumed

	wbuf []byte
	rbuf []byte // the last chunk read, which next's lines point into
}

// errJournalFull reports lines that did not fit the journal's bound.
var errJournalFull = errors.New("the journal is full")

// openJournal opens (creating it when needed) the journal at path, whose
// first read bytes are already stored.
func openJournal(path string, max, read int64) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	j := &journal{f: f, path: path, max: max, size: fi.Size(), read: read}
	if j.read > j.size || j.read < 0 {
		// The file was truncated after its offset was committed: nothing
		// in it is stored.
		j.read = 0
	}
	// A crash may have cut the last line short: it is left out.
	if j.size > j.read {
		if err := j.trimPartial(); err != nil {
			f.Close()
			return nil, err
		}
		if j.lines, err = j.countLines(); err != nil {
			f.Close()
			return nil, err
		}
	}
	return j, nil
}

// trimPartial truncates the file after its last newline.
func (j *journal) trimPartial() error {
	var b [1]byte
	if _, err := j.f.ReadAt(b[:], j.size-1); err != nil {
		return err
	}
	if b[0] == '\n' {
		return nil
	}
	end := j.size - 1
	buf := make([]byte, 64<<10)
	for end > j.read {
		from := max(j.read, end-int64(len(buf)))
		chunk := buf[:end-from]
		if _, err := j.f.ReadAt(chunk, from); err != nil && err != io.EOF {
			return err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return j.truncate(from + int64(i) + 1)
		}
		end = from
	}
	return j.truncate(j.read)
}

// countLines counts the lines not consumed.
func (j *journal) countLines() (int, error) {
	n := 0
	buf := make([]byte, 1<<20)
	for at := j.read; at < j.size; {
		chunk := buf[:min(int64(len(buf)), j.size-at)]
		if _, err := j.f.ReadAt(chunk, at); err != nil && err != io.EOF {
			return 0, err
		}
		n += bytes.Count(chunk, []byte{'\n'})
		at += int64(len(chunk))
	}
	return n, nil
}

func (j *journal) truncate(size int64) error {
	if err := j.f.Truncate(size); err != nil {
		return err
	}
	j.size = size
	return nil
}

// pending returns the bytes of lines written and not yet stored.
func (j *journal) pending() int64 { return j.size - j.read }

// append writes lines at the end of the journal and returns how many it
// wrote: all of them, or those that fit its bound (errJournalFull), or none
// when writing failed.
func (j *journal) append(lines [][]byte) (int, error) {
	j.wbuf = j.wbuf[:0]
	n := 0
	for _, l := range lines {
		if j.size+int64(len(j.wbuf)+len(l)+1) > j.max {
			break
		}
		j.wbuf = append(j.wbuf, l...)
		j.wbuf = append(j.wbuf, '\n')
		n++
	}
	if len(j.wbuf) > 0 {
		if _, err := j.f.WriteAt(j.wbuf, j.size); err != nil {
			// Whatever part was written is cut off again.
			j.f.Truncate(j.size)
			return 0, fmt.Errorf("writing %s: %w", j.path, err)
		}
		j.size += int64(len(j.wbuf))
		j.lines += n
	}
	if cap(j.wbuf) > 8<<20 {
		j.wbuf = nil
	}
	if n < len(lines) {
		return n, errJournalFull
	}
	return n, nil
}

// journalChunk is the most bytes next reads at a time (more when one line
// is longer).
const journalChunk = 1 << 20

// next returns up to n of the oldest lines not yet consumed, appended to
// out, and the offset just after them. The lines are valid until the next
// call.
func (j *journal) next(out [][]byte, n int) ([][]byte, int64, error) {
	// About the n lines' bytes, by the journal's average line: a writer
	// storing a few rows while the cores are busy must not copy a whole
	// chunk each time (a 1 MiB read showed as 0.3 ms in a trace).
	want := int64(journalChunk)
	if j.lines > 0 {
		want = min(want, max(4<<10, j.pending()/int64(j.lines)*int64(n)*5/4))
	}
	for {
		size := min(want, j.pending())
		if size == 0 {
			return out, j.read, nil
		}
		if int64(cap(j.rbuf)) < size {
			j.rbuf = make([]byte, size)
		}
		buf := j.rbuf[:size]
		if _, err := j.f.ReadAt(buf, j.read); err != nil && err != io.EOF {
			return out, j.read, fmt.Errorf("reading %s: %w", j.path, err)
		}
		end := j.read
		for len(buf) > 0 && n > 0 {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				break
			}
			if i > 0 {
				out = append(out, buf[:i])
				n--
			}
			buf = buf[i+1:]
			end += int64(i) + 1
		}
		if end > j.read {
			return out, end, nil
		}
		if size == j.pending() {
			// No newline up to the end: not a line tollgate wrote.
			return out, j.size, nil
		}
		want *= 2 // one line longer than the chunk
	}
}

// consumed records that the lines lines before offset are stored. Once
// all are, it empties the file and reports it: the offset committed must
// then be set back to zero before anything is appended.
func (j *journal) consumed(offset int64, lines int) (emptied bool, err error) {
	j.read = offset
	j.lines = max(0, j.lines-lines)
	if j.read < j.size {
		return false, nil
	}
	j.read, j.lines = 0, 0
	if cap(j.rbuf) > 4*journalChunk {
		j.rbuf = nil
	}
	return true, j.truncate(0)
}

func (j *journal) close() error { return j.f.Close() }
