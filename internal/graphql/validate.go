package graphql

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	gqlrules "github.com/vektah/gqlparser/v2/validator/rules"
)

// MaxSizeCap is the largest max-size APIM accepts, in bytes. Query text
// longer than this is always refused, whatever Limits.MaxSize says.
const MaxSizeCap = 102400

// MaxFields is the most fields a document may hold, counted as written: every
// field of every operation and fragment definition once. APIM validates at
// most 250 query fields; more is a request error.
const MaxFields = 250

// maxSpreads bounds the fragment spreads of a document: the validator
// compares the fragments spread in a selection set pairwise.
const maxSpreads = 500

// maxLevel bounds the selection sets the walk enters at once, counting those
// of the fragments a spread enters, so that fragments spreading one another
// in a chain cannot exhaust the stack.
const maxLevel = 4096

// Limits are the numeric limits of validate-graphql-request. Zero means no
// limit; the caller applies max-depth's default of 6.
type Limits struct {
	MaxSize       int64 // max-size: bytes of the request (see ReadRequest) and of the query text
	MaxDepth      int   // max-depth: the most fields on a path from the operation to a field
	MaxTotalDepth int   // max-total-depth: the sum of the depths of the leaf fields
	MaxComplexity int   // max-complexity: the number of fields, fragments expanded
}

// Result is the outcome of Validate.
type Result struct {
	// RequestErrors, when not empty, fail the request: respond with
	// ErrorBody(RequestErrors) and do not call the backend.
	RequestErrors []Error
	// FieldErrors are the fields that remove rules cut out, one per field, to
	// be added to the backend's response with MergeErrors.
	FieldErrors []Error
	// Query is the query to forward: req.Query itself when FieldErrors is
	// empty, else the rewritten query without the removed fields.
	Query string
}

// specRules are gqlparser's validation rules (the GraphQL specification's),
// sorted by name as gqlparser runs them, built once rather than per request
// as ValidateWithRules does.
var specRules = func() []validator.Rule {
	var rs []validator.Rule
	for name, f := range gqlrules.NewDefaultRules().GetInner() {
		rs = append(rs, validator.Rule{Name: name, RuleFunc: f})
	}
	slices.SortFunc(rs, func(a, b validator.Rule) int { return strings.Compare(a.Name, b.Name) })
	return rs
}()

