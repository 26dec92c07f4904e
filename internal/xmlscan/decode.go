package xmlscan

import (
	"strings"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr/scanner"
)

// makeText returns the Text for the raw bytes src[start:end]. With decode,
// entity and character references are resolved; line ends ("\r\n", "\r") are
// always normalised to "\n", as an XML reader does.
func (p *parser) makeText(start, end int, decode bool) Text {
	raw := p.src[start:end]
	t := Text{Raw: p.span(start, end)}
	if !strings.ContainsAny(raw, "&\r") || !decode && !strings.Contains(raw, "\r") {
		t.Value = raw
		return t
	}
	var b strings.Builder
	b.Grow(len(raw))
	// shift records that Value continues at file offset f after a unit whose
	// decoded length differs from its source length.
	shift := func(f int) { t.marks = append(t.marks, mark{v: b.Len(), f: f}) }
	lit := start
	for i := start; i < end; {
		c := p.src[i]
		switch {
		case c == '\r':
			b.WriteString(p.src[lit:i])
			n := 1
			if i+1 < end && p.src[i+1] == '\n' {
				n = 2
			}
			shift(i + n - 1)
			b.WriteByte('\n')
			i += n
			lit = i
			shift(i)
		case c == '&' && decode:
			val, n := entity(p.src[i:end])
			if n == 0 {
				i++
				continue
			}
			b.WriteString(p.src[lit:i])
			shift(i)
			b.WriteString(val)
			i += n
			lit = i
			shift(i)
		default:
			i++
		}
	}
	b.WriteString(p.src[lit:end])
	t.Value = b.String()
	return t
}

// entity decodes the reference at the start of s ("&amp;", "&#10;",
// "&#x1F;") and returns its value and source length, or n == 0 when s does
// not start with a reference tollgate knows (such as the "&&" operator of a
// raw expression); such text is kept as it is.
func entity(s string) (val string, n int) {
	semi := strings.IndexByte(s, ';')
	if semi < 2 || semi > 12 {
		return "", 0
	}
	name := s[1:semi]
	switch name {
	case "lt":
		return "<", semi + 1
	case "gt":
		return ">", semi + 1
	case "amp":
		return "&", semi + 1
	case "quot":
		return `"`, semi + 1
	case "apos":
		return "'", semi + 1
	}
	if name[0] != '#' || len(name) < 2 {
		return "", 0
	}
	digits, base := name[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if digits == "" {
		return "", 0
	}
	r := 0
	for i := 0; i < len(digits); i++ {
		d := hexDigit(digits[i])
		if d < 0 || d >= base {
			return "", 0
		}
		r = r*base + d
		if r > utf8.MaxRune {
			return "", 0
		}
	}
	if r == 0 || !utf8.ValidRune(rune(r)) {
		return "", 0
	}
	return string(rune(r)), semi + 1
}

func hexDigit(c byte) int {
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

// isExprStart reports whether s starts with "@(" or "@{".
func isExprStart(s string) bool {
	return len(s) >= 2 && s[0] == '@' && (s[1] == '(' || s[1] == '{')
}

// wholeExpr reports whether s is one policy expression from its first to its
// last byte.
func wholeExpr(s string) bool {
	if !isExprStart(s) {
		return false
	}
	end, err := scanner.ExprEnd(s, 0)
	return err == nil && end == len(s)
}

// exprError reports err from scanner.ExprEnd as a diagnostic.
func (p *parser) exprError(err error) {
	if e, ok := err.(*scanner.Error); ok {
		n := 1
		if strings.HasPrefix(e.Msg, "expression is not closed") && e.Pos+1 < len(p.src) && p.src[e.Pos] == '@' {
			n = 2
		}
		p.errorf(p.span(e.Pos, min(e.Pos+n, len(p.src))), CodeExpr, "%s", e.Msg)
		return
	}
	p.errorf(p.span(0, 0), CodeExpr, "%v", err)
}

// trimSpaceIndex returns the bounds of s without surrounding XML whitespace.
func trimSpaceIndex(s string) (int, int) {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return i, j
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) span(start, end int) diag.Span {
	return diag.Span{File: p.f, Start: start, End: end}
}
