package kql

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// tokKind classifies a token.
type tokKind int

const (
	tEOF      tokKind = iota
	tIdent            // name or keyword, including project-away and !has
	tInt              // 42
	tReal             // 1.5, 1e3
	tTimespan         // 5m, 1.5h, 100ms
	tString           // "x", 'x', @"x"
	tPunct            // operators and punctuation
)

// token is one lexical token; pos and end are byte offsets in the query.
type token struct {
	kind tokKind
	text string // source text; for tString the decoded value
	pos  int
	end  int
	ival int64
	fval float64
}

// lexer produces tokens on demand, so that the parser can read the raw text
// of datetime(...) literals itself.
type lexer struct {
	src string
	off int
}

// hyphenated are the operator names written with a dash.
var hyphenated = map[string]bool{
	"project-away": true, "project-rename": true, "project-keep": true, "project-reorder": true,
	"mv-expand": true, "mv-apply": true, "make-series": true, "parse-where": true, "top-nested": true, "top-hitters": true,
}

// negatedOps are the string operators that may be written with a leading '!'.
var negatedOps = map[string]bool{
	"in": true, "in~": true, "has": true, "has_cs": true, "contains": true, "contains_cs": true,
	"startswith": true, "startswith_cs": true, "endswith": true, "endswith_cs": true, "between": true,
	"hasprefix": true, "hassuffix": true, "has_any": true,
}

func isLetter(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// skipSpace skips white space and // comments.
func (lx *lexer) skipSpace() {
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			lx.off++
		case c == '/' && lx.off+1 < len(lx.src) && lx.src[lx.off+1] == '/':
			for lx.off < len(lx.src) && lx.src[lx.off] != '\n' {
				lx.off++
			}
		default:
			return
		}
	}
}

func (lx *lexer) ident() string {
	start := lx.off
	for lx.off < len(lx.src) && (isLetter(lx.src[lx.off]) || isDigit(lx.src[lx.off])) {
		lx.off++
	}
	return lx.src[start:lx.off]
}

// next returns the next token or an error.
func (lx *lexer) next() (token, *Error) {
	lx.skipSpace()
	start := lx.off
	if lx.off >= len(lx.src) {
		return token{kind: tEOF, pos: start, end: start}, nil
	}
	c := lx.src[lx.off]
	tok := token{pos: start}
	switch {
	case (c == '@' || c == 'h' || c == 'H') && lx.off+1 < len(lx.src) && (lx.src[lx.off+1] == '"' || lx.src[lx.off+1] == '\''):
		lx.off++
		s, err := lx.str(c == '@')
		if err != nil {
			return tok, err
		}
		tok.kind, tok.text = tString, s
	case c == 'h' && strings.HasPrefix(lx.src[lx.off:], "h@") && lx.off+2 < len(lx.src) && (lx.src[lx.off+2] == '"' || lx.src[lx.off+2] == '\''):
		lx.off += 2
		s, err := lx.str(true)
		if err != nil {
			return tok, err
		}
		tok.kind, tok.text = tString, s
	case isLetter(c):
		name := lx.ident()
		if lx.off+1 < len(lx.src) && lx.src[lx.off] == '-' && isLetter(lx.src[lx.off+1]) {
			save := lx.off
			lx.off++
			if full := name + "-" + lx.ident(); hyphenated[full] {
				name = full
			} else {
				lx.off = save
			}
		}
		if name == "in" && lx.off < len(lx.src) && lx.src[lx.off] == '~' {
			lx.off++
			name = "in~"
		}
		tok.kind, tok.text = tIdent, name
	case c == '[' && lx.off+1 < len(lx.src) && (lx.src[lx.off+1] == '\'' || lx.src[lx.off+1] == '"'):
		// ['column name']
		lx.off++
		s, err := lx.str(false)
		if err != nil {
			return tok, err
		}
		if lx.off >= len(lx.src) || lx.src[lx.off] != ']' {
			return tok, errorAt(lx.src, lx.off, "expected ']' to close the quoted name")
		}
		lx.off++
		tok.kind, tok.text = tIdent, s
	case isDigit(c) || c == '.' && lx.off+1 < len(lx.src) && isDigit(lx.src[lx.off+1]):
		if err := lx.number(&tok); err != nil {
			return tok, err
		}
	case c == '"' || c == '\'':
		s, err := lx.str(false)
		if err != nil {
			return tok, err
		}
		tok.kind, tok.text = tString, s
	case c == '!' && lx.off+1 < len(lx.src) && isLetter(lx.src[lx.off+1]):
		lx.off++
		name := lx.ident()
		if name == "in" && lx.off < len(lx.src) && lx.src[lx.off] == '~' {
			lx.off++
			name = "in~"
		}
		if !negatedOps[name] {
			return tok, errorAt(lx.src, start, "'!%s' is not an operator", name)
		}
		tok.kind, tok.text = tIdent, "!"+name
	default:
		tok.kind = tPunct
		for _, p := range [...]string{"==", "!=", "<>", "<=", ">=", "=~", "!~", "..", "=>"} {
			if strings.HasPrefix(lx.src[lx.off:], p) {
				tok.text = p
				break
			}
		}
		if tok.text == "" {
			if !strings.ContainsRune("|,()[]{}.=<>+-*/%;:", rune(c)) {
				r := []rune(lx.src[lx.off:])[0]
				return tok, errorAt(lx.src, start, "unexpected character %q", r)
			}
			tok.text = string(c)
		}
		lx.off += len(tok.text)
	}
	tok.end = lx.off
	if tok.kind != tString && tok.text == "" {
		tok.text = lx.src[start:lx.off]
	}
	return tok, nil
}

