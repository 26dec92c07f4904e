package compile

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

// nullCause describes why a receiver is null for the exception's Cause.
func (c *compiler) nullCause(x syntax.Expr, what string) string {
	t := shorten(c.text(x))
	switch x.(type) {
	case *syntax.Call:
		return fmt.Sprintf("%s returned null; %s", t, what)
	case *syntax.Literal:
		return fmt.Sprintf("null literal; %s", what)
	}
	return fmt.Sprintf("%s is null; %s", t, what)
}

func nullRef(cause string) *value.Exception {
	return &value.Exception{Type: value.ExNullRef, Message: value.MsgNullRef, Cause: cause, Pos: -1, End: -1}
}

// memberNotFound reports an unknown member with suggestions.
func (c *compiler) memberNotFound(x syntax.Node, pos, end int, t *value.Type, name string, static bool) {
	var e *Error
	if static {
		e = c.errorf(pos, end, "unknown-member", "'%s' does not contain a definition for '%s'", t.Name, name)
	} else {
		e = c.errorf(pos, end, "unknown-member", "'%s' does not contain a definition for '%s'", t.Name, name)
	}
	c.unsupportedNote(e, t, name, static)
	var cands []string
	for x := t; x != nil; x = x.Base {
		ms := x.Members
		if static {
			ms = x.Statics
		}
		for n := range ms {
			if n != "[]" {
				cands = append(cands, n)
			}
		}
		for n := range x.EnumValues {
			cands = append(cands, n)
		}
	}
	if s := nearest(name, cands); s != "" {
		e.Notes = append(e.Notes, fmt.Sprintf("did you mean '%s'?", s))
	}
	if t == c.u.Object && !static {
		e.Notes = append(e.Notes, "the value is typed 'object'; cast it first, e.g. ((string)x)."+name)
	}
}

// member compiles X.Name used as a value (property, field, enum constant) or
// as a namespace/type prefix.
func (c *compiler) member(x *syntax.Member) *node {
	u := c.u
	recv := c.expr(x.X)
	if recv.ns != "" {
		full := recv.ns + "." + x.Name
		if t := u.Lookup(full, nil, 0); t != nil {
			return &node{isType: t, slot: -1}
		}
		if u.Namespaces[full] || notAllowedNamespace(full) {
			return &node{ns: full, slot: -1}
		}
		if s, e := x.Span(); c.typeNotAllowed(full, s, e) {
			return bad()
		}
		c.errorf(x.NamePos, x.End, "unknown-type", "the type or namespace name '%s' does not exist in the namespace '%s'", x.Name, recv.ns)
		return bad()
	}
	if t := recv.isType; t != nil {
		if s, e := x.Span(); c.memberNotAllowed(t, x.Name, true, s, e) {
			return bad()
		}
		if v, ok := t.EnumValues[x.Name]; ok {
			return constNode(value.Enum{T: t, V: v, Name: x.Name}, t)
		}
		if nested := u.Types[t.Name+"."+x.Name]; nested != nil {
			// a nested type: TimeZoneInfo.AdjustmentRule
			return &node{isType: nested, slot: -1}
		}
		m := t.LookupStatic(x.Name)
		if m == nil {
			if t.Open {
				c.errorf(x.NamePos, x.End, "unsupported-member", "tollgate does not support %s.%s", t.Name, x.Name)
				return bad()
			}
			c.memberNotFound(x, x.NamePos, x.End, t, x.Name, true)
			return bad()
		}
		if m.Kind == value.Method {
			c.errAt(x, "method-as-value", "'%s.%s' is a method; call it with ()", t.Name, x.Name)
			return bad()
		}
		get := m.Get
		s, e := x.Span()
		return &node{eval: func(fr *value.Frame) value.Value {
			fr.Pos, fr.End = s, e
			return get(value.Call{Fr: fr})
		}, typ: m.Result, slot: -1}
	}
	recv = c.value(recv, x.X)
	s, e := x.Span()
	re := recv.eval
	cause := c.nullCause(x.X, "."+x.Name+" was read on it")
	nullCond := x.NullCond || inNullChain(x.X)
	name := x.Name
	if nullCond {
		recv.typ = value.Underlying(recv.typ)
	}
	if t := recv.typ; t != nil && t != u.Object || t == u.Object && u.Object.Lookup(name) == nil && !t.Open {
		m := t.Lookup(name)
		if c.memberNotAllowed(t, name, false, x.NamePos, x.End) {
			return bad()
		}
		if m == nil && !t.Open {
			if t == u.Anonymous {
				goto dynamic
			}
			c.memberNotFound(x, x.NamePos, x.End, t, name, false)
			return bad()
		}
		if m != nil {
			if m.Kind == value.Method {
				c.errAt(x, "method-as-value", "'%s' is a method; call it with ()", name)
				return bad()
			}
			if m.Unsupported != "" {
				c.errorf(x.NamePos, x.End, "unsupported-member", "tollgate does not support %s%s: %s", c.ownerName(t), name, m.Unsupported)
				return bad()
			}
			get := m.Get
			typ := m.Result
			if nullCond {
				typ = u.NullableOf(typ) // a?.P is P? when P is a value type
			}
			nullOK := m.NullReceiver
			return &node{eval: func(fr *value.Frame) value.Value {
				v := re(fr)
				if v == nil && !nullOK {
					if nullCond {
						return nil
					}
					throwAt(fr, nullRef(cause), s, e)
				}
				fr.Pos, fr.End = s, e
				return get(value.Call{Fr: fr, This: v})
			}, typ: typ, slot: -1}
		}
	}
dynamic:
	return &node{eval: func(fr *value.Frame) value.Value {
		v := re(fr)
		if v == nil {
			if nullCond {
				return nil
			}
			throwAt(fr, nullRef(cause), s, e)
		}
		fr.Pos, fr.End = s, e
		return dynamicGet(fr, v, name)
	}, slot: -1}
}

