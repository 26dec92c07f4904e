package dotnet

import (
	"math"
	"math/big"
	"strconv"
)

// Decimal is System.Decimal: a 96-bit unsigned mantissa, a sign and a
// power-of-ten scale between 0 and 28. The scale is part of the value's
// identity for printing: 1.50m prints "1.50", 1.5m prints "1.5".
//
// Arithmetic goes through math/big and rounds half to even when a result
// does not fit 96 bits or 28 decimals, as .NET does. Division produces at
// most 28 decimals or as many as fit the mantissa. The zero value is 0.
type Decimal struct {
	lo    uint64
	hi    uint32
	scale uint8
	neg   bool
}

const maxDecimalScale = 28

// bigTen and decimalLimit (the exclusive bound of a 96-bit mantissa) are
// read-only constants.
var (
	bigTen       = big.NewInt(10)
	decimalLimit = new(big.Int).Lsh(big.NewInt(1), 96)
)

// DecimalFromInt64 converts an integer exactly.
func DecimalFromInt64(v int64) Decimal {
	if v < 0 {
		return Decimal{lo: uint64(-v), neg: true}
	}
	return Decimal{lo: uint64(v)}
}

// NewDecimal returns unscaled × 10^-scale; scale must be in 0..28.
func NewDecimal(unscaled int64, scale int) (Decimal, error) {
	if scale < 0 || scale > maxDecimalScale {
		return Decimal{}, &Exception{Type: ArgumentOutOfRangeException, Message: "Decimal's scale value must be between 0 and 28, inclusive. (Parameter 'scale')"}
	}
	d := DecimalFromInt64(unscaled)
	d.scale = uint8(scale)
	return d, nil
}

// DecimalFromFloat64 converts a double as .NET's explicit (decimal) cast:
// the value is rounded to 15 significant digits and trailing zeros are
// dropped, so (decimal)0.1 is exactly 0.1.
func DecimalFromFloat64(v float64) (Decimal, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= 7.922816251426434e28 {
		return Decimal{}, errDecOverflow()
	}
	if v == 0 {
		return Decimal{}, nil
	}
	var n numBuf
	n.digits, n.scale = parseE(strconv.AppendFloat(nil, math.Abs(v), 'e', 14, 64))
	// value = 0.digits × 10^scale
	m := new(big.Int)
	m.SetString(string(n.digits), 10)
	s := len(n.digits) - n.scale
	if s < 0 {
		m.Mul(m, new(big.Int).Exp(bigTen, big.NewInt(int64(-s)), nil))
		s = 0
	}
	d, ok := decimalFromBig(m, s, v < 0)
	if !ok {
		return Decimal{}, errDecOverflow()
	}
	return d, nil
}

// Float64 converts d to the nearest double.
func (d Decimal) Float64() float64 {
	f, _ := strconv.ParseFloat(d.plainString(), 64)
	return f
}

// Scale returns the number of decimal places d carries.
func (d Decimal) Scale() int { return int(d.scale) }

// IsZero reports whether d is zero (of any scale or sign).
func (d Decimal) IsZero() bool { return d.lo == 0 && d.hi == 0 }

// Sign returns -1, 0 or 1.
func (d Decimal) Sign() int {
	switch {
	case d.IsZero():
		return 0
	case d.neg:
		return -1
	}
	return 1
}

func (d Decimal) mantissa() *big.Int {
	m := new(big.Int).SetUint64(uint64(d.hi))
	m.Lsh(m, 64)
	m.Or(m, new(big.Int).SetUint64(d.lo))
	return m
}

func (d Decimal) signedMantissa() *big.Int {
	m := d.mantissa()
	if d.neg {
		m.Neg(m)
	}
	return m
}

