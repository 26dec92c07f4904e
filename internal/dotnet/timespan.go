package dotnet

import (
	"math"
	"math/big"
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

// TotalMilliseconds is TimeSpan.TotalMilliseconds, which .NET clamps to
// the whole milliseconds of MinValue and MaxValue.
func (ts TimeSpan) TotalMilliseconds() float64 {
	const limit = float64(math.MaxInt64 / TicksPerMillisecond)
	return min(max(float64(ts)/float64(TicksPerMillisecond), -limit), limit)
}

// Microseconds is TimeSpan.Microseconds.
func (ts TimeSpan) Microseconds() int { return int(int64(ts) / TicksPerMicrosecond % 1000) }

// Nanoseconds is TimeSpan.Nanoseconds.
func (ts TimeSpan) Nanoseconds() int { return int(int64(ts) % TicksPerMicrosecond * 100) }

// TotalMicroseconds is TimeSpan.TotalMicroseconds.
func (ts TimeSpan) TotalMicroseconds() float64 {
	return float64(ts) / float64(TicksPerMicrosecond)
}

// TotalNanoseconds is TimeSpan.TotalNanoseconds.
func (ts TimeSpan) TotalNanoseconds() float64 { return float64(ts) * 100 }

// Limits of TimeSpan.
const (
	MaxTimeSpan TimeSpan = math.MaxInt64 // TimeSpan.MaxValue: 10675199.02:48:05.4775807
	MinTimeSpan TimeSpan = math.MinInt64 // TimeSpan.MinValue: -10675199.02:48:05.4775808
)

// NewTimeSpan is new TimeSpan(days, hours, minutes, seconds, milliseconds).
func NewTimeSpan(days, hours, minutes, seconds, milliseconds int64) (TimeSpan, error) {
	return TimeSpanFromUnits([]int64{days, hours, minutes, seconds, milliseconds},
		[]int64{TicksPerDay, TicksPerHour, TicksPerMinute, TicksPerSecond, TicksPerMillisecond})
}

// TimeSpanFromUnits is the sum of values[i] × ticksPerUnit[i], computed
// exactly: the TimeSpan constructors from days, hours, minutes, seconds,
// milliseconds and microseconds, and the integer overloads of FromDays,
// FromHours, FromMinutes, FromSeconds, FromMilliseconds and
// FromMicroseconds. A sum beyond MinValue or MaxValue is an
// ArgumentOutOfRangeException, as .NET raises it.
func TimeSpanFromUnits(values, ticksPerUnit []int64) (TimeSpan, error) {
	var sum, term big.Int
	for i, v := range values {
		term.SetInt64(v)
		sum.Add(&sum, term.Mul(&term, big.NewInt(ticksPerUnit[i])))
	}
	if !sum.IsInt64() {
		return 0, errTimeSpanTooLong()
	}
	return TimeSpan(sum.Int64()), nil
}

func errTimeSpanTooLong() error {
	return &Exception{Type: ArgumentOutOfRangeException, Message: "TimeSpan overflowed because the duration is too long."}
}

// errTimeSpanOverflowed is the OverflowException of TimeSpan arithmetic
// past MinValue or MaxValue.
func errTimeSpanOverflowed() error {
	return &Exception{Type: OverflowException, Message: "TimeSpan overflowed because the duration is too long."}
}

func errTimeSpanNaN() error {
	return &Exception{Type: "System.ArgumentException", Message: "TimeSpan does not accept floating point Not-a-Number values."}
}

// TimeSpanFromDoubleTicks converts a tick count computed in floating
// point, truncating it toward zero; NaN and counts beyond MinValue or
// MaxValue are an OverflowException (.NET's IntervalFromDoubleTicks).
func TimeSpanFromDoubleTicks(ticks float64) (TimeSpan, error) {
	// float64(math.MaxInt64) is 2^63, one more than MaxValue: .NET maps it
	// to MaxValue, where a conversion to int64 would overflow.
	if ticks > math.MaxInt64 || ticks < math.MinInt64 || math.IsNaN(ticks) {
		return 0, errTimeSpanOverflowed()
	}
	if ticks == math.MaxInt64 {
		return MaxTimeSpan, nil
	}
	return TimeSpan(int64(ticks)), nil
}

func timeSpanFrom(v float64, unit int64) (TimeSpan, error) {
	if math.IsNaN(v) {
		return 0, errTimeSpanNaN()
	}
	return TimeSpanFromDoubleTicks(v * float64(unit))
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

// TimeSpanFromMicroseconds is TimeSpan.FromMicroseconds(double).
func TimeSpanFromMicroseconds(v float64) (TimeSpan, error) {
	return timeSpanFrom(v, TicksPerMicrosecond)
}

// Add is TimeSpan.Add and the + operator: an OverflowException past
// MinValue or MaxValue.
func (ts TimeSpan) Add(o TimeSpan) (TimeSpan, error) {
	r := ts + o
	if (ts < 0) == (o < 0) && (r < 0) != (ts < 0) {
		return 0, errTimeSpanOverflowed()
	}
	return r, nil
}

// Subtract is TimeSpan.Subtract and the - operator: an OverflowException
// past MinValue or MaxValue.
func (ts TimeSpan) Subtract(o TimeSpan) (TimeSpan, error) {
	r := ts - o
	if (ts < 0) != (o < 0) && (r < 0) != (ts < 0) {
		return 0, errTimeSpanOverflowed()
	}
	return r, nil
}

// Negate is TimeSpan.Negate and unary minus: MinValue has no opposite.
func (ts TimeSpan) Negate() (TimeSpan, error) {
	if ts == MinTimeSpan {
		return 0, &Exception{Type: OverflowException, Message: "Negating the minimum value of a twos complement number is invalid."}
	}
	return -ts, nil
}

// Duration is TimeSpan.Duration, the absolute value: MinValue has none.
func (ts TimeSpan) Duration() (TimeSpan, error) {
	if ts == MinTimeSpan {
		return 0, &Exception{Type: OverflowException, Message: "The duration cannot be returned for TimeSpan.MinValue because the absolute value of TimeSpan.MinValue exceeds the value of TimeSpan.MaxValue."}
	}
	return max(ts, -ts), nil
}

// Multiply is TimeSpan.Multiply(double) and the * operator: the product
// rounded to the nearest tick (half to even).
func (ts TimeSpan) Multiply(factor float64) (TimeSpan, error) {
	if math.IsNaN(factor) {
		return 0, &Exception{Type: "System.ArgumentException", Message: "TimeSpan does not accept floating point Not-a-Number values. (Parameter 'factor')"}
	}
	return TimeSpanFromDoubleTicks(math.RoundToEven(float64(ts) * factor))
}

// Divide is TimeSpan.Divide(double) and the / operator: the quotient
// rounded to the nearest tick (half to even). Dividing by zero overflows,
// as in .NET.
func (ts TimeSpan) Divide(divisor float64) (TimeSpan, error) {
	if math.IsNaN(divisor) {
		return 0, &Exception{Type: "System.ArgumentException", Message: "TimeSpan does not accept floating point Not-a-Number values. (Parameter 'divisor')"}
	}
	return TimeSpanFromDoubleTicks(math.RoundToEven(float64(ts) / divisor))
}

// Ratio is TimeSpan.Divide(TimeSpan): ts / o in floating point (an
// infinity or NaN when o is zero).
func (ts TimeSpan) Ratio(o TimeSpan) float64 { return float64(ts) / float64(o) }

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
	badFormat := func() (TimeSpan, error) {
		return 0, newFormatError("Input string was not in a correct format.")
	}
	var days, hours, minutes, seconds, frac int64
	var seen [128]bool // the specifiers met
	pos := 0
	for i := 0; i < len(format); {
		ch := format[i]
		run := 1
		for i+run < len(format) && format[i+run] == ch {
			run++
		}
		switch ch {
		case 'd', 'h', 'm', 's', 'f', 'F':
			longest := 2
			switch ch {
			case 'd':
				longest = 8
			case 'f', 'F':
				longest = 7
			}
			if seen[ch] || run > longest {
				return badFormat()
			}
			seen[ch] = true
			// d, h, m and s alone take up to their longest; doubled, and
			// f, exactly as many digits; F up to as many.
			lo, hi := run, run
			switch {
			case ch == 'F':
				lo = 0
			case run == 1 && ch != 'f':
				lo, hi = 1, longest
			}
			v, next, ok := readDigits(s, pos, lo, hi)
			if !ok {
				return 0, errBadTimeSpan(s)
			}
			switch ch {
			case 'd':
				days = int64(v)
			case 'h':
				hours = int64(v)
			case 'm':
				minutes = int64(v)
			case 's':
				seconds = int64(v)
			default:
				frac = fractionTicks(int64(v), next-pos)
			}
			pos = next
			i += run
		case '\'', '"':
			end := strings.IndexByte(format[i+1:], ch)
			if end < 0 {
				return badFormat()
			}
			lit := format[i+1 : i+1+end]
			if !strings.HasPrefix(s[pos:], lit) {
				return 0, errBadTimeSpan(s)
			}
			pos += len(lit)
			i += end + 2
		case '\\':
			if i+1 >= len(format) {
				return badFormat()
			}
			if pos >= len(s) || s[pos] != format[i+1] {
				return 0, errBadTimeSpan(s)
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
		return 0, errBadTimeSpan(s)
	}
	if days > 10675199 || hours > 23 || minutes > 59 || seconds > 59 {
		return 0, errTimeSpanOverflow(s)
	}
	return spanFromParts(s, false, days, hours, minutes, seconds, frac)
}

// spanFromParts assembles the parts parsed from s, [-]d.hh:mm:ss.fffffff
// (days at most 10675199, the others within their ranges): a value beyond
// MinValue or MaxValue is an OverflowException.
func spanFromParts(s string, neg bool, days, hours, minutes, seconds, frac int64) (TimeSpan, error) {
	u := uint64(days)*uint64(TicksPerDay) + uint64(hours*TicksPerHour+minutes*TicksPerMinute+seconds*TicksPerSecond+frac)
	limit := uint64(math.MaxInt64)
	if neg {
		limit++ // MinValue's magnitude
	}
	if u > limit {
		return 0, errTimeSpanOverflow(s)
	}
	if neg {
		return TimeSpan(-int64(u)), nil // 2^63 converts to MinValue, its own opposite
	}
	return TimeSpan(u), nil
}

func errBadTimeSpan(s string) error {
	return newFormatError("String '" + s + "' was not recognized as a valid TimeSpan.")
}

func errTimeSpanOverflow(s string) error {
	return &Exception{Type: OverflowException, Message: "The TimeSpan string '" + s + "' could not be parsed because at least one of the numeric components is out of range or contains too many digits."}
}
