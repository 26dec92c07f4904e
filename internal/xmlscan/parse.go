package xmlscan

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr/scanner"
)

// maxDepth bounds element nesting; policies nest a few levels deep.
const maxDepth = 200

// maxQuoteSearch bounds how far a literal quote inside an attribute value is
// looked past when searching for the quote that really ends the value.
const maxQuoteSearch = 4096

// maxErrors is the number of errors after which Parse stops reading: a
// badly damaged file would otherwise produce a flood of follow-on errors
// (and, with many unterminated expressions, quadratic work).
const maxErrors = 50

type parser struct {
	f       *diag.File
	src     string
	pos     int
	opts    Options
	diags   diag.List
	depth   int
	nerr    int
	nwarn   int
	stopped bool // maxErrors reached: reading has stopped
}

// warnf reports a warning at span; after maxErrors warnings, further ones are
// dropped.
func (p *parser) warnf(span diag.Span, code, format string, args ...any) {
	if p.nwarn < maxErrors {
		p.nwarn++
		p.diags.Warnf(span, code, format, args...)
	}
}

// errorf reports an error at span unless reading has stopped.
func (p *parser) errorf(span diag.Span, code, format string, args ...any) {
	if p.stopped {
		return
	}
	p.diags.Errorf(span, code, format, args...)
	p.nerr++
	if p.nerr >= maxErrors {
		p.stopped = true
		p.diags.Errorf(span, CodeSyntax, "too many errors: reading stopped")
	}
}

// Parse reads the policy file f. It accepts both forms APIM stores policies
// in: "xml" (well-formed, expressions entity-escaped) and "rawxml"
// (expressions verbatim, with raw quotes, '<' and '&' inside them). It never
// panics: every problem is reported as a positioned diagnostic and reading
// goes on where it can, so the Document may be partial when the list holds
// errors.
func Parse(f *diag.File, opts Options) (*Document, diag.List) {
	p := &parser{f: f, src: string(f.Src), opts: opts}
	doc := &Document{File: f}
	if strings.HasPrefix(p.src, "\uFEFF") {
		p.pos = 3
	}
	textReported := false
	for !p.stopped {
		p.skipSpace()
		if p.pos >= len(p.src) {
			break
		}
		rest := p.src[p.pos:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			doc.Comments = append(doc.Comments, p.comment())
		case strings.HasPrefix(rest, "<?"):
			p.procInst()
		case strings.HasPrefix(rest, "<!"):
			p.declaration()
		case strings.HasPrefix(rest, "</"):
			start := p.pos
			name, end := p.endTag()
			p.errorf(p.span(start, end), CodeMismatch, "unexpected end tag </%s> outside the root element", name)
		case len(rest) > 1 && rest[0] == '<' && p.isNameStartAt(p.pos+1):
			el := p.element(nil)
			if doc.Root == nil {
				doc.Root = el
			} else {
				p.errorf(el.Start, CodeExtraRoot, "element <%s> after the root element <%s>: a policy file has one root element", el.Name, doc.Root.Name)
			}
		default:
			start := p.pos
			next := strings.IndexByte(p.src[p.pos+1:], '<')
			if next < 0 {
				p.pos = len(p.src)
			} else {
				p.pos += 1 + next
			}
			if !textReported {
				textReported = true
				where := "before"
				if doc.Root != nil {
					where = "after"
				}
				p.errorf(p.span(start, p.trimmedEnd(start, p.pos)), CodeTextOutside, "text %s the root element", where)
			}
		}
	}
	if doc.Root == nil && !p.stopped {
		p.errorf(p.span(len(p.src), len(p.src)), CodeNoRoot, "the file has no root element")
	}
	p.diags.Sort()
	return doc, p.diags
}

