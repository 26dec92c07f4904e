package jsonx

import "strconv"

// ParseError is a JsonReaderException: Message is Json.NET's full text,
// including the path, line and position suffix.
type ParseError struct {
	Message  string
	Path     string
	Line     int
	Position int
}

// Error returns the Json.NET message.
func (e *ParseError) Error() string { return e.Message }

func newParseError(msg, path string, line, pos int) *ParseError {
	full := msg + " Path '" + path + "', line " + strconv.Itoa(line) + ", position " + strconv.Itoa(pos) + "."
	return &ParseError{Message: full, Path: path, Line: line, Position: pos}
}

// ConvertError is a .NET exception raised by a conversion, an indexer or
// an edit: Type is the exception class, Message its text.
type ConvertError struct {
	Type    string
	Message string
}

// Error returns the .NET message.
func (e *ConvertError) Error() string { return e.Message }

func argErr(msg string) *ConvertError {
	return &ConvertError{Type: "System.ArgumentException", Message: msg}
}

func invalidOp(msg string) *ConvertError {
	return &ConvertError{Type: "System.InvalidOperationException", Message: msg}
}

func jsonErr(msg string) *ConvertError {
	return &ConvertError{Type: "Newtonsoft.Json.JsonException", Message: msg}
}
