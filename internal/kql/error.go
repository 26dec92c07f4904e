package kql

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a mistake in a query at a position: Line and Col are 1-based, Col
// counts characters. Error() formats it as "query:LINE:COL: message".
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("query:%d:%d: %s", e.Line, e.Col, e.Msg) }

// Snippet renders the query line of e with a caret under its column, for
// printing below the message.
func (e *Error) Snippet(query string) string { return Snippet(query, e.Line, e.Col) }

// ErrorList is several errors of one query, in the order of their positions.
// Compile returns a single *Error when there is one.
type ErrorList []*Error

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Errors returns the positioned errors in err: the list of an ErrorList, the
// one *Error, or nil for any other error.
func Errors(err error) []*Error {
	switch e := err.(type) {
	case *Error:
		return []*Error{e}
	case ErrorList:
		return e
	}
	return nil
}

// Snippet returns line `line` of query, tabs kept, followed by a line with a
// caret under the 1-based column col. Both lines end with a newline.
func Snippet(query string, line, col int) string {
	lines := strings.Split(query, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	text := strings.TrimRight(lines[line-1], "\r")
	var pad strings.Builder
	i := 1
	for _, r := range text {
		if i >= col {
			break
		}
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
		i++
	}
	return "  " + text + "\n  " + pad.String() + "^\n"
}

// position converts a byte offset of src to a 1-based line and column.
func position(src string, off int) (line, col int) {
	off = max(0, min(off, len(src)))
	line = 1 + strings.Count(src[:off], "\n")
	start := strings.LastIndexByte(src[:off], '\n') + 1
	return line, utf8.RuneCountInString(src[start:off]) + 1
}

// errorAt builds an *Error at the byte offset off of src.
func errorAt(src string, off int, format string, args ...any) *Error {
	l, c := position(src, off)
	return &Error{Line: l, Col: c, Msg: fmt.Sprintf(format, args...)}
}
