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
	case int32, uint8, Char, int8, int16, uint16:
		return 1
	case int64, uint32, uint64:
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
		return shift(op, a, b)
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
	case 1, 2:
		return intArith(op, a, b, false)
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
	case int8:
		return -int32(x)
	case int16:
		return -int32(x)
	case uint16:
		return -int32(x)
	case uint32:
		return -int64(x)
	case uint64:
		return -x
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
	case int8:
		return ^int32(x)
	case int16:
		return ^int32(x)
	case uint16:
		return ^int32(x)
	case uint32:
		return ^x
	case uint64:
		return ^x
	case Char:
		return ^int32(x)
	}
	Throw(ExInvalidOp, "Operator '~' cannot be applied to operand of type '%s'", TypeName(v))
	return nil
}
