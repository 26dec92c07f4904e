package xmlbody

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of JSON arrays and objects and of XML
// elements, so that hostile bodies cannot exhaust the stack.
const maxDepth = 1000

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jObject
	jArray
)

// jnode is one parsed JSON value. Object properties keep their order (a
// repeated name replaces the first one's value); numbers keep their
// literal text.
type jnode struct {
	kind  jkind
	off   int    // byte offset of the value in the body
	text  string // string value, number literal, or "true"/"false"
	props []jprop
	items []*jnode
}

type jprop struct {
	name string
	off  int // byte offset of the property name
	val  *jnode
}

// jsonParser is a strict RFC 8259 parser producing a jnode tree. Invalid
// UTF-8 and lone surrogate escapes become U+FFFD.
type jsonParser struct {
	src   []byte
	text  string // src as a string, so that values can share its memory
	pos   int
	sb    strings.Builder
	nodes []jnode  // slab the nodes are carved from
	props []jprop  // scratch stack of properties of open objects
	items []*jnode // scratch stack of items of open arrays
	mem   meter    // estimated bytes of the tree
}

// node returns a new node, carved from a slab to save allocations.
func (p *jsonParser) node(k jkind, off int) *jnode {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = make([]jnode, 0, min(256, 16+len(p.src)/16))
	}
	p.nodes = append(p.nodes, jnode{kind: k, off: off})
	return &p.nodes[len(p.nodes)-1]
}

func parseJSON(src []byte) (*jnode, error) { return parseJSONLimited(src, DefaultMaxMemory) }

// parseJSONLimited parses src into a tree of at most maxMem estimated
// bytes (its text twice, and jsonNodeCost per value).
func parseJSONLimited(src []byte, maxMem int) (*jnode, error) {
	p := &jsonParser{src: src, mem: meter{max: maxMem}}
	if err := p.mem.charge(2 * len(src)); err != nil {
		return nil, err
	}
	p.text = string(src)
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		p.pos = 3
	}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errorf(p.pos, "unexpected %s after the JSON value", p.describe())
	}
	return v, nil
}

func (p *jsonParser) errorf(off int, format string, args ...any) error {
	return errorAt(p.src, off, format, args...)
}

// describe names the byte at p.pos for an error message.
func (p *jsonParser) describe() string {
	if p.pos >= len(p.src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	if r == utf8.RuneError {
		return "byte " + quoteRune(rune(p.src[p.pos]))
	}
	return "character " + quoteRune(r)
}

func quoteRune(r rune) string {
	if r < 0x20 || r == 0x7F {
		const hex = "0123456789ABCDEF"
		return "U+00" + string([]byte{hex[r>>4], hex[r&0xF]})
	}
	return "'" + string(r) + "'"
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (*jnode, error) {
	if err := p.mem.charge(jsonNodeCost); err != nil {
		return nil, err
	}
	if p.pos >= len(p.src) {
		return nil, p.errorf(p.pos, "unexpected end of input, expected a JSON value")
	}
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		n := p.node(jString, start)
		n.text = s
		return n, nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true", jBool)
	case c == 'f':
		return p.literal("false", jBool)
	case c == 'n':
		return p.literal("null", jNull)
	}
	return nil, p.errorf(p.pos, "unexpected %s, expected a JSON value", p.describe())
}

func (p *jsonParser) literal(word string, k jkind) (*jnode, error) {
	start := p.pos
	if !strings.HasPrefix(string(p.src[p.pos:min(len(p.src), p.pos+len(word))]), word) {
		return nil, p.errorf(p.pos, "unexpected %s, expected a JSON value", p.describe())
	}
	p.pos += len(word)
	n := p.node(k, start)
	n.text = word
	return n, nil
}

func (p *jsonParser) number() (*jnode, error) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.src[p.pos] == '-' {
		p.pos++
	}
	intStart := p.pos
	if n := digits(); n == 0 {
		return nil, p.errorf(p.pos, "unexpected %s in number, expected a digit", p.describe())
	} else if n > 1 && p.src[intStart] == '0' {
		return nil, p.errorf(intStart, "number has a leading zero")
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.errorf(p.pos, "unexpected %s in number, expected a digit after '.'", p.describe())
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.errorf(p.pos, "unexpected %s in number, expected an exponent digit", p.describe())
		}
	}
	n := p.node(jNumber, start)
	n.text = p.text[start:p.pos]
	return n, nil
}

