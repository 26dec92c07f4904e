package compile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

// Error is a compile-time error at the byte range [Pos, End) of the source.
type Error struct {
	Pos, End int
	Code     string
	Msg      string
	Notes    []string
}

func (e *Error) Error() string { return e.Msg }

// Program is a compiled expression.
type Program struct {
	// Run evaluates the expression in a frame whose Locals has at least
	// NLocals slots.
	Run     func(fr *value.Frame) value.Value
	NLocals int
	// Result is the static result type (nil when unknown).
	Result *value.Type
	// Regexes lists the constant regular expression patterns, with their
	// options, found in the program; the facade compiles them up front.
	Regexes []RegexUse
}

// RegexUse is one constant pattern passed to a Regex member.
type RegexUse struct {
	Pattern  string
	Opts     int
	Pos, End int
}

type evalFn = func(fr *value.Frame) value.Value

// node is a compiled expression: how to evaluate it and what is known
// statically about it.
type node struct {
	eval evalFn
	typ  *value.Type // static type; nil when unknown
	// isType is set when the expression denotes a type (DateTime, JObject).
	isType *value.Type
	// ns is set when the expression denotes a namespace prefix (System.Text).
	ns string
	// constant value, when known
	isConst bool
	cval    value.Value
	// for assignment targets
	slot  int // local slot, or -1
	local *local
	// lambda literal, compiled lazily when the expected parameter types are known
	lambda *syntax.Lambda
	// lambdaResult is the static result type of a compiled lambda.
	lambdaResult *value.Type
	// a method group (Member not yet called)
	start, end int
}

type local struct {
	name string
	slot int
	typ  *value.Type
	fn   *value.Func // local function
}

type scope struct {
	parent *scope
	vars   map[string]*local
}

type funcCtx struct {
	retSlot int
	result  *value.Type
	isVoid  bool
}

type compiler struct {
	u       *value.Lib
	src     string
	errs    []*Error
	sc      *scope
	nlocals int
	fn      *funcCtx
	regexes []RegexUse
	loops   int
	// switchDepth counts enclosing switch statements; catchSlots holds the
	// exception slots of enclosing catch clauses (for rethrow).
	switchDepth int
	catchSlots  []int
	// check is the overflow-checking context: checkDefault, checkOn
	// (checked) or checkOff (unchecked). Integer arithmetic and
	// conversions throw on overflow only under checkOn; constant
	// expressions that overflow are errors unless under checkOff.
	check uint8
	// lambdaCheck records the context a lambda was written in, for
	// lambdas compiled later (when their parameter types are known).
	lambdaCheck map[*syntax.Lambda]uint8
}

// The overflow-checking contexts.
const (
	checkDefault uint8 = iota
	checkOn
	checkOff
)

// withCheck compiles f in the context named by kw ("checked",
// "unchecked" or "" for the current one).
func withCheck[T any](c *compiler, kw string, f func() T) T {
	saved := c.check
	switch kw {
	case "checked":
		c.check = checkOn
	case "unchecked":
		c.check = checkOff
	}
	defer func() { c.check = saved }()
	return f()
}

// Compile compiles a parsed program. Errors are collected; a program is
// returned only when there are none.
func Compile(p *syntax.Program) (*Program, []*Error) {
	c := &compiler{u: value.Universe(), src: p.Src, sc: &scope{vars: map[string]*local{}}}
	c.fn = &funcCtx{retSlot: c.newSlot()}
	prog := &Program{}
	if p.X != nil {
		n := c.expr(p.X)
		n = c.value(n, p.X)
		prog.Run = n.eval
		prog.Result = n.typ
	} else {
		body := c.block(p.Body, true)
		if c.reachesEnd(p.Body.Stmts) {
			c.errorf(p.Body.End-1, p.Body.End, "missing-return", "not all code paths return a value")
		}
		ret := c.fn.retSlot
		prog.Run = func(fr *value.Frame) value.Value {
			body(fr)
			return fr.Locals[ret]
		}
	}
	prog.NLocals = c.nlocals
	prog.Regexes = c.regexes
	if len(c.errs) > 0 {
		sort.SliceStable(c.errs, func(i, j int) bool { return c.errs[i].Pos < c.errs[j].Pos })
		return nil, c.errs
	}
	return prog, nil
}

