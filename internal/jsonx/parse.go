package jsonx

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is Json.NET's default JsonReader.MaxDepth.
const MaxDepth = 64

// frame is one open container while parsing. Its index counts elements
// that have started (Json.NET advances the position when a value token is
// set); name is the last property name read.
type frame struct {
	array bool
	name  string
	index int  // array: index of the current element, -1 before the first
	named bool // object: a property name has been read
}

type parser struct {
	slab    []Token  // tokens are carved from chunks to save allocations
	kids    []*Token // children of open containers, copied out on close
	src     string
	pos     int
	stack   []frame
	started bool // a token has been read (Json.NET's reader left State.Start)
	root    Type // container type being loaded, for "while loading" messages
}

// Parse is JToken.Parse: any JSON value.
func Parse(s string) (*Token, error) { return parseAs(s, None) }

// ParseObject is JObject.Parse.
func ParseObject(s string) (*Token, error) { return parseAs(s, Object) }

// ParseArray is JArray.Parse.
func ParseArray(s string) (*Token, error) { return parseAs(s, Array) }

func parseAs(s string, want Type) (tok *Token, err error) {
	if !utf8.ValidString(s) {
		s = sanitizeUTF8(s)
	}
	p := &parser{src: s}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*ParseError)
			if !ok {
				panic(r)
			}
			tok, err = nil, pe
		}
	}()
	what := "JToken"
	switch want {
	case Object:
		what = "JObject"
	case Array:
		what = "JArray"
	}
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, p.errAt("Error reading "+what+" from JsonReader.", p.pos)
	}
	c := p.src[p.pos]
	switch {
	case want == Object && c != '{':
		return nil, p.notA("JObject", "an object")
	case want == Array && c != '[':
		return nil, p.notA("JArray", "an array")
	}
	switch c {
	case '{':
		p.root = Object
	case '[':
		p.root = Array
	}
	tok = p.value()
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errAt("Additional text encountered after finished reading JSON content: "+p.charAt(p.pos)+".", p.pos)
	}
	return tok, nil
}

// sanitizeUTF8 replaces each invalid byte with U+FFFD, as decoding the
// body into a .NET string does.
func sanitizeUTF8(s string) string {
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

// notA reports that the first token is not the container a typed Parse
// wants; the reader has consumed that token (or a container's first
// character) when Json.NET reports it.
func (p *parser) notA(what, article string) *ParseError {
	var name string
	switch p.src[p.pos] {
	case '{':
		name = "StartObject"
		p.pos++
	case '[':
		name = "StartArray"
		p.pos++
	default:
		name = readerTokenName(p.value())
	}
	p.started = true
	p.stack = p.stack[:0]
	return p.errAt("Error reading "+what+" from JsonReader. Current JsonReader item is not "+article+": "+name+".", p.pos)
}

// readerTokenName is the JsonToken name a reader reports for the start of
// a token.
func readerTokenName(t *Token) string {
	switch t.typ {
	case Object:
		return "StartObject"
	case Array:
		return "StartArray"
	}
	return t.typ.String()
}

// lineCol converts a byte offset (Json.NET's current character position)
// to its line number and line position: the count of UTF-16 units before
// the offset on its line.
func (p *parser) lineCol(off int) (int, int) {
	line, col := 1, 0
	for i := 0; i < off && i < len(p.src); {
		c := p.src[i]
		switch {
		case c == '\n':
			line++
			col = 0
			i++
		case c == '\r':
			line++
			col = 0
			i++
			if i < len(p.src) && p.src[i] == '\n' {
				i++
			}
		case c < 0x80:
			col++
			i++
		default:
			r, size := utf8.DecodeRuneInString(p.src[i:])
			if r >= 0x10000 {
				col += 2
			} else {
				col++
			}
			i += size
		}
	}
	if !p.started && col == 0 {
		// Json.NET reports line 0 while nothing has been read.
		line = 0
	}
	return line, col
}

// path renders the reader's current JSONPath: every open container
// contributes its current element, except an innermost container that has
// not started one.
func (p *parser) path() string {
	var b strings.Builder
	for _, f := range p.stack {
		if f.array {
			if f.index < 0 {
				continue
			}
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(f.index))
			b.WriteByte(']')
			continue
		}
		if f.named {
			writePathName(&b, f.name)
		}
	}
	return b.String()
}