// str reads a string starting at the opening quote and returns its value.
func (p *jsonParser) str() (string, error) {
	start := p.pos
	p.pos++ // opening quote
	// Fast path: no escapes and valid UTF-8.
	for i := p.pos; i < len(p.src); i++ {
		c := p.src[i]
		if c == '"' {
			if utf8.Valid(p.src[p.pos:i]) {
				s := p.text[p.pos:i]
				p.pos = i + 1
				return s, nil
			}
			break
		}
		if c == '\\' {
			break
		}
	}
	p.sb.Reset()
	for {
		if p.pos >= len(p.src) {
			return "", p.errorf(start, "unterminated string")
		}
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return p.sb.String(), nil
		case c == '\\':
			if err := p.escape(); err != nil {
				return "", err
			}
		case c < utf8.RuneSelf:
			p.sb.WriteByte(c)
			p.pos++
		default:
			r, n := utf8.DecodeRune(p.src[p.pos:])
			p.sb.WriteRune(r) // RuneError for invalid bytes: U+FFFD
			p.pos += n
		}
	}
}

func (p *jsonParser) escape() error {
	at := p.pos
	p.pos++
	if p.pos >= len(p.src) {
		return p.errorf(at, "unterminated escape sequence")
	}
	c := p.src[p.pos]
	p.pos++
	switch c {
	case '"', '\\', '/':
		p.sb.WriteByte(c)
	case 'b':
		p.sb.WriteByte('\b')
	case 'f':
		p.sb.WriteByte('\f')
	case 'n':
		p.sb.WriteByte('\n')
	case 'r':
		p.sb.WriteByte('\r')
	case 't':
		p.sb.WriteByte('\t')
	case 'u':
		r, ok := p.hex4()
		if !ok {
			return p.errorf(at, "invalid \\u escape")
		}
		if utf16.IsSurrogate(r) {
			if r < 0xDC00 && p.pos+1 < len(p.src) && p.src[p.pos] == '\\' && p.src[p.pos+1] == 'u' {
				save := p.pos
				p.pos += 2
				if r2, ok := p.hex4(); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						p.sb.WriteRune(dec)
						return nil
					}
				}
				p.pos = save
			}
			r = utf8.RuneError
		}
		p.sb.WriteRune(r)
	default:
		return p.errorf(at, "invalid escape sequence '\\%c'", c)
	}
	return nil
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.src) {
		return 0, false
	}
	var r rune
	for _, c := range p.src[p.pos : p.pos+4] {
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

func (p *jsonParser) object(depth int) (*jnode, error) {
	n := p.node(jObject, p.pos)
	if depth > maxDepth {
		return nil, p.errorf(p.pos, "JSON nesting deeper than %d levels", maxDepth)
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return n, nil
	}
	mark := len(p.props)
	defer func() { p.props = p.props[:mark] }()
	for {
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errorf(p.pos, "unexpected %s, expected a property name", p.describe())
		}
		noff := p.pos
		name, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errorf(p.pos, "unexpected %s, expected ':' after a property name", p.describe())
		}
		p.pos++
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		p.props = append(p.props, jprop{name: name, off: noff, val: v})
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			p.skipSpace()
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == '}' {
			p.pos++
			n.props = dedupe(append([]jprop(nil), p.props[mark:]...))
			return n, nil
		}
		return nil, p.errorf(p.pos, "unexpected %s, expected ',' or '}'", p.describe())
	}
}

func (p *jsonParser) array(depth int) (*jnode, error) {
	n := p.node(jArray, p.pos)
	if depth > maxDepth {
		return nil, p.errorf(p.pos, "JSON nesting deeper than %d levels", maxDepth)
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return n, nil
	}
	mark := len(p.items)
	defer func() { p.items = p.items[:mark] }()
	for {
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		p.items = append(p.items, v)
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			p.skipSpace()
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.pos++
			n.items = append([]*jnode(nil), p.items[mark:]...)
			return n, nil
		}
		return nil, p.errorf(p.pos, "unexpected %s, expected ',' or ']'", p.describe())
	}
}

// dedupe applies Json.NET's DuplicatePropertyNameHandling.Replace, the
// default when a JObject is loaded: a repeated name replaces the value of
// the first property with that name, which keeps its position.
func dedupe(props []jprop) []jprop {
	if len(props) < 2 {
		return props
	}
	out := props[:0]
	if len(props) <= 16 {
	next:
		for _, p := range props {
			for i := range out {
				if out[i].name == p.name {
					out[i].val = p.val
					continue next
				}
			}
			out = append(out, p)
		}
		return out
	}
	seen := make(map[string]int, len(props))
	for _, p := range props {
		if i, ok := seen[p.name]; ok {
			out[i].val = p.val
			continue
		}
		seen[p.name] = len(out)
		out = append(out, p)
	}
	return out
}
