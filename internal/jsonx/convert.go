package jsonx

import (
	"math"
	"math/big"
	"sort"

	"github.com/tollgate/tollgate/internal/dotnet"
)

func cannotConvert(t *Token, to string) error {
	return argErr("Can not convert " + unwrap(t).Type().String() + " to " + to + ".")
}

// unwrap replaces a property by its value, as Json.NET's casts do.
func unwrap(t *Token) *Token {
	if t != nil && t.typ == Property {
		return t.value
	}
	return t
}

// CannotConvert returns Json.NET's error for casting t to the .NET type
// named to ("Int64", "Boolean", ...), e.g. for a non-nullable cast of a
// null value: "Can not convert Null to Int64.".
func CannotConvert(t *Token, to string) error { return cannotConvert(t, to) }

// AsDecimal is the explicit (decimal) cast: integers exactly, floats
// through Convert.ToDecimal(double) (15 significant digits), strings
// through decimal.Parse.
func (t *Token) AsDecimal() (v dotnet.Decimal, ok bool, err error) {
	t = unwrap(t)
	if t == nil || t.typ == Null || t.typ == Undefined {
		return dotnet.Decimal{}, false, nil
	}
	switch t.typ {
	case Integer:
		if t.bigv() != nil {
			d, err := dotnet.ParseDecimal(t.bigv().String())
			return d, err == nil, err
		}
		return dotnet.DecimalFromInt64(t.num), true, nil
	case Float:
		d, err := dotnet.DecimalFromFloat64(t.f)
		return d, err == nil, err
	case Boolean:
		return dotnet.DecimalFromInt64(t.num), true, nil
	case String, Comment, Raw:
		d, err := dotnet.ParseDecimal(t.str)
		return d, err == nil, err
	}
	return dotnet.Decimal{}, false, cannotConvert(t, "Decimal")
}

// AsString is the explicit (string) cast and Value<string>(): null for a
// nil token or a null value (reported by ok=false), the raw text of
// strings, .NET invariant text for numbers, booleans and dates, and an
// error for objects, arrays and properties.
func (t *Token) AsString() (s string, ok bool, err error) {
	t = unwrap(t)
	if t == nil || t.typ == Null || t.typ == Undefined {
		return "", false, nil
	}
	switch t.typ {
	case Object, Array, Property, Constructor:
		return "", false, cannotConvert(t, "String")
	case Bytes:
		return string(base64Std(t.rawv())), true, nil
	case Float:
		// Convert.ToString(double, InvariantCulture)
		return dotnet.DoubleToString(t.f), true, nil
	}
	return t.valueText(), true, nil
}

// AsInt64 is the explicit (long) cast. Floats are rounded half to even
// (Convert.ToInt64(double)); strings are parsed with long.Parse; booleans
// give 1 or 0. The nullable cast (long?) maps null to ok=false; callers
// of the non-nullable cast report "Can not convert Null to Int64.".
func (t *Token) AsInt64() (v int64, ok bool, err error) {
	t = unwrap(t)
	if t == nil || t.typ == Null || t.typ == Undefined {
		return 0, false, nil
	}
	switch t.typ {
	case Integer:
		if t.bigv() != nil {
			return 0, false, &ConvertError{Type: dotnet.OverflowException, Message: "Value was either too large or too small for an Int64."}
		}
		return t.num, true, nil
	case Float:
		// Convert.ToInt64(double) is checked((long)Math.Round(value)).
		r := math.RoundToEven(t.f)
		if math.IsNaN(r) || r >= 9.223372036854775807e18 || r < -9.223372036854775808e18 {
			return 0, false, &ConvertError{Type: dotnet.OverflowException, Message: "Arithmetic operation resulted in an overflow."}
		}
		return int64(r), true, nil
	case Boolean:
		return t.num, true, nil
	case String, Comment, Raw:
		v, err := dotnet.ParseInt(t.str, 64)
		if err != nil {
			return 0, false, err
		}
		return v, true, nil
	}
	return 0, false, cannotConvert(t, "Int64")
}

// AsInt32 is the explicit (int) cast.
func (t *Token) AsInt32() (v int32, ok bool, err error) {
	t = unwrap(t)
	if t != nil && (t.typ == String || t.typ == Comment || t.typ == Raw) {
		x, err := dotnet.ParseInt(t.str, 32)
		return int32(x), err == nil, err
	}
	x, ok, err := t.AsInt64()
	if err != nil {
		if ce, isCE := err.(*ConvertError); isCE && ce.Type == "System.ArgumentException" {
			return 0, false, cannotConvert(t, "Int32")
		}
		return 0, false, &ConvertError{Type: dotnet.OverflowException, Message: "Value was either too large or too small for an Int32."}
	}
	if x < math.MinInt32 || x > math.MaxInt32 {
		return 0, false, &ConvertError{Type: dotnet.OverflowException, Message: "Value was either too large or too small for an Int32."}
	}
	return int32(x), ok, nil
}

