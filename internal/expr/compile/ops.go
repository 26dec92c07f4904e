package compile

import (
	"fmt"

	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

func (c *compiler) unary(x *syntax.Unary) *node {
	u := c.u
	switch x.Op {
	case "++", "--":
		return c.incdec(x.X, x.Op, false, x)
	case "!":
		n := c.boolExpr(x.X)
		ne := n.eval
		return &node{eval: func(fr *value.Frame) value.Value { return !ne(fr).(bool) }, typ: u.Bool, slot: -1}
	case "-":
		n := c.valueExpr(x.X)
		if n.typ == u.String || n.typ == u.Bool {
			c.errAt(x, "bad-operand", "operator '-' cannot be applied to operand of type '%s'", n.typ.Name)
		}
		if n.typ == u.ULong {
			c.errAt(x, "bad-operand", "operator '-' cannot be applied to operand of type 'ulong'")
		}
		ne := n.eval
		typ := n.typ
		switch typ {
		case u.Char, u.Byte, u.SByte, u.Short, u.UShort:
			typ = u.Int
		case u.UInt:
			typ = u.Long
		}
		if n.isConst && n.cval != nil && value.IsNumeric(n.cval) {
			if v, ok := c.foldConst(x, func() value.Value {
				if c.check == checkOff {
					return value.Negate(n.cval)
				}
				return value.NegateChecked(n.cval)
			}); ok {
				return constNode(v, typ)
			}
		}
		if c.check == checkOn {
			s, e := x.Span()
			return &node{eval: func(fr *value.Frame) value.Value {
				v := ne(fr)
				fr.Pos, fr.End = s, e
				return value.NegateChecked(v)
			}, typ: typ, slot: -1}
		}
		return &node{eval: func(fr *value.Frame) value.Value { return value.Negate(ne(fr)) }, typ: typ, slot: -1}
	case "+":
		return c.valueExpr(x.X)
	case "~":
		n := c.valueExpr(x.X)
		ne := n.eval
		typ := n.typ
		switch typ {
		case u.Char, u.Byte, u.SByte, u.Short, u.UShort:
			typ = u.Int
		}
		return &node{eval: func(fr *value.Frame) value.Value { return value.Complement(ne(fr)) }, typ: typ, slot: -1}
	}
	c.errAt(x, "unsupported", "unsupported operator %s", x.Op)
	return bad()
}

func isNumeric(t *value.Type) bool { return value.IsNumericType(t) }

// arithType is the static result type of a binary arithmetic operator.
func (c *compiler) arithType(op string, a, b *value.Type) *value.Type {
	u := c.u
	if a != nil && a.Generic == "Nullable" || b != nil && b.Generic == "Nullable" {
		// lifted operators
		return u.NullableOf(c.arithType(op, value.Underlying(a), value.Underlying(b)))
	}
	if op == "+" && a == u.X.XNamespace && b == u.String {
		return u.X.XName
	}
	if op == "+" && (a == u.String || b == u.String) {
		return u.String
	}
	if isNumeric(a) && isNumeric(b) {
		switch {
		case (a == u.Decimal || b == u.Decimal) && op != "<<" && op != ">>":
			if a == u.Double || b == u.Double || a == u.Single || b == u.Single {
				return nil
			}
			return u.Decimal
		case a == u.Single && b != u.Double || b == u.Single && a != u.Double:
			return u.Single
		case op == "<<" || op == ">>":
			switch a {
			case u.Long, u.ULong, u.UInt:
				return a
			}
			return u.Int
		case a == u.Double || b == u.Double:
			return u.Double
		case a == u.ULong || b == u.ULong:
			return u.ULong
		case a == u.Long || b == u.Long:
			return u.Long
		case a == u.UInt || b == u.UInt:
			if signedSmall(u, a) || signedSmall(u, b) {
				return u.Long
			}
			return u.UInt
		}
		return u.Int
	}
	if a == u.Bool && b == u.Bool && (op == "&" || op == "|" || op == "^") {
		return u.Bool
	}
	if (a == u.DateTime || a == u.DateTimeOffset) && b == u.TimeSpan && (op == "+" || op == "-") {
		return a
	}
	if (a == u.DateTime || a == u.DateTimeOffset) && b == a && op == "-" {
		return u.TimeSpan
	}
	if a == u.TimeSpan && b == u.TimeSpan && (op == "+" || op == "-") {
		return u.TimeSpan
	}
	return nil
}

// signedSmall reports whether t is a signed integer type of 32 bits or less.
func signedSmall(u *value.Lib, t *value.Type) bool {
	return t == u.Int || t == u.Short || t == u.SByte
}

// promoteConst converts the integer constant n to the type other of the
// other operand when C# would (an int constant that fits a uint or ulong,
// a long constant that fits a ulong): 5u + 1 is a uint.
func (c *compiler) promoteConst(n *node, other *value.Type) *node {
	u := c.u
	if !n.isConst || n.cval == nil || n.typ == other || !(other == u.UInt || other == u.ULong) {
		return n
	}
	if (n.typ == u.Int || n.typ == u.Long && other == u.ULong) && value.ConstFits(n.cval, other) {
		v, _ := value.ConvertNumber(n.cval, other)
		r := constNode(v, other)
		r.start, r.end = n.start, n.end
		return r
	}
	return n
}

// foldConst evaluates a constant operation; an overflow outside an
// unchecked context is an error (CS0220), and ok is false when the
// operation throws otherwise (it then throws at run time).
func (c *compiler) foldConst(x syntax.Node, f func() value.Value) (v value.Value, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			v, ok = nil, false
			if ex, isEx := r.(*value.Exception); isEx && ex.Type == value.ExOverflow {
				c.errAt(x, "constant-overflow", "the operation overflows at compile time in checked mode")
				v, ok = nil, true
			}
		}
	}()
	return f(), true
}

