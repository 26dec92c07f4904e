package value

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DateTimeOffset is a System.DateTimeOffset.
type DateTimeOffset struct {
	T time.Time
}

func offsetString(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("%s%02d:%02d", sign, off/3600, off/60%60)
}

// FormatDateTime formats t with a .NET standard or custom format string
// (invariant culture). An empty format is the general "G" format.
func FormatDateTime(t time.Time, format string) string {
	switch format {
	case "", "G":
		return t.Format("01/02/2006 15:04:05")
	case "g":
		return t.Format("01/02/2006 15:04")
	case "d":
		return t.Format("01/02/2006")
	case "D":
		return t.Format("Monday, 02 January 2006")
	case "t":
		return t.Format("15:04")
	case "T":
		return t.Format("15:04:05")
	case "o", "O":
		s := t.Format("2006-01-02T15:04:05.0000000")
		if t.Location() == time.UTC {
			return s + "Z"
		}
		return s + offsetString(t)
	case "s":
		return t.Format("2006-01-02T15:04:05")
	case "u":
		return t.Format("2006-01-02 15:04:05Z")
	case "r", "R":
		return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
	case "f":
		return t.Format("Monday, 02 January 2006 15:04")
	case "F":
		return t.Format("Monday, 02 January 2006 15:04:05")
	case "M", "m":
		return t.Format("January 02")
	case "Y", "y":
		return t.Format("2006 January")
	}
	if len(format) == 1 {
		Throw(ExFormat, "Input string was not in a correct format.")
	}
	return customDate(t, format)
}

func customDate(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		n := 1
		for i+n < len(f) && f[i+n] == c {
			n++
		}
		switch c {
		case 'y':
			y := t.Year()
			switch {
			case n <= 2:
				b.WriteString(pad(y%100, n))
			default:
				b.WriteString(pad(y, n))
			}
		case 'M':
			switch n {
			case 1, 2:
				b.WriteString(pad(int(t.Month()), n))
			case 3:
				b.WriteString(t.Month().String()[:3])
			default:
				b.WriteString(t.Month().String())
			}
		case 'd':
			switch n {
			case 1, 2:
				b.WriteString(pad(t.Day(), n))
			case 3:
				b.WriteString(t.Weekday().String()[:3])
			default:
				b.WriteString(t.Weekday().String())
			}
		case 'H':
			b.WriteString(pad(t.Hour(), min(n, 2)))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(pad(h, min(n, 2)))
		case 'm':
			b.WriteString(pad(t.Minute(), min(n, 2)))
		case 's':
			b.WriteString(pad(t.Second(), min(n, 2)))
		case 'f', 'F':
			frac := fmt.Sprintf("%09d", t.Nanosecond())[:min(n, 7)]
			if c == 'F' {
				frac = strings.TrimRight(frac, "0")
			}
			b.WriteString(frac)
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			b.WriteString(ampm[:min(n, 2)])
		case 'z':
			_, off := t.Zone()
			sign := "+"
			if off < 0 {
				sign, off = "-", -off
			}
			switch n {
			case 1:
				b.WriteString(sign + strconv.Itoa(off/3600))
			case 2:
				b.WriteString(sign + pad(off/3600, 2))
			default:
				b.WriteString(sign + pad(off/3600, 2) + ":" + pad(off/60%60, 2))
			}
		case 'K':
			if t.Location() == time.UTC {
				b.WriteString("Z")
			} else {
				b.WriteString(offsetString(t))
			}
			n = 1
		case '\'', '"':
			j := strings.IndexByte(f[i+1:], c)
			if j < 0 {
				Throw(ExFormat, "Cannot find a matching quote character for the character '%c'.", c)
			}
			b.WriteString(f[i+1 : i+1+j])
			i += j + 2
			continue
		case '\\':
			if i+1 < len(f) {
				b.WriteByte(f[i+1])
			}
			i += 2
			continue
		default:
			for range n {
				b.WriteByte(c)
			}
		}
		i += n
	}
	return b.String()
}

func pad(v, n int) string {
	s := strconv.Itoa(v)
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// FormatTimeSpan formats d as TimeSpan.ToString() ("c"): [-][d.]hh:mm:ss[.fffffff].
func FormatTimeSpan(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	ticks := int64(d / 100)
	days := ticks / (864000000000)
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10))
		b.WriteByte('.')
	}
	rem := ticks % 864000000000
	h := rem / 36000000000
	m := rem / 600000000 % 60
	s := rem / 10000000 % 60
	f := rem % 10000000
	fmt.Fprintf(&b, "%02d:%02d:%02d", h, m, s)
	if f != 0 {
		fmt.Fprintf(&b, ".%07d", f)
	}
	return b.String()
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.9999999",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"01/02/2006 15:04:05",
	"01/02/2006 15:04",
	"1/2/2006 3:04:05 PM",
	"01/02/2006",
	"1/2/2006",
	time.RFC1123,
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 GMT",
	"02 Jan 2006 15:04:05",
	"2 January 2006",
}

// ParseDateTime parses s as DateTime.Parse does with the invariant culture
// for the common ISO 8601, RFC 1123 and invariant formats. Strings with an
// offset are converted to UTC.
func ParseDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Location() != time.UTC {
				t = t.UTC()
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// ParseTimeSpan parses [-][d.]hh:mm[:ss[.fffffff]] or a whole number of days.
func ParseTimeSpan(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	if dot := strings.IndexByte(s, '.'); dot >= 0 && (strings.IndexByte(s, ':') < 0 || dot < strings.IndexByte(s, ':')) {
		d, err := strconv.ParseInt(s[:dot], 10, 64)
		if err != nil {
			return 0, false
		}
		days, s = d, s[dot+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) == 1 {
		d, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil || days != 0 {
			return 0, false
		}
		days = d
		parts = nil
	}
	if len(parts) == 1 || len(parts) > 3 {
		return 0, false
	}
	var total time.Duration = time.Duration(days) * 24 * time.Hour
	units := []time.Duration{time.Hour, time.Minute}
	for i, p := range parts {
		if i == 2 {
			sec, frac, _ := strings.Cut(p, ".")
			v, err := strconv.ParseInt(sec, 10, 64)
			if err != nil || v > 59 {
				return 0, false
			}
			total += time.Duration(v) * time.Second
			if frac != "" {
				for len(frac) < 9 {
					frac += "0"
				}
				ns, err := strconv.ParseInt(frac[:9], 10, 64)
				if err != nil {
					return 0, false
				}
				total += time.Duration(ns)
			}
			continue
		}
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || (i == 0 && v > 23) || (i == 1 && v > 59) {
			return 0, false
		}
		total += time.Duration(v) * units[i]
	}
	if neg {
		total = -total
	}
	return total, true
}
