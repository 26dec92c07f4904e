package value

import (
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/dotnet"
	"github.com/tollgate/tollgate/internal/jsonx"
)

// The integer types are held as Go integers of their own width and
// signedness: sbyte int8, byte uint8, short int16, ushort uint16, int
// int32, uint uint32, long int64, ulong uint64 (char is Char).

// MsgOverflow is the message of OverflowException from checked arithmetic
// and conversions.
const MsgOverflow = "Arithmetic operation resulted in an overflow."

func overflowErr() { Throw(ExOverflow, MsgOverflow) }

// smallIntType is the type of an int8, int16, uint16, uint32 or uint64.
func smallIntType(u *Lib, v Value) *Type {
	switch v.(type) {
	case int8:
		return u.SByte
	case int16:
		return u.Short
	case uint16:
		return u.UShort
	case uint32:
		return u.UInt
	}
	return u.ULong
}

// intClass classifies an integral value for binary numeric promotion: 1
// for the types promoted to int (sbyte, short, int: signed; 2 for byte,
// ushort, char), 3 uint, 4 long, 5 ulong; 0 otherwise.
func intClass(v Value) int {
	switch v.(type) {
	case int32, int16, int8:
		return 1
	case uint8, uint16, Char:
		return 2
	case uint32:
		return 3
	case int64:
		return 4
	case uint64:
		return 5
	}
	return 0
}

// AsUint64 converts an integral value to its bits as a ulong; neg is true
// when it is a negative signed value.
func AsUint64(v Value) (n uint64, neg bool, ok bool) {
	if x, isU := v.(uint64); isU {
		return x, false, true
	}
	i, ok := AsInt64(v)
	return uint64(i), i < 0, ok
}

// compareUlong compares when one operand is a ulong and the other an
// integer (handled); ok is false when the other is not a number.
func compareUlong(a, b Value) (r int, ok bool, handled bool) {
	_, ua := a.(uint64)
	_, ub := b.(uint64)
	if !ua && !ub {
		return 0, false, false
	}
	if intClass(a) == 0 || intClass(b) == 0 {
		x, ok1 := AsFloat(a)
		y, ok2 := AsFloat(b)
		if _, dec := a.(dotnet.Decimal); dec {
			return 0, false, false
		}
		if _, dec := b.(dotnet.Decimal); dec {
			return 0, false, false
		}
		return cmp3(x < y, x > y), ok1 && ok2, true
	}
	x, xn, _ := AsUint64(a)
	y, yn, _ := AsUint64(b)
	switch {
	case xn && !yn:
		return -1, true, true
	case yn && !xn:
		return 1, true, true
	}
	return cmp3(x < y, x > y), true, true
}

// intArith applies an integer operator with C#'s binary numeric promotion;
// checked reports overflow as OverflowException.
func intArith(op string, a, b Value, checked bool) Value {
	ca, cb := intClass(a), intClass(b)
	x, _ := AsInt64(a)
	y, _ := AsInt64(b)
	switch {
	case ca == 5 || cb == 5:
		return uintOp(op, uint64(x), uint64(y), 64, checked)
	case ca == 4 || cb == 4:
		return intOpC(op, x, y, 64, checked)
	case ca == 3 || cb == 3:
		if ca == 1 || cb == 1 {
			return intOpC(op, x, y, 64, checked)
		}
		return uint32(uintOp(op, uint64(x), uint64(y), 32, checked))
	}
	return int32(intOpC(op, x, y, 32, checked))
}

