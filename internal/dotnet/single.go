package dotnet

import (
	"math"
	"strconv"
)

// singlePrecisionCustomFormat is the number of significant digits .NET
// computes before applying a custom numeric format to a float.
const singlePrecisionCustomFormat = 7

// FormatBool is Boolean.ToString(): "True" or "False".
func FormatBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// FormatSingle formats v as float.ToString(format, InvariantCulture): the
// shortest digits that round-trip a float32 by default, scientific
// notation beyond 7 integer digits unless more digits are needed.
func FormatSingle(v float32, format string) (string, error) {
	f := float64(v)
	fmtc, precision := parseFormatSpecifier(format)
	if precision > MaxPrecision {
		return "", errPrecisionLimit()
	}
	switch {
	case math.IsNaN(f):
		return "NaN", checkDoubleFormat(fmtc)
	case math.IsInf(f, 1):
		return "Infinity", checkDoubleFormat(fmtc)
	case math.IsInf(f, -1):
		return "-Infinity", checkDoubleFormat(fmtc)
	}
	var dig [32]byte
	var tmp [64]byte
	n := numBuf{digits: dig[:0], kind: kindFloat, neg: math.Signbit(f)}
	a := math.Abs(f)
	if fmtc == 0 {
		if a != 0 {
			n.digits, n.scale = parseE(appendFloatE(tmp[:0], a, singlePrecisionCustomFormat))
		}
		return string(numberToStringFormat(nil, &n, format)), nil
	}
	shortest := func() {
		if a != 0 {
			n.digits, n.scale = parseE(strconv.AppendFloat(tmp[:0], a, 'e', -1, 32))
		}
	}
	maxDigits := precision
	switch fmtc {
	case 'G', 'g':
		if precision <= 0 {
			shortest()
			maxDigits = max(len(n.digits), 7)
		} else if a != 0 {
			n.digits, n.scale = parseE(appendFloatE(tmp[:0], a, precision))
		}
	case 'R', 'r':
		shortest()
		maxDigits = max(len(n.digits), 7)
	default:
		// The fixed formats round the exact binary value, which is the
		// same whether it is held in 32 or 64 bits.
		return FormatDouble(f, format)
	}
	out, err := numberToString(nil, &n, fmtc, maxDigits, true)
	if err != nil {
		return "", err
	}
	return string(out), nil
}
