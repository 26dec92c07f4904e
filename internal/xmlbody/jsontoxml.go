package xmlbody

import (
	"strings"
)

// JSONToXMLOptions are the settings of one json-to-xml policy.
type JSONToXMLOptions struct {
	// ParseDate mirrors parse-date: ISO 8601 date-time strings are written
	// the way .NET writes a DateTime with the invariant culture
	// ("MM/dd/yyyy HH:mm:ss", offsets converted to UTC). APIM's default is
	// true; the zero value here is false, so callers set it explicitly.
	ParseDate bool
	// NamespaceSeparator mirrors namespace-separator; empty means "_",
	// APIM's default.
	NamespaceSeparator string
	// NamespacePrefix mirrors namespace-prefix: properties named exactly
	// this, or this followed by the separator and a prefix, become
	// namespace declarations. Empty turns namespace handling off.
	NamespacePrefix string
	// AttributeBlockName mirrors attribute-block-name: the properties of an
	// object property with this name become attributes of the element that
	// holds it. Empty turns attribute blocks off.
	AttributeBlockName string
	// Limits bound the conversion; the zero value takes the defaults.
	Limits Limits
}

// xsiNamespace is the namespace of xsi:nil, declared on each null element.
const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// newline is the line end of the indented output: "\n", as APIM's
// self-hosted gateway (Linux) writes it.
const newline = "\n"

// JSONToXML converts the JSON body src to XML as APIM's json-to-xml policy
// does and returns UTF-8 XML text without an XML declaration. Malformed
// JSON, and strings holding characters XML cannot carry, give an *Error.
//
// A document whose parsed form or output would exceed o.Limits gives a
// *BudgetError.
func JSONToXML(src []byte, o JSONToXMLOptions) ([]byte, error) {
	lim := o.Limits.withDefaults()
	root, err := parseJSONLimited(src, lim.MaxMemory)
	if err != nil {
		return nil, err
	}
	w := &xmlWriter{o: o, src: src, sep: o.NamespaceSeparator, maxOut: lim.MaxOutput}
	if w.sep == "" {
		w.sep = "_"
	}
	w.buf = make([]byte, 0, min(len(src)+len(src)/2+64, lim.MaxOutput))
	switch root.kind {
	case jObject:
		if len(root.props) == 1 && root.props[0].val.kind != jArray && !w.special(root.props[0]) {
			err = w.element(root.props[0].name, root.props[0].off, root.props[0].val, 0)
		} else {
			err = w.element("Document", root.off, root, 0)
		}
	case jArray:
		doc := &jnode{kind: jObject, off: root.off}
		if len(root.items) > 0 {
			doc.props = []jprop{{name: "Item", off: root.off, val: root}}
		}
		err = w.element("Document", root.off, doc, 0)
	default:
		err = w.element("Document", root.off, root, 0)
	}
	if err != nil {
		return nil, err
	}
	if len(w.buf) > w.maxOut {
		return nil, &BudgetError{Budget: "output", Limit: w.maxOut}
	}
	return w.buf, nil
}

type xmlWriter struct {
	o     JSONToXMLOptions
	src   []byte
	sep   string
	buf   []byte
	scope []nsBinding // namespace declarations in scope, innermost last
	attrs []xmlAttr   // scratch, reused across elements
	// maxOut bounds buf; it is checked as each element begins, so that it
	// is passed by at most one element's text and indentation.
	maxOut int
}

type nsBinding struct{ prefix, uri string }

type xmlAttr struct {
	name, value string
	off         int // offset of the value, for errors
	raw         bool
}

// special reports whether p is a namespace declaration or an attribute
// block rather than a child element.
func (w *xmlWriter) special(p jprop) bool {
	if _, ok := w.nsDecl(p.name); ok {
		return true
	}
	return w.o.AttributeBlockName != "" && p.name == w.o.AttributeBlockName && p.val.kind == jObject
}

// nsDecl reports whether a property named name declares a namespace and
// which prefix it binds ("" for the default namespace).
func (w *xmlWriter) nsDecl(name string) (string, bool) {
	np := w.o.NamespacePrefix
	if np == "" || !strings.HasPrefix(name, np) {
		return "", false
	}
	rest := name[len(np):]
	if rest == "" {
		return "", true
	}
	if strings.HasPrefix(rest, w.sep) && len(rest) > len(w.sep) {
		return rest[len(w.sep):], true
	}
	return "", false
}

