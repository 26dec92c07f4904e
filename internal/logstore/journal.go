package logstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"slices"

	"github.com/klauspost/compress/s2"
)

// JournalName is the file in the state directory that holds log lines
// written while the gateway was too busy to store them.
const JournalName = "logs.journal"

// A journal is the backlog's overflow on disk: log lines appended while
// requests keep the cores busy and read back, oldest first, when the writer
// has time to store them. Appending a line costs a copy, a share of one
// compression and of one large write, where storing it costs tens of
// microseconds: a gateway saturated for minutes defers its rows instead of
// slowing down or losing them.
//
// The file starts with journalMagic and holds frames, one per append: a
// header (the compressed length, the number of lines and the CRC-32C of the
// compressed bytes, each a little-endian uint32) and the lines, each ended
// by a newline, compressed as one S2 block. Log lines of one gateway repeat
// their column names and most values, so a frame takes a fifth to a tenth
// of the lines' bytes, and the journal's bound holds five to ten times as
// many lines as it would uncompressed, for about 0.3 µs a line.
//
// A file without the magic is a journal of plain lines, one per line,
// written by an earlier tollgate: it is read and appended to as such until
// it is emptied, and holds frames from then on.
//
// The file is consumed from a read position, which the writer commits in
// the same transaction as the rows it read (the tollgate_journal table):
// after a crash, the rows stored are not stored twice and the rest are
// stored after the restart. In a journal of frames the position is the
// offset of the frame holding the next line, shifted left by 16 bits, plus
// the number of that frame's lines already read; in one of plain lines it
// is the offset of the next line. Once everything is read the file is
// truncated.
type journal struct {
	f      *os.File
	path   string
	max    int64 // the most bytes it holds
	size   int64 // bytes written
	framed bool  // frames after journalMagic, not plain lines
	read   int64 // bytes consumed: the offset of the next line, or of its frame
	skip   int   // the lines of the frame at read already consumed
	lines  int   // lines written and not consumed

	wbuf []byte
	ubuf []byte // a frame's lines before compression
	// lastFrame is the size of the frame added last.
	lastFrame int
	rbuf      []byte // the last chunk read, which next's lines point into
	dbuf      []byte // the frames next decoded, which its lines point into
	hdrs      []frameHeader
	// partial is the decoded frame at partialAt, in dbuf, when next
	// returned only some of its lines.
	partial   []byte
	partialAt int64
}

// journalMagic starts a journal of frames.
const journalMagic = "tollgate log journal, S2 frames\n"

// frameHeaderSize is the size of a frame's header.
const frameHeaderSize = 12

// maxFrameBytes is the most bytes of lines one frame holds, but for a
// longer line: reading a few lines decodes at most that much.
const maxFrameBytes = 64 << 10

// maxFrameLines is the most lines one frame holds: the number of lines of a
// frame already read is the low 16 bits of a read position.
const maxFrameLines = 1<<16 - 1

// position is the read position of the line after skip lines of the frame
// at at, as the store commits it; at splits it.
func position(at int64, skip int) int64 { return at<<16 | int64(skip) }

func splitPosition(p int64) (at int64, skip int) { return p >> 16, int(p & maxFrameLines) }

// framedFile reports whether the file of size bytes holds frames: it starts
// with journalMagic, or with a part of it when shorter (an empty file, a
// magic cut short).
func framedFile(f io.ReaderAt, size int64) (bool, error) {
	magic := make([]byte, min(size, int64(len(journalMagic))))
	if _, err := f.ReadAt(magic, 0); err != nil && err != io.EOF {
		return false, err
	}
	return string(magic) == journalMagic[:len(magic)], nil
}

// unstoredBytes returns the bytes of the journal at path not yet stored,
// given the read position the store committed.
func unstoredBytes(path string, read int64) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	if framed, _ := framedFile(f, fi.Size()); framed {
		read, _ = splitPosition(read)
	}
	if read > fi.Size() {
		read = 0
	}
	return fi.Size() - read
}

// frameHeader is a frame's header, with where the frame starts; next adds
// the frame's compressed lines as read and their decoded length (-1 when
// they cannot be decoded).
type frameHeader struct {
	at     int64
	length int // of the compressed lines
	lines  int
	crc    uint32

	block   []byte
	decoded int
}

