package xmlbody

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// formatNumber returns the text .NET gives a JSON number read by Json.NET:
// integers keep their digits (normalised through int64 when they fit);
// numbers with a fraction or an exponent are doubles written as .NET Core
// writes them (shortest round-trip digits, "E+XX" notation from 1E+15 and
// below 1E-05).
func formatNumber(lit string) string {
	if !strings.ContainsAny(lit, ".eE") {
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
		return lit // BigInteger: the digits as written
	}
	f, _ := strconv.ParseFloat(lit, 64) // overflow gives ±Inf, as .NET Core
	return formatDouble(f)
}

// formatDouble writes f as .NET Core's Double.ToString() with the invariant
// culture.
func formatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	case f == 0:
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // "-d.ddde±XX"
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	ei := strings.IndexByte(e, 'e')
	digits := strings.Replace(e[:ei], ".", "", 1)
	exp, _ := strconv.Atoi(e[ei+1:])
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case exp >= 15 || exp < -4:
		b.WriteByte(digits[0])
		if len(digits) > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('E')
		if exp < 0 {
			b.WriteByte('-')
			exp = -exp
		} else {
			b.WriteByte('+')
		}
		if exp < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.Itoa(exp))
	case exp < 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -exp-1))
		b.WriteString(digits)
	case len(digits) <= exp+1:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", exp+1-len(digits)))
	default:
		b.WriteString(digits[:exp+1])
		b.WriteByte('.')
		b.WriteString(digits[exp+1:])
	}
	return b.String()
}

// formatJSONDate recognises the ISO 8601 date-times Json.NET's reader
// turns into DateTime values (19 to 40 characters, 'T' at index 10:
// yyyy-MM-ddTHH:mm:ss, an optional fraction of 1 to 7 digits, an optional
// 'Z' or ±HH, ±HHmm, ±HH:mm) and writes them as DateTime.ToString with the
// invariant culture: "MM/dd/yyyy HH:mm:ss", fraction dropped, a time with
// an offset converted to UTC (the gateway's local time).
func formatJSONDate(s string) (string, bool) {
	if len(s) < 19 || len(s) > 40 || s[10] != 'T' || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return "", false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for k := i; k < i+n; k++ {
			if k >= len(s) || s[k] < '0' || s[k] > '9' {
				return 0, false
			}
			v = v*10 + int(s[k]-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	se, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59 {
		return "", false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)
	if t.Day() != d {
		return "", false
	}
	i := 19
	if i < len(s) && s[i] == '.' {
		i++
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 7 {
			i++
			n++
		}
		if n == 0 {
			return "", false
		}
	}
	if i < len(s) {
		switch s[i] {
		case 'Z', 'z':
			if i+1 != len(s) {
				return "", false
			}
		case '+', '-':
			oh, ok := num(i+1, 2)
			if !ok {
				return "", false
			}
			j, om := i+3, 0
			if j < len(s) {
				if s[j] == ':' {
					j++
				}
				if om, ok = num(j, 2); !ok {
					return "", false
				}
				j += 2
			}
			if j != len(s) {
				return "", false
			}
			off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
			if s[i] == '+' {
				off = -off
			}
			t = t.Add(off)
			if t.Year() < 1 || t.Year() > 9999 {
				return "", false
			}
		default:
			return "", false
		}
	}
	return t.Format("01/02/2006 15:04:05"), true
}