// Validate validates a GraphQL request and authorizes its fields. It refuses
// query text over lim.MaxSize (or MaxSizeCap) before parsing; parses; counts
// the fields against MaxFields; validates the document against s when s is not
// nil (without a schema only syntax, operation selection, fragment spreads and
// cycles are checked); selects the operation by req.OperationName; checks the
// operation's variables against s; then checks depth, total depth and
// complexity, and applies rules to every field the operation selects,
// fragments expanded. Rules are applied only when everything else passed.
//
// For each field the most specific matching rule whose action is not Ignore
// decides (see the package documentation); rules of equal specificity apply
// in the order given, and a field no rule decides is allowed. The first field
// a Reject rule decides fails the request.
func Validate(s *Schema, req Request, lim Limits, rules []Rule) Result {
	q := req.Query
	if lim.MaxSize > 0 && int64(len(q)) > lim.MaxSize {
		return fail(*tooLarge("query", int64(len(q)), lim.MaxSize))
	}
	if len(q) > MaxSizeCap {
		return fail(newError(CodeTooLarge, fmt.Sprintf("query of %d bytes exceeds the %d bytes validate-graphql-request accepts", len(q), MaxSizeCap), 0, 0))
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		return fail(parseError(err))
	}
	if len(doc.Operations) == 0 && len(doc.Fragments) == 0 {
		return fail(newError(CodeParseFailed, "the query is empty", 0, 0))
	}
	var n counts
	n.doc(doc)
	if n.fields > MaxFields {
		return fail(newError(CodeTooManyFields, fmt.Sprintf("query has %d fields; validate-graphql-request accepts at most %d", n.fields, MaxFields), 0, 0))
	}
	if n.spreads > maxSpreads {
		return fail(newError(CodeTooManyFields, fmt.Sprintf("query has %d fragment spreads; validate-graphql-request accepts at most %d", n.spreads, maxSpreads), 0, 0))
	}
	w := walker{s: s, lim: lim, doc: doc}
	if len(doc.Fragments) > 0 {
		w.frags = make([]fragState, len(doc.Fragments))
		if len(doc.Fragments) > fragIndexMin {
			w.fragIndex = make(map[string]int, len(doc.Fragments))
			for i := len(doc.Fragments) - 1; i >= 0; i-- {
				w.fragIndex[doc.Fragments[i].Name] = i
			}
		}
		// Before the validator, whose cycle search costs far more.
		if e := w.cycles(); e != nil {
			return fail(*e)
		}
	}
	if s != nil {
		if errs := validator.ValidateWithSources(s.s, doc, specRules...); len(errs) > 0 {
			return Result{RequestErrors: validationErrors(errs)}
		}
	}
	op, e := selectOperation(doc, req.OperationName)
	if e != nil {
		return fail(*e)
	}
	if s != nil && len(op.VariableDefinitions) > 0 {
		if _, err := validator.VariableValues(s.s, op, req.Variables); err != nil {
			return fail(variableError(op, err))
		}
	}

	w.root = s.rootName(op.Operation)
	w.compile(rules)
	st := w.walkSet(op.SelectionSet, true, 1)
	if w.err != nil {
		return fail(*w.err)
	}
	var errs []Error
	if lim.MaxDepth > 0 && st.depth > int64(lim.MaxDepth) {
		at := w.depthPath
		if at == "" {
			at = "/" + w.root
		}
		if st.depth > int64(lim.MaxDepth)+1 && !w.depthInFragment {
			at += "/..."
		}
		errs = append(errs, newError(CodeTooDeep, fmt.Sprintf("query depth %d exceeds max-depth %d at %s", st.depth, lim.MaxDepth, at), w.depthLine, w.depthCol))
	}
	opLine, opCol := pos(op.Position)
	if lim.MaxTotalDepth > 0 && st.leafDepth > int64(lim.MaxTotalDepth) {
		errs = append(errs, newError(CodeTooDeep, fmt.Sprintf("query total depth %s (the depths of its %s leaf fields added up, fragments expanded) exceeds max-total-depth %d", count(st.leafDepth), count(st.leaves), lim.MaxTotalDepth), opLine, opCol))
	}
	if lim.MaxComplexity > 0 && st.fields > int64(lim.MaxComplexity) {
		errs = append(errs, newError(CodeTooComplex, fmt.Sprintf("query complexity %s (fields selected, fragments expanded) exceeds max-complexity %d", count(st.fields), lim.MaxComplexity), opLine, opCol))
	}
	if len(errs) > 0 {
		return Result{RequestErrors: errs}
	}
	if w.reject != nil {
		return fail(*w.reject)
	}
	if len(w.removed) == 0 {
		return Result{Query: q}
	}
	return Result{FieldErrors: w.fieldErrs, Query: w.rewrite(op)}
}

// fail returns a Result with one request error.
func fail(e Error) Result { return Result{RequestErrors: []Error{e}} }

// count formats a saturated counter.
func count(n int64) string {
	if n >= satMax {
		return "more than " + strconv.FormatInt(satMax, 10)
	}
	return strconv.FormatInt(n, 10)
}

// pos returns a position's line and column, or 0, 0.
func pos(p *ast.Position) (line, col int) {
	if p == nil {
		return 0, 0
	}
	return p.Line, p.Column
}

