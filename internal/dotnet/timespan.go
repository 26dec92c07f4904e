package dotnet

import (
	"math"
	"strconv"
	"strings"
)

// TimeSpan is System.TimeSpan: a signed number of 100 ns ticks.
type TimeSpan int64

// Ticks is TimeSpan.Ticks.
func (ts TimeSpan) Ticks() int64 { return int64(ts) }

// Days is TimeSpan.Days.
func (ts TimeSpan) Days() int { return int(int64(ts) / TicksPerDay) }

// Hours is TimeSpan.Hours.
func (ts TimeSpan) Hours() int { return int(int64(ts) / TicksPerHour % 24) }

// Minutes is TimeSpan.Minutes.
func (ts TimeSpan) Minutes() int { return int(int64(ts) / TicksPerMinute % 60) }

// Seconds is TimeSpan.Seconds.
func (ts TimeSpan) Seconds() int { return int(int64(ts) / TicksPerSecond % 60) }

// Milliseconds is TimeSpan.Milliseconds.
func (ts TimeSpan) Milliseconds() int { return int(int64(ts) / TicksPerMillisecond % 1000) }

// TotalDays is TimeSpan.TotalDays.
func (ts TimeSpan) TotalDays() float64 { return float64(ts) / float64(TicksPerDay) }

// TotalHours is TimeSpan.TotalHours.
func (ts TimeSpan) TotalHours() float64 { return float64(ts) / float64(TicksPerHour) }

// TotalMinutes is TimeSpan.TotalMinutes.
func (ts TimeSpan) TotalMinutes() float64 { return float64(ts) / float64(TicksPerMinute) }

// TotalSeconds is TimeSpan.TotalSeconds.
func (ts TimeSpan) TotalSeconds() float64 { return float64(ts) / float64(TicksPerSecond) }

// TotalMilliseconds is TimeSpan.TotalMilliseconds.
func (ts TimeSpan) TotalMilliseconds() float64 {
	return float64(ts) / float64(TicksPerMillisecond)
}

// NewTimeSpan is new TimeSpan(days, hours, minutes, seconds, milliseconds).
func NewTimeSpan(days, hours, minutes, seconds, milliseconds int64) (TimeSpan, error) {
	total := (days*3600*24+hours*3600+minutes*60+seconds)*1000 + milliseconds
	if total > math.MaxInt64/TicksPerMillisecond || total < math.MinInt64/TicksPerMillisecond {
		return 0, errTimeSpanTooLong()
	}
	return TimeSpan(total * TicksPerMillisecond), nil
}

func errTimeSpanTooLong() error {
	return &Exception{Type: ArgumentOutOfRangeException, Message: "TimeSpan overflowed because the duration is too long."}
}

func timeSpanFrom(v float64, unit int64) (TimeSpan, error) {
	if math.IsNaN(v) {
		return 0, &Exception{Type: "System.ArgumentException", Message: "TimeSpan does not accept floating point Not-a-Number values."}
	}
	t := v * float64(unit)
	if t > math.MaxInt64 || t < math.MinInt64 {
		return 0, &Exception{Type: OverflowException, Message: "TimeSpan overflowed because the duration is too long."}
	}
	return TimeSpan(int64(t)), nil
}

// TimeSpanFromSeconds is TimeSpan.FromSeconds(double).
func TimeSpanFromSeconds(v float64) (TimeSpan, error) { return timeSpanFrom(v, TicksPerSecond) }

// TimeSpanFromMinutes is TimeSpan.FromMinutes(double).
func TimeSpanFromMinutes(v float64) (TimeSpan, error) { return timeSpanFrom(v, TicksPerMinute) }

// TimeSpanFromHours is TimeSpan.FromHours(double).
func TimeSpanFromHours(v float64) (TimeSpan, error) { return timeSpanFrom(v, TicksPerHour) }

// TimeSpanFromDays is TimeSpan.FromDays(double).
func TimeSpanFromDays(v float64) (TimeSpan, error) { return timeSpanFrom(v, TicksPerDay) }

