package logstore

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/tollgate/tollgate/internal/kql"
)

// columnIndex maps a column name to its index in columns.
var columnIndex = func() map[string]int {
	m := make(map[string]int, len(columns))
	for i, c := range columns {
		m[c.Name] = i
	}
	return m
}()

// row is one log line's values, in the order of columns. Only the columns
// in set were given; the others take their column's default (” for a
// string, NULL otherwise) and are left out of the INSERT, which keeps the
// work of binding and storing them.
type row struct {
	vals []driver.Value
	set  uint64 // bit i: vals[i] holds a value
	// follows[i] is the column that came after column i in the last line
	// (the first column at len(columns)); -1 for none. Every line of one
	// writer has the same order: a guess that holds saves a map lookup per
	// key.
	follows []int
	// last[i] is the last value of column i, when it is a string or an
	// integer, boxed: a line that repeats it (the same API, operation,
	// status ...) reuses the box instead of allocating one. Like the
	// values, they point into the lines of a batch: forget drops them.
	last []lastValue
}

// lastValue is a column's last string or integer value and its box.
type lastValue struct {
	s string
	n int64
	v driver.Value
}

// forget drops the values, which point into the lines of the batch.
func (r *row) forget() {
	clear(r.vals)
	clear(r.last)
}

func newRow() *row {
	if len(columns) > 64 {
		panic("logstore: a row's set of columns is a uint64: at most 64 columns")
	}
	r := &row{vals: make([]driver.Value, len(columns)), follows: make([]int, len(columns)+1), last: make([]lastValue, len(columns))}
	for i := range r.follows {
		r.follows[i] = -1
	}
	return r
}

// value returns the value of column i as the table stores it.
func (r *row) value(i int) any {
	if r.set&(1<<i) != 0 {
		return r.vals[i]
	}
	if columns[i].Type == kql.String {
		return ""
	}
	return nil
}

// insertSQL inserts rows rows of the columns in set. It is INSERT OR FAIL:
// the string columns are NOT NULL, and with the default ABORT a statement
// of several rows makes SQLite keep a statement journal (a copy of every
// page the statement changes, spilled to a temporary file past 64 KiB) to
// undo its earlier rows should a later one fail; that was 15% of the CPU of
// storing a row. No row can fail here (a missing string is bound as "" or
// left to the column's default), so there is nothing to undo.
func insertSQL(set uint64, rows int) string {
	var names, marks []string
	for i, c := range columns {
		if set&(1<<i) != 0 {
			names = append(names, strconv.Quote(c.Name))
			marks = append(marks, "?")
		}
	}
	values := "(" + strings.Join(marks, ", ") + ")"
	return fmt.Sprintf("INSERT OR FAIL INTO %q (%s) VALUES %s", TableName, strings.Join(names, ", "), strings.Repeat(values+", ", rows-1)+values)
}

// parseLine turns one JSON log line into the values of a row. Names the
// table does not have are ignored, and so are nulls and empty strings: the
// column's default stands for them. It scans the object itself: this is the
// writer's hot loop. Strings without escapes point into line, which must
// not change while r is in use.
func parseLine(line []byte, r *row) error {
	r.set = 0
	sc := scanner{b: line}
	sc.space()
	if !sc.eat('{') {
		return fmt.Errorf("a log line must be a JSON object")
	}
	sc.space()
	if sc.eat('}') {
		return fmt.Errorf("the line has no TimeGenerated")
	}
	prev := len(columns) // the last column seen; len(columns) at the start
	for {
		sc.space()
		key, err := sc.key()
		if err != nil {
			return err
		}
		sc.space()
		if !sc.eat(':') {
			return fmt.Errorf("expected ':' after %q at byte %d", key, sc.i)
		}
		sc.space()
		start := sc.i
		if err := sc.skipValue(0); err != nil {
			return err
		}
		raw := line[start:sc.i]
		i := r.follows[prev]
		ok := i >= 0 && columns[i].Name == string(key)
		if !ok {
			i, ok = columnIndex[string(key)]
		}
		if ok {
			r.follows[prev], prev = i, i
			if string(raw) != "null" && string(raw) != `""` {
				v, err := r.decode(i, raw)
				if err != nil {
					return fmt.Errorf("%s: %v", key, err)
				}
				r.vals[i] = v
				r.set |= 1 << i
			}
		}
		sc.space()
		if sc.eat('}') {
			break
		}
		if !sc.eat(',') {
			return fmt.Errorf("expected ',' or '}' at byte %d", sc.i)
		}
	}
	sc.space()
	if sc.i != len(line) {
		return fmt.Errorf("text after the JSON object at byte %d", sc.i)
	}
	if r.set&1 == 0 {
		return fmt.Errorf("the line has no TimeGenerated")
	}
	return nil
}

