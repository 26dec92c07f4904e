package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/xmlscan"
)

// Int is an integer attribute: a literal (N holds it, or the default when
// the attribute is absent) or an expression evaluated per request. Seconds
// and kilobytes are Ints too.
type Int struct {
	Value
	N int
}

// Bool is a boolean attribute: a literal (B holds it, or the default when
// the attribute is absent) or an expression.
type Bool struct {
	Value
	B bool
}

// attrFlag says how an attribute may be written.
type attrFlag uint8

const (
	opt  attrFlag = 0
	req  attrFlag = 1 << iota // must be written
	expr                      // policy expressions allowed
)

// attrReader reads the attributes of one element and reports those it was
// not asked for.
type attrReader struct {
	l      *loader
	e      *xmlscan.Element
	seen   []string
	policy bool // the element is a policy: id is allowed
}

func (l *loader) attrs(e *xmlscan.Element, policy bool) *attrReader {
	return &attrReader{l: l, e: e, policy: policy}
}

// str reads a string attribute.
func (a *attrReader) str(name string, f attrFlag) Value {
	a.seen = append(a.seen, name)
	at := a.e.Attr(name)
	if at == nil {
		if f&req != 0 {
			a.l.diags.Errorf(a.e.NameSpan, "missing-attribute", "<%s> requires attribute %q", a.e.Name, name)
		}
		return Value{}
	}
	v := a.l.resolve(&at.Value, false)
	if v.Expr != nil && f&expr == 0 {
		a.l.diags.Errorf(v.Span, "expression-not-allowed", "attribute %q of <%s> does not accept policy expressions", name, a.e.Name)
	}
	return v
}

// integer reads an integer attribute with a default and an allowed range.
func (a *attrReader) integer(name string, def, lo, hi int, f attrFlag) Int {
	v := a.str(name, f)
	out := Int{Value: v, N: def}
	if !v.Set || v.Expr != nil || v.missing {
		return out
	}
	n, err := strconv.Atoi(strings.TrimSpace(v.Resolved()))
	switch {
	case err != nil:
		a.l.diags.Errorf(v.Span, "invalid-value", "attribute %q of <%s> must be an integer, not %q", name, a.e.Name, v.String())
	case n < lo || n > hi:
		a.l.diags.Errorf(v.Span, "invalid-value", "attribute %q of <%s> must be between %d and %d, not %d", name, a.e.Name, lo, hi, n)
	default:
		out.N = n
	}
	return out
}

// boolean reads a true/false attribute (case-insensitive).
func (a *attrReader) boolean(name string, def bool, f attrFlag) Bool {
	v := a.str(name, f)
	out := Bool{Value: v, B: def}
	if !v.Set || v.Expr != nil || v.missing {
		return out
	}
	switch strings.ToLower(strings.TrimSpace(v.Resolved())) {
	case "true":
		out.B = true
	case "false":
		out.B = false
	default:
		a.l.diags.Errorf(v.Span, "invalid-value", "attribute %q of <%s> must be true or false, not %q", name, a.e.Name, v.String())
	}
	return out
}

// enum reads an attribute whose literal value must be one of allowed
// (compared ignoring case).
func (a *attrReader) enum(name string, f attrFlag, allowed ...string) Value {
	v := a.str(name, f)
	if !v.Set || v.Expr != nil || v.missing {
		return v
	}
	got := strings.TrimSpace(v.Resolved())
	if !slices.ContainsFunc(allowed, func(s string) bool { return strings.EqualFold(s, got) }) {
		d := a.l.diags.Errorf(v.Span, "invalid-value", "attribute %q of <%s> must be one of %s, not %q", name, a.e.Name, strings.Join(allowed, ", "), v.String())
		if s := suggest(got, allowed); s != "" {
			d.Notes = []string{fmt.Sprintf("did you mean %q?", s)}
		}
	}
	return v
}

// done reports the attributes that were not read.
func (a *attrReader) done() {
	for _, at := range a.e.Attrs {
		if slices.Contains(a.seen, at.Name) || a.policy && at.Name == "id" || strings.HasPrefix(at.Name, "xmlns") {
			continue
		}
		d := a.l.diags.Errorf(at.NameSpan, "unknown-attribute", "unknown attribute %q on <%s>", at.Name, a.e.Name)
		if s := suggest(at.Name, a.seen); s != "" {
			d.Notes = []string{fmt.Sprintf("did you mean %q?", s)}
		} else if len(a.seen) > 0 {
			d.Notes = []string{"allowed: " + strings.Join(a.seen, ", ")}
		}
	}
}

// exactlyOne reports unless exactly one of the values is set.
func (a *attrReader) exactlyOne(names []string, vals ...Value) {
	n := 0
	for _, v := range vals {
		if v.Set {
			n++
		}
	}
	if n != 1 {
		a.l.diags.Errorf(a.e.NameSpan, "missing-attribute", "<%s> requires exactly one of the attributes %s", a.e.Name, strings.Join(names, ", "))
	}
}
