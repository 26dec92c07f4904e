package liquid

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// maxDepth bounds the nesting of JSON and XML bodies.
const maxDepth = 256

// jsonParser turns a JSON document into template values: *object for
// objects, []any for arrays, int or float64 for numbers, string, bool, nil,
// and dotnet.DateTime for ISO 8601 date-time strings when dates are parsed.
type jsonParser struct {
	src    string // one copy of the body; strings without escapes are slices of it
	pos    int
	depth  int
	dates  bool
	mem    int // estimated bytes of the parsed body so far
	maxMem int
}

// valueCost estimates the memory one parsed value takes beyond its text:
// its slot in an array or object (with the slack of growing them) and,
// for objects, the object itself.
const valueCost = 40

// bodyMemoryBudget is the error of a body whose parsed form would take more
// than max bytes.
func bodyMemoryBudget(max int) *BudgetError {
	return &BudgetError{Budget: "body memory", Limit: max, Unit: "bytes", What: "the parsed body would be larger"}
}

// parseJSON parses a JSON body whose parsed form may take up to maxMem
// bytes (estimated).
func parseJSON(src []byte, dates bool, maxMem int) (any, error) {
	if len(src) > maxMem {
		return nil, bodyMemoryBudget(maxMem)
	}
	p := jsonParser{src: string(src), dates: dates, mem: len(src), maxMem: maxMem}
	p.space()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %q after the top-level value", p.src[p.pos])
	}
	return v, nil
}

func (p *jsonParser) errorf(format string, a ...any) error {
	return fmt.Errorf("offset %d: %s", p.pos, fmt.Sprintf(format, a...))
}

func (p *jsonParser) space() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (any, error) {
	if p.mem += valueCost; p.mem > p.maxMem {
		return nil, bodyMemoryBudget(p.maxMem)
	}
	if p.pos >= len(p.src) {
		return nil, p.errorf("unexpected end of input")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		if p.dates {
			if d, ok := jsonDate(s); ok {
				return d, nil
			}
		}
		return s, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case p.lit("true"):
		return true, nil
	case p.lit("false"):
		return false, nil
	case p.lit("null"):
		return nil, nil
	default:
		return nil, p.errorf("unexpected %q", c)
	}
}

func (p *jsonParser) lit(word string) bool {
	if strings.HasPrefix(p.src[p.pos:], word) {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("nesting deeper than %d levels", maxDepth)
	}
	p.pos++
	p.space()
	return nil
}

func (p *jsonParser) object() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	o := &object{entries: make([]entry, 0, 4)}
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.depth--
		return o, nil
	}
	for {
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errorf("expected a property name")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errorf("expected ':' after a property name")
		}
		p.pos++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if i := o.index(k); i >= 0 {
			o.entries[i].val = v // the last duplicate wins, as in Newtonsoft
		} else {
			o.add(k, v)
		}
		p.space()
		if p.pos >= len(p.src) {
			return nil, p.errorf("unexpected end of input in an object")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.space()
		case '}':
			p.pos++
			p.depth--
			return o, nil
		default:
			return nil, p.errorf("expected ',' or '}' in an object")
		}
	}
}

func (p *jsonParser) array() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	a := []any{}
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.depth--
		return a, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.space()
		if p.pos >= len(p.src) {
			return nil, p.errorf("unexpected end of input in an array")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.space()
		case ']':
			p.pos++
			p.depth--
			return a, nil
		default:
			return nil, p.errorf("expected ',' or ']' in an array")
		}
	}
}

func (p *jsonParser) number() (any, error) {
	start := p.pos
	isFloat := false
	if p.src[p.pos] == '-' {
		p.pos++
	}
	digits := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-':
			isFloat = true
		default:
			goto done
		}
		p.pos++
	}
done:
	text := p.src[start:p.pos]
	if p.pos == digits {
		return nil, p.errorf("invalid number %q", text)
	}
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			if n >= math.MinInt && n <= math.MaxInt {
				return int(n), nil
			}
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return f, nil
		}
		return nil, p.errorf("invalid number %q", text)
	}
	return f, nil
}

func (p *jsonParser) str() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '"' {
			s := p.src[start:p.pos]
			p.pos++
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.pos++
	}
	buf := append([]byte(nil), p.src[start:p.pos]...)
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("control character in a string")
		case c == '\\':
			if p.pos+1 >= len(p.src) {
				return "", p.errorf("unexpected end of input in a string")
			}
			e := p.src[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.errorf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					if p.pos+1 < len(p.src) && p.src[p.pos] == '\\' && p.src[p.pos+1] == 'u' {
						save := p.pos
						p.pos += 2
						r2, ok := p.hex4()
						if ok {
							if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
								r = d
							} else {
								p.pos = save
								r = utf8.RuneError
							}
						} else {
							p.pos = save
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.errorf("invalid escape '\\%c'", e)
			}
		default:
			buf = append(buf, c)
			p.pos++
		}
	}
	return "", p.errorf("unexpected end of input in a string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.src) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.src[p.pos : p.pos+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}

// jsonDate applies Newtonsoft's DateParseHandling.DateTime test: a string
// of 19 to 40 characters that starts with a digit and has 'T' at index 10
// is read as an ISO 8601 date-time. A 'Z' suffix gives Kind Utc, an offset
// gives the local (UTC) clock time with Kind Local, neither gives Kind
// Unspecified.
func jsonDate(s string) (dotnet.DateTime, bool) {
	if len(s) < 19 || len(s) > 40 || s[0] < '0' || s[0] > '9' || s[10] != 'T' || s[4] != '-' || s[7] != '-' {
		return dotnet.DateTime{}, false
	}
	d, err := dotnet.ParseDateTime(s)
	if err != nil {
		return dotnet.DateTime{}, false
	}
	if s[len(s)-1] == 'Z' {
		d = d.SpecifyKind(dotnet.Utc)
	}
	return d, true
}

// appendJSON writes v as compact JSON; dates are written in the round-trip
// ("o") format.
func appendJSON(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, v)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case float64:
		return dotnet.AppendDouble(dst, v)
	case string:
		return appendJSONString(dst, v)
	case dotnet.DateTime:
		s, _ := v.Format("o")
		return appendJSONString(dst, s)
	case *object:
		dst = append(dst, '{')
		for i, e := range v.entries {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, e.key)
			dst = append(dst, ':')
			dst = appendJSON(dst, e.val)
		}
		return append(dst, '}')
	case []any:
		dst = append(dst, '[')
		for i, x := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, x)
		}
		return append(dst, ']')
	}
	return appendJSONString(dst, toString(v))
}

// appendJSONString writes s as a JSON string literal.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
