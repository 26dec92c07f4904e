package xmlbody

import "fmt"

// Default budgets of one conversion. The output budget is the expressions'
// memory budget (16 MiB); the parsed document may take 64 MiB, the most of
// a body a policy reads.
const (
	DefaultMaxOutput = 16 << 20 // bytes of converted text
	DefaultMaxMemory = 64 << 20 // estimated bytes of the parsed document
)

// Limits bound one conversion. A zero field takes its default.
type Limits struct {
	// MaxOutput bounds the converted text. Indentation can make it many
	// times larger than the input (each level of nesting indents every
	// line below it by two more spaces).
	MaxOutput int
	// MaxMemory bounds the parsed document, estimated from its text and
	// the number of its values, elements and attributes.
	MaxMemory int
}

func (l Limits) withDefaults() Limits {
	if l.MaxOutput <= 0 {
		l.MaxOutput = DefaultMaxOutput
	}
	if l.MaxMemory <= 0 {
		l.MaxMemory = DefaultMaxMemory
	}
	return l
}

// BudgetError reports a conversion stopped by one of its budgets.
type BudgetError struct {
	Budget string // "output" or "memory"
	Limit  int    // in bytes
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("the conversion ran out of its %s budget of %d bytes", e.Budget, e.Limit)
}

// Estimated bytes of one parsed value beyond its text: a JSON node with its
// slot in its parent, an XML element with its JSON form, an attribute.
const (
	jsonNodeCost = 128
	elementCost  = 400
	attrCost     = 128
)

// meter counts estimated bytes against a budget.
type meter struct{ used, max int }

func (m *meter) charge(n int) error {
	if m.used += n; m.used > m.max {
		return &BudgetError{Budget: "memory", Limit: m.max}
	}
	return nil
}
