package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/policy"
)

// Finding is one trap found in a configuration.
type Finding struct {
	Rule     *Rule
	Severity diag.Severity // the rule's severity, raised to Error by Options.Strict
	Span     diag.Span     // the text that must change; may be invalid, then Pos says where
	Pos      diag.Position // used when Span is invalid (a whole file)
	Message  string        // the trap with its concrete values, lower-case, no trailing period
	Fix      string        // what to change, with the concrete values
	Related  []Location    // the other positions involved
	// Code is the load diagnostic's code for findings made by
	// FromDiagnostics, "" for Run's own.
	Code string
}

// Location is a position involved in a finding, with what happens there.
type Location struct {
	Span    diag.Span
	Pos     diag.Position // used when Span is invalid
	Message string
}

// Position returns where f points.
func (f Finding) Position() diag.Position {
	if f.Span.IsValid() {
		return f.Span.Pos()
	}
	return f.Pos
}

// Position returns where l points.
func (l Location) Position() diag.Position {
	if l.Span.IsValid() {
		return l.Span.Pos()
	}
	return l.Pos
}

// String formats f as "path:line:col: warning: TG012: message".
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s: %s", f.Position(), f.Severity, f.Rule.ID, f.Message)
}

// Options configure Run.
type Options struct {
	// Load holds the diagnostics of the load step; a finding at the
	// position of one of its errors whose code the finding's rule owns is
	// the same trap reported twice and is dropped.
	Load diag.List
	// Strict raises warnings to errors.
	Strict bool
}

// Run judges snap and returns its findings sorted by position. snap.Policies
// must have been loaded (config.LoadPolicies); without them only the
// entities (backends, service URLs) are judged.
func Run(snap *config.Snapshot, opts Options) []Finding {
	c := &checker{snap: snap, seen: map[string]int{}}
	if snap.Policies != nil {
		c.documents()
		c.effectives()
		c.audiences()
	}
	c.entities()
	out := c.findings[:0:0]
	for _, f := range c.findings {
		if reportedAtLoad(f, opts.Load) {
			continue
		}
		if opts.Strict && f.Severity == diag.Warning {
			f.Severity = diag.Error
		}
		out = append(out, f)
	}
	sortFindings(out)
	return out
}

// FromDiagnostics turns diagnostics of the load step into findings: those
// whose code a rule owns become findings of that rule (TG018 for a missing
// named value), every other one a finding of TG000. Severities stay as
// reported, except that Strict raises warnings to errors.
func FromDiagnostics(diags diag.List, strict bool) []Finding {
	var out []Finding
	for _, d := range diags {
		r := ruleForCode(d)
		if r == nil {
			r = TG000
		}
		f := Finding{Rule: r, Severity: d.Severity, Span: d.Span, Pos: d.Pos, Message: d.Message, Fix: r.Fix, Code: d.Code}
		if len(d.Notes) > 0 {
			f.Message += " (" + strings.Join(d.Notes, "; ") + ")"
		}
		if strict && f.Severity == diag.Warning {
			f.Severity = diag.Error
		}
		out = append(out, f)
	}
	sortFindings(out)
	return out
}

// Count returns how many findings have each severity.
func Count(fs []Finding) (errors, warnings, notes int) {
	for _, f := range fs {
		switch f.Severity {
		case diag.Error:
			errors++
		case diag.Warning:
			warnings++
		default:
			notes++
		}
	}
	return
}

// reportedAtLoad reports whether the load step already reported f's trap:
// an error at the same position with a code f's rule owns.
func reportedAtLoad(f Finding, load diag.List) bool {
	p := f.Position()
	for _, d := range load {
		if d.Severity == diag.Error && d.Position() == p && ruleForCode(d) == f.Rule {
			return true
		}
	}
	return false
}

// Sort orders fs by file, line, column and rule.
func Sort(fs []Finding) { sortFindings(fs) }

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		pa, pb := a.Position(), b.Position()
		return cmp.Or(cmp.Compare(pa.Filename, pb.Filename), cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Column, pb.Column),
			cmp.Compare(a.Rule.ID, b.Rule.ID))
	})
}

// checker collects the findings of one run.
type checker struct {
	snap     *config.Snapshot
	findings []Finding
	seen     map[string]int  // rule and position -> index in findings
	vars     map[string]bool // variables any statement sets, lower-cased; see variableNames
}

// report adds a finding unless the same rule already reported the same
// position; then the new related locations are merged into the first.
func (c *checker) report(r *Rule, span diag.Span, pos diag.Position, msg, fix string, related ...Location) {
	f := Finding{Rule: r, Severity: r.Severity, Span: span, Pos: pos, Message: msg, Fix: fix}
	c.add(r.ID+" "+f.Position().String(), f, related)
}

