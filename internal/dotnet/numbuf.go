package dotnet

import (
	"strconv"
)

// numKind tells which .NET type produced a number buffer; rounding and the
// sign of zero depend on it.
type numKind uint8

const (
	kindInteger numKind = iota
	kindDecimal
	kindFloat
)

// numBuf mirrors .NET's NumberBuffer: the value is 0.d1d2d3... × 10^scale.
// digits holds ASCII digits without a terminator.
type numBuf struct {
	digits []byte
	scale  int
	neg    bool
	kind   numKind
}

// round keeps pos digits, rounding half up on the next digit unless
// the digits are already correctly rounded (standard formats on doubles).
func (n *numBuf) round(pos int, correctlyRounded bool) {
	i := 0
	for i < pos && i < len(n.digits) {
		i++
	}
	if i == pos && i < len(n.digits) && n.digits[i] >= '5' && !(n.kind == kindFloat && correctlyRounded) {
		for i > 0 && n.digits[i-1] == '9' {
			i--
		}
		if i > 0 {
			n.digits[i-1]++
		} else {
			n.scale++
			n.digits[0] = '1'
			i = 1
		}
	} else {
		for i > 0 && n.digits[i-1] == '0' {
			i--
		}
	}
	if i == 0 {
		if n.kind != kindFloat {
			n.neg = false
		}
		n.scale = 0
	}
	n.digits = n.digits[:i]
}

// parseE compacts the digits of strconv's 'e' output ("d.ddde±xx") in
// place inside s and returns them without trailing zeros, with the
// decimal scale (value = 0.digits × 10^scale). s must not be reused.
func parseE(s []byte) ([]byte, int) {
	i := 0
	for i < len(s) && s[i] != 'e' {
		i++
	}
	digits := s[:0]
	for k := 0; k < i; k++ {
		if s[k] != '.' {
			digits = append(digits, s[k]) // never grows: writes behind k
		}
	}
	exp := 0
	neg := s[i+1] == '-'
	for _, c := range s[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if neg {
		exp = -exp
	}
	j := len(digits)
	for j > 0 && digits[j-1] == '0' {
		j--
	}
	if j == 0 {
		return digits[:0], 0
	}
	return digits[:j], exp + 1
}

// parseF compacts the significant digits of strconv's 'f' output
// ("ddd.ddd") in place inside s and returns them without leading or
// trailing zeros, with the decimal scale.
func parseF(s []byte) ([]byte, int) {
	digits := s[:0]
	intDigits, lead := 0, 0
	seenDot, leading := false, true
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c == '.' {
			seenDot = true
			continue
		}
		if leading && c == '0' {
			if seenDot {
				lead++
			}
			continue
		}
		leading = false
		digits = append(digits, c) // never grows: writes behind k
		if !seenDot {
			intDigits++
		}
	}
	j := len(digits)
	for j > 0 && digits[j-1] == '0' {
		j--
	}
	if j == 0 {
		return digits[:0], 0
	}
	if intDigits > 0 {
		return digits[:j], intDigits
	}
	return digits[:j], -lead
}

// setUint fills n with the decimal digits of v.
func (n *numBuf) setUint(v uint64) {
	n.digits = strconv.AppendUint(n.digits[:0], v, 10)
	if v == 0 {
		n.digits = n.digits[:0]
		n.scale = 0
		return
	}
	n.scale = len(n.digits)
	n.trimKeepScale()
}

func (n *numBuf) trimKeepScale() {
	j := len(n.digits)
	for j > 0 && n.digits[j-1] == '0' {
		j--
	}
	n.digits = n.digits[:j]
}

// Invariant culture number format information.
const (
	negativeSign    = "-"
	positiveSign    = "+"
	decimalSep      = "."
	groupSep        = ","
	currencySymbol  = "\u00a4"
	percentSymbol   = "%"
	perMilleSymbol  = "\u2030"
	defaultDecimals = 2
)

// numberToString applies a standard format specifier (C, E, F, G, N, P, R)
// to the buffer, as .NET's Number.NumberToString does.
func numberToString(sb []byte, n *numBuf, format byte, nMaxDigits int, correctlyRounded bool) ([]byte, error) {
	switch format {
	case 'C', 'c':
		if nMaxDigits < 0 {
			nMaxDigits = defaultDecimals
		}
		n.round(n.scale+nMaxDigits, correctlyRounded)
		if n.neg {
			sb = append(sb, '(')
		}
		sb = append(sb, currencySymbol...)
		sb = formatFixed(sb, n, nMaxDigits, true)
		if n.neg {
			sb = append(sb, ')')
		}
	case 'F', 'f':
		if nMaxDigits < 0 {
			nMaxDigits = defaultDecimals
		}
		n.round(n.scale+nMaxDigits, correctlyRounded)
		if n.neg {
			sb = append(sb, negativeSign...)
		}
		sb = formatFixed(sb, n, nMaxDigits, false)
	case 'N', 'n':
		if nMaxDigits < 0 {
			nMaxDigits = defaultDecimals
		}
		n.round(n.scale+nMaxDigits, correctlyRounded)
		if n.neg {
			sb = append(sb, negativeSign...)
		}
		sb = formatFixed(sb, n, nMaxDigits, true)
	case 'E', 'e':
		if nMaxDigits < 0 {
			nMaxDigits = 6
		}
		nMaxDigits++
		n.round(nMaxDigits, correctlyRounded)
		if n.neg {
			sb = append(sb, negativeSign...)
		}
		sb = formatScientific(sb, n, nMaxDigits, format)
	case 'G', 'g', 'R', 'r':
		if format == 'R' || format == 'r' {
			if n.kind != kindFloat {
				return sb, errBadFormatSpecifier()
			}
			format -= 'R' - 'G'
		}
		noRounding := false
		if nMaxDigits < 1 {
			if n.kind == kindDecimal && nMaxDigits == -1 {
				noRounding = true
				if len(n.digits) == 0 {
					return formatGeneral(sb, n, nMaxDigits, format-('G'-'E'), true), nil
				}
				if n.neg {
					sb = append(sb, negativeSign...)
				}
				return formatGeneral(sb, n, nMaxDigits, format-('G'-'E'), true), nil
			}
			nMaxDigits = len(n.digits)
		}
		n.round(nMaxDigits, correctlyRounded)
		if n.neg {
			sb = append(sb, negativeSign...)
		}
		sb = formatGeneral(sb, n, nMaxDigits, format-('G'-'E'), noRounding)
	case 'P', 'p':
		if nMaxDigits < 0 {
			nMaxDigits = defaultDecimals
		}
		n.scale += 2
		n.round(n.scale+nMaxDigits, correctlyRounded)
		if n.neg {
			sb = append(sb, negativeSign...)
		}
		sb = formatFixed(sb, n, nMaxDigits, true)
		sb = append(sb, ' ')
		sb = append(sb, percentSymbol...)
	default:
		return sb, errBadFormatSpecifier()
	}
	return sb, nil
}

