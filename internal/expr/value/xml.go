package value

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// XKind tells the kinds of System.Xml.Linq nodes apart.
type XKind uint8

// Node kinds.
const (
	XDocumentNode XKind = iota
	XElementNode
	XTextNode
	XCDataNode
	XCommentNode
	XPINode
	XDocTypeNode
)

// Well-known namespaces.
const (
	nsXML   = "http://www.w3.org/XML/1998/namespace"
	nsXMLNS = "http://www.w3.org/2000/xmlns/"
)

// XName is a System.Xml.Linq.XName: a local name in a namespace.
type XName struct {
	NS, Local string
}

// DotnetString implements Stringer: "{namespace}local" or "local".
func (n XName) DotnetString() string {
	if n.NS == "" {
		return n.Local
	}
	return "{" + n.NS + "}" + n.Local
}

// XNamespace is a System.Xml.Linq.XNamespace.
type XNamespace struct {
	URI string
}

// DotnetString implements Stringer.
func (n XNamespace) DotnetString() string { return n.URI }

// XAttr is a System.Xml.Linq.XAttribute.
type XAttr struct {
	Name   XName
	Value  string
	Parent *XNode
}

// IsNamespaceDeclaration reports whether the attribute declares a namespace.
func (a *XAttr) IsNamespaceDeclaration() bool {
	return a.Name.NS == nsXMLNS || a.Name.NS == "" && a.Name.Local == "xmlns"
}

// DotnetString implements Stringer: name="value".
func (a *XAttr) DotnetString() string {
	var b strings.Builder
	name := a.Name.Local
	switch {
	case a.Name.NS == nsXMLNS:
		name = "xmlns:" + a.Name.Local
	case a.Name.NS == nsXML:
		name = "xml:" + a.Name.Local
	case a.Name.NS != "" && a.Parent != nil:
		if p := a.Parent.prefixOf(a.Name.NS); p != "" {
			name = p + ":" + a.Name.Local
		}
	}
	b.WriteString(name)
	b.WriteString(`="`)
	escapeAttr(&b, a.Value)
	b.WriteByte('"')
	return b.String()
}

// XDecl is a System.Xml.Linq.XDeclaration.
type XDecl struct {
	Version, Encoding, Standalone string
}

// DotnetString implements Stringer.
func (d *XDecl) DotnetString() string {
	var b strings.Builder
	b.WriteString("<?xml")
	for _, kv := range [][2]string{{"version", d.Version}, {"encoding", d.Encoding}, {"standalone", d.Standalone}} {
		if kv[1] != "" {
			b.WriteString(" " + kv[0] + `="` + kv[1] + `"`)
		}
	}
	b.WriteString("?>")
	return b.String()
}

// XNode is any System.Xml.Linq node: document, element, text, CDATA,
// comment, processing instruction or document type.
type XNode struct {
	Kind  XKind
	Name  XName // element name; the target of a processing instruction
	Attrs []*XAttr
	Nodes []*XNode
	// Parent is the element or document that contains the node.
	Parent *XNode
	// Text is the content of text, CDATA, comment and processing
	// instruction nodes.
	Text string
	// Full marks an element without content that prints as <a></a>.
	Full bool
	Decl *XDecl
}

// DotnetString implements Stringer: the node as indented XML.
func (n *XNode) DotnetString() string { return n.XML(true) }

// XML serializes the node as XNode.ToString does, indented or not.
func (n *XNode) XML(indent bool) string {
	w := &xmlWriter{indent: indent, lastText: true}
	if n.Kind == XDocumentNode {
		for _, c := range n.Nodes {
			w.node(c, 0)
		}
	} else {
		w.node(n, 0)
	}
	return w.b.String()
}

