package jsonx

import (
	"encoding/base64"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// Newline is the line end of indented output. Json.NET writes
// Environment.NewLine: "\n" on Linux, where APIM's self-hosted gateway and
// tollgate run ("\r\n" on the Windows hosts of the managed gateway's
// classic tiers). tollgate writes "\n".
const Newline = "\n"

// String is JToken.ToString(): JSON indented with two spaces for
// containers and properties, and for values the .NET text of the value
// (a string without quotes, "True", "" for null, dates as
// "MM/dd/yyyy HH:mm:ss").
func (t *Token) String() string {
	if t == nil {
		return ""
	}
	if t.IsValue() {
		return t.valueText()
	}
	return string(t.AppendJSON(nil, true))
}

// Compact is JToken.ToString(Formatting.None).
func (t *Token) Compact() string { return string(t.AppendJSON(nil, false)) }

// JSON returns the token as JSON text; for values this differs from
// String (strings are quoted and escaped).
func (t *Token) JSON(indented bool) string { return string(t.AppendJSON(nil, indented)) }

// AppendJSON appends the JSON text of t to dst.
func (t *Token) AppendJSON(dst []byte, indented bool) []byte {
	return t.write(dst, indented, 0, Newline)
}

// AppendIndented appends indented JSON using the given line end, for
// reproducing a gateway whose Environment.NewLine is "\n" (Linux).
func (t *Token) AppendIndented(dst []byte, newline string) []byte {
	return t.write(dst, true, 0, newline)
}

func appendIndent(dst []byte, depth int, nl string) []byte {
	dst = append(dst, nl...)
	for range depth {
		dst = append(dst, ' ', ' ')
	}
	return dst
}

func (t *Token) write(dst []byte, indented bool, depth int, nl string) []byte {
	switch t.typ {
	case Object, Array:
		open, closeCh := byte('{'), byte('}')
		if t.typ == Array {
			open, closeCh = '[', ']'
		}
		dst = append(dst, open)
		// As Json.NET's writer: no comma before a comment, and a comment
		// does not count as the value a comma follows.
		wroteValue := false
		for _, c := range t.items {
			if c.typ != Comment {
				if wroteValue {
					dst = append(dst, ',')
				}
				wroteValue = true
			}
			if indented {
				dst = appendIndent(dst, depth+1, nl)
			}
			dst = c.write(dst, indented, depth+1, nl)
		}
		if indented && len(t.items) > 0 {
			dst = appendIndent(dst, depth, nl)
		}
		return append(dst, closeCh)
	case Constructor:
		// JsonTextWriter: "new Name(" and ")", values delimited and
		// indented as in an array; but a comment there counts as a value
		// (the writer's state after it is Constructor, not
		// ConstructorStart), and the closing parenthesis goes on its own
		// line even when there are no values.
		dst = append(dst, "new "...)
		dst = append(dst, t.str...)
		dst = append(dst, '(')
		for i, c := range t.items {
			if i > 0 && c.typ != Comment {
				dst = append(dst, ',')
			}
			if indented {
				dst = appendIndent(dst, depth+1, nl)
			}
			dst = c.write(dst, indented, depth+1, nl)
		}
		if indented {
			dst = appendIndent(dst, depth, nl)
		}
		return append(dst, ')')
	case Property:
		dst = appendQuoted(dst, t.str)
		dst = append(dst, ':')
		if indented {
			dst = append(dst, ' ')
		}
		return t.value.write(dst, indented, depth, nl)
	case String, Guid, Uri:
		return appendQuoted(dst, t.str)
	case Integer:
		if t.bigv() != nil {
			return t.bigv().Append(dst, 10)
		}
		return strconv.AppendInt(dst, t.num, 10)
	case Float:
		return appendJSONFloat(dst, t.f)
	case Boolean:
		if t.num != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Null:
		return append(dst, "null"...)
	case Undefined:
		return append(dst, "undefined"...)
	case Date:
		dst = append(dst, '"')
		dst = appendISODate(dst, t.dtv())
		return append(dst, '"')
	case Bytes:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, t.rawv())
		return append(dst, '"')
	case TimeSpan:
		return appendQuoted(dst, dotnet.TimeSpan(t.num).String())
	case Comment:
		dst = append(dst, "/*"...)
		dst = append(dst, t.str...)
		return append(dst, "*/"...)
	case Raw:
		return append(dst, t.str...)
	}
	return dst
}

// appendJSONFloat writes a double as Json.NET does: the shortest
// round-trip text with ".0" added to whole numbers; NaN and infinities are
// written as strings.
func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		dst = append(dst, '"')
		dst = dotnet.AppendDouble(dst, f)
		return append(dst, '"')
	}
	start := len(dst)
	dst = dotnet.AppendDouble(dst, f)
	for _, c := range dst[start:] {
		if c == '.' || c == 'E' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

// appendISODate writes "yyyy-MM-ddTHH:mm:ss[.FFFFFFF]" plus "Z" for Utc
// and "+00:00" for Local, as Json.NET's IsoDateFormat does.
func appendISODate(dst []byte, d dotnet.DateTime) []byte {
	dst, _ = d.AppendFormat(dst, "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK")
	return dst
}

const hexDigits = "0123456789abcdef"

// appendQuoted writes s as a double-quoted JSON string with Json.NET's
// default escaping.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s, '"')
	return append(dst, '"')
}

// appendEscaped writes s escaped as Json.NET's JavaScriptUtils does for the
// given quote character: the quote, backslashes, control characters,
// U+0085, U+2028 and U+2029 are escaped ("\u001f" style, lower-case hex);
// other non-ASCII text is kept. Invalid UTF-8 is written as U+FFFD.
func appendEscaped(dst []byte, s string, quote byte) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != quote && c != '\\' && c < 0x80 {
			i++
			continue
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, "\ufffd"...)
				i++
				start = i
				continue
			}
			if r != 0x85 && r != 0x2028 && r != 0x2029 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case quote, '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	return append(dst, s[start:]...)
}

// valueText is JValue.ToString(): the value formatted by .NET with the
// invariant culture.
func (t *Token) valueText() string {
	switch t.typ {
	case String, Guid, Uri, Comment, Raw:
		return t.str
	case Integer:
		if t.bigv() != nil {
			return t.bigv().String()
		}
		return strconv.FormatInt(t.num, 10)
	case Float:
		return dotnet.DoubleToString(t.f)
	case Boolean:
		if t.num != 0 {
			return "True"
		}
		return "False"
	case Date:
		return t.dtv().String()
	case Bytes:
		return "System.Byte[]"
	case TimeSpan:
		return dotnet.TimeSpan(t.num).String()
	}
	return ""
}
