package xmlscan

import (
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/expr/scanner"
)

// content reads the children of e up to and including its end tag.
func (p *parser) content(e *Element, ancestors []string) {
	innerStart := p.pos
	for {
		if p.stopped {
			p.pos = len(p.src)
			e.Inner = p.span(innerStart, p.pos)
			e.End = p.span(p.pos, p.pos)
			return
		}
		if p.pos >= len(p.src) {
			p.errorf(e.Start, CodeUnclosed, "element <%s> is not closed: missing </%s>", e.Name, e.Name)
			e.Inner = p.span(innerStart, p.pos)
			e.End = p.span(p.pos, p.pos)
			return
		}
		if p.src[p.pos] != '<' {
			p.text(e, p.pos, p.pos)
			continue
		}
		rest := p.src[p.pos:]
		switch {
		case strings.HasPrefix(rest, "</"):
			start := p.pos
			name, end := p.endTag()
			if name == e.Name {
				e.Inner = p.span(innerStart, start)
				e.End = p.span(start, end)
				return
			}
			if slices.Contains(ancestors[:len(ancestors)-1], name) {
				// </name> closes an outer element: e was left open.
				p.errorf(e.Start, CodeUnclosed, "element <%s> is not closed: found </%s> at %s before </%s>", e.Name, name, p.lineCol(start), e.Name)
				p.pos = start
				e.Inner = p.span(innerStart, start)
				e.End = p.span(start, start)
				return
			}
			p.errorf(p.span(start, end), CodeMismatch, "unexpected end tag </%s>: expected </%s> (element opened at %s)", name, e.Name, p.lineCol(e.Start.Start))
		case strings.HasPrefix(rest, "<!--"):
			e.Children = append(e.Children, p.comment())
		case strings.HasPrefix(rest, "<![CDATA["):
			e.Children = append(e.Children, p.cdata())
		case strings.HasPrefix(rest, "<?"):
			p.procInst()
		case strings.HasPrefix(rest, "<!"):
			p.declaration()
		case p.isNameStartAt(p.pos + 1):
			e.Children = append(e.Children, p.element(ancestors))
		default:
			p.errorf(p.span(p.pos, p.pos+1), CodeSyntax, "'<' in text must be written &lt;")
			p.text(e, p.pos, p.pos+1)
		}
	}
}

// cdata reads "<![CDATA[...]]>" at p.pos.
func (p *parser) cdata() *Text {
	start := p.pos
	cs := start + len("<![CDATA[")
	ce := len(p.src)
	if i := strings.Index(p.src[cs:], "]]>"); i >= 0 {
		ce = cs + i
		p.pos = ce + 3
	} else {
		p.errorf(p.span(start, cs), CodeSyntax, "unterminated CDATA section: missing ']]>'")
		p.pos = len(p.src)
	}
	t := p.makeText(cs, ce, false)
	t.CDATA = true
	i, j := trimSpaceIndex(t.Value)
	t.Expr = wholeExpr(t.Value[i:j])
	return &t
}

// text reads character data starting at start; scanning for markup begins at
// from (after a stray '<'). An expression at the start of the text is read as
// C#, so '<' and quotes inside it do not end the text.
func (p *parser) text(e *Element, start, from int) {
	q := from
	for q < len(p.src) && isSpace(p.src[q]) {
		q++
	}
	exprOK := false
	if start == from && isExprStart(p.src[q:]) {
		end, ok := p.textExpr(q, e.Name)
		from, exprOK = end, ok
	}
	end := len(p.src)
	if i := strings.IndexByte(p.src[from:], '<'); i >= 0 {
		end = from + i
	}
	p.pos = end
	t := p.makeText(start, end, true)
	i, j := trimSpaceIndex(t.Value)
	if i == j {
		return // whitespace between elements
	}
	if isExprStart(t.Value[i:]) {
		t.Expr = wholeExpr(t.Value[i:j]) || exprOK && strings.TrimSpace(p.src[from:end]) == ""
	}
	e.Children = append(e.Children, &t)
}

// textExpr reads the expression starting at q in the content of an element
// called name. It returns where the expression ends (or where reading
// resumes after an error) and whether it was read without error.
func (p *parser) textExpr(q int, name string) (int, bool) {
	// The xml form: the text up to the next '<' decodes to a whole expression.
	lt := len(p.src)
	if i := strings.IndexByte(p.src[q:], '<'); i >= 0 {
		lt = q + i
	}
	if raw := p.src[q:p.trimmedEnd(q, lt)]; strings.IndexByte(raw, '&') >= 0 {
		if t := p.makeText(q, q+len(raw), true); wholeExpr(t.Value) {
			return q + len(raw), true
		}
	}
	e, err := scanner.ExprEnd(p.src, q)
	if err == nil {
		return e, true
	}
	// Bound the damage: the expression cannot run past the end tag of its
	// element.
	bound := strings.Index(p.src[q:], "</"+name)
	if bound >= 0 {
		bound += q
		if se, ok := err.(*scanner.Error); ok && se.Pos >= bound {
			if _, err2 := scanner.ExprEnd(p.src[:bound], q); err2 != nil {
				err = err2
			}
		}
		p.exprError(err)
		return bound, false
	}
	p.exprError(err)
	return lt, false
}

