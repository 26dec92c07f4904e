package xmlscan

import (
	"sort"

	"github.com/tollgate/tollgate/internal/diag"
)

// Document is a policy file as read by Parse.
type Document struct {
	File     *diag.File
	Root     *Element   // nil when the file has no root element
	Comments []*Comment // comments outside the root element, before and after it
}

// Node is a child of an element: an *Element, a *Text or a *Comment.
type Node interface {
	Span() diag.Span
}

// Element is an XML element with its attributes and children.
type Element struct {
	Name        string
	Attrs       []*Attr
	Children    []Node    // *Element, *Text and *Comment; whitespace-only text between elements is dropped
	Start       diag.Span // the start tag "<name ...>" or "<name .../>"
	NameSpan    diag.Span // the name in the start tag
	Inner       diag.Span // raw bytes between the start and the end tag; empty at Start.End when self-closing
	End         diag.Span // the end tag; equal to Start when self-closing; empty at the end of the file when missing
	SelfClosing bool
}

// Span returns the span from the '<' of the start tag to the '>' of the end
// tag.
func (e *Element) Span() diag.Span {
	return diag.Span{File: e.Start.File, Start: e.Start.Start, End: max(e.Start.End, e.End.End)}
}

// Attr returns the attribute called name, or nil. Names are compared exactly.
func (e *Element) Attr(name string) *Attr {
	for _, a := range e.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Elements returns the element children of e, in order.
func (e *Element) Elements() []*Element {
	var out []*Element
	for _, c := range e.Children {
		if el, ok := c.(*Element); ok {
			out = append(out, el)
		}
	}
	return out
}

// Attr is one attribute of a start tag.
type Attr struct {
	Name     string
	NameSpan diag.Span
	Value    Text
}

// Text is character data: element text, a CDATA section or an attribute
// value.
type Text struct {
	Value string    // decoded: entities and character references resolved, line ends normalised to "\n"; CDATA content as is
	Raw   diag.Span // the raw bytes in the file (for an attribute: between the quotes)
	// Expr reports whether Value is one whole policy expression: it starts
	// with "@(" or "@{" and the expression reaches its end. For element text,
	// surrounding whitespace is ignored (Value keeps it).
	Expr  bool
	CDATA bool

	// marks maps offsets in Value to file offsets: marks[k].v is an offset in
	// Value where the mapping changes and marks[k].f the file offset of that
	// byte; bytes between marks map linearly. Empty when Value is Raw's text
	// byte for byte.
	marks []mark
}

type mark struct{ v, f int }

// Span returns t.Raw.
func (t *Text) Span() diag.Span { return t.Raw }

// FileOffset returns the file offset of byte i of Value. The first byte a
// reference ("&quot;", "&#10;") decodes to maps to its '&' (further bytes of
// a multi-byte character map into the reference); a "\n" that replaced a
// "\r\n" maps to the "\n"; i >= len(Value) maps to the end of Raw. The result
// is monotonic in i and lies within Raw.
func (t *Text) FileOffset(i int) int {
	if i <= 0 {
		return t.Raw.Start
	}
	if i >= len(t.Value) {
		return t.Raw.End
	}
	if len(t.marks) == 0 {
		return min(t.Raw.Start+i, t.Raw.End)
	}
	k := sort.Search(len(t.marks), func(k int) bool { return t.marks[k].v > i }) - 1
	if k < 0 {
		return min(t.Raw.Start+i, t.Raw.End)
	}
	m := t.marks[k]
	f := m.f + (i - m.v)
	// A byte inside a decoded reference maps to the reference's start.
	if k+1 < len(t.marks) {
		f = min(f, t.marks[k+1].f)
	}
	return min(f, t.Raw.End)
}

// SpanOf returns the file span of Value[i:j].
func (t *Text) SpanOf(i, j int) diag.Span {
	s := t.FileOffset(i)
	e := t.FileOffset(j)
	if j > i && j < len(t.Value) {
		// Cover the whole of the last byte's source (an entity is several bytes).
		e = max(e, t.FileOffset(j-1)+1)
	}
	return diag.Span{File: t.Raw.File, Start: s, End: max(s, e)}
}

// Comment is an XML comment.
type Comment struct {
	Text string    // the text between "<!--" and "-->"
	Raw  diag.Span // the whole comment including its delimiters
}

// Span returns c.Raw.
func (c *Comment) Span() diag.Span { return c.Raw }

// Options changes how Parse reads a file.
type Options struct {
	// RawContent lists element names whose content is kept as one Text child
	// and never parsed as elements (for example "set-body" with a Liquid or
	// XML template). The content ends at the matching end tag, nested start
	// and end tags of the same name counted. Content that starts with "@(" or
	// "@{" (after whitespace) is read as an expression first, so an end tag
	// inside a string literal does not end it.
	RawContent map[string]bool
}

// Diagnostic codes reported by Parse.
const (
	CodeSyntax      = "xml-syntax" // malformed markup
	CodeMismatch    = "xml-mismatched-tag"
	CodeUnclosed    = "xml-unclosed-element"
	CodeComment     = "xml-comment"      // unterminated comment or "--" inside one
	CodeNoRoot      = "xml-no-root"      // the file has no root element
	CodeExpr        = "expr-syntax"      // a policy expression whose end cannot be found
	CodeAttrQuote   = "xml-attr-quote"   // a literal quote inside an attribute value (warning)
	CodeTooDeep     = "xml-too-deep"     // elements nested deeper than the reader allows
	CodeExtraRoot   = "xml-extra-root"   // a second top-level element
	CodeTextOutside = "xml-text-outside" // text before or after the root element
)