// intOpC is intOp of a signed type of the given width, checked or not.
// Division of MinValue by -1 throws OverflowException in both contexts, as
// .NET does.
func intOpC(op string, x, y int64, width int, checked bool) int64 {
	var r int64
	switch op {
	case "+":
		r = x + y
		if checked && width == 64 && (x > 0 && y > 0 && r < 0 || x < 0 && y < 0 && r >= 0) {
			overflowErr()
		}
	case "-":
		r = x - y
		if checked && width == 64 && (x >= 0 && y < 0 && r < 0 || x < 0 && y > 0 && r >= 0) {
			overflowErr()
		}
	case "*":
		r = x * y
		if checked && width == 64 && x != 0 && (r/x != y || x == -1 && y == math.MinInt64 || y == -1 && x == math.MinInt64) {
			overflowErr()
		}
	case "/", "%":
		if y == 0 {
			divZero()
		}
		if y == -1 && (width == 32 && x == math.MinInt32 || width == 64 && x == math.MinInt64) {
			overflowErr()
		}
		if op == "/" {
			r = x / y
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
	if width == 32 {
		if checked && r != int64(int32(r)) {
			overflowErr()
		}
		r = int64(int32(r))
	}
	return r
}

// uintOp is an operator of uint (width 32) or ulong (64).
func uintOp(op string, x, y uint64, width int, checked bool) uint64 {
	var r uint64
	switch op {
	case "+":
		var c uint64
		r, c = bits.Add64(x, y, 0)
		if checked && c != 0 {
			overflowErr()
		}
	case "-":
		var b uint64
		r, b = bits.Sub64(x, y, 0)
		if checked && b != 0 {
			overflowErr()
		}
	case "*":
		var hi uint64
		hi, r = bits.Mul64(x, y)
		if checked && hi != 0 {
			overflowErr()
		}
	case "/", "%":
		if y == 0 {
			divZero()
		}
		if op == "/" {
			r = x / y
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
	if width == 32 {
		if checked && r > math.MaxUint32 {
			overflowErr()
		}
		r &= math.MaxUint32
	}
	return r
}

// shift applies << or >> to an integer: int, uint, long and ulong shift
// in their width (the count masked to it), the smaller types as int.
func shift(op string, a, b Value) Value {
	n, _ := AsInt64(b)
	switch x := a.(type) {
	case int64:
		if op == "<<" {
			return x << (n & 63)
		}
		return x >> (n & 63)
	case uint64:
		if op == "<<" {
			return x << (n & 63)
		}
		return x >> (n & 63)
	case uint32:
		if op == "<<" {
			return x << (n & 31)
		}
		return x >> (n & 31)
	}
	xi, _ := AsInt64(a)
	if op == "<<" {
		return int32(xi) << (n & 31)
	}
	return int32(xi) >> (n & 31)
}

// NegateChecked is unary minus in a checked context.
func NegateChecked(v Value) Value {
	switch x := v.(type) {
	case int32:
		if x == math.MinInt32 {
			overflowErr()
		}
	case int64:
		if x == math.MinInt64 {
			overflowErr()
		}
	case uint64:
		if x != 0 {
			overflowErr()
		}
		return uint64(0)
	}
	return Negate(v)
}

// ArithChecked is Arith in a checked context: integer +, -, * overflow
// throws OverflowException.
func ArithChecked(op string, a, b Value) Value {
	if intClass(a) != 0 && intClass(b) != 0 && op != "<<" && op != ">>" {
		return intArith(op, a, b, true)
	}
	return Arith(op, a, b)
}

// intTarget describes an integral conversion target.
type intTarget struct {
	bits   int
	signed bool
	box    func(uint64) Value
}

func (u *Lib) intTarget(t *Type) *intTarget {
	switch t {
	case u.Int:
		return &intTarget{32, true, func(n uint64) Value { return int32(n) }}
	case u.Long:
		return &intTarget{64, true, func(n uint64) Value { return int64(n) }}
	case u.Byte:
		return &intTarget{8, false, func(n uint64) Value { return uint8(n) }}
	case u.Char:
		return &intTarget{16, false, func(n uint64) Value { return Char(uint16(n)) }}
	case u.SByte:
		return &intTarget{8, true, func(n uint64) Value { return int8(n) }}
	case u.Short:
		return &intTarget{16, true, func(n uint64) Value { return int16(n) }}
	case u.UShort:
		return &intTarget{16, false, func(n uint64) Value { return uint16(n) }}
	case u.UInt:
		return &intTarget{32, false, func(n uint64) Value { return uint32(n) }}
	case u.ULong:
		return &intTarget{64, false, func(n uint64) Value { return n }}
	}
	return nil
}

// inRange reports whether the integer (bits n, negative when neg) fits.
func (it *intTarget) inRange(n uint64, neg bool) bool {
	if neg {
		if !it.signed {
			return false
		}
		return int64(n) >= -1<<(it.bits-1)
	}
	if it.signed {
		return n <= 1<<(it.bits-1)-1
	}
	return it.bits == 64 || n <= 1<<it.bits-1
}

// floatToInt converts a double to the integral target: truncation toward
// zero; out of range, checked throws, unchecked gives what .NET 8 on x64
// gives (int and long MinValue; the types below 32 bits through int;
// uint through long; ulong through long below 2^63, NaN and 2^64 or more
// 0).
func (it *intTarget) floatToInt(f float64, checked bool) Value {
	t := math.Trunc(f)
	if checked {
		lo, hi := 0.0, math.Ldexp(1, it.bits)
		if it.signed {
			lo, hi = -math.Ldexp(1, it.bits-1), math.Ldexp(1, it.bits-1)
		}
		if math.IsNaN(t) || t < lo || t >= hi {
			overflowErr()
		}
		if t < 0 {
			return it.box(uint64(int64(t)))
		}
		return it.box(uint64(t))
	}
	switch {
	case it.bits == 64 && !it.signed:
		// the runtime's helper: below 2^63 through long, else
		// through long after taking 2^63 off (so NaN and 2^64 and
		// more give 0)
		if t < 9.223372036854775808e18 {
			if t < -9.223372036854775808e18 {
				return it.box(1 << 63)
			}
			return it.box(uint64(int64(t)))
		}
		if t < 1.8446744073709551616e19 {
			return it.box(uint64(t))
		}
		return it.box(0)
	case it.bits == 64 || it.bits == 32 && !it.signed:
		if math.IsNaN(t) || t >= 9.223372036854775808e18 || t < -9.223372036854775808e18 {
			return it.box(1 << 63)
		}
		return it.box(uint64(int64(t)))
	}
	if math.IsNaN(t) || t >= 2147483648 || t < -2147483648 {
		minInt32 := int64(math.MinInt32)
		return it.box(uint64(minInt32))
	}
	return it.box(uint64(int64(t)))
}

// decimalToInt is the explicit conversion of a decimal to an integral
// type: truncation, OverflowException out of range in any context.
func (it *intTarget) decimalToInt(d dotnet.Decimal, what string) Value {
	tr := d.Truncate()
	s := tr.String()
	var n uint64
	neg := len(s) > 0 && s[0] == '-'
	var err error
	if neg {
		var i int64
		i, err = strconv.ParseInt(s, 10, 64)
		n = uint64(i)
	} else {
		n, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil || !it.inRange(n, neg && n != 0) {
		Throw(ExOverflow, "Value was either too large or too small for %s.", what)
	}
	return it.box(n)
}

// convertInt converts v to the integral type it describes.
func (u *Lib) convertInt(v Value, t *Type, it *intTarget, checked bool) (Value, bool) {
	switch x := v.(type) {
	case float64:
		return it.floatToInt(x, checked), true
	case float32:
		return it.floatToInt(float64(x), checked), true
	case dotnet.Decimal:
		return it.decimalToInt(x, decimalWhat(u, t)), true
	}
	n, neg, ok := AsUint64(v)
	if !ok {
		return nil, false
	}
	if checked && !it.inRange(n, neg) {
		overflowErr()
	}
	return it.box(n), true
}

func decimalWhat(u *Lib, t *Type) string {
	switch t {
	case u.Int:
		return "an Int32"
	case u.Long:
		return "an Int64"
	case u.Byte:
		return "an unsigned byte"
	case u.Char:
		return "a character"
	case u.SByte:
		return "a signed byte"
	case u.Short:
		return "an Int16"
	case u.UShort:
		return "a UInt16"
	case u.UInt:
		return "a UInt32"
	}
	return "a UInt64"
}

// ConvertNumber performs an explicit numeric conversion (unchecked) to the
// numeric type t. ok is false when v is not a number.
func ConvertNumber(v Value, t *Type) (Value, bool) {
	return convertNumber(v, t, false)
}

// ConvertNumberChecked is ConvertNumber in a checked context: an integral
// result out of the target's range throws OverflowException.
func ConvertNumberChecked(v Value, t *Type) (Value, bool) {
	return convertNumber(v, t, true)
}

func convertNumber(v Value, t *Type, checked bool) (Value, bool) {
	u := Universe()
	// the common cases first
	// (a value of the target type is returned as it is, not boxed again)
	switch t {
	case u.Int:
		if _, ok := v.(int32); ok {
			return v, true
		}
	case u.Long:
		switch x := v.(type) {
		case int64:
			return v, true
		case int32:
			return int64(x), true
		}
	case u.Double:
		switch x := v.(type) {
		case float64:
			return v, true
		case int32:
			return float64(x), true
		case int64:
			return float64(x), true
		}
	}
	if it := u.intTarget(t); it != nil {
		return u.convertInt(v, t, it, checked)
	}
	if t == u.Double {
		if d, ok := v.(dotnet.Decimal); ok {
			return d.Float64(), true
		}
		f, ok := AsFloat(v)
		return f, ok
	}
	if t == u.Decimal {
		if x, ok := v.(uint64); ok {
			d, _ := dotnet.DecimalFromParts(int32(uint32(x)), int32(uint32(x>>32)), 0, false, 0)
			return d, true
		}
	}
	if r, ok, handled := convertDecimalSingle(u, v, t); handled {
		return r, ok
	}
	return nil, false
}

// IsNumericType reports whether t is a numeric type.
func IsNumericType(t *Type) bool {
	u := Universe()
	return t == u.Int || t == u.Long || t == u.Double || t == u.Byte || t == u.Char || t == u.Decimal || t == u.Single ||
		t != nil && (t == u.SByte || t == u.Short || t == u.UShort || t == u.UInt || t == u.ULong)
}

// IsIntegralType reports whether t is one of the integer types or char.
func IsIntegralType(t *Type) bool { return Universe().intTarget(t) != nil }

// implicitNumeric lists C#'s implicit numeric conversions (besides the
// identity) by target, as Go type names of the source.
func ImplicitNumeric(from, to *Type) bool {
	u := Universe()
	if from == to {
		return true
	}
	targets := map[*Type][]*Type{
		u.SByte:  {u.Short, u.Int, u.Long, u.Single, u.Double, u.Decimal},
		u.Byte:   {u.Short, u.UShort, u.Int, u.UInt, u.Long, u.ULong, u.Single, u.Double, u.Decimal},
		u.Short:  {u.Int, u.Long, u.Single, u.Double, u.Decimal},
		u.UShort: {u.Int, u.UInt, u.Long, u.ULong, u.Single, u.Double, u.Decimal},
		u.Int:    {u.Long, u.Single, u.Double, u.Decimal},
		u.UInt:   {u.Long, u.ULong, u.Single, u.Double, u.Decimal},
		u.Long:   {u.Single, u.Double, u.Decimal},
		u.ULong:  {u.Single, u.Double, u.Decimal},
		u.Char:   {u.UShort, u.Int, u.UInt, u.Long, u.ULong, u.Single, u.Double, u.Decimal},
		u.Single: {u.Double},
	}
	for _, x := range targets[from] {
		if x == to {
			return true
		}
	}
	return false
}

// ConstFits reports whether the integral constant v fits the integral
// type t (C#'s implicit constant expression conversion).
func ConstFits(v Value, t *Type) bool {
	u := Universe()
	it := u.intTarget(t)
	if it == nil || t == u.Char {
		return false
	}
	n, neg, ok := AsUint64(v)
	return ok && it.inRange(n, neg)
}

func (u *Lib) buildNarrow() {
	mk := func(name, full string, base *Type, is func(Value) bool) *Type {
		t := u.newType(name, full, u.Object)
		t.Value = true
		t.Members, t.Statics = base.Members, base.Statics
		t.Is = is
		return t
	}
	u.Short = mk("short", "System.Int16", u.Int, func(v Value) bool { _, ok := v.(int16); return ok })
	u.UShort = mk("ushort", "System.UInt16", u.Int, func(v Value) bool { _, ok := v.(uint16); return ok })
	u.SByte = mk("sbyte", "System.SByte", u.Int, func(v Value) bool { _, ok := v.(int8); return ok })
	u.UInt = mk("uint", "System.UInt32", u.Long, func(v Value) bool { _, ok := v.(uint32); return ok })
	u.ULong = mk("ulong", "System.UInt64", u.Long, func(v Value) bool { _, ok := v.(uint64); return ok })
}

// convertToUInt64 is Convert.ToUInt64(value[, fromBase]).
func convertToUInt64(c Call) Value {
	overflow := func() { Throw(ExOverflow, "Value was either too large or too small for a UInt64.") }
	switch x := c.Args[0].(type) {
	case nil:
		return uint64(0)
	case uint64:
		return x
	case string:
		if c.Has(1) {
			return parseInBase(x, c.Int(1))
		}
		n, err := parseUint64(x)
		if err != nil {
			panic(err)
		}
		return n
	case float64, float32, dotnet.Decimal:
		var r float64
		if d, ok := x.(dotnet.Decimal); ok {
			d = mustDec(d.Round(0, false))
			if d.Sign() < 0 {
				overflow()
			}
			n, err := strconv.ParseUint(d.String(), 10, 64)
			if err != nil {
				overflow()
			}
			return n
		}
		f, _ := AsFloat(x)
		r = math.RoundToEven(f)
		if math.IsNaN(r) || r < 0 || r >= 1.8446744073709551616e19 {
			overflow()
		}
		return uint64(r)
	case bool:
		if x {
			return uint64(1)
		}
		return uint64(0)
	}
	n, ok := AsInt64(c.Args[0])
	if !ok {
		ThrowCast(c.Args[0], "System.IConvertible")
	}
	if n < 0 {
		overflow()
	}
	return uint64(n)
}

// parseUint64 is ulong.Parse(s): the integer syntax of int.Parse, with
// OverflowException outside 0..ulong.MaxValue.
func parseUint64(s string) (uint64, error) {
	n, err := ParseInt(s, 64)
	if err == nil {
		if n < 0 {
			return 0, &Exception{Type: ExOverflow, Message: "Value was either too large or too small for a UInt64.", Pos: -1, End: -1}
		}
		return uint64(n), nil
	}
	if e, ok := err.(*Exception); ok && e.Type == ExOverflow {
		t := strings.TrimPrefix(strings.Trim(s, " \t\r\n"), "+")
		if u, err2 := strconv.ParseUint(t, 10, 64); err2 == nil {
			return u, nil
		}
		e.Message = "Value was either too large or too small for a UInt64."
	}
	return 0, err
}

// ulongStatics gives ulong the generic-math statics that order values,
// compared as unsigned.
func (u *Lib) ulongStatics(t *Type) {
	arg := func(c Call, i int) uint64 { n, _, _ := AsUint64(c.Args[i]); return n }
	t.addStatic(
		meth("Max", 2, 2, t, func(c Call) Value { return max(arg(c, 0), arg(c, 1)) }),
		meth("Min", 2, 2, t, func(c Call) Value { return min(arg(c, 0), arg(c, 1)) }),
		meth("Clamp", 3, 3, t, func(c Call) Value {
			v, lo, hi := arg(c, 0), arg(c, 1), arg(c, 2)
			if lo > hi {
				Throw(ExArgument, "'%d' cannot be greater than %d.", lo, hi)
			}
			return min(max(v, lo), hi)
		}),
		meth("DivRem", 2, 2, u.ValueTupleOf([]string{"Quotient", "Remainder"}, []*Type{t, t}), func(c Call) Value {
			a, b := arg(c, 0), arg(c, 1)
			if b == 0 {
				Throw(ExDivZero, MsgDivZero)
			}
			return &ValueTuple{T: u.ValueTupleOf([]string{"Quotient", "Remainder"}, []*Type{t, t}), Items: []Value{a / b, a % b}}
		}),
		meth("IsPow2", 1, 1, u.Bool, func(c Call) Value { n := arg(c, 0); return n != 0 && n&(n-1) == 0 }),
		meth("Log2", 1, 1, t, func(c Call) Value {
			n := arg(c, 0)
			if n == 0 {
				return uint64(0)
			}
			return uint64(63 - bits.LeadingZeros64(n))
		}),
		meth("Sign", 1, 1, u.Int, func(c Call) Value {
			if arg(c, 0) == 0 {
				return int32(0)
			}
			return int32(1)
		}),
	)
}

// integerEquals gives the integer type t Equals and CompareTo with their
// two overloads: Equals(T) and CompareTo(T) compare values (an argument
// whose static type converts implicitly to T, or an int, which C# takes as
// a constant that fits), Equals(object) and CompareTo(object) need a boxed
// T (((short)1).Equals((object)1) is False; CompareTo of a boxed int
// throws ArgumentException).
func (u *Lib) integerEquals(t *Type) {
	byValue := func(recv *Type, args []*Type) []*Type {
		if len(args) == 1 && args[0] != nil && (args[0] == t || ImplicitNumeric(args[0], t) || args[0] == u.Int && IsIntegralType(t)) {
			return []*Type{t}
		}
		return nil
	}
	eq := meth("Equals", 1, 1, u.Bool, func(c Call) Value {
		if len(c.TArgs) == 1 {
			r, ok := Compare(c.This, c.Args[0])
			return ok && r == 0
		}
		return Equals(c.This, c.Args[0])
	})
	eq.InferTArgs = byValue
	cmp := meth("CompareTo", 1, 1, u.Int, func(c Call) Value {
		a := c.Args[0]
		if len(c.TArgs) != 1 {
			if a == nil {
				return int32(1)
			}
			if TypeOf(a) != t {
				Throw(ExArgument, "Object must be of type %s.", t.FullName[7:])
			}
		}
		r, ok := Compare(c.This, a)
		if !ok {
			Throw(ExArgument, "Object must be of type %s.", t.FullName[7:])
		}
		return int32(r)
	})
	cmp.InferTArgs = byValue
	t.add(eq, cmp)
}

// tokenToInteger converts a JSON token to sbyte, short, ushort, uint or
// ulong as Json.NET's explicit conversions do (Convert.ToUInt64 and the
// others: OverflowException out of range).
func tokenToInteger(tok *jsonx.Token, t *Type, null bool) Value {
	u := Universe()
	if null {
		return nil
	}
	if tok == nil {
		Throw(ExArgument, "Can not convert Null to %s.", t.FullName[7:])
	}
	it := u.intTarget(t)
	what := decimalWhat(u, t)
	if b := tok.BigInt(); b != nil {
		if !b.IsUint64() || !it.inRange(b.Uint64(), false) {
			Throw(ExOverflow, "Value was either too large or too small for %s.", what)
		}
		return it.box(b.Uint64())
	}
	n, ok, err := tok.AsInt64()
	if err != nil {
		jsonErr(err)
	}
	if !ok {
		Throw(ExArgument, "Can not convert Null to %s.", t.FullName[7:])
	}
	if !it.inRange(uint64(n), n < 0) {
		Throw(ExOverflow, "Value was either too large or too small for %s.", what)
	}
	return it.box(uint64(n))
}

// commonIntType is the integer type overload resolution picks for two
// integer arguments of a method with an overload per integer type
// (Math.Max): the first of sbyte, byte, short, ushort, int, uint, long and
// ulong that both convert to; ulong when one is a ulong (the other taken
// as a constant). nil when either is not an integer.
func commonIntType(u *Lib, a, b Value) *Type {
	if intClass(a) == 0 || intClass(b) == 0 {
		return nil
	}
	ta, tb := TypeOf(a), TypeOf(b)
	if ta == tb {
		return ta
	}
	for _, t := range []*Type{u.SByte, u.Byte, u.Short, u.UShort, u.Int, u.UInt, u.Long, u.ULong} {
		if ImplicitNumeric(ta, t) && ImplicitNumeric(tb, t) {
			return t
		}
	}
	return u.ULong
}
