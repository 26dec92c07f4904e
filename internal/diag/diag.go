package diag

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// File is the content of one source file with a table of line starts.
// Files are immutable once created and safe for concurrent use.
type File struct {
	Name  string // path as shown to users
	Src   []byte // content, unchanged
	lines []int  // byte offset of the start of each line
}

// NewFile returns a File for src, shown to users as name.
func NewFile(name string, src []byte) *File {
	lines := []int{0}
	for i, c := range src {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	return &File{Name: name, Src: src, lines: lines}
}

// Position is a resolved location: file name, byte offset, 1-based line and
// 1-based column (in characters). The zero Position is invalid.
type Position struct {
	Filename string
	Offset   int
	Line     int
	Column   int
}

// IsValid reports whether p names a line.
func (p Position) IsValid() bool { return p.Line > 0 }

// String formats p as "file:line:col", "file:line", "file" or "-".
func (p Position) String() string {
	s := p.Filename
	if p.IsValid() {
		if s != "" {
			s += ":"
		}
		s += fmt.Sprintf("%d", p.Line)
		if p.Column > 0 {
			s += fmt.Sprintf(":%d", p.Column)
		}
	}
	if s == "" {
		s = "-"
	}
	return s
}

// Position resolves the byte offset off. Offsets outside the file are clamped.
func (f *File) Position(off int) Position {
	if f == nil {
		return Position{}
	}
	off = max(0, min(off, len(f.Src)))
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	start := f.lines[i]
	seg := f.Src[start:off]
	if i == 0 && len(seg) >= 3 && string(seg[:3]) == "\uFEFF" {
		seg = seg[3:]
	}
	return Position{Filename: f.Name, Offset: off, Line: i + 1, Column: utf8.RuneCount(seg) + 1}
}

// Line returns the text of the 1-based line n without its line ending.
func (f *File) Line(n int) string {
	if f == nil || n < 1 || n > len(f.lines) {
		return ""
	}
	start := f.lines[n-1]
	end := len(f.Src)
	if n < len(f.lines) {
		end = f.lines[n] - 1
	}
	return strings.TrimRight(string(f.Src[start:end]), "\r")
}

// Span is the byte range [Start, End) of File.
type Span struct {
	File       *File
	Start, End int
}

// Pos returns the position where s starts.
func (s Span) Pos() Position { return s.File.Position(s.Start) }

// EndPos returns the position where s ends.
func (s Span) EndPos() Position { return s.File.Position(s.End) }

// IsValid reports whether s belongs to a file.
func (s Span) IsValid() bool { return s.File != nil }

// Text returns the source text covered by s.
func (s Span) Text() string {
	if s.File == nil {
		return ""
	}
	a, b := max(0, s.Start), min(s.End, len(s.File.Src))
	if a >= b {
		return ""
	}
	return string(s.File.Src[a:b])
}

// Severity orders diagnostics by how bad they are.
type Severity int

const (
	Error Severity = iota
	Warning
	Note
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "note"
	}
}

// Diagnostic is one positioned message. Pos is used when Span has no file
// (for example a problem with a whole folder); otherwise it is derived from
// Span.
type Diagnostic struct {
	Severity Severity
	Pos      Position
	Span     Span
	Code     string   // stable machine-readable code, e.g. "unknown-named-value"
	Message  string   // lower-case, no trailing punctuation
	Notes    []string // extra lines: hints, "did you mean", the other place
}

// Position returns where d points.
func (d Diagnostic) Position() Position {
	if d.Span.IsValid() {
		return d.Span.Pos()
	}
	return d.Pos
}

// String formats d as "path:line:col: error: message [code]".
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Position().String())
	b.WriteString(": ")
	b.WriteString(d.Severity.String())
	b.WriteString(": ")
	b.WriteString(d.Message)
	if d.Code != "" {
		b.WriteString(" [")
		b.WriteString(d.Code)
		b.WriteString("]")
	}
	return b.String()
}

// Error implements error so a Diagnostic can travel as one.
func (d Diagnostic) Error() string { return d.String() }

