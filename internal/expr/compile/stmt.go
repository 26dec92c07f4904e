package compile

import (
	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

// ctl is how a statement finished.
type ctl uint8

const (
	ctlNext ctl = iota
	ctlBreak
	ctlContinue
	ctlReturn
)

type stmtFn = func(fr *value.Frame) ctl

// block compiles statements in a new scope; local functions are hoisted.
func (c *compiler) block(b *syntax.Block, top bool) stmtFn {
	if !top {
		c.push()
		defer c.pop()
	}
	return withCheck(c, b.Check, func() stmtFn { return c.stmts(b.Stmts) })
}

func (c *compiler) stmts(list []syntax.Stmt) stmtFn {
	// Local functions are declared first so that statements may call them,
	// and compiled last so that their bodies see every local of the block.
	type pending struct {
		f *syntax.LocalFunc
		l *local
	}
	var funcs []pending
	for _, s := range list {
		if f, ok := s.(*syntax.LocalFunc); ok {
			l := c.declare(f, f.Name, c.localFuncType(f))
			funcs = append(funcs, pending{f, l})
		}
	}
	var fns []stmtFn
	for _, s := range list {
		if _, ok := s.(*syntax.LocalFunc); ok {
			continue
		}
		fns = append(fns, c.stmt(s))
	}
	var inits []func(fr *value.Frame)
	for _, p := range funcs {
		inits = append(inits, c.localFunc(p.f, p.l))
	}
	if len(inits) == 0 && len(fns) == 1 {
		return fns[0]
	}
	return func(fr *value.Frame) ctl {
		for _, in := range inits {
			in(fr)
		}
		for _, f := range fns {
			if r := f(fr); r != ctlNext {
				return r
			}
		}
		return ctlNext
	}
}

// localFuncType is the static type of a local function: a Func whose Elem
// is the declared result type.
func (c *compiler) localFuncType(f *syntax.LocalFunc) *value.Type {
	var result *value.Type
	if f.Result.Name != "void" {
		result = c.typeRef(f.Result)
	}
	return &value.Type{Name: "Func", FullName: "System.Func", Base: c.u.Object, Elem: result}
}

func (c *compiler) localFunc(f *syntax.LocalFunc, l *local) func(fr *value.Frame) {
	isVoid := f.Result.Name == "void"
	result := l.typ.Elem
	c.push()
	slots := make([]int, len(f.Params))
	for i, p := range f.Params {
		slots[i] = c.declare(f, p.Name, c.typeRef(p.Type)).slot
	}
	saved := c.fn
	c.fn = &funcCtx{retSlot: c.newSlot(), result: result, isVoid: isVoid}
	first := c.nlocals
	var body evalFn
	switch b := f.Body.(type) {
	case *syntax.Block:
		run := c.block(b, false)
		ret := c.fn.retSlot
		if !isVoid && c.reachesEnd(b.Stmts) {
			c.errorf(b.End-1, b.End, "missing-return", "'%s': not all code paths return a value", f.Name)
		}
		body = func(fr *value.Frame) value.Value {
			fr.Locals[ret] = nil
			run(fr)
			return fr.Locals[ret]
		}
	case syntax.Expr:
		body = c.valueExpr(b).eval
	}
	last := c.nlocals
	c.fn = saved
	c.pop()
	lo := min(first, slotsMin(slots))
	fn := &value.Func{NParams: len(slots), Call: func(fr *value.Frame, args []value.Value) value.Value {
		// save the function's slots so that recursion works
		saved := make([]value.Value, last-lo)
		copy(saved, fr.Locals[lo:last])
		for i, s := range slots {
			if i < len(args) {
				fr.Locals[s] = args[i]
			}
		}
		r := body(fr)
		copy(fr.Locals[lo:last], saved)
		return r
	}}
	l.fn = fn
	slot := l.slot
	return func(fr *value.Frame) { fr.Locals[slot] = fn }
}

func slotsMin(s []int) int {
	m := 1 << 30
	for _, x := range s {
		m = min(m, x)
	}
	return m
}

func (c *compiler) stmt(s syntax.Stmt) stmtFn {
	u := c.u
	switch s := s.(type) {
	case *syntax.Block:
		return c.block(s, false)
	case *syntax.Empty:
		return func(*value.Frame) ctl { return ctlNext }
	case *syntax.ExprStmt:
		n := c.expr(s.X)
		if n.lambda != nil {
			c.errAt(s.X, "bad-statement", "a lambda cannot be used as a statement")
		}
		ev := n.eval
		return func(fr *value.Frame) ctl { ev(fr); return ctlNext }
	case *syntax.VarDecl:
		return c.varDecl(s)
	case *syntax.Return:
		ret := c.fn.retSlot
		if s.X == nil {
			if !c.fn.isVoid && c.fn.result != nil {
				c.errAt(s, "missing-value", "an object of a type convertible to '%s' is required", c.fn.result.Name)
			}
			return func(*value.Frame) ctl { return ctlReturn }
		}
		n := c.valueExpr(s.X)
		if c.fn.result != nil && !c.assignable(n.typ, c.fn.result, n.isConst && n.cval == nil) {
			c.errAt(s.X, "bad-return", "cannot implicitly convert type '%s' to '%s'", typeName(n.typ), c.fn.result.Name)
		}
		ev := n.eval
		conv := c.implicitConv(n.typ, c.fn.result)
		return func(fr *value.Frame) ctl { fr.Locals[ret] = conv(ev(fr)); return ctlReturn }
	case *syntax.If:
		cond := c.boolExpr(s.Cond).eval
		c.push()
		then := c.stmt(s.Then)
		c.pop()
		var els stmtFn
		if s.Else != nil {
			c.push()
			els = c.stmt(s.Else)
			c.pop()
		}
		return func(fr *value.Frame) ctl {
			if cond(fr).(bool) {
				return then(fr)
			}
			if els != nil {
				return els(fr)
			}
			return ctlNext
		}
	case *syntax.While:
		cond := c.boolExpr(s.Cond).eval
		c.loops++
		c.push()
		body := c.stmt(s.Body)
		c.pop()
		c.loops--
		do := s.Do
		return func(fr *value.Frame) ctl {
			for first := true; ; first = false {
				if !(do && first) && !cond(fr).(bool) {
					return ctlNext
				}
				fr.Step(1)
				switch body(fr) {
				case ctlBreak:
					return ctlNext
				case ctlReturn:
					return ctlReturn
				}
			}
		}
	case *syntax.For:
		c.push()
		defer c.pop()
		var inits []stmtFn
		for _, in := range s.Init {
			inits = append(inits, c.stmt(in))
		}
		var cond evalFn
		if s.Cond != nil {
			cond = c.boolExpr(s.Cond).eval
		}
		var posts []evalFn
		for _, p := range s.Post {
			posts = append(posts, c.valueExpr(p).eval)
		}
		c.loops++
		c.push()
		body := c.stmt(s.Body)
		c.pop()
		c.loops--
		return func(fr *value.Frame) ctl {
			for _, in := range inits {
				in(fr)
			}
			for {
				if cond != nil && !cond(fr).(bool) {
					return ctlNext
				}
				fr.Step(1)
				switch body(fr) {
				case ctlBreak:
					return ctlNext
				case ctlReturn:
					return ctlReturn
				}
				for _, p := range posts {
					p(fr)
				}
			}
		}
	case *syntax.Foreach:
		coll := c.valueExpr(s.X)
		if coll.typ != nil && !coll.typ.Open && coll.typ != u.Object && !coll.typ.Implements("IEnumerable") && coll.typ.Elem == nil {
			c.errAt(s.X, "not-enumerable", "foreach statement cannot operate on variables of type '%s'", coll.typ.Name)
		}
		c.push()
		defer c.pop()
		var t *value.Type
		if s.Type.Name != "var" {
			t = c.typeRef(s.Type)
		} else {
			t = value.ElemType(coll.typ)
		}
		slot := c.declare(s, s.Name, t).slot
		c.loops++
		body := c.stmt(s.Body)
		c.loops--
		ce := coll.eval
		st, en := s.X.Span()
		cause := c.nullCause(s.X, "foreach iterated over it")
		return func(fr *value.Frame) ctl {
			v := ce(fr)
			if v == nil {
				throwAt(fr, nullRef(cause), st, en)
			}
			items, ok := value.Items(v)
			if !ok {
				throwAt(fr, &value.Exception{Type: value.ExInvalidCast, Message: "Unable to cast object of type '" + value.TypeName(v) + "' to type 'System.Collections.IEnumerable'.", Pos: -1, End: -1}, st, en)
			}
			for _, it := range items {
				fr.Step(1)
				fr.Locals[slot] = it
				switch body(fr) {
				case ctlBreak:
					return ctlNext
				case ctlReturn:
					return ctlReturn
				}
			}
			return ctlNext
		}
	case *syntax.Branch:
		if c.loops == 0 && !(s.Tok == "break" && c.inSwitch()) {
			c.errAt(s, "bad-branch", "no enclosing loop out of which to %s", s.Tok)
		}
		if s.Tok == "break" {
			return func(*value.Frame) ctl { return ctlBreak }
		}
		return func(*value.Frame) ctl { return ctlContinue }
	case *syntax.Throw:
		st, en := s.Span()
		if s.X == nil {
			slot := c.currentCatchSlot()
			if slot < 0 {
				c.errAt(s, "bad-throw", "a throw statement with no arguments is not allowed outside of a catch clause")
				return func(*value.Frame) ctl { return ctlNext }
			}
			return func(fr *value.Frame) ctl { panic(fr.Locals[slot].(*value.Exception)) }
		}
		ev := c.valueExpr(s.X).eval
		return func(fr *value.Frame) ctl { throwValue(fr, ev(fr), st, en); return ctlNext }
	case *syntax.Switch:
		return c.switchStmt(s)
	case *syntax.Try:
		return c.tryStmt(s)
	case *syntax.Using:
		c.push()
		defer c.pop()
		var init stmtFn
		if s.Decl != nil {
			init = c.varDecl(s.Decl)
		} else {
			ev := c.valueExpr(s.X).eval
			init = func(fr *value.Frame) ctl { ev(fr); return ctlNext }
		}
		body := c.stmt(s.Body)
		return func(fr *value.Frame) ctl {
			init(fr)
			return body(fr)
		}
	case *syntax.LocalFunc:
		c.errAt(s, "bad-statement", "local function in an unexpected place")
		return func(*value.Frame) ctl { return ctlNext }
	}
	c.errAt(s, "unsupported", "unsupported statement")
	return func(*value.Frame) ctl { return ctlNext }
}

func (c *compiler) varDecl(s *syntax.VarDecl) stmtFn {
	var declared *value.Type
	implicit := s.Type.Name == "var"
	if !implicit {
		declared = c.typeRef(s.Type)
	}
	var fns []stmtFn
	for _, v := range s.Vars {
		var n *node
		if v.Init != nil {
			if l, ok := v.Init.(*syntax.Lambda); ok {
				if implicit {
					c.errAt(v.Init, "bad-var", "cannot assign lambda expression to an implicitly-typed variable")
				}
				n = c.lambdaNode(l, nil)
			} else {
				n = c.valueExpr(v.Init)
			}
		} else if implicit {
			c.errorf(v.Pos, v.Pos+len(v.Name), "bad-var", "implicitly-typed variables must be initialized")
		}
		t := declared
		if implicit && n != nil {
			t = n.typ
			if n.isConst && n.cval == nil {
				c.errAt(v.Init, "bad-var", "cannot assign <null> to an implicitly-typed variable")
			}
		}
		constNum := n != nil && n.isConst && isNumeric(n.typ) && isNumeric(declared)
		if !implicit && n != nil && !constNum && !c.assignable(n.typ, declared, n.isConst && n.cval == nil) {
			e := c.errAt(v.Init, "bad-assign", "cannot implicitly convert type '%s' to '%s'", typeName(n.typ), typeName(declared))
			if n.typ == c.u.Object || n.typ != nil && n.typ.Name == "JToken" {
				e.Notes = append(e.Notes, "an explicit conversion exists (are you missing a cast?)")
			}
		}
		// declare after compiling the initializer: "var x = x;" is an error in C#
		l := c.declare(&syntax.Ident{Pos: v.Pos, End: v.Pos + len(v.Name), Name: v.Name}, v.Name, t)
		slot := l.slot
		if n == nil {
			z := value.Zero(t)
			fns = append(fns, func(fr *value.Frame) ctl { fr.Locals[slot] = z; return ctlNext })
			continue
		}
		ev := n.eval
		conv := c.implicitConv(n.typ, t)
		fns = append(fns, func(fr *value.Frame) ctl { fr.Locals[slot] = conv(ev(fr)); return ctlNext })
	}
	if len(fns) == 1 {
		return fns[0]
	}
	return func(fr *value.Frame) ctl {
		for _, f := range fns {
			f(fr)
		}
		return ctlNext
	}
}

// switch and catch bookkeeping
func (c *compiler) inSwitch() bool { return c.switchDepth > 0 }

func (c *compiler) currentCatchSlot() int {
	if len(c.catchSlots) == 0 {
		return -1
	}
	return c.catchSlots[len(c.catchSlots)-1]
}

func (c *compiler) switchStmt(s *syntax.Switch) stmtFn {
	tag := c.valueExpr(s.Tag)
	type arm struct {
		vals []value.Value
		def  bool
		body stmtFn
	}
	var arms []arm
	c.switchDepth++
	c.loops++ // break is allowed
	defer func() { c.switchDepth--; c.loops-- }()
	for _, cs := range s.Cases {
		a := arm{def: cs.Default}
		for _, v := range cs.Values {
			n := c.valueExpr(v)
			if !n.isConst {
				c.errAt(v, "non-constant-case", "a constant value is expected")
				continue
			}
			a.vals = append(a.vals, n.cval)
		}
		c.push()
		a.body = c.stmts(cs.Body)
		if len(cs.Body) > 0 && c.reachesEnd(cs.Body) {
			c.errorf(cs.Pos, cs.Pos+4, "fall-through", "control cannot fall through from one case label to another")
		}
		c.pop()
		arms = append(arms, a)
	}
	te := tag.eval
	return func(fr *value.Frame) ctl {
		v := te(fr)
		chosen := -1
		for i, a := range arms {
			for _, cv := range a.vals {
				if value.Equal(v, cv) {
					chosen = i
					break
				}
			}
			if chosen >= 0 {
				break
			}
		}
		if chosen < 0 {
			for i, a := range arms {
				if a.def {
					chosen = i
				}
			}
		}
		if chosen < 0 {
			return ctlNext
		}
		switch r := arms[chosen].body(fr); r {
		case ctlBreak:
			return ctlNext
		default:
			return r
		}
	}
}

func (c *compiler) tryStmt(s *syntax.Try) stmtFn {
	body := c.block(s.Body, false)
	type catch struct {
		types []*value.Type // exception types; nil: all
		slot  int           // exception variable slot (always allocated, for rethrow)
		when  evalFn
		body  stmtFn
	}
	var catches []catch
	for _, ct := range s.Catches {
		c.push()
		k := catch{slot: -1}
		if ct.Type != nil {
			t := c.typeRef(ct.Type)
			if t != nil && t.Name != "Exception" {
				k.types = append(k.types, t)
			}
		}
		name := ct.Name
		if name == "" {
			name = "<exception>"
		}
		k.slot = c.declare(&syntax.Ident{Pos: ct.Pos, End: ct.Pos + 5, Name: name}, name, c.u.Exception).slot
		if ct.When != nil {
			k.when = c.boolExpr(ct.When).eval
		}
		c.catchSlots = append(c.catchSlots, k.slot)
		k.body = c.block(ct.Body, false)
		c.catchSlots = c.catchSlots[:len(c.catchSlots)-1]
		c.pop()
		catches = append(catches, k)
	}
	var fin stmtFn
	if s.Finally != nil {
		fin = c.block(s.Finally, false)
	}
	matches := func(ex *value.Exception, types []*value.Type) bool {
		if types == nil {
			return true
		}
		for _, t := range types {
			if value.ExceptionIs(ex.Type, t) {
				return true
			}
		}
		return false
	}
	return func(fr *value.Frame) (res ctl) {
		sp := fr.SP
		if fin != nil {
			defer func() {
				if r := fin(fr); r != ctlNext {
					res = r
				}
			}()
		}
		func() {
			defer func() {
				r := recover()
				if r == nil {
					return
				}
				ex, ok := r.(*value.Exception)
				if !ok || ex.Fatal {
					panic(r)
				}
				fr.SP = sp
				for _, k := range catches {
					if !matches(ex, k.types) {
						continue
					}
					fr.Locals[k.slot] = ex
					if k.when != nil && !k.when(fr).(bool) {
						continue
					}
					res = k.body(fr)
					return
				}
				panic(r)
			}()
			res = body(fr)
		}()
		return res
	}
}

// reachesEnd reports whether control can flow past the end of list
// (a conservative approximation of C#'s reachability rules).
func (c *compiler) reachesEnd(list []syntax.Stmt) bool {
	for _, s := range list {
		if !c.stmtReachesEnd(s) {
			return false
		}
	}
	return true
}

func (c *compiler) stmtReachesEnd(s syntax.Stmt) bool {
	switch s := s.(type) {
	case *syntax.Return, *syntax.Throw:
		return false
	case *syntax.Branch:
		return false
	case *syntax.Block:
		return c.reachesEnd(s.Stmts)
	case *syntax.If:
		if s.Else == nil {
			return true
		}
		return c.stmtReachesEnd(s.Then) || c.stmtReachesEnd(s.Else)
	case *syntax.While:
		if lit, ok := s.Cond.(*syntax.Literal); ok && lit.Kind == syntax.LitBool && lit.Value.(bool) {
			return hasBreak(s.Body)
		}
		return true
	case *syntax.For:
		if s.Cond == nil {
			return hasBreak(s.Body)
		}
		return true
	case *syntax.Switch:
		hasDefault := false
		for _, cs := range s.Cases {
			if cs.Default {
				hasDefault = true
			}
			if len(cs.Body) > 0 && c.reachesEndSwitch(cs.Body) {
				return true
			}
		}
		return !hasDefault
	case *syntax.Try:
		if s.Finally != nil && !c.reachesEnd(s.Finally.Stmts) {
			return false
		}
		if c.reachesEnd(s.Body.Stmts) {
			return true
		}
		for _, ct := range s.Catches {
			if c.reachesEnd(ct.Body.Stmts) {
				return true
			}
		}
		return false
	case *syntax.Using:
		return c.stmtReachesEnd(s.Body)
	}
	return true
}

// reachesEndSwitch treats break as leaving the switch (reaching its end).
func (c *compiler) reachesEndSwitch(list []syntax.Stmt) bool {
	for _, s := range list {
		if b, ok := s.(*syntax.Branch); ok && b.Tok == "break" {
			return true
		}
		if !c.stmtReachesEnd(s) {
			return containsBreak(s)
		}
	}
	return true
}

func containsBreak(s syntax.Stmt) bool {
	switch s := s.(type) {
	case *syntax.Branch:
		return s.Tok == "break"
	case *syntax.Block:
		for _, x := range s.Stmts {
			if containsBreak(x) {
				return true
			}
		}
	case *syntax.If:
		return containsBreak(s.Then) || s.Else != nil && containsBreak(s.Else)
	}
	return false
}

// hasBreak reports whether a loop body contains a break for that loop.
func hasBreak(s syntax.Stmt) bool {
	switch s := s.(type) {
	case *syntax.Branch:
		return s.Tok == "break"
	case *syntax.Block:
		for _, x := range s.Stmts {
			if hasBreak(x) {
				return true
			}
		}
	case *syntax.If:
		return hasBreak(s.Then) || s.Else != nil && hasBreak(s.Else)
	case *syntax.Try:
		if hasBreak(s.Body) {
			return true
		}
		for _, ct := range s.Catches {
			if hasBreak(ct.Body) {
				return true
			}
		}
	}
	return false
}
