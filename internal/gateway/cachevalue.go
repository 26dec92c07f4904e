package gateway

import (
	"strconv"

	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/jsonx"
)

// cache-store-value keeps the value of its expression, not its text: APIM
// caches the object, so a value stored as an int is read back by
// cache-lookup-value as an int, and a JArray as a JArray (policies cast it:
// (int)context.Variables["backend-counter"], (JArray)context.Variables["list"]).
// The bytes in the cache carry the type in a tag: valueTag, one type letter,
// then the value's text. Bytes without the tag (written by an older tollgate)
// read back as a string.
const valueTag = 0

// encodeCacheValue returns the bytes cache-store-value keeps for v. Values
// of other types than those below are kept as their text (a string), as
// tollgate did before.
func encodeCacheValue(v expr.Value) []byte {
	tagged := func(kind byte, text string) []byte {
		return append([]byte{valueTag, kind}, text...)
	}
	switch x := v.(type) {
	case nil:
		return tagged('n', "")
	case bool:
		return tagged('b', strconv.FormatBool(x))
	case int32:
		return tagged('i', strconv.FormatInt(int64(x), 10))
	case int64:
		return tagged('l', strconv.FormatInt(x, 10))
	case float64:
		return tagged('d', strconv.FormatFloat(x, 'g', -1, 64))
	case *jsonx.Token:
		if x == nil {
			return tagged('n', "")
		}
		return tagged('j', x.Compact())
	case string:
		return tagged('s', x)
	}
	return tagged('s', expr.ToString(v))
}

// decodeCacheValue returns the value encodeCacheValue encoded in b.
func decodeCacheValue(b []byte) expr.Value {
	if len(b) < 2 || b[0] != valueTag {
		return string(b)
	}
	text := string(b[2:])
	switch b[1] {
	case 'n':
		return nil
	case 'b':
		return text == "true"
	case 'i':
		if n, err := strconv.ParseInt(text, 10, 32); err == nil {
			return int32(n)
		}
	case 'l':
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n
		}
	case 'd':
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f
		}
	case 'j':
		if t, err := jsonx.Parse(text); err == nil {
			return t
		}
	}
	return text
}