// parseError converts the parser's error. Nesting beyond the parser's limit
// is reported as QUERY_TOO_DEEP.
func parseError(err error) Error {
	var ge *gqlerror.Error
	if !errors.As(err, &ge) {
		return newError(CodeParseFailed, err.Error(), 0, 0)
	}
	code := CodeParseFailed
	msg := ge.Message
	if strings.HasPrefix(msg, "exceeded maximum nesting depth") {
		code = CodeTooDeep
		msg = fmt.Sprintf("query nests selection sets, lists and objects more than %d levels deep", parser.MaxNestingDepth)
	}
	e := Error{Message: msg, Extensions: map[string]any{"code": code}}
	e.Locations = locations(ge.Locations)
	return e
}

// locations converts gqlparser's locations, dropping unknown ones. The
// lexer reports column 0 for some tokens after a lone carriage return: they
// are given column 1.
func locations(ls []gqlerror.Location) []Location {
	var out []Location
	for _, l := range ls {
		if l.Line > 0 {
			out = append(out, Location{Line: l.Line, Column: max(l.Column, 1)})
		}
	}
	return out
}

// maxErrors is the most validation errors reported one by one.
const maxErrors = 10

// validationErrors converts the validator's errors, the first maxErrors of
// them.
func validationErrors(errs gqlerror.SourceList) []Error {
	out := make([]Error, 0, min(len(errs), maxErrors+1))
	for i, ge := range errs {
		if i == maxErrors {
			out = append(out, newError(CodeValidationFailed, fmt.Sprintf("and %d more validation errors", len(errs)-maxErrors), 0, 0))
			break
		}
		e := Error{Message: truncate(ge.Message), Extensions: map[string]any{"code": CodeValidationFailed}}
		for _, l := range ge.Locations {
			if l.Line > 0 {
				e.Locations = append(e.Locations, Location{Line: l.Line, Column: max(l.Column, 1)})
			}
		}
		out = append(out, e)
	}
	return out
}

// maxMessage is the longest validation message kept whole: the validator
// quotes values, which may be as long as the query.
const maxMessage = 300

// truncate shortens a message to about maxMessage bytes.
func truncate(msg string) string {
	if len(msg) <= maxMessage {
		return msg
	}
	i := maxMessage
	for i > 0 && !utf8.RuneStart(msg[i]) {
		i--
	}
	return msg[:i] + "…"
}

// variableError converts an error of validator.VariableValues, whose path is
// variable.name.member...
func variableError(op *ast.OperationDefinition, err error) Error {
	var ge *gqlerror.Error
	if !errors.As(err, &ge) {
		return newError(CodeValidationFailed, "variables: "+err.Error(), 0, 0)
	}
	var b strings.Builder
	b.WriteString("variable ")
	var name string
	for i, el := range ge.Path {
		switch el := el.(type) {
		case ast.PathName:
			switch i {
			case 0:
				continue // "variable"
			case 1:
				name = string(el)
				b.WriteString("$" + name)
			default:
				b.WriteString("." + string(el))
			}
		case ast.PathIndex:
			b.WriteString("[" + strconv.Itoa(int(el)) + "]")
		}
	}
	b.WriteString(": ")
	b.WriteString(truncate(ge.Message))
	var line, col int
	if v := op.VariableDefinitions.ForName(name); v != nil {
		line, col = pos(v.Position)
	}
	return newError(CodeValidationFailed, b.String(), line, col)
}

// counts are the selections of a whole document, as written.
type counts struct{ fields, spreads int }

// doc counts the selections of every operation and fragment definition.
func (n *counts) doc(doc *ast.QueryDocument) {
	for _, op := range doc.Operations {
		n.set(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n.set(f.SelectionSet)
	}
}

// set counts the selections of a selection set; the parser bounds its
// nesting.
func (n *counts) set(set ast.SelectionSet) {
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			n.fields++
			n.set(x.SelectionSet)
		case *ast.InlineFragment:
			n.set(x.SelectionSet)
		case *ast.FragmentSpread:
			n.spreads++
		}
	}
}