func (c *compiler) newSlot() int {
	c.nlocals++
	return c.nlocals - 1
}

func (c *compiler) errorf(pos, end int, code, format string, args ...any) *Error {
	return c.report(&Error{Pos: pos, End: end, Code: code, Msg: fmt.Sprintf(format, args...)})
}

// report records e and returns it, for more notes.
func (c *compiler) report(e *Error) *Error {
	c.errs = append(c.errs, e)
	return e
}

func (c *compiler) errAt(n syntax.Node, code, format string, args ...any) *Error {
	s, e := n.Span()
	return c.errorf(s, e, code, format, args...)
}

func (c *compiler) text(n syntax.Node) string {
	s, e := n.Span()
	if s < 0 || e > len(c.src) || s > e {
		return ""
	}
	return c.src[s:e]
}

func (c *compiler) push() { c.sc = &scope{parent: c.sc, vars: map[string]*local{}} }
func (c *compiler) pop()  { c.sc = c.sc.parent }

func (c *compiler) lookupLocal(name string) *local {
	for s := c.sc; s != nil; s = s.parent {
		if l := s.vars[name]; l != nil {
			return l
		}
	}
	return nil
}

func (c *compiler) declare(n syntax.Node, name string, typ *value.Type) *local {
	if c.lookupLocal(name) != nil {
		c.errAt(n, "duplicate-local", "a local variable named '%s' is already defined in this scope", name)
	}
	if name == "context" {
		c.errAt(n, "duplicate-local", "a local variable named 'context' would hide the policy context")
	}
	l := &local{name: name, slot: c.newSlot(), typ: typ}
	c.sc.vars[name] = l
	return l
}

func (c *compiler) localNames() []string {
	var out []string
	for s := c.sc; s != nil; s = s.parent {
		for n := range s.vars {
			out = append(out, n)
		}
	}
	return out
}

// bad returns a node for an expression that failed to compile.
func bad() *node {
	return &node{eval: func(*value.Frame) value.Value { return nil }, slot: -1}
}

func constNode(v value.Value, t *value.Type) *node {
	return &node{eval: func(*value.Frame) value.Value { return v }, typ: t, isConst: true, cval: v, slot: -1}
}

// value ensures n is a value, not a type, namespace or method group.
func (c *compiler) value(n *node, x syntax.Expr) *node {
	switch {
	case n.isType != nil:
		c.errAt(x, "type-as-value", "'%s' is a type, which is not valid in the given context", n.isType.Name)
		return bad()
	case n.ns != "":
		c.errAt(x, "namespace-as-value", "'%s' is a namespace, which is not valid in the given context", n.ns)
		return bad()
	case n.lambda != nil:
		return c.lambdaNode(n.lambda, nil)
	}
	return n
}

func (c *compiler) expr(x syntax.Expr) *node {
	n := c.expr1(x)
	if n.local == nil {
		n.slot = -1
	}
	n.start, n.end = x.Span()
	return n
}

// valueExpr compiles x and requires a value.
func (c *compiler) valueExpr(x syntax.Expr) *node {
	return c.value(c.expr(x), x)
}

