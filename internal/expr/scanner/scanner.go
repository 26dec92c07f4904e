package scanner

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanner reads src[pos:end]. Every method that can fail returns an *Error;
// the first error stops the scan.
type scanner struct {
	src     string
	pos     int
	end     int
	noValue bool // skip decoding literal values: only their extent matters
}

// Tokenize returns all tokens of src[start:end] with comments and whitespace
// skipped, ending with an EOF token at end. Token positions are offsets into
// src. The first lexical error stops the scan and is returned as an *Error;
// the tokens read before it are returned too.
//
// The scanner never emits ">>": two '>' characters become two adjacent ">"
// tokens (the second's Pos equals the first's End), so that a parser can close
// nested type argument lists such as List<List<int>> and combine adjacent ">"
// ">" into a shift operator elsewhere. ">>=" and ">=" are single tokens.
func Tokenize(src string, start, end int) ([]Token, error) {
	start = max(0, min(start, len(src)))
	end = max(start, min(end, len(src)))
	s := &scanner{src: src, pos: start, end: end}
	toks := make([]Token, 0, (end-start)/4+1)
	for {
		t, err := s.next()
		if err != nil {
			return toks, err
		}
		toks = append(toks, t)
		if t.Kind == EOF {
			return toks, nil
		}
	}
}

func (s *scanner) errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// peek returns the byte at pos+i, or 0 outside the range.
func (s *scanner) peek(i int) byte {
	if p := s.pos + i; p < s.end {
		return s.src[p]
	}
	return 0
}

// skipSpace skips whitespace and comments.
func (s *scanner) skipSpace() error {
	for s.pos < s.end {
		c := s.src[s.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.pos++
		case c == '/' && s.peek(1) == '/':
			for s.pos < s.end && s.src[s.pos] != '\n' && s.src[s.pos] != '\r' {
				s.pos++
			}
		case c == '/' && s.peek(1) == '*':
			i := strings.Index(s.src[s.pos+2:s.end], "*/")
			if i < 0 {
				return s.errorf(s.pos, "unterminated comment")
			}
			s.pos += 2 + i + 2
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s.src[s.pos:s.end])
			if r == '\uFEFF' || unicode.IsSpace(r) {
				s.pos += n
				continue
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}

func isIdentStart(r rune) bool {
	return r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r >= utf8.RuneSelf && unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return isIdentStart(r) || '0' <= r && r <= '9' || r >= utf8.RuneSelf && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Pc, r))
}

// runeAt decodes the rune at p (RuneError, 0 at the end).
func (s *scanner) runeAt(p int) (rune, int) {
	if p >= s.end {
		return 0, 0
	}
	if c := s.src[p]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s.src[p:s.end])
}

// identEnd returns the end of the identifier starting at p.
func (s *scanner) identEnd(p int) int {
	for p < s.end {
		r, n := s.runeAt(p)
		if !isIdentPart(r) {
			break
		}
		p += n
	}
	return p
}