// inScope reports whether prefix is bound, and to which namespace.
func (w *xmlWriter) inScope(prefix string) (string, bool) {
	if prefix == "xml" {
		return "http://www.w3.org/XML/1998/namespace", true
	}
	for i := len(w.scope) - 1; i >= 0; i-- {
		if w.scope[i].prefix == prefix {
			return w.scope[i].uri, true
		}
	}
	return "", false
}

// qname turns a property name into an element or attribute name: a
// declared prefix before the separator becomes a real prefix; everything
// else is encoded as one local name.
func (w *xmlWriter) qname(raw string, off int) (string, error) {
	if raw == "" {
		return "", errorAt(w.src, off, "an empty property name cannot be an XML name")
	}
	if w.o.NamespacePrefix != "" {
		if i := strings.Index(raw, w.sep); i > 0 && i+len(w.sep) < len(raw) {
			if _, ok := w.inScope(raw[:i]); ok {
				return encodeLocalName(raw[:i]) + ":" + encodeLocalName(raw[i+len(w.sep):]), nil
			}
		}
	}
	return encodeLocalName(raw), nil
}

func (w *xmlWriter) indent(depth int) {
	if depth == 0 && len(w.buf) == 0 {
		return
	}
	w.buf = append(w.buf, newline...)
	for range depth {
		w.buf = append(w.buf, ' ', ' ')
	}
}

// element writes v as the element(s) named raw at the given depth.
func (w *xmlWriter) element(raw string, nameOff int, v *jnode, depth int) error {
	if depth > maxDepth {
		return errorAt(w.src, v.off, "JSON nesting deeper than %d levels", maxDepth)
	}
	if len(w.buf) > w.maxOut {
		return &BudgetError{Budget: "output", Limit: w.maxOut}
	}
	if v.kind == jArray {
		if len(v.items) == 0 {
			return w.simple(raw, nameOff, depth, false)
		}
		for _, it := range v.items {
			if err := w.element(raw, nameOff, it, depth); err != nil {
				return err
			}
		}
		return nil
	}
	switch v.kind {
	case jNull:
		return w.simple(raw, nameOff, depth, true)
	case jObject:
		return w.object(raw, nameOff, v, depth)
	}
	text, err := w.scalar(v)
	if err != nil {
		return err
	}
	name, err := w.qname(raw, nameOff)
	if err != nil {
		return err
	}
	w.indent(depth)
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '>')
	if err := w.escape(text, false, v.off); err != nil {
		return err
	}
	w.buf = append(w.buf, "</"...)
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '>')
	return nil
}

// simple writes an empty element, with xsi:nil="true" when null is set.
func (w *xmlWriter) simple(raw string, nameOff, depth int, null bool) error {
	name, err := w.qname(raw, nameOff)
	if err != nil {
		return err
	}
	w.indent(depth)
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, name...)
	if null {
		w.buf = append(w.buf, ` xsi:nil="true"`...)
		if uri, ok := w.inScope("xsi"); !ok || uri != xsiNamespace {
			w.buf = append(w.buf, ` xmlns:xsi="`+xsiNamespace+`"`...)
		}
	}
	w.buf = append(w.buf, " />"...)
	return nil
}

