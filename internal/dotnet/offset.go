package dotnet

import (
	"strings"
	"time"
)

// DateTimeOffsetFromTime converts a Go time, keeping its zone offset
// (rounded down to whole minutes).
func DateTimeOffsetFromTime(t time.Time) DateTimeOffset {
	_, off := t.Zone()
	off -= off % 60
	clock := DateTimeFromTime(t.In(time.FixedZone("", off)), Unspecified)
	return DateTimeOffset{clock: clock, offset: int16(off / 60)}
}

// DateTimeOffsetFromUnixSeconds is DateTimeOffset.FromUnixTimeSeconds.
func DateTimeOffsetFromUnixSeconds(s int64) (DateTimeOffset, error) {
	const minS, maxS = -62135596800, 253402300799
	if s < minS || s > maxS {
		return DateTimeOffset{}, &Exception{Type: ArgumentOutOfRangeException, Message: "Valid values are between -62135596800 and 253402300799, inclusive. (Parameter 'seconds')"}
	}
	return DateTimeOffset{clock: DateTime{ticks: s*TicksPerSecond + unixEpochTicks}}, nil
}

// DateTimeOffsetFromUnixMilliseconds is
// DateTimeOffset.FromUnixTimeMilliseconds.
func DateTimeOffsetFromUnixMilliseconds(ms int64) (DateTimeOffset, error) {
	const minMs, maxMs = -62135596800000, 253402300799999
	if ms < minMs || ms > maxMs {
		return DateTimeOffset{}, &Exception{Type: ArgumentOutOfRangeException, Message: "Valid values are between -62135596800000 and 253402300799999, inclusive. (Parameter 'milliseconds')"}
	}
	return DateTimeOffset{clock: DateTime{ticks: ms*TicksPerMillisecond + unixEpochTicks}}, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// ToUnixTimeSeconds is DateTimeOffset.ToUnixTimeSeconds (rounds toward
// negative infinity).
func (o DateTimeOffset) ToUnixTimeSeconds() int64 {
	return floorDiv(o.UtcDateTime().ticks-unixEpochTicks, TicksPerSecond)
}

// ToUnixTimeMilliseconds is DateTimeOffset.ToUnixTimeMilliseconds.
func (o DateTimeOffset) ToUnixTimeMilliseconds() int64 {
	return floorDiv(o.UtcDateTime().ticks-unixEpochTicks, TicksPerMillisecond)
}

// ToOffset is DateTimeOffset.ToOffset: the same instant shown at another
// offset.
func (o DateTimeOffset) ToOffset(offset TimeSpan) (DateTimeOffset, error) {
	u := o.UtcDateTime()
	clock, err := u.AddTicks(int64(offset))
	if err != nil {
		return DateTimeOffset{}, &Exception{Type: ArgumentOutOfRangeException, Message: "The UTC time represented when the offset is applied must be between year 0 and 10,000. (Parameter 'offset')"}
	}
	return NewDateTimeOffset(clock, offset)
}

// ParseDateTimeOffset is DateTimeOffset.Parse(s, InvariantCulture) for the
// shapes ParseDateTime accepts; text without an offset is taken as local
// time, which is UTC.
func ParseDateTimeOffset(s string) (DateTimeOffset, error) {
	t := strings.TrimSpace(s)
	for _, f := range datePatterns {
		p := parsedDate{dayOfWeek: -1}
		if matchExact(t, f, &p) {
			return p.buildOffset(s)
		}
	}
	return DateTimeOffset{}, errBadDateTime(s)
}

// ParseExactDateTimeOffset is DateTimeOffset.ParseExact(s, format,
// InvariantCulture) with DateTimeStyles.None: the format (custom, or one
// standard letter) must match all of s; text without an offset is taken as
// local time, which is UTC. Parts of the date the format leaves out come
// from today, as for ParseExactDateTime.
func ParseExactDateTimeOffset(s, format string, today DateTime) (DateTimeOffset, error) {
	p, err := parseExact(s, format)
	if err != nil {
		return DateTimeOffset{}, err
	}
	p.defaultDate(today)
	return p.buildOffset(s)
}

// buildOffset makes the DateTimeOffset of a matched date: its clock time,
// and its offset (zero without one, or for a UTC designator).
func (p parsedDate) buildOffset(s string) (DateTimeOffset, error) {
	off := p.offset
	p.hasOffset = false
	clock, err := p.build(s)
	if err != nil {
		return DateTimeOffset{}, err
	}
	if p.utc {
		off = 0
	}
	if clock.ticks-off < 0 || clock.ticks-off > MaxTicks {
		return DateTimeOffset{}, errBadDateTime(s)
	}
	return DateTimeOffset{clock: clock.SpecifyKind(Unspecified), offset: int16(off / TicksPerMinute)}, nil
}

// ParseTimeSpan is TimeSpan.Parse(s, InvariantCulture) for the constant
// shape [ws][-][d.]hh:mm[:ss[.fffffff]][ws] and a bare day count.
func ParseTimeSpan(s string) (TimeSpan, error) {
	t := strings.TrimSpace(s)
	bad := func() (TimeSpan, error) { return 0, errBadTimeSpan(s) }
	overflow := func() (TimeSpan, error) { return 0, errTimeSpanOverflow(s) }
	neg := strings.HasPrefix(t, "-")
	if neg {
		t = t[1:]
	}
	num := func(str string, maxV int64) (int64, bool, bool) {
		if str == "" || len(str) > 10 {
			return 0, false, len(str) > 10
		}
		var v int64
		for i := 0; i < len(str); i++ {
			if str[i] < '0' || str[i] > '9' {
				return 0, false, false
			}
			v = v*10 + int64(str[i]-'0')
		}
		return v, v <= maxV, v > maxV
	}
	var days, h, m, sec, frac int64
	var ok, ovf bool
	if !strings.Contains(t, ":") {
		if days, ok, ovf = num(t, 10675199); !ok {
			if ovf {
				return overflow()
			}
			return bad()
		}
	} else {
		if i := strings.IndexByte(t, '.'); i >= 0 && i < strings.IndexByte(t, ':') {
			if days, ok, ovf = num(t[:i], 10675199); !ok {
				if ovf {
					return overflow()
				}
				return bad()
			}
			t = t[i+1:]
		}
		parts := strings.Split(t, ":")
		if len(parts) > 3 {
			return bad()
		}
		if len(parts) == 3 {
			if i := strings.IndexByte(parts[2], '.'); i >= 0 {
				f := parts[2][i+1:]
				if f == "" || len(f) > 7 {
					return bad()
				}
				var fv int64
				if fv, ok, _ = num(f, 9999999); !ok {
					return bad()
				}
				frac = fractionTicks(fv, len(f))
				parts[2] = parts[2][:i]
			}
		}
		limits := []int64{23, 59, 59}
		vals := []*int64{&h, &m, &sec}
		for k, part := range parts {
			var v int64
			if v, ok, ovf = num(part, limits[k]); !ok {
				if ovf {
					return overflow()
				}
				return bad()
			}
			*vals[k] = v
		}
	}
	return spanFromParts(s, neg, days, h, m, sec, frac)
}

// DateTimeOffsetFromDateTime is new DateTimeOffset(dateTime): offset zero
// for every kind, since local time is UTC.
func DateTimeOffsetFromDateTime(d DateTime) DateTimeOffset {
	return DateTimeOffset{clock: d.SpecifyKind(Unspecified)}
}

func (o DateTimeOffset) with(d DateTime, err error) (DateTimeOffset, error) {
	if err != nil {
		return DateTimeOffset{}, err
	}
	u := d.ticks - int64(o.offset)*TicksPerMinute
	if u < 0 || u > MaxTicks {
		return DateTimeOffset{}, &Exception{Type: ArgumentOutOfRangeException, Message: "The UTC time represented when the offset is applied must be between year 0 and 10,000. (Parameter 'offset')"}
	}
	o.clock = d.SpecifyKind(Unspecified)
	return o, nil
}

// AddTicks is DateTimeOffset.AddTicks.
func (o DateTimeOffset) AddTicks(t int64) (DateTimeOffset, error) {
	return o.with(o.clock.AddTicks(t))
}

// Add is DateTimeOffset.Add(TimeSpan).
func (o DateTimeOffset) Add(ts TimeSpan) (DateTimeOffset, error) {
	return o.with(o.clock.AddTicks(int64(ts)))
}

// AddMicroseconds is DateTimeOffset.AddMicroseconds.
func (o DateTimeOffset) AddMicroseconds(v float64) (DateTimeOffset, error) {
	return o.with(o.clock.AddMicroseconds(v))
}

// AddMilliseconds is DateTimeOffset.AddMilliseconds.
func (o DateTimeOffset) AddMilliseconds(v float64) (DateTimeOffset, error) {
	return o.with(o.clock.AddMilliseconds(v))
}

// AddSeconds is DateTimeOffset.AddSeconds.
func (o DateTimeOffset) AddSeconds(v float64) (DateTimeOffset, error) {
	return o.with(o.clock.AddSeconds(v))
}

// AddMinutes is DateTimeOffset.AddMinutes.
func (o DateTimeOffset) AddMinutes(v float64) (DateTimeOffset, error) {
	return o.with(o.clock.AddMinutes(v))
}

// AddHours is DateTimeOffset.AddHours.
func (o DateTimeOffset) AddHours(v float64) (DateTimeOffset, error) {
	return o.with(o.clock.AddHours(v))
}

// AddDays is DateTimeOffset.AddDays.
func (o DateTimeOffset) AddDays(v float64) (DateTimeOffset, error) {
	return o.with(o.clock.AddDays(v))
}

// AddMonths is DateTimeOffset.AddMonths.
func (o DateTimeOffset) AddMonths(n int) (DateTimeOffset, error) {
	return o.with(o.clock.AddMonths(n))
}

// AddYears is DateTimeOffset.AddYears.
func (o DateTimeOffset) AddYears(n int) (DateTimeOffset, error) {
	return o.with(o.clock.AddYears(n))
}

// Subtract is DateTimeOffset - DateTimeOffset: the difference of the UTC
// instants.
func (o DateTimeOffset) Subtract(p DateTimeOffset) TimeSpan {
	return TimeSpan(o.UtcDateTime().ticks - p.UtcDateTime().ticks)
}