// str reads a quoted string at lx.off; verbatim strings take backslashes
// literally and double the quote to escape it.
func (lx *lexer) str(verbatim bool) (string, *Error) {
	start := lx.off
	q := lx.src[lx.off]
	lx.off++
	var b strings.Builder
	for {
		if lx.off >= len(lx.src) || lx.src[lx.off] == '\n' {
			return "", errorAt(lx.src, start, "unterminated string literal")
		}
		c := lx.src[lx.off]
		switch {
		case c == q && verbatim && lx.off+1 < len(lx.src) && lx.src[lx.off+1] == q:
			b.WriteByte(q)
			lx.off += 2
		case c == q:
			lx.off++
			return b.String(), nil
		case c == '\\' && !verbatim:
			if lx.off+1 >= len(lx.src) {
				return "", errorAt(lx.src, start, "unterminated string literal")
			}
			e := lx.src[lx.off+1]
			lx.off += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'u':
				if lx.off+4 > len(lx.src) {
					return "", errorAt(lx.src, lx.off-2, "invalid \\u escape")
				}
				n, err := strconv.ParseUint(lx.src[lx.off:lx.off+4], 16, 32)
				if err != nil {
					return "", errorAt(lx.src, lx.off-2, "invalid \\u escape")
				}
				b.WriteRune(rune(n))
				lx.off += 4
			default:
				return "", errorAt(lx.src, lx.off-2, "unknown escape sequence \\%c", e)
			}
		default:
			b.WriteByte(c)
			lx.off++
		}
	}
}

// timespanUnits maps the suffixes of timespan literals to their length.
var timespanUnits = map[string]time.Duration{
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"ms": time.Millisecond, "milli": time.Millisecond, "millis": time.Millisecond,
	"millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"microsecond": time.Microsecond, "microseconds": time.Microsecond,
	"tick": 100, "ticks": 100,
}

// number reads an integer, real or timespan literal.
func (lx *lexer) number(tok *token) *Error {
	start := lx.off
	for lx.off < len(lx.src) && isDigit(lx.src[lx.off]) {
		lx.off++
	}
	isReal := false
	if lx.off+1 < len(lx.src) && lx.src[lx.off] == '.' && isDigit(lx.src[lx.off+1]) {
		isReal = true
		lx.off++
		for lx.off < len(lx.src) && isDigit(lx.src[lx.off]) {
			lx.off++
		}
	}
	if lx.off < len(lx.src) && (lx.src[lx.off] == 'e' || lx.src[lx.off] == 'E') {
		j := lx.off + 1
		if j < len(lx.src) && (lx.src[j] == '+' || lx.src[j] == '-') {
			j++
		}
		if j < len(lx.src) && isDigit(lx.src[j]) {
			isReal = true
			lx.off = j
			for lx.off < len(lx.src) && isDigit(lx.src[lx.off]) {
				lx.off++
			}
		}
	}
	num := lx.src[start:lx.off]
	if lx.off < len(lx.src) && isLetter(lx.src[lx.off]) {
		unitPos := lx.off
		unit := lx.ident()
		d, ok := timespanUnits[strings.ToLower(unit)]
		if !ok {
			return errorAt(lx.src, unitPos, "unknown timespan unit '%s' (use d, h, m, s, ms, microsecond or tick)", unit)
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || f*float64(d) > math.MaxInt64 {
			return errorAt(lx.src, start, "timespan literal %s out of range", lx.src[start:lx.off])
		}
		tok.kind, tok.ival = tTimespan, int64(math.Round(f*float64(d)))
		return nil
	}
	if isReal {
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return errorAt(lx.src, start, "invalid real literal %s", num)
		}
		tok.kind, tok.fval = tReal, f
		return nil
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return errorAt(lx.src, start, "integer literal %s out of range", num)
	}
	tok.kind, tok.ival = tInt, n
	return nil
}