// checkOperands reports operator/type combinations C# rejects.
func (c *compiler) checkOperands(x *syntax.Binary, a, b *value.Type) {
	u := c.u
	a, b = value.Underlying(a), value.Underlying(b)
	known := func(t *value.Type) bool { return t != nil && t != u.Object && !t.Open }
	if !known(a) || !known(b) {
		return
	}
	switch x.Op {
	case "-", "*", "/", "%":
		if c.arithType(x.Op, a, b) == nil {
			c.errorf(x.OpPos, x.OpPos+len(x.Op), "bad-operands", "operator '%s' cannot be applied to operands of type '%s' and '%s'", x.Op, a.Name, b.Name)
		}
	case "+":
		if c.arithType(x.Op, a, b) == nil {
			c.errorf(x.OpPos, x.OpPos+1, "bad-operands", "operator '+' cannot be applied to operands of type '%s' and '%s'", a.Name, b.Name)
		}
	case "<", ">", "<=", ">=":
		ok := isNumeric(a) && isNumeric(b) || a == b && (a == u.DateTime || a == u.TimeSpan || a == u.DateTimeOffset)
		if !ok {
			c.errorf(x.OpPos, x.OpPos+len(x.Op), "bad-operands", "operator '%s' cannot be applied to operands of type '%s' and '%s'", x.Op, a.Name, b.Name)
		}
	case "==", "!=":
		if (a == u.String && (isNumeric(b) || b == u.Bool)) || (b == u.String && (isNumeric(a) || a == u.Bool)) || (a == u.Bool && isNumeric(b)) || (b == u.Bool && isNumeric(a)) {
			c.errorf(x.OpPos, x.OpPos+len(x.Op), "bad-operands", "operator '%s' cannot be applied to operands of type '%s' and '%s'", x.Op, a.Name, b.Name)
		}
	}
}