// formatFixed writes the integer part (grouped by three when group is set),
// then nMaxDigits decimals.
func formatFixed(sb []byte, n *numBuf, nMaxDigits int, group bool) []byte {
	digPos := n.scale
	di := 0
	if digPos > 0 {
		for k := 0; k < digPos; k++ {
			c := byte('0')
			if di < len(n.digits) {
				c = n.digits[di]
				di++
			}
			sb = append(sb, c)
			rem := digPos - 1 - k
			if group && rem > 0 && rem%3 == 0 {
				sb = append(sb, groupSep...)
			}
		}
	} else {
		sb = append(sb, '0')
	}
	if nMaxDigits > 0 {
		sb = append(sb, decimalSep...)
		if digPos < 0 {
			zeros := min(-digPos, nMaxDigits)
			for range zeros {
				sb = append(sb, '0')
			}
			nMaxDigits -= zeros
		}
		for ; nMaxDigits > 0; nMaxDigits-- {
			c := byte('0')
			if di < len(n.digits) {
				c = n.digits[di]
				di++
			}
			sb = append(sb, c)
		}
	}
	return sb
}

func formatScientific(sb []byte, n *numBuf, nMaxDigits int, expChar byte) []byte {
	di := 0
	next := func() byte {
		if di < len(n.digits) {
			di++
			return n.digits[di-1]
		}
		return '0'
	}
	sb = append(sb, next())
	if nMaxDigits != 1 {
		sb = append(sb, decimalSep...)
	}
	for nMaxDigits--; nMaxDigits > 0; nMaxDigits-- {
		sb = append(sb, next())
	}
	e := 0
	if len(n.digits) > 0 {
		e = n.scale - 1
	}
	return formatExponent(sb, e, expChar, 3, true)
}

func formatExponent(sb []byte, value int, expChar byte, minDigits int, positive bool) []byte {
	sb = append(sb, expChar)
	if value < 0 {
		sb = append(sb, negativeSign...)
		value = -value
	} else if positive {
		sb = append(sb, positiveSign...)
	}
	var tmp [12]byte
	d := strconv.AppendInt(tmp[:0], int64(value), 10)
	for i := len(d); i < minDigits; i++ {
		sb = append(sb, '0')
	}
	return append(sb, d...)
}

func formatGeneral(sb []byte, n *numBuf, nMaxDigits int, expChar byte, suppressScientific bool) []byte {
	digPos := n.scale
	scientific := false
	if !suppressScientific && (digPos > nMaxDigits || digPos < -3) {
		digPos = 1
		scientific = true
	}
	di := 0
	if digPos > 0 {
		for ; digPos > 0; digPos-- {
			if di < len(n.digits) {
				sb = append(sb, n.digits[di])
				di++
			} else {
				sb = append(sb, '0')
			}
		}
	} else {
		sb = append(sb, '0')
	}
	if di < len(n.digits) || digPos < 0 {
		sb = append(sb, decimalSep...)
		for ; digPos < 0; digPos++ {
			sb = append(sb, '0')
		}
		sb = append(sb, n.digits[di:]...)
	}
	if scientific {
		sb = formatExponent(sb, n.scale-1, expChar, 2, true)
	}
	return sb
}

// MaxPrecision bounds the precision of a standard numeric format ("F",
// "D", "E", ...). .NET accepts up to 999,999,999 and builds strings that
// long; tollgate refuses precisions above this limit so an expression
// cannot allocate unbounded memory.
const MaxPrecision = 100_000

func errPrecisionLimit() *Exception {
	return newFormatError("Precision specifier exceeds tollgate's limit of 100000.")
}

// parseFormatSpecifier splits a standard format string into its letter and
// precision (-1 when absent). It returns 0 for custom format strings.
func parseFormatSpecifier(format string) (byte, int) {
	if format == "" {
		return 'G', -1
	}
	c := format[0]
	if (c|0x20) >= 'a' && (c|0x20) <= 'z' {
		if len(format) == 1 {
			return c, -1
		}
		n := 0
		i := 1
		for ; i < len(format) && format[i] >= '0' && format[i] <= '9'; i++ {
			if n >= 100_000_000 {
				return 0, -1
			}
			n = n*10 + int(format[i]-'0')
		}
		if i == len(format) {
			return c, n
		}
	}
	return 0, -1
}
