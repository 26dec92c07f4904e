package value

import (
	"crypto/rand"

	"github.com/tollgate/tollgate/internal/dotnet"
	"math"
	"strings"
	"time"
)

func notFormat(s string) {
	Throw(ExFormat, "The input string '%s' was not in a correct format.", s)
}

// ParseInt parses s as int.Parse/long.Parse do (invariant culture).
func ParseInt(s string, bits int) (int64, error) {
	n, err := dotnet.ParseInt(s, bits)
	if err != nil {
		if e, ok := err.(*dotnet.Exception); ok {
			return 0, &Exception{Type: e.Type, Message: e.Message, Pos: -1, End: -1}
		}
		return 0, &Exception{Type: ExFormat, Message: err.Error(), Pos: -1, End: -1}
	}
	return n, nil
}

// ParseDouble parses s as double.Parse does with the invariant culture.
func ParseDouble(s string) (float64, error) {
	f, err := dotnet.ParseDouble(s)
	if err != nil {
		if e, ok := err.(*dotnet.Exception); ok {
			return 0, &Exception{Type: e.Type, Message: e.Message, Pos: -1, End: -1}
		}
		return 0, &Exception{Type: ExFormat, Message: err.Error(), Pos: -1, End: -1}
	}
	return f, nil
}

// ParseBool parses "true"/"false" case-insensitively.
func ParseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func (u *Lib) buildCore() {
	u.Object.add(
		meth("ToString", 0, 2, u.String, func(c Call) Value {
			if len(c.Args) > 0 {
				if f, ok := c.Args[0].(string); ok {
					switch x := c.This.(type) {
					case time.Time:
						return FormatDateTime(x, f)
					case DateTimeOffset:
						return FormatDateTimeOffset(x, f)
					case Guid:
						return formatGuid(x, f)
					case TimeSpan:
						return FormatTimeSpan(x)
					}
					if IsNumeric(c.This) {
						return FormatNumber(c.This, f)
					}
				}
			}
			if fs, ok := c.This.(interface{ FormatString(args []Value) string }); ok {
				return fs.FormatString(c.Args)
			}
			return ToString(c.This)
		}),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value { return Equals(c.This, c.Args[0]) }),
		meth("GetHashCode", 0, 0, u.Int, func(c Call) Value { return int32(len(ToString(c.This))) }),
		meth("CompareTo", 1, 1, u.Int, func(c Call) Value {
			r, ok := Compare(c.This, c.Args[0])
			if !ok && c.Args[0] != nil {
				Throw(ExArgument, "Object must be of type %s.", TypeName(c.This)[7:])
			}
			if c.Args[0] == nil {
				r = 1
			}
			return int32(r)
		}),
	)
	u.Object.addStatic(
		meth("Equals", 2, 2, u.Bool, func(c Call) Value { return Equals(c.Args[0], c.Args[1]) }),
		meth("ReferenceEquals", 2, 2, u.Bool, func(c Call) Value { return Equal(c.Args[0], c.Args[1]) }),
	)
	intParse := func(bits int, res *Type, box func(int64) Value) {
		res.addStatic(
			meth("Parse", 1, 3, res, func(c Call) Value {
				c.NotNull(0, "s")
				return box(must(ParseInt(c.Str(0), bits)))
			}),
			&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 4, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
				last := len(c.Args) - 1
				n, err := ParseInt(c.Str(0), bits)
				if err != nil || c.IsNull(0) {
					c.Args[last] = box(0)
					return false
				}
				c.Args[last] = box(n)
				return true
			}},
		)
	}
	intParse(32, u.Int, func(n int64) Value { return int32(n) })
	intParse(64, u.Long, func(n int64) Value { return n })
	intParse(8, u.Byte, func(n int64) Value { return uint8(n) })
	u.Int.addStatic(prop("MaxValue", u.Int, func(Call) Value { return int32(math.MaxInt32) }),
		prop("MinValue", u.Int, func(Call) Value { return int32(math.MinInt32) }))
	u.Long.addStatic(prop("MaxValue", u.Long, func(Call) Value { return int64(math.MaxInt64) }),
		prop("MinValue", u.Long, func(Call) Value { return int64(math.MinInt64) }))
	u.Double.addStatic(
		meth("Parse", 1, 3, u.Double, func(c Call) Value { c.NotNull(0, "s"); return must(ParseDouble(c.Str(0))) }),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 4, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			last := len(c.Args) - 1
			f, err := ParseDouble(c.Str(0))
			if err != nil || c.IsNull(0) {
				c.Args[last] = float64(0)
				return false
			}
			c.Args[last] = f
			return true
		}},
		meth("IsNaN", 1, 1, u.Bool, func(c Call) Value { return math.IsNaN(c.Float(0)) }),
		prop("NaN", u.Double, func(Call) Value { return math.NaN() }),
		prop("MaxValue", u.Double, func(Call) Value { return math.MaxFloat64 }),
		prop("MinValue", u.Double, func(Call) Value { return -math.MaxFloat64 }),
		prop("PositiveInfinity", u.Double, func(Call) Value { return math.Inf(1) }),
		prop("NegativeInfinity", u.Double, func(Call) Value { return math.Inf(-1) }),
		prop("Epsilon", u.Double, func(Call) Value { return math.SmallestNonzeroFloat64 }),
	)
	u.Bool.addStatic(
		meth("Parse", 1, 1, u.Bool, func(c Call) Value {
			c.NotNull(0, "value")
			b, ok := ParseBool(c.Str(0))
			if !ok {
				Throw(ExFormat, "String '%s' was not recognized as a valid Boolean.", c.Str(0))
			}
			return b
		}),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			b, ok := ParseBool(c.Str(0))
			c.Args[1] = b
			return ok && !c.IsNull(0)
		}},
		prop("TrueString", u.String, func(Call) Value { return "True" }),
		prop("FalseString", u.String, func(Call) Value { return "False" }),
	)
	u.Char.addStatic(
		meth("IsDigit", 1, 2, u.Bool, charPred(u, func(r rune) bool { return r >= '0' && r <= '9' })),
		meth("IsLetter", 1, 2, u.Bool, charPred(u, isLetter)),
		meth("IsLetterOrDigit", 1, 2, u.Bool, charPred(u, func(r rune) bool { return isLetter(r) || r >= '0' && r <= '9' })),
		meth("IsWhiteSpace", 1, 2, u.Bool, charPred(u, isWhite)),
		meth("IsUpper", 1, 2, u.Bool, charPred(u, func(r rune) bool { return strings.ToLower(string(r)) != string(r) })),
		meth("IsLower", 1, 2, u.Bool, charPred(u, func(r rune) bool { return strings.ToUpper(string(r)) != string(r) })),
		meth("ToUpper", 1, 1, u.Char, func(c Call) Value { return Char([]rune(strings.ToUpper(c.Str(0)))[0]) }),
		meth("ToLower", 1, 1, u.Char, func(c Call) Value { return Char([]rune(strings.ToLower(c.Str(0)))[0]) }),
		meth("ToUpperInvariant", 1, 1, u.Char, func(c Call) Value { return Char([]rune(strings.ToUpper(c.Str(0)))[0]) }),
		meth("ToLowerInvariant", 1, 1, u.Char, func(c Call) Value { return Char([]rune(strings.ToLower(c.Str(0)))[0]) }),
		meth("IsNumber", 1, 2, u.Bool, charPred(u, func(r rune) bool { return r >= '0' && r <= '9' })),
		meth("IsPunctuation", 1, 2, u.Bool, charPred(u, func(r rune) bool { return strings.ContainsRune("!\"#%&'()*,-./:;?@[\\]_{}", r) })),
	)

	// DateTime
	dt := u.DateTime
	u.newType("DateTimeKind", "System.DateTimeKind", u.Object).EnumValues = map[string]int64{"Unspecified": 0, "Utc": 1, "Local": 2}
	// dtAdd is DateTime.AddDays and its kind: .NET 7's precision (the
	// fraction of a unit truncated to whole ticks) over the whole range.
	dtAdd := func(name string, add func(dotnet.DateTime, float64) (dotnet.DateTime, error)) *Member {
		m := meth(name, 1, 1, dt, func(c Call) Value {
			v := c.Float(0)
			return dateTimeOp(c.This.(time.Time), func(d dotnet.DateTime) (dotnet.DateTime, error) { return add(d, v) })
		})
		m.ArgTypes = []*Type{u.Double}
		return m
	}
	dt.add(
		dtAdd("AddSeconds", dotnet.DateTime.AddSeconds), dtAdd("AddMinutes", dotnet.DateTime.AddMinutes),
		dtAdd("AddHours", dotnet.DateTime.AddHours), dtAdd("AddDays", dotnet.DateTime.AddDays),
		dtAdd("AddMilliseconds", dotnet.DateTime.AddMilliseconds),
		meth("AddTicks", 1, 1, dt, func(c Call) Value {
			n, _ := AsInt64(c.Args[0])
			return dateTimeOp(c.This.(time.Time), func(d dotnet.DateTime) (dotnet.DateTime, error) { return d.AddTicks(n) })
		}),
		meth("AddMonths", 1, 1, dt, func(c Call) Value { return c.This.(time.Time).AddDate(0, c.Int(0), 0) }),
		meth("AddYears", 1, 1, dt, func(c Call) Value { return c.This.(time.Time).AddDate(c.Int(0), 0, 0) }),
		meth("Add", 1, 1, dt, func(c Call) Value { return shiftDateTime(c.This.(time.Time), c.TimeSpan(0), "value") }),
		&Member{Name: "Subtract", Kind: Method, Min: 1, Max: 1, Fn: func(c Call) Value {
			switch x := c.Args[0].(type) {
			case time.Time:
				return spanBetween(c.This.(time.Time), x)
			case TimeSpan:
				return shiftDateTime(c.This.(time.Time), -x, "value")
			}
			ThrowCast(c.Args[0], "System.TimeSpan")
			return nil
		}},
		prop("Year", u.Int, func(c Call) Value { return int32(c.This.(time.Time).Year()) }),
		prop("Month", u.Int, func(c Call) Value { return int32(c.This.(time.Time).Month()) }),
		prop("Day", u.Int, func(c Call) Value { return int32(c.This.(time.Time).Day()) }),
		prop("Hour", u.Int, func(c Call) Value { return int32(c.This.(time.Time).Hour()) }),
		prop("Minute", u.Int, func(c Call) Value { return int32(c.This.(time.Time).Minute()) }),
		prop("Second", u.Int, func(c Call) Value { return int32(c.This.(time.Time).Second()) }),
		prop("Millisecond", u.Int, func(c Call) Value { return int32(c.This.(time.Time).Nanosecond() / 1e6) }),
		prop("DayOfYear", u.Int, func(c Call) Value { return int32(c.This.(time.Time).YearDay()) }),
		prop("Ticks", u.Long, func(c Call) Value { return Ticks(c.This.(time.Time)) }),
		prop("Date", dt, func(c Call) Value { t := c.This.(time.Time); return t.Truncate(24 * time.Hour) }),
		prop("TimeOfDay", u.TimeSpan, func(c Call) Value { return ToDotnetDateTime(c.This.(time.Time)).TimeOfDay() }),
		prop("DayOfWeek", nil, func(c Call) Value {
			d := c.This.(time.Time).Weekday()
			return Enum{T: u.Types["DayOfWeek"], V: int64(d), Name: d.String()}
		}),
		meth("ToUniversalTime", 0, 0, dt, func(c Call) Value { return c.This.(time.Time).UTC() }),
		meth("ToLocalTime", 0, 0, dt, func(c Call) Value { return WithKind(c.This.(time.Time), dotnet.Local) }),
		prop("Kind", u.Types["DateTimeKind"], func(c Call) Value {
			k := DateTimeKind(c.This.(time.Time))
			return Enum{T: u.Types["DateTimeKind"], V: int64(k), Name: k.String()}
		}),
		meth("ToString", 0, 2, u.String, func(c Call) Value { return FormatDateTime(c.This.(time.Time), c.Str(0)) }),
		meth("ToShortDateString", 0, 0, u.String, func(c Call) Value { return FormatDateTime(c.This.(time.Time), "d") }),
		meth("ToShortTimeString", 0, 0, u.String, func(c Call) Value { return FormatDateTime(c.This.(time.Time), "t") }),
		meth("ToLongDateString", 0, 0, u.String, func(c Call) Value { return FormatDateTime(c.This.(time.Time), "D") }),
		meth("ToFileTimeUtc", 0, 0, u.Long, func(c Call) Value { return (Ticks(c.This.(time.Time)) - 504911232000000000) }),
		meth("IsDaylightSavingTime", 0, 0, u.Bool, func(c Call) Value { return false }),
	)
	u.newType("DayOfWeek", "System.DayOfWeek", u.Object).EnumValues = map[string]int64{"Sunday": 0, "Monday": 1, "Tuesday": 2, "Wednesday": 3, "Thursday": 4, "Friday": 5, "Saturday": 6}
	dt.addStatic(
		prop("UtcNow", dt, func(c Call) Value { return c.Fr.Time().UTC() }),
		prop("Now", dt, func(c Call) Value { return WithKind(c.Fr.Time(), dotnet.Local) }),
		prop("Today", dt, func(c Call) Value { return WithKind(c.Fr.Time().UTC().Truncate(24*time.Hour), dotnet.Local) }),
		prop("MinValue", dt, func(c Call) Value { return time.Date(1, 1, 1, 0, 0, 0, 0, locUnspecified) }),
		prop("MaxValue", dt, func(c Call) Value { return time.Date(9999, 12, 31, 23, 59, 59, 999999900, locUnspecified) }),
		prop("UnixEpoch", dt, func(c Call) Value { return time.Unix(0, 0).UTC() }),
		meth("Parse", 1, 3, dt, func(c Call) Value {
			c.NotNull(0, "s")
			t, ok := ParseDateTime(c.Str(0))
			if !ok {
				Throw(ExFormat, "The string '%s' was not recognized as a valid DateTime. There is an unknown word starting at index '0'.", c.Str(0))
			}
			return t
		}),
		meth("ParseExact", 3, 4, dt, func(c Call) Value {
			c.NotNull(0, "s")
			var err error
			for _, f := range formatsArg(c, 1) {
				var d dotnet.DateTime
				if d, err = dotnet.ParseExactDateTime(c.Str(0), f, ToDotnetDateTime(c.Fr.Time().UTC())); err == nil {
					return FromDotnetDateTime(d)
				}
			}
			if err != nil {
				throwDotnet(err)
			}
			Throw(ExFormat, "String '%s' was not recognized as a valid DateTime.", c.Str(0))
			return nil
		}),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 4, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			t, ok := ParseDateTime(c.Str(0))
			c.Args[len(c.Args)-1] = t
			return ok
		}},
		meth("IsLeapYear", 1, 1, u.Bool, func(c Call) Value { y := c.Int(0); return y%4 == 0 && (y%100 != 0 || y%400 == 0) }),
		meth("DaysInMonth", 2, 2, u.Int, func(c Call) Value {
			return int32(time.Date(c.Int(0), time.Month(c.Int(1))+1, 0, 0, 0, 0, 0, time.UTC).Day())
		}),
		meth("SpecifyKind", 2, 2, dt, func(c Call) Value {
			t, ok := c.Args[0].(time.Time)
			if !ok {
				ThrowCast(c.Args[0], "System.DateTime")
			}
			e, _ := c.Args[1].(Enum)
			return WithKind(t, dotnet.Kind(e.V))
		}),
	)
	dt.New = func(c Call) Value {
		if len(c.Args) == 1 || len(c.Args) == 2 && isEnum(c.Args[1]) {
			n, _ := AsInt64(c.Args[0])
			k := dotnet.Unspecified
			if len(c.Args) == 2 {
				k = dotnet.Kind(c.Args[1].(Enum).V)
			}
			return WithKind(FromTicks(n), k)
		}
		ints := make([]int, 8) // year ... millisecond, microsecond
		kind := dotnet.Unspecified
		for i := range min(len(c.Args), 9) {
			if e, ok := c.Args[i].(Enum); ok {
				kind = dotnet.Kind(e.V)
				continue
			}
			if i < 8 {
				ints[i] = c.Int(i)
			}
		}
		if len(c.Args) < 3 {
			Throw(ExArgument, "DateTime requires year, month and day.")
		}
		d, err := dotnet.NewDateTime(ints[0], ints[1], ints[2], ints[3], ints[4], ints[5], ints[6], kind)
		if err != nil {
			throwDotnet(err)
		}
		if us := ints[7]; us != 0 {
			if us < 0 || us > 999 {
				Throw(ExArgRange, "Valid values are between 0 and 999, inclusive. (Parameter 'microsecond')")
			}
			return FromDotnetDateTime(d).Add(time.Duration(us) * time.Microsecond)
		}
		return FromDotnetDateTime(d)
	}

	// TimeSpan
	ts := u.TimeSpan
	tsProp := func(name string, result *Type, f func(ts TimeSpan) Value) *Member {
		return prop(name, result, func(c Call) Value { return f(c.This.(TimeSpan)) })
	}
	ts.add(
		tsProp("TotalSeconds", u.Double, func(ts TimeSpan) Value { return ts.TotalSeconds() }),
		tsProp("TotalMinutes", u.Double, func(ts TimeSpan) Value { return ts.TotalMinutes() }),
		tsProp("TotalHours", u.Double, func(ts TimeSpan) Value { return ts.TotalHours() }),
		tsProp("TotalDays", u.Double, func(ts TimeSpan) Value { return ts.TotalDays() }),
		tsProp("TotalMilliseconds", u.Double, func(ts TimeSpan) Value { return ts.TotalMilliseconds() }),
		tsProp("Days", u.Int, func(ts TimeSpan) Value { return int32(ts.Days()) }),
		tsProp("Hours", u.Int, func(ts TimeSpan) Value { return int32(ts.Hours()) }),
		tsProp("Minutes", u.Int, func(ts TimeSpan) Value { return int32(ts.Minutes()) }),
		tsProp("Seconds", u.Int, func(ts TimeSpan) Value { return int32(ts.Seconds()) }),
		tsProp("Milliseconds", u.Int, func(ts TimeSpan) Value { return int32(ts.Milliseconds()) }),
		tsProp("Ticks", u.Long, func(ts TimeSpan) Value { return ts.Ticks() }),
		meth("Add", 1, 1, ts, func(c Call) Value { return spanResult(c.This.(TimeSpan).Add(c.TimeSpan(0))) }),
		meth("Subtract", 1, 1, ts, func(c Call) Value { return spanResult(c.This.(TimeSpan).Subtract(c.TimeSpan(0))) }),
		meth("Negate", 0, 0, ts, func(c Call) Value { return spanResult(c.This.(TimeSpan).Negate()) }),
		meth("Duration", 0, 0, ts, func(c Call) Value { return spanResult(c.This.(TimeSpan).Duration()) }),
	)
	ts.addStatic(
		meth("FromTicks", 1, 1, ts, func(c Call) Value { n, _ := AsInt64(c.Args[0]); return TimeSpan(n) }),
		prop("Zero", ts, func(Call) Value { return TimeSpan(0) }),
		prop("MaxValue", ts, func(Call) Value { return dotnet.MaxTimeSpan }),
		prop("MinValue", ts, func(Call) Value { return dotnet.MinTimeSpan }),
		meth("Parse", 1, 2, ts, func(c Call) Value {
			c.NotNull(0, "input")
			return spanResult(dotnet.ParseTimeSpan(c.Str(0)))
		}),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 3, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			d, err := dotnet.ParseTimeSpan(c.Str(0))
			c.Args[len(c.Args)-1] = d
			return err == nil
		}},
	)
	// new TimeSpan(ticks), (hours, minutes, seconds), (days, hours,
	// minutes, seconds[, milliseconds[, microseconds]]).
	ts.New = func(c Call) Value {
		n := make([]int64, len(c.Args))
		for i := range c.Args {
			n[i], _ = AsInt64(c.Args[i])
		}
		switch len(n) {
		case 1:
			return TimeSpan(n[0])
		case 3:
			return spanResult(dotnet.TimeSpanFromUnits(n, []int64{dotnet.TicksPerHour, dotnet.TicksPerMinute, dotnet.TicksPerSecond}))
		case 4, 5, 6:
			units := []int64{dotnet.TicksPerDay, dotnet.TicksPerHour, dotnet.TicksPerMinute, dotnet.TicksPerSecond, dotnet.TicksPerMillisecond, dotnet.TicksPerMicrosecond}
			return spanResult(dotnet.TimeSpanFromUnits(n, units[:len(n)]))
		}
		Throw(ExArgument, "TimeSpan constructor takes 1, 3, 4, 5 or 6 arguments.")
		return nil
	}

	// DateTimeOffset
	dto := u.DateTimeOffset
	dto.New = func(c Call) Value {
		if t, ok := c.Args[0].(time.Time); ok {
			return DateTimeOffset{T: t}
		}
		Throw(ExArgument, "DateTimeOffset requires a DateTime.")
		return nil
	}
	dto.add(
		meth("ToUnixTimeSeconds", 0, 0, u.Long, func(c Call) Value { return c.This.(DateTimeOffset).T.Unix() }),
		meth("ToUnixTimeMilliseconds", 0, 0, u.Long, func(c Call) Value { return c.This.(DateTimeOffset).T.UnixMilli() }),
		prop("UtcDateTime", dt, func(c Call) Value { return c.This.(DateTimeOffset).T.UTC() }),
		prop("LocalDateTime", dt, func(c Call) Value { return WithKind(c.This.(DateTimeOffset).T.UTC(), dotnet.Local) }),
		prop("DateTime", dt, func(c Call) Value {
			t := c.This.(DateTimeOffset).T
			y, mo, d := t.Date()
			return time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), locUnspecified)
		}),
		prop("UtcTicks", u.Long, func(c Call) Value { return Ticks(c.This.(DateTimeOffset).T.UTC()) }),
		prop("Offset", u.TimeSpan, func(c Call) Value {
			_, off := c.This.(DateTimeOffset).T.Zone()
			return TimeSpan(int64(off) * dotnet.TicksPerSecond)
		}),
		meth("ToString", 0, 2, u.String, func(c Call) Value {
			if c.Has(0) {
				return FormatDateTimeOffset(c.This.(DateTimeOffset), c.Str(0))
			}
			return ToString(c.This)
		}),
	)
	dto.addStatic(
		prop("UtcNow", dto, func(c Call) Value { return DateTimeOffset{c.Fr.Time().UTC()} }),
		prop("Now", dto, func(c Call) Value { return DateTimeOffset{c.Fr.Time().UTC()} }),
		meth("FromUnixTimeSeconds", 1, 1, dto, func(c Call) Value { n, _ := AsInt64(c.Args[0]); return DateTimeOffset{time.Unix(n, 0).UTC()} }),
		meth("FromUnixTimeMilliseconds", 1, 1, dto, func(c Call) Value { n, _ := AsInt64(c.Args[0]); return DateTimeOffset{time.UnixMilli(n).UTC()} }),
		meth("Parse", 1, 2, dto, func(c Call) Value {
			c.NotNull(0, "input")
			o, err := dotnet.ParseDateTimeOffset(c.Str(0))
			if err != nil {
				throwDotnet(err)
			}
			return dateTimeOffsetFrom(o)
		}),
	)

	// Guid
	g := u.Guid
	g.addStatic(
		meth("NewGuid", 0, 0, g, func(c Call) Value {
			var x Guid
			_, _ = rand.Read(x[:])
			x[6] = x[6]&0x0f | 0x40
			x[8] = x[8]&0x3f | 0x80
			return x
		}),
		meth("Parse", 1, 1, g, func(c Call) Value {
			x, ok := ParseGuid(c.Str(0))
			if !ok {
				Throw(ExFormat, "Unrecognized Guid format.")
			}
			return x
		}),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			x, ok := ParseGuid(c.Str(0))
			c.Args[1] = x
			return ok
		}},
		prop("Empty", g, func(Call) Value { return Guid{} }),
	)
	g.New = func(c Call) Value {
		switch x := c.Args[0].(type) {
		case []byte:
			if len(x) != 16 {
				Throw(ExArgument, "Byte array for Guid must be exactly 16 bytes long. (Parameter 'b')")
			}
			var out Guid
			out[0], out[1], out[2], out[3] = x[3], x[2], x[1], x[0]
			out[4], out[5], out[6], out[7] = x[5], x[4], x[7], x[6]
			copy(out[8:], x[8:])
			return out
		case string:
			out, ok := ParseGuid(x)
			if !ok {
				Throw(ExFormat, "Unrecognized Guid format.")
			}
			return out
		}
		ThrowCast(c.Args[0], "System.Byte[]")
		return nil
	}
	g.add(meth("ToString", 0, 1, u.String, func(c Call) Value { return formatGuid(c.This.(Guid), c.Str(0)) }),
		meth("ToByteArray", 0, 0, u.Bytes, func(c Call) Value {
			x := c.This.(Guid)
			b := []byte{x[3], x[2], x[1], x[0], x[5], x[4], x[7], x[6]}
			return append(b, x[8:]...)
		}))
}