func (c *compiler) binary(x *syntax.Binary) *node {
	u := c.u
	switch x.Op {
	case "&&", "||":
		a, b := c.boolExpr(x.X), c.boolExpr(x.Y)
		ae, be := a.eval, b.eval
		if x.Op == "&&" {
			return &node{eval: func(fr *value.Frame) value.Value { return ae(fr).(bool) && be(fr).(bool) }, typ: u.Bool, slot: -1}
		}
		return &node{eval: func(fr *value.Frame) value.Value { return ae(fr).(bool) || be(fr).(bool) }, typ: u.Bool, slot: -1}
	case "??":
		a, b := c.valueExpr(x.X), c.valueExpr(x.Y)
		if a.typ != nil && a.typ.Value && a.typ != u.Object {
			c.errAt(x, "bad-operands", "operator '??' cannot be applied to operands of type '%s'", a.typ.Name)
		}
		ae, be := a.eval, b.eval
		typ := a.typ
		if typ == nil {
			typ = b.typ
		}
		if typ != nil && typ.Generic == "Nullable" && b.typ != nil && b.typ.Generic != "Nullable" {
			typ = value.Underlying(typ)
		}
		return &node{eval: func(fr *value.Frame) value.Value {
			if v := ae(fr); v != nil {
				return v
			}
			return be(fr)
		}, typ: typ, slot: -1}
	}
	a, b := c.valueExpr(x.X), c.valueExpr(x.Y)
	if x.Op != "<<" && x.Op != ">>" {
		a, b = c.promoteConst(a, b.typ), c.promoteConst(b, a.typ)
		if (a.typ == u.ULong && (signedSmall(u, b.typ) || b.typ == u.Long) || b.typ == u.ULong && (signedSmall(u, a.typ) || a.typ == u.Long)) && x.Op != "==" && x.Op != "!=" {
			c.errorf(x.OpPos, x.OpPos+len(x.Op), "bad-operands", "operator '%s' is ambiguous on operands of type '%s' and '%s'", x.Op, a.typ.Name, b.typ.Name)
		}
	}
	c.checkOperands(x, a.typ, b.typ)
	ae, be := a.eval, b.eval
	s, e := x.Span()
	switch x.Op {
	case "==":
		if a.typ == u.String && b.isConst {
			if bs, ok := b.cval.(string); ok {
				return &node{eval: func(fr *value.Frame) value.Value {
					v, ok := ae(fr).(string)
					return ok && v == bs
				}, typ: u.Bool, slot: -1}
			}
		}
		return &node{eval: func(fr *value.Frame) value.Value { return value.Equal(ae(fr), be(fr)) }, typ: u.Bool, slot: -1}
	case "!=":
		return &node{eval: func(fr *value.Frame) value.Value { return !value.Equal(ae(fr), be(fr)) }, typ: u.Bool, slot: -1}
	case "<", ">", "<=", ">=":
		op := x.Op
		return &node{eval: func(fr *value.Frame) value.Value {
			av, bv := ae(fr), be(fr)
			if av == nil || bv == nil {
				return false
			}
			r, ok := value.Compare(av, bv)
			if !ok {
				throwAt(fr, &value.Exception{Type: value.ExInvalidOp, Message: fmt.Sprintf("Operator '%s' cannot be applied to operands of type '%s' and '%s'", op, value.TypeName(av), value.TypeName(bv)), Pos: -1, End: -1}, s, e)
			}
			switch op {
			case "<":
				return r < 0
			case ">":
				return r > 0
			case "<=":
				return r <= 0
			}
			return r >= 0
		}, typ: u.Bool, slot: -1}
	}
	typ := c.arithType(x.Op, a.typ, b.typ)
	op := x.Op
	if a.isConst && b.isConst && a.cval != nil && b.cval != nil && typ != nil {
		arithFn := value.ArithChecked
		if c.check == checkOff {
			arithFn = value.Arith
		}
		if v, ok := c.foldConst(x, func() value.Value { return arithFn(op, a.cval, b.cval) }); ok {
			return constNode(v, typ)
		}
	}
	checked := c.check == checkOn
	slow := arith
	if checked && typ != u.String && typ != u.Double {
		slow = arithChecked
	}
	if typ == u.Int && (op == "+" || op == "-" || op == "*") {
		// int with int, the common case: in 64 bits, then wrapped, or in
		// a checked context thrown when it does not fit.
		return &node{eval: func(fr *value.Frame) value.Value {
			av, bv := ae(fr), be(fr)
			ai, ok1 := av.(int32)
			bi, ok2 := bv.(int32)
			if ok1 && ok2 {
				var r int64
				switch op {
				case "+":
					r = int64(ai) + int64(bi)
				case "-":
					r = int64(ai) - int64(bi)
				default:
					r = int64(ai) * int64(bi)
				}
				if !checked || r == int64(int32(r)) {
					return int32(r)
				}
			}
			return slow(fr, op, av, bv, s, e)
		}, typ: typ, slot: -1}
	}
	if typ == u.String {
		return &node{eval: func(fr *value.Frame) value.Value {
			a, b := value.ToString(ae(fr)), value.ToString(be(fr))
			fr.Pos, fr.End = s, e
			return fr.Concat(a, b)
		}, typ: typ, slot: -1}
	}
	return &node{eval: func(fr *value.Frame) value.Value { return slow(fr, op, ae(fr), be(fr), s, e) }, typ: typ, slot: -1}
}

