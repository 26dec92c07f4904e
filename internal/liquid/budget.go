package liquid

import (
	"bytes"
	"context"
	"fmt"
)

// Default budgets of one render. A template that goes over one fails with
// a *BudgetError instead of growing the process or running on.
const (
	// DefaultMaxOutput bounds the rendered text and every single string a
	// filter or a capture block builds (16 MiB, the expressions' memory
	// budget).
	DefaultMaxOutput = 16 << 20
	// DefaultMaxIterations bounds the loop iterations of one render, all
	// for and tablerow loops together, nested ones included.
	DefaultMaxIterations = 1_000_000
	// DefaultMaxBodyMemory bounds the memory the parsed body may take
	// (64 MiB, the most of a body a policy reads).
	DefaultMaxBodyMemory = 64 << 20
)

// Limits are the budgets of one render. A zero field takes its default.
type Limits struct {
	MaxOutput     int // bytes of output, and of any one string a filter or capture builds
	MaxIterations int // loop iterations in all
	MaxBodyMemory int // estimated bytes of the parsed body
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	if l.MaxOutput <= 0 {
		l.MaxOutput = DefaultMaxOutput
	}
	if l.MaxIterations <= 0 {
		l.MaxIterations = DefaultMaxIterations
	}
	if l.MaxBodyMemory <= 0 {
		l.MaxBodyMemory = DefaultMaxBodyMemory
	}
	return l
}

// BudgetError reports a render stopped by one of its budgets.
type BudgetError struct {
	Budget string // "output", "iteration" or "body memory"
	Limit  int
	Unit   string // "bytes" or "loop iterations"
	What   string // what went over, e.g. "the Times filter's result would be 2000000000 bytes"
}

func (e *BudgetError) Error() string {
	s := fmt.Sprintf("the template ran out of its %s budget of %d %s", e.Budget, e.Limit, e.Unit)
	if e.What != "" {
		s += " (" + e.What + ")"
	}
	return s
}

func outputBudget(limit int, what string, a ...any) *BudgetError {
	return &BudgetError{Budget: "output", Limit: limit, Unit: "bytes", What: fmt.Sprintf(what, a...)}
}

// budgetKey binds a render's *budget among the template's variables, where
// the loop and capture tags find it. Templates cannot name it.
const budgetKey = "\x00budget"

// budget is the state of one render: what it has spent and its deadline.
type budget struct {
	ctx        context.Context
	lim        Limits
	iterations int
}

// iterate counts one loop iteration; every 64th also checks the deadline.
func (b *budget) iterate() error {
	b.iterations++
	if b.iterations > b.lim.MaxIterations {
		return &BudgetError{Budget: "iteration", Limit: b.lim.MaxIterations, Unit: "loop iterations"}
	}
	if b.iterations&63 == 0 {
		return b.alive()
	}
	return nil
}

// alive reports the request's cancellation or deadline.
func (b *budget) alive() error {
	if err := b.ctx.Err(); err != nil {
		return fmt.Errorf("the template was stopped: %w", context.Cause(b.ctx))
	}
	return nil
}

// cappedWriter is a buffer that refuses to grow past max bytes, before
// growing.
type cappedWriter struct {
	buf  *bytes.Buffer
	max  int
	what string // "output" or "capture"
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.max {
		return 0, outputBudget(w.max, "the %s would be %d bytes", w.what, w.buf.Len()+len(p))
	}
	return w.buf.Write(p)
}

func (w *cappedWriter) WriteString(s string) (int, error) {
	if w.buf.Len()+len(s) > w.max {
		return 0, outputBudget(w.max, "the %s would be %d bytes", w.what, w.buf.Len()+len(s))
	}
	return w.buf.WriteString(s)
}