// AsFloat64 is the explicit (double) cast.
func (t *Token) AsFloat64() (v float64, ok bool, err error) {
	t = unwrap(t)
	if t == nil || t.typ == Null || t.typ == Undefined {
		return 0, false, nil
	}
	switch t.typ {
	case Integer, Float:
		return numAsFloat(t), true, nil
	case Boolean:
		return float64(t.num), true, nil
	case String, Comment, Raw:
		f, err := dotnet.ParseDouble(t.str)
		if err != nil {
			return 0, false, err
		}
		return f, true, nil
	}
	return 0, false, cannotConvert(t, "Double")
}

// AsBool is the explicit (bool) cast: numbers are true when non-zero,
// strings go through bool.Parse.
func (t *Token) AsBool() (v bool, ok bool, err error) {
	t = unwrap(t)
	if t == nil || t.typ == Null || t.typ == Undefined {
		return false, false, nil
	}
	switch t.typ {
	case Boolean:
		return t.num != 0, true, nil
	case Integer:
		return t.num != 0 || t.bigv() != nil, true, nil
	case Float:
		return t.f != 0, true, nil
	case String, Comment, Raw:
		b, err := dotnet.ParseBool(t.str)
		if err != nil {
			return false, false, err
		}
		return b, true, nil
	}
	return false, false, cannotConvert(t, "Boolean")
}

// AsDateTime is the explicit (DateTime) cast: dates as they are, strings
// through DateTime.Parse.
func (t *Token) AsDateTime() (v dotnet.DateTime, ok bool, err error) {
	t = unwrap(t)
	if t == nil || t.typ == Null || t.typ == Undefined {
		return dotnet.DateTime{}, false, nil
	}
	switch t.typ {
	case Date:
		return t.dtv(), true, nil
	case String:
		d, err := dotnet.ParseDateTime(t.str)
		if err != nil {
			return dotnet.DateTime{}, false, err
		}
		return d, true, nil
	}
	return dotnet.DateTime{}, false, cannotConvert(t, "DateTime")
}

// FromValue is JToken.FromObject for Go values: nil, bool, signed and
// unsigned integers, float32/64, string, *big.Int, dotnet.DateTime,
// dotnet.TimeSpan, []byte, *Token (cloned when parented), []any,
// []string, map[string]any (keys sorted, since Go maps have no order) and
// map[string]string. Other types give an error.
func FromValue(v any) (*Token, error) {
	switch x := v.(type) {
	case nil:
		return NewNull(), nil
	case *Token:
		if x == nil {
			return NewNull(), nil
		}
		if x.parent != nil {
			return x.DeepClone(), nil
		}
		return x, nil
	case bool:
		return NewBool(x), nil
	case string:
		return NewString(x), nil
	case int:
		return NewInt(int64(x)), nil
	case int8:
		return NewInt(int64(x)), nil
	case int16:
		return NewInt(int64(x)), nil
	case int32:
		return NewInt(int64(x)), nil
	case int64:
		return NewInt(x), nil
	case uint8:
		return NewInt(int64(x)), nil
	case uint16:
		return NewInt(int64(x)), nil
	case uint32:
		return NewInt(int64(x)), nil
	case uint:
		return FromValue(uint64(x))
	case uint64:
		if x > math.MaxInt64 {
			return NewBigInt(new(big.Int).SetUint64(x)), nil
		}
		return NewInt(int64(x)), nil
	case float32:
		return NewFloat(float64(x)), nil
	case float64:
		return NewFloat(x), nil
	case *big.Int:
		return NewBigInt(x), nil
	case dotnet.DateTime:
		return NewDate(x), nil
	case dotnet.TimeSpan:
		return NewTimeSpan(x), nil
	case []byte:
		return NewBytes(x), nil
	case []string:
		a := NewArray()
		for _, s := range x {
			a.items = append(a.items, &Token{typ: String, str: s, parent: a})
		}
		return a, nil
	case []any:
		a := NewArray()
		for _, e := range x {
			c, err := FromValue(e)
			if err != nil {
				return nil, err
			}
			_ = a.Add(c)
		}
		return a, nil
	case map[string]string:
		o := NewObject()
		for _, k := range sortedKeys(x) {
			_ = o.Set(k, NewString(x[k]))
		}
		return o, nil
	case map[string]any:
		o := NewObject()
		for _, k := range sortedKeys(x) {
			c, err := FromValue(x[k])
			if err != nil {
				return nil, err
			}
			_ = o.Set(k, c)
		}
		return o, nil
	}
	return nil, argErr("Could not determine JSON object type for type " + typeName(v) + ".")
}

func typeName(v any) string {
	switch v.(type) {
	case complex64, complex128:
		return "System.Numerics.Complex"
	}
	return "System.Object"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