// pathSpecial holds the characters that make a property name print as
// ['name'] in a path.
const pathSpecial = ". '/\"[]()\t\n\r\f\b\\\u0085\u2028\u2029"

func writePathName(b *strings.Builder, name string) {
	if strings.ContainsAny(name, pathSpecial) {
		b.WriteString("['")
		b.Write(appendEscaped(nil, name, '\''))
		b.WriteString("']")
		return
	}
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.WriteString(name)
}

// errAt builds a parse error with the reader positioned at byte offset off.
func (p *parser) errAt(msg string, off int) *ParseError {
	line, col := p.lineCol(off)
	return newParseError(msg, p.path(), line, col)
}

func (p *parser) fail(msg string, off int) {
	panic(p.errAt(msg, off))
}

func (p *parser) charAt(off int) string {
	r, _ := utf8.DecodeRuneInString(p.src[off:])
	if r == utf8.RuneError {
		return "\ufffd"
	}
	return string(r)
}

// isNetSpace is char.IsWhiteSpace.
func isNetSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x85, 0xa0:
		return true
	}
	return r > 0xff && unicode.IsSpace(r)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			p.pos++
		case c == '/':
			p.skipComment()
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			if !isNetSpace(r) {
				return
			}
			p.pos += size
		default:
			return
		}
	}
}

func (p *parser) skipComment() {
	p.pos++
	if p.pos >= len(p.src) {
		p.fail("Unexpected end while parsing comment.", p.pos)
	}
	switch p.src[p.pos] {
	case '*':
		end := strings.Index(p.src[p.pos+1:], "*/")
		if end < 0 {
			p.fail("Unexpected end while parsing comment.", len(p.src))
		}
		p.pos += 1 + end + 2
	case '/':
		end := strings.IndexAny(p.src[p.pos+1:], "\r\n")
		if end < 0 {
			p.pos = len(p.src)
		} else {
			p.pos += 1 + end
		}
	default:
		p.fail("Error parsing comment. Expected: *, got "+p.charAt(p.pos)+".", p.pos)
	}
}

// slabSize is the number of tokens allocated at once while parsing.
const slabSize = 32

func (p *parser) newTok(t Token) *Token {
	if len(p.slab) == 0 {
		n := slabSize
		if rest := len(p.src) - p.pos; rest < 64 {
			n = 4
		}
		p.slab = make([]Token, n)
	}
	tok := &p.slab[0]
	p.slab = p.slab[1:]
	*tok = t
	return tok
}

// closeKids moves the children collected since mark into an exact-size
// slice owned by parent.
func (p *parser) closeKids(parent *Token, mark int) {
	n := len(p.kids) - mark
	if n > 0 {
		parent.items = make([]*Token, n)
		copy(parent.items, p.kids[mark:])
		clear(p.kids[mark:])
	}
	p.kids = p.kids[:mark]
}

// begin records that a value token has been set: the enclosing array moves
// to its next element.
func (p *parser) begin() {
	p.started = true
	if n := len(p.stack); n > 0 && p.stack[n-1].array {
		p.stack[n-1].index++
	}
}

