package policy

import (
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/xmlscan"
)

// Value is the content of one attribute or element text: a literal or a
// policy expression, after named values were substituted. The zero Value
// means "not written".
//
// The resolved text may contain secret named values. It is reachable only
// through Resolved and Expr.Source; String and everything printed show each
// secret as its {{reference}} instead.
type Value struct {
	Set  bool      // the attribute or text is written
	Span diag.Span // where it is written (the attribute value or the text)
	Expr *Expr     // non-nil when the value is a policy expression
	Refs []Ref     // the named values substituted into it

	text    string // resolved text, secrets included
	masked  string // resolved text with secrets shown as {{name}}
	missing bool   // a reference to a missing named value was left in place
}

// Ref is one {{name}} reference substituted into a Value.
type Ref struct {
	Name   string    // the display name as written in the reference
	Span   diag.Span // the whole {{name}} reference
	Secret bool
}

// Expr is a policy expression: @(...) or @{...}.
type Expr struct {
	Origin  Origin // maps offsets of Source to file spans
	Program any    // what Env.Compile returned

	src    string // resolved source, secrets included
	masked string
}

// Source returns the expression source that was compiled. It may contain
// secret values: never print it; use String.
func (e *Expr) Source() string { return e.src }

// String returns the expression source with secrets shown as references.
func (e Expr) String() string { return e.masked }

// IsExpr reports whether v is a policy expression.
func (v Value) IsExpr() bool { return v.Expr != nil }

// Resolved returns the text of v with named values substituted. It may
// contain secret values: use it to execute, never to print.
func (v Value) Resolved() string { return v.text }

// String returns the text of v with secrets shown as {{references}}.
func (v Value) String() string { return v.masked }

// GoString keeps %#v from printing secrets.
func (v Value) GoString() string { return strconv.Quote(v.masked) }

// HasSecret reports whether a secret named value was substituted into v.
func (v Value) HasSecret() bool {
	for _, r := range v.Refs {
		if r.Secret {
			return true
		}
	}
	return false
}

// segment maps a range of the resolved text to a range of the written text.
// Inside a substitution every offset maps to the whole reference.
type segment struct {
	res, resEnd int // range in the resolved text
	src, srcEnd int // range in the written (decoded) text
	subst       bool
}

// textOrigin maps expression offsets to file spans through the segments of
// a substituted text.
type textOrigin struct {
	t    *xmlscan.Text
	base int // offset of the expression source within the resolved text
	segs []segment
}

func (o *textOrigin) srcOffset(off int, end bool) int {
	off += o.base
	for _, s := range o.segs {
		// A start offset on a boundary belongs to the next segment, an end
		// offset to the previous one.
		if off > s.resEnd || off == s.resEnd && !end {
			continue
		}
		if s.subst {
			if end {
				return s.srcEnd
			}
			return s.src
		}
		return s.src + off - s.res
	}
	if n := len(o.segs); n > 0 {
		return o.segs[n-1].srcEnd
	}
	return off
}

// Span implements Origin.
func (o *textOrigin) Span(start, end int) diag.Span {
	a := o.srcOffset(start, false)
	b := o.srcOffset(end, true)
	if b < a {
		b = a
	}
	return o.t.SpanOf(a, b)
}

// isNameByte reports whether c may appear in a named value display name.
func isNameByte(c byte) bool {
	return c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// findRefs returns the [start, end) ranges of the {{name}} references in s.
func findRefs(s string) [][2]int {
	var out [][2]int
	for i := 0; i+4 <= len(s); {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			break
		}
		a := i + j
		k := a + 2
		for k < len(s) && isNameByte(s[k]) {
			k++
		}
		if k > a+2 && k+1 < len(s) && s[k] == '}' && s[k+1] == '}' {
			out = append(out, [2]int{a, k + 2})
			i = k + 2
			continue
		}
		i = a + 1
	}
	return out
}

// exprBounds returns the range of a policy expression in s when the whole of
// s, ignoring surrounding white space, is @(...) or @{...}.
func exprBounds(s string) (int, int, bool) {
	a := len(s) - len(strings.TrimLeft(s, " \t\r\n"))
	b := len(strings.TrimRight(s, " \t\r\n"))
	if b-a < 3 || s[a] != '@' {
		return 0, 0, false
	}
	switch {
	case s[a+1] == '(' && s[b-1] == ')', s[a+1] == '{' && s[b-1] == '}':
		return a, b, true
	}
	return 0, 0, false
}