// arithChecked is arith in a checked context.
func arithChecked(fr *value.Frame, op string, a, b value.Value, s, e int) value.Value {
	if a == nil || b == nil {
		return arith(fr, op, a, b, s, e)
	}
	fr.Pos, fr.End = s, e
	return value.ArithChecked(op, a, b)
}

func arith(fr *value.Frame, op string, a, b value.Value, s, e int) value.Value {
	if a == nil || b == nil {
		if op == "+" {
			if _, ok := a.(string); ok {
				return a
			}
			if _, ok := b.(string); ok {
				return b
			}
			if a == nil && b == nil {
				return ""
			}
		}
		return nil // lifted operator on null
	}
	fr.Pos, fr.End = s, e
	if op == "+" {
		if sa, ok := a.(string); ok {
			return fr.Concat(sa, value.ToString(b))
		}
		if sb, ok := b.(string); ok {
			if _, isNS := a.(value.XNamespace); !isNS {
				return fr.Concat(value.ToString(a), sb)
			}
		}
	}
	return value.Arith(op, a, b)
}

// isFunc returns the runtime test for "is T".
func (c *compiler) isFunc(t *value.Type) func(value.Value) bool {
	if t.Is != nil {
		return t.Is
	}
	return func(v value.Value) bool {
		vt := value.TypeOf(v)
		return vt != nil && vt.AssignableTo(t)
	}
}

func (c *compiler) isExpr(x *syntax.Is) *node {
	u := c.u
	n := c.valueExpr(x.X)
	ne := n.eval
	if x.Const != nil {
		k := c.valueExpr(x.Const)
		ke := k.eval
		return &node{eval: func(fr *value.Frame) value.Value { return value.Equal(ne(fr), ke(fr)) }, typ: u.Bool, slot: -1}
	}
	t := c.typeRef(x.Type)
	if t == nil {
		return bad()
	}
	is := c.isFunc(t)
	if x.Name == "" {
		return &node{eval: func(fr *value.Frame) value.Value { v := ne(fr); return v != nil && is(v) }, typ: u.Bool, slot: -1}
	}
	l := c.declare(x, x.Name, t)
	slot := l.slot
	return &node{eval: func(fr *value.Frame) value.Value {
		v := ne(fr)
		if v != nil && is(v) {
			fr.Locals[slot] = v
			return true
		}
		return false
	}, typ: u.Bool, slot: -1}
}