func (p *parser) value() *Token {
	if p.pos >= len(p.src) {
		p.fail(p.endOfContent(), len(p.src))
	}
	c := p.src[p.pos]
	switch {
	case c == '{':
		p.begin()
		return p.object()
	case c == '[':
		p.begin()
		return p.array()
	case c == '"' || c == '\'':
		s := p.str()
		p.begin()
		if len(s) >= 9 && (s[0] == '/' || s[0] >= '0' && s[0] <= '9') {
			if d, ok := parseJSONDate(s); ok {
				return p.newTok(Token{typ: Date, num: d.Ticks(), dkind: d.Kind()})
			}
		}
		return p.newTok(Token{typ: String, str: s})
	case c == '-' && strings.HasPrefix(p.src[p.pos+1:], "I"):
		p.literal("-Infinity", "-Infinity")
		return NewFloat(math.Inf(-1))
	case c == '-' || c == '.' || (c >= '0' && c <= '9'):
		t := p.number()
		p.begin()
		return t
	case c == 't':
		p.literal("true", "boolean")
		return p.newTok(Token{typ: Boolean, num: 1})
	case c == 'f':
		p.literal("false", "boolean")
		return p.newTok(Token{typ: Boolean})
	case c == 'n':
		if p.pos+1 >= len(p.src) {
			p.fail("Unexpected end when reading JSON.", p.pos+1)
		}
		if p.src[p.pos+1] != 'u' {
			p.fail("Unexpected character encountered while parsing value: n.", p.pos)
		}
		p.literal("null", "null")
		return p.newTok(Token{typ: Null})
	case c == 'u':
		p.literal("undefined", "undefined")
		return NewUndefined()
	case c == 'N':
		p.literal("NaN", "NaN")
		return NewFloat(math.NaN())
	case c == 'I':
		p.literal("Infinity", "Infinity")
		return NewFloat(math.Inf(1))
	case c == ',':
		// An empty slot ("[1,,2]") is an undefined value; the comma is
		// left for the caller.
		p.begin()
		return NewUndefined()
	case c == ']' || c == ')':
		p.closeMismatch(c)
	}
	p.fail("Unexpected character encountered while parsing value: "+p.charAt(p.pos)+".", p.pos)
	return nil
}

// closeMismatch reports a closing bracket that does not match the open
// container, as the reader's ValidateEnd does.
func (p *parser) closeMismatch(c byte) {
	tok := map[byte]string{']': "EndArray", '}': "EndObject", ')': "EndConstructor"}[c]
	open := "None"
	if n := len(p.stack); n > 0 {
		open = "Object"
		if p.stack[n-1].array {
			open = "Array"
		}
		p.stack = p.stack[:n-1]
	}
	p.started = true
	p.fail("JsonToken "+tok+" is not valid for closing JsonType "+open+".", p.pos+1)
}

func (p *parser) endOfContent() string {
	if p.root == Array {
		return "Unexpected end of content while loading JArray."
	}
	return "Unexpected end of content while loading JObject."
}

// isSeparatorAt reports whether the character at off ends a literal.
func (p *parser) isSeparatorAt(off int) bool {
	if off >= len(p.src) {
		return true
	}
	switch c := p.src[off]; c {
	case '}', ']', ',', ' ', '\t', '\n', '\r':
		return true
	case '/':
		return off+1 < len(p.src) && (p.src[off+1] == '*' || p.src[off+1] == '/')
	default:
		if c >= 0x80 {
			r, _ := utf8.DecodeRuneInString(p.src[off:])
			return isNetSpace(r)
		}
		return c == '\v' || c == '\f'
	}
}

func (p *parser) literal(word, what string) {
	if len(p.src)-p.pos < len(word) {
		p.fail("Unexpected end when reading JSON.", len(p.src))
	}
	for i := 0; i < len(word); i++ {
		if p.src[p.pos+i] != word[i] {
			p.fail("Error parsing "+what+" value.", p.pos+i)
		}
	}
	p.pos += len(word)
	if !p.isSeparatorAt(p.pos) {
		p.fail("Error parsing "+what+" value.", p.pos)
	}
	p.begin()
}

// maxIntegerLength is the longest integer literal Json.NET parses.
const maxIntegerLength = 380

func isNumberChar(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		return true
	}
	return c == 'x' || c == 'X' || c == '.' || c == '-' || c == '+'
}

func (p *parser) number() *Token {
	start := p.pos
	for p.pos < len(p.src) && isNumberChar(p.src[p.pos]) {
		p.pos++
	}
	if p.pos < len(p.src) {
		c := p.src[p.pos]
		r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
		if !(isNetSpace(r) || c == ',' || c == '}' || c == ']' || c == ')' || c == '/') {
			p.fail("Unexpected character encountered while parsing number: "+p.charAt(p.pos)+".", p.pos)
		}
	}
	text := p.src[start:p.pos]
	bad := func() { p.fail("Input string '"+text+"' is not a valid number.", p.pos) }
	if len(text) == 1 && text[0] >= '0' && text[0] <= '9' {
		return p.newTok(Token{typ: Integer, num: int64(text[0] - '0')})
	}
	if len(text) > 1 && text[0] == '0' && text[1] != '.' && text[1] != 'e' && text[1] != 'E' {
		// Convert.ToInt64(text, 16) or (text, 8): two's complement, "0x" allowed.
		base, digits := 8, text
		if text[1] == 'x' || text[1] == 'X' {
			base, digits = 16, text[2:]
		}
		u, err := strconv.ParseUint(digits, base, 64)
		if err != nil || digits == "" {
			bad()
		}
		return NewInt(int64(u))
	}
	if v, ok, overflow := parseInt64(text); ok {
		return p.newTok(Token{typ: Integer, num: v})
	} else if overflow {
		if len(text) > maxIntegerLength {
			p.fail("JSON integer "+text+" is too large to parse.", p.pos)
		}
		b, _ := new(big.Int).SetString(text, 10)
		return &Token{typ: Integer, ext: b}
	}
	if !validFloatText(text) {
		bad()
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		bad()
	}
	return p.newTok(Token{typ: Float, f: f})
}