// dynamicGet reads a property of a value whose type is only known at run time.
func dynamicGet(fr *value.Frame, v value.Value, name string) value.Value {
	if o, ok := v.(*value.Object); ok {
		if r, ok := o.Get(name); ok {
			return r
		}
	}
	t := value.TypeOf(v)
	m := t.Lookup(name)
	if m == nil || m.Kind != value.Property {
		if g, ok := v.(value.Getter); ok {
			if r, ok := g.GetMember(name); ok {
				return r
			}
		}
		panic(&value.Exception{Type: "Microsoft.CSharp.RuntimeBinder.RuntimeBinderException", Message: fmt.Sprintf("'%s' does not contain a definition for '%s'", t.FullName, name), Pos: -1, End: -1})
	}
	return m.Get(value.Call{Fr: fr, This: v})
}

func (c *compiler) index(x *syntax.Index) *node {
	u := c.u
	recv := c.valueExpr(x.X)
	args := make([]evalFn, len(x.Args))
	argTypes := make([]*value.Type, len(x.Args))
	for i, a := range x.Args {
		n := c.valueExpr(a)
		args[i] = n.eval
		argTypes[i] = n.typ
	}
	s, e := x.Span()
	re := recv.eval
	cause := c.nullCause(x.X, "it was indexed with [...]")
	nullCond := x.NullCond || inNullChain(x.X)
	var m *value.Member
	var typ *value.Type
	if nullCond {
		recv.typ = value.Underlying(recv.typ)
	}
	if t := recv.typ; t != nil {
		m = t.Lookup("[]")
		if m == nil && !t.Open && t != u.Object {
			c.errAt(x, "no-indexer", "cannot apply indexing with [] to an expression of type '%s'", t.Name)
			return bad()
		}
		if m != nil {
			typ = m.Result
			if m.ResultOf != nil {
				typ = m.ResultOf(t, argTypes, nil)
			}
		} else if t == u.Object {
			c.errAt(x, "no-indexer", "cannot apply indexing with [] to an expression of type 'object'").Notes = []string{"cast it first, e.g. ((JObject)x)[\"name\"]"}
			return bad()
		}
	}
	if nullCond {
		typ = u.NullableOf(typ)
	}
	n := &node{typ: typ, slot: -1}
	n.eval = func(fr *value.Frame) value.Value {
		v := re(fr)
		if v == nil {
			if nullCond {
				return nil
			}
			throwAt(fr, nullRef(cause), s, e)
		}
		base := fr.SP
		av := pushArgs(fr, len(args))
		for i, a := range args {
			av[i] = a(fr)
		}
		fr.Pos, fr.End = s, e
		mm := m
		if mm == nil {
			mm = value.TypeOf(v).Lookup("[]")
			if mm == nil {
				throwAt(fr, &value.Exception{Type: "Microsoft.CSharp.RuntimeBinder.RuntimeBinderException", Message: fmt.Sprintf("Cannot apply indexing with [] to an expression of type '%s'", value.TypeName(v)), Pos: -1, End: -1}, s, e)
			}
		}
		r := mm.Get(value.Call{Fr: fr, This: v, Args: av})
		clear(av)
		fr.SP = base
		return r
	}
	return n
}

