package policy

import (
	"github.com/tollgate/tollgate/internal/xmlscan"
)

// Choose is <choose>: one or more <when condition> blocks and an optional
// final <otherwise>; the first true condition runs its block.
type Choose struct {
	When      []When
	Otherwise *Block // nil when absent
}

// When is one <when condition="..."> block of a choose.
type When struct {
	Condition Bool // expression or true/false literal, required
	Block
}

// PolicyName implements Policy.
func (*Choose) PolicyName() string { return "choose" }

// Blocks implements Container.
func (p *Choose) Blocks() []Block {
	out := make([]Block, 0, len(p.When)+1)
	for _, w := range p.When {
		out = append(out, w.Block)
	}
	if p.Otherwise != nil {
		out = append(out, *p.Otherwise)
	}
	return out
}

func parseChoose(l *loader, e *xmlscan.Element, c ctx) Policy {
	l.attrs(e, true).done()
	p := &Choose{}
	c.inWait = false
	for _, k := range l.elems(e, "when", "otherwise") {
		switch {
		case p.Otherwise != nil:
			l.diags.Errorf(k.NameSpan, "misplaced-element", "<%s> cannot follow <otherwise>; otherwise must be last and appear once", k.Name)
		case k.Name == "when":
			a := l.attrs(k, false)
			cond := a.boolean("condition", false, req|expr)
			a.done()
			p.When = append(p.When, When{Condition: cond, Block: Block{Name: "when", Elem: k, Body: l.statements(k, c)}})
		default:
			l.attrs(k, false).done()
			p.Otherwise = &Block{Name: "otherwise", Elem: k, Body: l.statements(k, c)}
		}
	}
	if len(p.When) == 0 {
		l.diags.Errorf(e.NameSpan, "missing-element", "<choose> requires at least one <when>")
	}
	return p
}

// Retry is <retry>: runs its body, then repeats it while Condition holds,
// up to Count retries, waiting Interval (+Delta, capped by MaxInterval)
// seconds between attempts.
type Retry struct {
	Condition      Bool
	Count          Int // 1..50 retries
	Interval       Int // seconds
	MaxInterval    Int // seconds, optional
	Delta          Int // seconds, optional
	FirstFastRetry Bool
	Body           []*Statement
}

// PolicyName implements Policy.
func (*Retry) PolicyName() string { return "retry" }

// Blocks implements Container.
func (p *Retry) Blocks() []Block { return []Block{{Body: p.Body}} }

func parseRetry(l *loader, e *xmlscan.Element, c ctx) Policy {
	a := l.attrs(e, true)
	p := &Retry{
		Condition:      a.boolean("condition", false, req|expr),
		Count:          a.integer("count", 0, 1, 50, req|expr),
		Interval:       a.integer("interval", 0, 0, 1<<31-1, req|expr),
		MaxInterval:    a.integer("max-interval", 0, 0, 1<<31-1, expr),
		Delta:          a.integer("delta", 0, 0, 1<<31-1, expr),
		FirstFastRetry: a.boolean("first-fast-retry", false, expr),
	}
	a.done()
	p.Body = l.statements(e, c)
	return p
}

// Wait is <wait for="all|any">: runs its direct children (send-request,
// cache-lookup-value, choose) concurrently.
type Wait struct {
	For  Value // "all" (default) or "any"
	Body []*Statement
}

// PolicyName implements Policy.
func (*Wait) PolicyName() string { return "wait" }

// Blocks implements Container.
func (p *Wait) Blocks() []Block { return []Block{{Body: p.Body}} }

func parseWait(l *loader, e *xmlscan.Element, c ctx) Policy {
	a := l.attrs(e, true)
	p := &Wait{For: a.enum("for", expr, "all", "any")}
	a.done()
	p.Body = l.statements(e, c)
	return p
}

// LimitConcurrency is <limit-concurrency key max-count>: at most MaxCount
// requests per key run its body at once; the others fail with 429.
type LimitConcurrency struct {
	Key      Value // required, expressions allowed
	MaxCount Int   // required, literal
	Body     []*Statement
}

// PolicyName implements Policy.
func (*LimitConcurrency) PolicyName() string { return "limit-concurrency" }

// Blocks implements Container.
func (p *LimitConcurrency) Blocks() []Block { return []Block{{Body: p.Body}} }

func parseLimitConcurrency(l *loader, e *xmlscan.Element, c ctx) Policy {
	a := l.attrs(e, true)
	p := &LimitConcurrency{Key: a.str("key", req|expr), MaxCount: a.integer("max-count", 0, 1, 1<<31-1, req)}
	a.done()
	c.inWait = false
	p.Body = l.statements(e, c)
	return p
}
