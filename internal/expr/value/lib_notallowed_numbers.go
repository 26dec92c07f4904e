package value

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
)

// buildNotAllowedNumbers adds BitConverter's members over Half, Int128 and
// UInt128: types outside API Management's allowed list, so an expression
// only passes their values from one BitConverter member to another (and
// prints them: string concatenation calls ToString without naming it).
func (u *Lib) buildNotAllowedNumbers() {
	half := u.notAllowed("Half", "System.Half", u.Object)
	i128 := u.notAllowed("Int128", "System.Int128", u.Object)
	u128 := u.notAllowed("UInt128", "System.UInt128", u.Object)
	for _, t := range []*Type{half, i128, u128} {
		t.Value = true
		overridesObject(t, "ToString", "Equals", "GetHashCode", "CompareTo")
	}
	newHalf := func(bits uint16) Value {
		return &Opaque{T: half, V: bits, Str: formatHalf(bits)}
	}
	new128 := func(t *Type, b []byte) Value {
		lo, hi := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
		n := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
		n.Or(n, new(big.Int).SetUint64(lo))
		if t == i128 && hi>>63 == 1 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), 128))
		}
		return &Opaque{T: t, V: [2]uint64{lo, hi}, Str: n.String()}
	}
	bitsOf := func(c Call, i int, t *Type) any {
		o, ok := c.Args[i].(*Opaque)
		if !ok || o.T != t {
			ThrowCast(c.Args[i], t.FullName)
		}
		return o.V
	}
	bc := u.Types["BitConverter"]
	le := binary.LittleEndian
	at := func(c Call, size int) []byte {
		c.NotNull(0, "value")
		return bitConverterBytes(c, size)
	}
	getBytes := bc.Statics["GetBytes"].Fn
	bc.Statics["GetBytes"].Fn = func(c Call) Value {
		if o, ok := c.Args[0].(*Opaque); ok {
			switch o.T {
			case half:
				return le.AppendUint16(nil, o.V.(uint16))
			case i128, u128:
				v := o.V.([2]uint64)
				return le.AppendUint64(le.AppendUint64(nil, v[0]), v[1])
			}
		}
		return getBytes(c)
	}
	bc.addStatic(
		meth("ToHalf", 2, 2, half, func(c Call) Value { return newHalf(le.Uint16(at(c, 2))) }),
		meth("ToInt128", 2, 2, i128, func(c Call) Value { return new128(i128, at(c, 16)) }),
		meth("ToUInt128", 2, 2, u128, func(c Call) Value { return new128(u128, at(c, 16)) }),
		meth("HalfToInt16Bits", 1, 1, u.Short, func(c Call) Value { return int16(bitsOf(c, 0, half).(uint16)) }),
		meth("HalfToUInt16Bits", 1, 1, u.UShort, func(c Call) Value { return bitsOf(c, 0, half).(uint16) }),
		meth("Int16BitsToHalf", 1, 1, half, func(c Call) Value {
			n, ok := c.Args[0].(int16)
			if !ok {
				ThrowCast(c.Args[0], "System.Int16")
			}
			return newHalf(uint16(n))
		}),
		meth("UInt16BitsToHalf", 1, 1, half, func(c Call) Value {
			n, ok := c.Args[0].(uint16)
			if !ok {
				ThrowCast(c.Args[0], "System.UInt16")
			}
			return newHalf(n)
		}),
	)
}

// halfToFloat returns the value of IEEE 754 binary16 bits.
func halfToFloat(bits uint16) float64 {
	sign := 1.0
	if bits>>15 == 1 {
		sign = -1
	}
	exp, frac := int(bits>>10&0x1f), float64(bits&0x3ff)
	switch exp {
	case 0:
		return sign * frac * math.Pow(2, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return sign * math.Inf(1)
	}
	return sign * (1 + frac/1024) * math.Pow(2, float64(exp-15))
}

// floatToHalf rounds f to the nearest binary16 bits, ties to even.
func floatToHalf(f float64) uint16 {
	var sign uint16
	if math.Signbit(f) {
		sign, f = 0x8000, -f
	}
	switch {
	case math.IsNaN(f):
		return 0xfe00 // .NET's Half.NaN
	case f >= 65520: // rounds past Half.MaxValue
		return sign | 0x7c00
	case f < math.Pow(2, -14): // subnormal: multiples of 2^-24
		return sign | uint16(math.RoundToEven(f*math.Pow(2, 24)))
	}
	exp := math.Floor(math.Log2(f))
	m := math.RoundToEven((f/math.Pow(2, exp) - 1) * 1024)
	if m == 1024 {
		m, exp = 0, exp+1
	}
	return sign | uint16(exp+15)<<10 | uint16(m)
}

// formatHalf prints Half bits as Half.ToString() does: the shortest text
// that reads back as the same Half.
func formatHalf(bits uint16) string {
	f := halfToFloat(bits)
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "∞"
	case math.IsInf(f, -1):
		return "-∞"
	}
	for prec := 1; prec <= 17; prec++ {
		s := strconv.FormatFloat(f, 'g', prec, 64)
		if g, err := strconv.ParseFloat(s, 64); err == nil && floatToHalf(g) == bits {
			return FormatDouble(g)
		}
	}
	return FormatDouble(f)
}