// add adds f unless a finding with the same key was added; then the new
// related locations are merged into that one.
func (c *checker) add(key string, f Finding, related []Location) {
	if i, ok := c.seen[key]; ok {
		old := &c.findings[i]
		for _, l := range related {
			if !slices.ContainsFunc(old.Related, func(o Location) bool { return o.Position() == l.Position() }) {
				old.Related = append(old.Related, l)
			}
		}
		return
	}
	f.Related = related
	c.seen[key] = len(c.findings)
	c.findings = append(c.findings, f)
}

// reportAt reports at a span.
func (c *checker) reportAt(r *Rule, span diag.Span, msg, fix string, related ...Location) {
	c.report(r, span, diag.Position{}, msg, fix, related...)
}

// target names one effective policy: an API, an operation and a product.
type target struct {
	api     *config.API
	op      *config.Operation
	product *config.Product
	eff     *policy.Effective
}

// String names the context for messages: "API orders, operation get, product starter".
func (x target) String() string {
	s := "API " + x.api.ID
	if x.op != nil {
		s += ", operation " + x.op.Name
	}
	if x.product != nil {
		s += ", product " + x.product.Name
	} else {
		s += ", without a product"
	}
	return s
}

// effectives judges the effective policy of every operation of every API,
// in every product that carries the API and without a product.
func (c *checker) effectives() {
	pols := c.snap.Policies
	for _, api := range c.snap.APIs {
		products := []*config.Product{nil}
		for _, name := range sortedKeys(c.snap.Products) {
			p := c.snap.Products[name]
			if slices.Contains(p.APIs, api.Name) {
				products = append(products, p)
			}
		}
		ops := api.Operations
		if len(ops) == 0 {
			ops = []*config.Operation{nil}
		}
		for _, prod := range products {
			for _, op := range ops {
				x := target{api: api, op: op, product: prod, eff: pols.Effective(api, op, prod)}
				c.baseMissing(x)
				c.corsOrder(x)
				c.corsHeaders(x)
				c.optionsOperation(x)
				c.limits(x)
				c.variables(x)
				c.backendURLs(x)
				c.forwardRequest(x)
			}
		}
	}
}

// documents judges every policy document on its own: the global, product,
// API and operation documents (fragments are judged where they are
// included).
func (c *checker) documents() {
	for _, d := range c.docs() {
		for _, s := range policy.AllSections() {
			walkStatements(d.Sections[s].Statements, func(st *policy.Statement, _ []*policy.Statement) {
				c.statement(st)
			})
		}
	}
}

// docs returns every loaded policy document, in a stable order.
func (c *checker) docs() []*policy.Document {
	pols := c.snap.Policies
	var out []*policy.Document
	if pols.Global != nil {
		out = append(out, pols.Global)
	}
	for _, name := range sortedKeys(pols.Products) {
		out = append(out, pols.Products[name])
	}
	for _, id := range sortedKeys(pols.APIs) {
		out = append(out, pols.APIs[id])
	}
	for _, id := range sortedKeys(pols.Operations) {
		for _, op := range sortedKeys(pols.Operations[id]) {
			out = append(out, pols.Operations[id][op])
		}
	}
	return out
}

// walkStatements calls fn for every statement of list and of the blocks
// nested in it, with the statements enclosing it.
func walkStatements(list []*policy.Statement, fn func(st *policy.Statement, outer []*policy.Statement)) {
	var walk func(list []*policy.Statement, outer []*policy.Statement)
	walk = func(list []*policy.Statement, outer []*policy.Statement) {
		for _, st := range list {
			fn(st, outer)
			if ct, ok := st.Policy.(policy.Container); ok {
				for _, b := range ct.Blocks() {
					walk(b.Body, append(outer[:len(outer):len(outer)], st))
				}
			}
		}
	}
	walk(list, nil)
}

// walkSteps calls fn for every step of list and its nested blocks.
func walkSteps(list []*policy.Step, fn func(*policy.Step)) {
	for _, s := range list {
		fn(s)
		for _, b := range s.Blocks {
			walkSteps(b.Steps, fn)
		}
	}
}

// where describes a statement for messages: "rate-limit (product, products/starter/policy.xml:3)".
func where(st *policy.Statement) string {
	p := st.Elem.NameSpan.Pos()
	return fmt.Sprintf("%s (%s, %s:%d)", st.Name, st.Scope, p.Filename, p.Line)
}

// at returns a related location at a statement.
func at(st *policy.Statement, msg string) Location {
	return Location{Span: st.Elem.NameSpan, Message: msg}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
