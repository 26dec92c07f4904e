package dotnet

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// isNumberSpace reports whether c is whitespace for .NET number parsing
// (NumberStyles.AllowLeadingWhite/AllowTrailingWhite): U+0009..U+000D and
// U+0020.
func isNumberSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

func trimNumberSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isNumberSpace(s[i]) {
		i++
	}
	for j > i && (isNumberSpace(s[j-1]) || s[j-1] == 0) {
		j--
	}
	return s[i:j]
}

// intTypeName returns .NET's wording of the integer type of a bit size for
// overflow messages.
func intTypeName(bits int, unsigned bool) string {
	switch {
	case bits == 8 && unsigned:
		return "an unsigned byte"
	case bits == 8:
		return "a signed byte"
	case unsigned:
		return "a UInt" + strconv.Itoa(bits)
	}
	return "an Int" + strconv.Itoa(bits)
}

// ParseInt parses s as int.Parse/long.Parse do with NumberStyles.Integer and
// the invariant culture: optional surrounding white space, an optional
// sign, ASCII digits. bits is 8, 16, 32 or 64.
func ParseInt(s string, bits int) (int64, error) {
	neg, u, overflow, err := parseDigits(s)
	if err != nil {
		return 0, err
	}
	limit := uint64(1) << uint(bits-1)
	if overflow || (!neg && u > limit-1) || (neg && u > limit) {
		return 0, errOverflow(intTypeName(bits, false))
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

// ParseUint parses s as uint.Parse/ulong.Parse do. "-0" is accepted.
func ParseUint(s string, bits int) (uint64, error) {
	neg, u, overflow, err := parseDigits(s)
	if err != nil {
		return 0, err
	}
	if overflow || (bits < 64 && u >= 1<<uint(bits)) || (neg && u != 0) {
		return 0, errOverflow(intTypeName(bits, true))
	}
	return u, nil
}

// parseDigits reads NumberStyles.Integer: optional surrounding white space,
// an optional sign and ASCII digits. overflow reports a magnitude beyond
// uint64; a character that is not a digit is a format error even after an
// overflow, as in .NET.
func parseDigits(s string) (neg bool, u uint64, overflow bool, err error) {
	t := trimNumberSpace(s)
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if t == "" {
		return false, 0, false, errInputFormat(s)
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < '0' || c > '9' {
			return false, 0, false, errInputFormat(s)
		}
		hi, lo := mulAdd10(u, uint64(c-'0'))
		overflow = overflow || hi
		u = lo
	}
	return neg, u, overflow, nil
}

func mulAdd10(u, d uint64) (bool, uint64) {
	if u > (math.MaxUint64-d)/10 {
		return true, u*10 + d
	}
	return false, u*10 + d
}

// TryParseInt is int.TryParse: it reports false instead of failing.
func TryParseInt(s string, bits int) (int64, bool) {
	v, err := ParseInt(s, bits)
	return v, err == nil
}

// scanFloat validates s against NumberStyles.Float|AllowThousands (or
// NumberStyles.Number when allowExp is false) and returns the text with
// white space and group separators removed.
func scanFloat(s string, allowExp bool) (string, bool) {
	t := trimNumberSpace(s)
	var b strings.Builder
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		b.WriteByte(t[i])
		i++
	}
	digits := 0
	for ; i < len(t); i++ {
		c := t[i]
		if c >= '0' && c <= '9' {
			digits++
			b.WriteByte(c)
		} else if c == ',' && digits > 0 {
			continue
		} else {
			break
		}
	}
	if i < len(t) && t[i] == '.' {
		b.WriteByte('.')
		i++
		for ; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
			digits++
			b.WriteByte(t[i])
		}
	}
	if digits == 0 {
		return "", false
	}
	if allowExp && i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		j := i + 1
		if j < len(t) && (t[j] == '+' || t[j] == '-') {
			j++
		}
		k := j
		for k < len(t) && t[k] >= '0' && t[k] <= '9' {
			k++
		}
		if k > j {
			b.WriteString(t[i:k])
			i = k
		}
	}
	if !allowExp && i < len(t) && (t[i] == '-' || t[i] == '+') && i == len(t)-1 && (b.Len() == 0 || (b.String()[0] != '-' && b.String()[0] != '+')) {
		// NumberStyles.AllowTrailingSign
		out := b.String()
		if t[i] == '-' {
			out = "-" + out
		}
		return out, true
	}
	return b.String(), i == len(t)
}

// ParseDouble parses s as double.Parse with the invariant culture:
// NumberStyles.Float|AllowThousands, "NaN", "Infinity" and "-Infinity"
// (case-insensitive). Values beyond the double range become infinities, as
// in .NET Core 3.0 and later.
func ParseDouble(s string) (float64, error) {
	t := trimNumberSpace(s)
	switch strings.ToLower(t) {
	case "nan", "-nan", "+nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "\u221e", "+\u221e":
		return math.Inf(1), nil
	case "-infinity", "-\u221e":
		return math.Inf(-1), nil
	}
	clean, ok := scanFloat(s, true)
	if !ok {
		return 0, errInputFormat(s)
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, errInputFormat(s)
	}
	return f, nil
}

// TryParseDouble is double.TryParse.
func TryParseDouble(s string) (float64, bool) {
	v, err := ParseDouble(s)
	return v, err == nil
}

// ParseDecimal parses s as decimal.Parse with NumberStyles.Number and the
// invariant culture: no exponent, group separators allowed, the scale of
// the text kept ("1.50" has scale 2). Digits beyond 28 decimals are rounded
// half to even.
func ParseDecimal(s string) (Decimal, error) {
	clean, ok := scanFloat(s, false)
	if !ok {
		return Decimal{}, errInputFormat(s)
	}
	neg := false
	if clean[0] == '-' || clean[0] == '+' {
		neg = clean[0] == '-'
		clean = clean[1:]
	}
	scale := 0
	if dot := strings.IndexByte(clean, '.'); dot >= 0 {
		scale = len(clean) - dot - 1
		clean = clean[:dot] + clean[dot+1:]
	}
	m, _ := new(big.Int).SetString(clean, 10)
	d, ok := decimalFromBig(m, scale, neg)
	if !ok {
		return Decimal{}, errDecOverflow()
	}
	return d, nil
}

// TryParseDecimal is decimal.TryParse.
func TryParseDecimal(s string) (Decimal, bool) {
	v, err := ParseDecimal(s)
	return v, err == nil
}

// ParseBool parses s as bool.Parse: "True" or "False" in any case,
// surrounded by optional white space or NUL characters.
func ParseBool(s string) (bool, error) {
	t := strings.Trim(s, " \t\n\v\f\r\u0085\u00a0\x00")
	switch {
	case strings.EqualFold(t, "True"):
		return true, nil
	case strings.EqualFold(t, "False"):
		return false, nil
	}
	return false, newFormatError("String '" + s + "' was not recognized as a valid Boolean.")
}

// TryParseBool is bool.TryParse.
func TryParseBool(s string) (bool, bool) {
	v, err := ParseBool(s)
	return v, err == nil
}