// pushArgs reserves n argument slots on the frame's stack.
func pushArgs(fr *value.Frame, n int) []value.Value {
	need := fr.SP + n
	if need > len(fr.Stack) {
		ns := make([]value.Value, max(2*len(fr.Stack), need+16))
		copy(ns, fr.Stack[:fr.SP])
		fr.Stack = ns
	}
	av := fr.Stack[fr.SP:need:need]
	fr.SP = need
	return av
}

type argInfo struct {
	x       *syntax.Arg
	n       *node
	outSlot int // local slot that receives an out argument, or -1
}

// compileArgs compiles call arguments; lambdas are compiled with the
// parameter types the member expects.
func (c *compiler) compileArgs(args []*syntax.Arg, m *value.Member, recvType *value.Type) ([]argInfo, []*value.Type) {
	out := make([]argInfo, len(args))
	types := make([]*value.Type, len(args))
	// reorder named arguments
	if m != nil && len(m.Params) > 0 {
		for _, a := range args {
			if a.Name != "" {
				found := false
				for _, p := range m.Params {
					if p == a.Name {
						found = true
					}
				}
				if !found {
					c.errorf(a.Pos, a.Pos+len(a.Name), "unknown-parameter", "the best overload for '%s' does not have a parameter named '%s'", m.Name, a.Name)
				}
			}
		}
	}
	for i, a := range args {
		out[i].x = a
		out[i].outSlot = -1
		if a.Out || a.Ref {
			if a.OutDecl != nil {
				id := a.X.(*syntax.Ident)
				var t *value.Type
				if a.OutDecl.Name != "var" {
					t = c.typeRef(a.OutDecl)
				}
				l := c.declare(id, id.Name, t)
				out[i].outSlot = l.slot
				out[i].n = &node{eval: func(*value.Frame) value.Value { return nil }, slot: -1}
				continue
			}
			n := c.expr(a.X)
			if n.local == nil {
				c.errAt(a.X, "bad-out", "an out or ref argument must be a local variable")
			} else {
				out[i].outSlot = n.slot
			}
			out[i].n = n
			types[i] = n.typ
			continue
		}
		if l, ok := a.X.(*syntax.Lambda); ok {
			var ptypes []*value.Type
			if m != nil && m.LambdaParams != nil && hasInt(m.Lambda, i) {
				ptypes = m.LambdaParams(recvType, types[:i], i, len(l.Params))
			} else if m != nil && recvType != nil && hasInt(m.Lambda, i) {
				el := value.ElemType(recvType)
				switch {
				case m.Name == "Aggregate" && len(l.Params) == 2:
					ptypes = []*value.Type{nil, el}
				case m.Name == "Select" && len(l.Params) == 2:
					ptypes = []*value.Type{el, c.u.Int}
				default:
					ptypes = []*value.Type{el}
				}
			}
			n := c.lambdaNode(l, ptypes)
			out[i].n = n
			types[i] = n.lambdaResult
			continue
		}
		n := c.valueExpr(a.X)
		out[i].n = n
		types[i] = n.typ
	}
	return out, types
}

func hasInt(s []int, i int) bool {
	for _, x := range s {
		if x == i {
			return true
		}
	}
	return false
}

// checkArgs verifies argument count and simple types against m.
func (c *compiler) checkArgs(x *syntax.Call, m *value.Member, types []*value.Type, owner string) bool {
	n := len(types)
	if n < m.Min || (m.Max >= 0 && n > m.Max) {
		e := c.errAt(x, "wrong-arg-count", "no overload for method '%s' takes %d arguments", m.Name, n)
		if m.Max == m.Min {
			e.Notes = append(e.Notes, fmt.Sprintf("%s%s takes %d", owner, m.Name, m.Min))
		} else if m.Max < 0 {
			e.Notes = append(e.Notes, fmt.Sprintf("%s%s takes at least %d", owner, m.Name, m.Min))
		} else {
			e.Notes = append(e.Notes, fmt.Sprintf("%s%s takes %d to %d", owner, m.Name, m.Min, m.Max))
		}
		return false
	}
	for i, want := range m.ArgTypes {
		if i >= n || want == nil || types[i] == nil || types[i] == c.u.Object || types[i].Open {
			continue
		}
		got := types[i]
		if got == want || isNumeric(got) && isNumeric(want) && widens(c.u, got, want) {
			continue
		}
		if !got.AssignableTo(want) {
			a := x.Args[i]
			s, _ := a.X.Span()
			_, e := a.X.Span()
			c.errorf(s, e, "bad-argument", "argument %d: cannot convert from '%s' to '%s'", i+1, got.Name, want.Name)
			return false
		}
	}
	return true
}