// cast compiles (T)x.
func (c *compiler) cast(x *syntax.Cast) *node {
	u := c.u
	t := c.typeRef(x.Type)
	if t == nil {
		return bad()
	}
	n := c.valueExpr(x.X)
	ne := n.eval
	s, e := x.Span()
	from := n.typ
	to := t.FullName
	// compile-time checks between known types
	if from != nil && from != u.Object && !from.Open && !t.Open && from != t {
		ok := isNumeric(from) && isNumeric(t) || from.AssignableTo(t) || t.AssignableTo(from) ||
			t.Generic != "" || from.Generic != "" || t == u.Object || t.Name == "IEnumerable" ||
			value.IsJSONType(from) && (t.Value || t == u.String) || value.IsJSONType(t) && (from.Value || from == u.String) ||
			from == u.DateTime && t == u.DateTimeOffset || value.HasExplicitConversion(from, t) ||
			from.EnumValues != nil && isNumeric(t) || t.EnumValues != nil && isNumeric(from)
		if !ok {
			c.errAt(x, "invalid-cast", "cannot convert type '%s' to '%s'", from.Name, t.Name)
			return bad()
		}
	}
	if t.Generic == "Nullable" && isNumeric(t.Elem) && (from == nil || isNumeric(value.Underlying(from)) || from == u.Object) {
		el := t.Elem
		conv := value.ConvertNumber
		if c.check == checkOn {
			conv = value.ConvertNumberChecked
		}
		return &node{eval: func(fr *value.Frame) value.Value {
			v := ne(fr)
			if v == nil {
				return nil
			}
			fr.Pos, fr.End = s, e
			r, ok := conv(v, el)
			if !ok {
				throwAt(fr, castException(v, to), s, e)
			}
			return r
		}, typ: t, slot: -1}
	}
	if n.isConst && isNumeric(t) && isNumeric(from) {
		if c.check != checkOff && value.IsIntegralType(t) {
			// a constant out of the target's range is an error (CS0221)
			if _, ok := c.foldConst(x, func() value.Value { v, _ := value.ConvertNumberChecked(n.cval, t); return v }); !ok {
				c.errAt(x, "constant-overflow", "constant value '%s' cannot be converted to a '%s' (use 'unchecked' syntax to override)", value.ToString(n.cval), t.Name)
				return bad()
			}
			if len(c.errs) > 0 && c.errs[len(c.errs)-1].Code == "constant-overflow" && c.errs[len(c.errs)-1].Pos == s {
				c.errs[len(c.errs)-1].Msg = fmt.Sprintf("constant value '%s' cannot be converted to a '%s' (use 'unchecked' syntax to override)", value.ToString(n.cval), t.Name)
				return bad()
			}
		}
		v, _ := value.ConvertNumber(n.cval, t)
		return constNode(v, t)
	}
	if from != nil && from.EnumValues != nil && isNumeric(t) {
		return &node{eval: func(fr *value.Frame) value.Value {
			v := ne(fr)
			en, ok := v.(value.Enum)
			if !ok {
				throwAt(fr, castException(v, to), s, e)
			}
			r, _ := value.ConvertNumber(en.V, t)
			return r
		}, typ: t, slot: -1}
	}
	if t.EnumValues != nil && from != nil && isNumeric(from) {
		return &node{eval: func(fr *value.Frame) value.Value {
			n, ok := value.AsInt64(ne(fr))
			if !ok {
				throwAt(fr, castException(nil, to), s, e)
			}
			return value.EnumOf(t, n)
		}, typ: t, slot: -1}
	}
	if isNumeric(t) && isNumeric(from) {
		conv := value.ConvertNumber
		if c.check == checkOn {
			conv = value.ConvertNumberChecked
		}
		return &node{eval: func(fr *value.Frame) value.Value {
			v := ne(fr)
			fr.Pos, fr.End = s, e
			r, ok := conv(v, t)
			if !ok {
				throwAt(fr, castException(v, to), s, e)
			}
			return r
		}, typ: t, slot: -1}
	}
	if t == u.Object {
		return &node{eval: ne, typ: t, slot: -1}
	}
	is := c.isFunc(t)
	valueType := t.Value
	srcText := shorten(c.text(x.X))
	jsonFrom := value.IsJSONType(from)
	xmlFrom := value.HasExplicitConversion(from, t)
	nullable := x.Type.Nullable || t.Generic == "Nullable"
	return &node{eval: func(fr *value.Frame) value.Value {
		v := ne(fr)
		if v == nil {
			if xmlFrom && valueType {
				if nullable {
					return nil
				}
				param := "element"
				if from == u.X.XAttribute {
					param = "attribute"
				}
				throwAt(fr, &value.Exception{Type: value.ExArgNull, Message: "Value cannot be null. (Parameter '" + param + "')", Cause: srcText + " is null and cannot be converted to " + t.Name, Pos: -1, End: -1}, s, e)
			}
			if valueType && jsonFrom {
				fr.Pos, fr.End = s, e
				return value.ConvertNullToken(t)
			}
			if valueType {
				throwAt(fr, &value.Exception{Type: value.ExNullRef, Message: value.MsgNullRef, Cause: fmt.Sprintf("%s is null and cannot be cast to %s", srcText, t.Name), Pos: -1, End: -1}, s, e)
			}
			return nil
		}
		if is(v) {
			return v
		}
		if r, ok := value.ExplicitConvert(v, t); ok {
			return r
		}
		throwAt(fr, castException(v, to), s, e)
		return nil
	}, typ: t, slot: -1}
}

func shorten(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