// parseInt64 mirrors Json.NET's ConvertUtils.Int64TryParse: an optional
// '-' and ASCII digits; any other character makes the text invalid (then
// it is tried as a double), too many digits report overflow.
func parseInt64(s string) (v int64, ok, overflow bool) {
	neg := len(s) > 1 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if s == "" {
		return 0, false, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false, false
		}
	}
	var u uint64
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, false, true
		}
		u = u*10 + d
	}
	if neg {
		if u > 1<<63 {
			return 0, false, true
		}
		return -int64(u), true, false
	}
	if u > math.MaxInt64 {
		return 0, false, true
	}
	return int64(u), true, false
}

// validFloatText checks the characters double.Parse with
// NumberStyles.Float could accept here.
func validFloatText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+') {
			return false
		}
	}
	return true
}

func (p *parser) str() string {
	q := p.src[p.pos]
	p.pos++
	var b []byte
	chunk := p.pos
	for {
		if p.pos >= len(p.src) {
			p.fail("Unterminated string. Expected delimiter: "+string(q)+".", len(p.src))
		}
		c := p.src[p.pos]
		if c == q {
			var s string
			if b == nil {
				s = p.src[chunk:p.pos]
			} else {
				s = string(append(b, p.src[chunk:p.pos]...))
			}
			p.pos++
			return s
		}
		if c != '\\' {
			p.pos++
			continue
		}
		b = append(b, p.src[chunk:p.pos]...)
		p.pos++
		if p.pos >= len(p.src) {
			p.fail("Unterminated string. Expected delimiter: "+string(q)+".", len(p.src))
		}
		e := p.src[p.pos]
		p.pos++
		switch e {
		case 'b':
			b = append(b, '\b')
		case 't':
			b = append(b, '\t')
		case 'n':
			b = append(b, '\n')
		case 'f':
			b = append(b, '\f')
		case 'r':
			b = append(b, '\r')
		case '\\', '"', '\'', '/':
			b = append(b, e)
		case 'u':
			r := p.hex4()
			if r >= 0xDC00 && r <= 0xDFFF {
				r = utf8.RuneError
			} else if r >= 0xD800 && r <= 0xDBFF {
				r = p.lowSurrogate(r)
			}
			b = utf8.AppendRune(b, r)
		default:
			p.fail("Bad JSON escape sequence: \\"+p.charAt(p.pos-1)+".", p.pos)
		}
		chunk = p.pos
	}
}

// lowSurrogate completes a high surrogate with a following \uDC00-\uDFFF
// escape; anything else turns the high surrogate into U+FFFD.
func (p *parser) lowSurrogate(hi rune) rune {
	if !strings.HasPrefix(p.src[p.pos:], "\\u") {
		return utf8.RuneError
	}
	save := p.pos
	p.pos += 2
	lo := p.hex4()
	if lo >= 0xDC00 && lo <= 0xDFFF {
		return utf16.DecodeRune(hi, lo)
	}
	p.pos = save
	return utf8.RuneError
}

func (p *parser) hex4() rune {
	if p.pos+4 > len(p.src) {
		p.fail("Unexpected end while parsing Unicode escape sequence.", p.pos)
	}
	v, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 16)
	if err != nil || strings.ContainsAny(p.src[p.pos:p.pos+4], "+-_") {
		p.fail("Invalid Unicode escape sequence: \\u"+p.src[p.pos:p.pos+4]+".", p.pos)
	}
	p.pos += 4
	return rune(v)
}