// scanner reads the JSON of one log line.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// key reads an object's key: the bytes between the quotes when it has no
// escapes (no copy), else the decoded key.
func (s *scanner) key() ([]byte, error) {
	start := s.i
	if !s.eat('"') {
		return nil, fmt.Errorf("expected a string at byte %d", s.i)
	}
	for s.i < len(s.b) {
		for s.i < len(s.b) && !strStop[s.b[s.i]] {
			s.i++
		}
		if s.i == len(s.b) {
			break
		}
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start+1 : s.i-1], nil
		case c == '\\':
			s.i = start
			k, err := s.str()
			return []byte(k), err
		case c < 0x20:
			return nil, fmt.Errorf("control character in a string at byte %d", s.i)
		default:
			s.i++
		}
	}
	return nil, fmt.Errorf("unterminated string")
}

// str reads a string; without escapes it shares the scanned bytes, which
// must not change while the string is in use.
func (s *scanner) str() (string, error) {
	start := s.i
	if !s.eat('"') {
		return "", fmt.Errorf("expected a string at byte %d", s.i)
	}
	escaped := false
	for s.i < len(s.b) {
		// Most bytes are plain: skip them a run at a time.
		for s.i < len(s.b) && !strStop[s.b[s.i]] {
			s.i++
		}
		if s.i == len(s.b) {
			break
		}
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			if !escaped {
				b := s.b[start+1 : s.i-1]
				return unsafe.String(unsafe.SliceData(b), len(b)), nil
			}
			var v string
			if err := json.Unmarshal(s.b[start:s.i], &v); err != nil {
				return "", err
			}
			return v, nil
		case c == '\\':
			escaped = true
			s.i += 2
		case c < 0x20:
			return "", fmt.Errorf("control character in a string at byte %d", s.i)
		default:
			s.i++
		}
	}
	return "", fmt.Errorf("unterminated string")
}

// skipValue moves past one JSON value, checking its structure.
func (s *scanner) skipValue(depth int) error {
	if depth > 64 {
		return fmt.Errorf("JSON nested too deeply")
	}
	if s.i >= len(s.b) {
		return fmt.Errorf("unexpected end of line")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{' || c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		s.i++
		s.space()
		if s.eat(end) {
			return nil
		}
		for {
			s.space()
			if c == '{' {
				if _, err := s.str(); err != nil {
					return err
				}
				s.space()
				if !s.eat(':') {
					return fmt.Errorf("expected ':' at byte %d", s.i)
				}
				s.space()
			}
			if err := s.skipValue(depth + 1); err != nil {
				return err
			}
			s.space()
			if s.eat(end) {
				return nil
			}
			if !s.eat(',') {
				return fmt.Errorf("expected ',' at byte %d", s.i)
			}
		}
	default:
		start := s.i
		for s.i < len(s.b) && !litStop[s.b[s.i]] {
			s.i++
		}
		lit := s.b[start:s.i]
		if string(lit) == "true" || string(lit) == "false" || string(lit) == "null" {
			return nil
		}
		if _, ok := parseDigits(lit); ok {
			return nil
		}
		if _, err := strconv.ParseFloat(string(lit), 64); err != nil || len(lit) == 0 {
			return fmt.Errorf("invalid JSON value %q", lit)
		}
		return nil
	}
}

// strStop marks the bytes that end a run of plain bytes in a string: the
// quote, the backslash and the control characters.
var strStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// litStop marks the bytes that end a literal (a number, true, false, null).
var litStop = func() (t [256]bool) {
	for _, c := range ",}] \t\r\n" {
		t[c] = true
	}
	return t
}()

// parseDigits parses an optional minus sign and 1 to 18 decimal digits,
// the form of nearly every number of a log line, without strconv.
func parseDigits(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseTime parses the layout of tollgate's TimeGenerated,
// 2006-01-02T15:04:05.0000000Z (with 0 to 9 digits of fraction), without
// time.Parse; ok is false for anything else, which time.Parse then reads.
func parseTime(b []byte) (ns int64, ok bool) {
	if len(b) < 20 || len(b) > 30 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return 0, false
	}
	num := func(b []byte) int {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(b[0:4]), num(b[5:7]), num(b[8:10])
	hour, minute, sec := num(b[11:13]), num(b[14:16]), num(b[17:19])
	nsec := 0
	switch frac := b[19 : len(b)-1]; {
	case len(frac) == 0:
	case frac[0] != '.' || len(frac) < 2:
		return 0, false
	default:
		if nsec = num(frac[1:]); nsec < 0 {
			return 0, false
		}
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 June
		return 0, false
	}
	return t.UnixNano(), true
}

// compact reports whether the JSON value raw has no white space outside its
// strings: then json.Compact would return it as it is.
func compact(raw []byte) bool {
	in := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			return false
		}
	}
	return true
}