// Value returns the concatenated text of the node (XElement.Value).
func (n *XNode) Value() string {
	switch n.Kind {
	case XTextNode, XCDataNode, XCommentNode, XPINode:
		return n.Text
	}
	var b strings.Builder
	var walk func(x *XNode)
	walk = func(x *XNode) {
		for _, c := range x.Nodes {
			switch c.Kind {
			case XTextNode, XCDataNode:
				b.WriteString(c.Text)
			case XElementNode:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// SetValue replaces the content of an element with text.
func (n *XNode) SetValue(s string) {
	switch n.Kind {
	case XTextNode, XCDataNode, XCommentNode, XPINode:
		n.Text = s
		return
	}
	n.removeNodes()
	if s == "" {
		n.Full = true
		return
	}
	n.appendNode(&XNode{Kind: XTextNode, Text: s})
}

func (n *XNode) removeNodes() {
	for _, c := range n.Nodes {
		c.Parent = nil
	}
	n.Nodes = nil
	n.Full = false
}

func (n *XNode) appendNode(c *XNode) {
	if c.Kind == XTextNode && len(n.Nodes) > 0 {
		if last := n.Nodes[len(n.Nodes)-1]; last.Kind == XTextNode {
			last.Text += c.Text
			return
		}
	}
	c.Parent = n
	n.Nodes = append(n.Nodes, c)
}

// Root returns the document element.
func (n *XNode) Root() *XNode {
	for _, c := range n.Nodes {
		if c.Kind == XElementNode {
			return c
		}
	}
	return nil
}

// Document returns the document containing the node, or nil.
func (n *XNode) Document() *XNode {
	for x := n; x != nil; x = x.Parent {
		if x.Kind == XDocumentNode {
			return x
		}
	}
	return nil
}

// ParentElement returns the parent element (nil for the root element).
func (n *XNode) ParentElement() *XNode {
	if n.Parent != nil && n.Parent.Kind == XElementNode {
		return n.Parent
	}
	return nil
}

// Attr returns the attribute named name, or nil.
func (n *XNode) Attr(name XName) *XAttr {
	for _, a := range n.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// SetAttr sets, adds or (with remove) deletes an attribute.
func (n *XNode) SetAttr(name XName, v string, remove bool) {
	for i, a := range n.Attrs {
		if a.Name == name {
			if remove {
				a.Parent = nil
				n.Attrs = append(n.Attrs[:i:i], n.Attrs[i+1:]...)
			} else {
				a.Value = v
			}
			return
		}
	}
	if !remove {
		n.Attrs = append(n.Attrs, &XAttr{Name: name, Value: v, Parent: n})
	}
}

// Elements returns the child elements, all of them when name is nil.
func (n *XNode) Elements(name *XName) []*XNode {
	var out []*XNode
	for _, c := range n.Nodes {
		if c.Kind == XElementNode && (name == nil || c.Name == *name) {
			out = append(out, c)
		}
	}
	return out
}

// Descendants returns the descendant elements in document order.
func (n *XNode) Descendants(name *XName, self bool) []*XNode {
	var out []*XNode
	var walk func(x *XNode)
	walk = func(x *XNode) {
		for _, c := range x.Nodes {
			if c.Kind == XElementNode {
				if name == nil || c.Name == *name {
					out = append(out, c)
				}
				walk(c)
			}
		}
	}
	if self && n.Kind == XElementNode && (name == nil || n.Name == *name) {
		out = append(out, n)
	}
	walk(n)
	return out
}

// Remove detaches the node from its parent.
func (n *XNode) Remove() {
	p := n.Parent
	if p == nil {
		Throw(ExInvalidOp, "The parent is missing.")
	}
	for i, c := range p.Nodes {
		if c == n {
			p.Nodes = append(p.Nodes[:i:i], p.Nodes[i+1:]...)
			if len(p.Nodes) == 0 {
				p.Full = false
			}
			break
		}
	}
	n.Parent = nil
}

// index returns the position of n in its parent.
func (n *XNode) index() int {
	if n.Parent == nil {
		return -1
	}
	for i, c := range n.Parent.Nodes {
		if c == n {
			return i
		}
	}
	return -1
}

// CompareDocumentOrder compares the positions of a and b in their tree
// as XNode.CompareDocumentOrder does: -1 when a comes first (an ancestor
// comes before its descendants), 1 when b does, 0 when they are the same
// node; a null node comes first. Nodes of different trees throw.
func CompareDocumentOrder(a, b *XNode) int {
	switch {
	case a == b:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	path := func(n *XNode) (*XNode, []int) {
		var p []int
		for ; n.Parent != nil; n = n.Parent {
			p = append(p, n.index())
		}
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
		return n, p
	}
	ra, pa := path(a)
	rb, pb := path(b)
	if ra != rb {
		Throw(ExInvalidOp, "A common ancestor is missing.")
	}
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			if pa[i] < pb[i] {
				return -1
			}
			return 1
		}
	}
	if len(pa) < len(pb) {
		return -1
	}
	return 1
}

// descendantNodes lists the nodes under n in document order, n first when
// self is set.
func descendantNodes(n *XNode, self bool) []*XNode {
	var out []*XNode
	if self {
		out = append(out, n)
	}
	var walk func(n *XNode)
	walk = func(n *XNode) {
		for _, ch := range n.Nodes {
			out = append(out, ch)
			walk(ch)
		}
	}
	walk(n)
	return out
}

// Clone deep-copies the node (without parent).
func (n *XNode) Clone() *XNode {
	c := &XNode{Kind: n.Kind, Name: n.Name, Text: n.Text, Full: n.Full}
	if n.Decl != nil {
		d := *n.Decl
		c.Decl = &d
	}
	for _, a := range n.Attrs {
		c.Attrs = append(c.Attrs, &XAttr{Name: a.Name, Value: a.Value, Parent: c})
	}
	for _, x := range n.Nodes {
		y := x.Clone()
		y.Parent = c
		c.Nodes = append(c.Nodes, y)
	}
	return c
}

// prefixOf finds the prefix bound to ns in scope at n, or "" when there is
// none.
func (n *XNode) prefixOf(ns string) string {
	if ns == nsXML {
		return "xml"
	}
	for x := n; x != nil && x.Kind == XElementNode; x = x.Parent {
		for _, a := range x.Attrs {
			if a.Name.NS == nsXMLNS && a.Value == ns {
				return a.Name.Local
			}
		}
	}
	return ""
}

// namespaceOfPrefix returns the namespace bound to prefix at n.
func (n *XNode) namespaceOfPrefix(prefix string) (string, bool) {
	switch prefix {
	case "xml":
		return nsXML, true
	case "xmlns":
		return nsXMLNS, true
	}
	for x := n; x != nil && x.Kind == XElementNode; x = x.Parent {
		for _, a := range x.Attrs {
			if prefix == "" && a.Name.NS == "" && a.Name.Local == "xmlns" || prefix != "" && a.Name.NS == nsXMLNS && a.Name.Local == prefix {
				return a.Value, true
			}
		}
	}
	return "", prefix == ""
}

// XMLError is the System.Xml.XmlException type name.
const XMLError = "System.Xml.XmlException"

// ParseXML parses s into a document node (XDocument.Parse). Whitespace-only
// text between markup is dropped unless preserveWS is set.
func ParseXML(s string, preserveWS bool) (*XNode, error) {
	doc := &XNode{Kind: XDocumentNode}
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	type scope struct {
		el    *XNode
		names map[string]string // prefix -> namespace declared on el
		raw   xml.Name
		start int
	}
	var stack []scope
	bound := map[string][]string{}
	cur := doc
	lookup := func(prefix string) (string, bool) {
		switch prefix {
		case "xml":
			return nsXML, true
		case "xmlns":
			return nsXMLNS, true
		}
		// the bindings in scope, innermost last: lookups do not walk the
		// element stack (a document nested 100,000 levels stays linear)
		if b := bound[prefix]; len(b) > 0 {
			return b[len(b)-1], true
		}
		return "", prefix == ""
	}
	seenRoot := false
	// at reports an error at byte offset off of s.
	at := func(off int, format string, args ...any) error {
		return &Exception{Type: XMLError, Message: fmt.Sprintf(format, args...) + xmlPosAt(s, off), Pos: -1, End: -1}
	}
	for {
		start := int(d.InputOffset())
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlParseError(err, d, s, start)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if cur == doc && seenRoot {
				return nil, at(start+1, "There are multiple root elements.")
			}
			seenRoot = true
			el := &XNode{Kind: XElementNode}
			sc := scope{el: el, raw: t.Name, start: start}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					if sc.names == nil {
						sc.names = map[string]string{}
					}
					if a.Name.Space == "xmlns" {
						sc.names[a.Name.Local] = a.Value
					} else {
						sc.names[""] = a.Value
					}
				}
			}
			stack = append(stack, sc)
			for prefix, ns := range sc.names {
				bound[prefix] = append(bound[prefix], ns)
			}
			ns, ok := lookup(t.Name.Space)
			if !ok {
				return nil, at(start+1, "'%s' is an undeclared prefix.", t.Name.Space)
			}
			el.Name = XName{NS: ns, Local: t.Name.Local}
			for _, a := range t.Attr {
				var an XName
				switch {
				case a.Name.Space == "xmlns":
					an = XName{NS: nsXMLNS, Local: a.Name.Local}
				case a.Name.Space == "":
					an = XName{Local: a.Name.Local}
				default:
					ans, ok := lookup(a.Name.Space)
					if !ok {
						return nil, at(start+1, "'%s' is an undeclared prefix.", a.Name.Space)
					}
					an = XName{NS: ans, Local: a.Name.Local}
				}
				if el.Attr(an) != nil {
					off := start + 1
					if tag := s[start:d.InputOffset()]; strings.Contains(tag, " "+rawName(a.Name)) {
						off = start + strings.LastIndex(tag, " "+rawName(a.Name)) + 1
					}
					return nil, at(off, "'%s' is a duplicate attribute name.", rawName(a.Name))
				}
				el.Attrs = append(el.Attrs, &XAttr{Name: an, Value: a.Value, Parent: el})
			}
			cur.appendNode(el)
			cur = el
			el.Full = true
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, xmlErrorf(d, "Unexpected end tag.")
			}
			top := stack[len(stack)-1]
			if top.raw != t.Name {
				sl, sc := lineCol(s, top.start+1)
				return nil, at(start+2, "The '%s' start tag on line %d position %d does not match the end tag of '%s'.", rawName(top.raw), sl, sc, rawName(t.Name))
			}
			for prefix := range top.names {
				bound[prefix] = bound[prefix][:len(bound[prefix])-1]
			}
			stack = stack[:len(stack)-1]
			if len(cur.Nodes) > 0 {
				cur.Full = false
			} else if d.InputOffset() > 1 && s[d.InputOffset()-2] == '/' {
				cur.Full = false // <a/>
			}
			cur = cur.Parent
		case xml.CharData:
			text := string(t)
			if strings.HasPrefix(s[start:], "<![CDATA[") && cur != doc {
				cur.appendNode(&XNode{Kind: XCDataNode, Text: text})
				continue
			}
			if cur == doc {
				if strings.TrimSpace(text) != "" {
					return nil, at(start+len(text)-len(strings.TrimLeft(text, " \t\r\n")), "Data at the root level is invalid.")
				}
				continue
			}
			if !preserveWS && isXMLSpace(text) {
				continue
			}
			cur.appendNode(&XNode{Kind: XTextNode, Text: text})
		case xml.Comment:
			cur.appendNode(&XNode{Kind: XCommentNode, Text: string(t)})
		case xml.ProcInst:
			if t.Target == "xml" {
				if cur != doc || len(doc.Nodes) > 0 {
					return nil, xmlErrorf(d, "Unexpected XML declaration. The XML declaration must be the first node in the document, and no whitespace characters are allowed to appear before it.")
				}
				doc.Decl = parseDecl(string(t.Inst))
				continue
			}
			cur.appendNode(&XNode{Kind: XPINode, Name: XName{Local: t.Target}, Text: string(t.Inst)})
		case xml.Directive:
			if cur == doc {
				doc.appendNode(&XNode{Kind: XDocTypeNode, Text: string(t)})
			}
		}
	}
	if len(stack) > 0 {
		return nil, xmlErrorf(d, "Unexpected end of file has occurred. The following elements are not closed: %s.", rawName(stack[len(stack)-1].raw))
	}
	if doc.Root() == nil {
		return nil, &Exception{Type: XMLError, Message: "Root element is missing.", Pos: -1, End: -1}
	}
	return doc, nil
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func isXMLSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

func parseDecl(inst string) *XDecl {
	d := &XDecl{}
	get := func(name string) string {
		i := strings.Index(inst, name)
		if i < 0 {
			return ""
		}
		rest := strings.TrimLeft(inst[i+len(name):], " =")
		if rest == "" || rest[0] != '"' && rest[0] != '\'' {
			return ""
		}
		q := rest[0]
		if j := strings.IndexByte(rest[1:], q); j >= 0 {
			return rest[1 : 1+j]
		}
		return ""
	}
	d.Version, d.Encoding, d.Standalone = get("version"), get("encoding"), get("standalone")
	return d
}

// lineCol returns the 1-based line and column of byte offset off in s.
func lineCol(s string, off int) (int, int) {
	if off > len(s) {
		off = len(s)
	}
	line := 1 + strings.Count(s[:off], "\n")
	col := off - strings.LastIndexByte(s[:off], '\n')
	return line, col
}

func xmlPosAt(s string, off int) string {
	l, c := lineCol(s, off)
	return fmt.Sprintf(" Line %d, position %d.", l, c)
}

func xmlPos(d *xml.Decoder) string {
	line, col := d.InputPos()
	return fmt.Sprintf(" Line %d, position %d.", line, col)
}

func xmlErrorf(d *xml.Decoder, format string, args ...any) error {
	return &Exception{Type: XMLError, Message: fmt.Sprintf(format, args...) + xmlPos(d), Pos: -1, End: -1}
}

func xmlParseError(err error, d *xml.Decoder, s string, start int) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := se.Msg
		switch {
		case strings.Contains(msg, "unexpected EOF"):
			return &Exception{Type: XMLError, Message: "Unexpected end of file has occurred." + xmlPos(d), Pos: -1, End: -1}
		case strings.HasPrefix(msg, "invalid character entity "):
			ent := strings.TrimSuffix(strings.TrimPrefix(msg, "invalid character entity "), " (no semicolon)")
			off := start
			if i := strings.Index(s[start:], ent); i >= 0 {
				off = start + i + 1
			}
			name := strings.TrimSuffix(strings.TrimPrefix(ent, "&"), ";")
			return &Exception{Type: XMLError, Message: "Reference to undeclared entity '" + name + "'." + xmlPosAt(s, off), Pos: -1, End: -1}
		}
		return &Exception{Type: XMLError, Message: "Data at the root level is invalid." + fmt.Sprintf(" Line %d, position 1.", se.Line), Cause: "the XML is not well formed: " + msg, Pos: -1, End: -1}
	}
	return &Exception{Type: XMLError, Message: err.Error(), Pos: -1, End: -1}
}

