package dotnet

import (
	"strings"
)

func errBadDateTime(s string) error {
	return newFormatError("String '" + s + "' was not recognized as a valid DateTime.")
}

// parsedDate collects the fields a pattern matched.
type parsedDate struct {
	year, month, day        int
	hour, minute, second    int
	frac                    int64 // ticks
	pm, hasAMPM, hour12     bool
	hasOffset, utc, hasDate bool
	hasMonth, hasDay        bool
	offset                  int64 // ticks
	dayOfWeek               int   // -1 when absent
}

func readDigits(s string, i, minN, maxN int) (int, int, bool) {
	v, n := 0, 0
	for i+n < len(s) && n < maxN && s[i+n] >= '0' && s[i+n] <= '9' {
		v = v*10 + int(s[i+n]-'0')
		n++
	}
	if n < minN {
		return 0, i, false
	}
	return v, i + n, true
}

// fractionTicks is the ticks of a fraction of a second written with
// digits digits (at most 7): "5" is 5000000 ticks.
func fractionTicks(v int64, digits int) int64 {
	for ; digits < 7; digits++ {
		v *= 10
	}
	return v
}

func matchName(s string, i int, names []string) (int, int, bool) {
	best, bestLen := -1, 0
	for k, name := range names {
		if name != "" && len(name) > bestLen && len(s)-i >= len(name) && strings.EqualFold(s[i:i+len(name)], name) {
			best, bestLen = k, len(name)
		}
	}
	if best < 0 {
		return 0, i, false
	}
	return best, i + bestLen, true
}

func readOffset(s string, i int, colonOptional bool) (int64, int, bool) {
	if i >= len(s) || (s[i] != '+' && s[i] != '-') {
		return 0, i, false
	}
	neg := s[i] == '-'
	h, j, ok := readDigits(s, i+1, 1, 2)
	if !ok || h > 14 {
		return 0, i, false
	}
	m := 0
	if j < len(s) && s[j] == ':' {
		if m, j, ok = readDigits(s, j+1, 2, 2); !ok {
			return 0, i, false
		}
	} else if colonOptional && j+1 < len(s) && s[j] >= '0' && s[j] <= '9' {
		if m, j, ok = readDigits(s, j, 2, 2); !ok {
			return 0, i, false
		}
	}
	off := int64(h)*TicksPerHour + int64(m)*TicksPerMinute
	if neg {
		off = -off
	}
	return off, j, true
}

