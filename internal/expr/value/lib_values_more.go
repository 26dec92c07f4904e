package value

import (
	"crypto/rand"
	"math"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// buildValuesMore adds the decimal constructors, decimal.GetBits, Scale and
// CopySign, the static char.ToString(char), Guid's version 7 GUIDs,
// Version, Variant and AllBitsSet, Enum.TryParse(Type, ...) and
// Enum.GetUnderlyingType; then the text and collection members of
// buildTextRows.
func (u *Lib) buildValuesMore() {
	u.buildDecimalMore()
	u.buildGuidMore()
	u.buildEnumMore()
	u.Char.addStatic(meth("ToString", 1, 1, u.String, func(c Call) Value {
		ch, ok := c.Args[0].(Char)
		if !ok {
			ThrowCast(c.Args[0], "System.Char")
		}
		return string(rune(ch))
	}))
	u.buildTextRows()
}

// decimalFromSingle is new decimal(float): the value rounded to 7
// significant digits, trailing zeros dropped, as .NET converts a float.
func decimalFromSingle(f float32) dotnet.Decimal {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 7.922816e28 {
		Throw(ExOverflow, "Value was either too large or too small for a Decimal.")
	}
	if x == 0 {
		return dotnet.Decimal{}
	}
	// d.dddddde±x: 7 significant digits
	s := strconv.FormatFloat(math.Abs(x), 'e', 6, 32)
	mant, exp, _ := strings.Cut(s, "e")
	digits := strings.Replace(mant, ".", "", 1)
	e, _ := strconv.Atoi(exp)
	// value = 0.digits × 10^(e+1)
	point := e + 1
	var plain string
	switch {
	case point <= 0:
		plain = "0." + strings.Repeat("0", -point) + digits
	case point >= len(digits):
		plain = digits + strings.Repeat("0", point-len(digits))
	default:
		plain = digits[:point] + "." + digits[point:]
	}
	if strings.Contains(plain, ".") {
		plain = strings.TrimRight(strings.TrimRight(plain, "0"), ".")
	}
	if f < 0 {
		plain = "-" + plain
	}
	return mustDec(dotnet.ParseDecimal(plain))
}

func (u *Lib) buildDecimalMore() {
	dec := u.Decimal
	arg := func(c Call, i int) dotnet.Decimal {
		d, ok := toDecimal(c.Args[i])
		if !ok {
			ThrowCast(c.Args[i], "System.Decimal")
		}
		return d
	}
	i32 := func(c Call, i int) int32 {
		n, ok := AsInt64(c.Args[i])
		if !ok {
			ThrowCast(c.Args[i], "System.Int32")
		}
		return int32(n)
	}
	// new decimal(int | long | double | float), new decimal(int[] bits) and
	// new decimal(lo, mid, hi, isNegative, scale)
	dec.NewMin = 1
	dec.New = func(c Call) Value {
		switch len(c.Args) {
		case 1:
			switch x := c.Args[0].(type) {
			case float64:
				d, err := dotnet.DecimalFromFloat64(x)
				if err != nil {
					Throw(ExOverflow, "Value was either too large or too small for a Decimal.")
				}
				return d
			case float32:
				return decimalFromSingle(x)
			case *Array:
				bits := make([]int32, len(x.Items))
				for i, v := range x.Items {
					n, _ := AsInt64(v)
					bits[i] = int32(n)
				}
				return mustDec(dotnet.DecimalFromBits(bits))
			case nil:
				Throw(ExArgNull, "Value cannot be null. (Parameter 'bits')")
			}
			if n, ok := AsInt64(c.Args[0]); ok {
				return dotnet.DecimalFromInt64(n)
			}
			ThrowCast(c.Args[0], "System.Decimal")
		case 5:
			scale, ok := AsInt64(c.Args[4])
			if !ok {
				ThrowCast(c.Args[4], "System.Byte")
			}
			return mustDec(dotnet.DecimalFromParts(i32(c, 0), i32(c, 1), i32(c, 2), c.Bool(3), int(uint8(scale))))
		}
		Throw(ExArgument, "'decimal' does not contain a constructor that takes %d arguments", len(c.Args))
		return nil
	}
	dec.add(prop("Scale", u.Byte, func(c Call) Value { return uint8(c.This.(dotnet.Decimal).Scale()) }))
	dec.addStatic(
		meth("GetBits", 1, 1, u.ArrayOf(u.Int), func(c Call) Value {
			b := arg(c, 0).Bits()
			items := make([]Value, len(b))
			for i, x := range b {
				items[i] = x
			}
			return &Array{T: u.Int, Items: items}
		}),
		// CopySign takes the sign bit of sign, even a negative zero's
		meth("CopySign", 2, 2, dec, func(c Call) Value {
			v, s := arg(c, 0), arg(c, 1)
			if (v.Bits()[3] < 0) != (s.Bits()[3] < 0) {
				return v.Neg()
			}
			return v
		}),
	)
}

func (u *Lib) buildGuidMore() {
	g := u.Guid
	g.add(
		// the most significant 4 bits of the 7th and 9th bytes of the
		// text form: 00000000-0000-F000-F000-000000000000
		prop("Version", u.Int, func(c Call) Value { return int32(c.This.(Guid)[6] >> 4) }),
		prop("Variant", u.Int, func(c Call) Value { return int32(c.This.(Guid)[8] >> 4) }),
	)
	g.addStatic(
		prop("AllBitsSet", g, func(Call) Value {
			var x Guid
			for i := range x {
				x[i] = 0xff
			}
			return x
		}),
		// CreateVersion7() and CreateVersion7(DateTimeOffset): random bits
		// under the 48-bit Unix time in milliseconds, version 7 and variant
		// 10xx (RFC 9562)
		meth("CreateVersion7", 0, 1, g, func(c Call) Value {
			t := c.Fr.Time()
			if c.Has(0) {
				o, ok := c.Args[0].(DateTimeOffset)
				if !ok {
					ThrowCast(c.Args[0], "System.DateTimeOffset")
				}
				t = o.T
			}
			ms := t.UnixMilli()
			if ms < 0 {
				Throw(ExArgRange, "timestamp ('%d') must be a non-negative value. (Parameter 'timestamp')\nActual value was %d.", ms, ms)
			}
			var x Guid
			_, _ = rand.Read(x[:])
			for i := 0; i < 6; i++ {
				x[i] = byte(ms >> (40 - 8*i))
			}
			x[6] = x[6]&0x0f | 0x70
			x[8] = x[8]&0x3f | 0x80
			return x
		}),
	)
}

func (u *Lib) buildEnumMore() {
	et := u.Types["Enum"]
	if et == nil {
		return
	}
	// GetUnderlyingType: every enum tollgate knows is an int
	et.addStatic(meth("GetUnderlyingType", 1, 1, u.Types["Type"], func(c Call) Value {
		u.enumTypeArg(c, 0)
		return &TypeValue{Name: "System.Int32"}
	}))
	// TryParse(Type enumType, string? value, [bool ignoreCase,] out object?
	// result), besides TryParse<TEnum>: the result is the boxed member, or
	// null when value does not name one.
	old := et.Statics["TryParse"]
	if old == nil {
		return
	}
	cp := *old
	cp.Max = 4
	cp.Fn = func(c Call) Value {
		if c.TArg(0) != nil {
			return old.Fn(c)
		}
		out := len(c.Args) - 1
		c.Args[out] = nil
		if c.IsNull(1) {
			return false // before enumType is checked, as .NET does
		}
		t := u.enumTypeArg(c, 0)
		e, ok := parseEnum(t, c.Str(1), out == 3 && c.Bool(2))
		if !ok {
			return false
		}
		c.Args[out] = e
		return true
	}
	et.addStatic(&cp)
}