// xmlWriter reproduces XmlWriter's output with Indent = true: a new line
// and two spaces per level before markup, except inside mixed content.
type xmlWriter struct {
	b        strings.Builder
	indent   bool
	lastText bool // the last thing written was text (or nothing yet)
	mixed    bool
	// declared holds the namespace declarations written so far, innermost
	// last (prefix, namespace).
	declared [][2]string
}

// xmlNewline is the line end .NET's XmlWriter uses by default:
// Environment.NewLine, "\n" on Linux, where APIM's self-hosted gateway and
// tollgate run.
const xmlNewline = "\n"

func (w *xmlWriter) newline(level int) {
	if !w.indent || w.mixed || w.lastText {
		return
	}
	w.b.WriteString(xmlNewline)
	for range level {
		w.b.WriteString("  ")
	}
}

func (w *xmlWriter) declaredNS(prefix string) (string, bool) {
	for i := len(w.declared) - 1; i >= 0; i-- {
		if w.declared[i][0] == prefix {
			return w.declared[i][1], true
		}
	}
	if prefix == "" {
		return "", true
	}
	return "", false
}

func (w *xmlWriter) node(n *XNode, level int) {
	switch n.Kind {
	case XElementNode:
		w.element(n, level)
	case XTextNode:
		w.mixed = true
		escapeText(&w.b, n.Text)
		w.lastText = true
	case XCDataNode:
		w.mixed = true
		w.b.WriteString("<![CDATA[" + n.Text + "]]>")
		w.lastText = true
	case XCommentNode:
		w.newline(level)
		w.b.WriteString("<!--" + n.Text + "-->")
		w.lastText = false
	case XPINode:
		w.newline(level)
		w.b.WriteString("<?" + n.Name.Local)
		if n.Text != "" {
			w.b.WriteString(" " + n.Text)
		}
		w.b.WriteString("?>")
		w.lastText = false
	case XDocTypeNode:
		w.newline(level)
		w.b.WriteString("<!" + n.Text + ">")
		w.lastText = false
	}
}

