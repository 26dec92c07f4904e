package xmlbody

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// XMLToJSONOptions are the settings of one xml-to-json policy.
type XMLToJSONOptions struct {
	// Kind mirrors kind: "direct" or "javascript-friendly".
	Kind string
	// AlwaysArrayChildElements mirrors always-array-child-elements: every
	// child element becomes a JSON array, even when it occurs once.
	AlwaysArrayChildElements bool
	// Limits bound the conversion; the zero value takes the defaults.
	Limits Limits
}

// Kinds of XMLToJSONOptions.Kind.
const (
	KindDirect             = "direct"
	KindJavaScriptFriendly = "javascript-friendly"
)

// xelem is one parsed XML element.
type xelem struct {
	prefix, local string
	attrs         []xml.Attr // as written: Name.Space is the prefix
	kids          []xkid
	selfClosing   bool // written as <a/>
}

// xkid is a child element or a run of text.
type xkid struct {
	el   *xelem
	text string
}

type xmlDecl struct{ name, value string }

// XMLToJSON converts the XML body src to JSON as APIM's xml-to-json policy
// does. Malformed XML (including undeclared prefixes and a missing or
// repeated root element) gives an *Error; a document whose parsed form or
// output would exceed o.Limits gives a *BudgetError.
func XMLToJSON(src []byte, o XMLToJSONOptions) ([]byte, error) {
	lim := o.Limits.withDefaults()
	friendly := false
	switch o.Kind {
	case KindDirect:
	case KindJavaScriptFriendly:
		friendly = true
	default:
		return nil, fmt.Errorf("unknown xml-to-json kind %q (want %q or %q)", o.Kind, KindDirect, KindJavaScriptFriendly)
	}
	root, decl, err := parseXML(src, lim.MaxMemory)
	if err != nil {
		return nil, err
	}
	c := &converter{friendly: friendly, always: o.AlwaysArrayChildElements}
	top := &jv{kind: jObject}
	if !friendly {
		for _, d := range decl {
			top.props = append(top.props, jvProp{d.name, &jv{kind: jString, s: d.value}})
		}
	}
	top.props = append(top.props, jvProp{c.elemName(root), c.value(root)})
	w := jsonWriter{buf: make([]byte, 0, min(len(src)+64, lim.MaxOutput)), max: lim.MaxOutput}
	w.write(top, 0)
	if w.over || len(w.buf) > w.max {
		return nil, &BudgetError{Budget: "output", Limit: w.max}
	}
	return w.buf, nil
}

// parseXML reads src into an element tree, checking well-formedness,
// matching end tags and namespace prefixes.
// The tree may take maxMem estimated bytes: the text twice, and elementCost
// and attrCost for each element and attribute.
func parseXML(src []byte, maxMem int) (*xelem, []xmlDecl, error) {
	mem := meter{max: maxMem}
	if err := mem.charge(2 * len(src)); err != nil {
		return nil, nil, err
	}
	body := src
	base := 0
	if bytes.HasPrefix(body, []byte("\uFEFF")) {
		body, base = body[3:], 3
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = charsetReader
	var (
		root   *xelem
		decl   []xmlDecl
		stack  []*xelem
		scopes []map[string]bool
		text   strings.Builder
		inText bool
		done   bool
	)
	fail := func(off int64, format string, args ...any) error {
		return errorAt(src, base+int(off), format, args...)
	}
	flush := func() {
		if inText && len(stack) > 0 {
			if s := text.String(); strings.TrimLeft(s, " \t\r\n") != "" {
				top := stack[len(stack)-1]
				top.kids = append(top.kids, xkid{text: s})
			}
		}
		text.Reset()
		inText = false
	}
	declared := func(prefix string) bool {
		if prefix == "" || prefix == "xml" {
			return true
		}
		for i := len(scopes) - 1; i >= 0; i-- {
			if scopes[i][prefix] {
				return true
			}
		}
		return false
	}
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			msg := err.Error()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				msg = se.Msg
			}
			return nil, nil, fail(d.InputOffset(), "malformed XML: %s", strings.TrimPrefix(msg, "xml: "))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			if done {
				return nil, nil, fail(start, "a second root element <%s> after the first one", rawName(t.Name))
			}
			if len(stack) >= maxDepth {
				return nil, nil, fail(start, "XML nesting deeper than %d levels", maxDepth)
			}
			if err := mem.charge(elementCost + attrCost*len(t.Attr)); err != nil {
				return nil, nil, err
			}
			el := &xelem{prefix: t.Name.Space, local: t.Name.Local}
			end := d.InputOffset()
			el.selfClosing = end >= 2 && body[end-2] == '/' && body[end-1] == '>'
			var scope map[string]bool
			for i, a := range t.Attr {
				for _, b := range t.Attr[:i] {
					if a.Name == b.Name {
						return nil, nil, fail(start, "duplicate attribute %q on <%s>", rawName(a.Name), rawName(t.Name))
					}
				}
				if a.Name.Space == "xmlns" {
					if scope == nil {
						scope = map[string]bool{}
					}
					scope[a.Name.Local] = a.Value != ""
				}
				el.attrs = append(el.attrs, xml.Attr{Name: a.Name, Value: a.Value})
			}
			scopes = append(scopes, scope)
			if !declared(el.prefix) {
				return nil, nil, fail(start, "undeclared namespace prefix %q on <%s>", el.prefix, rawName(t.Name))
			}
			for _, a := range t.Attr {
				if a.Name.Space != "xmlns" && !declared(a.Name.Space) {
					return nil, nil, fail(start, "undeclared namespace prefix %q on attribute %q", a.Name.Space, rawName(a.Name))
				}
			}
			if len(stack) == 0 {
				root = el
			} else {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, xkid{el: el})
			}
			stack = append(stack, el)
		case xml.EndElement:
			flush()
			if len(stack) == 0 {
				return nil, nil, fail(start, "unexpected end tag </%s>", rawName(t.Name))
			}
			top := stack[len(stack)-1]
			if top.prefix != t.Name.Space || top.local != t.Name.Local {
				return nil, nil, fail(start, "end tag </%s> does not match <%s>", rawName(t.Name), rawName(xml.Name{Space: top.prefix, Local: top.local}))
			}
			stack = stack[:len(stack)-1]
			scopes = scopes[:len(scopes)-1]
			done = len(stack) == 0
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimLeft(t, " \t\r\n")) != 0 {
					return nil, nil, fail(start, "text outside the root element")
				}
				continue
			}
			text.Write(t)
			inText = true
		case xml.ProcInst:
			if t.Target == "xml" {
				if start != 0 || root != nil {
					return nil, nil, fail(start, "the XML declaration must come first")
				}
				decl = parseDecl(string(t.Inst))
			}
		case xml.Comment, xml.Directive:
			// Dropped; text on both sides joins up.
		}
	}
	if len(stack) > 0 {
		return nil, nil, fail(int64(len(body)), "unexpected end of input: <%s> is not closed", rawName(xml.Name{Space: stack[len(stack)-1].prefix, Local: stack[len(stack)-1].local}))
	}
	if root == nil {
		return nil, nil, fail(int64(len(body)), "the XML body has no root element")
	}
	return root, decl, nil
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// parseDecl reads the pseudo-attributes of an XML declaration
// (version="1.0" encoding="utf-8" standalone="yes") in order.
func parseDecl(inst string) []xmlDecl {
	var out []xmlDecl
	s := inst
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return out
		}
		name := strings.TrimSpace(s[:eq])
		s = strings.TrimLeft(s[eq+1:], " \t\r\n")
		if s == "" || (s[0] != '"' && s[0] != '\'') {
			return out
		}
		q := s[0]
		end := strings.IndexByte(s[1:], q)
		if end < 0 {
			return out
		}
		out = append(out, xmlDecl{name: name, value: s[1 : 1+end]})
		s = s[end+2:]
	}
}