// matchExact matches s against a custom DateTime pattern.
func matchExact(s, format string, p *parsedDate) bool {
	i := 0
	for k := 0; k < len(format); {
		c := format[k]
		n := repeatLen(format, k)
		var ok bool
		var v int
		switch c {
		case 'y':
			if n <= 2 {
				v, i, ok = readDigits(s, i, n, 2)
				if ok {
					v += 2000
					if v > 2049 {
						v -= 100
					}
				}
			} else {
				v, i, ok = readDigits(s, i, n, max(n, 5))
			}
			p.year, p.hasDate = v, true
		case 'M':
			switch {
			case n <= 2:
				v, i, ok = readDigits(s, i, n, 2)
			case n == 3:
				v, i, ok = matchName(s, i, abbrevMonthName[:])
			default:
				v, i, ok = matchName(s, i, monthNames[:])
			}
			p.month, p.hasMonth = v, true
		case 'd':
			switch {
			case n <= 2:
				v, i, ok = readDigits(s, i, n, 2)
				p.day, p.hasDay = v, true
			case n == 3:
				v, i, ok = matchName(s, i, abbrevDayNames[:])
				p.dayOfWeek = v
			default:
				v, i, ok = matchName(s, i, dayNames[:])
				p.dayOfWeek = v
			}
		case 'H', 'h':
			v, i, ok = readDigits(s, i, min(n, 2), 2)
			p.hour, p.hour12 = v, c == 'h'
		case 'm':
			v, i, ok = readDigits(s, i, min(n, 2), 2)
			p.minute = v
		case 's':
			v, i, ok = readDigits(s, i, min(n, 2), 2)
			p.second = v
		case 'f', 'F':
			minN := n
			if c == 'F' {
				minN = 0
			}
			start := i
			v, i, ok = readDigits(s, i, minN, n)
			if ok {
				p.frac = fractionTicks(int64(v), i-start)
			}
		case 't':
			if i < len(s) && (s[i] == 'A' || s[i] == 'a' || s[i] == 'P' || s[i] == 'p') {
				p.pm = s[i] == 'P' || s[i] == 'p'
				p.hasAMPM = true
				i++
				ok = true
				if n > 1 {
					ok = i < len(s) && (s[i] == 'M' || s[i] == 'm')
					i++
				}
			}
		case 'z':
			p.offset, i, ok = readOffset(s, i, n >= 3)
			p.hasOffset = ok
		case 'K':
			ok = true
			if i < len(s) && (s[i] == 'Z' || s[i] == 'z') {
				p.utc, p.hasOffset = true, true
				i++
			} else if off, j, ok2 := readOffset(s, i, true); ok2 {
				p.offset, p.hasOffset, i = off, true, j
			}
		case '\'', '"':
			lit, next, err := parseQuoted(nil, format, k)
			if err != nil || !strings.HasPrefix(s[i:], string(lit)) {
				return false
			}
			if string(lit) == "GMT" || string(lit) == "Z" {
				p.utc, p.hasOffset = true, true
			}
			i += len(lit)
			k = next
			continue
		case '\\':
			if k+1 >= len(format) || i >= len(s) || s[i] != format[k+1] {
				return false
			}
			i++
			n = 2
			ok = true
		case '%':
			n = 1
			ok = true
		default:
			n = 1
			if i < len(s) && s[i] == c {
				i++
				ok = true
			}
		}
		if !ok {
			return false
		}
		k += n
	}
	return i == len(s)
}

func (p *parsedDate) build(s string) (DateTime, error) {
	if !p.hasDate {
		return DateTime{}, errBadDateTime(s)
	}
	h := p.hour
	if p.hour12 || p.hasAMPM {
		if h > 12 || (p.hour12 && h == 0) {
			return DateTime{}, errBadDateTime(s)
		}
		if p.hasAMPM {
			if p.pm && h < 12 {
				h += 12
			} else if !p.pm && h == 12 {
				h = 0
			}
		}
	}
	d, err := NewDateTime(p.year, p.month, p.day, h, p.minute, p.second, 0, Unspecified)
	if err != nil {
		return DateTime{}, errBadDateTime(s)
	}
	d.ticks += p.frac
	if p.dayOfWeek >= 0 && d.DayOfWeek() != p.dayOfWeek {
		return DateTime{}, newFormatError("String '" + s + "' was not recognized as a valid DateTime because the day of week was incorrect.")
	}
	if p.hasOffset {
		t := d.ticks - p.offset
		if t < 0 || t > MaxTicks {
			return DateTime{}, errBadDateTime(s)
		}
		return DateTime{ticks: t, kind: Local}, nil
	}
	return d, nil
}

// ParseExactDateTime is DateTime.ParseExact(s, format, InvariantCulture)
// with DateTimeStyles.None. A value carrying a UTC designator or offset is
// converted to local time (UTC) with Kind Local, as .NET does. A format
// without the year, month and day takes today's date from today, as
// .NET's CheckDefaultDateTime does: all three when none is given, else the
// current year, month 1 and day 1 for the missing ones ("yyyy-MM" is the
// first of the month).
func ParseExactDateTime(s, format string, today DateTime) (DateTime, error) {
	p, err := parseExact(s, format)
	if err != nil {
		return DateTime{}, err
	}
	p.defaultDate(today)
	return p.build(s)
}