func (h frameHeader) end() int64 { return h.at + frameHeaderSize + int64(h.length) }

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errJournalFull reports lines that did not fit the journal's bound.
var errJournalFull = errors.New("the journal is full")

// openJournal opens (creating it when needed) the journal at path, whose
// lines up to the read position read are already stored.
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
	j := &journal{f: f, path: path, max: max, size: fi.Size()}
	if err := j.open(read); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

func (j *journal) open(read int64) error {
	framed, err := framedFile(j.f, j.size)
	if err != nil {
		return err
	}
	if !framed {
		// Plain lines, from an earlier tollgate.
		j.read = read
		if j.read > j.size || j.read < 0 {
			// The file was truncated after its offset was committed:
			// nothing in it is stored.
			j.read = 0
		}
		// A crash may have cut the last line short: it is left out.
		if j.size > j.read {
			if err := j.trimPartial(); err != nil {
				return err
			}
			var err error
			if j.lines, err = j.countLines(); err != nil {
				return err
			}
		}
		return nil
	}
	j.framed = true
	if j.size < int64(len(journalMagic)) {
		return j.truncate(0) // the magic cut short: nothing was appended
	}
	// The frames' headers, to count the lines and cut off a frame a crash
	// left short.
	at, skip := splitPosition(read)
	found := false
	total, before := 0, 0 // the lines of every frame, and of those before at
	for next := int64(len(journalMagic)); next < j.size; {
		h, err := j.header(next)
		if err != nil || h.end() > j.size {
			if err := j.truncate(next); err != nil {
				return err
			}
			break
		}
		if next == at && skip <= h.lines {
			found = true
		}
		if next < at {
			before += h.lines
		}
		total += h.lines
		next = h.end()
	}
	if at == j.size && skip == 0 {
		found = true // all was stored; the crash came before the truncation
	}
	if !found {
		// No frame starts at the position (it was committed before a
		// truncation): nothing in the file is stored.
		at, skip, before = int64(len(journalMagic)), 0, 0
	}
	j.read, j.skip = at, skip
	j.lines = total - before - skip
	if j.read >= j.size {
		return j.truncate(0)
	}
	return nil
}

// header reads the header of the frame at at.
func (j *journal) header(at int64) (frameHeader, error) {
	var b [frameHeaderSize]byte
	if _, err := j.f.ReadAt(b[:], at); err != nil {
		return frameHeader{}, err
	}
	return frameHeader{at: at, length: int(binary.LittleEndian.Uint32(b[0:])),
		lines: int(binary.LittleEndian.Uint32(b[4:])), crc: binary.LittleEndian.Uint32(b[8:])}, nil
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
	if size == 0 {
		// Emptied: frames from now on.
		j.framed, j.read, j.skip, j.lines, j.partial = true, 0, 0, 0, nil
	}
	return nil
}

// pending returns the bytes written and not yet stored, as the file holds
// them (compressed, but for a journal of plain lines).
func (j *journal) pending() int64 { return j.size - j.read }

// append writes lines (none holding a newline: the store splits what it is
// written into lines) at the end of the journal and returns how many it
// wrote: all of them, or those that fit its bound (errJournalFull), or none
// when writing failed.
func (j *journal) append(lines [][]byte) (int, error) {
	j.wbuf = j.wbuf[:0]
	var n int
	if j.framed {
		n = j.addFrames(lines)
	} else {
		n = j.addPlain(lines)
	}
	if n > 0 {
		if _, err := j.f.WriteAt(j.wbuf, j.size); err != nil {
			// Whatever part was written is cut off again.
			j.f.Truncate(j.size)
			return 0, fmt.Errorf("writing %s: %w", j.path, err)
		}
		j.size += int64(len(j.wbuf))
		j.lines += n
		if j.framed && j.read == 0 {
			j.read = int64(len(journalMagic))
		}
	}
	if cap(j.wbuf) > 8<<20 {
		j.wbuf = nil
	}
	if cap(j.ubuf) > 8<<20 {
		j.ubuf = nil
	}
	if n < len(lines) {
		return n, errJournalFull
	}
	return n, nil
}

