package value

import "strings"

// StringReader is a System.IO.StringReader.
type StringReader struct {
	S   string
	Pos int
}

// DotnetType implements Typed.
func (r *StringReader) DotnetType(u *Lib) *Type { return u.X.StrReader }

// xmlEvent is one node an XmlReader stops on.
type xmlEvent struct {
	kind  int64 // XmlNodeType value
	node  *XNode
	depth int
	empty bool
}

// XmlNodeType values.
const (
	xntNone                  = 0
	xntElement               = 1
	xntText                  = 3
	xntCDATA                 = 4
	xntProcessingInstruction = 7
	xntComment               = 8
	xntDocumentType          = 10
	xntWhitespace            = 13
	xntEndElement            = 15
	xntXmlDeclaration        = 17
)

var xmlNodeTypeNames = map[string]int64{"None": 0, "Element": 1, "Attribute": 2, "Text": 3, "CDATA": 4,
	"EntityReference": 5, "Entity": 6, "ProcessingInstruction": 7, "Comment": 8, "Document": 9, "DocumentType": 10,
	"DocumentFragment": 11, "Notation": 12, "Whitespace": 13, "SignificantWhitespace": 14, "EndElement": 15,
	"EndEntity": 16, "XmlDeclaration": 17}

// XmlReader is a forward-only System.Xml.XmlReader over a parsed document:
// the text is parsed when the reader is created, and the reader walks the
// nodes in document order.
type XmlReader struct {
	events []xmlEvent
	pos    int // -1 before the first Read
	decl   *XDecl
}

// DotnetType implements Typed.
func (r *XmlReader) DotnetType(u *Lib) *Type { return u.X.XmlReader }

func newXmlReader(s string) *XmlReader {
	doc := parseXMLValue(s, true)
	r := &XmlReader{pos: -1, decl: doc.Decl}
	if doc.Decl != nil {
		r.events = append(r.events, xmlEvent{kind: xntXmlDeclaration})
	}
	var walk func(n *XNode, depth int)
	walk = func(n *XNode, depth int) {
		switch n.Kind {
		case XElementNode:
			empty := len(n.Nodes) == 0 && !n.Full
			r.events = append(r.events, xmlEvent{kind: xntElement, node: n, depth: depth, empty: empty})
			for _, c := range n.Nodes {
				walk(c, depth+1)
			}
			if !empty {
				r.events = append(r.events, xmlEvent{kind: xntEndElement, node: n, depth: depth})
			}
		case XTextNode:
			k := int64(xntText)
			if isXMLSpace(n.Text) {
				k = xntWhitespace
			}
			r.events = append(r.events, xmlEvent{kind: k, node: n, depth: depth})
		case XCDataNode:
			r.events = append(r.events, xmlEvent{kind: xntCDATA, node: n, depth: depth})
		case XCommentNode:
			r.events = append(r.events, xmlEvent{kind: xntComment, node: n, depth: depth})
		case XPINode:
			r.events = append(r.events, xmlEvent{kind: xntProcessingInstruction, node: n, depth: depth})
		case XDocTypeNode:
			r.events = append(r.events, xmlEvent{kind: xntDocumentType, node: n, depth: depth})
		}
	}
	for _, c := range doc.Nodes {
		walk(c, 0)
	}
	return r
}

func (r *XmlReader) cur() *xmlEvent {
	if r.pos < 0 || r.pos >= len(r.events) {
		return nil
	}
	return &r.events[r.pos]
}

// Read moves to the next node.
func (r *XmlReader) Read() bool {
	if r.pos < len(r.events) {
		r.pos++
	}
	return r.pos < len(r.events)
}

func (r *XmlReader) eof() bool { return r.pos >= len(r.events) }

func isContentKind(k int64) bool {
	switch k {
	case xntElement, xntText, xntCDATA, xntEndElement, 5, 16:
		return true
	}
	return false
}

