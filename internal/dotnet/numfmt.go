package dotnet

import (
	"math"
	"math/big"
	"strconv"
)

// doublePrecisionCustomFormat is the number of significant digits .NET
// computes before applying a custom numeric format to a double.
const doublePrecisionCustomFormat = 15

// DoubleToString formats v as .NET's double.ToString() does with the
// invariant culture: the shortest string that round-trips, switching to
// scientific notation ("1E+16", "1E-05") outside 1e-5 .. 1e15.
func DoubleToString(v float64) string {
	var buf [32]byte
	return string(AppendDouble(buf[:0], v))
}

// AppendDouble appends DoubleToString(v) to dst.
func AppendDouble(dst []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, "NaN"...)
	case math.IsInf(v, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(v, -1):
		return append(dst, "-Infinity"...)
	}
	var tmp [32]byte
	n := numBuf{kind: kindFloat, neg: math.Signbit(v)}
	if v != 0 {
		n.digits, n.scale = parseE(strconv.AppendFloat(tmp[:0], math.Abs(v), 'e', -1, 64))
	}
	if n.neg {
		dst = append(dst, '-')
	}
	return formatGeneral(dst, &n, max(len(n.digits), 15), 'E', false)
}

// FormatDouble formats v as double.ToString(format, CultureInfo.InvariantCulture).
// It returns a *Exception (FormatException) for a format .NET rejects.
func FormatDouble(v float64, format string) (string, error) {
	if format == "" || format == "G" || format == "R" {
		return DoubleToString(v), nil
	}
	fmtc, precision := parseFormatSpecifier(format)
	if precision > MaxPrecision {
		return "", errPrecisionLimit()
	}
	switch {
	case math.IsNaN(v):
		return "NaN", checkDoubleFormat(fmtc)
	case math.IsInf(v, 1):
		return "Infinity", checkDoubleFormat(fmtc)
	case math.IsInf(v, -1):
		return "-Infinity", checkDoubleFormat(fmtc)
	}
	var dig [32]byte
	var tmp [64]byte
	n := numBuf{digits: dig[:0], kind: kindFloat, neg: math.Signbit(v)}
	a := math.Abs(v)
	if fmtc == 0 {
		if a != 0 {
			n.digits, n.scale = parseE(appendFloatE(tmp[:0], a, doublePrecisionCustomFormat))
		}
		return string(numberToStringFormat(nil, &n, format)), nil
	}
	maxDigits := precision
	switch fmtc {
	case 'C', 'c', 'F', 'f', 'N', 'n':
		if precision == -1 {
			precision = defaultDecimals
		}
		if a != 0 {
			n.digits, n.scale = parseF(strconv.AppendFloat(tmp[:0], a, 'f', precision, 64))
		}
	case 'P', 'p':
		if precision == -1 {
			precision = defaultDecimals
		}
		if a != 0 {
			n.digits, n.scale = parseF(strconv.AppendFloat(tmp[:0], a, 'f', precision+2, 64))
		}
	case 'E', 'e':
		if precision == -1 {
			precision = 6
		}
		if a != 0 {
			n.digits, n.scale = parseE(appendFloatE(tmp[:0], a, precision+1))
		}
	case 'G', 'g':
		if precision == 0 {
			precision = -1
		}
		if a != 0 {
			n.digits, n.scale = parseE(appendFloatE(tmp[:0], a, precision))
		}
		if precision == -1 {
			maxDigits = max(len(n.digits), 15)
		}
	case 'R', 'r':
		if a != 0 {
			n.digits, n.scale = parseE(strconv.AppendFloat(tmp[:0], a, 'e', -1, 64))
		}
		maxDigits = max(len(n.digits), 15)
	default:
		return "", errBadFormatSpecifier()
	}
	out, err := numberToString(nil, &n, fmtc, maxDigits, true)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// appendFloatE appends a in 'e' form with sig significant digits (-1 for
// the shortest round-trip digits).
func appendFloatE(dst []byte, a float64, sig int) []byte {
	if sig < 0 {
		return strconv.AppendFloat(dst, a, 'e', -1, 64)
	}
	if sig > 767 {
		// A double has at most 767 significant decimal digits; the rest are
		// zeros, which the buffer does not store.
		sig = 767
	}
	return strconv.AppendFloat(dst, a, 'e', sig-1, 64)
}

func checkDoubleFormat(fmtc byte) error {
	switch fmtc {
	case 0, 'C', 'c', 'F', 'f', 'N', 'n', 'P', 'p', 'E', 'e', 'G', 'g', 'R', 'r':
		return nil
	}
	return errBadFormatSpecifier()
}

// FormatInt formats a signed integer as Int64.ToString(format) with the
// invariant culture. Use FormatIntN for narrower .NET types: the width
// matters for the X format of negative numbers.
func FormatInt(v int64, format string) (string, error) {
	return FormatIntN(v, 64, format)
}

// FormatIntN formats v as a .NET signed integer of the given bit size
// (8, 16, 32 or 64).
func FormatIntN(v int64, bits int, format string) (string, error) {
	if format == "" {
		return strconv.FormatInt(v, 10), nil
	}
	fmtc, digits := parseFormatSpecifier(format)
	if digits > MaxPrecision {
		return "", errPrecisionLimit()
	}
	switch fmtc {
	case 'G', 'g':
		if digits < 1 {
			return strconv.FormatInt(v, 10), nil
		}
	case 'D', 'd':
		s := strconv.FormatInt(v, 10)
		if v < 0 {
			return "-" + padZeros(s[1:], digits), nil
		}
		return padZeros(s, digits), nil
	case 'X', 'x':
		u := uint64(v)
		if bits < 64 {
			u &= 1<<uint(bits) - 1
		}
		return formatHex(u, fmtc, digits), nil
	}
	u := uint64(v)
	if v < 0 {
		u = uint64(-v)
	}
	return formatIntegerBuf(u, v < 0, fmtc, digits, format)
}

// FormatUint formats an unsigned integer as UInt64.ToString(format).
func FormatUint(v uint64, format string) (string, error) {
	if format == "" {
		return strconv.FormatUint(v, 10), nil
	}
	fmtc, digits := parseFormatSpecifier(format)
	if digits > MaxPrecision {
		return "", errPrecisionLimit()
	}
	switch fmtc {
	case 'G', 'g':
		if digits < 1 {
			return strconv.FormatUint(v, 10), nil
		}
	case 'D', 'd':
		return padZeros(strconv.FormatUint(v, 10), digits), nil
	case 'X', 'x':
		return formatHex(v, fmtc, digits), nil
	}
	return formatIntegerBuf(v, false, fmtc, digits, format)
}

func formatIntegerBuf(u uint64, neg bool, fmtc byte, digits int, format string) (string, error) {
	var dig [24]byte
	n := numBuf{digits: dig[:0], kind: kindInteger, neg: neg}
	n.setUint(u)
	if fmtc == 0 {
		return string(numberToStringFormat(nil, &n, format)), nil
	}
	out, err := numberToString(nil, &n, fmtc, digits, false)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

func padZeros(s string, width int) string {
	if len(s) >= width {
		return s
	}
	b := make([]byte, width)
	p := width - len(s)
	for i := range p {
		b[i] = '0'
	}
	copy(b[p:], s)
	return string(b)
}

func formatHex(u uint64, fmtc byte, digits int) string {
	s := strconv.FormatUint(u, 16)
	if fmtc == 'X' {
		b := []byte(s)
		for i, c := range b {
			if c >= 'a' {
				b[i] = c - 32
			}
		}
		s = string(b)
	}
	return padZeros(s, digits)
}

// FormatBigInt formats an arbitrary-precision integer with the general
// format, as System.Numerics.BigInteger.ToString() does.
func FormatBigInt(v *big.Int) string { return v.String() }
