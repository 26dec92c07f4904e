package compile

import (
	"fmt"

	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

// lvalue is an assignable location: how to read it and how to store into it.
type lvalue struct {
	typ   *value.Type
	load  evalFn
	store func(fr *value.Frame, v value.Value)
}

func (c *compiler) lvalue(x syntax.Expr) *lvalue {
	switch x := x.(type) {
	case *syntax.Paren:
		return c.lvalue(x.X)
	case *syntax.Ident:
		l := c.lookupLocal(x.Name)
		if l == nil {
			c.ident(x) // reports the error
			return nil
		}
		if l.fn != nil {
			c.errAt(x, "bad-assign", "cannot assign to '%s' because it is a method", x.Name)
			return nil
		}
		slot := l.slot
		return &lvalue{typ: l.typ,
			load:  func(fr *value.Frame) value.Value { return fr.Locals[slot] },
			store: func(fr *value.Frame, v value.Value) { fr.Locals[slot] = v }}
	case *syntax.Index:
		recv := c.valueExpr(x.X)
		var args []evalFn
		for _, a := range x.Args {
			args = append(args, c.valueExpr(a).eval)
		}
		var m *value.Member
		var typ *value.Type
		if t := recv.typ; t != nil {
			m = t.Lookup("[]")
			if m == nil && !t.Open {
				c.errAt(x, "no-indexer", "cannot apply indexing with [] to an expression of type '%s'", t.Name)
				return nil
			}
			if m != nil {
				if m.Set == nil {
					c.errAt(x, "read-only", "property or indexer '%s.this[]' cannot be assigned to -- it is read only", t.Name)
					return nil
				}
				typ = m.Result
				if m.ResultOf != nil {
					typ = m.ResultOf(t, nil, nil)
				}
			}
		}
		s, e := x.Span()
		re := recv.eval
		cause := c.nullCause(x.X, "it was indexed with [...]")
		// receiver and index are evaluated once per access; compound
		// assignments re-evaluate them (side effects in index expressions
		// are rare in policies).
		find := func(fr *value.Frame) (value.Value, []value.Value, *value.Member) {
			v := re(fr)
			if v == nil {
				throwAt(fr, nullRef(cause), s, e)
			}
			av := make([]value.Value, len(args))
			for i, a := range args {
				av[i] = a(fr)
			}
			mm := m
			if mm == nil {
				mm = value.TypeOf(v).Lookup("[]")
				if mm == nil || mm.Set == nil {
					throwAt(fr, &value.Exception{Type: "Microsoft.CSharp.RuntimeBinder.RuntimeBinderException", Message: fmt.Sprintf("Cannot assign to an indexer of type '%s'", value.TypeName(v)), Pos: -1, End: -1}, s, e)
				}
			}
			fr.Pos, fr.End = s, e
			return v, av, mm
		}
		return &lvalue{typ: typ,
			load: func(fr *value.Frame) value.Value {
				v, av, mm := find(fr)
				return mm.Get(value.Call{Fr: fr, This: v, Args: av})
			},
			store: func(fr *value.Frame, val value.Value) {
				v, av, mm := find(fr)
				mm.Set(value.Call{Fr: fr, This: v, Args: av}, val)
			}}
	case *syntax.Member:
		if x.X == nil {
			break
		}
		recv := c.expr(x.X)
		if t := recv.isType; t != nil {
			return c.staticLvalue(x, t)
		}
		recv = c.value(recv, x.X)
		var m *value.Member
		if t := recv.typ; t != nil {
			m = t.Lookup(x.Name)
			if m == nil && !t.Open {
				c.memberNotFound(x, x.NamePos, x.End, t, x.Name, false)
				return nil
			}
			if m != nil && m.Unsupported != "" {
				c.errorf(x.NamePos, x.End, "unsupported-member", "tollgate does not support %s.%s: %s", t.Name, x.Name, m.Unsupported)
				return nil
			}
			if m != nil && m.Set == nil {
				c.errAt(x, "read-only", "property '%s.%s' cannot be assigned to -- it is read only", t.Name, x.Name)
				return nil
			}
		}
		s, e := x.Span()
		re := recv.eval
		name := x.Name
		cause := c.nullCause(x.X, "."+name+" was assigned on it")
		get := func(fr *value.Frame) (value.Value, *value.Member) {
			v := re(fr)
			if v == nil {
				throwAt(fr, nullRef(cause), s, e)
			}
			mm := m
			if mm == nil {
				mm = value.TypeOf(v).Lookup(name)
				if mm == nil || mm.Set == nil {
					throwAt(fr, &value.Exception{Type: "Microsoft.CSharp.RuntimeBinder.RuntimeBinderException", Message: fmt.Sprintf("Property '%s' of '%s' cannot be assigned to", name, value.TypeName(v)), Pos: -1, End: -1}, s, e)
				}
			}
			fr.Pos, fr.End = s, e
			return v, mm
		}
		var typ *value.Type
		if m != nil {
			typ = m.Result
		}
		return &lvalue{typ: typ,
			load: func(fr *value.Frame) value.Value {
				v, mm := get(fr)
				return mm.Get(value.Call{Fr: fr, This: v})
			},
			store: func(fr *value.Frame, val value.Value) {
				v, mm := get(fr)
				mm.Set(value.Call{Fr: fr, This: v}, val)
			}}
	}
	c.errAt(x, "bad-assign", "the left-hand side of an assignment must be a variable, property or indexer")
	return nil
}

// staticLvalue is a settable static property, Type.Name (Regex.CacheSize).
func (c *compiler) staticLvalue(x *syntax.Member, t *value.Type) *lvalue {
	if _, ok := t.EnumValues[x.Name]; ok {
		c.errAt(x, "bad-assign", "the left-hand side of an assignment must be a variable, property or indexer")
		return nil
	}
	m := t.LookupStatic(x.Name)
	if m == nil {
		c.memberNotFound(x, x.NamePos, x.End, t, x.Name, true)
		return nil
	}
	if m.Unsupported != "" {
		c.errorf(x.NamePos, x.End, "unsupported-member", "tollgate does not support %s.%s: %s", t.Name, x.Name, m.Unsupported)
		return nil
	}
	if m.Kind == value.Method {
		c.errAt(x, "bad-assign", "cannot assign to '%s' because it is a method", x.Name)
		return nil
	}
	if m.Set == nil {
		c.errAt(x, "read-only", "property '%s.%s' cannot be assigned to -- it is read only", t.Name, x.Name)
		return nil
	}
	s, e := x.Span()
	return &lvalue{typ: m.Result,
		load: func(fr *value.Frame) value.Value {
			fr.Pos, fr.End = s, e
			return m.Get(value.Call{Fr: fr})
		},
		store: func(fr *value.Frame, v value.Value) {
			fr.Pos, fr.End = s, e
			m.Set(value.Call{Fr: fr}, v)
		}}
}

func (c *compiler) assign(x *syntax.Assign) *node {
	lv := c.lvalue(x.X)
	var rhs *node
	if l, ok := x.Y.(*syntax.Lambda); ok {
		rhs = c.lambdaNode(l, nil)
	} else {
		rhs = c.valueExpr(x.Y)
	}
	if lv == nil {
		return bad()
	}
	re := rhs.eval
	if x.Op == "=" {
		if !c.assignable(rhs.typ, lv.typ, rhs.isConst && rhs.cval == nil) {
			c.errAt(x.Y, "bad-assign", "cannot implicitly convert type '%s' to '%s'", typeName(rhs.typ), typeName(lv.typ))
		}
		conv := c.implicitConv(rhs.typ, lv.typ)
		store := lv.store
		return &node{eval: func(fr *value.Frame) value.Value {
			v := conv(re(fr))
			store(fr, v)
			return v
		}, typ: lv.typ, slot: -1}
	}
	load, store := lv.load, lv.store
	s, e := x.Span()
	if x.Op == "??=" {
		return &node{eval: func(fr *value.Frame) value.Value {
			if v := load(fr); v != nil {
				return v
			}
			v := re(fr)
			store(fr, v)
			return v
		}, typ: lv.typ, slot: -1}
	}
	op := x.Op[:len(x.Op)-1]
	rt := c.arithType(op, lv.typ, rhs.typ)
	conv := c.implicitConv(rt, lv.typ)
	ar := arith
	if c.check == checkOn {
		// x op= y is x = (T)(x op y), both checked
		ar = arithChecked
		if rt != value.Underlying(lv.typ) {
			conv = c.checkedConv(lv.typ)
		}
	}
	return &node{eval: func(fr *value.Frame) value.Value {
		v := conv(ar(fr, op, load(fr), re(fr), s, e))
		store(fr, v)
		return v
	}, typ: lv.typ, slot: -1}
}

// implicitConv converts a value of static type from to the numeric type to
// (int to long or double) so that locals keep their declared type.
func (c *compiler) implicitConv(from, to *value.Type) func(value.Value) value.Value {
	to = value.Underlying(to)
	if to != nil && isNumeric(to) && from != to {
		return func(v value.Value) value.Value {
			if r, ok := value.ConvertNumber(v, to); ok {
				return r
			}
			return v
		}
	}
	if to != nil && from == c.u.String && (to == c.u.X.XNamespace || to == c.u.X.XName) {
		toNS := to == c.u.X.XNamespace
		return func(v value.Value) value.Value {
			if s, ok := v.(string); ok {
				if toNS {
					return value.XNamespace{URI: s}
				}
				return value.ToXName(s, "expandedName")
			}
			return v
		}
	}
	return func(v value.Value) value.Value { return v }
}

// checkedConv converts a result back to the numeric type to in a checked
// context: out of its range is an OverflowException.
func (c *compiler) checkedConv(to *value.Type) func(value.Value) value.Value {
	to = value.Underlying(to)
	if to == nil || !isNumeric(to) {
		return func(v value.Value) value.Value { return v }
	}
	return func(v value.Value) value.Value {
		if r, ok := value.ConvertNumberChecked(v, to); ok {
			return r
		}
		return v
	}
}

func typeName(t *value.Type) string {
	if t == nil {
		return "object"
	}
	return t.Name
}

func (c *compiler) incdec(target syntax.Expr, op string, postfix bool, x syntax.Expr) *node {
	lv := c.lvalue(target)
	if lv == nil {
		return bad()
	}
	if lv.typ != nil && !isNumeric(lv.typ) && lv.typ != c.u.Object {
		c.errAt(x, "bad-operand", "operator '%s' cannot be applied to operand of type '%s'", op, lv.typ.Name)
		return bad()
	}
	load, store := lv.load, lv.store
	s, e := x.Span()
	aop := op[:1]
	conv := c.implicitConv(nil, lv.typ)
	ar := arith
	if c.check == checkOn {
		ar, conv = arithChecked, c.checkedConv(lv.typ)
	}
	return &node{eval: func(fr *value.Frame) value.Value {
		old := load(fr)
		nv := conv(ar(fr, aop, old, int32(1), s, e))
		store(fr, nv)
		if postfix {
			return old
		}
		return nv
	}, typ: lv.typ, slot: -1}
}