// decode decodes the JSON value raw of column i, reusing the box of the
// column's last value when it is the same.
func (r *row) decode(i int, raw []byte) (driver.Value, error) {
	last := &r.last[i]
	switch t := columns[i].Type; {
	case t == kql.String && raw[0] == '"', t == kql.Dynamic && compact(raw):
		var s string
		if t == kql.String {
			sc := scanner{b: raw}
			var err error
			if s, err = sc.str(); err != nil {
				return nil, err
			}
		} else {
			s = unsafe.String(unsafe.SliceData(raw), len(raw))
		}
		if last.v != nil && last.s == s {
			return last.v, nil
		}
		*last = lastValue{s: s, v: s}
		return last.v, nil
	case t == kql.Int || t == kql.Long:
		n, ok := parseDigits(raw)
		if !ok {
			break
		}
		if last.v != nil && last.n == n {
			return last.v, nil
		}
		*last = lastValue{n: n, v: n}
		return last.v, nil
	}
	return decodeValue(columns[i].Type, raw)
}

// decodeValue decodes the JSON value raw for a column of type t. A string it
// returns may share raw's bytes.
func decodeValue(t kql.Type, raw json.RawMessage) (driver.Value, error) {
	switch t {
	case kql.String:
		if raw[0] == '"' {
			sc := scanner{b: raw}
			return sc.str()
		}
		return string(raw), nil
	case kql.Dynamic:
		if compact(raw) {
			// Compact already, as tollgate writes it.
			return unsafe.String(unsafe.SliceData(raw), len(raw)), nil
		}
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return nil, err
		}
		return b.String(), nil
	case kql.DateTime:
		if len(raw) > 2 && raw[0] == '"' {
			if ns, ok := parseTime(raw[1 : len(raw)-1]); ok {
				return ns, nil
			}
		}
		sc := scanner{b: raw}
		s, err := sc.str()
		if err != nil {
			return nil, fmt.Errorf("a datetime must be a string: %s", raw)
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("invalid datetime %q", s)
		}
		return tm.UnixNano(), nil
	case kql.Bool:
		switch string(raw) {
		case "true", `"true"`, `"True"`:
			return int64(1), nil
		case "false", `"false"`, `"False"`:
			return int64(0), nil
		}
		return nil, fmt.Errorf("invalid bool %s", raw)
	case kql.Int, kql.Long:
		if n, ok := parseDigits(raw); ok {
			return n, nil
		}
		s := strings.Trim(string(raw), `"`)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid number %s", raw)
		}
		return int64(f), nil
	case kql.Real:
		f, err := strconv.ParseFloat(strings.Trim(string(raw), `"`), 64)
		if err != nil {
			return nil, fmt.Errorf("invalid number %s", raw)
		}
		return f, nil
	}
	return nil, fmt.Errorf("unsupported column type %s", t)
}
