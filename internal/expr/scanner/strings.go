package scanner

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// hexVal returns the value of a hex digit, or -1.
func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// escape decodes the escape sequence at p (s.src[p] == '\\') and returns the
// UTF-16 code unit or code point it denotes and the offset after it.
func (s *scanner) escape(p int) (rune, int, *Error) {
	if p+1 >= s.end {
		return 0, p, s.errorf(p, "invalid escape sequence at end of input")
	}
	c := s.src[p+1]
	switch c {
	case '\'', '"', '\\':
		return rune(c), p + 2, nil
	case '0':
		return 0, p + 2, nil
	case 'a':
		return '\a', p + 2, nil
	case 'b':
		return '\b', p + 2, nil
	case 'f':
		return '\f', p + 2, nil
	case 'n':
		return '\n', p + 2, nil
	case 'r':
		return '\r', p + 2, nil
	case 't':
		return '\t', p + 2, nil
	case 'v':
		return '\v', p + 2, nil
	case 'x', 'u', 'U':
		minN, maxN := 1, 4
		switch c {
		case 'u':
			minN = 4
		case 'U':
			minN, maxN = 8, 8
		}
		v, q := 0, p+2
		for q < s.end && q-(p+2) < maxN && hexVal(s.src[q]) >= 0 {
			v = v<<4 | hexVal(s.src[q])
			q++
		}
		if q-(p+2) < minN {
			return 0, q, s.errorf(p, "invalid escape sequence %q", s.src[p:q])
		}
		if c == 'U' && v > utf8.MaxRune {
			return 0, q, s.errorf(p, "invalid escape sequence %q: not a Unicode character", s.src[p:q])
		}
		return rune(v), q, nil
	}
	r, n := s.runeAt(p + 1)
	if r == '\n' || r == '\r' || n == 0 {
		return 0, p + 1, s.errorf(p, "invalid escape sequence at end of line")
	}
	return 0, p + 1 + n, s.errorf(p, "invalid escape sequence %q", s.src[p:p+1+n])
}

// utf16Builder accumulates text and combines surrogate pairs written as two
// escapes ("\uD83D\uDE00"); a lone surrogate becomes U+FFFD.
type utf16Builder struct {
	b       strings.Builder
	high    rune // pending high surrogate, or 0
	discard bool // only the extent of the literal is wanted (ExprEnd)
}

func (u *utf16Builder) flush() {
	if u.high != 0 {
		u.b.WriteRune(utf8.RuneError)
		u.high = 0
	}
}

func (u *utf16Builder) unit(r rune) {
	if u.discard {
		return
	}
	switch {
	case 0xD800 <= r && r < 0xDC00:
		u.flush()
		u.high = r
	case 0xDC00 <= r && r < 0xE000:
		if u.high != 0 {
			u.b.WriteRune(utf16.DecodeRune(u.high, r))
			u.high = 0
		} else {
			u.b.WriteRune(utf8.RuneError)
		}
	default:
		u.flush()
		u.b.WriteRune(r)
	}
}

func (u *utf16Builder) str(t string) {
	if t == "" || u.discard {
		return
	}
	u.flush()
	u.b.WriteString(t)
}

func (u *utf16Builder) String() string {
	u.flush()
	return u.b.String()
}

// scanString scans a regular ("...") or verbatim (@"...") string literal
// starting at start.
func (s *scanner) scanString(start int, verbatim bool) (Token, error) {
	p := start + 1
	if verbatim {
		p++
	}
	b := utf16Builder{discard: s.noValue}
	lit := p // start of the pending run of plain text
	for {
		if p >= s.end {
			return Token{}, s.errorf(start, "unterminated string literal")
		}
		c := s.src[p]
		switch {
		case c == '"':
			if verbatim && p+1 < s.end && s.src[p+1] == '"' {
				b.str(s.src[lit : p+1])
				p += 2
				lit = p
				continue
			}
			b.str(s.src[lit:p])
			s.pos = p + 1
			return Token{Kind: String, Pos: start, End: s.pos, Text: s.src[start:s.pos], Str: b.String()}, nil
		case verbatim:
			p++
		case c == '\\':
			b.str(s.src[lit:p])
			r, q, err := s.escape(p)
			if err != nil {
				return Token{}, err
			}
			b.unit(r)
			p = q
			lit = p
		case c == '\n' || c == '\r':
			return Token{}, s.errorf(start, "unterminated string literal")
		default:
			p++
		}
	}
}