// addFrames adds to wbuf the frames of as many of lines as fit the
// journal's bound, after the magic when the file is empty, and returns how
// many.
func (j *journal) addFrames(lines [][]byte) int {
	if j.size == 0 {
		j.wbuf = append(j.wbuf, journalMagic...)
	}
	n := 0
	for n < len(lines) {
		// A frame of up to maxFrameBytes of lines (one line when longer).
		end, size := n+1, len(lines[n])+1
		for end < len(lines) && end-n < maxFrameLines && size+len(lines[end])+1 <= maxFrameBytes {
			size += len(lines[end]) + 1
			end++
		}
		frame := lines[n:end]
		wrote := j.appendFrame(frame)
		n += wrote
		if wrote < len(frame) {
			break
		}
	}
	return n
}

// appendFrame adds to wbuf a frame of lines, or of as many of the first of
// them as fit the journal's bound, and returns how many.
func (j *journal) appendFrame(lines [][]byte) int {
	if j.size+int64(len(j.wbuf)+frameHeaderSize) >= j.max {
		return 0
	}
	if j.frame(lines) {
		return len(lines)
	}
	// Near the bound: the most lines that fit, by bisection.
	fit, over := 0, len(lines)
	for over-fit > 1 {
		if mid := (fit + over) / 2; j.frame(lines[:mid]) {
			fit = mid
			j.wbuf = j.wbuf[:len(j.wbuf)-j.lastFrame]
		} else {
			over = mid
		}
	}
	if fit > 0 {
		j.frame(lines[:fit])
	}
	return fit
}

// frame adds to wbuf a frame of lines if it fits the journal's bound, and
// reports whether it did; lastFrame is then its size.
func (j *journal) frame(lines [][]byte) bool {
	j.ubuf = j.ubuf[:0]
	for _, l := range lines {
		j.ubuf = append(j.ubuf, l...)
		j.ubuf = append(j.ubuf, '\n')
	}
	start := len(j.wbuf)
	at := start + frameHeaderSize
	j.wbuf = slices.Grow(j.wbuf, frameHeaderSize+s2.MaxEncodedLen(len(j.ubuf)))[:at]
	block := s2.Encode(j.wbuf[at:cap(j.wbuf)], j.ubuf)
	if j.size+int64(at+len(block)) > j.max {
		j.wbuf = j.wbuf[:start]
		return false
	}
	h := j.wbuf[start:at]
	binary.LittleEndian.PutUint32(h[0:], uint32(len(block)))
	binary.LittleEndian.PutUint32(h[4:], uint32(len(lines)))
	binary.LittleEndian.PutUint32(h[8:], crc32.Checksum(block, crcTable))
	j.wbuf = j.wbuf[:at+len(block)]
	j.lastFrame = frameHeaderSize + len(block)
	return true
}

// addPlain adds to wbuf as many of lines as fit the journal's bound, one
// per line, and returns how many: a journal of plain lines.
func (j *journal) addPlain(lines [][]byte) int {
	n := 0
	for _, l := range lines {
		if j.size+int64(len(j.wbuf)+len(l)+1) > j.max {
			break
		}
		j.wbuf = append(j.wbuf, l...)
		j.wbuf = append(j.wbuf, '\n')
		n++
	}
	return n
}

// journalChunk is the most bytes next reads at a time (more when one line
// is longer).
const journalChunk = 1 << 20