// rawContent reads the content of an element listed in Options.RawContent as
// one Text child, up to the matching end tag.
func (p *parser) rawContent(e *Element) {
	innerStart := p.pos
	q := innerStart
	for q < len(p.src) && isSpace(p.src[q]) {
		q++
	}
	from := innerStart
	exprOK := false
	if isExprStart(p.src[q:]) {
		from, exprOK = p.textExpr(q, e.Name)
	}
	endTag, afterEnd := p.matchingEnd(e.Name, from)
	if endTag < 0 {
		p.errorf(e.Start, CodeUnclosed, "element <%s> is not closed: missing </%s>", e.Name, e.Name)
		endTag, afterEnd = len(p.src), len(p.src)
	}
	e.Inner = p.span(innerStart, endTag)
	e.End = p.span(endTag, afterEnd)
	p.pos = afterEnd
	raw := p.src[innerStart:endTag]
	i, j := trimSpaceIndex(raw)
	if i == j {
		return
	}
	body := raw[i:j]
	var t Text
	switch {
	case strings.HasPrefix(body, "<![CDATA[") && strings.HasSuffix(body, "]]>") && strings.Count(body, "]]>") == 1:
		cs := innerStart + i + len("<![CDATA[")
		t = p.makeText(cs, innerStart+j-3, false)
		t.CDATA = true
		vi, vj := trimSpaceIndex(t.Value)
		t.Expr = wholeExpr(t.Value[vi:vj])
	case isExprStart(body):
		t = p.makeText(innerStart, endTag, true)
		vi, vj := trimSpaceIndex(t.Value)
		t.Expr = wholeExpr(t.Value[vi:vj]) || exprOK && strings.TrimSpace(p.src[from:endTag]) == ""
	case hasMarkup(body):
		// Literal XML (a SOAP envelope, a Liquid template with markup): kept
		// byte for byte, entities included.
		t = p.makeText(innerStart, endTag, false)
	default:
		t = p.makeText(innerStart, endTag, true)
	}
	e.Children = append(e.Children, &t)
}

// hasMarkup reports whether s contains a tag, comment or CDATA section.
func hasMarkup(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0 && i+1 < len(s); {
		switch c := s[i+1]; {
		case c == '/' || c == '!' || c == '?' || c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80:
			return true
		}
		j := strings.IndexByte(s[i+1:], '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// matchingEnd finds the end tag closing an element called name whose content
// is scanned from from, counting nested start and end tags of the same name
// and skipping comments and CDATA sections. It returns the offsets of the end
// tag's '<' and after its '>', or -1.
func (p *parser) matchingEnd(name string, from int) (int, int) {
	depth := 0
	i := from
	for {
		j := strings.IndexByte(p.src[i:], '<')
		if j < 0 {
			return -1, -1
		}
		i += j
		rest := p.src[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			k := strings.Index(rest[4:], "-->")
			if k < 0 {
				return -1, -1
			}
			i += 4 + k + 3
			continue
		case strings.HasPrefix(rest, "<![CDATA["):
			k := strings.Index(rest, "]]>")
			if k < 0 {
				return -1, -1
			}
			i += k + 3
			continue
		case strings.HasPrefix(rest, "</"+name):
			k := i + 2 + len(name)
			if p.nameEnd(i+2) != k {
				break // a longer name
			}
			for k < len(p.src) && isSpace(p.src[k]) {
				k++
			}
			if k < len(p.src) && p.src[k] == '>' {
				if depth == 0 {
					return i, k + 1
				}
				depth--
				i = k + 1
				continue
			}
		case strings.HasPrefix(rest[1:], name) && p.nameEnd(i+1) == i+1+len(name):
			// A start tag of the same name, unless self-closing; the search
			// for its '>' stops at the next '<'.
			tag := rest
			if lt := strings.IndexByte(rest[1:], '<'); lt >= 0 {
				tag = rest[:1+lt]
			}
			if gt := strings.IndexByte(tag, '>'); gt > 0 && tag[gt-1] != '/' {
				depth++
			}
		}
		i++
	}
}
