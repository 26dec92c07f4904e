package value

import (
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
// minutes, seconds, milliseconds, microseconds) and its shorter forms,
// exactly: units lists the ticks in each argument's unit.
func spanParts(c Call, units []int64) TimeSpan {
	n := make([]int64, len(c.Args))
	for i := range c.Args {
		n[i], _ = AsInt64(c.Args[i])
	}
	return spanResult(dotnet.TimeSpanFromUnits(n, units[:len(n)]))
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
	// from is TimeSpan.FromDays and its kind: a double (or float) alone
	// goes through floating point as in .NET, truncated to whole ticks;
	// integers are summed exactly.
	from := func(name string, fromDouble func(float64) (TimeSpan, error), units ...int64) *Member {
		m := meth(name, 1, len(units), ts, func(c Call) Value {
			if len(c.Args) == 1 {
				if f, ok := c.Args[0].(float64); ok {
					return spanResult(fromDouble(f))
				}
				if f, ok := c.Args[0].(float32); ok {
					return spanResult(fromDouble(float64(f)))
				}
			}
			return spanParts(c, units)
		})
		return m
	}
	day, hour, minute, second := dotnet.TicksPerDay, dotnet.TicksPerHour, dotnet.TicksPerMinute, dotnet.TicksPerSecond
	ms, us := dotnet.TicksPerMillisecond, dotnet.TicksPerMicrosecond
	ts.addStatic(
		from("FromDays", dotnet.TimeSpanFromDays, day, hour, minute, second, ms, us),
		from("FromHours", dotnet.TimeSpanFromHours, hour, minute, second, ms, us),
		from("FromMinutes", dotnet.TimeSpanFromMinutes, minute, second, ms, us),
		from("FromSeconds", dotnet.TimeSpanFromSeconds, second, ms, us),
		from("FromMilliseconds", dotnet.TimeSpanFromMilliseconds, ms, us),
		from("FromMicroseconds", dotnet.TimeSpanFromMicroseconds, us),
		meth("Compare", 2, 2, u.Int, func(c Call) Value { return int32(cmpInt(int64(c.TimeSpan(0)), int64(c.TimeSpan(1)))) }),
	)
	ts.add(
		meth("ToString", 0, 2, u.String, func(c Call) Value {
			out, err := c.This.(TimeSpan).Format(c.Str(0))
			if err != nil {
				throwDotnet(err)
			}
			return out
		}),
		&Member{Name: "Divide", Kind: Method, Min: 1, Max: 1, Fn: func(c Call) Value {
			t := c.This.(TimeSpan)
			if o, ok := c.Args[0].(TimeSpan); ok {
				return t.Ratio(o)
			}
			return spanResult(t.Divide(c.Float(0)))
		}, ResultOf: func(_ *Type, args []*Type, _ []*Type) *Type {
			if len(args) == 1 && args[0] == ts {
				return u.Double
			}
			return ts
		}},
		meth("Multiply", 1, 1, ts, func(c Call) Value { return spanResult(c.This.(TimeSpan).Multiply(c.Float(0))) }),
		prop("Microseconds", u.Int, func(c Call) Value { return int32(c.This.(TimeSpan).Microseconds()) }),
		prop("Nanoseconds", u.Int, func(c Call) Value { return int32(c.This.(TimeSpan).Nanoseconds()) }),
		prop("TotalMicroseconds", u.Double, func(c Call) Value { return c.This.(TimeSpan).TotalMicroseconds() }),
		prop("TotalNanoseconds", u.Double, func(c Call) Value { return c.This.(TimeSpan).TotalNanoseconds() }),
	)
	ts.Members["ToString"].NullReceiver = false

	// DateTimeOffset
	offsetZone := func(off TimeSpan) *time.Location {
		if int64(off)%dotnet.TicksPerMinute != 0 {
			Throw(ExArgument, "Offset must be specified in whole minutes. (Parameter 'offset')")
		}
		if off < -14*TimeSpan(dotnet.TicksPerHour) || off > 14*TimeSpan(dotnet.TicksPerHour) {
			Throw(ExArgRange, "Offset must be within plus or minus 14 hours. (Parameter 'offset')")
		}
		return time.FixedZone("", int(int64(off)/dotnet.TicksPerSecond))
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
			off := c.TimeSpan(1)
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
			return DateTimeOffset{T: clockIn(t, offsetZone(c.TimeSpan(n-1)))}
		}
		Throw(ExArgument, "DateTimeOffset takes a DateTime, a DateTime or ticks and an offset, or the date and time parts and an offset.")
		return nil
	}
	o := func(c Call) time.Time { return c.This.(DateTimeOffset).T }
	// dtoAdd is DateTimeOffset.AddDays and its kind, with DateTime's
	// precision and range (see dtAdd).
	dtoAdd := func(name string, add func(dotnet.DateTimeOffset, float64) (dotnet.DateTimeOffset, error)) *Member {
		return meth(name, 1, 1, dto, func(c Call) Value {
			v := c.Float(0)
			return offsetOp(c.This.(DateTimeOffset), func(d dotnet.DateTimeOffset) (dotnet.DateTimeOffset, error) { return add(d, v) })
		})
	}
	dto.add(
		dtoAdd("AddSeconds", dotnet.DateTimeOffset.AddSeconds), dtoAdd("AddMinutes", dotnet.DateTimeOffset.AddMinutes),
		dtoAdd("AddHours", dotnet.DateTimeOffset.AddHours), dtoAdd("AddDays", dotnet.DateTimeOffset.AddDays),
		dtoAdd("AddMilliseconds", dotnet.DateTimeOffset.AddMilliseconds), dtoAdd("AddMicroseconds", dotnet.DateTimeOffset.AddMicroseconds),
		meth("AddTicks", 1, 1, dto, func(c Call) Value {
			n, _ := AsInt64(c.Args[0])
			return offsetOp(c.This.(DateTimeOffset), func(d dotnet.DateTimeOffset) (dotnet.DateTimeOffset, error) { return d.AddTicks(n) })
		}),
		meth("AddMonths", 1, 1, dto, func(c Call) Value { return DateTimeOffset{addMonths(o(c), c.Int(0))} }),
		meth("AddYears", 1, 1, dto, func(c Call) Value { return DateTimeOffset{addMonths(o(c), 12*c.Int(0))} }),
		meth("Add", 1, 1, dto, func(c Call) Value { return shiftOffset(c.This.(DateTimeOffset), c.TimeSpan(0), "value") }),
		&Member{Name: "Subtract", Kind: Method, Min: 1, Max: 1, Fn: func(c Call) Value {
			switch x := c.Args[0].(type) {
			case DateTimeOffset:
				return spanBetween(o(c), x.T)
			case TimeSpan:
				return shiftOffset(c.This.(DateTimeOffset), -x, "value")
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
		prop("TimeOfDay", ts, func(c Call) Value { return dotnet.DateTimeOffsetFromTime(o(c)).DateTime().TimeOfDay() }),
		prop("TotalOffsetMinutes", u.Int, func(c Call) Value { _, off := o(c).Zone(); return int32(off / 60) }),
		meth("ToOffset", 1, 1, dto, func(c Call) Value { return DateTimeOffset{o(c).In(offsetZone(c.TimeSpan(0)))} }),
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