// next scans one token.
func (s *scanner) next() (Token, error) {
	if err := s.skipSpace(); err != nil {
		return Token{}, err
	}
	if s.pos >= s.end {
		return Token{Kind: EOF, Pos: s.end, End: s.end}, nil
	}
	start := s.pos
	c := s.src[start]
	switch {
	case c == '"':
		return s.scanString(start, false)
	case c == '\'':
		return s.scanChar(start)
	case c == '@':
		switch s.peek(1) {
		case '"':
			return s.scanString(start, true)
		case '$':
			if s.peek(2) == '"' {
				return s.scanInterp(start, true, 3)
			}
		}
		if r, _ := s.runeAt(start + 1); isIdentStart(r) {
			e := s.identEnd(start + 1)
			s.pos = e
			return Token{Kind: Ident, Pos: start, End: e, Text: s.src[start:e], Str: s.src[start+1 : e]}, nil
		}
		// A lone '@' is the policy expression marker; the parser decides.
		s.pos++
		return Token{Kind: Punct, Pos: start, End: start + 1, Text: "@"}, nil
	case c == '$':
		switch {
		case s.peek(1) == '"':
			return s.scanInterp(start, false, 2)
		case s.peek(1) == '@' && s.peek(2) == '"':
			return s.scanInterp(start, true, 3)
		}
		return Token{}, s.errorf(start, "unexpected character '$'")
	case '0' <= c && c <= '9' || c == '.' && '0' <= s.peek(1) && s.peek(1) <= '9':
		return s.scanNumber(start)
	}
	if r, n := s.runeAt(start); isIdentStart(r) {
		e := s.identEnd(start + n)
		s.pos = e
		text := s.src[start:e]
		k := Ident
		if keywords[text] {
			k = Keyword
		}
		return Token{Kind: k, Pos: start, End: e, Text: text}, nil
	}
	for _, p := range puncts[c] {
		if strings.HasPrefix(s.src[start:s.end], p) {
			// "a?.5:b" is a conditional with a real literal, not "?.".
			if p == "?." && '0' <= s.peek(2) && s.peek(2) <= '9' {
				continue
			}
			s.pos += len(p)
			return Token{Kind: Punct, Pos: start, End: s.pos, Text: p}, nil
		}
	}
	r, _ := s.runeAt(start)
	return Token{}, s.errorf(start, "unexpected character %q", r)
}

// scanNumber scans an integer or real literal starting at start.
func (s *scanner) scanNumber(start int) (Token, error) {
	p := start
	kind := Int
	digits := func(ok func(byte) bool) (n int, lastUnderscore bool) {
		for p < s.end && (ok(s.src[p]) || s.src[p] == '_') {
			lastUnderscore = s.src[p] == '_'
			if !lastUnderscore {
				n++
			}
			p++
		}
		return n, lastUnderscore
	}
	isDec := func(c byte) bool { return '0' <= c && c <= '9' }
	isHex := func(c byte) bool { return isDec(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
	isBin := func(c byte) bool { return c == '0' || c == '1' }
	bad := func() (Token, error) {
		return Token{}, s.errorf(start, "invalid numeric literal %q", s.src[start:s.identEnd(p)])
	}
	if s.src[p] == '0' && p+1 < s.end && (s.src[p+1]|0x20 == 'x' || s.src[p+1]|0x20 == 'b') {
		isDigit := isHex
		if s.src[p+1]|0x20 == 'b' {
			isDigit = isBin
		}
		p += 2
		n, us := digits(isDigit)
		if n == 0 || us {
			return bad()
		}
	} else {
		n, us := digits(isDec)
		if us || n > 0 && s.src[start] == '_' {
			return bad()
		}
		if p+1 < s.end && s.src[p] == '.' && isDec(s.src[p+1]) {
			kind = Real
			p++
			if _, us := digits(isDec); us {
				return bad()
			}
		}
		if p < s.end && s.src[p]|0x20 == 'e' {
			q := p + 1
			if q < s.end && (s.src[q] == '+' || s.src[q] == '-') {
				q++
			}
			if q < s.end && isDec(s.src[q]) {
				kind = Real
				p = q
				if _, us := digits(isDec); us {
					return bad()
				}
			}
		}
		if p < s.end {
			switch s.src[p] | 0x20 {
			case 'f', 'd', 'm':
				kind = Real
				p++
			}
		}
	}
	if kind == Int && p < s.end {
		switch c := s.src[p] | 0x20; c {
		case 'u', 'l':
			p++
			if p < s.end {
				if d := s.src[p] | 0x20; (d == 'u' || d == 'l') && d != c {
					p++
				}
			}
		}
	}
	if r, _ := s.runeAt(p); isIdentPart(r) {
		return bad()
	}
	s.pos = p
	return Token{Kind: kind, Pos: start, End: p, Text: s.src[start:p]}, nil
}
