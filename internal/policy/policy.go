package policy

import (
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/xmlscan"
)

// Scope is the level a policy document is attached to. Fragment is the kind
// of a policy fragment document; statements inlined from a fragment take the
// scope of the document that includes it.
type Scope int

// The scopes, broadest first, and the fragment document kind.
const (
	Global Scope = iota
	Product
	API
	Operation
	Fragment
)

var scopeNames = [...]string{"global", "product", "api", "operation", "fragment"}

// String returns the scope as LastError.Scope spells it: "global",
// "product", "api", "operation" (or "fragment").
func (s Scope) String() string {
	if s < 0 || int(s) >= len(scopeNames) {
		return "unknown"
	}
	return scopeNames[s]
}

// Section is one of the four sections of a policy document.
type Section int

// The sections in execution order.
const (
	Inbound Section = iota
	Backend
	Outbound
	OnError
	numSections
)

// sectionNames are the section element names, indexed by Section.
var sectionNames = [...]string{"inbound", "backend", "outbound", "on-error"}

// String returns the section's element name, as LastError.Section spells it.
func (s Section) String() string {
	if s < 0 || s >= numSections {
		return "unknown"
	}
	return sectionNames[s]
}

// AllSections returns the four sections in document order.
func AllSections() [4]Section { return [4]Section{Inbound, Backend, Outbound, OnError} }

// Policy is the typed model of one policy element. Each policy type's
// comment lists its attributes and children.
type Policy interface {
	// PolicyName returns the element name, e.g. "set-header".
	PolicyName() string
}

// Container is implemented by policies that hold nested statements: choose,
// retry, wait and limit-concurrency.
type Container interface {
	Policy
	// Blocks returns the nested statement lists in document order.
	Blocks() []Block
}

// Block is a list of nested statements. Name is the element that holds them
// ("when", "otherwise") or "" when the statements are direct children of the
// policy element (retry, wait, limit-concurrency).
type Block struct {
	Name string
	Elem *xmlscan.Element // the when/otherwise element, or the policy element itself
	Body []*Statement
}

// Statement is one policy element standing in a section, a fragment or a
// nested block, with everything the gateway and the diagnostics need to
// know about where it came from.
type Statement struct {
	Name    string           // element name
	ID      string           // the id attribute, "" when absent (LastError.PolicyId)
	Policy  Policy           // the typed model; *Base for <base/>
	Elem    *xmlscan.Element // the element as read
	Scope   Scope            // scope of the document the statement belongs to
	Section Section          // section it stands in
	// Fragment names the fragment the statement was inlined from, "" when it
	// was written in the document itself; Include is the include-fragment
	// element that pulled it in.
	Fragment string
	Include  *xmlscan.Element

	src *source
}

// Span returns where the statement's element is written.
func (s *Statement) Span() diag.Span { return s.Elem.Span() }

// Document is one loaded policy document.
type Document struct {
	File     *diag.File
	Scope    Scope
	Sections [4]SectionBody // by Section
	// Body holds the statements of a fragment document (Scope == Fragment).
	Body []*Statement
}

// SectionBody is the content of one section element.
type SectionBody struct {
	Present    bool             // the section element is written in the document
	Elem       *xmlscan.Element // the section element, nil when absent
	Statements []*Statement     // in document order; <base/> is a statement
}

// Base is the <base/> element: the place where the same section of the
// next broader scope is inserted.
type Base struct{}

// PolicyName implements Policy.
func (*Base) PolicyName() string { return "base" }

// source is shared by every statement of one loaded file: it maps each
// attribute value and text node to its resolved Value, for the printer.
type source struct {
	file   *diag.File
	values map[*xmlscan.Text]*Value
}

// NamedValue is one named value as the policy loader needs it.
type NamedValue struct {
	DisplayName string // what {{...}} references
	Value       string // the value; may itself be a policy expression
	Secret      bool   // never print Value
	HasValue    bool   // false for a secret whose value was not supplied
}

// ExprCompiler compiles one policy expression. src is the whole expression
// including its @( ) or @{ } delimiters; origin maps byte offsets of src to
// file spans. It returns the compiled program, stored in Expr.Program.
type ExprCompiler func(src string, origin Origin) (any, diag.List)

// Origin maps byte offsets of an expression source to spans of the file the
// expression is written in.
type Origin interface {
	Span(start, end int) diag.Span
}

// Env is what loading a document needs from the rest of the configuration.
type Env struct {
	// NamedValues are looked up by display name, ignoring case.
	NamedValues []NamedValue
	// Fragments maps a fragment's resource name (the include-fragment
	// fragment-id) to its file.
	Fragments map[string]*diag.File
	// Compile compiles expressions; nil leaves Expr.Program nil.
	Compile ExprCompiler
	// Runnable reports whether tollgate can execute the named policy; nil
	// means every policy is runnable.
	Runnable func(name string) bool
	// SecretHint, when set, tells users how to supply the value of a secret
	// named value; it completes the sentence "supply it ...".
	SecretHint string
}
