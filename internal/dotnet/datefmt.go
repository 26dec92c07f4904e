package dotnet

import (
	"strconv"
)

var (
	dayNames        = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	abbrevDayNames  = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	monthNames      = [13]string{"", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	abbrevMonthName = [13]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

func errDateFormat() error {
	return newFormatError("Input string was not in a correct format.")
}

// expandDateFormat maps a one-letter standard format to its invariant
// pattern. toUTC reports whether the value is shown in UTC first.
func expandDateFormat(c byte, isOffset bool) (pattern string, toUTC bool, ok bool) {
	switch c {
	case 'd':
		return "MM/dd/yyyy", false, true
	case 'D':
		return "dddd, dd MMMM yyyy", false, true
	case 'f':
		return "dddd, dd MMMM yyyy HH:mm", false, true
	case 'F':
		return "dddd, dd MMMM yyyy HH:mm:ss", false, true
	case 'g':
		return "MM/dd/yyyy HH:mm", false, true
	case 'G':
		return "MM/dd/yyyy HH:mm:ss", false, true
	case 'm', 'M':
		return "MMMM dd", false, true
	case 'o', 'O':
		return "yyyy'-'MM'-'dd'T'HH':'mm':'ss.fffffffK", false, true
	case 'r', 'R':
		return "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", true, true
	case 's':
		return "yyyy'-'MM'-'dd'T'HH':'mm':'ss", false, true
	case 't':
		return "HH:mm", false, true
	case 'T':
		return "HH:mm:ss", false, true
	case 'u':
		return "yyyy'-'MM'-'dd HH':'mm':'ss'Z'", true, true
	case 'U':
		if isOffset {
			return "", false, false
		}
		return "dddd, dd MMMM yyyy HH:mm:ss", true, true
	case 'y', 'Y':
		return "yyyy MMMM", false, true
	}
	return "", false, false
}

// Format is DateTime.ToString(format, CultureInfo.InvariantCulture). An
// empty format means "G".
func (d DateTime) Format(format string) (string, error) {
	b, err := formatDateTime(make([]byte, 0, 32), d, format, 0, false)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// AppendFormat appends d formatted with format to dst.
func (d DateTime) AppendFormat(dst []byte, format string) ([]byte, error) {
	return formatDateTime(dst, d, format, 0, false)
}

func formatDateTime(dst []byte, d DateTime, format string, offset int64, isOffset bool) ([]byte, error) {
	if format == "" {
		format = "G"
	}
	if len(format) == 1 {
		pattern, toUTC, ok := expandDateFormat(format[0], isOffset)
		if !ok {
			return dst, errDateFormat()
		}
		if toUTC {
			if isOffset {
				d = DateTime{ticks: d.ticks - offset, kind: Utc}
				offset = 0
			} else {
				d.kind = Utc
			}
		}
		format = pattern
	}
	return formatCustomDate(dst, d, format, offset, isOffset)
}

func repeatLen(format string, i int) int {
	c := format[i]
	n := 1
	for i+n < len(format) && format[i+n] == c {
		n++
	}
	return n
}

func appendPadded(dst []byte, v int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// appendOffset writes an offset in ticks as z ("+0"), zz ("+00") or zzz
// ("+00:00") style.
func appendOffset(dst []byte, off int64, n int) []byte {
	if off < 0 {
		dst = append(dst, '-')
		off = -off
	} else {
		dst = append(dst, '+')
	}
	h := off / TicksPerHour
	m := off % TicksPerHour / TicksPerMinute
	switch n {
	case 1:
		return strconv.AppendInt(dst, h, 10)
	case 2:
		return appendPadded(dst, h, 2)
	}
	dst = appendPadded(dst, h, 2)
	dst = append(dst, ':')
	return appendPadded(dst, m, 2)
}

// parseQuoted copies a quoted literal starting at format[i] (the quote)
// and returns the index after the closing quote.
func parseQuoted(dst []byte, format string, i int) ([]byte, int, error) {
	q := format[i]
	i++
	for i < len(format) {
		c := format[i]
		i++
		if c == q {
			return dst, i, nil
		}
		if c == '\\' {
			if i >= len(format) {
				return dst, i, errDateFormat()
			}
			dst = append(dst, format[i])
			i++
			continue
		}
		dst = append(dst, c)
	}
	return dst, i, newFormatError("Cannot find a matching quote character for the character '" + string(q) + "'.")
}

func formatCustomDate(dst []byte, d DateTime, format string, offset int64, isOffset bool) ([]byte, error) {
	year, month, day, _ := d.date()
	var err error
	for i := 0; i < len(format); {
		c := format[i]
		n := 1
		switch c {
		case 'g':
			n = repeatLen(format, i)
			dst = append(dst, "A.D."...)
		case 'h':
			n = repeatLen(format, i)
			h := d.Hour() % 12
			if h == 0 {
				h = 12
			}
			dst = appendPadded(dst, int64(h), min(n, 2))
		case 'H':
			n = repeatLen(format, i)
			dst = appendPadded(dst, int64(d.Hour()), min(n, 2))
		case 'm':
			n = repeatLen(format, i)
			dst = appendPadded(dst, int64(d.Minute()), min(n, 2))
		case 's':
			n = repeatLen(format, i)
			dst = appendPadded(dst, int64(d.Second()), min(n, 2))
		case 'f', 'F':
			n = repeatLen(format, i)
			if n > 7 {
				return dst, errDateFormat()
			}
			frac := d.ticks % TicksPerSecond
			for k := n; k < 7; k++ {
				frac /= 10
			}
			if c == 'f' {
				dst = appendPadded(dst, frac, n)
				break
			}
			w := n
			for w > 0 && frac%10 == 0 {
				frac /= 10
				w--
			}
			if w > 0 {
				dst = appendPadded(dst, frac, w)
			} else if len(dst) > 0 && dst[len(dst)-1] == '.' {
				dst = dst[:len(dst)-1]
			}
		case 't':
			n = repeatLen(format, i)
			ampm := "AM"
			if d.Hour() >= 12 {
				ampm = "PM"
			}
			if n == 1 {
				dst = append(dst, ampm[0])
			} else {
				dst = append(dst, ampm...)
			}
		case 'd':
			n = repeatLen(format, i)
			switch n {
			case 1, 2:
				dst = appendPadded(dst, int64(day), n)
			case 3:
				dst = append(dst, abbrevDayNames[d.DayOfWeek()]...)
			default:
				dst = append(dst, dayNames[d.DayOfWeek()]...)
			}
		case 'M':
			n = repeatLen(format, i)
			switch n {
			case 1, 2:
				dst = appendPadded(dst, int64(month), n)
			case 3:
				dst = append(dst, abbrevMonthName[month]...)
			default:
				dst = append(dst, monthNames[month]...)
			}
		case 'y':
			n = repeatLen(format, i)
			if n <= 2 {
				dst = appendPadded(dst, int64(year%100), n)
			} else {
				dst = appendPadded(dst, int64(year), n)
			}
		case 'z':
			n = repeatLen(format, i)
			dst = appendOffset(dst, offset, min(n, 3))
		case 'K':
			switch {
			case isOffset:
				dst = appendOffset(dst, offset, 3)
			case d.kind == Utc:
				dst = append(dst, 'Z')
			case d.kind == Local:
				dst = append(dst, "+00:00"...)
			}
		case ':':
			dst = append(dst, ':')
		case '/':
			dst = append(dst, '/')
		case '\'', '"':
			dst, i, err = parseQuoted(dst, format, i)
			if err != nil {
				return dst, err
			}
			continue
		case '%':
			// A single custom specifier: "%d" is the day, not the 'd' format.
			if i+1 < len(format) && format[i+1] != '%' {
				sub := format[i+1 : i+2]
				dst, err = formatCustomDate(dst, d, sub, offset, isOffset)
				if err != nil {
					return dst, err
				}
				n = 2
			} else {
				return dst, errDateFormat()
			}
		case '\\':
			if i+1 >= len(format) {
				return dst, errDateFormat()
			}
			dst = append(dst, format[i+1])
			n = 2
		default:
			dst = append(dst, c)
		}
		i += n
	}
	return dst, nil
}