// next returns up to n of the oldest lines not yet consumed, appended to
// out, the read position just after them, and the number of lines lost
// before it: a frame that is not as it was written (the disk lost it) is
// skipped. The lines are valid until the next call.
func (j *journal) next(out [][]byte, n int) (_ [][]byte, end int64, lost int, err error) {
	if !j.framed {
		out, end, err := j.nextPlain(out, n)
		return out, end, 0, err
	}
	end = position(j.read, j.skip)
	// The headers of the frames that hold the n lines.
	j.hdrs = j.hdrs[:0]
	want := n + j.skip
	for at := j.read; at < j.size && want > 0; {
		h, err := j.header(at)
		if err != nil {
			return out, end, 0, fmt.Errorf("reading %s: %w", j.path, err)
		}
		j.hdrs = append(j.hdrs, h)
		want -= h.lines
		at = h.end()
	}
	if len(j.hdrs) == 0 {
		return out, end, 0, nil
	}
	// A frame the last call read in part is still decoded: it moves to the
	// front of dbuf (the last call's lines are no longer valid), and the
	// other frames are read in one read and decoded after it, into one
	// buffer, so that no line moves.
	reuse := j.partial != nil && j.partialAt == j.hdrs[0].at
	disk := j.hdrs
	if reuse {
		disk = disk[1:]
	}
	var raw []byte
	if len(disk) > 0 {
		from, to := disk[0].at, disk[len(disk)-1].end()
		if int64(cap(j.rbuf)) < to-from {
			j.rbuf = make([]byte, to-from)
		}
		raw = j.rbuf[:to-from]
		if _, err := j.f.ReadAt(raw, from); err != nil && err != io.EOF {
			return out, end, 0, fmt.Errorf("reading %s: %w", j.path, err)
		}
	}
	total := 0
	if reuse {
		total = len(j.partial)
	}
	for i := range disk {
		h := &disk[i]
		h.block = raw[h.at-disk[0].at+frameHeaderSize : h.end()-disk[0].at]
		d, err := s2.DecodedLen(h.block)
		if err != nil {
			d = -1
		}
		h.decoded = d
		total += max(d, 0)
	}
	if cap(j.dbuf) < total {
		grown := make([]byte, 0, total)
		if reuse {
			grown = append(grown, j.partial...)
		}
		j.dbuf = grown
	} else if reuse {
		j.dbuf = j.dbuf[:copy(j.dbuf[:len(j.partial)], j.partial)]
	} else {
		j.dbuf = j.dbuf[:0]
	}
	j.partial = nil
	skip := j.skip
	for i, h := range j.hdrs {
		var text []byte
		if i == 0 && reuse {
			text = j.dbuf
		} else {
			var derr error
			switch d := h.decoded; {
			case d < 0 || crc32.Checksum(h.block, crcTable) != h.crc || len(j.dbuf)+d > cap(j.dbuf):
				derr = errors.New("not as written")
			default:
				text, derr = s2.Decode(j.dbuf[len(j.dbuf):len(j.dbuf)+d], h.block)
			}
			if derr != nil || bytes.Count(text, []byte{'\n'}) != h.lines {
				// Its lines are lost; the next frame is read as usual.
				lost += h.lines - skip
				skip = 0
				end = position(h.end(), 0)
				continue
			}
			j.dbuf = j.dbuf[:len(j.dbuf)+len(text)]
		}
		k, rest := 0, text
		for ; len(rest) > 0 && n > 0; k++ {
			nl := bytes.IndexByte(rest, '\n')
			if k >= skip {
				out = append(out, rest[:nl])
				n--
			}
			rest = rest[nl+1:]
		}
		skip = 0
		if k < h.lines {
			j.partial, j.partialAt = text, h.at
			return out, position(h.at, k), lost, nil
		}
		end = position(h.end(), 0)
		if n == 0 {
			break
		}
	}
	return out, end, lost, nil
}

// nextPlain is next for a journal of plain lines.
func (j *journal) nextPlain(out [][]byte, n int) ([][]byte, int64, error) {
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

// consumed records that the lines lines before the read position end are
// stored (or lost). Once all are, it empties the file and reports it: the
// position committed must then be set back to zero before anything is
// appended.
func (j *journal) consumed(end int64, lines int) (emptied bool, err error) {
	if j.framed {
		j.read, j.skip = splitPosition(end)
	} else {
		j.read = end
	}
	j.lines = max(0, j.lines-lines)
	if j.read < j.size {
		return false, nil
	}
	if cap(j.rbuf) > 4*journalChunk {
		j.rbuf = nil
	}
	if cap(j.dbuf) > 4*journalChunk {
		j.dbuf = nil
	}
	return true, j.truncate(0)
}

func (j *journal) close() error { return j.f.Close() }