func (p *parser) push(f frame) {
	p.stack = append(p.stack, f)
	if len(p.stack) > MaxDepth {
		p.stack = p.stack[:len(p.stack)-1]
		p.fail("The reader's MaxDepth of "+strconv.Itoa(MaxDepth)+" has been exceeded.", p.pos)
	}
}

func (p *parser) pop() { p.stack = p.stack[:len(p.stack)-1] }

func (p *parser) object() *Token {
	p.pos++
	p.push(frame{})
	obj := p.newTok(Token{typ: Object})
	mark := len(p.kids)
	finish := func() *Token {
		p.closeKids(obj, mark)
		for _, prop := range obj.items {
			prop.parent = obj
		}
		if len(obj.items) > indexThreshold {
			obj.reindex()
		}
		return obj
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			p.fail(p.endOfContent(), len(p.src))
		}
		if p.src[p.pos] == '}' {
			p.pos++
			p.pop()
			return finish()
		}
		name := p.propertyName()
		fr := &p.stack[len(p.stack)-1]
		fr.name, fr.named = name, true
		p.skipSpace()
		v := p.value()
		prop := p.newTok(Token{typ: Property, str: name, value: v})
		v.parent = prop
		if i := p.findKid(mark, name); i >= 0 {
			// DuplicatePropertyNameHandling.Replace: the new property takes
			// the old one's place.
			p.kids[i] = prop
		} else {
			p.kids = append(p.kids, prop)
		}
		if p.postValue('}') {
			return finish()
		}
	}
}

// findKid returns the index in p.kids (from mark) of the property named
// name, or -1.
func (p *parser) findKid(mark int, name string) int {
	for i := mark; i < len(p.kids); i++ {
		if p.kids[i].str == name {
			return i
		}
	}
	return -1
}

// postValue consumes what follows a value inside a container: a comma
// (false) or the closing bracket (true, container popped).
func (p *parser) postValue(closeCh byte) bool {
	p.skipSpace()
	if p.pos >= len(p.src) {
		p.fail(p.endOfContent(), len(p.src))
	}
	switch c := p.src[p.pos]; c {
	case ',':
		p.pos++
		return false
	case '}', ']', ')':
		if c != closeCh {
			p.closeMismatch(c)
		}
		p.pos++
		p.pop()
		return true
	}
	p.fail("After parsing a value an unexpected character was encountered: "+p.charAt(p.pos)+".", p.pos)
	return false
}

func isIdentChar(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.No, r)
}

func (p *parser) propertyName() string {
	c := p.src[p.pos]
	var name string
	if c == '"' || c == '\'' {
		name = p.str()
	} else {
		r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
		if !isIdentChar(r) {
			p.fail("Invalid property identifier character: "+p.charAt(p.pos)+".", p.pos)
		}
		start := p.pos
		for {
			if p.pos >= len(p.src) {
				p.fail("Unexpected end while parsing unquoted property name.", p.pos)
			}
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			if isIdentChar(r) {
				p.pos += size
				continue
			}
			if r == ':' || isNetSpace(r) {
				break
			}
			p.fail("Invalid JavaScript property identifier character: "+p.charAt(p.pos)+".", p.pos)
		}
		name = p.src[start:p.pos]
	}
	for p.pos < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		if !isNetSpace(r) {
			break
		}
		p.pos += size
	}
	if p.pos >= len(p.src) {
		p.fail("Invalid character after parsing property name. Expected ':' but got: \x00.", p.pos)
	}
	if p.src[p.pos] != ':' {
		p.fail("Invalid character after parsing property name. Expected ':' but got: "+p.charAt(p.pos)+".", p.pos)
	}
	p.pos++
	return name
}

func (p *parser) array() *Token {
	p.pos++
	p.push(frame{array: true, index: -1})
	arr := p.newTok(Token{typ: Array})
	mark := len(p.kids)
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			p.fail(p.endOfContent(), len(p.src))
		}
		if p.src[p.pos] == ']' {
			p.pos++
			p.pop()
			break
		}
		v := p.value()
		v.parent = arr
		p.kids = append(p.kids, v)
		if p.postValue(']') {
			break
		}
	}
	p.closeKids(arr, mark)
	return arr
}