func (r *XmlReader) moveToContent() int64 {
	if r.pos < 0 {
		r.Read()
	}
	for e := r.cur(); e != nil && !isContentKind(e.kind); e = r.cur() {
		r.Read()
	}
	if e := r.cur(); e != nil {
		return e.kind
	}
	return xntNone
}

func (r *XmlReader) name(local bool) string {
	e := r.cur()
	if e == nil {
		return ""
	}
	switch e.kind {
	case xntElement, xntEndElement:
		if local {
			return e.node.Name.Local
		}
		if e.node.Name.NS != "" {
			if p := e.node.prefixOf(e.node.Name.NS); p != "" {
				return p + ":" + e.node.Name.Local
			}
		}
		return e.node.Name.Local
	case xntProcessingInstruction:
		return e.node.Name.Local
	case xntXmlDeclaration:
		return "xml"
	case xntDocumentType:
		f := strings.Fields(strings.TrimPrefix(e.node.Text, "DOCTYPE"))
		if len(f) > 0 {
			return f[0]
		}
	}
	return ""
}

func (r *XmlReader) value() string {
	e := r.cur()
	if e == nil {
		return ""
	}
	switch e.kind {
	case xntText, xntWhitespace, xntCDATA, xntComment, xntProcessingInstruction:
		return e.node.Text
	case xntXmlDeclaration:
		d := r.decl.DotnetString()
		return strings.TrimSuffix(strings.TrimPrefix(d, "<?xml "), "?>")
	}
	return ""
}

// skipElement moves past the current element and its content.
func (r *XmlReader) skipElement() {
	e := r.cur()
	if e == nil || e.kind != xntElement {
		r.Read()
		return
	}
	if e.empty {
		r.Read()
		return
	}
	n := e.node
	for r.Read() {
		if c := r.cur(); c.kind == xntEndElement && c.node == n {
			r.Read()
			return
		}
	}
}

// readNode implements XNode.ReadFrom.
func (r *XmlReader) readNode() Value {
	e := r.cur()
	if e == nil {
		Throw(ExInvalidOp, "The XmlReader state should be Interactive.")
	}
	var out *XNode
	switch e.kind {
	case xntElement:
		out = e.node.Clone()
		// keep the namespace declarations in scope so that the copy prints
		// and resolves like the original
		r.skipElement()
		return out
	case xntText, xntWhitespace, xntCDATA, xntComment, xntProcessingInstruction, xntDocumentType:
		out = e.node.Clone()
	default:
		Throw(ExInvalidOp, "The XmlReader should not be on a node of type %s.", xmlNodeTypeName(e.kind))
	}
	r.Read()
	return out
}

func xmlNodeTypeName(k int64) string {
	for n, v := range xmlNodeTypeNames {
		if v == k {
			return n
		}
	}
	return "None"
}

