package graphql

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Action is what an authorization rule does with the fields it matches.
type Action uint8

// The actions of <rule action="...">. The zero value is Allow, the action of
// a rule without an action attribute.
const (
	Allow  Action = iota // the field passes
	Remove               // the field is cut from the forwarded query and a field error is added to the response
	Reject               // the whole request fails with a request error
	Ignore               // the rule does not apply: a less specific rule decides
)

// String returns the action's word as written in policy XML.
func (a Action) String() string {
	switch a {
	case Allow:
		return "allow"
	case Remove:
		return "remove"
	case Reject:
		return "reject"
	case Ignore:
		return "ignore"
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// ParseAction parses an action word, case-insensitively: allow, remove,
// reject, ignore, and deny (a synonym of reject found in real
// configurations). The empty word is Allow. Any other word is an error.
func ParseAction(word string) (Action, error) {
	switch {
	case word == "", strings.EqualFold(word, "allow"):
		return Allow, nil
	case strings.EqualFold(word, "remove"):
		return Remove, nil
	case strings.EqualFold(word, "reject"), strings.EqualFold(word, "deny"):
		return Reject, nil
	case strings.EqualFold(word, "ignore"):
		return Ignore, nil
	}
	return Allow, fmt.Errorf("unknown action %q: want allow, remove, reject (or deny) or ignore", word)
}

// Rule is one <rule path="..." action="..."/> of <authorize>, with its action
// already resolved (expression-valued actions are evaluated by the caller).
type Rule struct {
	Path   string
	Action Action
}

// pattern is a parsed rule path: /Type/field, or a single segment starting
// with "__" for the introspection system.
type pattern struct {
	typ, field         string // literal text without the trailing '*'; field is "" for one segment
	typWild, fieldWild bool
	two                bool
}

// Messages of malformed paths.
const (
	msgNoSlash    = "a rule path starts with /"
	msgSegments   = "a rule path is /Type/field, or /__... for the introspection system"
	msgEmpty      = "a rule path has an empty segment"
	msgWildcard   = "a wildcard * may only end a segment"
	msgBadName    = "a path segment is a GraphQL name: letters, digits and _, not starting with a digit"
	msgOneSegment = "a one-segment rule path must start with __ (the introspection system); write /Type/field"
)

// parsePattern parses a rule path. msg is "" on success, else says what is
// wrong; it never allocates.
func parsePattern(path string) (p pattern, msg string) {
	if path == "" || path[0] != '/' {
		return p, msgNoSlash
	}
	rest := path[1:]
	first, second, two := strings.Cut(rest, "/")
	if two && strings.IndexByte(second, '/') >= 0 {
		return p, msgSegments
	}
	if p.typ, p.typWild, msg = parseSegment(first); msg != "" {
		return p, msg
	}
	if !two {
		if !strings.HasPrefix(p.typ, "__") {
			return p, msgOneSegment
		}
		return p, ""
	}
	p.two = true
	if p.field, p.fieldWild, msg = parseSegment(second); msg != "" {
		return p, msg
	}
	return p, ""
}

// parseSegment splits a segment into its literal prefix and whether it ends
// with '*'.
func parseSegment(seg string) (lit string, wild bool, msg string) {
	if seg == "" {
		return "", false, msgEmpty
	}
	if seg[len(seg)-1] == '*' {
		seg, wild = seg[:len(seg)-1], true
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case c == '*':
			return "", false, msgWildcard
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return "", false, msgBadName
		}
	}
	return seg, wild, ""
}

// isDunder reports whether a name belongs to the introspection system.
func isDunder(s string) bool { return len(s) >= 2 && s[0] == '_' && s[1] == '_' }

// segMatch matches one segment against a name. A wildcard matches names with
// its prefix, but not names starting with "__" unless the prefix does (as a
// shell's * skips dot files): /Query/* does not match __schema.
func segMatch(lit string, wild bool, name string) bool {
	if !wild {
		return lit == name
	}
	return strings.HasPrefix(name, lit) && (!isDunder(name) || isDunder(lit))
}

// match reports whether p matches field name of parent type parent ("" when
// the parent type is unknown).
func (p *pattern) match(parent, name string) bool {
	if p.two {
		return parent != "" && segMatch(p.typ, p.typWild, parent) && segMatch(p.field, p.fieldWild, name)
	}
	// One segment: the introspection system, that is the meta-fields
	// (__schema, __type; __typename only by its exact name) and every field
	// of the introspection types (__Schema, __Type, ...).
	if isDunder(name) && segMatch(p.typ, p.typWild, name) && (!p.typWild || name != "__typename") {
		return true
	}
	return parent != "" && segMatch(p.typ, p.typWild, parent)
}

// rank orders matching patterns: the highest rank is the most specific. Two
// segments beat one; then the type segment decides, then the field segment;
// an exact segment beats any wildcard, and a longer wildcard prefix beats a
// shorter one.
func (p *pattern) rank() int64 {
	seg := func(lit string, wild bool) int64 {
		if wild {
			return int64(len(lit))
		}
		return 1 << 20
	}
	if !p.two {
		return seg(p.typ, p.typWild)
	}
	return 1<<42 | seg(p.typ, p.typWild)<<21 | seg(p.field, p.fieldWild)
}

// String returns the pattern as written.
func (p *pattern) String() string {
	if !p.two {
		return "/" + segString(p.typ, p.typWild)
	}
	return "/" + segString(p.typ, p.typWild) + "/" + segString(p.field, p.fieldWild)
}

// segString returns a segment as written.
func segString(lit string, wild bool) string {
	if wild {
		return lit + "*"
	}
	return lit
}

// CheckRules reports the rule paths that can never match a field: malformed
// paths, and, when s is not nil, paths naming a type or field the schema does
// not have or a type that is not an object type (rules apply to fields of
// object types; a path naming an interface, union, input or enum type matches
// nothing). Without a schema only root types' fields and the introspection
// system can be matched, so a path naming another type is reported too. The
// result is nil when every path is good; otherwise it has one entry per path,
// nil for the good ones.
func CheckRules(s *Schema, paths []string) []error {
	var errs []error
	for i, path := range paths {
		msg := checkRule(s, path)
		if msg == "" {
			continue
		}
		if errs == nil {
			errs = make([]error, len(paths))
		}
		errs[i] = fmt.Errorf("rule path %q: %s", path, msg)
	}
	return errs
}

// checkRule returns what is wrong with one rule path, or "".
func checkRule(s *Schema, path string) string {
	p, msg := parsePattern(path)
	if msg != "" {
		return msg
	}
	if s == nil {
		if !p.two {
			return ""
		}
		for _, root := range [...]string{"Query", "Mutation", "Subscription"} {
			if segMatch(p.typ, p.typWild, root) {
				return ""
			}
		}
		if p.typWild {
			return fmt.Sprintf("no root type matches %s*: without a schema only the fields of Query, Mutation and Subscription, and the introspection system, can be matched", p.typ)
		}
		return fmt.Sprintf("type %s is not a root type: without a schema only the fields of Query, Mutation and Subscription, and the introspection system, can be matched", p.typ)
	}
	if !p.two {
		for _, meta := range [...]string{"__schema", "__type", "__typename"} {
			if p.match("", meta) {
				return ""
			}
		}
		for name, d := range s.s.Types {
			if d.Kind == ast.Object && segMatch(p.typ, p.typWild, name) && len(d.Fields) > 0 {
				return ""
			}
		}
		return fmt.Sprintf("nothing in the introspection system matches %s", segString(p.typ, p.typWild))
	}
	if !p.typWild {
		d := s.s.Types[p.typ]
		if d == nil {
			return fmt.Sprintf("the schema has no type %s", p.typ)
		}
		if d.Kind != ast.Object {
			return fmt.Sprintf("%s is %s type; rules apply to fields of object types only", p.typ, kindName(d.Kind))
		}
		if !hasField(d, &p) {
			if p.fieldWild {
				return fmt.Sprintf("type %s has no field matching %s*", p.typ, p.field)
			}
			return fmt.Sprintf("type %s has no field %s", p.typ, p.field)
		}
		return ""
	}
	typeFound := false
	for name, d := range s.s.Types {
		if d.Kind != ast.Object || !segMatch(p.typ, true, name) {
			continue
		}
		typeFound = true
		if hasField(d, &p) {
			return ""
		}
	}
	if !typeFound {
		return fmt.Sprintf("no object type of the schema matches %s*", p.typ)
	}
	return fmt.Sprintf("no object type matching %s* has a field matching %s", p.typ, segString(p.field, p.fieldWild))
}

// hasField reports whether object type d has a field p's field segment
// matches (__typename included).
func hasField(d *ast.Definition, p *pattern) bool {
	if segMatch(p.field, p.fieldWild, "__typename") {
		return true
	}
	for _, f := range d.Fields {
		if segMatch(p.field, p.fieldWild, f.Name) {
			return true
		}
	}
	return false
}

// kindName returns "an interface", "a union", ... for error messages.
func kindName(k ast.DefinitionKind) string {
	switch k {
	case ast.Interface:
		return "an interface"
	case ast.Union:
		return "a union"
	case ast.InputObject:
		return "an input"
	case ast.Enum:
		return "an enum"
	case ast.Scalar:
		return "a scalar"
	}
	return "a " + strings.ToLower(string(k))
}
