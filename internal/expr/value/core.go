package value

import (
	"context"
	"fmt"
	"time"
)

// Value is any runtime value. The representation of .NET values:
// null is nil; bool, int32 (System.Int32), int64, float64, float32
// (System.Single), dotnet.Decimal (System.Decimal), uint8, string, Char,
// time.Time (System.DateTime, with the Kind in its location, see
// DateTimeKind), TimeSpan (System.TimeSpan, in ticks), Guid, []byte
// (System.Byte[]), *Array, *List, *Dict, *Object (anonymous types), Enum,
// *Func (lambdas), *XNode, *XAttr, XName and XNamespace (System.Xml.Linq),
// and pointers to the host types of the context model. Nullable<T> has no
// representation of its own: a T? is a T or nil.
type Value = any

// Char is a System.Char.
type Char rune

// Guid is a System.Guid.
type Guid [16]byte

// Enum is a value of a .NET enumeration.
type Enum struct {
	T    *Type
	V    int64
	Name string
}

// Func is a lambda or local function value.
type Func struct {
	NParams int
	Call    func(fr *Frame, args []Value) Value
}

// Object is an instance of an anonymous type: new { a = 1, b = "x" }.
type Object struct {
	Names  []string
	Values []Value
}

// Get returns the member named name.
func (o *Object) Get(name string) (Value, bool) {
	for i, n := range o.Names {
		if n == name {
			return o.Values[i], true
		}
	}
	return nil, false
}

// Exception is a .NET exception raised during evaluation. It travels as a Go
// panic inside the evaluator and is returned as an error at the boundary.
type Exception struct {
	Type    string // full .NET type name, e.g. "System.NullReferenceException"
	Message string // the .NET message
	Cause   string // tollgate's precise cause, when known
	Pos     int    // byte range in the expression source, -1 when unknown
	End     int
	Inner   *Exception
	// Fatal exceptions (budget exhausted, cancellation) cannot be caught by
	// try/catch in the expression.
	Fatal bool
	// Made marks an exception built by `new` in the expression (not raised
	// by the library); one that was never thrown keeps Pos -1.
	Made bool
	// more holds Data, HelpLink and Source (lib_exception_data.go); a
	// thrown copy shares it.
	more *exMore
}

// Error implements error.
func (e *Exception) Error() string { return e.Message }

// Throw panics with a new exception of type typ.
func Throw(typ, format string, args ...any) {
	panic(&Exception{Type: typ, Message: fmt.Sprintf(format, args...), Pos: -1, End: -1})
}

// Common exception types.
const (
	ExNullRef        = "System.NullReferenceException"
	ExInvalidCast    = "System.InvalidCastException"
	ExFormat         = "System.FormatException"
	ExKeyNotFound    = "System.Collections.Generic.KeyNotFoundException"
	ExIndexRange     = "System.IndexOutOfRangeException"
	ExArgRange       = "System.ArgumentOutOfRangeException"
	ExArgument       = "System.ArgumentException"
	ExArgNull        = "System.ArgumentNullException"
	ExDivZero        = "System.DivideByZeroException"
	ExInvalidOp      = "System.InvalidOperationException"
	ExOverflow       = "System.OverflowException"
	ExNotSupported   = "System.NotSupportedException"
	ExException      = "System.Exception"
	ExJSONReader     = "Newtonsoft.Json.JsonReaderException"
	ExRegexTimeout   = "System.Text.RegularExpressions.RegexMatchTimeoutException"
	MsgNullRef       = "Object reference not set to an instance of an object."
	MsgDivZero       = "Attempted to divide by zero."
	MsgIndexRange    = "Index was outside the bounds of the array."
	MsgNoElements    = "Sequence contains no elements"
	MsgNoMatch       = "Sequence contains no matching element"
	MsgArgRangeIndex = "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')"
)

// ThrowNull raises a NullReferenceException with a precise cause.
func ThrowNull(cause string) {
	panic(&Exception{Type: ExNullRef, Message: MsgNullRef, Cause: cause, Pos: -1, End: -1})
}

// ThrowCast raises an InvalidCastException from type from to type to.
func ThrowCast(v Value, to string) {
	panic(&Exception{Type: ExInvalidCast, Message: fmt.Sprintf("Unable to cast object of type '%s' to type '%s'.", TypeName(v), to), Pos: -1, End: -1})
}

// ErrBudget is the cause of the exception raised when the step budget runs out.
const ErrBudget = "the expression ran out of its step budget"

// Frame is the state of one evaluation: the request context, local variable
// slots, an argument stack and the step budget. Frames are reused between
// evaluations through Reset.
type Frame struct {
	Ctx    *Context
	Go     context.Context
	Locals []Value
	Stack  []Value
	SP     int
	Steps  int64
	Limit  int64
	// Mem counts the bytes the evaluation allocated so far (as the library
	// reports them through Alloc); MemLimit bounds it (0: unbounded).
	Mem, MemLimit int64
	// Pos and End locate the operation being performed, for exceptions raised
	// by library code.
	Pos, End int
	// Now returns the current time; defaults to time.Now.
	Now func() time.Time
	// RegexTimeout bounds one regular expression match.
	RegexTimeout time.Duration
	// Regexes caches compiled regular expressions for this program.
	Regexes RegexCache
}

// RegexCache returns compiled regular expressions by pattern, options and
// match timeout (0: the cache's default).
type RegexCache interface {
	Get(pattern string, opts int, timeout time.Duration) (*Regex, error)
	// CacheSize and SetCacheSize keep Regex.CacheSize for the program.
	CacheSize() int
	SetCacheSize(n int)
}

// ErrMemoryBudget is the cause of the exception raised when an evaluation
// allocates more than its memory budget.
const ErrMemoryBudget = "the expression ran out of its memory budget"

// Alloc counts n bytes about to be allocated (strings, arrays, collections,
// builders, JSON and XML documents) against the memory budget, before they
// are allocated: a request for more than the budget fails without taking
// the memory.
func (fr *Frame) Alloc(n int64) {
	if fr == nil || fr.MemLimit <= 0 {
		return
	}
	if n < 0 || n > fr.MemLimit || fr.Mem+n > fr.MemLimit {
		panic(&Exception{Type: ExInvalidOp, Message: "The expression exceeded its memory budget.", Cause: fmt.Sprintf("%s of %d bytes (%d bytes were in use, %d more were asked for)", ErrMemoryBudget, fr.MemLimit, fr.Mem, n), Pos: -1, End: -1, Fatal: true})
	}
	fr.Mem += n
}

// Concat returns a+b, counting the new string against the memory budget
// before it is built.
func (fr *Frame) Concat(a, b string) string {
	fr.Alloc(int64(len(a) + len(b)))
	return a + b
}

// Step counts n steps and checks the budget and cancellation.
func (fr *Frame) Step(n int64) {
	fr.Steps += n
	if fr.Steps > fr.Limit {
		panic(&Exception{Type: ExInvalidOp, Message: "The expression exceeded its execution budget.", Cause: fmt.Sprintf("%s of %d steps", ErrBudget, fr.Limit), Pos: -1, End: -1, Fatal: true})
	}
	if fr.Steps&1023 < n && fr.Go != nil {
		if err := fr.Go.Err(); err != nil {
			panic(&Exception{Type: "System.OperationCanceledException", Message: "The operation was canceled.", Cause: err.Error(), Pos: -1, End: -1, Fatal: true})
		}
	}
}

// Time returns the frame's current time.
func (fr *Frame) Time() time.Time {
	if fr.Now != nil {
		return fr.Now()
	}
	return time.Now()
}
