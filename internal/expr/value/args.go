package value

import (
	"fmt"
	"strconv"
	"strings"
)

// Str returns argument i as a string; null stays "" with ok false.
func (c Call) Str(i int) string {
	if i >= len(c.Args) {
		return ""
	}
	switch x := c.Args[i].(type) {
	case string:
		return x
	case nil:
		return ""
	case Char:
		return string(rune(x))
	}
	return ToString(c.Args[i])
}

// IsNull reports whether argument i is null or missing.
func (c Call) IsNull(i int) bool { return i >= len(c.Args) || c.Args[i] == nil }

// NotNull raises ArgumentNullException when argument i is null.
func (c Call) NotNull(i int, name string) {
	if c.IsNull(i) {
		panic(&Exception{Type: ExArgNull, Message: fmt.Sprintf("Value cannot be null. (Parameter '%s')", name), Pos: -1, End: -1})
	}
}

// Int returns argument i as an int.
func (c Call) Int(i int) int {
	if i >= len(c.Args) {
		return 0
	}
	if n, ok := AsInt64(c.Args[i]); ok {
		return int(n)
	}
	if f, ok := c.Args[i].(float64); ok {
		return int(f)
	}
	ThrowCast(c.Args[i], "System.Int32")
	return 0
}

// Float returns argument i as a double.
func (c Call) Float(i int) float64 {
	if i >= len(c.Args) {
		return 0
	}
	if f, ok := AsFloat(c.Args[i]); ok {
		return f
	}
	ThrowCast(c.Args[i], "System.Double")
	return 0
}

// Bool returns argument i as a bool.
func (c Call) Bool(i int) bool {
	if i >= len(c.Args) {
		return false
	}
	b, ok := c.Args[i].(bool)
	if !ok {
		ThrowCast(c.Args[i], "System.Boolean")
	}
	return b
}

// Has reports whether argument i was passed.
func (c Call) Has(i int) bool { return i < len(c.Args) }

// TArg returns generic type argument i, or nil.
func (c Call) TArg(i int) *Type {
	if i < len(c.TArgs) {
		return c.TArgs[i]
	}
	return nil
}

// FormatNumber formats a number with a .NET standard numeric format string
// (C, D, E, F, G, N, P, R, X with an optional precision) or "" for the default.
func FormatNumber(v Value, format string) string {
	if format == "" {
		return ToString(v)
	}
	spec := format[0]
	prec := -1
	if len(format) > 1 {
		p, err := strconv.Atoi(format[1:])
		if err != nil {
			return customNumber(v, format)
		}
		prec = p
	}
	f, _ := AsFloat(v)
	i, isInt := AsInt64(v)
	switch spec {
	case 'D', 'd':
		if !isInt {
			Throw(ExFormat, "Format specifier was invalid.")
		}
		s := strconv.FormatInt(absI(i), 10)
		for len(s) < prec {
			s = "0" + s
		}
		if i < 0 {
			s = "-" + s
		}
		return s
	case 'X', 'x':
		if !isInt {
			Throw(ExFormat, "Format specifier was invalid.")
		}
		u := uint64(i)
		switch v.(type) {
		case int32:
			u = uint64(uint32(i))
		case uint8:
			u = uint64(uint8(i))
		}
		s := strconv.FormatUint(u, 16)
		if spec == 'X' {
			s = strings.ToUpper(s)
		}
		for len(s) < prec {
			s = "0" + s
		}
		return s
	case 'F', 'f':
		if prec < 0 {
			prec = 2
		}
		return strconv.FormatFloat(f, 'f', prec, 64)
	case 'N', 'n':
		if prec < 0 {
			prec = 2
		}
		return groupThousands(strconv.FormatFloat(f, 'f', prec, 64))
	case 'P', 'p':
		if prec < 0 {
			prec = 2
		}
		return groupThousands(strconv.FormatFloat(f*100, 'f', prec, 64)) + " %"
	case 'E', 'e':
		if prec < 0 {
			prec = 6
		}
		s := strconv.FormatFloat(f, 'e', prec, 64)
		m, e, _ := strings.Cut(s, "e")
		sign := e[0]
		e = e[1:]
		for len(e) < 3 {
			e = "0" + e
		}
		es := "e"
		if spec == 'E' {
			es = "E"
		}
		return m + es + string(sign) + e
	case 'G', 'g', 'R', 'r':
		if prec <= 0 || isInt {
			return ToString(v)
		}
		return strings.ToUpper(strconv.FormatFloat(f, 'g', prec, 64))
	case 'C', 'c':
		if prec < 0 {
			prec = 2
		}
		return "¤" + groupThousands(strconv.FormatFloat(f, 'f', prec, 64))
	}
	return customNumber(v, format)
}

func absI(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, hasF := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if hasF {
		out += "." + fp
	}
	if neg {
		out = "-" + out
	}
	return out
}

// customNumber handles the common custom patterns: "0", "00", "0.00", "#,##0.00", "#".
func customNumber(v Value, format string) string {
	f, _ := AsFloat(v)
	ip, fp, _ := strings.Cut(format, ".")
	if strings.Trim(ip, "0#,") != "" || strings.Trim(fp, "0#") != "" {
		Throw(ExFormat, "Format specifier was invalid.")
	}
	minFrac := strings.Count(fp, "0")
	maxFrac := len(fp)
	s := strconv.FormatFloat(f, 'f', maxFrac, 64)
	if maxFrac > minFrac {
		i := strings.IndexByte(s, '.')
		for len(s) > i+1+minFrac && s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		s = strings.TrimSuffix(s, ".")
	}
	minInt := strings.Count(ip, "0")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasF := strings.Cut(s, ".")
	for len(whole) < minInt {
		whole = "0" + whole
	}
	if minInt == 0 && whole == "0" {
		whole = ""
	}
	if strings.Contains(ip, ",") {
		whole = groupThousands(whole)
	}
	s = whole
	if hasF {
		s += "." + frac
	}
	if neg {
		s = "-" + s
	}
	return s
}