// scanChar scans a character literal starting at start.
func (s *scanner) scanChar(start int) (Token, error) {
	p := start + 1
	var val string
	var c byte
	if p < s.end {
		c = s.src[p]
	}
	switch {
	case start+1 >= s.end || c == '\n' || c == '\r':
		return Token{}, s.errorf(start, "unterminated character literal")
	case c == '\'':
		return Token{}, s.errorf(start, "empty character literal")
	case c == '\\':
		r, q, err := s.escape(p)
		if err != nil {
			return Token{}, err
		}
		if 0xD800 <= r && r < 0xE000 {
			r = utf8.RuneError
		}
		val = string(r)
		p = q
	default:
		_, n := s.runeAt(p)
		val = s.src[p : p+n]
		p += n
	}
	if p < s.end && s.src[p] == '\'' {
		s.pos = p + 1
		return Token{Kind: Char, Pos: start, End: s.pos, Text: s.src[start:s.pos], Str: val}, nil
	}
	// Find out whether the literal is closed later on the line.
	for q := p; q < s.end && s.src[q] != '\n' && s.src[q] != '\r'; q++ {
		if s.src[q] == '\'' {
			return Token{}, s.errorf(start, "too many characters in character literal")
		}
	}
	return Token{}, s.errorf(start, "unterminated character literal")
}

// scanInterp scans an interpolated string starting at start; the literal text
// begins at start+prefix ($", $@" or @$").
func (s *scanner) scanInterp(start int, verbatim bool, prefix int) (Token, error) {
	p := start + prefix
	var parts []Part
	b := utf16Builder{discard: s.noValue}
	lit := p
	emit := func() {
		if b.b.Len() > 0 || b.high != 0 {
			parts = append(parts, Part{Lit: b.String()})
			b = utf16Builder{discard: s.noValue}
		}
	}
	for {
		if p >= s.end {
			return Token{}, s.errorf(start, "unterminated interpolated string literal")
		}
		c := s.src[p]
		switch {
		case c == '"':
			if verbatim && p+1 < s.end && s.src[p+1] == '"' {
				b.str(s.src[lit : p+1])
				p += 2
				lit = p
				continue
			}
			b.str(s.src[lit:p])
			emit()
			s.pos = p + 1
			return Token{Kind: Interp, Pos: start, End: s.pos, Text: s.src[start:s.pos], Parts: parts}, nil
		case c == '{' || c == '}':
			b.str(s.src[lit:p])
			if p+1 < s.end && s.src[p+1] == c {
				b.str(s.src[p : p+1])
				p += 2
				lit = p
				continue
			}
			if c == '}' {
				return Token{}, s.errorf(p, "unexpected '}' in interpolated string: write '}}' for a literal brace")
			}
			emit()
			part, q, err := s.hole(start, p, verbatim)
			if err != nil {
				return Token{}, err
			}
			if !s.noValue {
				parts = append(parts, part)
			}
			p = q
			lit = p
		case verbatim:
			p++
		case c == '\\':
			b.str(s.src[lit:p])
			r, q, err := s.escape(p)
			if err != nil {
				return Token{}, err
			}
			b.unit(r)
			p = q
			lit = p
		case c == '\n' || c == '\r':
			return Token{}, s.errorf(start, "unterminated interpolated string literal")
		default:
			p++
		}
	}
}

// hole scans the hole that opens with '{' at open inside the interpolated
// string starting at strStart, and returns the offset after its '}'.
func (s *scanner) hole(strStart, open int, verbatim bool) (Part, int, *Error) {
	exprEnd, p, err := s.balanced(open+1, strStart, holeMode)
	if err != nil {
		return Part{}, p, err
	}
	part := Part{Hole: true, Start: open + 1, End: exprEnd}
	for part.Start < part.End && isSpaceByte(s.src[part.Start]) {
		part.Start++
	}
	for part.End > part.Start && isSpaceByte(s.src[part.End-1]) {
		part.End--
	}
	if part.Start == part.End {
		return Part{}, p, s.errorf(open, "empty expression in interpolated string")
	}
	if s.src[p] == ',' {
		alignStart := p + 1
		var alignEnd int
		alignEnd, p, err = s.balanced(alignStart, strStart, alignMode)
		if err != nil {
			return Part{}, p, err
		}
		part.Align = strings.TrimSpace(s.src[alignStart:alignEnd])
		if part.Align == "" {
			return Part{}, p, s.errorf(alignStart, "missing alignment in interpolated string")
		}
	}
	if s.src[p] == ':' {
		fmtStart := p + 1
		for p = fmtStart; ; p++ {
			if p >= s.end || !verbatim && (s.src[p] == '"' || s.src[p] == '\n' || s.src[p] == '\r') {
				return Part{}, p, s.errorf(strStart, "unterminated interpolated string literal")
			}
			if s.src[p] == '}' {
				break
			}
		}
		part.Format = s.src[fmtStart:p]
	}
	// s.src[p] == '}'
	return part, p + 1, nil
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
