package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/xmlscan"
)

// scanOptions keeps the content of these elements as one raw text: Liquid
// bodies may hold XML markup, and XSLT and cross-domain documents are
// passed on as written.
func scanOptions() xmlscan.Options {
	return xmlscan.Options{RawContent: map[string]bool{
		"set-body": true, "xsl:stylesheet": true, "cross-domain-policy": true,
	}}
}

// loader holds the state of loading one document and the fragments it
// includes.
type loader struct {
	env   *Env
	diags diag.List
	nv    map[string]*NamedValue // by lower-case display name
	table map[string]spec
	stack []string // fragment names being inlined, outermost first
	src   *source
	scope Scope
}

// ctx is where a statement stands.
type ctx struct {
	section    Section
	hasSection bool // false for a fragment loaded on its own
	nested     bool // inside choose, retry, wait or limit-concurrency
	inWait     bool // a direct child of wait
	fragment   string
	include    *xmlscan.Element
}

func newLoader(env *Env, scope Scope) *loader {
	if env == nil {
		env = &Env{}
	}
	l := &loader{env: env, scope: scope, table: policyTable(), nv: make(map[string]*NamedValue, len(env.NamedValues))}
	for i := range env.NamedValues {
		nv := &env.NamedValues[i]
		l.nv[strings.ToLower(nv.DisplayName)] = nv
	}
	return l
}

// LoadDocument reads the policy document f attached at scope (or, with
// Fragment, a policy fragment), substitutes named values, compiles
// expressions, inlines fragments and checks placement. It returns the
// document even when it has errors, with every problem found.
func LoadDocument(f *diag.File, scope Scope, env *Env) (*Document, diag.List) {
	l := newLoader(env, scope)
	doc := l.load(f, ctx{})
	l.diags.Sort()
	return doc, l.diags
}

func (l *loader) load(f *diag.File, c ctx) *Document {
	x, d := xmlscan.Parse(f, scanOptions())
	l.diags.Append(d)
	prev := l.src
	l.src = &source{file: f, values: map[*xmlscan.Text]*Value{}}
	defer func() { l.src = prev }()
	doc := &Document{File: f, Scope: l.scope}
	if c.fragment != "" || c.include != nil {
		doc.Scope = Fragment
	}
	if x == nil || x.Root == nil {
		l.diags.Errorf(diag.Span{File: f}, "empty-document", "policy document has no root element")
		return doc
	}
	root := x.Root
	want := "policies"
	if l.scope == Fragment || c.include != nil {
		want = "fragment"
	}
	if root.Name != want {
		l.diags.Errorf(root.NameSpan, "wrong-root", "root element must be <%s>, found <%s>", want, root.Name)
		if root.Name != "policies" && root.Name != "fragment" {
			return doc
		}
	}
	l.attrs(root, false).done()
	l.checkSize(f, root.Name == "fragment")
	if root.Name == "fragment" {
		doc.Body = l.statements(root, c)
		return doc
	}
	l.sections(doc, root)
	return doc
}

// checkSize reports documents larger than APIM stores: fragments are
// limited to 512 KB (an error), policy documents to 256 KiB (a warning,
// as the limit is not documented precisely).
func (l *loader) checkSize(f *diag.File, fragment bool) {
	span := diag.Span{File: f, Start: 0, End: 0}
	switch n := len(f.Src); {
	case fragment && n > 512*1024:
		l.diags.Errorf(span, "too-large", "policy fragment is %d bytes; APIM accepts at most 512 KB", n)
	case !fragment && n > 256*1024:
		l.diags.Warnf(span, "too-large", "policy document is %d bytes; APIM accepts at most 256 KiB", n)
	}
}

// DefaultGlobalPolicy is the global policy document of a new APIM service:
// it forwards every request to the backend and does nothing else.
const DefaultGlobalPolicy = `<policies>
	<inbound />
	<backend>
		<forward-request />
	</backend>
	<outbound />
	<on-error />
</policies>
`

// DefaultGlobal returns DefaultGlobalPolicy loaded as the global document,
// for configurations that have no global policy file.
func DefaultGlobal() *Document {
	doc, _ := LoadDocument(diag.NewFile("(default global policy)", []byte(DefaultGlobalPolicy)), Global, nil)
	return doc
}

