package confdiff

import (
	"regexp"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
)

// comparePolicies composes the effective policy of every operation on both
// sides, without a product and in each product that contains its API, and
// diffs the compositions that exist on both sides. Contexts whose diffs are
// the same (an API policy edit shows alike in all its operations) are
// reported together.
func comparePolicies(a, b *Side) []PolicyChange {
	apisB := apisByID(b.Snapshot)
	var out []PolicyChange
	index := map[string]int{} // diff body without line numbers -> index in out
	for _, x := range a.Snapshot.APIs {
		y := apisB[x.ID]
		if y == nil {
			continue
		}
		opsB := operationsByName(y)
		for _, ox := range x.Operations {
			oy := opsB[ox.Name]
			if oy == nil {
				continue
			}
			for _, product := range sharedProducts(x, y) {
				c := Context{API: x.ID, Operation: ox.Name, Product: product}
				ta := a.effective(x, ox, product)
				tb := b.effective(y, oy, product)
				d := unified(a.Name, b.Name, ta, tb)
				if d == "" {
					continue
				}
				key := hunkNumbers.ReplaceAllString(d, "@@")
				if i, ok := index[key]; ok {
					out[i].Contexts = append(out[i].Contexts, c)
					continue
				}
				index[key] = len(out)
				out = append(out, PolicyChange{Contexts: []Context{c}, Diff: d})
			}
		}
	}
	return out
}

var hunkNumbers = regexp.MustCompile(`(?m)^@@ .* @@$`)

// sharedProducts lists "" (no product context) and the products that
// contain the API on both sides.
func sharedProducts(x, y *config.API) []string {
	out := []string{""}
	for _, p := range x.Products {
		for _, q := range y.Products {
			if p.Name == q.Name {
				out = append(out, p.Name)
			}
		}
	}
	return out
}

// effective renders the effective policy as "tollgate effective" prints it,
// with file names relative to the side's root and without line numbers in
// the scope annotations, so that an edit elsewhere in a file does not show
// as a change of every annotation below it.
func (s *Side) effective(api *config.API, op *config.Operation, product string) string {
	snap := s.Snapshot
	var b strings.Builder
	snap.Policies.Effective(api, op, snap.Products[product]).Format(&b)
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "<!-- ") && strings.HasSuffix(t, " -->") {
			lines[i] = annotationLine.ReplaceAllString(s.stripRoot(l), "$1")
		}
	}
	return strings.Join(lines, "\n")
}

// annotationLine matches the line number after a policy file name.
var annotationLine = regexp.MustCompile(`(\.xml):\d+`)