// widens reports whether an implicit numeric conversion exists from a to b.
func widens(u *value.Lib, a, b *value.Type) bool {
	if a == u.Decimal {
		return b == u.Decimal
	}
	if b == u.Decimal {
		return a != u.Double && a != u.Single
	}
	rank := map[*value.Type]int{u.Byte: 1, u.Char: 1, u.Int: 2, u.Long: 3, u.Single: 4, u.Double: 5}
	return rank[a] <= rank[b]
}

func (c *compiler) ownerName(t *value.Type) string {
	if t == nil {
		return ""
	}
	return t.Name + "."
}

// call compiles Fun(args).
func (c *compiler) call(x *syntax.Call) *node {
	switch f := x.Fun.(type) {
	case *syntax.Member:
		if f.X == nil {
			return c.callLocal(x, f.Name, f.TypeArgs)
		}
		return c.callMember(x, f)
	case *syntax.Ident:
		return c.callLocal(x, f.Name, nil)
	}
	fn := c.valueExpr(x.Fun)
	return c.invoke(x, fn)
}

// callLocal calls a local function or a Func-typed local.
func (c *compiler) callLocal(x *syntax.Call, name string, targs []*syntax.TypeRef) *node {
	l := c.lookupLocal(name)
	if l == nil {
		e := c.errAt(x.Fun, "unknown-name", "the name '%s' does not exist in the current context", name)
		if s := nearest(name, c.localNames()); s != "" {
			e.Notes = append(e.Notes, fmt.Sprintf("did you mean '%s'?", s))
		}
		return bad()
	}
	slot := l.slot
	return c.invoke(x, &node{eval: func(fr *value.Frame) value.Value { return fr.Locals[slot] }, typ: l.typ, slot: -1})
}

func (c *compiler) invoke(x *syntax.Call, fn *node) *node {
	args, _ := c.compileArgs(x.Args, nil, nil)
	fe := fn.eval
	s, e := x.Span()
	cause := c.nullCause(x.Fun, "it was invoked")
	evals := make([]evalFn, len(args))
	for i, a := range args {
		evals[i] = a.n.eval
	}
	var typ *value.Type
	if fn.typ != nil && fn.typ.Elem != nil {
		typ = fn.typ.Elem // local functions record their result type as Elem
	}
	return &node{eval: func(fr *value.Frame) value.Value {
		f, ok := fe(fr).(*value.Func)
		if !ok {
			throwAt(fr, nullRef(cause), s, e)
		}
		av := make([]value.Value, len(evals))
		for i, a := range evals {
			av[i] = a(fr)
		}
		fr.Step(1)
		return f.Call(fr, av)
	}, typ: typ, slot: -1}
}

