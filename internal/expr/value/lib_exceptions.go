package value

import "strings"

// exceptionTypes are the exception types an expression can name (in catch,
// new and throw), each after its .NET base type: catch (ArgumentException)
// catches an ArgumentNullException, catch (JsonException) a
// JsonReaderException, as in .NET.
var exceptionTypes = []struct{ full, base string }{
	{"System.SystemException", ExException},
	{"System.ApplicationException", ExException},
	{ExArgument, "System.SystemException"},
	{ExArgNull, ExArgument},
	{ExArgRange, ExArgument},
	{"System.ArithmeticException", "System.SystemException"},
	{ExDivZero, "System.ArithmeticException"},
	{ExOverflow, "System.ArithmeticException"},
	{ExFormat, "System.SystemException"},
	{"System.UriFormatException", ExFormat},
	{ExInvalidCast, "System.SystemException"},
	{ExNullRef, "System.SystemException"},
	{ExIndexRange, "System.SystemException"},
	{ExInvalidOp, "System.SystemException"},
	{"System.ObjectDisposedException", ExInvalidOp},
	{ExNotSupported, "System.SystemException"},
	{ExPlatformNotSupported, ExNotSupported},
	{ExKeyNotFound, "System.SystemException"},
	{"System.TimeoutException", "System.SystemException"},
	{ExRegexTimeout, "System.TimeoutException"},
	{"System.OperationCanceledException", "System.SystemException"},
	{"System.OutOfMemoryException", "System.SystemException"},
	{"System.TimeZoneNotFoundException", ExException},
	{ExCrypto, "System.SystemException"},
	{"System.Xml.XmlException", "System.SystemException"},
	{"Newtonsoft.Json.JsonException", ExException},
	{ExJSONReader, "Newtonsoft.Json.JsonException"},
	{ExJSONSerialization, "Newtonsoft.Json.JsonException"},
	{"Newtonsoft.Json.JsonWriterException", "Newtonsoft.Json.JsonException"},
}

// buildExceptionTypes registers exceptionTypes under ex, System.Exception.
func (u *Lib) buildExceptionTypes(ex *Type) {
	for _, e := range exceptionTypes {
		if u.Types[e.full] != nil {
			continue // built with more members elsewhere
		}
		name := e.full
		t := u.newType(name[strings.LastIndexByte(name, '.')+1:], name, u.Types[e.base])
		t.New = func(c Call) Value {
			e := &Exception{Type: name, Message: "Exception of type '" + name + "' was thrown.", Pos: -1, End: -1}
			if c.Has(0) {
				e.Message = c.Str(0)
			}
			return e
		}
	}
}

// ExceptionIs reports whether an exception of type full (a .NET full name)
// is an instance of the exception type t: t itself or one of its bases.
// An exception type the library does not know matches its own name only.
func ExceptionIs(full string, t *Type) bool {
	if full == t.FullName {
		return true
	}
	for x := Universe().Types[full]; x != nil; x = x.Base {
		if x == t {
			return true
		}
	}
	return false
}