func (c *compiler) expr1(x syntax.Expr) *node {
	u := c.u
	switch x := x.(type) {
	case *syntax.Paren:
		n := withCheck(c, x.Check, func() *node { return c.expr(x.X) })
		return &node{eval: n.eval, typ: n.typ, isType: n.isType, ns: n.ns, isConst: n.isConst, cval: n.cval, slot: -1, lambda: n.lambda}
	case *syntax.Literal:
		return c.literal(x)
	case *syntax.Interp:
		return c.interp(x)
	case *syntax.Ident:
		return c.ident(x)
	case *syntax.Member:
		if x.X == nil { // generic method name alone: Name<T>(...) not on a receiver
			c.errAt(x, "unknown-name", "the name '%s' does not exist in the current context", x.Name)
			return bad()
		}
		return c.member(x)
	case *syntax.Index:
		return c.index(x)
	case *syntax.Call:
		return c.call(x)
	case *syntax.Unary:
		return c.unary(x)
	case *syntax.Postfix:
		return c.incdec(x.X, x.Op, true, x)
	case *syntax.Binary:
		return c.binary(x)
	case *syntax.Assign:
		return c.assign(x)
	case *syntax.Cond:
		cond := c.boolExpr(x.C)
		t := c.valueExpr(x.T)
		f := c.valueExpr(x.F)
		typ := t.typ
		if f.typ != t.typ {
			typ = nil
			if t.isConst && t.cval == nil {
				typ = f.typ
			} else if f.isConst && f.cval == nil {
				typ = t.typ
			}
		}
		ce, te, fe := cond.eval, t.eval, f.eval
		return &node{eval: func(fr *value.Frame) value.Value {
			if ce(fr).(bool) {
				return te(fr)
			}
			return fe(fr)
		}, typ: typ, slot: -1}
	case *syntax.Cast:
		return c.cast(x)
	case *syntax.Is:
		return c.isExpr(x)
	case *syntax.As:
		n := c.valueExpr(x.X)
		t := c.typeRef(x.Type)
		if t == nil {
			return bad()
		}
		if t.Value {
			c.errAt(x, "as-value-type", "the as operator must be used with a reference type or nullable type ('%s' is a non-nullable value type)", t.Name)
		}
		is := c.isFunc(t)
		ne := n.eval
		return &node{eval: func(fr *value.Frame) value.Value {
			v := ne(fr)
			if v != nil && is(v) {
				return v
			}
			return nil
		}, typ: t, slot: -1}
	case *syntax.Default:
		if x.Type == nil {
			return constNode(nil, nil)
		}
		t := c.typeRef(x.Type)
		return constNode(value.Zero(t), t)
	case *syntax.TypeOf:
		if x.NameOf != nil {
			name := c.text(x.NameOf)
			if i := strings.LastIndexByte(name, '.'); i >= 0 {
				name = name[i+1:]
			}
			return constNode(name, u.String)
		}
		t := c.typeRef(x.Type)
		if t == nil {
			return bad()
		}
		return constNode(&value.TypeValue{Name: t.FullName}, nil)
	case *syntax.New:
		return c.newExpr(x)
	case *syntax.Lambda:
		if c.check != checkDefault {
			if c.lambdaCheck == nil {
				c.lambdaCheck = map[*syntax.Lambda]uint8{}
			}
			c.lambdaCheck[x] = c.check
		}
		return &node{lambda: x, slot: -1}
	case *syntax.ThrowExpr:
		n := c.valueExpr(x.X)
		s, e := x.Span()
		return &node{eval: func(fr *value.Frame) value.Value {
			throwValue(fr, n.eval(fr), s, e)
			return nil
		}, slot: -1}
	}
	c.errAt(x, "unsupported", "unsupported expression")
	return bad()
}

func (c *compiler) literal(x *syntax.Literal) *node {
	u := c.u
	switch x.Kind {
	case syntax.LitNull:
		return constNode(nil, nil)
	case syntax.LitBool:
		return constNode(x.Value.(bool), u.Bool)
	case syntax.LitInt:
		return constNode(int32(x.Value.(int64)), u.Int)
	case syntax.LitUInt:
		return constNode(uint32(x.Value.(int64)), u.UInt)
	case syntax.LitLong:
		return constNode(x.Value.(int64), u.Long)
	case syntax.LitULong:
		return constNode(x.Value.(uint64), u.ULong)
	case syntax.LitDouble:
		return constNode(x.Value.(float64), u.Double)
	case syntax.LitFloat:
		return constNode(float32(x.Value.(float64)), u.Single)
	case syntax.LitDecimal:
		d, err := value.ParseDecimalLiteral(x.Value.(string))
		if err != nil {
			c.errAt(x, "bad-literal", "invalid decimal literal")
			return bad()
		}
		return constNode(d, u.Decimal)
	case syntax.LitString:
		return constNode(x.Value.(string), u.String)
	case syntax.LitChar:
		return constNode(value.Char(x.Value.(rune)), u.Char)
	}
	return bad()
}

