package value

import (
	"math"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// toDecimal converts an integral, decimal or floating-point value to a
// System.Decimal (implicit conversions from integers, explicit ones from
// floating point).
func toDecimal(v Value) (dotnet.Decimal, bool) {
	switch x := v.(type) {
	case dotnet.Decimal:
		return x, true
	case float64:
		d, err := dotnet.DecimalFromFloat64(x)
		return d, err == nil
	case float32:
		d, err := dotnet.DecimalFromFloat64(float64(x))
		return d, err == nil
	}
	if n, ok := AsInt64(v); ok {
		return dotnet.DecimalFromInt64(n), true
	}
	return dotnet.Decimal{}, false
}

func mustDec(d dotnet.Decimal, err error) dotnet.Decimal {
	if err != nil {
		throwDotnet(err)
	}
	return d
}

// decimalArith applies a binary operator when one operand is a decimal.
func decimalArith(op string, a, b Value) Value {
	if numKind(a) == 3 || numKind(a) == 4 || numKind(b) == 3 || numKind(b) == 4 {
		Throw(ExInvalidOp, "Operator '%s' cannot be applied to operands of type '%s' and '%s'", op, TypeName(a), TypeName(b))
	}
	x, _ := toDecimal(a)
	y, _ := toDecimal(b)
	switch op {
	case "+":
		return mustDec(x.Add(y))
	case "-":
		return mustDec(x.Sub(y))
	case "*":
		return mustDec(x.Mul(y))
	case "/":
		if y.IsZero() {
			divZero()
		}
		return mustDec(x.Div(y))
	case "%":
		if y.IsZero() {
			divZero()
		}
		q := mustDec(x.Div(y)).Truncate()
		return mustDec(x.Sub(mustDec(q.Mul(y))))
	}
	Throw(ExInvalidOp, "Operator '%s' cannot be applied to operands of type 'System.Decimal'", op)
	return nil
}

// convertDecimalSingle performs explicit conversions to and from decimal
// and float; handled is false when neither side is one of them.
func convertDecimalSingle(u *Lib, v Value, t *Type) (r Value, ok bool, handled bool) {
	switch t {
	case u.Decimal:
		switch x := v.(type) {
		case float64, float32:
			f, _ := AsFloat(x)
			d, err := dotnet.DecimalFromFloat64(f)
			if err != nil {
				Throw(ExOverflow, "Value was either too large or too small for a Decimal.")
			}
			return d, true, true
		}
		d, ok := toDecimal(v)
		if !ok {
			return nil, false, true
		}
		return d, true, true
	case u.Single:
		f, ok := AsFloat(v)
		if !ok {
			return nil, false, true
		}
		return float32(f), true, true
	}
	switch x := v.(type) {
	case float32:
		return convertFloat(u, float64(x), t)
	case dotnet.Decimal:
		if t == u.Double {
			return x.Float64(), true, true
		}
		n, err := x.Int64()
		if err != nil {
			throwDotnet(err)
		}
		lim := map[*Type][2]int64{u.Int: {math.MinInt32, math.MaxInt32}, u.Byte: {0, 255}, u.Char: {0, 65535}}
		if l, ok := lim[t]; ok && (n < l[0] || n > l[1]) {
			Throw(ExOverflow, "Value was either too large or too small for %s.", map[*Type]string{u.Int: "an Int32", u.Byte: "an unsigned byte", u.Char: "a character"}[t])
		}
		r, ok := ConvertNumber(n, t)
		return r, ok, true
	}
	return nil, false, false
}

func convertFloat(u *Lib, f float64, t *Type) (Value, bool, bool) {
	r, ok := ConvertNumber(f, t)
	return r, ok, true
}

func (u *Lib) buildDecimal() {
	dec := u.newType("decimal", "System.Decimal", u.Object, "Decimal")
	sgl := u.newType("float", "System.Single", u.Object, "Single")
	u.Decimal, u.Single = dec, sgl
	for _, t := range []*Type{dec, sgl} {
		t.Value = true
		t.add(prop("Value", t, func(c Call) Value { return c.This }),
			prop("HasValue", u.Bool, func(c Call) Value { return true }),
			meth("GetValueOrDefault", 0, 1, t, func(c Call) Value { return c.This }))
	}
	dec.Is = func(v Value) bool { _, ok := v.(dotnet.Decimal); return ok }
	sgl.Is = func(v Value) bool { _, ok := v.(float32); return ok }
	arg := func(c Call, i int) dotnet.Decimal {
		d, ok := toDecimal(c.Args[i])
		if !ok {
			c.NotNull(i, "d")
			ThrowCast(c.Args[i], "System.Decimal")
		}
		return d
	}
	floor := func(d dotnet.Decimal, up bool) dotnet.Decimal {
		t := d.Truncate()
		if t.Cmp(d) == 0 {
			return t
		}
		if up && d.Sign() > 0 {
			return mustDec(t.Add(dotnet.DecimalFromInt64(1)))
		}
		if !up && d.Sign() < 0 {
			return mustDec(t.Sub(dotnet.DecimalFromInt64(1)))
		}
		return t
	}
	round := func(c Call) Value {
		d := arg(c, 0)
		digits, away := 0, false
		for _, a := range c.Args[1:] {
			switch y := a.(type) {
			case int32:
				digits = int(y)
			case Enum:
				away = y.Name == "AwayFromZero"
			}
		}
		return mustDec(d.Round(digits, away))
	}
	max, _ := dotnet.ParseDecimal("79228162514264337593543950335")
	dec.addStatic(
		meth("Parse", 1, 3, dec, func(c Call) Value {
			c.NotNull(0, "s")
			return mustDec(dotnet.ParseDecimal(c.Str(0)))
		}),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 4, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			last := len(c.Args) - 1
			d, ok := dotnet.TryParseDecimal(c.Str(0))
			if !ok || c.IsNull(0) {
				c.Args[last] = dotnet.Decimal{}
				return false
			}
			c.Args[last] = d
			return true
		}},
		prop("MaxValue", dec, func(Call) Value { return max }),
		prop("MinValue", dec, func(Call) Value { return max.Neg() }),
		prop("Zero", dec, func(Call) Value { return dotnet.Decimal{} }),
		prop("One", dec, func(Call) Value { return dotnet.DecimalFromInt64(1) }),
		prop("MinusOne", dec, func(Call) Value { return dotnet.DecimalFromInt64(-1) }),
		meth("Round", 1, 3, dec, round),
		meth("Truncate", 1, 1, dec, func(c Call) Value { return arg(c, 0).Truncate() }),
		meth("Floor", 1, 1, dec, func(c Call) Value { return floor(arg(c, 0), false) }),
		meth("Ceiling", 1, 1, dec, func(c Call) Value { return floor(arg(c, 0), true) }),
		meth("Negate", 1, 1, dec, func(c Call) Value { return arg(c, 0).Neg() }),
		meth("Add", 2, 2, dec, func(c Call) Value { return decimalArith("+", arg(c, 0), arg(c, 1)) }),
		meth("Subtract", 2, 2, dec, func(c Call) Value { return decimalArith("-", arg(c, 0), arg(c, 1)) }),
		meth("Multiply", 2, 2, dec, func(c Call) Value { return decimalArith("*", arg(c, 0), arg(c, 1)) }),
		meth("Divide", 2, 2, dec, func(c Call) Value { return decimalArith("/", arg(c, 0), arg(c, 1)) }),
		meth("Remainder", 2, 2, dec, func(c Call) Value { return decimalArith("%", arg(c, 0), arg(c, 1)) }),
		meth("Compare", 2, 2, u.Int, func(c Call) Value { return int32(arg(c, 0).Cmp(arg(c, 1))) }),
		meth("ToDouble", 1, 1, u.Double, func(c Call) Value { return arg(c, 0).Float64() }),
		meth("ToInt32", 1, 1, u.Int, func(c Call) Value { r, _, _ := convertDecimalSingle(u, arg(c, 0), u.Int); return r }),
		meth("ToInt64", 1, 1, u.Long, func(c Call) Value { r, _, _ := convertDecimalSingle(u, arg(c, 0), u.Long); return r }),
	)
	f32 := func(c Call) float32 { return float32(c.Float(0)) }
	sgl.addStatic(
		meth("Parse", 1, 3, sgl, func(c Call) Value {
			c.NotNull(0, "s")
			f, err := dotnet.ParseDouble(c.Str(0))
			if err != nil {
				throwDotnet(err)
			}
			return float32(f)
		}),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 4, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			last := len(c.Args) - 1
			f, ok := dotnet.TryParseDouble(c.Str(0))
			if !ok || c.IsNull(0) {
				c.Args[last] = float32(0)
				return false
			}
			c.Args[last] = float32(f)
			return true
		}},
		meth("IsNaN", 1, 1, u.Bool, func(c Call) Value { return math.IsNaN(c.Float(0)) }),
		meth("IsInfinity", 1, 1, u.Bool, func(c Call) Value { return math.IsInf(float64(f32(c)), 0) }),
		prop("NaN", sgl, func(Call) Value { return float32(math.NaN()) }),
		prop("MaxValue", sgl, func(Call) Value { return float32(math.MaxFloat32) }),
		prop("MinValue", sgl, func(Call) Value { return float32(-math.MaxFloat32) }),
		prop("Epsilon", sgl, func(Call) Value { return float32(math.SmallestNonzeroFloat32) }),
		prop("PositiveInfinity", sgl, func(Call) Value { return float32(math.Inf(1)) }),
		prop("NegativeInfinity", sgl, func(Call) Value { return float32(math.Inf(-1)) }),
	)
}

