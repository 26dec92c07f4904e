package value

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/tollgate/tollgate/internal/dotnet"
	"github.com/tollgate/tollgate/internal/jsonx"
)

// Stringer is implemented by host values with a .NET ToString().
type Stringer interface {
	DotnetString() string
}

// ToString formats v as Convert.ToString(v, CultureInfo.InvariantCulture)
// does; null gives "".
func ToString(v Value) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return FormatDouble(x)
	case float32:
		s, _ := dotnet.FormatSingle(x, "")
		return s
	case dotnet.Decimal:
		return x.String()
	case Char:
		return string(rune(x))
	case time.Time:
		return FormatDateTime(x, "")
	case TimeSpan:
		return FormatTimeSpan(x)
	case DateTimeOffset:
		return FormatDateTimeOffset(x, "")
	case Guid:
		return x.String()
	case Enum:
		return x.Name
	case *jsonx.Token:
		return x.String()
	case Stringer:
		return x.DotnetString()
	case KeyValue:
		return "[" + ToString(x.Key) + ", " + ToString(x.Value) + "]"
	case *Object:
		var b strings.Builder
		b.WriteString("{ ")
		for i, n := range x.Names {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(n)
			b.WriteString(" = ")
			b.WriteString(ToString(x.Values[i]))
		}
		b.WriteString(" }")
		return b.String()
	}
	return TypeName(v)
}

// FormatDouble formats f as .NET's double.ToString() with the invariant
// culture (shortest round-trip text).
func FormatDouble(f float64) string { return dotnet.DoubleToString(f) }

func (g Guid) String() string {
	var b [36]byte
	hex.Encode(b[0:8], g[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], g[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], g[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], g[8:10])
	b[23] = '-'
	hex.Encode(b[24:], g[10:])
	return string(b[:])
}

// ParseGuid parses the D, N, B and P formats.
func ParseGuid(s string) (Guid, bool) {
	var g Guid
	s = strings.TrimSpace(s)
	if len(s) == 38 && (s[0] == '{' && s[37] == '}' || s[0] == '(' && s[37] == ')') {
		s = s[1:37]
	}
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return g, false
		}
		s = s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(s) != 32 {
		return g, false
	}
	if _, err := hex.Decode(g[:], []byte(s)); err != nil {
		return g, false
	}
	return g, true
}

// IsNumeric reports whether v is a number.
func IsNumeric(v Value) bool {
	switch v.(type) {
	case int32, int64, float64, uint8, Char, float32, dotnet.Decimal, int8, int16, uint16, uint32, uint64:
		return true
	}
	return false
}

// AsInt64 converts an integral value (a ulong past long.MaxValue keeps its
// bits: use AsUint64 or IsBigUlong where that matters).
func AsInt64(v Value) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case Char:
		return int64(x), true
	case int16:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint64:
		return int64(x), true
	}
	return 0, false
}

// AsFloat converts a numeric value.
func AsFloat(v Value) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case dotnet.Decimal:
		return x.Float64(), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint8:
		return float64(x), true
	case Char:
		return float64(x), true
	case int16:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case int8:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// Equal implements == for values of any type (reference equality for
// reference types other than string, value equality for numbers, strings
// and value types).
func Equal(a, b Value) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			switch b.(type) {
			case XName, XNamespace:
				return Equal(b, a)
			}
		}
		return ok && x == y
	case XName:
		if s, ok := b.(string); ok {
			return x.DotnetString() == s
		}
		y, ok := b.(XName)
		return ok && x == y
	case XNamespace:
		if s, ok := b.(string); ok {
			return x.URI == s
		}
		y, ok := b.(XNamespace)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		if _, isDec := b.(dotnet.Decimal); isDec {
			return false
		}
		y, ok := AsFloat(b)
		return ok && x == y
	case float32, dotnet.Decimal:
		r, ok := Compare(a, b)
		return ok && r == 0
	case int32, int64, uint8, Char, int8, int16, uint16, uint32, uint64:
		if r, ok, handled := compareUlong(a, b); handled {
			return ok && r == 0
		}
		if _, ok := b.(dotnet.Decimal); ok {
			r, _ := Compare(a, b)
			return r == 0
		}
		if _, ok := b.(float32); ok {
			xf, _ := AsFloat(a)
			yf, _ := AsFloat(b)
			return xf == yf
		}
		if f, ok := b.(float64); ok {
			xf, _ := AsFloat(a)
			return xf == f
		}
		xi, _ := AsInt64(a)
		yi, ok := AsInt64(b)
		return ok && xi == yi
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case DateTimeOffset: // the same instant, whatever the offsets
		y, ok := b.(DateTimeOffset)
		return ok && x.T.Equal(y.T)
	case Enum:
		y, ok := b.(Enum)
		return ok && x.T == y.T && x.V == y.V
	case KeyValue:
		y, ok := b.(KeyValue)
		return ok && Equal(x.Key, y.Key) && Equal(x.Value, y.Value)
	case *Object:
		y, ok := b.(*Object)
		if !ok || len(x.Names) != len(y.Names) {
			return false
		}
		for i := range x.Names {
			if x.Names[i] != y.Names[i] || !Equals(x.Values[i], y.Values[i]) {
				return false
			}
		}
		return true
	case Equaler:
		return x.DotnetEquals(b)
	}
	defer func() { recover() }()
	return a == b
}