// cycles finds a fragment spreading itself, directly or not, anywhere in the
// document, in time linear in its size.
func (w *walker) cycles() *Error {
	for i := range w.doc.Fragments {
		if w.frags[i].color == 0 {
			if e := w.cycleFrom(i); e != nil {
				return e
			}
		}
	}
	return nil
}

// cycleFrom searches the fragments fragment i spreads.
func (w *walker) cycleFrom(i int) *Error {
	w.frags[i].color = 1
	e := w.cycleIn(w.doc.Fragments[i].SelectionSet)
	w.frags[i].color = 2
	return e
}

// cycleIn searches the fragments a selection set spreads.
func (w *walker) cycleIn(set ast.SelectionSet) *Error {
	for _, sel := range set {
		var e *Error
		switch x := sel.(type) {
		case *ast.Field:
			e = w.cycleIn(x.SelectionSet)
		case *ast.InlineFragment:
			e = w.cycleIn(x.SelectionSet)
		case *ast.FragmentSpread:
			switch j := w.fragment(x.Name); {
			case j < 0:
			case w.frags[j].color == 1:
				line, col := pos(x.Position)
				err := newError(CodeValidationFailed, fmt.Sprintf("cannot spread fragment %q within itself", x.Name), line, col)
				e = &err
			case w.frags[j].color == 0:
				e = w.cycleFrom(j)
			}
		}
		if e != nil {
			return e
		}
	}
	return nil
}

// selectOperation picks the operation to run.
func selectOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, *Error) {
	if name != "" {
		for _, op := range doc.Operations {
			if op.Name == name {
				return op, nil
			}
		}
		e := newError(CodeValidationFailed, fmt.Sprintf("unknown operation named %q", name), 0, 0)
		return nil, &e
	}
	switch len(doc.Operations) {
	case 1:
		return doc.Operations[0], nil
	case 0:
		e := newError(CodeValidationFailed, "the document has no operation", 0, 0)
		return nil, &e
	}
	e := newError(CodeValidationFailed, fmt.Sprintf("the document has %d operations: an operationName must say which to run", len(doc.Operations)), 0, 0)
	return nil, &e
}

// satMax saturates the walk's counters: fragments spreading others twice
// over make counts grow exponentially.
const satMax = 1 << 53

// stats are the measures of a selection set, relative to it: fields directly
// in it have depth 1.
type stats struct {
	depth     int64 // the greatest depth
	fields    int64 // fields, fragments expanded
	leaves    int64 // fields without a selection set
	leafDepth int64 // the sum of the leaves' depths
}

// sat adds two counters, saturating at satMax.
func sat(a, b int64) int64 {
	if a+b > satMax {
		return satMax
	}
	return a + b
}

// addField adds a field whose own selection set measures c.
func (s *stats) addField(c stats) {
	s.fields = sat(s.fields, sat(1, c.fields))
	if d := 1 + c.depth; d > s.depth {
		s.depth = d
	}
	if c.fields == 0 {
		s.leaves = sat(s.leaves, 1)
		s.leafDepth = sat(s.leafDepth, 1)
		return
	}
	s.leaves = sat(s.leaves, c.leaves)
	s.leafDepth = sat(s.leafDepth, sat(c.leafDepth, c.leaves))
}

// merge adds the measures of a fragment at the same level.
func (s *stats) merge(c stats) {
	s.fields = sat(s.fields, c.fields)
	s.depth = max(s.depth, c.depth)
	s.leaves = sat(s.leaves, c.leaves)
	s.leafDepth = sat(s.leafDepth, c.leafDepth)
}

// fragState is what the walk knows of one fragment definition.
type fragState struct {
	st       stats
	active   bool  // being walked: a spread of it now is a cycle
	visited  uint8 // rules applied at the root (2) or nested (1); with a schema only 1 is used
	measured bool  // st is known
	prune    uint8 // rewrite: 0 not yet, 1 in progress, 2 kept, 3 emptied
	color    uint8 // cycle search: 0 not yet, 1 in progress, 2 done
}