// Snippet renders the source line of d with a caret under its column, followed
// by its notes. It returns "" when d has no source.
func (d Diagnostic) Snippet() string {
	var b strings.Builder
	if d.Span.IsValid() {
		p := d.Span.Pos()
		line := d.Span.File.Line(p.Line)
		if line != "" {
			prefix := fmt.Sprintf("%5d | ", p.Line)
			b.WriteString(prefix)
			b.WriteString(strings.ReplaceAll(line, "\t", " "))
			b.WriteString("\n")
			b.WriteString(strings.Repeat(" ", len(prefix)-2))
			b.WriteString("| ")
			b.WriteString(strings.Repeat(" ", max(0, p.Column-1)))
			width := 1
			if e := d.Span.EndPos(); e.Line == p.Line && e.Column > p.Column {
				width = e.Column - p.Column
			}
			b.WriteString(strings.Repeat("^", width))
			b.WriteString("\n")
		}
	}
	for _, n := range d.Notes {
		b.WriteString("      = ")
		b.WriteString(n)
		b.WriteString("\n")
	}
	return b.String()
}

// List collects diagnostics. The zero List is ready to use.
type List []Diagnostic

// Add appends d.
func (l *List) Add(d Diagnostic) { *l = append(*l, d) }

// Append appends all of other.
func (l *List) Append(other List) { *l = append(*l, other...) }

// Errorf adds an error at span.
func (l *List) Errorf(span Span, code, format string, args ...any) *Diagnostic {
	*l = append(*l, Diagnostic{Severity: Error, Span: span, Code: code, Message: fmt.Sprintf(format, args...)})
	return &(*l)[len(*l)-1]
}

// Warnf adds a warning at span.
func (l *List) Warnf(span Span, code, format string, args ...any) *Diagnostic {
	*l = append(*l, Diagnostic{Severity: Warning, Span: span, Code: code, Message: fmt.Sprintf(format, args...)})
	return &(*l)[len(*l)-1]
}

// ErrorAt adds an error at a position without a span (folders, files that
// could not be read).
func (l *List) ErrorAt(pos Position, code, format string, args ...any) *Diagnostic {
	*l = append(*l, Diagnostic{Severity: Error, Pos: pos, Code: code, Message: fmt.Sprintf(format, args...)})
	return &(*l)[len(*l)-1]
}

// WarnAt adds a warning at a position without a span.
func (l *List) WarnAt(pos Position, code, format string, args ...any) *Diagnostic {
	*l = append(*l, Diagnostic{Severity: Warning, Pos: pos, Code: code, Message: fmt.Sprintf(format, args...)})
	return &(*l)[len(*l)-1]
}

// HasErrors reports whether l holds at least one error.
func (l List) HasErrors() bool {
	return slices.ContainsFunc(l, func(d Diagnostic) bool { return d.Severity == Error })
}

// Errors returns how many errors l holds.
func (l List) Errors() int {
	n := 0
	for _, d := range l {
		if d.Severity == Error {
			n++
		}
	}
	return n
}

// Sort orders l by file, offset, then severity, and removes exact duplicates.
func (l *List) Sort() {
	slices.SortStableFunc(*l, func(a, b Diagnostic) int {
		pa, pb := a.Position(), b.Position()
		return cmp.Or(
			cmp.Compare(pa.Filename, pb.Filename),
			cmp.Compare(pa.Line, pb.Line),
			cmp.Compare(pa.Column, pb.Column),
			cmp.Compare(a.Severity, b.Severity),
		)
	})
	*l = slices.CompactFunc(*l, func(a, b Diagnostic) bool { return a.String() == b.String() })
}

// Err returns l as an error when it holds errors, or nil.
func (l List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return ListError(l)
}

// String renders one diagnostic per line.
func (l List) String() string {
	var b strings.Builder
	for _, d := range l {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// ListError is a List used as an error.
type ListError List

func (e ListError) Error() string {
	l := List(e)
	switch n := l.Errors(); n {
	case 0:
		return "no errors"
	case 1:
		for _, d := range l {
			if d.Severity == Error {
				return d.String()
			}
		}
	default:
		for _, d := range l {
			if d.Severity == Error {
				return fmt.Sprintf("%s (and %d more errors)", d.String(), n-1)
			}
		}
	}
	return ""
}

// AsList extracts the diagnostics carried by err, if any.
func AsList(err error) (List, bool) {
	if le, ok := errors.AsType[ListError](err); ok {
		return List(le), true
	}
	if d, ok := errors.AsType[Diagnostic](err); ok {
		return List{d}, true
	}
	return nil, false
}
