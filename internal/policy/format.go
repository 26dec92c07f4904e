package policy

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/tollgate/tollgate/internal/xmlscan"
)

// Format prints the effective policy as a policy document, like APIM's
// "Calculate effective policy", with a comment before each statement naming
// its scope and file:line. Named values are shown resolved, except secrets,
// which are shown as their {{reference}}.
func (e *Effective) Format(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := &printer{w: bw}
	var docs []string
	for i, d := range e.Docs {
		name := Scope(i).String() + ": "
		if d == nil {
			name += "(none)"
		} else {
			name += d.File.Name
		}
		docs = append(docs, name)
	}
	p.line(0, "<!-- "+strings.Join(docs, "; ")+" -->")
	p.line(0, "<policies>")
	for _, s := range AllSections() {
		if len(e.Sections[s]) == 0 {
			p.line(1, "<"+s.String()+" />")
			continue
		}
		p.line(1, "<"+s.String()+">")
		for _, st := range e.Sections[s] {
			p.line(2, "<!-- "+origin(st.Statement)+" -->")
			p.step(st, 2)
		}
		p.line(1, "</"+s.String()+">")
	}
	p.line(0, "</policies>")
	return bw.Flush()
}

// origin describes where a statement comes from.
func origin(st *Statement) string {
	s := st.Scope.String() + ": "
	if st.Fragment != "" {
		inc := st.Include.Start.Pos()
		return fmt.Sprintf("%sfragment %s: %s (included at %s:%d)", s, st.Fragment, shortPos(st), inc.Filename, inc.Line)
	}
	return s + shortPos(st)
}

type printer struct {
	w *bufio.Writer
}

func (p *printer) line(depth int, s string) {
	p.w.WriteString(strings.Repeat("\t", depth))
	p.w.WriteString(s)
	p.w.WriteByte('\n')
}

// step prints a statement; containers are printed from their blocks so
// that inlined fragments show their content.
func (p *printer) step(st *Step, depth int) {
	if len(st.Blocks) == 0 {
		p.elem(st.Elem, st.src, depth)
		return
	}
	p.line(depth, p.startTag(st.Elem, st.src, false))
	for _, b := range st.Blocks {
		d := depth + 1
		if b.Name != "" {
			p.line(d, p.startTag(b.Elem, st.src, false))
			d++
		}
		for _, inner := range b.Steps {
			if inner.Fragment != st.Fragment {
				p.line(d, "<!-- "+origin(inner.Statement)+" -->")
			}
			p.step(inner, d)
		}
		if b.Name != "" {
			p.line(depth+1, "</"+b.Name+">")
		}
	}
	p.line(depth, "</"+st.Elem.Name+">")
}

func (p *printer) startTag(e *xmlscan.Element, src *source, selfClose bool) string {
	var b strings.Builder
	b.WriteString("<")
	b.WriteString(e.Name)
	for _, a := range e.Attrs {
		b.WriteString(" ")
		b.WriteString(a.Name)
		b.WriteString(`="`)
		b.WriteString(p.text(&a.Value, src, true))
		b.WriteString(`"`)
	}
	if selfClose {
		b.WriteString(" />")
	} else {
		b.WriteString(">")
	}
	return b.String()
}

// text returns the printable form of t: resolved and masked when it was
// read as a value, escaped unless it is an expression (printed verbatim, as
// the rawxml format does).
func (p *printer) text(t *xmlscan.Text, src *source, attr bool) string {
	if src != nil {
		if v, ok := src.values[t]; ok {
			if v.IsExpr() {
				return v.String()
			}
			return escape(v.String(), attr)
		}
	}
	// Text never read as a value (it was reported) is printed as written:
	// it holds references, never resolved secrets.
	if t.Expr {
		return t.Value
	}
	return escape(t.Value, attr)
}

func (p *printer) elem(e *xmlscan.Element, src *source, depth int) {
	if len(e.Children) == 0 {
		p.line(depth, p.startTag(e, src, true))
		return
	}
	if len(e.Children) == 1 {
		if t, ok := e.Children[0].(*xmlscan.Text); ok {
			var s string
			if scanOptions().RawContent[e.Name] {
				s = t.Value // raw content is printed as written, resolved
				if src != nil && src.values[t] != nil {
					s = src.values[t].String()
				}
			} else {
				s = strings.TrimSpace(p.text(t, src, false))
			}
			p.line(depth, p.startTag(e, src, false)+s+"</"+e.Name+">")
			return
		}
	}
	p.line(depth, p.startTag(e, src, false))
	for _, c := range e.Children {
		switch c := c.(type) {
		case *xmlscan.Element:
			p.elem(c, src, depth+1)
		case *xmlscan.Text:
			if s := strings.TrimSpace(p.text(c, src, false)); s != "" {
				p.line(depth+1, s)
			}
		case *xmlscan.Comment:
			p.line(depth+1, "<!--"+c.Text+"-->")
		}
	}
	p.line(depth, "</"+e.Name+">")
}

func escape(s string, attr bool) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	if attr {
		r = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	}
	return r.Replace(s)
}