// fragIndexMin is the number of fragments above which a map indexes them.
const fragIndexMin = 8

// compiled is a rule with its parsed path.
type compiled struct {
	p      pattern
	rank   int64
	action Action
	index  int // in the rules given, 0-based
	path   string
}

// walker walks the selected operation once, expanding fragments with
// memoized measures, and applies the rules.
type walker struct {
	s         *Schema
	lim       Limits
	doc       *ast.QueryDocument
	root      string // the operation's root type
	rules     []compiled
	rulesBuf  [8]compiled
	frags     []fragState
	fragIndex map[string]int
	stack     []*ast.Field // the fields from the operation to the current one
	stackBuf  [16]*ast.Field
	level     int
	quiet     int // > 0 inside a removed field

	err       *Error // a request error that stops the walk
	reject    *Error // the first field a reject rule refused
	removed   []*ast.Field
	fieldErrs []Error

	depthPath           string // where max-depth was first exceeded
	depthInFragment     bool   // depthPath ends with a fragment spread, /...F
	depthLine, depthCol int
}

// compile parses the rules' paths; malformed ones never match.
func (w *walker) compile(rules []Rule) {
	w.rules = w.rulesBuf[:0]
	for i, r := range rules {
		if r.Action == Ignore {
			continue // an ignored rule is as good as absent
		}
		p, msg := parsePattern(r.Path)
		if msg != "" {
			continue
		}
		w.rules = append(w.rules, compiled{p: p, rank: p.rank(), action: r.Action, index: i, path: r.Path})
	}
	w.stack = w.stackBuf[:0]
}

