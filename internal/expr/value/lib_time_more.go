package value

import (
	"math"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// addMonths is DateTime.AddMonths: the day is clamped to the length of the
// target month (January 31 plus one month is February 28 or 29), where Go's
// AddDate would overflow into the next month.
func addMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	total := y*12 + int(m) - 1 + months
	ny, nm := total/12, time.Month(total%12+1)
	if total < 0 || ny < 1 || ny > 9999 {
		Throw(ExArgRange, "The added or subtracted value results in an un-representable DateTime. (Parameter 'months')")
	}
	if last := time.Date(ny, nm+1, 0, 0, 0, 0, 0, time.UTC).Day(); d > last {
		d = last
	}
	return time.Date(ny, nm, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// spanParts sums whole units given as TimeSpan.FromDays(days, hours,
// minutes, seconds, milliseconds, microseconds) and its shorter forms:
// units lists the length of each argument's unit.
func spanParts(c Call, units []time.Duration) time.Duration {
	var total float64
	for i := range c.Args {
		n, _ := AsInt64(c.Args[i])
		total += float64(n) * float64(units[i])
	}
	if total > math.MaxInt64 || total < math.MinInt64 {
		Throw(ExArgRange, "TimeSpan overflowed because the duration is too long.")
	}
	return time.Duration(total)
}

func (u *Lib) buildTimeMore() {
	dt, ts, dto := u.DateTime, u.TimeSpan, u.DateTimeOffset
	dt.add(
		meth("AddMonths", 1, 1, dt, func(c Call) Value { return addMonths(c.This.(time.Time), c.Int(0)) }),
		meth("AddYears", 1, 1, dt, func(c Call) Value { return addMonths(c.This.(time.Time), 12*c.Int(0)) }),
	)
	ticksPer := map[string]int64{"TicksPerDay": dotnet.TicksPerDay, "TicksPerHour": dotnet.TicksPerHour,
		"TicksPerMinute": dotnet.TicksPerMinute, "TicksPerSecond": dotnet.TicksPerSecond, "TicksPerMillisecond": dotnet.TicksPerMillisecond}
	for name, n := range ticksPer {
		ts.addStatic(prop(name, u.Long, func(Call) Value { return n }))
	}
	us := time.Microsecond
	from := func(name string, units ...time.Duration) *Member {
		m := meth(name, 1, len(units), ts, func(c Call) Value {
			if len(c.Args) == 1 {
				if f, ok := c.Args[0].(float64); ok {
					return time.Duration(math.Round(f * float64(units[0])))
				}
				if f, ok := c.Args[0].(float32); ok {
					return time.Duration(math.Round(float64(f) * float64(units[0])))
				}
			}
			return spanParts(c, units)
		})
		return m
	}
	ts.addStatic(
		from("FromDays", 24*time.Hour, time.Hour, time.Minute, time.Second, time.Millisecond, us),
		from("FromHours", time.Hour, time.Minute, time.Second, time.Millisecond, us),
		from("FromMinutes", time.Minute, time.Second, time.Millisecond, us),
		from("FromSeconds", time.Second, time.Millisecond, us),
		from("FromMilliseconds", time.Millisecond, us),
		from("FromMicroseconds", us),
		meth("Compare", 2, 2, u.Int, func(c Call) Value { return int32(cmpInt(int64(c.Duration(0)), int64(c.Duration(1)))) }),
	)
	ts.add(
		meth("ToString", 0, 2, u.String, func(c Call) Value {
			out, err := dotnet.TimeSpan(int64(c.This.(time.Duration)) / 100).Format(c.Str(0))
			if err != nil {
				throwDotnet(err)
			}
			return out
		}),
		&Member{Name: "Divide", Kind: Method, Min: 1, Max: 1, Fn: func(c Call) Value {
			d := c.This.(time.Duration)
			if o, ok := c.Args[0].(time.Duration); ok {
				return float64(d) / float64(o)
			}
			f := c.Float(0)
			if f == 0 {
				Throw(ExArgument, "Cannot divide by zero. (Parameter 'divisor')")
			}
			return time.Duration(math.Round(float64(d) / f))
		}, ResultOf: func(_ *Type, args []*Type, _ []*Type) *Type {
			if len(args) == 1 && args[0] == ts {
				return u.Double
			}
			return ts
		}},
		meth("Multiply", 1, 1, ts, func(c Call) Value {
			return time.Duration(math.Round(float64(c.This.(time.Duration)) * c.Float(0)))
		}),
		prop("Microseconds", u.Int, func(c Call) Value { return int32(c.This.(time.Duration) / time.Microsecond % 1000) }),
		prop("Nanoseconds", u.Int, func(c Call) Value { return int32(c.This.(time.Duration) % time.Microsecond / 100 * 100) }),
		prop("TotalMicroseconds", u.Double, func(c Call) Value { return float64(c.This.(time.Duration)/100) / 10 }),
		prop("TotalNanoseconds", u.Double, func(c Call) Value { return float64(c.This.(time.Duration) / 100 * 100) }),
	)
	ts.Members["ToString"].NullReceiver = false

	// DateTimeOffset
	offsetZone := func(off time.Duration) *time.Location {
		if off%time.Minute != 0 {
			Throw(ExArgument, "Offset must be specified in whole minutes. (Parameter 'offset')")
		}
		if off < -14*time.Hour || off > 14*time.Hour {
			Throw(ExArgRange, "Offset must be within plus or minus 14 hours. (Parameter 'offset')")
		}
		return time.FixedZone("", int(off/time.Second))
	}
	// clockIn reads the clock of t (any kind) as a time in loc.
	clockIn := func(t time.Time, loc *time.Location) time.Time {
		y, mo, d := t.Date()
		return time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	}
	dto.New = func(c Call) Value {
		switch n := len(c.Args); {
		case n == 1:
			t, ok := c.Args[0].(time.Time)
			if !ok {
				ThrowCast(c.Args[0], "System.DateTime")
			}
			return DateTimeOffset{T: t}
		case n == 2:
			off := c.Duration(1)
			if t, ok := c.Args[0].(time.Time); ok {
				if k := DateTimeKind(t); k == dotnet.Utc && off != 0 {
					Throw(ExArgument, "The UTC Offset for Utc DateTime instances must be 0. (Parameter 'offset')")
				}
				return DateTimeOffset{T: clockIn(t, offsetZone(off))}
			}
			ticks, _ := AsInt64(c.Args[0])
			return DateTimeOffset{T: clockIn(FromTicks(ticks), offsetZone(off))}
		case n >= 7 && n <= 9:
			ints := make([]int, 8) // year ... millisecond, microsecond
			for i := range n - 1 {
				ints[i] = c.Int(i)
			}
			d, err := dotnet.NewDateTime(ints[0], ints[1], ints[2], ints[3], ints[4], ints[5], ints[6], dotnet.Unspecified)
			if err != nil {
				throwDotnet(err)
			}
			if us := ints[7]; us < 0 || us > 999 {
				Throw(ExArgRange, "Valid values are between 0 and 999, inclusive. (Parameter 'microsecond')")
			}
			t := d.Time().Add(time.Duration(ints[7]) * time.Microsecond)
			return DateTimeOffset{T: clockIn(t, offsetZone(c.Duration(n-1)))}
		}
		Throw(ExArgument, "DateTimeOffset takes a DateTime, a DateTime or ticks and an offset, or the date and time parts and an offset.")
		return nil
	}
	o := func(c Call) time.Time { return c.This.(DateTimeOffset).T }
	dtoAdd := func(name string, unit float64) *Member {
		return meth(name, 1, 1, dto, func(c Call) Value {
			return DateTimeOffset{o(c).Add(time.Duration(math.Round(c.Float(0) * unit)))}
		})
	}
	dto.add(
		dtoAdd("AddSeconds", 1e9), dtoAdd("AddMinutes", 60e9), dtoAdd("AddHours", 3600e9), dtoAdd("AddDays", 86400e9),
		dtoAdd("AddMilliseconds", 1e6), dtoAdd("AddMicroseconds", 1e3),
		meth("AddTicks", 1, 1, dto, func(c Call) Value {
			n, _ := AsInt64(c.Args[0])
			return DateTimeOffset{o(c).Add(time.Duration(n) * 100)}
		}),
		meth("AddMonths", 1, 1, dto, func(c Call) Value { return DateTimeOffset{addMonths(o(c), c.Int(0))} }),
		meth("AddYears", 1, 1, dto, func(c Call) Value { return DateTimeOffset{addMonths(o(c), 12*c.Int(0))} }),
		meth("Add", 1, 1, dto, func(c Call) Value { return DateTimeOffset{o(c).Add(c.Duration(0))} }),
		&Member{Name: "Subtract", Kind: Method, Min: 1, Max: 1, Fn: func(c Call) Value {
			switch x := c.Args[0].(type) {
			case DateTimeOffset:
				return o(c).Sub(x.T)
			case time.Duration:
				return DateTimeOffset{o(c).Add(-x)}
			}
			ThrowCast(c.Args[0], "System.TimeSpan")
			return nil
		}, ResultOf: func(_ *Type, args []*Type, _ []*Type) *Type {
			if len(args) == 1 && args[0] == dto {
				return ts
			}
			return dto
		}},
		prop("Year", u.Int, func(c Call) Value { return int32(o(c).Year()) }),
		prop("Month", u.Int, func(c Call) Value { return int32(o(c).Month()) }),
		prop("Day", u.Int, func(c Call) Value { return int32(o(c).Day()) }),
		prop("Hour", u.Int, func(c Call) Value { return int32(o(c).Hour()) }),
		prop("Minute", u.Int, func(c Call) Value { return int32(o(c).Minute()) }),
		prop("Second", u.Int, func(c Call) Value { return int32(o(c).Second()) }),
		prop("Millisecond", u.Int, func(c Call) Value { return int32(o(c).Nanosecond() / 1e6) }),
		prop("Microsecond", u.Int, func(c Call) Value { return int32(o(c).Nanosecond() / 1e3 % 1000) }),
		prop("Nanosecond", u.Int, func(c Call) Value { return int32(o(c).Nanosecond() % 1000) }),
		prop("DayOfYear", u.Int, func(c Call) Value { return int32(o(c).YearDay()) }),
		prop("DayOfWeek", u.Types["DayOfWeek"], func(c Call) Value {
			d := o(c).Weekday()
			return Enum{T: u.Types["DayOfWeek"], V: int64(d), Name: d.String()}
		}),
		prop("Ticks", u.Long, func(c Call) Value { return Ticks(clockIn(o(c), time.UTC)) }),
		prop("Date", dt, func(c Call) Value { y, m, d := o(c).Date(); return time.Date(y, m, d, 0, 0, 0, 0, locUnspecified) }),
		prop("TimeOfDay", ts, func(c Call) Value {
			t := clockIn(o(c), time.UTC)
			return t.Sub(t.Truncate(24 * time.Hour))
		}),
		prop("TotalOffsetMinutes", u.Int, func(c Call) Value { _, off := o(c).Zone(); return int32(off / 60) }),
		meth("ToOffset", 1, 1, dto, func(c Call) Value { return DateTimeOffset{o(c).In(offsetZone(c.Duration(0)))} }),
		meth("ToUniversalTime", 0, 0, dto, func(c Call) Value { return DateTimeOffset{o(c).UTC()} }),
		meth("ToLocalTime", 0, 0, dto, func(c Call) Value { return DateTimeOffset{o(c).UTC()} }),
		meth("CompareTo", 1, 1, u.Int, func(c Call) Value {
			x, ok := c.Args[0].(DateTimeOffset)
			if !ok {
				if c.Args[0] == nil {
					return int32(1)
				}
				Throw(ExArgument, "Object must be of type DateTimeOffset. (Parameter 'obj')")
			}
			return int32(o(c).Compare(x.T))
		}),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value {
			x, ok := c.Args[0].(DateTimeOffset)
			return ok && o(c).Equal(x.T)
		}),
		meth("EqualsExact", 1, 1, u.Bool, func(c Call) Value {
			x, ok := c.Args[0].(DateTimeOffset)
			_, a := o(c).Zone()
			_, b := x.T.Zone()
			return ok && o(c).Equal(x.T) && a == b
		}),
		meth("ToFileTime", 0, 0, u.Long, func(c Call) Value { return Ticks(o(c).UTC()) - 504911232000000000 }),
	)
	dto.addStatic(
		prop("MinValue", dto, func(Call) Value { return DateTimeOffset{time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("", 0))} }),
		prop("MaxValue", dto, func(Call) Value {
			return DateTimeOffset{time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.FixedZone("", 0))}
		}),
		prop("UnixEpoch", dto, func(Call) Value { return DateTimeOffset{time.Unix(0, 0).In(time.FixedZone("", 0))} }),
		meth("Compare", 2, 2, u.Int, func(c Call) Value {
			a, _ := c.Args[0].(DateTimeOffset)
			b, _ := c.Args[1].(DateTimeOffset)
			return int32(a.T.Compare(b.T))
		}),
		meth("Equals", 2, 2, u.Bool, func(c Call) Value {
			a, ok1 := c.Args[0].(DateTimeOffset)
			b, ok2 := c.Args[1].(DateTimeOffset)
			return ok1 && ok2 && a.T.Equal(b.T)
		}),
		meth("FromFileTime", 1, 1, dto, func(c Call) Value {
			n, _ := AsInt64(c.Args[0])
			return DateTimeOffset{FromTicks(n + 504911232000000000)}
		}),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			p, err := dotnet.ParseDateTimeOffset(c.Str(0))
			if err != nil || c.IsNull(0) {
				c.Args[len(c.Args)-1] = DateTimeOffset{T: time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("", 0))}
				return false
			}
			c.Args[len(c.Args)-1] = dateTimeOffsetFrom(p)
			return true
		}},
	)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
