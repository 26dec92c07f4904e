package value

import (
	"math"
)

// buildMathMore adds the System.Math members beyond the common ones.
func (u *Lib) buildMathMore() {
	m := u.Types["Math"]
	// The value tuples of DivRem(left, right) and SinCos.
	quotRem := []string{"Quotient", "Remainder"}
	divRemInt := u.ValueTupleOf(quotRem, []*Type{u.Int, u.Int})
	divRemLong := u.ValueTupleOf(quotRem, []*Type{u.Long, u.Long})
	sinCos := u.ValueTupleOf([]string{"Sin", "Cos"}, []*Type{u.Double, u.Double})
	f1 := func(name string, f func(float64) float64) *Member {
		return meth(name, 1, 1, u.Double, func(c Call) Value { return f(c.Float(0)) })
	}
	f2 := func(name string, f func(a, b float64) float64) *Member {
		return meth(name, 2, 2, u.Double, func(c Call) Value { return f(c.Float(0), c.Float(1)) })
	}
	magnitude := func(isMax bool) func(a, b float64) float64 {
		return func(a, b float64) float64 {
			ax, bx := math.Abs(a), math.Abs(b)
			switch {
			case math.IsNaN(a) || math.IsNaN(b):
				return math.NaN()
			case ax == bx:
				if isMax {
					return math.Max(a, b)
				}
				return math.Min(a, b)
			case (ax > bx) == isMax:
				return a
			}
			return b
		}
	}
	m.addStatic(
		f1("Acos", math.Acos), f1("Acosh", math.Acosh), f1("Asin", math.Asin), f1("Asinh", math.Asinh),
		f1("Atan", math.Atan), f1("Atanh", math.Atanh), f1("Cbrt", math.Cbrt), f1("Cosh", math.Cosh),
		f1("Log2", math.Log2), f1("Sinh", math.Sinh), f1("Tanh", math.Tanh),
		f1("BitDecrement", func(x float64) float64 { return math.Nextafter(x, math.Inf(-1)) }),
		f1("BitIncrement", func(x float64) float64 { return math.Nextafter(x, math.Inf(1)) }),
		f1("ReciprocalEstimate", func(x float64) float64 { return 1 / x }),
		f1("ReciprocalSqrtEstimate", func(x float64) float64 { return 1 / math.Sqrt(x) }),
		f2("Atan2", math.Atan2), f2("CopySign", math.Copysign), f2("IEEERemainder", math.Remainder),
		f2("MaxMagnitude", magnitude(true)), f2("MinMagnitude", magnitude(false)),
		meth("FusedMultiplyAdd", 3, 3, u.Double, func(c Call) Value { return math.FMA(c.Float(0), c.Float(1), c.Float(2)) }),
		meth("ScaleB", 2, 2, u.Double, func(c Call) Value { return math.Ldexp(c.Float(0), c.Int(1)) }),
		meth("ILogB", 1, 1, u.Int, func(c Call) Value { return int32(math.Ilogb(c.Float(0))) }),
		meth("BigMul", 2, 2, u.Long, func(c Call) Value {
			a, _ := AsInt64(c.Args[0])
			b, _ := AsInt64(c.Args[1])
			return a * b
		}),
		&Member{Name: "DivRem", Kind: Method, Min: 2, Max: 3, Out: []int{2}, Fn: func(c Call) Value {
			a, _ := AsInt64(c.Args[0])
			b, _ := AsInt64(c.Args[1])
			if b == 0 {
				Throw(ExDivZero, MsgDivZero)
			}
			var q, r Value = int32(a / b), int32(a % b)
			tuple := divRemInt
			if _, long := c.Args[0].(int64); long {
				q, r, tuple = a/b, a%b, divRemLong
			}
			if len(c.Args) == 2 { // (Quotient, Remainder): .NET 6
				return &ValueTuple{T: tuple, Items: []Value{q, r}}
			}
			c.Args[2] = r
			return q
		}, ResultOf: func(_ *Type, a []*Type, _ []*Type) *Type {
			long := len(a) > 0 && a[0] == u.Long
			switch {
			case len(a) == 2 && long:
				return divRemLong
			case len(a) == 2:
				return divRemInt
			case long:
				return u.Long
			}
			return u.Int
		}},
		meth("SinCos", 1, 1, sinCos, func(c Call) Value {
			sin, cos := math.Sincos(c.Float(0))
			return &ValueTuple{T: sinCos, Items: []Value{sin, cos}}
		}),
		&Member{Name: "Clamp", Kind: Method, Min: 3, Max: 3, Fn: func(c Call) Value {
			v, lo, hi := c.Args[0], c.Args[1], c.Args[2]
			if r, _ := Compare(lo, hi); r > 0 {
				Throw(ExArgument, "'%s' cannot be greater than %s.", ToString(lo), ToString(hi))
			}
			if r, _ := Compare(v, lo); r < 0 {
				v = lo
			} else if r, _ := Compare(v, hi); r > 0 {
				v = hi
			}
			if t := TypeOf(c.Args[0]); t != nil {
				if x, ok := ConvertNumber(v, t); ok {
					return x
				}
			}
			return v
		}, ResultOf: func(_ *Type, a []*Type, _ []*Type) *Type {
			if len(a) > 0 {
				return a[0]
			}
			return nil
		}},
		prop("Tau", u.Double, func(Call) Value { return 2 * math.Pi }),
	)
}