// decimalFromBig builds a Decimal from |m| × 10^-scale, rounding half to
// even while the mantissa is too wide or the scale above 28. It reports
// false on overflow.
func decimalFromBig(m *big.Int, scale int, neg bool) (Decimal, bool) {
	m = new(big.Int).Abs(m)
	for scale > maxDecimalScale || (m.Cmp(decimalLimit) >= 0 && scale > 0) {
		q, r := new(big.Int).QuoRem(m, bigTen, new(big.Int))
		r2 := r.Int64() * 2
		if r2 > 10 || (r2 == 10 && q.Bit(0) == 1) {
			q.Add(q, big.NewInt(1))
		}
		m = q
		scale--
	}
	if m.Cmp(decimalLimit) >= 0 {
		return Decimal{}, false
	}
	lo := new(big.Int).And(m, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
	hi := uint32(new(big.Int).Rsh(m, 64).Uint64())
	return Decimal{lo: lo, hi: hi, scale: uint8(scale), neg: neg && m.Sign() != 0}, true
}

func pow10Big(n int) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

// Neg returns -d.
func (d Decimal) Neg() Decimal { d.neg = !d.neg; return d }

// Add returns d + e.
func (d Decimal) Add(e Decimal) (Decimal, error) {
	s := max(d.scale, e.scale)
	a := d.signedMantissa()
	a.Mul(a, pow10Big(int(s-d.scale)))
	b := e.signedMantissa()
	b.Mul(b, pow10Big(int(s-e.scale)))
	a.Add(a, b)
	r, ok := decimalFromBig(a, int(s), a.Sign() < 0)
	if !ok {
		return Decimal{}, errDecOverflow()
	}
	return r, nil
}

// Sub returns d - e.
func (d Decimal) Sub(e Decimal) (Decimal, error) { return d.Add(e.Neg()) }

// Mul returns d × e.
func (d Decimal) Mul(e Decimal) (Decimal, error) {
	a := d.mantissa()
	a.Mul(a, e.mantissa())
	r, ok := decimalFromBig(a, int(d.scale)+int(e.scale), d.neg != e.neg)
	if !ok {
		return Decimal{}, errDecOverflow()
	}
	return r, nil
}

// Div returns d ÷ e. An exact quotient keeps the smallest scale that is at
// least d's scale minus e's; otherwise digits are added until 28 decimals or
// the mantissa is full, then rounded half to even.
func (d Decimal) Div(e Decimal) (Decimal, error) {
	if e.IsZero() {
		return Decimal{}, &Exception{Type: DivideByZeroException, Message: "Attempted to divide by zero."}
	}
	num := d.mantissa()
	den := e.mantissa()
	scale := int(d.scale) - int(e.scale)
	if scale < 0 {
		num.Mul(num, pow10Big(-scale))
		scale = 0
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	for r.Sign() != 0 && scale < maxDecimalScale {
		q2 := new(big.Int).Mul(q, bigTen)
		r10 := new(big.Int).Mul(r, bigTen)
		dq, dr := new(big.Int).QuoRem(r10, den, new(big.Int))
		q2.Add(q2, dq)
		if q2.Cmp(decimalLimit) >= 0 {
			break
		}
		q, r = q2, dr
		scale++
	}
	if r.Sign() != 0 {
		c := new(big.Int).Mul(r, big.NewInt(2)).Cmp(den)
		if c > 0 || (c == 0 && q.Bit(0) == 1) {
			q.Add(q, big.NewInt(1))
		}
	}
	res, ok := decimalFromBig(q, scale, d.neg != e.neg)
	if !ok {
		return Decimal{}, errDecOverflow()
	}
	return res, nil
}

// Cmp compares values (not scales): 1.5m and 1.50m are equal.
func (d Decimal) Cmp(e Decimal) int {
	s := max(d.scale, e.scale)
	a := d.signedMantissa()
	a.Mul(a, pow10Big(int(s-d.scale)))
	b := e.signedMantissa()
	b.Mul(b, pow10Big(int(s-e.scale)))
	return a.Cmp(b)
}

// plainString renders d without exponent, keeping its scale.
func (d Decimal) plainString() string {
	digits := d.mantissa().String()
	s := int(d.scale)
	if s > 0 {
		for len(digits) <= s {
			digits = "0" + digits
		}
		digits = digits[:len(digits)-s] + "." + digits[len(digits)-s:]
	}
	if d.neg && !d.IsZero() {
		return "-" + digits
	}
	return digits
}

// String formats d as decimal.ToString() with the invariant culture.
func (d Decimal) String() string { return d.plainString() }

// Format formats d as decimal.ToString(format, CultureInfo.InvariantCulture).
func (d Decimal) Format(format string) (string, error) {
	fmtc, digits := parseFormatSpecifier(format)
	if digits > MaxPrecision {
		return "", errPrecisionLimit()
	}
	n := numBuf{kind: kindDecimal, neg: d.neg}
	if !d.IsZero() {
		if d.hi == 0 {
			n.digits = strconv.AppendUint(nil, d.lo, 10)
		} else {
			n.digits = []byte(d.mantissa().String())
		}
	}
	n.scale = len(n.digits) - int(d.scale)
	if fmtc == 0 {
		return string(numberToStringFormat(nil, &n, format)), nil
	}
	switch fmtc {
	case 'D', 'd', 'X', 'x':
		return "", errBadFormatSpecifier()
	}
	out, err := numberToString(nil, &n, fmtc, digits, false)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

func errDecOverflow() error { return errOverflow("a Decimal") }

// Truncate returns d with its fractional digits dropped (decimal.Truncate).
func (d Decimal) Truncate() Decimal {
	m := d.mantissa()
	m.Quo(m, pow10Big(int(d.scale)))
	r, _ := decimalFromBig(m, 0, d.neg)
	return r
}

// Int64 is the explicit (long) conversion: truncation toward zero, with
// .NET's overflow error outside the Int64 range.
func (d Decimal) Int64() (int64, error) {
	m := d.Truncate().signedMantissa()
	if !m.IsInt64() {
		return 0, errOverflow("an Int64")
	}
	return m.Int64(), nil
}

// Round is Math.Round(decimal, decimals, mode): to even when awayFromZero
// is false (MidpointRounding.ToEven, the default), else away from zero.
// The result keeps min(scale, decimals) decimals.
func (d Decimal) Round(decimals int, awayFromZero bool) (Decimal, error) {
	if decimals < 0 || decimals > maxDecimalScale {
		return Decimal{}, &Exception{Type: ArgumentOutOfRangeException, Message: "Decimal can only round to between 0 and 28 digits of precision. (Parameter 'decimals')"}
	}
	if int(d.scale) <= decimals {
		return d, nil
	}
	drop := int(d.scale) - decimals
	p := pow10Big(drop)
	q, r := new(big.Int).QuoRem(d.mantissa(), p, new(big.Int))
	c := new(big.Int).Mul(r, big.NewInt(2)).Cmp(p)
	if c > 0 || (c == 0 && (awayFromZero || q.Bit(0) == 1)) {
		q.Add(q, big.NewInt(1))
	}
	res, _ := decimalFromBig(q, decimals, d.neg)
	return res, nil
}