// callMember compiles X.Name<T>(args).
func (c *compiler) callMember(x *syntax.Call, f *syntax.Member) *node {
	u := c.u
	recv := c.expr(f.X)
	var targs []*value.Type
	for _, ta := range f.TypeArgs {
		t := c.typeRef(ta)
		if t == nil {
			return bad()
		}
		targs = append(targs, t)
	}
	s, e := x.Span()
	var m *value.Member
	var recvType *value.Type
	static := false
	owner := ""
	switch {
	case recv.ns != "":
		c.errorf(f.NamePos, f.End, "unknown-member", "the type or namespace name '%s' does not exist in the namespace '%s'", f.Name, recv.ns)
		return bad()
	case recv.isType != nil:
		static = true
		t := recv.isType
		if s, e := f.Span(); c.memberNotAllowed(t, f.Name, true, s, e) {
			return bad()
		}
		owner = c.ownerName(t)
		m = t.LookupStatic(f.Name)
		if m == nil && t.FullName == "System.Linq.Enumerable" && len(x.Args) > 0 && x.Args[0].Name == "" && u.Enumerable.Lookup(f.Name) != nil {
			// Enumerable.Where(source, ...) is source.Where(...)
			recvArg := x.Args[0].X
			return c.callMember(&syntax.Call{Fun: &syntax.Member{X: recvArg, Name: f.Name, NamePos: f.NamePos, End: f.End, TypeArgs: f.TypeArgs}, Args: x.Args[1:], Lpar: x.Lpar, End: x.End}, &syntax.Member{X: recvArg, Name: f.Name, NamePos: f.NamePos, End: f.End, TypeArgs: f.TypeArgs})
		}
		if m == nil {
			if t.Open {
				c.errorf(f.NamePos, f.End, "unsupported-member", "tollgate does not support %s.%s", t.Name, f.Name)
				return bad()
			}
			c.memberNotFound(f, f.NamePos, f.End, t, f.Name, true)
			return bad()
		}
	default:
		recv = c.value(recv, f.X)
		recvType = recv.typ
		if f.NullCond || inNullChain(f.X) {
			recvType = value.Underlying(recvType) // x?.M() on T? calls T.M
		}
		if t := recvType; t != nil {
			owner = c.ownerName(t)
			m = t.Lookup(f.Name)
			if c.memberNotAllowed(t, f.Name, false, f.NamePos, f.End) {
				return bad()
			}
			if m == nil && !t.Open && t != u.Anonymous {
				c.memberNotFound(f, f.NamePos, f.End, t, f.Name, false)
				return bad()
			}
		}
	}
	if m != nil && m.Kind != value.Method && !static && recvType != nil && recvType.Implements("IEnumerable") {
		// a property hides a LINQ method of the same name (List.Count vs Count())
		if em := u.Enumerable.Lookup(f.Name); em != nil {
			m = em
		}
	}
	if m != nil && m.Kind != value.Method {
		// calling a delegate-typed property is not supported
		c.errorf(f.NamePos, f.End, "not-invocable", "non-invocable member '%s' cannot be used like a method", f.Name)
		return bad()
	}
	ownerType := recvType
	if static {
		ownerType = recv.isType
	}
	// a generic method called without type arguments is an error, unless
	// the member table has a non-generic overload the call may bind to
	// (Enum.TryParse(typeof(DayOfWeek), s, out var d))
	needTArgs := m != nil && m.TArgs > 0 && len(targs) == 0
	if needTArgs && !hasNonGenericRow(ownerType, f.Name, static, len(x.Args)) {
		c.errorf(f.NamePos, f.End, "missing-type-args", "the type arguments for method '%s' cannot be inferred from the usage; write %s<T>(...)", f.Name, f.Name)
		return bad()
	}
	args, types := c.compileArgs(x.Args, m, recvType)
	if needTArgs && !c.nonGenericMatch(ownerType, f.Name, static, args) {
		c.errorf(f.NamePos, f.End, "missing-type-args", "the type arguments for method '%s' cannot be inferred from the usage; write %s<T>(...)", f.Name, f.Name)
		return bad()
	}
	if m != nil && !c.checkOverload(ownerType, f.Name, static, args, f.NamePos, f.End) {
		return bad()
	}
	if m != nil && !c.checkArgs(x, m, types, owner) {
		return bad()
	}
	// named arguments: place by parameter name
	if m != nil && len(m.Params) > 0 {
		ordered := make([]argInfo, 0, len(args))
		named := map[string]argInfo{}
		for _, a := range args {
			if a.x.Name != "" {
				named[a.x.Name] = a
			} else {
				ordered = append(ordered, a)
			}
		}
		for i := len(ordered); i < len(m.Params) && len(named) > 0; i++ {
			if a, ok := named[m.Params[i]]; ok {
				ordered = append(ordered, a)
				delete(named, m.Params[i])
			}
		}
		args = ordered
	}
	if m != nil && len(targs) == 0 && m.InferTArgs != nil {
		targs = m.InferTArgs(recvType, types)
	}
	var typ *value.Type
	if m != nil {
		typ = m.Result
		if m.ResultOf != nil {
			typ = m.ResultOf(recvType, types, targs)
		}
		if typ == u.Void {
			typ = nil
		}
		c.noteRegex(recv, f.Name, args)
		if m.Unsupported != "" {
			c.errorf(f.NamePos, f.End, "unsupported-member", "tollgate does not support %s%s: %s", owner, f.Name, m.Unsupported)
			return bad()
		}
	}
	evals := make([]evalFn, len(args))
	for i, a := range args {
		evals[i] = a.n.eval
	}
	type outArg struct{ idx, slot int }
	var outs []outArg
	if m != nil {
		for _, o := range m.Out {
			if o < 0 {
				o = len(args) + o
			}
			if o >= 0 && o < len(args) {
				if args[o].outSlot < 0 || !args[o].x.Out && !args[o].x.Ref {
					c.errAt(args[o].x.X, "missing-out", "argument %d must be passed with the 'out' keyword", o+1)
				} else {
					outs = append(outs, outArg{o, args[o].outSlot})
				}
			}
		}
	} else {
		for i, a := range args {
			if a.outSlot >= 0 {
				outs = append(outs, outArg{i, a.outSlot})
			}
		}
	}
	name := f.Name
	nullCond := f.NullCond || inNullChain(f.X)
	if nullCond && typ != nil {
		typ = u.NullableOf(typ) // a?.M() is T? when M returns a value type T
	}
	cause := c.nullCause(f.X, "."+name+" was called on it")
	var re evalFn
	if !static {
		re = recv.eval
	}
	var fnc func(value.Call) value.Value
	if m != nil {
		fnc = m.Fn
	}
	nargs := len(evals)
	nullOK := m != nil && m.NullReceiver
	return &node{eval: func(fr *value.Frame) value.Value {
		var this value.Value
		if re != nil {
			this = re(fr)
			if this == nil && !nullOK {
				if nullCond {
					return nil
				}
				throwAt(fr, nullRef(cause), s, e)
			}
		}
		base := fr.SP
		av := pushArgs(fr, nargs)
		for i, a := range evals {
			av[i] = a(fr)
		}
		fr.Pos, fr.End = s, e
		fr.Step(1)
		call := fnc
		if call == nil {
			call = dynamicMethod(fr, this, name, nargs)
		}
		r := call(value.Call{Fr: fr, This: this, Args: av, TArgs: targs})
		for _, o := range outs {
			fr.Locals[o.slot] = av[o.idx]
		}
		clear(av)
		fr.SP = base
		return r
	}, typ: typ, slot: -1}
}