// fragment returns the index of the fragment definition named name, or -1.
func (w *walker) fragment(name string) int {
	if w.fragIndex != nil {
		if i, ok := w.fragIndex[name]; ok {
			return i
		}
		return -1
	}
	for i, f := range w.doc.Fragments {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// walkSet walks a selection set whose fields are at depth depth; root says
// it is the operation's own level (through fragments), which matters only
// without a schema.
func (w *walker) walkSet(set ast.SelectionSet, root bool, depth int) stats {
	var st stats
	if w.level++; w.level > maxLevel {
		e := newError(CodeTooDeep, fmt.Sprintf("query nests selection sets more than %d levels deep, counting fragments", maxLevel), 0, 0)
		w.err = &e
	}
	for _, sel := range set {
		if w.err != nil {
			break
		}
		switch x := sel.(type) {
		case *ast.Field:
			w.stack = append(w.stack, x)
			if w.lim.MaxDepth > 0 && depth > w.lim.MaxDepth && w.depthPath == "" {
				w.depthPath = w.fieldPath()
				w.depthLine, w.depthCol = pos(x.Position)
			}
			removed := false
			if w.reject == nil && w.quiet == 0 && len(w.rules) > 0 {
				removed = w.authorize(x, root)
			}
			var c stats
			if len(x.SelectionSet) > 0 {
				if removed {
					w.quiet++ // what a removed field selects is not forwarded: no rule applies
				}
				c = w.walkSet(x.SelectionSet, false, depth+1)
				if removed {
					w.quiet--
				}
			}
			w.stack = w.stack[:len(w.stack)-1]
			st.addField(c)
		case *ast.InlineFragment:
			st.merge(w.walkSet(x.SelectionSet, root, depth))
		case *ast.FragmentSpread:
			st.merge(w.spread(x, root, depth))
		}
	}
	w.level--
	return st
}

// spread walks a fragment spread, or reuses the fragment's measures.
func (w *walker) spread(x *ast.FragmentSpread, root bool, depth int) stats {
	i := w.fragment(x.Name)
	if i < 0 {
		line, col := pos(x.Position)
		e := newError(CodeValidationFailed, fmt.Sprintf("unknown fragment %q", x.Name), line, col)
		w.err = &e
		return stats{}
	}
	f := &w.frags[i]
	if f.active {
		line, col := pos(x.Position)
		e := newError(CodeValidationFailed, fmt.Sprintf("cannot spread fragment %q within itself", x.Name), line, col)
		w.err = &e
		return stats{}
	}
	bit := uint8(1)
	if root && w.s == nil {
		bit = 2
	}
	if f.visited&bit != 0 || w.quiet > 0 && f.measured {
		if w.lim.MaxDepth > 0 && int64(depth-1)+f.st.depth > int64(w.lim.MaxDepth) && w.depthPath == "" {
			w.depthPath = w.fieldPath() + "/..." + x.Name
			w.depthInFragment = true
			w.depthLine, w.depthCol = pos(x.Position)
		}
		return f.st
	}
	f.active = true
	st := w.walkSet(w.doc.Fragments[i].SelectionSet, root, depth)
	f.active = false
	if w.quiet == 0 {
		f.visited |= bit
	}
	f.st, f.measured = st, true
	return st
}

// fieldPath returns /Root/field/field... for the fields on the stack.
func (w *walker) fieldPath() string {
	var b strings.Builder
	b.WriteByte('/')
	b.WriteString(w.root)
	for _, f := range w.stack {
		b.WriteByte('/')
		b.WriteString(f.Name)
	}
	return b.String()
}

// responsePath returns the response keys of the fields on the stack, the
// GraphQL error path of the current field (without list indices).
func (w *walker) responsePath() []any {
	p := make([]any, len(w.stack))
	for i, f := range w.stack {
		p[i] = f.Alias
	}
	return p
}

// decide returns the rule deciding field name of type parent ("" when
// unknown), or nil when none does.
func (w *walker) decide(parent, name string) *compiled {
	var best *compiled
	for i := range w.rules {
		r := &w.rules[i]
		if (best == nil || r.rank > best.rank) && r.p.match(parent, name) {
			best = r
		}
	}
	return best
}

// authorize applies the rules to field x. With a schema its parent type is
// known; a field selected on an interface or union is decided for each object
// type that may be there, and the most restrictive outcome holds. Without a
// schema only the operation's own level has a known type.
func (w *walker) authorize(x *ast.Field, root bool) (removed bool) {
	var r *compiled
	var parent, via string
	switch {
	case w.s == nil:
		if root {
			parent = w.root
		}
		r = w.decide(parent, x.Name)
	case x.ObjectDefinition == nil:
		return false
	case x.ObjectDefinition.Kind == ast.Object:
		parent = x.ObjectDefinition.Name
		r = w.decide(parent, x.Name)
	default:
		via = x.ObjectDefinition.Name
		for _, t := range w.s.s.PossibleTypes[via] {
			c := w.decide(t.Name, x.Name)
			if c != nil && (r == nil || c.action > r.action) {
				r, parent = c, t.Name
			}
		}
	}
	if r == nil || r.action == Allow {
		return false
	}
	field := "/" + parent + "/" + x.Name
	if parent == "" {
		field = w.fieldPath() // the parent type is unknown: say where the field is
	}
	if via != "" {
		field += " (selected on " + strings.ToLower(string(x.ObjectDefinition.Kind)) + " " + via + ")"
	}
	line, col := pos(x.Position)
	if r.action == Reject {
		e := newError(CodeFieldNotAuthorized, fmt.Sprintf("field %s refused by rule %d (path %s, action reject)", field, r.index+1, r.path), line, col)
		e.Path = w.responsePath()
		w.reject = &e
		return false
	}
	if w.isRemoved(x) {
		return true // a fragment's field, met again through another spread
	}
	w.removed = append(w.removed, x)
	e := newError(CodeFieldNotAuthorized, fmt.Sprintf("field %s removed by rule %d (path %s, action remove)", field, r.index+1, r.path), line, col)
	e.Path = w.responsePath()
	w.fieldErrs = append(w.fieldErrs, e)
	return true
}
