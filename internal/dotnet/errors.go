package dotnet

import "fmt"

// Exception is a .NET exception raised by a formatting or parsing routine.
// Message is the exact text .NET puts in Exception.Message.
type Exception struct {
	// Type is the .NET exception type name, e.g. "System.FormatException".
	Type string
	// Message is the .NET message, e.g. "Format specifier was invalid.".
	Message string
}

// Error returns the .NET message.
func (e *Exception) Error() string { return e.Message }

// Exception type names used by this package.
const (
	FormatException             = "System.FormatException"
	OverflowException           = "System.OverflowException"
	ArgumentOutOfRangeException = "System.ArgumentOutOfRangeException"
	ArgumentNullException       = "System.ArgumentNullException"
	DivideByZeroException       = "System.DivideByZeroException"
)

func newFormatError(msg string) *Exception {
	return &Exception{Type: FormatException, Message: msg}
}

func errBadFormatSpecifier() *Exception {
	return newFormatError("Format specifier was invalid.")
}

func errInputFormat(s string) *Exception {
	return newFormatError(fmt.Sprintf("The input string '%s' was not in a correct format.", s))
}

// errOverflow builds .NET's overflow message; what is the article and type
// as .NET words it, e.g. "an Int32", "a UInt64", "a Decimal".
func errOverflow(what string) *Exception {
	return &Exception{Type: OverflowException, Message: "Value was either too large or too small for " + what + "."}
}
