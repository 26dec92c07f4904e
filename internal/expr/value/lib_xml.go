package value

import "sort"

// xmlTypes are the System.Xml.Linq types, filled by buildXML.
type xmlTypes struct {
	XObject, XNode, XContainer, XElement, XDocument *Type
	XText, XCData, XComment, XPI, XDocType          *Type
	XAttribute, XName, XNamespace, XDeclaration     *Type
	SaveOptions, XmlReader, XmlNodeType, StrReader  *Type
}

// DotnetType implements Typed.
func (n *XNode) DotnetType(u *Lib) *Type {
	switch n.Kind {
	case XDocumentNode:
		return u.X.XDocument
	case XElementNode:
		return u.X.XElement
	case XTextNode:
		return u.X.XText
	case XCDataNode:
		return u.X.XCData
	case XCommentNode:
		return u.X.XComment
	case XPINode:
		return u.X.XPI
	}
	return u.X.XDocType
}

// DotnetType implements Typed.
func (a *XAttr) DotnetType(u *Lib) *Type { return u.X.XAttribute }

// DotnetType implements Typed.
func (n XName) DotnetType(u *Lib) *Type { return u.X.XName }

// DotnetType implements Typed.
func (n XNamespace) DotnetType(u *Lib) *Type { return u.X.XNamespace }

// DotnetType implements Typed.
func (d *XDecl) DotnetType(u *Lib) *Type { return u.X.XDeclaration }