func (p *parser) trimmedEnd(start, end int) int {
	for end > start && isSpace(p.src[end-1]) {
		end--
	}
	return end
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func isNameStart(r rune) bool {
	return r == '_' || r == ':' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r >= utf8.RuneSelf && unicode.IsLetter(r)
}

func isNameChar(r rune) bool {
	return isNameStart(r) || r == '-' || r == '.' || '0' <= r && r <= '9' || r >= utf8.RuneSelf && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
}

func (p *parser) isNameStartAt(i int) bool {
	if i >= len(p.src) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(p.src[i:])
	return isNameStart(r)
}

// nameEnd returns the end of the XML name starting at i (i when none does).
func (p *parser) nameEnd(i int) int {
	if !p.isNameStartAt(i) {
		return i
	}
	for i < len(p.src) {
		c := p.src[i]
		if c < utf8.RuneSelf {
			if !isNameChar(rune(c)) {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(p.src[i:])
		if !isNameChar(r) {
			break
		}
		i += n
	}
	return i
}

// comment reads "<!-- ... -->" at p.pos.
func (p *parser) comment() *Comment {
	start := p.pos
	bodyStart := start + 4
	bodyEnd := len(p.src)
	end := len(p.src)
	if i := strings.Index(p.src[bodyStart:], "-->"); i >= 0 {
		bodyEnd = bodyStart + i
		end = bodyEnd + 3
	} else {
		p.errorf(p.span(start, bodyStart), CodeComment, "unterminated comment: missing '-->'")
	}
	body := p.src[bodyStart:bodyEnd]
	if j := strings.Index(body, "--"); j >= 0 {
		at := bodyStart + j
		if j >= 2 && body[j-2:j] == "<!" {
			p.errorf(p.span(at, at+2), CodeComment, "'--' is not allowed inside a comment: comments do not nest (the comment opened at %s is still open)", p.lineCol(start))
		} else {
			p.errorf(p.span(at, at+2), CodeComment, "'--' is not allowed inside a comment")
		}
	} else if strings.HasSuffix(body, "-") && end > bodyEnd {
		p.errorf(p.span(bodyEnd-1, bodyEnd+2), CodeComment, "'--' is not allowed inside a comment: a comment cannot end with '--->'")
	}
	p.pos = end
	return &Comment{Text: body, Raw: p.span(start, end)}
}

// lineCol formats the line and column of offset off.
func (p *parser) lineCol(off int) string {
	pos := p.f.Position(off)
	return diag.Position{Line: pos.Line, Column: pos.Column}.String()
}

// procInst skips "<?...?>" (the XML declaration or a processing instruction).
func (p *parser) procInst() {
	start := p.pos
	if i := strings.Index(p.src[start+2:], "?>"); i >= 0 {
		p.pos = start + 2 + i + 2
		return
	}
	p.errorf(p.span(start, start+2), CodeSyntax, "unterminated processing instruction: missing '?>'")
	p.pos = len(p.src)
}

// declaration skips "<!...>" other than a comment or CDATA (a DOCTYPE).
func (p *parser) declaration() {
	start := p.pos
	end := len(p.src)
	if i := strings.IndexByte(p.src[start:], '>'); i >= 0 {
		end = start + i + 1
	}
	p.errorf(p.span(start, end), CodeSyntax, "unsupported markup declaration %q", firstWord(p.src[start:end]))
	p.pos = end
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t\r\n>["); i > 2 {
		return s[:i]
	}
	return s[:min(len(s), 9)]
}

// endTag reads "</name ws>" at p.pos and returns the name and the offset
// after the tag. A missing '>' is reported; the tag then ends after the name.
func (p *parser) endTag() (string, int) {
	start := p.pos
	ne := p.nameEnd(start + 2)
	name := p.src[start+2 : ne]
	i := ne
	for i < len(p.src) && isSpace(p.src[i]) {
		i++
	}
	if i < len(p.src) && p.src[i] == '>' {
		p.pos = i + 1
		return name, p.pos
	}
	if name == "" {
		p.errorf(p.span(start, start+2), CodeSyntax, "end tag without a name")
	} else {
		p.errorf(p.span(start, ne), CodeSyntax, "end tag </%s> is not closed: missing '>'", name)
	}
	p.pos = max(ne, start+2)
	return name, p.pos
}

// element reads the element whose '<' is at p.pos. ancestors are the names
// of the open elements around it, innermost last.
func (p *parser) element(ancestors []string) *Element {
	start := p.pos
	ne := p.nameEnd(start + 1)
	e := &Element{Name: p.src[start+1 : ne], NameSpan: p.span(start+1, ne)}
	p.pos = ne
	p.attributes(e)
	closed := false
	switch {
	case strings.HasPrefix(p.src[p.pos:], "/>"):
		p.pos += 2
		e.SelfClosing = true
		closed = true
	case p.pos < len(p.src) && p.src[p.pos] == '>':
		p.pos++
		closed = true
	case p.pos >= len(p.src):
		p.errorf(p.span(start, ne), CodeSyntax, "start tag <%s> is not closed: missing '>'", e.Name)
	default: // '<': the tag was cut short
		p.errorf(p.span(start, ne), CodeSyntax, "start tag <%s> is not closed: missing '>'", e.Name)
	}
	e.Start = p.span(start, p.pos)
	if e.SelfClosing {
		e.Inner = p.span(p.pos, p.pos)
		e.End = e.Start
		return e
	}
	if !closed && p.pos >= len(p.src) {
		e.Inner = p.span(p.pos, p.pos)
		e.End = p.span(p.pos, p.pos)
		return e
	}
	if p.opts.RawContent[e.Name] {
		p.rawContent(e)
		return e
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		p.errorf(e.Start, CodeTooDeep, "elements are nested more than %d levels deep: reading stopped", maxDepth)
		p.stopped = true
		p.pos = len(p.src)
		e.Inner = p.span(p.pos, p.pos)
		e.End = p.span(p.pos, p.pos)
		return e
	}
	p.content(e, append(ancestors, e.Name))
	return e
}

// attributes reads the attributes of a start tag, stopping at '>', "/>",
// '<' or the end of the file.
func (p *parser) attributes(e *Element) {
	var seen map[string]*Attr // by name, once there are many attributes
	for !p.stopped {
		wsStart := p.pos
		p.skipSpace()
		if p.pos >= len(p.src) {
			return
		}
		c := p.src[p.pos]
		switch {
		case c == '>' || c == '<' || c == '/' && strings.HasPrefix(p.src[p.pos:], "/>"):
			return
		case p.isNameStartAt(p.pos):
			if p.pos == wsStart {
				p.errorf(p.span(p.pos, p.pos+1), CodeSyntax, "missing whitespace before attribute")
			}
			a := p.attribute()
			var prev *Attr
			if seen != nil {
				prev = seen[a.Name]
			} else {
				prev = e.Attr(a.Name)
				if len(e.Attrs) >= 16 {
					seen = make(map[string]*Attr, 2*len(e.Attrs))
					for _, x := range e.Attrs {
						if seen[x.Name] == nil {
							seen[x.Name] = x
						}
					}
				}
			}
			if seen != nil && seen[a.Name] == nil {
				seen[a.Name] = a
			}
			if prev != nil {
				p.errorf(a.NameSpan, CodeSyntax, "duplicate attribute %q (first at %s)", a.Name, p.lineCol(prev.NameSpan.Start))
			}
			e.Attrs = append(e.Attrs, a)
		default:
			r, n := utf8.DecodeRuneInString(p.src[p.pos:])
			p.errorf(p.span(p.pos, p.pos+n), CodeSyntax, "unexpected %q in start tag <%s>", r, e.Name)
			p.pos += n
		}
	}
}

// attribute reads name="value" at p.pos.
func (p *parser) attribute() *Attr {
	ns := p.pos
	ne := p.nameEnd(ns)
	a := &Attr{Name: p.src[ns:ne], NameSpan: p.span(ns, ne)}
	p.pos = ne
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '=' {
		p.pos = ne
		p.errorf(a.NameSpan, CodeSyntax, "attribute %q has no value", a.Name)
		a.Value = Text{Raw: p.span(ne, ne)}
		return a
	}
	p.pos++
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '"' && p.src[p.pos] != '\'' {
		// Unquoted: read up to whitespace, '>' or "/>".
		vs := p.pos
		for p.pos < len(p.src) && !isSpace(p.src[p.pos]) && p.src[p.pos] != '>' && !strings.HasPrefix(p.src[p.pos:], "/>") {
			p.pos++
		}
		p.errorf(p.span(vs, max(p.pos, min(vs+1, len(p.src)))), CodeSyntax, "value of attribute %q is not quoted", a.Name)
		a.Value = p.makeText(vs, p.pos, true)
		return a
	}
	quote := p.src[p.pos]
	vs := p.pos + 1
	end, expr := p.attrValueEnd(a.Name, vs, quote)
	a.Value = p.makeText(vs, end, true)
	a.Value.Expr = expr
	p.pos = min(end+1, len(p.src))
	return a
}

// closesAttr reports whether the quote at i can end an attribute value: it is
// followed by the end of the file, by optional whitespace and '>' or "/>",
// or by whitespace and another attribute name with its '='.
func (p *parser) closesAttr(i int) bool {
	j := i + 1
	for j < len(p.src) && isSpace(p.src[j]) {
		j++
	}
	if j >= len(p.src) || p.src[j] == '>' || strings.HasPrefix(p.src[j:], "/>") {
		return true
	}
	if j == i+1 {
		return false
	}
	k := p.nameEnd(j)
	if k == j {
		return false
	}
	for k < len(p.src) && isSpace(p.src[k]) {
		k++
	}
	return k < len(p.src) && p.src[k] == '='
}

// nextQuote returns the offset of the next quote byte at or after i, or -1.
func (p *parser) nextQuote(i int, quote byte) int {
	if i >= len(p.src) {
		return -1
	}
	if j := strings.IndexByte(p.src[i:], quote); j >= 0 {
		return i + j
	}
	return -1
}

// attrValueEnd finds the quote that ends the attribute value starting at vs
// and reports whether the value is one whole policy expression.
func (p *parser) attrValueEnd(name string, vs int, quote byte) (end int, expr bool) {
	q1 := p.nextQuote(vs, quote)
	from := vs
	if isExprStart(p.src[vs:]) {
		// The xml form, or rawxml without the quote character inside.
		if q1 >= 0 && p.closesAttr(q1) {
			raw := p.src[vs:q1]
			v := raw
			if strings.IndexByte(raw, '&') >= 0 {
				v = p.makeText(vs, q1, true).Value
			}
			if wholeExpr(v) {
				return q1, true
			}
		}
		// rawxml: read the expression as C#.
		e, err := scanner.ExprEnd(p.src, vs)
		if err == nil {
			if e < len(p.src) && p.src[e] == quote {
				return e, true
			}
			from = e
		} else {
			r := p.recoverAttrEnd(vs, quote)
			if se, ok := err.(*scanner.Error); ok && r >= 0 && se.Pos >= r {
				// The error lies past the plausible end of the attribute:
				// report what is wrong inside it instead.
				if _, err2 := scanner.ExprEnd(p.src[:r], vs); err2 != nil {
					err = err2
				}
			}
			p.exprError(err)
			switch {
			case r >= 0:
				return r, false
			case q1 >= 0:
				return q1, false
			}
			p.errorf(p.span(vs-1, vs), CodeSyntax, "value of attribute %q is not closed: missing %c", name, quote)
			return len(p.src), false
		}
	}
	qf := p.nextQuote(from, quote)
	if qf < 0 {
		p.errorf(p.span(vs-1, vs), CodeSyntax, "value of attribute %q is not closed: missing %c", name, quote)
		return len(p.src), false
	}
	if p.closesAttr(qf) {
		return qf, false
	}
	// A literal quote inside the value, as in subject="CN=x, O="A, Inc.", C=US".
	for r := p.nextQuote(qf+1, quote); r >= 0 && r-qf < maxQuoteSearch; r = p.nextQuote(r+1, quote) {
		if p.closesAttr(r) {
			p.warnf(p.span(qf, qf+1), CodeAttrQuote, "value of attribute %q contains a literal %c; it is read up to the %c at %s (write &quot; to avoid the ambiguity)", name, quote, quote, p.lineCol(r))
			return r, false
		}
	}
	return qf, false
}

// recoverAttrEnd returns the first quote at or after vs that is followed by
// optional whitespace and '>' or "/>", or -1.
func (p *parser) recoverAttrEnd(vs int, quote byte) int {
	for r := p.nextQuote(vs, quote); r >= 0; r = p.nextQuote(r+1, quote) {
		j := r + 1
		for j < len(p.src) && isSpace(p.src[j]) {
			j++
		}
		if j >= len(p.src) || p.src[j] == '>' || strings.HasPrefix(p.src[j:], "/>") {
			return r
		}
	}
	return -1
}