func (w *xmlWriter) element(n *XNode, level int) {
	w.newline(level)
	mark := len(w.declared)
	// explicit declarations first
	for _, a := range n.Attrs {
		if a.Name.NS == nsXMLNS {
			w.declared = append(w.declared, [2]string{a.Name.Local, a.Value})
		} else if a.Name.NS == "" && a.Name.Local == "xmlns" {
			w.declared = append(w.declared, [2]string{"", a.Value})
		}
	}
	var extra [][2]string
	prefixFor := func(ns string, isAttr bool) string {
		if ns == nsXML {
			return "xml"
		}
		if ns == nsXMLNS {
			return "xmlns"
		}
		// a prefix already declared in the output
		for i := len(w.declared) - 1; i >= 0; i-- {
			d := w.declared[i]
			if d[1] == ns && (d[0] != "" || !isAttr) {
				if cur, _ := w.declaredNS(d[0]); cur == ns {
					return d[0]
				}
			}
		}
		// a prefix declared on an ancestor in the tree
		p := ""
		found := false
		for x := n.ParentElement(); x != nil && !found; x = x.ParentElement() {
			for _, a := range x.Attrs {
				if a.Name.NS == nsXMLNS && a.Value == ns {
					p, found = a.Name.Local, true
					break
				}
				if !isAttr && a.Name.NS == "" && a.Name.Local == "xmlns" && a.Value == ns {
					p, found = "", true
					break
				}
			}
		}
		if !found && isAttr {
			for i := 1; ; i++ {
				p = fmt.Sprintf("p%d", i)
				if _, used := w.declaredNS(p); !used {
					break
				}
			}
		}
		w.declared = append(w.declared, [2]string{p, ns})
		extra = append(extra, [2]string{p, ns})
		return p
	}
	prefix := ""
	if cur, _ := w.declaredNS(""); n.Name.NS != "" || cur != "" {
		prefix = prefixFor(n.Name.NS, false)
		if n.Name.NS == "" {
			prefix = ""
		}
	}
	qname := n.Name.Local
	if prefix != "" {
		qname = prefix + ":" + qname
	}
	w.b.WriteString("<" + qname)
	for _, a := range n.Attrs {
		name := a.Name.Local
		switch {
		case a.Name.NS == nsXMLNS:
			name = "xmlns:" + name
		case a.Name.NS != "":
			name = prefixFor(a.Name.NS, true) + ":" + name
		}
		w.b.WriteString(" " + name + `="`)
		escapeAttr(&w.b, a.Value)
		w.b.WriteByte('"')
	}
	for _, d := range extra {
		if d[0] == "" {
			w.b.WriteString(` xmlns="`)
		} else {
			w.b.WriteString(" xmlns:" + d[0] + `="`)
		}
		escapeAttr(&w.b, d[1])
		w.b.WriteByte('"')
	}
	if len(n.Nodes) == 0 && !n.Full {
		w.b.WriteString(" />")
		w.lastText = false
		w.declared = w.declared[:mark]
		return
	}
	w.b.WriteByte('>')
	w.lastText = false
	outer := w.mixed
	for _, c := range n.Nodes {
		w.node(c, level+1)
	}
	if len(n.Nodes) > 0 {
		w.newline(level)
	}
	w.b.WriteString("</" + qname + ">")
	w.mixed = outer
	w.lastText = false
	w.declared = w.declared[:mark]
}

func escapeText(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(xmlNewline)
		case '\n':
			b.WriteString(xmlNewline)
		default:
			b.WriteByte(c)
		}
	}
}

func escapeAttr(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\t':
			b.WriteString("&#x9;")
		case '\n':
			b.WriteString("&#xA;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteByte(c)
		}
	}
}
