package policy

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// Effective is the policy that runs for one operation: the documents of
// every scope merged through <base/>. It is immutable once built.
type Effective struct {
	// Sections holds the statements of each section in execution order.
	Sections [4][]*Step
	// Docs are the documents it was composed from, broadest first (global,
	// product, api, operation); nil entries were absent.
	Docs [4]*Document
	// Diagnostics explains the composition: warnings about CORS order, a
	// missing forward-request, and notes about inheritance cut by a missing
	// <base/>.
	Diagnostics diag.List
}

// Step is a statement at its place in the effective policy.
type Step struct {
	*Statement
	// Path is the statement's LastError.Path: name[index] for each level,
	// joined by backslashes, e.g. choose[3]\when[2]\set-header[1].
	Path string
	// Where is the statement's position as "file:line:col", computed once
	// so that traces name it without formatting per request.
	Where string
	// Blocks are the nested statements of choose, retry, wait and
	// limit-concurrency, in the order of Container.Blocks.
	Blocks []StepBlock
}

// StepBlock is a nested statement list with its path.
type StepBlock struct {
	Block
	Path  string
	Steps []*Step
}

// Compose merges the documents of the four scopes. Any may be nil: an
// absent document behaves like <base/> in every section, so that the
// broader scopes show through; product is nil also when the request is not
// in a product context. In a present document an absent section behaves
// like <base/> too (except at global scope, where it is empty), while a
// present section without <base/> drops everything the broader scopes have
// for that section.
func Compose(global, product, api, operation *Document) *Effective {
	e := &Effective{Docs: [4]*Document{global, product, api, operation}}
	for _, s := range AllSections() {
		list := e.expand(3, s)
		e.Sections[s] = steps(list, "")
	}
	e.explain()
	e.Diagnostics.Sort()
	return e
}

// expand returns the statements of section s contributed by the document
// at index i and everything it inherits.
func (e *Effective) expand(i int, s Section) []*Statement {
	if i < 0 {
		return nil
	}
	d := e.Docs[i]
	if d == nil {
		return e.expand(i-1, s)
	}
	body := d.Sections[s]
	if !body.Present {
		if i == 0 {
			return nil
		}
		return e.expand(i-1, s)
	}
	var out []*Statement
	hasBase := false
	for _, st := range body.Statements {
		if st.Name == "base" {
			hasBase = true
			out = append(out, e.expand(i-1, s)...)
			continue
		}
		out = append(out, st)
	}
	if !hasBase && i > 0 {
		if dropped := e.expand(i-1, s); len(dropped) > 0 {
			var names []string
			for _, st := range dropped {
				names = append(names, fmt.Sprintf("%s (%s, %s)", st.Name, st.Scope, shortPos(st)))
			}
			e.Diagnostics.Add(diag.Diagnostic{Severity: diag.Note, Span: body.Elem.NameSpan, Code: "inheritance-cut",
				Message: fmt.Sprintf("section <%s> of the %s policy has no <base/>: %d statement(s) of broader scopes do not run", s, d.Scope, len(dropped)),
				Notes:   []string{"not inherited: " + strings.Join(names, ", ")}})
		}
	}
	return out
}

func steps(list []*Statement, prefix string) []*Step {
	out := make([]*Step, 0, len(list))
	for i, st := range list {
		p := fmt.Sprintf("%s[%d]", st.Name, i+1)
		if prefix != "" {
			p = prefix + `\` + p
		}
		step := &Step{Statement: st, Path: p, Where: st.Span().Pos().String()}
		if c, ok := st.Policy.(Container); ok {
			for j, b := range c.Blocks() {
				bp := p
				if b.Name != "" {
					bp = fmt.Sprintf(`%s\%s[%d]`, p, b.Name, j+1)
				}
				step.Blocks = append(step.Blocks, StepBlock{Block: b, Path: bp, Steps: steps(b.Body, bp)})
			}
		}
		out = append(out, step)
	}
	return out
}

// explain adds warnings about composition mistakes that APIM accepts
// silently.
func (e *Effective) explain() {
	in := e.Sections[Inbound]
	var first *Step
	for i, st := range in {
		if st.Name != "cors" {
			continue
		}
		if first != nil {
			e.Diagnostics.Add(diag.Diagnostic{Severity: diag.Warning, Span: st.Elem.NameSpan, Code: "cors-shadowed",
				Message: fmt.Sprintf("a second cors policy (%s scope) follows the one at %s scope: only the first cors in the effective inbound section applies", st.Scope, first.Scope),
				Notes:   []string{"first cors: " + shortPos(first.Statement), "the second one is consulted only when the first has terminate-unmatched-request=\"false\" and the origin does not match"}})
			continue
		}
		first = st
		if i > 0 {
			var before []string
			for _, b := range in[:i] {
				before = append(before, fmt.Sprintf("%s (%s, %s)", b.Name, b.Scope, shortPos(b.Statement)))
			}
			e.Diagnostics.Add(diag.Diagnostic{Severity: diag.Warning, Span: st.Elem.NameSpan, Code: "cors-not-first",
				Message: fmt.Sprintf("cors is statement %d of the effective inbound section: errors raised by the %d statement(s) before it are returned without CORS headers, which browsers report as CORS failures", i+1, i),
				Notes:   []string{"runs before cors: " + strings.Join(before, ", ")}})
		}
	}
	var forwards []*Step
	walk(e.Sections[Backend], func(s *Step) {
		if s.Name == "forward-request" {
			forwards = append(forwards, s)
		}
	})
	if len(forwards) == 0 && e.narrowest() != nil {
		d := diag.Diagnostic{Severity: diag.Warning, Code: "no-forward-request",
			Message: "the effective backend section has no forward-request: requests never reach the backend"}
		if doc := e.decides(Backend); doc != nil && doc.Sections[Backend].Elem != nil {
			d.Span = doc.Sections[Backend].Elem.NameSpan
		} else {
			d.Pos = diag.Position{Filename: e.narrowest().File.Name}
		}
		e.Diagnostics.Add(d)
	}
	top := 0
	for _, s := range e.Sections[Backend] {
		if s.Name == "forward-request" {
			top++
			if top == 2 {
				e.Diagnostics.Add(diag.Diagnostic{Severity: diag.Warning, Span: s.Elem.NameSpan, Code: "duplicate-forward-request",
					Message: fmt.Sprintf("forward-request appears more than once in the effective backend section (%s scope)", s.Scope)})
			}
		}
	}
}

// narrowest returns the narrowest present document.
func (e *Effective) narrowest() *Document {
	for i := 3; i >= 0; i-- {
		if e.Docs[i] != nil {
			return e.Docs[i]
		}
	}
	return nil
}

// decides returns the narrowest document that writes section s: the one
// whose content decides what runs there.
func (e *Effective) decides(s Section) *Document {
	for i := 3; i >= 0; i-- {
		if d := e.Docs[i]; d != nil && d.Sections[s].Present {
			return d
		}
	}
	return nil
}

// walk calls fn for every step of list, nested ones included, in order.
func walk(list []*Step, fn func(*Step)) {
	for _, s := range list {
		fn(s)
		for _, b := range s.Blocks {
			walk(b.Steps, fn)
		}
	}
}

// Walk calls fn for every step of section s, nested steps included, in
// document order.
func (e *Effective) Walk(s Section, fn func(*Step)) { walk(e.Sections[s], fn) }

// shortPos returns "file:line" of a statement.
func shortPos(st *Statement) string {
	p := st.Elem.Start.Pos()
	return fmt.Sprintf("%s:%d", p.Filename, p.Line)
}
