package value

import (
	"math"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

func divZero() {
	panic(&Exception{Type: ExDivZero, Message: MsgDivZero, Pos: -1, End: -1})
}

// numKind ranks numeric operands for binary numeric promotion.
func numKind(v Value) int {
	switch v.(type) {
	case int32, uint8, Char:
		return 1
	case int64:
		return 2
	case float32:
		return 3
	case float64:
		return 4
	case dotnet.Decimal:
		return 5
	}
	return 0
}

// Arith applies a binary arithmetic or bitwise operator with C# semantics
// (unchecked integer arithmetic, integer division, string concatenation).
func Arith(op string, a, b Value) Value {
	if op == "+" {
		if ns, ok := a.(XNamespace); ok {
			return XName{NS: ns.URI, Local: ToXName(b, "localName").Local}
		}
		if sa, ok := a.(string); ok {
			return sa + ToString(b)
		}
		if sb, ok := b.(string); ok {
			return ToString(a) + sb
		}
	}
	if ea, ok := a.(Enum); ok {
		if eb, ok := b.(Enum); ok && ea.T == eb.T {
			switch op {
			case "|":
				return EnumOf(ea.T, ea.V|eb.V)
			case "&":
				return EnumOf(ea.T, ea.V&eb.V)
			case "^":
				return EnumOf(ea.T, ea.V^eb.V)
			}
		}
	}
	ka, kb := numKind(a), numKind(b)
	if ka == 0 || kb == 0 {
		if ba, ok := a.(bool); ok {
			if bb, ok := b.(bool); ok {
				switch op {
				case "&":
					return ba && bb
				case "|":
					return ba || bb
				case "^":
					return ba != bb
				}
			}
		}
		return timeArith(op, a, b)
	}
	if op == "<<" || op == ">>" {
		n, _ := AsInt64(b)
		switch x := a.(type) {
		case int64:
			if op == "<<" {
				return x << (n & 63)
			}
			return x >> (n & 63)
		default:
			xi, _ := AsInt64(a)
			if op == "<<" {
				return int32(xi) << (n & 31)
			}
			return int32(xi) >> (n & 31)
		}
	}
	switch max(ka, kb) {
	case 5:
		return decimalArith(op, a, b)
	case 3:
		x, _ := AsFloat(a)
		y, _ := AsFloat(b)
		switch op {
		case "+":
			return float32(x) + float32(y)
		case "-":
			return float32(x) - float32(y)
		case "*":
			return float32(x) * float32(y)
		case "/":
			return float32(x) / float32(y)
		case "%":
			return float32(math.Mod(float64(float32(x)), float64(float32(y))))
		}
	case 1:
		x, _ := AsInt64(a)
		y, _ := AsInt64(b)
		return int32(intOp(op, int64(int32(x)), int64(int32(y)), 32))
	case 2:
		x, _ := AsInt64(a)
		y, _ := AsInt64(b)
		return intOp(op, x, y, 64)
	default:
		x, _ := AsFloat(a)
		y, _ := AsFloat(b)
		switch op {
		case "+":
			return x + y
		case "-":
			return x - y
		case "*":
			return x * y
		case "/":
			return x / y
		case "%":
			return math.Mod(x, y)
		}
	}
	Throw(ExInvalidOp, "Operator '%s' cannot be applied to operands of type '%s' and '%s'", op, TypeName(a), TypeName(b))
	return nil
}

func intOp(op string, x, y int64, bits int) int64 {
	var r int64
	switch op {
	case "+":
		r = x + y
	case "-":
		r = x - y
	case "*":
		r = x * y
	case "/":
		if y == 0 {
			divZero()
		}
		if y == -1 {
			r = -x
		} else {
			r = x / y
		}
	case "%":
		if y == 0 {
			divZero()
		}
		if y == -1 {
			r = 0
		} else {
			r = x % y
		}
	case "&":
		r = x & y
	case "|":
		r = x | y
	case "^":
		r = x ^ y
	default:
		Throw(ExInvalidOp, "Operator '%s' cannot be applied to integers", op)
	}
	if bits == 32 {
		r = int64(int32(r))
	}
	return r
}

func timeArith(op string, a, b Value) Value {
	switch x := a.(type) {
	case time.Time:
		switch y := b.(type) {
		case TimeSpan:
			if op == "+" {
				return shiftDateTime(x, y, "t")
			}
			if op == "-" {
				return shiftDateTime(x, -y, "t")
			}
		case time.Time:
			if op == "-" {
				return spanBetween(x, y)
			}
		}
	case TimeSpan:
		if y, ok := b.(TimeSpan); ok {
			if op == "+" {
				return spanResult(x.Add(y))
			}
			if op == "-" {
				return spanResult(x.Subtract(y))
			}
		}
		if y, ok := b.(time.Time); ok && op == "+" {
			return shiftDateTime(y, x, "t")
		}
	case DateTimeOffset:
		if y, ok := b.(DateTimeOffset); ok && op == "-" {
			return spanBetween(x.T, y.T)
		}
		if y, ok := b.(TimeSpan); ok {
			if op == "+" {
				return shiftOffset(x, y, "t")
			}
			if op == "-" {
				return shiftOffset(x, -y, "t")
			}
		}
	}
	if a == nil || b == nil {
		return nil // lifted operators on nullable values
	}
	Throw(ExInvalidOp, "Operator '%s' cannot be applied to operands of type '%s' and '%s'", op, TypeName(a), TypeName(b))
	return nil
}

// Negate applies unary minus.
func Negate(v Value) Value {
	switch x := v.(type) {
	case int32:
		return -x
	case int64:
		return -x
	case float64:
		return -x
	case float32:
		return -x
	case dotnet.Decimal:
		return x.Neg()
	case uint8:
		return -int32(x)
	case Char:
		return -int32(x)
	case TimeSpan:
		return spanResult(x.Negate())
	case nil:
		return nil
	}
	Throw(ExInvalidOp, "Operator '-' cannot be applied to operand of type '%s'", TypeName(v))
	return nil
}

// Complement applies ~.
func Complement(v Value) Value {
	switch x := v.(type) {
	case int32:
		return ^x
	case int64:
		return ^x
	case uint8:
		return ^int32(x)
	}
	Throw(ExInvalidOp, "Operator '~' cannot be applied to operand of type '%s'", TypeName(v))
	return nil
}

// ConvertNumber performs an explicit numeric conversion (unchecked) to the
// numeric type t: int, long, double, byte, char, and the narrow types
// represented by them (short, ushort, sbyte as int; uint, ulong as long;
// float, decimal as double). ok is false when v is not a number.
func ConvertNumber(v Value, t *Type) (Value, bool) {
	u := Universe()
	if narrow := u.narrow[t]; narrow != nil {
		return narrow(v)
	}
	if r, ok, handled := convertDecimalSingle(u, v, t); handled {
		return r, ok
	}
	if f, isF := v.(float64); isF {
		switch t {
		case u.Double:
			return f, true
		case u.Int:
			if math.IsNaN(f) || f >= 2147483648 || f <= -2147483649 {
				return int32(math.MinInt32), true
			}
			return int32(f), true
		case u.Long:
			if math.IsNaN(f) || f >= 9.223372036854776e18 || f < -9.223372036854776e18 {
				return int64(math.MinInt64), true
			}
			return int64(f), true
		case u.Byte:
			return uint8(int64(f)), true
		case u.Char:
			return Char(uint16(int64(f))), true
		}
		return nil, false
	}
	n, ok := AsInt64(v)
	if !ok {
		return nil, false
	}
	switch t {
	case u.Int:
		return int32(n), true
	case u.Long:
		return n, true
	case u.Double:
		return float64(n), true
	case u.Byte:
		return uint8(n), true
	case u.Char:
		return Char(uint16(n)), true
	}
	return nil, false
}

// IsNumericType reports whether t is a numeric type.
func IsNumericType(t *Type) bool {
	u := Universe()
	return t == u.Int || t == u.Long || t == u.Double || t == u.Byte || t == u.Char || t == u.Decimal || t == u.Single || u.narrow[t] != nil
}

func (u *Lib) buildNarrow() {
	u.narrow = map[*Type]func(Value) (Value, bool){}
	mk := func(name, full string, base *Type, conv func(Value) (Value, bool)) {
		t := u.newType(name, full, u.Object)
		t.Value = true
		t.Members, t.Statics = base.Members, base.Statics
		t.Is = base.Is
		u.narrow[t] = conv
	}
	toI := func(v Value) (int64, bool) {
		if f, ok := v.(float64); ok {
			return int64(f), true
		}
		return AsInt64(v)
	}
	mk("short", "System.Int16", u.Int, func(v Value) (Value, bool) { n, ok := toI(v); return int32(int16(n)), ok })
	mk("ushort", "System.UInt16", u.Int, func(v Value) (Value, bool) { n, ok := toI(v); return int32(uint16(n)), ok })
	mk("sbyte", "System.SByte", u.Int, func(v Value) (Value, bool) { n, ok := toI(v); return int32(int8(n)), ok })
	mk("uint", "System.UInt32", u.Long, func(v Value) (Value, bool) { n, ok := toI(v); return int64(uint32(n)), ok })
	mk("ulong", "System.UInt64", u.Long, func(v Value) (Value, bool) { n, ok := toI(v); return n, ok })
}