// dynamicMethod finds a method on a value whose type is known only at run time.
func dynamicMethod(fr *value.Frame, v value.Value, name string, nargs int) func(value.Call) value.Value {
	t := value.TypeOf(v)
	m := t.Lookup(name)
	if m == nil || m.Kind != value.Method {
		panic(&value.Exception{Type: "Microsoft.CSharp.RuntimeBinder.RuntimeBinderException", Message: fmt.Sprintf("'%s' does not contain a definition for '%s'", t.FullName, name), Pos: -1, End: -1})
	}
	if nargs < m.Min || m.Max >= 0 && nargs > m.Max {
		panic(&value.Exception{Type: "Microsoft.CSharp.RuntimeBinder.RuntimeBinderException", Message: fmt.Sprintf("No overload for method '%s' takes %d arguments", name, nargs), Pos: -1, End: -1})
	}
	return m.Fn
}

// noteRegex records constant patterns of Regex calls so that they are
// compiled (and checked) once, at compile time.
func (c *compiler) noteRegex(recv *node, name string, args []argInfo) {
	if recv.isType != c.u.Regex || len(args) < 2 {
		return
	}
	switch name {
	case "IsMatch", "Match", "Matches", "Replace", "Split":
	default:
		return
	}
	p := args[1].n
	if !p.isConst {
		return
	}
	pat, ok := p.cval.(string)
	if !ok {
		return
	}
	opts := 0
	optIdx := 2
	if name == "Replace" {
		optIdx = 3
	}
	if optIdx < len(args) {
		if o := args[optIdx].n; o.isConst {
			if en, ok := o.cval.(value.Enum); ok {
				opts = int(en.V)
			}
		}
	}
	c.regexes = append(c.regexes, RegexUse{Pattern: pat, Opts: opts, Pos: p.start, End: p.end})
}

var _ = strings.TrimSpace

// inNullChain reports whether x is a member access chain with a
// null-conditional link (a?.b.c): when the link short-circuits, the rest of
// the chain is not evaluated and the whole chain is null. tollgate ends the
// chain at the first null receiver after such a link.
func inNullChain(x syntax.Expr) bool {
	for x != nil {
		switch e := x.(type) {
		case *syntax.Member:
			if e.NullCond {
				return true
			}
			x = e.X
		case *syntax.Index:
			if e.NullCond {
				return true
			}
			x = e.X
		case *syntax.Call:
			x = e.Fun
		default:
			return false
		}
	}
	return false
}
