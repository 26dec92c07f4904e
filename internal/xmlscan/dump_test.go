package xmlscan

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// dump renders the structure of doc without its text: one line per node with
// its kind, name and span as line:col-line:col; attribute values and texts
// show their length, whether they are expressions and their first line.
func dump(doc *Document, diags diag.List) string {
	var b strings.Builder
	pos := func(s diag.Span) string {
		a, e := s.Pos(), s.EndPos()
		return fmt.Sprintf("%d:%d-%d:%d", a.Line, a.Column, e.Line, e.Column)
	}
	textLine := func(t *Text) string {
		flags := ""
		if t.Expr {
			flags += " expr"
		}
		if t.CDATA {
			flags += " cdata"
		}
		return fmt.Sprintf("%s len=%d%s", pos(t.Raw), len(t.Value), flags)
	}
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		ind := strings.Repeat("  ", depth)
		switch n := n.(type) {
		case *Element:
			sc := ""
			if n.SelfClosing {
				sc = " />"
			}
			fmt.Fprintf(&b, "%s<%s> %s%s\n", ind, n.Name, pos(n.Span()), sc)
			for _, a := range n.Attrs {
				fmt.Fprintf(&b, "%s  @%s %s\n", ind, a.Name, textLine(&a.Value))
			}
			for _, c := range n.Children {
				walk(c, depth+1)
			}
		case *Text:
			fmt.Fprintf(&b, "%stext %s\n", ind, textLine(n))
		case *Comment:
			fmt.Fprintf(&b, "%scomment %s\n", ind, pos(n.Raw))
		}
	}
	for _, c := range doc.Comments {
		walk(c, 0)
	}
	if doc.Root != nil {
		walk(doc.Root, 0)
	}
	for _, d := range diags {
		fmt.Fprintf(&b, "%s\n", d)
	}
	return b.String()
}