// charsetReader lets bodies declare US-ASCII, ISO-8859-1 or windows-1252
// besides UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	var high *[32]rune // 0x80-0x9F, nil for ISO-8859-1
	switch strings.ToLower(label) {
	case "us-ascii", "ascii", "utf8":
		return in, nil
	case "iso-8859-1", "latin1", "iso_8859-1", "l1":
	case "windows-1252", "cp1252":
		// Bytes 0x80-0x9F; the five undefined ones map to the same code
		// points, as .NET's decoder does.
		high = &[32]rune{
			0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
			0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
		}
	default:
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	b, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(b)+len(b)/4)
	for _, c := range b {
		r := rune(c)
		if high != nil && c >= 0x80 && c <= 0x9F {
			r = high[c-0x80]
		}
		out = utf8.AppendRune(out, r)
	}
	return bytes.NewReader(out), nil
}

// converter turns elements into JSON values.
type converter struct {
	friendly bool
	always   bool
}

func (c *converter) elemName(e *xelem) string {
	if e.prefix == "" || c.friendly {
		return e.local
	}
	return e.prefix + "$" + e.local
}

func (c *converter) attrName(a xml.Attr) (string, bool) {
	isNS := a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns"
	if c.friendly {
		if isNS {
			return "", false
		}
		return "@" + a.Name.Local, true
	}
	if a.Name.Space == "" {
		return "@" + a.Name.Local, true
	}
	return "@" + a.Name.Space + "$" + a.Name.Local, true
}

// value converts one element: text only gives a string, nothing gives null
// (<a/>) or "" (<a></a>), anything else an object.
func (c *converter) value(e *xelem) *jv {
	obj := &jv{kind: jObject}
	for _, a := range e.attrs {
		if name, ok := c.attrName(a); ok {
			obj.props = append(obj.props, jvProp{name, &jv{kind: jString, s: a.Value}})
		}
	}
	hasElem := false
	for _, k := range e.kids {
		if k.el != nil {
			hasElem = true
			break
		}
	}
	if len(obj.props) == 0 && !hasElem {
		switch {
		case len(e.kids) == 1:
			return &jv{kind: jString, s: e.kids[0].text}
		case len(e.kids) == 0 && e.selfClosing:
			return &jv{kind: jNull}
		case len(e.kids) == 0:
			return &jv{kind: jString}
		}
	}
	// Group children by name at the position of the first of each name.
	type group struct {
		name   string
		vals   []*jv
		isText bool
	}
	var groups []*group
	find := func(name string, isText bool) *group {
		for _, g := range groups {
			if g.name == name && g.isText == isText {
				return g
			}
		}
		g := &group{name: name, isText: isText}
		groups = append(groups, g)
		return g
	}
	for _, k := range e.kids {
		if k.el == nil {
			g := find("#text", true)
			g.vals = append(g.vals, &jv{kind: jString, s: k.text})
			continue
		}
		g := find(c.elemName(k.el), false)
		g.vals = append(g.vals, c.value(k.el))
	}
	for _, g := range groups {
		if len(g.vals) == 1 && (g.isText || !c.always) {
			obj.props = append(obj.props, jvProp{g.name, g.vals[0]})
			continue
		}
		obj.props = append(obj.props, jvProp{g.name, &jv{kind: jArray, items: g.vals}})
	}
	return obj
}