func (c *compiler) interp(x *syntax.Interp) *node {
	type part struct {
		lit    string
		eval   evalFn
		align  int
		format string
	}
	parts := make([]part, len(x.Parts))
	for i, p := range x.Parts {
		if p.X == nil {
			parts[i] = part{lit: p.Lit}
			continue
		}
		n := c.valueExpr(p.X)
		parts[i] = part{eval: n.eval, align: p.Align, format: p.Format}
	}
	return &node{eval: func(fr *value.Frame) value.Value {
		var b strings.Builder
		for i := range parts {
			p := &parts[i]
			if p.eval == nil {
				b.WriteString(p.lit)
				continue
			}
			v := p.eval(fr)
			var s string
			if p.format == "" {
				s = value.ToString(v)
			} else {
				fr.Pos, fr.End = x.Pos, x.End
				s = value.FormatValue(v, p.format)
			}
			if p.align != 0 {
				s = value.Align(s, p.align)
			}
			fr.Alloc(int64(len(s)))
			b.WriteString(s)
		}
		return b.String()
	}, typ: c.u.String, slot: -1}
}

func (c *compiler) ident(x *syntax.Ident) *node {
	u := c.u
	if l := c.lookupLocal(x.Name); l != nil {
		slot := l.slot
		return &node{eval: func(fr *value.Frame) value.Value { return fr.Locals[slot] }, typ: l.typ, slot: slot, local: l}
	}
	if x.Name == "context" {
		return &node{eval: func(fr *value.Frame) value.Value { return fr.Ctx }, typ: u.Context, slot: -1}
	}
	if t := u.Lookup(x.Name, nil, 0); t != nil {
		return &node{isType: t, slot: -1}
	}
	if u.Namespaces[x.Name] {
		return &node{ns: x.Name, slot: -1}
	}
	if s, e := x.Span(); c.typeNotAllowed(x.Name, s, e) {
		return bad()
	}
	e := c.errAt(x, "unknown-name", "the name '%s' does not exist in the current context", x.Name)
	cands := append(c.localNames(), "context")
	for n := range u.Types {
		if !strings.Contains(n, ".") {
			cands = append(cands, n)
		}
	}
	if s := nearest(x.Name, cands); s != "" {
		e.Notes = append(e.Notes, fmt.Sprintf("did you mean '%s'?", s))
	}
	return bad()
}

// boolExpr compiles a condition: it must be bool.
func (c *compiler) boolExpr(x syntax.Expr) *node {
	n := c.valueExpr(x)
	if n.typ != nil && n.typ != c.u.Bool && n.typ != c.u.Object {
		c.errAt(x, "not-bool", "cannot implicitly convert type '%s' to 'bool'", n.typ.Name)
		return bad()
	}
	if n.typ == c.u.Bool {
		return n
	}
	ne := n.eval
	s, e := x.Span()
	return &node{eval: func(fr *value.Frame) value.Value {
		v := ne(fr)
		b, ok := v.(bool)
		if !ok {
			throwAt(fr, castException(v, "System.Boolean"), s, e)
		}
		return b
	}, typ: c.u.Bool, slot: -1}
}

func castException(v value.Value, to string) *value.Exception {
	if v == nil {
		return &value.Exception{Type: value.ExNullRef, Message: value.MsgNullRef, Cause: "null was used where a " + to + " is required", Pos: -1, End: -1}
	}
	return &value.Exception{Type: value.ExInvalidCast, Message: fmt.Sprintf("Unable to cast object of type '%s' to type '%s'.", value.TypeName(v), to), Pos: -1, End: -1}
}

// throwAt raises ex located at [s, e) unless it already has a location.
func throwAt(fr *value.Frame, ex *value.Exception, s, e int) {
	if ex.Pos < 0 {
		ex.Pos, ex.End = s, e
	}
	panic(ex)
}

func throwValue(fr *value.Frame, v value.Value, s, e int) {
	ex, ok := v.(*value.Exception)
	if !ok {
		if v == nil {
			throwAt(fr, &value.Exception{Type: value.ExNullRef, Message: value.MsgNullRef, Cause: "throw was given null", Pos: -1, End: -1}, s, e)
		}
		throwAt(fr, &value.Exception{Type: value.ExInvalidCast, Message: "The type caught or thrown must be derived from System.Exception", Pos: -1, End: -1}, s, e)
	}
	cp := *ex
	cp.Pos, cp.End = s, e
	panic(&cp)
}