// buildDecimalMath adds the decimal and float overloads of Math and Convert
// members defined for double.
func (u *Lib) buildDecimalMath() {
	m := u.Types["Math"]
	if m == nil {
		return
	}
	overload := func(name string, dec func(c Call) Value) {
		old := m.Statics[name]
		if old == nil {
			return
		}
		fn, res, resOf := old.Fn, old.Result, old.ResultOf
		cp := *old
		cp.Fn = func(c Call) Value {
			if len(c.Args) > 0 {
				if _, ok := c.Args[0].(dotnet.Decimal); ok {
					return dec(c)
				}
			}
			r := fn(c)
			if len(c.Args) > 0 {
				// Math.Abs, Max and Min have float overloads; the others
				// take the float as a double
				if _, ok := c.Args[0].(float32); ok && (name == "Abs" || name == "Max" || name == "Min") {
					if f, ok := r.(float64); ok {
						return float32(f)
					}
				}
			}
			return r
		}
		cp.Result = nil
		cp.ResultOf = func(this *Type, a []*Type, ta []*Type) *Type {
			if len(a) > 0 && a[0] == u.Decimal {
				return u.Decimal
			}
			if resOf != nil {
				return resOf(this, a, ta)
			}
			return res
		}
		m.Statics[name] = &cp
	}
	ds := u.Decimal.Statics
	overload("Round", ds["Round"].Fn)
	overload("Truncate", ds["Truncate"].Fn)
	overload("Floor", ds["Floor"].Fn)
	overload("Ceiling", ds["Ceiling"].Fn)
	overload("Abs", func(c Call) Value {
		d := c.Args[0].(dotnet.Decimal)
		if d.Sign() < 0 {
			return d.Neg()
		}
		return d
	})
	minmax := func(isMax bool) func(c Call) Value {
		return func(c Call) Value {
			a, _ := toDecimal(c.Args[0])
			b, ok := toDecimal(c.Args[1])
			if !ok {
				ThrowCast(c.Args[1], "System.Decimal")
			}
			if (a.Cmp(b) < 0) == isMax {
				return b
			}
			return a
		}
	}
	overload("Max", minmax(true))
	overload("Min", minmax(false))
	overload("Sign", func(c Call) Value { return int32(c.Args[0].(dotnet.Decimal).Sign()) })
	m.Statics["Sign"].ResultOf = func(*Type, []*Type, []*Type) *Type { return u.Int }

	cv := u.Types["Convert"]
	if cv == nil {
		return
	}
	cv.addStatic(
		meth("ToDecimal", 1, 2, u.Decimal, func(c Call) Value {
			switch x := c.Args[0].(type) {
			case nil:
				return dotnet.Decimal{}
			case string:
				return mustDec(dotnet.ParseDecimal(x))
			case bool:
				if x {
					return dotnet.DecimalFromInt64(1)
				}
				return dotnet.Decimal{}
			}
			r, ok, _ := convertDecimalSingle(u, c.Args[0], u.Decimal)
			if !ok {
				ThrowCast(c.Args[0], "System.IConvertible")
			}
			return r
		}),
		meth("ToSingle", 1, 2, u.Single, func(c Call) Value {
			switch x := c.Args[0].(type) {
			case nil:
				return float32(0)
			case string:
				f, err := dotnet.ParseDouble(x)
				if err != nil {
					throwDotnet(err)
				}
				return float32(f)
			}
			return float32(c.Float(0))
		}),
	)
	for _, name := range []string{"ToInt32", "ToInt64", "ToInt16", "ToByte"} {
		old := cv.Statics[name]
		if old == nil {
			continue
		}
		fn := old.Fn
		cp := *old
		cp.Fn = func(c Call) Value {
			if len(c.Args) == 1 {
				switch x := c.Args[0].(type) {
				case dotnet.Decimal:
					// Convert rounds half to even first.
					c.Args[0] = mustDec(x.Round(0, false)).Float64()
				case float32:
					c.Args[0] = float64(x)
				}
			}
			return fn(c)
		}
		cv.Statics[name] = &cp
	}
}

// ParseDecimalLiteral converts the digits of a C# decimal literal (without
// the m suffix) to a Decimal, keeping its scale.
func ParseDecimalLiteral(s string) (dotnet.Decimal, error) {
	return dotnet.ParseDecimal(s)
}
