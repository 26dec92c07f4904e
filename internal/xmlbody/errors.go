package xmlbody

import (
	"fmt"

	"github.com/tollgate/tollgate/internal/diag"
)

// Error reports a body that cannot be converted: malformed JSON or XML, or
// a value that has no XML form. Pos locates the problem in the input body
// (no file name; line and column are 1-based, columns count characters).
type Error struct {
	Pos diag.Position
	Msg string // lower-case, no trailing punctuation
}

// Error formats e as "line L, column C: message".
func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Pos.Line, e.Pos.Column, e.Msg)
}

// errorAt builds an *Error for byte offset off of src (the whole body,
// including any byte order mark).
func errorAt(src []byte, off int, format string, args ...any) *Error {
	return &Error{Pos: diag.NewFile("", src).Position(off), Msg: fmt.Sprintf(format, args...)}
}