// TimeSpanFromMilliseconds is TimeSpan.FromMilliseconds(double).
func TimeSpanFromMilliseconds(v float64) (TimeSpan, error) {
	return timeSpanFrom(v, TicksPerMillisecond)
}

// String is TimeSpan.ToString(): the constant "c" format
// [-][d.]hh:mm:ss[.fffffff].
func (ts TimeSpan) String() string {
	s, _ := ts.Format("c")
	return s
}

func (ts TimeSpan) parts() (neg bool, days, hours, minutes, seconds, frac int64) {
	t := int64(ts)
	var u uint64
	if t < 0 {
		neg = true
		u = uint64(-t) // MinValue wraps to its own magnitude as uint64
	} else {
		u = uint64(t)
	}
	days = int64(u / uint64(TicksPerDay))
	r := int64(u % uint64(TicksPerDay))
	hours = r / TicksPerHour
	minutes = r / TicksPerMinute % 60
	seconds = r / TicksPerSecond % 60
	frac = r % TicksPerSecond
	return
}

// Format is TimeSpan.ToString(format, InvariantCulture): "c", "t", "T",
// "g", "G" or a custom pattern (d, h, m, s, f, F, quoted and escaped
// literals; any other character is a FormatException).
func (ts TimeSpan) Format(format string) (string, error) {
	neg, days, hours, minutes, seconds, frac := ts.parts()
	var b []byte
	switch format {
	case "", "c", "t", "T":
		if neg {
			b = append(b, '-')
		}
		if days != 0 {
			b = strconv.AppendInt(b, days, 10)
			b = append(b, '.')
		}
		b = appendPadded(b, hours, 2)
		b = append(b, ':')
		b = appendPadded(b, minutes, 2)
		b = append(b, ':')
		b = appendPadded(b, seconds, 2)
		if frac != 0 {
			b = append(b, '.')
			b = appendPadded(b, frac, 7)
		}
		return string(b), nil
	case "g":
		if neg {
			b = append(b, '-')
		}
		if days != 0 {
			b = strconv.AppendInt(b, days, 10)
			b = append(b, ':')
		}
		b = strconv.AppendInt(b, hours, 10)
		b = append(b, ':')
		b = appendPadded(b, minutes, 2)
		b = append(b, ':')
		b = appendPadded(b, seconds, 2)
		if frac != 0 {
			f := frac
			w := 7
			for f%10 == 0 {
				f /= 10
				w--
			}
			b = append(b, '.')
			b = appendPadded(b, f, w)
		}
		return string(b), nil
	case "G":
		if neg {
			b = append(b, '-')
		}
		b = strconv.AppendInt(b, days, 10)
		b = append(b, ':')
		b = appendPadded(b, hours, 2)
		b = append(b, ':')
		b = appendPadded(b, minutes, 2)
		b = append(b, ':')
		b = appendPadded(b, seconds, 2)
		b = append(b, '.')
		b = appendPadded(b, frac, 7)
		return string(b), nil
	}
	if len(format) == 1 {
		return "", errDateFormat()
	}
	for i := 0; i < len(format); {
		c := format[i]
		n := repeatLen(format, i)
		switch c {
		case 'd':
			if n > 8 {
				return "", errDateFormat()
			}
			b = appendPadded(b, days, n)
		case 'h', 'm', 's':
			if n > 2 {
				return "", errDateFormat()
			}
			v := hours
			if c == 'm' {
				v = minutes
			} else if c == 's' {
				v = seconds
			}
			b = appendPadded(b, v, n)
		case 'f', 'F':
			if n > 7 {
				return "", errDateFormat()
			}
			f := frac
			for k := n; k < 7; k++ {
				f /= 10
			}
			if c == 'f' {
				b = appendPadded(b, f, n)
				break
			}
			w := n
			for w > 0 && f%10 == 0 {
				f /= 10
				w--
			}
			if w > 0 {
				b = appendPadded(b, f, w)
			}
		case '\'', '"':
			var err error
			b, i, err = parseQuoted(b, format, i)
			if err != nil {
				return "", errDateFormat()
			}
			continue
		case '%':
			if i+1 >= len(format) || format[i+1] == '%' {
				return "", errDateFormat()
			}
			n = 1
		case '\\':
			if i+1 >= len(format) {
				return "", errDateFormat()
			}
			b = append(b, format[i+1])
			n = 2
		default:
			return "", errDateFormat()
		}
		i += n
	}
	return string(b), nil
}

