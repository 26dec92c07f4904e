package scanner

import "strings"

// ExprEnd finds the end of the policy expression that starts at src[start]:
// src[start:] must begin with "@(" or "@{". It returns the offset just after
// the ")" or "}" that closes the opening bracket. Brackets ( ) [ ] { } are
// balanced; string, verbatim string, interpolated string and character
// literals and comments are skipped as C# reads them, so brackets, quotes and
// apostrophes inside them do not count.
//
// Errors are *Error values: a literal or comment that is not closed (at its
// first byte), a closing bracket that does not match the innermost open one
// (at that bracket), or "expression is not closed" when src ends first (at
// the innermost bracket left open). To bound the search, pass a prefix of the
// source: offsets stay valid.
func ExprEnd(src string, start int) (int, error) {
	if start < 0 || start+1 >= len(src) || src[start] != '@' || (src[start+1] != '(' && src[start+1] != '{') {
		return 0, &Error{Pos: max(0, min(start, len(src))), Msg: "expression must start with '@(' or '@{'"}
	}
	s := &scanner{src: src, pos: start, end: len(src), noValue: true}
	_, next, err := s.balanced(start+1, start, exprMode)
	if err != nil {
		return 0, err
	}
	return next, nil
}

// balanceMode selects where balanced stops.
type balanceMode uint8

const (
	holeMode  balanceMode = iota // interpolation hole: stop at a top-level ',', ':' or '}'
	alignMode                    // alignment clause of a hole: stop at a top-level ':' or '}'
	exprMode                     // policy expression: p is the opening bracket; stop after its match
)

var closerOf = [256]byte{'(': ')', '[': ']', '{': '}'}

// balanced scans C# text from p, keeping brackets balanced and skipping
// literals and comments. In holeMode and alignMode it returns the offset of
// the top-level byte it stopped at twice (stop == next); in exprMode stop is
// the offset of the closing bracket and next the offset after it. ctx is the
// start of the enclosing interpolated string or of the expression, for
// messages.
func (s *scanner) balanced(p, ctx int, mode balanceMode) (stop, next int, err *Error) {
	type open struct {
		closer byte
		pos    int
	}
	var stack []open
	if mode == exprMode {
		stack = append(stack, open{closerOf[s.src[p]], ctx})
		p++
	}
	for {
		if p >= s.end {
			if mode != exprMode {
				return p, p, s.errorf(ctx, "unterminated interpolated string literal")
			}
			o := stack[len(stack)-1]
			return p, p, s.errorf(o.pos, "expression is not closed: missing '%c'", o.closer)
		}
		c := s.src[p]
		switch c {
		case '/':
			switch s.peek2(p) {
			case '/':
				for p < s.end && s.src[p] != '\n' && s.src[p] != '\r' {
					p++
				}
				continue
			case '*':
				i := strings.Index(s.src[p+2:s.end], "*/")
				if i < 0 {
					return p, p, s.errorf(p, "unterminated comment")
				}
				p += 2 + i + 2
				continue
			}
		case '"', '\'', '@', '$':
			q, err := s.skipLiteral(p)
			if err != nil {
				return p, p, err
			}
			if q > p {
				p = q
				continue
			}
		case '(', '[', '{':
			stack = append(stack, open{closerOf[c], p})
		case ')', ']', '}':
			if len(stack) == 0 {
				if c == '}' {
					return p, p, nil
				}
				return p, p, s.errorf(p, "unexpected '%c' in interpolated string", c)
			}
			o := stack[len(stack)-1]
			if o.closer != c {
				return p, p, s.errorf(p, "unexpected '%c': expected '%c'", c, o.closer)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 && mode == exprMode {
				return p, p + 1, nil
			}
		case ',':
			if len(stack) == 0 && mode == holeMode {
				return p, p, nil
			}
		case ':':
			if len(stack) == 0 && mode != exprMode {
				if s.peek2(p) == ':' { // alias qualifier "global::"
					p += 2
					continue
				}
				return p, p, nil
			}
		}
		p++
	}
}

// peek2 returns the byte after p, or 0.
func (s *scanner) peek2(p int) byte {
	if p+1 < s.end {
		return s.src[p+1]
	}
	return 0
}

// skipLiteral skips the string, interpolated string or character literal
// starting at p and returns the offset after it, or p when no literal starts
// there (for example "@name" or a lone "$").
func (s *scanner) skipLiteral(p int) (int, *Error) {
	var err error
	switch c := s.src[p]; {
	case c == '"':
		_, err = s.scanString(p, false)
	case c == '\'':
		_, err = s.scanChar(p)
	case c == '@' && s.peek2(p) == '"':
		_, err = s.scanString(p, true)
	case c == '@' && s.peek2(p) == '$' && p+2 < s.end && s.src[p+2] == '"':
		_, err = s.scanInterp(p, true, 3)
	case c == '$' && s.peek2(p) == '"':
		_, err = s.scanInterp(p, false, 2)
	case c == '$' && s.peek2(p) == '@' && p+2 < s.end && s.src[p+2] == '"':
		_, err = s.scanInterp(p, true, 3)
	case c == '@':
		// A verbatim identifier such as @class: skip it whole.
		if r, _ := s.runeAt(p + 1); isIdentStart(r) {
			return s.identEnd(p + 1), nil
		}
		return p, nil
	default:
		return p, nil
	}
	if err != nil {
		return p, err.(*Error)
	}
	return s.pos, nil
}