func (u *Lib) buildXmlReader() {
	x := &u.X
	x.XmlNodeType = u.newType("XmlNodeType", "System.Xml.XmlNodeType", u.Object)
	x.XmlNodeType.EnumValues = xmlNodeTypeNames
	x.StrReader = u.newType("StringReader", "System.IO.StringReader", u.Object)
	x.StrReader.Is = func(v Value) bool { _, ok := v.(*StringReader); return ok }
	x.StrReader.NewMin = 1
	x.StrReader.New = func(c Call) Value {
		c.NotNull(0, "s")
		return &StringReader{S: c.Str(0)}
	}
	sr := func(c Call) *StringReader { return c.This.(*StringReader) }
	x.StrReader.add(
		meth("ReadToEnd", 0, 0, u.String, func(c Call) Value {
			r := sr(c)
			s := r.S[r.Pos:]
			r.Pos = len(r.S)
			return s
		}),
		meth("ReadLine", 0, 0, u.String, func(c Call) Value {
			r := sr(c)
			if r.Pos >= len(r.S) {
				return nil
			}
			rest := r.S[r.Pos:]
			i := strings.IndexAny(rest, "\r\n")
			if i < 0 {
				r.Pos = len(r.S)
				return rest
			}
			line := rest[:i]
			r.Pos += i + 1
			if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
				r.Pos++
			}
			return line
		}),
		meth("Peek", 0, 0, u.Int, func(c Call) Value {
			r := sr(c)
			if r.Pos >= len(r.S) {
				return int32(-1)
			}
			return int32(r.S[r.Pos])
		}),
		meth("Dispose", 0, 0, u.Void, func(c Call) Value { return nil }),
		meth("Close", 0, 0, u.Void, func(c Call) Value { return nil }),
	)

	x.XmlReader = u.newType("XmlReader", "System.Xml.XmlReader", u.Object)
	x.XmlReader.Is = func(v Value) bool { _, ok := v.(*XmlReader); return ok }
	x.XmlReader.addStatic(meth("Create", 1, 2, x.XmlReader, func(c Call) Value {
		switch a := c.Args[0].(type) {
		case *StringReader:
			s := a.S[a.Pos:]
			a.Pos = len(a.S)
			return newXmlReader(s)
		case nil:
			c.NotNull(0, "input")
		}
		Throw(ExNotSupported, "XmlReader.Create reads only from a StringReader in tollgate.")
		return nil
	}))
	rd := func(c Call) *XmlReader { return c.This.(*XmlReader) }
	nodeType := func(r *XmlReader) Enum {
		k := int64(xntNone)
		if e := r.cur(); e != nil {
			k = e.kind
		}
		return Enum{T: x.XmlNodeType, V: k, Name: xmlNodeTypeName(k)}
	}
	elementName := func(c Call) (string, bool) {
		if !c.Has(0) {
			return "", false
		}
		return c.Str(0), true
	}
	matches := func(r *XmlReader, name string) bool {
		return r.name(false) == name
	}
	x.XmlReader.add(
		meth("Read", 0, 0, u.Bool, func(c Call) Value { return rd(c).Read() }),
		meth("MoveToContent", 0, 0, x.XmlNodeType, func(c Call) Value { rd(c).moveToContent(); return nodeType(rd(c)) }),
		prop("EOF", u.Bool, func(c Call) Value { return rd(c).eof() }),
		prop("Name", u.String, func(c Call) Value { return rd(c).name(false) }),
		prop("LocalName", u.String, func(c Call) Value { return rd(c).name(true) }),
		prop("NamespaceURI", u.String, func(c Call) Value {
			if e := rd(c).cur(); e != nil && (e.kind == xntElement || e.kind == xntEndElement) {
				return e.node.Name.NS
			}
			return ""
		}),
		prop("Value", u.String, func(c Call) Value { return rd(c).value() }),
		prop("HasValue", u.Bool, func(c Call) Value {
			if e := rd(c).cur(); e != nil {
				switch e.kind {
				case xntText, xntWhitespace, xntCDATA, xntComment, xntProcessingInstruction, xntXmlDeclaration:
					return true
				}
			}
			return false
		}),
		prop("NodeType", x.XmlNodeType, func(c Call) Value { return nodeType(rd(c)) }),
		prop("Depth", u.Int, func(c Call) Value {
			if e := rd(c).cur(); e != nil {
				return int32(e.depth)
			}
			return int32(0)
		}),
		prop("IsEmptyElement", u.Bool, func(c Call) Value {
			e := rd(c).cur()
			return e != nil && e.kind == xntElement && e.empty
		}),
		prop("HasAttributes", u.Bool, func(c Call) Value {
			e := rd(c).cur()
			return e != nil && e.kind == xntElement && len(e.node.Attrs) > 0
		}),
		prop("AttributeCount", u.Int, func(c Call) Value {
			if e := rd(c).cur(); e != nil && e.kind == xntElement {
				return int32(len(e.node.Attrs))
			}
			return int32(0)
		}),
		meth("GetAttribute", 1, 2, u.String, func(c Call) Value {
			e := rd(c).cur()
			if e == nil || e.kind != xntElement {
				return nil
			}
			if i, ok := c.Args[0].(int32); ok {
				if int(i) < 0 || int(i) >= len(e.node.Attrs) {
					Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'i')")
				}
				return e.node.Attrs[i].Value
			}
			name := XName{Local: c.Str(0)}
			if c.Has(1) {
				name.NS = c.Str(1)
			} else if p, l, ok := strings.Cut(name.Local, ":"); ok {
				ns, _ := e.node.namespaceOfPrefix(p)
				name = XName{NS: ns, Local: l}
			}
			if a := e.node.Attr(name); a != nil {
				return a.Value
			}
			return nil
		}),
		meth("IsStartElement", 0, 1, u.Bool, func(c Call) Value {
			r := rd(c)
			if r.moveToContent() != xntElement {
				return false
			}
			if name, ok := elementName(c); ok {
				return matches(r, name)
			}
			return true
		}),
		meth("ReadToFollowing", 1, 1, u.Bool, func(c Call) Value {
			r := rd(c)
			name := c.Str(0)
			for r.Read() {
				if e := r.cur(); e.kind == xntElement && matches(r, name) {
					return true
				}
			}
			return false
		}),
		meth("ReadToDescendant", 1, 1, u.Bool, func(c Call) Value {
			r := rd(c)
			e := r.cur()
			if e == nil || e.kind != xntElement || e.empty {
				return false
			}
			depth, name := e.depth, c.Str(0)
			for r.Read() {
				e := r.cur()
				if e.depth <= depth && e.kind == xntEndElement {
					return false
				}
				if e.kind == xntElement && matches(r, name) {
					return true
				}
			}
			return false
		}),
		meth("ReadToNextSibling", 1, 1, u.Bool, func(c Call) Value {
			r := rd(c)
			e := r.cur()
			if e == nil {
				return false
			}
			depth, name := e.depth, c.Str(0)
			r.skipElement()
			for e := r.cur(); e != nil; e = r.cur() {
				if e.depth < depth || e.kind == xntEndElement && e.depth == depth-1 {
					return false
				}
				if e.depth == depth && e.kind == xntElement && matches(r, name) {
					return true
				}
				if e.kind == xntElement {
					r.skipElement()
				} else {
					r.Read()
				}
			}
			return false
		}),
		meth("Skip", 0, 0, u.Void, func(c Call) Value { rd(c).skipElement(); return nil }),
		meth("ReadElementContentAsString", 0, 0, u.String, func(c Call) Value {
			r := rd(c)
			e := r.cur()
			if e == nil || e.kind != xntElement {
				Throw(ExInvalidOp, "The ReadElementContentAsString method is not supported on node type %s.", nodeType(r).Name)
			}
			s := e.node.Value()
			r.skipElement()
			return s
		}),
		meth("ReadElementString", 0, 0, u.String, func(c Call) Value {
			r := rd(c)
			r.moveToContent()
			e := r.cur()
			if e == nil || e.kind != xntElement {
				Throw(XMLError, "'%s' is an invalid XmlNodeType.", nodeType(r).Name)
			}
			s := e.node.Value()
			r.skipElement()
			return s
		}),
		meth("ReadInnerXml", 0, 0, u.String, func(c Call) Value {
			r := rd(c)
			e := r.cur()
			if e == nil || e.kind != xntElement {
				return ""
			}
			var b strings.Builder
			for _, ch := range e.node.Nodes {
				b.WriteString(ch.XML(false))
			}
			r.skipElement()
			return b.String()
		}),
		meth("ReadOuterXml", 0, 0, u.String, func(c Call) Value {
			r := rd(c)
			e := r.cur()
			if e == nil || e.kind != xntElement {
				return ""
			}
			s := e.node.XML(false)
			r.skipElement()
			return s
		}),
		meth("Dispose", 0, 0, u.Void, func(c Call) Value { rd(c).pos = len(rd(c).events); return nil }),
		meth("Close", 0, 0, u.Void, func(c Call) Value { rd(c).pos = len(rd(c).events); return nil }),
	)
}