// Equaler is implemented by host values with value equality.
type Equaler interface {
	DotnetEquals(other Value) bool
}

// Equals implements object.Equals(a, b): like == but numbers of different
// types are not equal.
func Equals(a, b Value) bool {
	if IsNumeric(a) && IsNumeric(b) && TypeOf(a) != TypeOf(b) {
		return false
	}
	return Equal(a, b)
}

// Compare orders two values of the same kind: numbers, strings (ordinal),
// dates, time spans, chars. ok is false when they are not comparable.
func Compare(a, b Value) (int, bool) {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return CompareStrings(x, y, false), true
	case time.Time:
		y, ok := b.(time.Time)
		if !ok {
			return 0, false
		}
		return x.Compare(y), true
	case DateTimeOffset: // by instant
		y, ok := b.(DateTimeOffset)
		if !ok {
			return 0, false
		}
		return x.T.Compare(y.T), true
	case TimeSpan:
		y, ok := b.(TimeSpan)
		if !ok {
			return 0, false
		}
		return cmp3(x < y, x > y), true
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		return cmp3(!x && y, x && !y), true
	}
	if da, ok := toDecimal(a); ok {
		if db, ok := toDecimal(b); ok {
			if _, isDec := a.(dotnet.Decimal); isDec {
				return da.Cmp(db), true
			}
			if _, isDec := b.(dotnet.Decimal); isDec {
				return da.Cmp(db), true
			}
		}
	}
	if r, ok, handled := compareUlong(a, b); handled {
		return r, ok
	}
	if xi, ok := AsInt64(a); ok {
		if yi, ok := AsInt64(b); ok {
			return cmp3(xi < yi, xi > yi), true
		}
	}
	xf, ok1 := AsFloat(a)
	yf, ok2 := AsFloat(b)
	if ok1 && ok2 {
		return cmp3(xf < yf, xf > yf), true
	}
	return 0, false
}

func cmp3(lt, gt bool) int {
	if lt {
		return -1
	}
	if gt {
		return 1
	}
	return 0
}

// CompareStrings compares two strings as the invariant culture does
// (string.Compare, CompareTo, OrderBy): letters alphabetically whatever their
// case, digits before letters, punctuation and symbols before digits in the
// root collation order; among strings equal but for case, lower case first.
// ignoreCase drops that last rule. The result is -1, 0 or 1.
func CompareStrings(a, b string, ignoreCase bool) int {
	if a == b {
		return 0
	}
	ra, rb := []rune(a), []rune(b)
	caseDiff := 0
	for i := 0; i < len(ra) && i < len(rb); i++ {
		wa, wb := primaryWeight(ra[i]), primaryWeight(rb[i])
		if wa != wb {
			return cmp3(wa < wb, wa > wb)
		}
		if caseDiff == 0 && ra[i] != rb[i] {
			// same primary weight: lower case sorts first
			caseDiff = cmp3(unicode.IsLower(ra[i]) && !unicode.IsLower(rb[i]), !unicode.IsLower(ra[i]) && unicode.IsLower(rb[i]))
		}
	}
	if len(ra) != len(rb) {
		return cmp3(len(ra) < len(rb), len(ra) > len(rb))
	}
	if ignoreCase {
		return 0
	}
	return caseDiff
}

// rootPunctuation lists the ASCII punctuation and symbols in the order of
// the root collation; they sort before digits and letters.
const rootPunctuation = "\t\n\v\f\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"

func primaryWeight(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return 1000 + int(r-'0')
	case r < 128:
		if i := strings.IndexRune(rootPunctuation, r); i >= 0 {
			return i
		}
		if unicode.IsLetter(r) {
			return 2000 + int(unicode.ToLower(r))
		}
		return 100 + int(r)
	}
	return 2000 + int(unicode.ToLower(r))
}

// CompareOrdinal compares two strings by UTF-16 code units as
// string.CompareOrdinal does: the difference of the first differing units,
// or of the lengths.
func CompareOrdinal(a, b string, ignoreCase bool) int {
	if ignoreCase {
		a, b = strings.ToUpper(a), strings.ToUpper(b)
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return int(ua[i]) - int(ub[i])
		}
	}
	return len(ua) - len(ub)
}