func (l *loader) sections(doc *Document, root *xmlscan.Element) {
	for _, e := range l.elems(root, sectionNames[:]...) {
		s := Section(slices.Index(sectionNames[:], e.Name))
		body := &doc.Sections[s]
		if body.Present {
			l.diags.Errorf(e.NameSpan, "duplicate-section", "section <%s> is written twice", e.Name).
				Notes = []string{"first written at " + body.Elem.Span().Pos().String()}
			continue
		}
		body.Present, body.Elem = true, e
		l.attrs(e, false).done()
		body.Statements = l.statements(e, ctx{section: s, hasSection: true})
		var bases []*Statement
		for _, st := range body.Statements {
			if st.Name == "base" && st.Fragment == "" {
				bases = append(bases, st)
			}
		}
		if len(bases) > 1 {
			l.diags.Errorf(bases[1].Elem.NameSpan, "duplicate-base", "<base/> may appear only once in section <%s>", e.Name).
				Notes = []string{"first written at " + bases[0].Span().Pos().String()}
		}
	}
}

// statements reads the policy statements that are the children of parent.
func (l *loader) statements(parent *xmlscan.Element, c ctx) []*Statement {
	var out []*Statement
	for _, n := range parent.Children {
		switch n := n.(type) {
		case *xmlscan.Text:
			if strings.TrimSpace(n.Value) != "" {
				l.diags.Errorf(n.Span(), "unexpected-text", "text is not allowed in <%s>; only policy elements", parent.Name)
			}
		case *xmlscan.Element:
			out = append(out, l.statement(n, c)...)
		}
	}
	l.checkOnce(out, c)
	return out
}

// checkOnce reports policies that may appear only once per section.
func (l *loader) checkOnce(list []*Statement, c ctx) {
	if !c.hasSection || c.nested {
		return
	}
	first := map[string]*Statement{}
	for _, st := range list {
		sp, ok := l.table[st.Name]
		if !ok || !sp.once {
			continue
		}
		if f := first[st.Name]; f != nil {
			l.diags.Errorf(st.Elem.NameSpan, "duplicate-policy", "<%s> may appear only once in section <%s>", st.Name, c.section).
				Notes = []string{"first written at " + f.Span().Pos().String()}
			continue
		}
		first[st.Name] = st
	}
}

// statement reads one policy element; include-fragment yields the inlined
// statements.
func (l *loader) statement(e *xmlscan.Element, c ctx) []*Statement {
	if e.Name == "include-fragment" {
		return l.include(e, c)
	}
	sp, ok := l.table[e.Name]
	if !ok {
		d := l.diags.Errorf(e.NameSpan, "unknown-policy", "unknown policy <%s>", e.Name)
		if s := suggest(e.Name, l.policyNames()); s != "" {
			d.Notes = []string{fmt.Sprintf("did you mean <%s>?", s)}
		}
		return nil
	}
	l.place(e, sp, c)
	st := &Statement{Name: e.Name, Elem: e, Scope: l.scope, Section: c.section,
		Fragment: c.fragment, Include: c.include, src: l.src}
	if a := e.Attr("id"); a != nil {
		st.ID = l.resolve(&a.Value, false).String()
	}
	if e.Name == "base" {
		st.Policy = &Base{}
		l.attrs(e, true).done()
		l.leaf(e)
	} else {
		inner := c
		inner.nested, inner.inWait = true, e.Name == "wait"
		st.Policy = sp.parse(l, e, inner)
	}
	if e.Name != "base" {
		l.checkRunnable(e)
	}
	return []*Statement{st}
}

// checkRunnable reports a policy element tollgate reads but cannot execute.
func (l *loader) checkRunnable(e *xmlscan.Element) {
	if l.env.Runnable != nil && !l.env.Runnable(e.Name) {
		l.diags.Errorf(e.NameSpan, "unsupported-policy", "policy %s is not supported by tollgate yet", e.Name)
	}
}

// place checks that a policy may stand where it is written.
func (l *loader) place(e *xmlscan.Element, sp spec, c ctx) {
	switch {
	case e.Name == "base" && (l.scope == Fragment || c.fragment != "" || c.include != nil):
		l.diags.Errorf(e.NameSpan, "base-in-fragment", "<base/> is not allowed in a policy fragment")
		return
	case e.Name == "base" && c.nested:
		l.diags.Errorf(e.NameSpan, "misplaced-base", "<base/> must be a direct child of a section")
		return
	case c.inWait && e.Name != "send-request" && e.Name != "cache-lookup-value" && e.Name != "choose":
		l.diags.Errorf(e.NameSpan, "misplaced-policy", "<%s> cannot be a direct child of <wait>", e.Name).
			Notes = []string{"wait runs only send-request, cache-lookup-value and choose children"}
	}
	if c.hasSection && sp.sections&(1<<c.section) == 0 {
		l.diags.Errorf(e.NameSpan, "misplaced-policy", "<%s> is not allowed in section <%s>", e.Name, c.section).
			Notes = []string{"allowed in: " + sectionList(sp.sections)}
	}
	if l.scope != Fragment && sp.scopes != 0 && sp.scopes&(1<<l.scope) == 0 {
		l.diags.Errorf(e.NameSpan, "misplaced-policy", "<%s> is not allowed at %s scope", e.Name, l.scope).
			Notes = []string{"allowed at: " + scopeList(sp.scopes)}
	}
}

