package policy

import (
	"slices"
	"testing"
)

// TestRegistry loads every registered policy as an empty element in its
// first allowed section and checks that the typed model answers to the
// element's name.
func TestRegistry(t *testing.T) {
	for name, sp := range policyTable() {
		if name == "base" {
			continue
		}
		if sp.sections == 0 {
			t.Errorf("%s: no section", name)
			continue
		}
		s := Inbound
		for sp.sections&(1<<s) == 0 {
			s++
		}
		scope := API
		if sp.scopes != 0 && sp.scopes&(1<<API) == 0 {
			scope = Product
		}
		doc, diags := load(t, "p.xml", wrap(s.String(), "<"+name+" />"), scope, testEnv())
		for _, d := range diags {
			if d.Code == "misplaced-policy" || d.Code == "unknown-policy" {
				t.Errorf("%s: %s", name, d)
			}
		}
		list := doc.Sections[s].Statements
		if len(list) != 1 || list[0].Policy == nil || list[0].Policy.PolicyName() != name {
			t.Errorf("%s: statements %+v", name, list)
		}
	}
	if !Known("include-fragment") || !Known("cors") || Known("corz") {
		t.Error("Known")
	}
	if n := Names(); !slices.IsSorted(n) || !slices.Contains(n, "validate-jwt") {
		t.Error("Names")
	}
}
