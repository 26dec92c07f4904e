package value

import (
	"fmt"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// Str returns argument i as a string; null stays "" with ok false.
func (c Call) Str(i int) string {
	if i >= len(c.Args) {
		return ""
	}
	switch x := c.Args[i].(type) {
	case string:
		return x
	case nil:
		return ""
	case Char:
		return string(rune(x))
	}
	return ToString(c.Args[i])
}

// IsNull reports whether argument i is null or missing.
func (c Call) IsNull(i int) bool { return i >= len(c.Args) || c.Args[i] == nil }

// NotNull raises ArgumentNullException when argument i is null.
func (c Call) NotNull(i int, name string) {
	if c.IsNull(i) {
		panic(&Exception{Type: ExArgNull, Message: fmt.Sprintf("Value cannot be null. (Parameter '%s')", name), Pos: -1, End: -1})
	}
}

// Int returns argument i as an int.
func (c Call) Int(i int) int {
	if i >= len(c.Args) {
		return 0
	}
	if n, ok := AsInt64(c.Args[i]); ok {
		return int(n)
	}
	if f, ok := c.Args[i].(float64); ok {
		return int(f)
	}
	ThrowCast(c.Args[i], "System.Int32")
	return 0
}

// Float returns argument i as a double.
func (c Call) Float(i int) float64 {
	if i >= len(c.Args) {
		return 0
	}
	if f, ok := AsFloat(c.Args[i]); ok {
		return f
	}
	ThrowCast(c.Args[i], "System.Double")
	return 0
}

// Bool returns argument i as a bool.
func (c Call) Bool(i int) bool {
	if i >= len(c.Args) {
		return false
	}
	b, ok := c.Args[i].(bool)
	if !ok {
		ThrowCast(c.Args[i], "System.Boolean")
	}
	return b
}

// Has reports whether argument i was passed.
func (c Call) Has(i int) bool { return i < len(c.Args) }

// TArg returns generic type argument i, or nil.
func (c Call) TArg(i int) *Type {
	if i < len(c.TArgs) {
		return c.TArgs[i]
	}
	return nil
}

// FormatNumber formats a number with a .NET standard or custom numeric
// format string (invariant culture); "" is the default ToString().
func FormatNumber(v Value, format string) string {
	if format == "" {
		return ToString(v)
	}
	var out string
	var err error
	switch x := v.(type) {
	case float64:
		out, err = dotnet.FormatDouble(x, format)
	case float32:
		out, err = dotnet.FormatSingle(x, format)
	case dotnet.Decimal:
		out, err = x.Format(format)
	case int32:
		out, err = dotnet.FormatIntN(int64(x), 32, format)
	case int64:
		out, err = dotnet.FormatIntN(x, 64, format)
	case uint8:
		out, err = dotnet.FormatIntN(int64(x), 8, format)
	case Char:
		out, err = dotnet.FormatIntN(int64(x), 32, format)
	case int8:
		out, err = dotnet.FormatIntN(int64(x), 8, format)
	case int16:
		out, err = dotnet.FormatIntN(int64(x), 16, format)
	case uint16:
		out, err = dotnet.FormatIntN(int64(x), 16, format)
	case uint32:
		out, err = dotnet.FormatIntN(int64(x), 32, format)
	case uint64:
		out, err = dotnet.FormatUint(x, format)
	default:
		return ToString(v)
	}
	if err != nil {
		throwDotnet(err)
	}
	return out
}

// throwDotnet raises the .NET exception carried by an error of package dotnet.
func throwDotnet(err error) {
	if e, ok := err.(*dotnet.Exception); ok {
		panic(&Exception{Type: e.Type, Message: e.Message, Pos: -1, End: -1})
	}
	panic(&Exception{Type: ExFormat, Message: err.Error(), Pos: -1, End: -1})
}

// Bytes returns argument i as a byte[] or raises InvalidCastException.
func (c Call) Bytes(i int) []byte {
	c.NotNull(i, "bytes")
	b, ok := c.Args[i].([]byte)
	if !ok {
		ThrowCast(c.Args[i], "System.Byte[]")
	}
	return b
}

// TimeSpan returns argument i as a TimeSpan or raises InvalidCastException.
func (c Call) TimeSpan(i int) TimeSpan {
	ts, ok := c.Args[i].(TimeSpan)
	if !ok {
		ThrowCast(c.Args[i], "System.TimeSpan")
	}
	return ts
}

// Arg returns argument i, or nil when it is missing.
func (c Call) Arg(i int) Value {
	if i < len(c.Args) {
		return c.Args[i]
	}
	return nil
}