// defaultDate fills in the parts of the date the format did not give.
func (p *parsedDate) defaultDate(today DateTime) {
	hasYear := p.hasDate
	if hasYear && p.hasMonth && p.hasDay {
		return
	}
	y, m, d, _ := today.date()
	switch {
	case !hasYear && !p.hasMonth && !p.hasDay:
		p.year, p.month, p.day = y, m, d
	case !p.hasMonth && !p.hasDay:
		p.month, p.day = 1, 1
	default:
		if !hasYear {
			p.year = y
		}
		if !p.hasMonth {
			p.month = 1
		}
		if !p.hasDay {
			p.day = 1
		}
	}
	p.hasDate = true
}

// parseExact matches all of s against format (custom, or one standard
// letter), as ParseExact does.
func parseExact(s, format string) (parsedDate, error) {
	format, err := exactFormat(format)
	if err != nil {
		return parsedDate{}, err
	}
	p := parsedDate{dayOfWeek: -1}
	if !matchExact(s, format, &p) {
		return parsedDate{}, errBadDateTime(s)
	}
	return p, nil
}

// exactFormat is the custom format ParseExact matches for format: format
// itself, or the pattern of a standard format letter (whose fraction, for
// "o", may be shorter on input, as .NET accepts).
func exactFormat(format string) (string, error) {
	if len(format) != 1 {
		return format, nil
	}
	pattern, _, ok := expandDateFormat(format[0], false)
	if !ok {
		return "", errDateFormat()
	}
	if pattern[len(pattern)-1] == 'K' && strings.HasSuffix(pattern, ".fffffffK") {
		pattern = strings.TrimSuffix(pattern, "fffffffK") + "FFFFFFFK"
	}
	return pattern, nil
}

// datePatterns are the shapes DateTime.Parse accepts here, tried in order.
var datePatterns = []string{
	"yyyy-M-d'T'H:m:s.FFFFFFFK",
	"yyyy-M-d'T'H:m:sK",
	"yyyy-M-d'T'H:mK",
	"yyyy-M-d H:m:s.FFFFFFFK",
	"yyyy-M-d H:m:sK",
	"yyyy-M-d H:mK",
	"yyyy-M-dK",
	"yyyy/M/d H:m:s.FFFFFFF",
	"yyyy/M/d H:m:s",
	"yyyy/M/d H:m",
	"yyyy/M/d",
	"M/d/yyyy h:m:s tt",
	"M/d/yyyy h:m tt",
	"M/d/yyyy H:m:s.FFFFFFF",
	"M/d/yyyy H:m:s",
	"M/d/yyyy H:m",
	"M/d/yyyy",
	"ddd, d MMM yyyy H:m:s 'GMT'",
	"ddd, d MMM yyyy H:m:s zzz",
	"d MMM yyyy H:m:s",
	"d MMM yyyy H:m",
	"d MMM yyyy",
	"MMM d, yyyy h:m:s tt",
	"MMM d, yyyy H:m:s",
	"d MMMM yyyy",
	"MMMM d, yyyy",
	"MMM d, yyyy",
	"dddd, d MMMM yyyy H:m:s",
	"dddd, d MMMM yyyy",
}

// ParseDateTime is DateTime.Parse(s, CultureInfo.InvariantCulture) for the
// shapes seen in practice: ISO 8601 (with 'T' or a space, optional
// fraction, 'Z' or offset), invariant "MM/dd/yyyy[ HH:mm[:ss]][ AM|PM]",
// "yyyy/MM/dd", RFC 1123 and day-month-name forms. Values with a UTC
// designator or offset come back converted to local time (UTC) with Kind
// Local.
func ParseDateTime(s string) (DateTime, error) {
	t := strings.TrimSpace(s)
	for _, f := range datePatterns {
		p := parsedDate{dayOfWeek: -1}
		if matchExact(t, f, &p) {
			return p.build(s)
		}
	}
	return DateTime{}, errBadDateTime(s)
}

// TryParseDateTime is DateTime.TryParse.
func TryParseDateTime(s string) (DateTime, bool) {
	d, err := ParseDateTime(s)
	return d, err == nil
}