// include inlines the fragment named by e.
func (l *loader) include(e *xmlscan.Element, c ctx) []*Statement {
	a := l.attrs(e, true)
	id := a.str("fragment-id", req)
	a.done()
	l.leaf(e)
	if !id.Set || id.Expr != nil {
		return nil
	}
	name := id.Resolved()
	f, ok := l.env.Fragments[name]
	if !ok {
		d := l.diags.Errorf(id.Span, "unknown-fragment", "policy fragment %q does not exist", name)
		if s := suggest(name, mapKeys(l.env.Fragments)); s != "" {
			d.Notes = []string{fmt.Sprintf("did you mean %q?", s)}
		}
		return nil
	}
	if i := slices.Index(l.stack, name); i >= 0 {
		chain := strings.Join(append(slices.Clone(l.stack[i:]), name), " -> ")
		l.diags.Errorf(id.Span, "fragment-cycle", "policy fragment %q includes itself: %s", name, chain)
		return nil
	}
	if len(l.stack) > 0 {
		// APIM rejects nested fragments; inline anyway so that the rest of
		// the chain (and any cycle) is checked too.
		l.diags.Errorf(e.NameSpan, "nested-fragment", "policy fragment %q is included from another policy fragment; fragments cannot include fragments", name)
	}
	l.stack = append(l.stack, name)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()
	inner := c
	inner.fragment, inner.include = name, e
	if c.include != nil {
		inner.include = c.include // keep the outermost include for the printer
	}
	doc := l.load(f, inner)
	return doc.Body
}

// elems returns the element children of e whose names are in allowed and
// reports the others and any non-blank text.
func (l *loader) elems(e *xmlscan.Element, allowed ...string) []*xmlscan.Element {
	var out []*xmlscan.Element
	for _, n := range e.Children {
		switch n := n.(type) {
		case *xmlscan.Text:
			if strings.TrimSpace(n.Value) != "" {
				l.diags.Errorf(n.Span(), "unexpected-text", "text is not allowed in <%s>", e.Name)
			}
		case *xmlscan.Element:
			if slices.Contains(allowed, n.Name) {
				out = append(out, n)
				continue
			}
			l.unknownChild(e, n, allowed)
		}
	}
	return out
}

func (l *loader) unknownChild(parent, c *xmlscan.Element, allowed []string) {
	d := l.diags.Errorf(c.NameSpan, "unknown-element", "element <%s> is not allowed in <%s>", c.Name, parent.Name)
	if s := suggest(c.Name, allowed); s != "" {
		d.Notes = []string{fmt.Sprintf("did you mean <%s>?", s)}
	} else if len(allowed) > 0 {
		d.Notes = []string{"allowed: " + strings.Join(allowed, ", ")}
	}
}

// leaf reports any content of an element that takes none.
func (l *loader) leaf(e *xmlscan.Element) { l.elems(e) }

// text returns the text content of e. Element children are reported. Raw
// content (set-body) is kept as written; other text is trimmed.
func (l *loader) text(e *xmlscan.Element, liquid bool) Value {
	var v Value
	for _, n := range e.Children {
		switch n := n.(type) {
		case *xmlscan.Text:
			if strings.TrimSpace(n.Value) == "" && !n.CDATA {
				continue
			}
			if v.Set {
				l.diags.Errorf(n.Span(), "split-text", "the text of <%s> is split by a comment or element; only the first part is used", e.Name)
				continue
			}
			v = l.resolve(n, liquid)
		case *xmlscan.Element:
			l.unknownChild(e, n, nil)
		}
	}
	if v.Set && v.Expr == nil && e.Name != "set-body" {
		v.text, v.masked = strings.TrimSpace(v.text), strings.TrimSpace(v.masked)
	}
	if !v.Set {
		v.Span = e.Span()
	}
	return v
}

// textList reads the children of e, each an element named child holding one
// text value.
func (l *loader) textList(e *xmlscan.Element, child string) []Value {
	var out []Value
	for _, c := range l.elems(e, child) {
		l.attrs(c, false).done()
		out = append(out, l.text(c, false))
	}
	return out
}

func (l *loader) policyNames() []string { return mapKeys(l.table) }

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sectionList(bits uint8) string {
	var out []string
	for s := range numSections {
		if bits&(1<<s) != 0 {
			out = append(out, s.String())
		}
	}
	return strings.Join(out, ", ")
}

func scopeList(bits uint8) string {
	var out []string
	for s := Global; s <= Operation; s++ {
		if bits&(1<<s) != 0 {
			out = append(out, s.String())
		}
	}
	return strings.Join(out, ", ")
}