func (w *xmlWriter) object(raw string, nameOff int, v *jnode, depth int) error {
	mark := len(w.scope)
	defer func() { w.scope = w.scope[:mark] }()
	attrStart := len(w.attrs)
	defer func() { w.attrs = w.attrs[:attrStart] }()
	kids := 0
	// Namespace declarations first, so that prefixes declared on this
	// element apply to its own name and attributes.
	for _, p := range v.props {
		prefix, ok := w.nsDecl(p.name)
		if !ok {
			continue
		}
		if p.val.kind == jObject || p.val.kind == jArray || p.val.kind == jNull {
			return errorAt(w.src, p.val.off, "namespace declaration %q needs a string value", p.name)
		}
		uri, err := w.scalar(p.val)
		if err != nil {
			return err
		}
		attr := "xmlns"
		if prefix != "" {
			if prefix == "xmlns" || prefix == "xml" {
				return errorAt(w.src, p.off, "the prefix %q cannot be declared", prefix)
			}
			if uri == "" {
				return errorAt(w.src, p.val.off, "the prefix %q cannot be bound to an empty namespace", prefix)
			}
			attr += ":" + encodeLocalName(prefix)
		}
		w.scope = append(w.scope, nsBinding{prefix: prefix, uri: uri})
		w.attrs = append(w.attrs, xmlAttr{name: attr, value: uri, off: p.val.off, raw: true})
	}
	for _, p := range v.props {
		if _, ok := w.nsDecl(p.name); ok {
			continue
		}
		if w.o.AttributeBlockName == "" || p.name != w.o.AttributeBlockName || p.val.kind != jObject {
			kids++
			continue
		}
		for _, a := range p.val.props {
			switch a.val.kind {
			case jNull:
				continue
			case jObject, jArray:
				return errorAt(w.src, a.val.off, "attribute %q needs a scalar value", a.name)
			}
			name, err := w.qname(a.name, a.off)
			if err != nil {
				return err
			}
			text, err := w.scalar(a.val)
			if err != nil {
				return err
			}
			w.attrs = append(w.attrs, xmlAttr{name: name, value: text, off: a.val.off})
		}
	}
	name, err := w.qname(raw, nameOff)
	if err != nil {
		return err
	}
	attrs := w.attrs[attrStart:]
	for i := range attrs {
		for j := range i {
			if attrs[i].name == attrs[j].name {
				return errorAt(w.src, attrs[i].off, "duplicate attribute %q", attrs[i].name)
			}
		}
	}
	w.indent(depth)
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, name...)
	for _, a := range attrs {
		w.buf = append(w.buf, ' ')
		w.buf = append(w.buf, a.name...)
		w.buf = append(w.buf, '=', '"')
		if err := w.escape(a.value, true, a.off); err != nil {
			return err
		}
		w.buf = append(w.buf, '"')
	}
	if kids == 0 {
		w.buf = append(w.buf, " />"...)
		return nil
	}
	w.buf = append(w.buf, '>')
	for _, p := range v.props {
		if w.special(p) {
			continue
		}
		if err := w.element(p.name, p.off, p.val, depth+1); err != nil {
			return err
		}
	}
	w.indent(depth)
	w.buf = append(w.buf, "</"...)
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '>')
	return nil
}

// scalar returns the text APIM writes for a string, number or boolean.
func (w *xmlWriter) scalar(v *jnode) (string, error) {
	switch v.kind {
	case jBool:
		if v.text == "true" {
			return "True", nil
		}
		return "False", nil
	case jNumber:
		return formatNumber(v.text), nil
	case jString:
		if w.o.ParseDate {
			if s, ok := formatJSONDate(v.text); ok {
				return s, nil
			}
		}
		return v.text, nil
	}
	return "", nil
}

// escape appends s as element text or as a double-quoted attribute value,
// escaping as .NET's XmlWriter does: line breaks in text are written as
// "\r\n", and in attribute values as character references. Characters XML 1.0 cannot hold give
// an error at offset off.
func (w *xmlWriter) escape(s string, attr bool, off int) error {
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var rep string
		switch {
		case c == '&':
			rep = "&amp;"
		case c == '<':
			rep = "&lt;"
		case c == '>':
			rep = "&gt;"
		case c == '\r' && attr:
			rep = "&#xD;"
		case c == '\r' || c == '\n' && !attr:
			// XmlWriter's NewLineHandling.Replace: every line break in
			// text becomes the writer's line end.
			rep = newline
			if c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				w.buf = append(w.buf, s[last:i]...)
				w.buf = append(w.buf, rep...)
				i++
				last = i + 1
				continue
			}
		case c == '"' && attr:
			rep = "&quot;"
		case c == '\n' && attr:
			rep = "&#xA;"
		case c == '\t' && attr:
			rep = "&#x9;"
		case c < 0x20 && c != '\n' && c != '\t':
			return errorAt(w.src, off, "character %s cannot appear in XML", quoteRune(rune(c)))
		case c == 0xEF && i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF):
			return errorAt(w.src, off, "character U+FFF%c cannot appear in XML", "EF"[s[i+2]-0xBE])
		default:
			continue
		}
		w.buf = append(w.buf, s[last:i]...)
		w.buf = append(w.buf, rep...)
		last = i + 1
	}
	w.buf = append(w.buf, s[last:]...)
	return nil
}