func (u *Lib) buildXML() {
	x := &u.X
	x.XObject = u.newType("XObject", "System.Xml.Linq.XObject", u.Object)
	x.XNode = u.newType("XNode", "System.Xml.Linq.XNode", x.XObject)
	x.XContainer = u.newType("XContainer", "System.Xml.Linq.XContainer", x.XNode)
	x.XElement = u.newType("XElement", "System.Xml.Linq.XElement", x.XContainer)
	x.XDocument = u.newType("XDocument", "System.Xml.Linq.XDocument", x.XContainer)
	x.XText = u.newType("XText", "System.Xml.Linq.XText", x.XNode)
	x.XCData = u.newType("XCData", "System.Xml.Linq.XCData", x.XText)
	x.XComment = u.newType("XComment", "System.Xml.Linq.XComment", x.XNode)
	x.XPI = u.newType("XProcessingInstruction", "System.Xml.Linq.XProcessingInstruction", x.XNode)
	x.XDocType = u.newType("XDocumentType", "System.Xml.Linq.XDocumentType", x.XNode)
	x.XAttribute = u.newType("XAttribute", "System.Xml.Linq.XAttribute", x.XObject)
	x.XName = u.newType("XName", "System.Xml.Linq.XName", u.Object)
	x.XNamespace = u.newType("XNamespace", "System.Xml.Linq.XNamespace", u.Object)
	x.XDeclaration = u.newType("XDeclaration", "System.Xml.Linq.XDeclaration", u.Object)
	x.SaveOptions = u.newType("SaveOptions", "System.Xml.Linq.SaveOptions", u.Object)
	x.SaveOptions.EnumValues = map[string]int64{"None": 0, "DisableFormatting": 1, "OmitDuplicateNamespaces": 2}
	u.newType("LoadOptions", "System.Xml.Linq.LoadOptions", u.Object).EnumValues = map[string]int64{"None": 0, "PreserveWhitespace": 1, "SetBaseUri": 2, "SetLineInfo": 4}
	seqEl := u.SeqOf(x.XElement)
	seqNode := u.SeqOf(x.XNode)
	seqAttr := u.SeqOf(x.XAttribute)

	kindIs := func(kinds ...XKind) func(v Value) bool {
		return func(v Value) bool {
			n, ok := v.(*XNode)
			if !ok {
				return false
			}
			for _, k := range kinds {
				if n.Kind == k {
					return true
				}
			}
			return false
		}
	}
	x.XObject.Is = func(v Value) bool {
		switch v.(type) {
		case *XNode, *XAttr:
			return true
		}
		return false
	}
	x.XNode.Is = func(v Value) bool { _, ok := v.(*XNode); return ok }
	x.XContainer.Is = kindIs(XElementNode, XDocumentNode)
	x.XElement.Is = kindIs(XElementNode)
	x.XDocument.Is = kindIs(XDocumentNode)
	x.XText.Is = kindIs(XTextNode, XCDataNode)
	x.XCData.Is = kindIs(XCDataNode)
	x.XComment.Is = kindIs(XCommentNode)
	x.XPI.Is = kindIs(XPINode)
	x.XDocType.Is = kindIs(XDocTypeNode)
	x.XAttribute.Is = func(v Value) bool { _, ok := v.(*XAttr); return ok }
	x.XName.Is = func(v Value) bool { _, ok := v.(XName); return ok }
	x.XNamespace.Is = func(v Value) bool { _, ok := v.(XNamespace); return ok }
	x.XDeclaration.Is = func(v Value) bool { _, ok := v.(*XDecl); return ok }

	node := func(c Call) *XNode { return c.This.(*XNode) }
	attr := func(c Call) *XAttr { return c.This.(*XAttr) }
	toStr := func(c Call) Value {
		if c.Has(0) {
			if e, ok := c.Args[0].(Enum); ok && e.V&1 != 0 {
				return node(c).XML(false)
			}
		}
		return node(c).XML(true)
	}
	// save writes an element or document to a StringWriter as Save does
	// through an XmlWriter: an XML declaration naming the writer's
	// encoding (utf-16), then the XML, indented unless the SaveOptions
	// argument disables formatting. Save to a file is refused by the
	// member table.
	save := func(c Call) Value {
		sw, ok := c.Args[0].(*StringWriter)
		if !ok {
			c.NotNull(0, "textWriter")
			Throw(ExNotSupported, "Save writes only to a StringWriter in tollgate.")
		}
		n := node(c)
		decl := `<?xml version="1.0" encoding="utf-16"`
		if d := n.Decl; n.Kind == XDocumentNode && d != nil && (d.Standalone == "yes" || d.Standalone == "no") {
			decl += ` standalone="` + d.Standalone + `"`
		}
		decl += "?>"
		indent := true
		if c.Has(1) {
			if e, ok := c.Args[1].(Enum); ok && e.V&1 != 0 {
				indent = false
			}
		}
		b := &sw.SB.B
		b.WriteString(decl)
		if indent {
			b.WriteString("\n")
		}
		b.WriteString(n.XML(indent))
		return nil
	}

	// XName and XNamespace
	x.XName.add(
		prop("LocalName", u.String, func(c Call) Value { return c.This.(XName).Local }),
		prop("NamespaceName", u.String, func(c Call) Value { return c.This.(XName).NS }),
		prop("Namespace", x.XNamespace, func(c Call) Value { return XNamespace{URI: c.This.(XName).NS} }),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return c.This.(XName).DotnetString() }),
	)
	x.XName.addStatic(meth("Get", 1, 2, x.XName, func(c Call) Value {
		if c.Has(1) {
			return XName{NS: c.Str(1), Local: c.Str(0)}
		}
		return ToXName(c.Args[0], "expandedName")
	}))
	x.XNamespace.add(
		prop("NamespaceName", u.String, func(c Call) Value { return c.This.(XNamespace).URI }),
		meth("GetName", 1, 1, x.XName, func(c Call) Value { return XName{NS: c.This.(XNamespace).URI, Local: c.Str(0)} }),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return c.This.(XNamespace).URI }),
	)
	x.XNamespace.addStatic(
		meth("Get", 1, 1, x.XNamespace, func(c Call) Value { return XNamespace{URI: c.Str(0)} }),
		prop("None", x.XNamespace, func(c Call) Value { return XNamespace{} }),
		prop("Xml", x.XNamespace, func(c Call) Value { return XNamespace{URI: nsXML} }),
		prop("Xmlns", x.XNamespace, func(c Call) Value { return XNamespace{URI: nsXMLNS} }),
	)

	// XObject / XNode
	x.XObject.add(
		prop("Parent", x.XElement, func(c Call) Value {
			var p *XNode
			switch o := c.This.(type) {
			case *XNode:
				p = o.ParentElement()
			case *XAttr:
				p = o.Parent
			}
			if p == nil {
				return nil
			}
			return p
		}),
		prop("Document", x.XDocument, func(c Call) Value {
			var n *XNode
			switch o := c.This.(type) {
			case *XNode:
				n = o
			case *XAttr:
				n = o.Parent
			}
			if n == nil {
				return nil
			}
			if d := n.Document(); d != nil {
				return d
			}
			return nil
		}),
		// BaseUri is empty: tollgate loads no document from a URI.
		prop("BaseUri", u.String, func(c Call) Value { return "" }),
		prop("NodeType", u.Object, func(c Call) Value {
			names := []string{"Document", "Element", "Text", "CDATA", "Comment", "ProcessingInstruction", "DocumentType"}
			vals := []int64{9, 1, 3, 4, 8, 7, 10}
			if _, ok := c.This.(*XAttr); ok {
				return Enum{T: x.XmlNodeType, V: 2, Name: "Attribute"}
			}
			k := node(c).Kind
			return Enum{T: x.XmlNodeType, V: vals[k], Name: names[k]}
		}),
	)
	sibling := func(next bool) func(c Call) Value {
		return func(c Call) Value {
			n := node(c)
			i := n.index()
			if i < 0 {
				return nil
			}
			if next {
				i++
			} else {
				i--
			}
			if i < 0 || i >= len(n.Parent.Nodes) {
				return nil
			}
			return n.Parent.Nodes[i]
		}
	}
	siblings := func(after bool) func(c Call) Value {
		return func(c Call) Value {
			n := node(c)
			i := n.index()
			var out []*XNode
			if i >= 0 {
				ns := n.Parent.Nodes[:i]
				if after {
					ns = n.Parent.Nodes[i+1:]
				}
				name := optName(c, 0)
				for _, s := range ns {
					if s.Kind == XElementNode && (name == nil || s.Name == *name) {
						out = append(out, s)
					}
				}
			}
			return nodeSeq(x.XElement, out)
		}
	}
	ancestors := func(self bool) func(c Call) Value {
		return func(c Call) Value {
			name := optName(c, 0)
			var out []*XNode
			start := node(c)
			if !self {
				start = start.ParentElement()
			}
			for p := start; p != nil; p = p.ParentElement() {
				if name == nil || p.Name == *name {
					out = append(out, p)
				}
			}
			return nodeSeq(x.XElement, out)
		}
	}
	x.XNode.add(
		prop("NextNode", x.XNode, sibling(true)),
		prop("PreviousNode", x.XNode, sibling(false)),
		meth("Remove", 0, 0, u.Void, func(c Call) Value { node(c).Remove(); return nil }),
		meth("ElementsAfterSelf", 0, 1, seqEl, siblings(true)),
		meth("ElementsBeforeSelf", 0, 1, seqEl, siblings(false)),
		meth("Ancestors", 0, 1, seqEl, ancestors(false)),
		meth("AddAfterSelf", 1, -1, u.Void, func(c Call) Value { insertSiblings(node(c), argsContent(c), true); return nil }),
		meth("AddBeforeSelf", 1, -1, u.Void, func(c Call) Value { insertSiblings(node(c), argsContent(c), false); return nil }),
		meth("ReplaceWith", 1, -1, u.Void, func(c Call) Value {
			n := node(c)
			insertSiblings(n, argsContent(c), true)
			n.Remove()
			return nil
		}),
		meth("ToString", 0, 1, u.String, toStr),
		meth("NodesAfterSelf", 0, 0, seqNode, func(c Call) Value {
			n := node(c)
			if i := n.index(); i >= 0 {
				return nodeSeq(x.XNode, n.Parent.Nodes[i+1:])
			}
			return nodeSeq(x.XNode, nil)
		}),
		meth("NodesBeforeSelf", 0, 0, seqNode, func(c Call) Value {
			n := node(c)
			if i := n.index(); i >= 0 {
				return nodeSeq(x.XNode, n.Parent.Nodes[:i])
			}
			return nodeSeq(x.XNode, nil)
		}),
		meth("IsAfter", 1, 1, u.Bool, func(c Call) Value {
			o, _ := c.Args[0].(*XNode)
			return CompareDocumentOrder(node(c), o) > 0
		}),
		meth("IsBefore", 1, 1, u.Bool, func(c Call) Value {
			o, _ := c.Args[0].(*XNode)
			return CompareDocumentOrder(node(c), o) < 0
		}),
		// CreateReader reads a copy of the node as it prints.
		meth("CreateReader", 0, 0, x.XmlReader, func(c Call) Value { return newXmlReader(node(c).XML(false)) }),
	)
	docOrder := u.newType("XNodeDocumentOrderComparer", "System.Xml.Linq.XNodeDocumentOrderComparer", u.Object)
	docOrder.Is = func(v Value) bool { _, ok := v.(XNodeOrderComparer); return ok }
	docOrder.New = func(Call) Value { return XNodeOrderComparer{} }
	docOrder.add(meth("Compare", 2, 2, u.Int, func(c Call) Value {
		var ns [2]*XNode
		for i := range ns {
			n, ok := c.Args[i].(*XNode)
			if !ok && c.Args[i] != nil {
				Throw(ExArgument, "The argument must be derived from XNode. (Parameter '%s')", []string{"x", "y"}[i])
			}
			ns[i] = n
		}
		return int32(CompareDocumentOrder(ns[0], ns[1]))
	}))
	x.XNode.addStatic(
		meth("ReadFrom", 1, 1, x.XNode, func(c Call) Value {
			r, ok := c.Args[0].(*XmlReader)
			if !ok {
				c.NotNull(0, "reader")
				ThrowCast(c.Args[0], "System.Xml.XmlReader")
			}
			return r.readNode()
		}),
		meth("CompareDocumentOrder", 2, 2, u.Int, func(c Call) Value {
			a, _ := c.Args[0].(*XNode)
			b, _ := c.Args[1].(*XNode)
			return int32(CompareDocumentOrder(a, b))
		}),
		prop("DocumentOrderComparer", docOrder, func(Call) Value { return XNodeOrderComparer{} }),
		meth("DeepEquals", 2, 2, u.Bool, func(c Call) Value {
			a, _ := c.Args[0].(*XNode)
			b, _ := c.Args[1].(*XNode)
			if a == nil || b == nil {
				return a == b
			}
			return a.XML(false) == b.XML(false)
		}),
	)

	// XContainer
	x.XContainer.add(
		meth("Element", 1, 1, x.XElement, func(c Call) Value {
			name := ToXName(c.Args[0], "name")
			for _, e := range node(c).Nodes {
				if e.Kind == XElementNode && e.Name == name {
					return e
				}
			}
			return nil
		}),
		meth("Elements", 0, 1, seqEl, func(c Call) Value { return nodeSeq(x.XElement, node(c).Elements(optName(c, 0))) }),
		meth("Descendants", 0, 1, seqEl, func(c Call) Value {
			return nodeSeq(x.XElement, node(c).Descendants(optName(c, 0), false))
		}),
		meth("Nodes", 0, 0, seqNode, func(c Call) Value { return nodeSeq(x.XNode, node(c).Nodes) }),
		meth("DescendantNodes", 0, 0, seqNode, func(c Call) Value {
			return nodeSeq(x.XNode, descendantNodes(node(c), false))
		}),
		prop("FirstNode", x.XNode, func(c Call) Value {
			if ns := node(c).Nodes; len(ns) > 0 {
				return ns[0]
			}
			return nil
		}),
		prop("LastNode", x.XNode, func(c Call) Value {
			if ns := node(c).Nodes; len(ns) > 0 {
				return ns[len(ns)-1]
			}
			return nil
		}),
		meth("Add", 1, -1, u.Void, func(c Call) Value { addContent(node(c), argsContent(c), false); return nil }),
		meth("AddFirst", 1, -1, u.Void, func(c Call) Value { addContent(node(c), argsContent(c), true); return nil }),
		meth("RemoveNodes", 0, 0, u.Void, func(c Call) Value { node(c).removeNodes(); return nil }),
		meth("ReplaceNodes", 1, -1, u.Void, func(c Call) Value {
			v := snapshot(argsContent(c))
			node(c).removeNodes()
			addContent(node(c), v, false)
			return nil
		}),
	)

	// XElement
	x.XElement.NewMin = 1
	x.XElement.New = func(c Call) Value {
		if src, ok := c.Args[0].(*XNode); ok && len(c.Args) == 1 && src.Kind == XElementNode {
			return src.Clone()
		}
		n := &XNode{Kind: XElementNode, Name: ToXName(c.Args[0], "name")}
		if len(c.Args) > 1 {
			addContent(n, argsFrom(c, 1), false)
		}
		return n
	}
	x.XElement.add(
		&Member{Name: "Name", Kind: Property, Result: x.XName, Get: func(c Call) Value { return node(c).Name },
			Set: func(c Call, v Value) { node(c).Name = ToXName(v, "value") }},
		&Member{Name: "Value", Kind: Property, Result: u.String, Get: func(c Call) Value { return node(c).Value() },
			Set: func(c Call, v Value) {
				if v == nil {
					Throw(ExArgNull, "Value cannot be null. (Parameter 'value')")
				}
				node(c).SetValue(xmlString(v))
			}},
		prop("HasElements", u.Bool, func(c Call) Value { return len(node(c).Elements(nil)) > 0 }),
		prop("HasAttributes", u.Bool, func(c Call) Value { return len(node(c).Attrs) > 0 }),
		prop("IsEmpty", u.Bool, func(c Call) Value { return len(node(c).Nodes) == 0 && !node(c).Full }),
		prop("FirstAttribute", x.XAttribute, func(c Call) Value {
			if as := node(c).Attrs; len(as) > 0 {
				return as[0]
			}
			return nil
		}),
		prop("LastAttribute", x.XAttribute, func(c Call) Value {
			if as := node(c).Attrs; len(as) > 0 {
				return as[len(as)-1]
			}
			return nil
		}),
		meth("Attribute", 1, 1, x.XAttribute, func(c Call) Value {
			if a := node(c).Attr(ToXName(c.Args[0], "name")); a != nil {
				return a
			}
			return nil
		}),
		meth("Attributes", 0, 1, seqAttr, func(c Call) Value {
			name := optName(c, 0)
			var out []Value
			for _, a := range node(c).Attrs {
				if name == nil || a.Name == *name {
					out = append(out, a)
				}
			}
			return &Seq{T: x.XAttribute, Items: out}
		}),
		meth("DescendantsAndSelf", 0, 1, seqEl, func(c Call) Value {
			return nodeSeq(x.XElement, node(c).Descendants(optName(c, 0), true))
		}),
		meth("AncestorsAndSelf", 0, 1, seqEl, ancestors(true)),
		meth("DescendantNodesAndSelf", 0, 0, seqNode, func(c Call) Value {
			return nodeSeq(x.XNode, descendantNodes(node(c), true))
		}),
		meth("SetAttributeValue", 2, 2, u.Void, func(c Call) Value {
			node(c).SetAttr(ToXName(c.Args[0], "name"), xmlString(c.Args[1]), c.Args[1] == nil)
			return nil
		}),
		meth("SetElementValue", 2, 2, u.Void, func(c Call) Value {
			n := node(c)
			name := ToXName(c.Args[0], "name")
			for _, e := range n.Nodes {
				if e.Kind == XElementNode && e.Name == name {
					if c.Args[1] == nil {
						e.Remove()
					} else {
						e.SetValue(xmlString(c.Args[1]))
					}
					return nil
				}
			}
			if c.Args[1] != nil {
				e := &XNode{Kind: XElementNode, Name: name}
				e.SetValue(xmlString(c.Args[1]))
				n.appendNode(e)
			}
			return nil
		}),
		meth("SetValue", 1, 1, u.Void, func(c Call) Value {
			c.NotNull(0, "value")
			node(c).SetValue(xmlString(c.Args[0]))
			return nil
		}),
		meth("RemoveAll", 0, 0, u.Void, func(c Call) Value {
			n := node(c)
			n.removeNodes()
			n.Attrs = nil
			n.Full = false
			return nil
		}),
		meth("RemoveAttributes", 0, 0, u.Void, func(c Call) Value { node(c).Attrs = nil; return nil }),
		meth("ReplaceAll", 1, -1, u.Void, func(c Call) Value {
			v := snapshot(argsContent(c))
			n := node(c)
			n.removeNodes()
			n.Attrs = nil
			addContent(n, v, false)
			return nil
		}),
		meth("ReplaceAttributes", 1, -1, u.Void, func(c Call) Value {
			v := snapshot(argsContent(c))
			node(c).Attrs = nil
			addContent(node(c), v, false)
			return nil
		}),
		meth("GetDefaultNamespace", 0, 0, x.XNamespace, func(c Call) Value {
			ns, _ := node(c).namespaceOfPrefix("")
			return XNamespace{URI: ns}
		}),
		meth("GetNamespaceOfPrefix", 1, 1, x.XNamespace, func(c Call) Value {
			ns, ok := node(c).namespaceOfPrefix(c.Str(0))
			if !ok {
				return nil
			}
			return XNamespace{URI: ns}
		}),
		meth("GetPrefixOfNamespace", 1, 1, u.String, func(c Call) Value {
			ns := c.Args[0]
			uri := ""
			if x, ok := ns.(XNamespace); ok {
				uri = x.URI
			} else {
				uri = c.Str(0)
			}
			if p := node(c).prefixOf(uri); p != "" {
				return p
			}
			return nil
		}),
		meth("Save", 1, 2, u.Void, save),
	)
	x.XElement.addStatic(meth("Parse", 1, 2, x.XElement, func(c Call) Value {
		c.NotNull(0, "text")
		return parseXMLValue(c.Str(0), c.Has(1) && loadPreserve(c, 1)).Root().detach()
	}),
		prop("EmptySequence", seqEl, func(c Call) Value { return nodeSeq(x.XElement, nil) }),
		// Load reads from a StringReader (the rest of its text) or from an
		// XmlReader (the element at its content); a file name is refused
		// by the member table.
		meth("Load", 1, 2, x.XElement, func(c Call) Value {
			switch a := c.Args[0].(type) {
			case *StringReader:
				s := a.S[a.Pos:]
				a.Pos = len(a.S)
				return parseXMLValue(s, c.Has(1) && loadPreserve(c, 1)).Root().detach()
			case *XmlReader:
				if k := a.moveToContent(); k != xntElement {
					Throw(ExInvalidOp, "The XmlReader must be on a node of type Element instead of a node of type %s.", xmlNodeTypeName(k))
				}
				return a.readNode()
			case nil:
				c.NotNull(0, "reader")
			}
			Throw(ExNotSupported, "XElement.Load reads only from a StringReader or an XmlReader in tollgate.")
			return nil
		}),
	)
	x.XAttribute.addStatic(prop("EmptySequence", seqAttr, func(c Call) Value { return &Seq{T: x.XAttribute} }))

	// XDocument
	x.XDocument.New = func(c Call) Value {
		d := &XNode{Kind: XDocumentNode}
		start := 0
		if c.Has(0) {
			switch a := c.Args[0].(type) {
			case *XDecl:
				cp := *a
				d.Decl = &cp
				start = 1
			case *XNode:
				if a.Kind == XDocumentNode {
					return a.Clone()
				}
			}
		}
		if len(c.Args) > start {
			addContent(d, argsFrom(c, start), false)
		}
		return d
	}
	x.XDocument.add(
		meth("Save", 1, 2, u.Void, save),
		prop("DocumentType", x.XDocType, func(c Call) Value {
			for _, n := range node(c).Nodes {
				if n.Kind == XDocTypeNode {
					return n
				}
			}
			return nil
		}),
		prop("Root", x.XElement, func(c Call) Value {
			if r := node(c).Root(); r != nil {
				return r
			}
			return nil
		}),
		&Member{Name: "Declaration", Kind: Property, Result: x.XDeclaration, Get: func(c Call) Value {
			if d := node(c).Decl; d != nil {
				return d
			}
			return nil
		}, Set: func(c Call, v Value) {
			d, _ := v.(*XDecl)
			node(c).Decl = d
		}},
	)
	x.XDocument.addStatic(meth("Parse", 1, 2, x.XDocument, func(c Call) Value {
		c.NotNull(0, "text")
		return parseXMLValue(c.Str(0), c.Has(1) && loadPreserve(c, 1))
	}))

	// XText, XCData, XComment, XProcessingInstruction
	textValue := &Member{Name: "Value", Kind: Property, Result: u.String, Get: func(c Call) Value { return node(c).Text },
		Set: func(c Call, v Value) { node(c).Text = ToString(v) }}
	x.XText.NewMin, x.XCData.NewMin, x.XComment.NewMin = 1, 1, 1
	// textNew constructs a node of kind k from its text or, the copy
	// constructor, from another node of the type.
	textNew := func(k XKind, param string) func(c Call) Value {
		return func(c Call) Value {
			if o, ok := c.Args[0].(*XNode); ok {
				return &XNode{Kind: k, Name: o.Name, Text: o.Text}
			}
			c.NotNull(0, param)
			return &XNode{Kind: k, Text: c.Str(0)}
		}
	}
	x.XText.New = textNew(XTextNode, "value")
	x.XCData.New = textNew(XCDataNode, "value")
	x.XComment.New = textNew(XCommentNode, "value")
	x.XPI.NewMin = 1
	x.XPI.New = func(c Call) Value {
		if o, ok := c.Args[0].(*XNode); ok && len(c.Args) == 1 {
			return &XNode{Kind: XPINode, Name: o.Name, Text: o.Text}
		}
		if !c.Has(1) {
			c.NotNull(0, "other")
			ThrowCast(c.Args[0], "System.Xml.Linq.XProcessingInstruction")
		}
		c.NotNull(0, "target")
		c.NotNull(1, "data")
		return &XNode{Kind: XPINode, Name: XName{Local: c.Str(0)}, Text: c.Str(1)}
	}
	x.XText.add(textValue)
	x.XComment.add(textValue)
	x.XPI.add(&Member{Name: "Target", Kind: Property, Result: u.String, Get: func(c Call) Value { return node(c).Name.Local },
		Set: func(c Call, v Value) {
			if v == nil {
				Throw(ExArgNull, "Value cannot be null. (Parameter 'value')")
			}
			node(c).Name = XName{Local: ToString(v)}
		}},
		&Member{Name: "Data", Kind: Property, Result: u.String, Get: textValue.Get, Set: textValue.Set})

	// XDocumentType keeps its declaration as the text of the node
	// (DOCTYPE name PUBLIC "p" "s" [subset]); its properties read and
	// rewrite it.
	x.XDocType.NewMin = 1
	x.XDocType.New = func(c Call) Value {
		if o, ok := c.Args[0].(*XNode); ok && len(c.Args) == 1 {
			return &XNode{Kind: XDocTypeNode, Text: o.Text}
		}
		if len(c.Args) != 4 {
			c.NotNull(0, "other")
			ThrowCast(c.Args[0], "System.Xml.Linq.XDocumentType")
		}
		d := docType{Name: c.Str(0)}
		for i, p := range []**string{&d.PublicID, &d.SystemID, &d.Subset} {
			if c.Args[i+1] != nil {
				s := c.Str(i + 1)
				*p = &s
			}
		}
		return &XNode{Kind: XDocTypeNode, Text: d.String()}
	}
	docTypeProp := func(name string, get func(d *docType) **string) *Member {
		return &Member{Name: name, Kind: Property, Result: u.String,
			Get: func(c Call) Value {
				d := parseDocType(node(c).Text)
				if s := *get(&d); s != nil {
					return *s
				}
				return nil
			},
			Set: func(c Call, v Value) {
				d := parseDocType(node(c).Text)
				var s *string
				if v != nil {
					t := ToString(v)
					s = &t
				}
				*get(&d) = s
				node(c).Text = d.String()
			}}
	}
	x.XDocType.add(
		&Member{Name: "Name", Kind: Property, Result: u.String,
			Get: func(c Call) Value { return parseDocType(node(c).Text).Name },
			Set: func(c Call, v Value) {
				if v == nil {
					Throw(ExArgNull, "Value cannot be null. (Parameter 'value')")
				}
				d := parseDocType(node(c).Text)
				d.Name = ToString(v)
				node(c).Text = d.String()
			}},
		docTypeProp("PublicId", func(d *docType) **string { return &d.PublicID }),
		docTypeProp("SystemId", func(d *docType) **string { return &d.SystemID }),
		docTypeProp("InternalSubset", func(d *docType) **string { return &d.Subset }),
	)

	// XAttribute
	x.XAttribute.NewMin = 1
	x.XAttribute.New = func(c Call) Value {
		if a, ok := c.Args[0].(*XAttr); ok && len(c.Args) == 1 {
			return &XAttr{Name: a.Name, Value: a.Value}
		}
		if len(c.Args) == 1 {
			c.NotNull(0, "other")
			ThrowCast(c.Args[0], "System.Xml.Linq.XAttribute")
		}
		c.NotNull(1, "value")
		return &XAttr{Name: ToXName(c.Args[0], "name"), Value: xmlString(c.Args[1])}
	}
	x.XAttribute.add(
		prop("Name", x.XName, func(c Call) Value { return attr(c).Name }),
		&Member{Name: "Value", Kind: Property, Result: u.String, Get: func(c Call) Value { return attr(c).Value },
			Set: func(c Call, v Value) {
				if v == nil {
					Throw(ExArgNull, "Value cannot be null. (Parameter 'value')")
				}
				attr(c).Value = xmlString(v)
			}},
		prop("IsNamespaceDeclaration", u.Bool, func(c Call) Value { return attr(c).IsNamespaceDeclaration() }),
		prop("NextAttribute", x.XAttribute, func(c Call) Value { return attrSibling(attr(c), 1) }),
		prop("PreviousAttribute", x.XAttribute, func(c Call) Value { return attrSibling(attr(c), -1) }),
		meth("Remove", 0, 0, u.Void, func(c Call) Value {
			a := attr(c)
			if a.Parent == nil {
				Throw(ExInvalidOp, "The parent is missing.")
			}
			a.Parent.SetAttr(a.Name, "", true)
			return nil
		}),
		meth("SetValue", 1, 1, u.Void, func(c Call) Value {
			c.NotNull(0, "value")
			attr(c).Value = xmlString(c.Args[0])
			return nil
		}),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return attr(c).DotnetString() }),
	)

	// XDeclaration
	x.XDeclaration.NewMin = 1
	x.XDeclaration.New = func(c Call) Value {
		if d, ok := c.Args[0].(*XDecl); ok && len(c.Args) == 1 {
			cp := *d
			return &cp
		}
		if len(c.Args) != 3 {
			c.NotNull(0, "other")
			ThrowCast(c.Args[0], "System.Xml.Linq.XDeclaration")
		}
		return &XDecl{Version: c.Str(0), Encoding: c.Str(1), Standalone: c.Str(2)}
	}
	declProp := func(name string, get func(d *XDecl) *string) *Member {
		return &Member{Name: name, Kind: Property, Result: u.String,
			Get: func(c Call) Value {
				if s := *get(c.This.(*XDecl)); s != "" {
					return s
				}
				return nil
			},
			Set: func(c Call, v Value) { *get(c.This.(*XDecl)) = ToString(v) }}
	}
	x.XDeclaration.add(
		declProp("Version", func(d *XDecl) *string { return &d.Version }),
		declProp("Encoding", func(d *XDecl) *string { return &d.Encoding }),
		declProp("Standalone", func(d *XDecl) *string { return &d.Standalone }),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return c.This.(*XDecl).DotnetString() }),
	)

	// Extension methods of System.Xml.Linq.Extensions on sequences.
	eachNode := func(c Call, fn func(n *XNode)) {
		Each(c.This, func(v Value) bool {
			if n, ok := v.(*XNode); ok {
				fn(n)
			}
			return true
		})
	}
	// They are members of the sequence, list and array types of XML nodes
	// only, so that other sequences (JSON tokens among them) do not get them.
	ext := []*Member{
		meth("Elements", 0, 1, seqEl, func(c Call) Value {
			var out []*XNode
			eachNode(c, func(n *XNode) { out = append(out, n.Elements(optName(c, 0))...) })
			return nodeSeq(x.XElement, out)
		}),
		meth("Descendants", 0, 1, seqEl, func(c Call) Value {
			var out []*XNode
			eachNode(c, func(n *XNode) { out = append(out, n.Descendants(optName(c, 0), false)...) })
			return nodeSeq(x.XElement, out)
		}),
		meth("DescendantsAndSelf", 0, 1, seqEl, func(c Call) Value {
			var out []*XNode
			eachNode(c, func(n *XNode) { out = append(out, n.Descendants(optName(c, 0), true)...) })
			return nodeSeq(x.XElement, out)
		}),
		meth("Nodes", 0, 0, seqNode, func(c Call) Value {
			var out []*XNode
			eachNode(c, func(n *XNode) { out = append(out, n.Nodes...) })
			return nodeSeq(x.XNode, out)
		}),
		meth("DescendantNodes", 0, 0, seqNode, func(c Call) Value {
			var out []*XNode
			eachNode(c, func(n *XNode) { out = append(out, descendantNodes(n, false)...) })
			return nodeSeq(x.XNode, out)
		}),
		meth("Remove", 0, 0, u.Void, func(c Call) Value {
			var all []Value
			Each(c.This, func(v Value) bool { all = append(all, v); return true })
			for _, v := range all {
				switch x := v.(type) {
				case *XNode:
					if x.Parent != nil {
						x.Remove()
					}
				case *XAttr:
					if x.Parent != nil {
						x.Parent.SetAttr(x.Name, "", true)
					}
				}
			}
			return nil
		}),
		meth("Attributes", 0, 1, seqAttr, func(c Call) Value {
			name := optName(c, 0)
			var out []Value
			eachNode(c, func(n *XNode) {
				for _, a := range n.Attrs {
					if name == nil || a.Name == *name {
						out = append(out, a)
					}
				}
			})
			return &Seq{T: x.XAttribute, Items: out}
		}),
		meth("Ancestors", 0, 1, seqEl, func(c Call) Value {
			name := optName(c, 0)
			var out []*XNode
			eachNode(c, func(n *XNode) {
				for p := n.ParentElement(); p != nil; p = p.ParentElement() {
					if name == nil || p.Name == *name {
						out = append(out, p)
					}
				}
			})
			return nodeSeq(x.XElement, out)
		}),
	}
	// InDocumentOrder sorts the nodes (stably) by their place in the tree;
	// nodes of different trees throw. It keeps the element type.
	inDocumentOrder := func(el *Type) *Member {
		return meth("InDocumentOrder", 0, 0, u.SeqOf(el), func(c Call) Value {
			var out []*XNode
			eachNode(c, func(n *XNode) { out = append(out, n) })
			sort.SliceStable(out, func(i, j int) bool { return CompareDocumentOrder(out[i], out[j]) < 0 })
			return nodeSeq(el, out)
		})
	}
	for _, el := range []*Type{x.XElement, x.XNode, x.XAttribute, x.XContainer, x.XDocument} {
		for _, t := range []*Type{u.SeqOf(el), u.ListOf(el), u.ArrayOf(el)} {
			if el != x.XAttribute {
				t.add(inDocumentOrder(el))
			}
			for _, m := range ext {
				if t.Generic == "List" && m.Name == "Remove" {
					continue // List<T>.Remove(item) keeps its meaning
				}
				if t.Members[m.Name] == nil {
					t.add(m)
				}
			}
		}
	}
	// AncestorsAndSelf and DescendantNodesAndSelf extend sequences of
	// elements only.
	elemExt := []*Member{
		meth("AncestorsAndSelf", 0, 1, seqEl, func(c Call) Value {
			name := optName(c, 0)
			var out []*XNode
			eachNode(c, func(n *XNode) {
				for p := n; p != nil; p = p.ParentElement() {
					if name == nil || p.Name == *name {
						out = append(out, p)
					}
				}
			})
			return nodeSeq(x.XElement, out)
		}),
		meth("DescendantNodesAndSelf", 0, 0, seqNode, func(c Call) Value {
			var out []*XNode
			eachNode(c, func(n *XNode) { out = append(out, descendantNodes(n, true)...) })
			return nodeSeq(x.XNode, out)
		}),
	}
	for _, t := range []*Type{u.SeqOf(x.XElement), u.ListOf(x.XElement), u.ArrayOf(x.XElement)} {
		for _, m := range elemExt {
			if t.Members[m.Name] == nil {
				t.add(m)
			}
		}
	}
	u.buildXmlReader()
}
