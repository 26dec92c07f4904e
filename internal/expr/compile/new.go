package compile

import (
	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

// lambdaNode compiles a lambda with the given parameter types (nil entries
// or a nil slice: unknown). The lambda's parameters live in frame slots; the
// resulting Func is a constant.
func (c *compiler) lambdaNode(l *syntax.Lambda, ptypes []*value.Type) *node {
	c.push()
	defer c.pop()
	// a lambda's body is in the context it was written in
	if k, ok := c.lambdaCheck[l]; ok {
		saved := c.check
		c.check = k
		defer func() { c.check = saved }()
	}
	slots := make([]int, len(l.Params))
	for i, p := range l.Params {
		var t *value.Type
		if p.Type != nil {
			t = c.typeRef(p.Type)
		} else if i < len(ptypes) {
			t = ptypes[i]
		}
		slots[i] = c.declare(l, p.Name, t).slot
	}
	var body evalFn
	var result *value.Type
	switch b := l.Body.(type) {
	case syntax.Expr:
		n := c.valueExpr(b)
		body, result = n.eval, n.typ
	case *syntax.Block:
		saved := c.fn
		c.fn = &funcCtx{retSlot: c.newSlot()}
		run := c.block(b, false)
		ret := c.fn.retSlot
		c.fn = saved
		body = func(fr *value.Frame) value.Value {
			fr.Locals[ret] = nil
			run(fr)
			return fr.Locals[ret]
		}
	}
	f := &value.Func{NParams: len(slots), Call: func(fr *value.Frame, args []value.Value) value.Value {
		for i, s := range slots {
			if i < len(args) {
				fr.Locals[s] = args[i]
			}
		}
		return body(fr)
	}}
	n := constNode(f, c.u.Func)
	n.lambdaResult = result
	return n
}

// newExpr compiles object, array and anonymous object creation.
func (c *compiler) newExpr(x *syntax.New) *node {
	u := c.u
	s, e := x.Span()
	if x.Anon != nil || (x.Type == nil && !x.Array) {
		names := make([]string, len(x.Anon))
		evals := make([]evalFn, len(x.Anon))
		t := &value.Type{Name: "<anonymous type>", FullName: "<>f__AnonymousType", Base: u.Object, Is: func(v value.Value) bool { _, ok := v.(*value.Object); return ok }}
		t.Members = map[string]*value.Member{}
		for i, m := range x.Anon {
			n := c.valueExpr(m.X)
			names[i], evals[i] = m.Name, n.eval
			idx := i
			t.Members[m.Name] = &value.Member{Name: m.Name, Kind: value.Property, Result: n.typ, Get: func(cl value.Call) value.Value {
				return cl.This.(*value.Object).Values[idx]
			}}
		}
		return &node{eval: func(fr *value.Frame) value.Value {
			vals := make([]value.Value, len(evals))
			for i, ev := range evals {
				vals[i] = ev(fr)
			}
			return &value.Object{Names: names, Values: vals}
		}, typ: t, slot: -1}
	}
	if x.Array {
		var elem *value.Type
		if x.Type != nil {
			elem = c.typeRef(x.Type)
			if elem == nil {
				return bad()
			}
		}
		var sizes []evalFn
		for _, sz := range x.Sizes {
			sizes = append(sizes, c.valueExpr(sz).eval)
		}
		var elems []evalFn
		if x.Init != nil {
			for _, el := range x.Init.Elems {
				if len(el) != 1 {
					c.errorf(x.Init.Pos, x.Init.End, "bad-initializer", "array initializers take one value per element")
					return bad()
				}
				n := c.valueExpr(el[0])
				if elem == nil && n.typ != nil && len(elems) == 0 {
					elem = n.typ
				}
				elems = append(elems, n.eval)
			}
		}
		if elem == nil {
			elem = u.Object
		}
		isBytes := elem == u.Byte
		return &node{eval: func(fr *value.Frame) value.Value {
			n := len(elems)
			if len(sizes) > 0 {
				sz, ok := value.AsInt64(sizes[0](fr))
				if !ok || sz < 0 {
					throwAt(fr, &value.Exception{Type: value.ExOverflow, Message: "Arithmetic operation resulted in an overflow.", Pos: -1, End: -1}, s, e)
				}
				fr.Pos, fr.End = s, e
				fr.Alloc(sz * 16) // an element slot
				fr.Step(sz / 16)
				n = int(sz)
			}
			if isBytes {
				b := make([]byte, n)
				for i, ev := range elems {
					v, _ := value.AsInt64(ev(fr))
					b[i] = byte(v)
				}
				return b
			}
			items := make([]value.Value, n)
			for i, ev := range elems {
				items[i] = ev(fr)
			}
			if len(elems) == 0 {
				z := value.Zero(elem)
				for i := range items {
					items[i] = z
				}
			}
			return &value.Array{T: elem, Items: items}
		}, typ: u.ArrayOf(elem), slot: -1}
	}
	t := c.typeRef(x.Type)
	if t == nil || c.memberNotAllowed(t, ".ctor", true, x.Type.Pos, x.Type.End) {
		return bad()
	}
	var targs []*value.Type
	for _, a := range x.Type.Args {
		ta := c.typeRef(a)
		if ta == nil {
			ta = u.Object
		}
		targs = append(targs, ta)
	}
	if t.Value && len(x.Args) == 0 && x.Init == nil {
		return constNode(value.Zero(t), t)
	}
	if len(x.Args) < t.NewMin {
		c.errAt(x, "wrong-arg-count", "'%s' does not contain a constructor that takes %d arguments", t.Name, len(x.Args))
		return bad()
	}
	args, _ := c.compileArgs(x.Args, nil, nil)
	if tp, te := x.Type.Pos, x.Type.End; !c.checkOverload(t, ".ctor", true, args, tp, te) {
		return bad()
	}
	evals := make([]evalFn, len(args))
	for i, a := range args {
		evals[i] = a.n.eval
	}
	ctor := t.New
	for b := t.Base; ctor == nil && b != nil && b.Generic != "" && b.Generic == t.Generic; b = b.Base {
		ctor = b.New
	}
	if d := u.Types[t.Generic]; ctor == nil && t.Generic != "" && d != nil {
		// an instantiation without a constructor of its own takes its generic
		// definition's, given the type arguments (new Nullable<int>(5))
		ctor = d.New
	}
	if ctor == nil {
		if t.Open {
			c.errorf(x.Type.Pos, x.Type.End, "unsupported-member", "tollgate does not support new %s(...)", t.Name)
			return bad()
		}
		c.errAt(x, "no-constructor", "cannot create an instance of '%s'", t.Name)
		return bad()
	}
	// initializers
	var objNames []string
	var objVals []evalFn
	var objKeys [][]evalFn
	var coll [][]evalFn
	if x.Init != nil {
		if x.Init.Object {
			for i, n := range x.Init.Names {
				objNames = append(objNames, n)
				objVals = append(objVals, c.valueExpr(x.Init.Values[i]).eval)
				var keys []evalFn
				if i < len(x.Init.Keys) && x.Init.Keys[i] != nil {
					if ix := t.Lookup("[]"); ix == nil || ix.Set == nil {
						if !t.Open {
							c.errorf(x.Init.Pos, x.Init.End, "bad-initializer", "cannot apply indexing with [] to an expression of type '%s'", t.Name)
							return bad()
						}
					}
					for _, k := range x.Init.Keys[i] {
						keys = append(keys, c.valueExpr(k).eval)
					}
				}
				objKeys = append(objKeys, keys)
			}
		} else {
			if t.Lookup("Add") == nil {
				c.errorf(x.Init.Pos, x.Init.End, "bad-initializer", "cannot initialize type '%s' with a collection initializer because it does not have an Add method", t.Name)
				return bad()
			}
			add := t.Lookup("Add")
			for _, el := range x.Init.Elems {
				if len(el) < add.Min || add.Max >= 0 && len(el) > add.Max {
					c.errorf(x.Init.Pos, x.Init.End, "bad-initializer", "no overload for method 'Add' takes %d arguments", len(el))
					return bad()
				}
				var evs []evalFn
				for _, ex := range el {
					evs = append(evs, c.valueExpr(ex).eval)
				}
				coll = append(coll, evs)
			}
		}
	}
	var add *value.Member
	if coll != nil {
		add = t.Lookup("Add")
	}
	return &node{eval: func(fr *value.Frame) value.Value {
		av := make([]value.Value, len(evals))
		for i, ev := range evals {
			av[i] = ev(fr)
		}
		fr.Pos, fr.End = s, e
		fr.Step(1)
		obj := ctor(value.Call{Fr: fr, Args: av, TArgs: targs})
		for _, el := range coll {
			ev := make([]value.Value, len(el))
			for i, f := range el {
				ev[i] = f(fr)
			}
			fr.Pos, fr.End = s, e
			add.Fn(value.Call{Fr: fr, This: obj, Args: ev})
		}
		for i, n := range objNames {
			if keys := objKeys[i]; keys != nil {
				kv := make([]value.Value, len(keys))
				for j, k := range keys {
					kv[j] = k(fr)
				}
				v := objVals[i](fr)
				m := value.TypeOf(obj).Lookup("[]")
				fr.Pos, fr.End = s, e
				m.Set(value.Call{Fr: fr, This: obj, Args: kv}, v)
				continue
			}
			v := objVals[i](fr)
			m := value.TypeOf(obj).Lookup(n)
			if m == nil || m.Set == nil {
				throwAt(fr, &value.Exception{Type: value.ExNotSupported, Message: "Specified method is not supported.", Cause: "property " + n + " cannot be set in an object initializer", Pos: -1, End: -1}, s, e)
			}
			m.Set(value.Call{Fr: fr, This: obj}, v)
		}
		return obj
	}, typ: t, slot: -1}
}