func formatGuid(g Guid, f string) string {
	s := g.String()
	switch f {
	case "", "D", "d":
		return s
	case "N", "n":
		return strings.ReplaceAll(s, "-", "")
	case "B", "b":
		return "{" + s + "}"
	case "P", "p":
		return "(" + s + ")"
	}
	Throw(ExFormat, "Format string can be only \"D\", \"d\", \"N\", \"n\", \"P\", \"p\", \"B\", \"b\", \"X\" or \"x\".")
	return ""
}

// Ticks returns the .NET tick count of t (100 ns since 0001-01-01).
func Ticks(t time.Time) int64 {
	// by seconds: a time.Duration spans only 292 years either side of 1970
	return t.Unix()*10_000_000 + int64(t.Nanosecond())/100 + 621355968000000000
}

// FromTicks converts a .NET tick count to a UTC time.
func FromTicks(n int64) time.Time {
	n -= 621355968000000000
	sec, rem := n/10_000_000, n%10_000_000
	if rem < 0 {
		sec, rem = sec-1, rem+10_000_000
	}
	return time.Unix(sec, rem*100).UTC()
}

func charPred(u *Lib, f func(rune) bool) func(c Call) Value {
	return func(c Call) Value {
		if len(c.Args) == 2 {
			s := c.Str(0)
			i := c.Int(1)
			r := []rune(s)
			if i < 0 || i >= len(r) {
				Throw(ExArgRange, "Index was out of range. (Parameter 'index')")
			}
			return f(r[i])
		}
		ch, ok := c.Args[0].(Char)
		if !ok {
			ThrowCast(c.Args[0], "System.Char")
		}
		return f(rune(ch))
	}
}

func isLetter(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 && strings.ToUpper(string(r)) != strings.ToLower(string(r))
}

func isWhite(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0xa0 || r == 0x2028 || r == 0x2029 || r == 0x3000 || (r >= 0x2000 && r <= 0x200a)
}