// ParseExactTimeSpan is TimeSpan.ParseExact(s, format, InvariantCulture)
// with TimeSpanStyles.None. A standard format ("c", "t", "T", "g", "G")
// reads what ParseTimeSpan reads. A custom format is made of d to dddddddd,
// h, hh, m, mm, s, ss, f to fffffff and F to FFFFFFF; every other character
// must be quoted ('...' or "...") or escaped with a backslash, as .NET
// requires, and the whole of s must match.
func ParseExactTimeSpan(s, format string) (TimeSpan, error) {
	switch format {
	case "c", "t", "T", "g", "G":
		return ParseTimeSpan(s)
	case "":
		return 0, newFormatError("Input string was not in a correct format.")
	}
	bad := func() (TimeSpan, error) {
		return 0, newFormatError("String '" + s + "' was not recognized as a valid TimeSpan.")
	}
	badFormat := func() (TimeSpan, error) {
		return 0, newFormatError("Input string was not in a correct format.")
	}
	var days, hours, minutes, seconds, frac int64
	seen := map[byte]bool{}
	pos := 0
	// digits reads between lo and hi digits at pos.
	digits := func(lo, hi int) (int64, int, bool) {
		var v int64
		n := 0
		for n < hi && pos+n < len(s) && s[pos+n] >= '0' && s[pos+n] <= '9' {
			v = v*10 + int64(s[pos+n]-'0')
			n++
		}
		if n < lo {
			return 0, 0, false
		}
		pos += n
		return v, n, true
	}
	for i := 0; i < len(format); {
		ch := format[i]
		run := 1
		for i+run < len(format) && format[i+run] == ch {
			run++
		}
		switch ch {
		case 'd', 'h', 'm', 's', 'f', 'F':
			if seen[ch] || ch == 'd' && run > 8 || (ch == 'h' || ch == 'm' || ch == 's') && run > 2 || (ch == 'f' || ch == 'F') && run > 7 {
				return badFormat()
			}
			seen[ch] = true
			var v int64
			var n int
			var ok bool
			switch ch {
			case 'd':
				if run == 1 {
					v, _, ok = digits(1, 8)
				} else {
					v, _, ok = digits(run, run)
				}
				days = v
			case 'h', 'm', 's':
				if run == 1 {
					v, _, ok = digits(1, 2)
				} else {
					v, _, ok = digits(2, 2)
				}
				switch ch {
				case 'h':
					hours = v
				case 'm':
					minutes = v
				default:
					seconds = v
				}
			case 'f':
				v, n, ok = digits(run, run)
				frac = v * pow10(7-n)
			case 'F':
				v, n, ok = digits(0, run)
				frac = v * pow10(7-n)
			}
			if !ok {
				return bad()
			}
			i += run
		case '\'', '"':
			end := strings.IndexByte(format[i+1:], ch)
			if end < 0 {
				return badFormat()
			}
			lit := format[i+1 : i+1+end]
			if !strings.HasPrefix(s[pos:], lit) {
				return bad()
			}
			pos += len(lit)
			i += end + 2
		case '\\':
			if i+1 >= len(format) {
				return badFormat()
			}
			if pos >= len(s) || s[pos] != format[i+1] {
				return bad()
			}
			pos++
			i += 2
		case '%':
			if i+1 >= len(format) || format[i+1] == '%' {
				return badFormat()
			}
			i++ // the next character is a specifier on its own
		default:
			return badFormat()
		}
	}
	if pos != len(s) {
		return bad()
	}
	if days > 10675199 || hours > 23 || minutes > 59 || seconds > 59 {
		return 0, &Exception{Type: OverflowException, Message: "The TimeSpan string '" + s + "' could not be parsed because at least one of the numeric components is out of range or contains too many digits."}
	}
	return TimeSpan(days*TicksPerDay + hours*TicksPerHour + minutes*TicksPerMinute + seconds*TicksPerSecond + frac), nil
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
