package dotnet

import (
	"math"
	"time"
)

// Tick constants of System.DateTime and System.TimeSpan (1 tick = 100 ns).
const (
	TicksPerMicrosecond int64 = 10
	TicksPerMillisecond       = TicksPerMicrosecond * 1000
	TicksPerSecond            = TicksPerMillisecond * 1000
	TicksPerMinute            = TicksPerSecond * 60
	TicksPerHour              = TicksPerMinute * 60
	TicksPerDay               = TicksPerHour * 24

	// MaxTicks is DateTime.MaxValue.Ticks (9999-12-31T23:59:59.9999999).
	MaxTicks int64 = 3155378975999999999
	// unixEpochTicks is the tick count of 1970-01-01T00:00:00.
	unixEpochTicks int64 = 621355968000000000
)

// Kind is System.DateTimeKind.
type Kind uint8

// DateTimeKind values. Local is handled as UTC (offset +00:00).
const (
	Unspecified Kind = iota
	Utc
	Local
)

// String returns the .NET enum name.
func (k Kind) String() string {
	switch k {
	case Utc:
		return "Utc"
	case Local:
		return "Local"
	}
	return "Unspecified"
}

// DateTime is System.DateTime: ticks since 0001-01-01T00:00:00 in the
// proleptic Gregorian calendar, plus a Kind. The zero value is
// DateTime.MinValue with Kind Unspecified.
type DateTime struct {
	ticks int64
	kind  Kind
}

func errUnrepresentable() error {
	return &Exception{Type: ArgumentOutOfRangeException, Message: "The added or subtracted value results in an un-representable DateTime. (Parameter 'value')"}
}

func errBadYMD() error {
	return &Exception{Type: ArgumentOutOfRangeException, Message: "Year, Month, and Day parameters describe an un-representable DateTime."}
}

func errBadHMS() error {
	return &Exception{Type: ArgumentOutOfRangeException, Message: "Hour, Minute, and Second parameters describe an un-representable DateTime."}
}

var daysToMonth365 = [13]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365}
var daysToMonth366 = [13]int{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}

// IsLeapYear is DateTime.IsLeapYear.
func IsLeapYear(year int) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}

// DaysInMonth is DateTime.DaysInMonth.
func DaysInMonth(year, month int) int {
	if IsLeapYear(year) {
		return daysToMonth366[month] - daysToMonth366[month-1]
	}
	return daysToMonth365[month] - daysToMonth365[month-1]
}

func dateToTicks(year, month, day int) (int64, bool) {
	if year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) {
		return 0, false
	}
	days := daysToMonth365
	if IsLeapYear(year) {
		days = daysToMonth366
	}
	y := year - 1
	n := y*365 + y/4 - y/100 + y/400 + days[month-1] + day - 1
	return int64(n) * TicksPerDay, true
}

// NewDateTime is new DateTime(year, month, day, hour, minute, second,
// millisecond, kind).
func NewDateTime(year, month, day, hour, minute, second, millisecond int, kind Kind) (DateTime, error) {
	t, ok := dateToTicks(year, month, day)
	if !ok {
		return DateTime{}, errBadYMD()
	}
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 {
		return DateTime{}, errBadHMS()
	}
	if millisecond < 0 || millisecond > 999 {
		return DateTime{}, &Exception{Type: ArgumentOutOfRangeException, Message: "Valid values are between 0 and 999, inclusive. (Parameter 'millisecond')"}
	}
	t += int64(hour)*TicksPerHour + int64(minute)*TicksPerMinute + int64(second)*TicksPerSecond + int64(millisecond)*TicksPerMillisecond
	return DateTime{ticks: t, kind: kind}, nil
}

// DateTimeFromTicks is new DateTime(ticks, kind).
func DateTimeFromTicks(ticks int64, kind Kind) (DateTime, error) {
	if ticks < 0 || ticks > MaxTicks {
		return DateTime{}, &Exception{Type: ArgumentOutOfRangeException, Message: "Ticks must be between DateTime.MinValue.Ticks and DateTime.MaxValue.Ticks. (Parameter 'ticks')"}
	}
	return DateTime{ticks: ticks, kind: kind}, nil
}

// DateTimeFromTime converts a Go time to a DateTime of the given kind,
// using t's wall clock in UTC for Utc and Local and t's own clock for
// Unspecified.
func DateTimeFromTime(t time.Time, kind Kind) DateTime {
	if kind != Unspecified {
		t = t.UTC()
	}
	y, m, d := t.Date()
	ticks, _ := dateToTicks(y, int(m), d)
	ticks += int64(t.Hour())*TicksPerHour + int64(t.Minute())*TicksPerMinute + int64(t.Second())*TicksPerSecond + int64(t.Nanosecond()/100)
	return DateTime{ticks: ticks, kind: kind}
}

// Time converts d to a Go time in UTC.
func (d DateTime) Time() time.Time {
	sec := (d.ticks - unixEpochTicks) / TicksPerSecond
	rem := (d.ticks - unixEpochTicks) % TicksPerSecond
	if rem < 0 {
		sec--
		rem += TicksPerSecond
	}
	return time.Unix(sec, rem*100).UTC()
}

// Ticks is DateTime.Ticks.
func (d DateTime) Ticks() int64 { return d.ticks }

// Kind is DateTime.Kind.
func (d DateTime) Kind() Kind { return d.kind }

// SpecifyKind is DateTime.SpecifyKind.
func (d DateTime) SpecifyKind(k Kind) DateTime { d.kind = k; return d }

// ToUniversalTime returns d with Kind Utc (local time is UTC).
func (d DateTime) ToUniversalTime() DateTime { d.kind = Utc; return d }

// ToLocalTime returns d with Kind Local (local time is UTC).
func (d DateTime) ToLocalTime() DateTime { d.kind = Local; return d }

// date splits the tick count into year, month, day and day of year.
func (d DateTime) date() (year, month, day, yday int) {
	n := int(d.ticks / TicksPerDay)
	y400 := n / 146097
	n -= y400 * 146097
	y100 := n / 36524
	if y100 == 4 {
		y100 = 3
	}
	n -= y100 * 36524
	y4 := n / 1461
	n -= y4 * 1461
	y1 := n / 365
	if y1 == 4 {
		y1 = 3
	}
	year = y400*400 + y100*100 + y4*4 + y1 + 1
	n -= y1 * 365
	yday = n + 1
	days := daysToMonth365
	if y1 == 3 && (y4 != 24 || y100 == 3) {
		days = daysToMonth366
	}
	m := n>>5 + 1
	for n >= days[m] {
		m++
	}
	return year, m, n - days[m-1] + 1, yday
}

// Year is DateTime.Year.
func (d DateTime) Year() int { y, _, _, _ := d.date(); return y }

// Month is DateTime.Month.
func (d DateTime) Month() int { _, m, _, _ := d.date(); return m }

// Day is DateTime.Day.
func (d DateTime) Day() int { _, _, dd, _ := d.date(); return dd }

// DayOfYear is DateTime.DayOfYear.
func (d DateTime) DayOfYear() int { _, _, _, yd := d.date(); return yd }

// Hour is DateTime.Hour.
func (d DateTime) Hour() int { return int(d.ticks / TicksPerHour % 24) }

// Minute is DateTime.Minute.
func (d DateTime) Minute() int { return int(d.ticks / TicksPerMinute % 60) }

// Second is DateTime.Second.
func (d DateTime) Second() int { return int(d.ticks / TicksPerSecond % 60) }

// Millisecond is DateTime.Millisecond.
func (d DateTime) Millisecond() int { return int(d.ticks / TicksPerMillisecond % 1000) }

// DayOfWeek is DateTime.DayOfWeek: 0 is Sunday.
func (d DateTime) DayOfWeek() int { return int((d.ticks/TicksPerDay + 1) % 7) }

// Date is DateTime.Date: midnight of the same day, same kind.
func (d DateTime) Date() DateTime {
	d.ticks -= d.ticks % TicksPerDay
	return d
}

// TimeOfDay is DateTime.TimeOfDay.
func (d DateTime) TimeOfDay() TimeSpan { return TimeSpan(d.ticks % TicksPerDay) }

// AddTicks is DateTime.AddTicks.
func (d DateTime) AddTicks(ticks int64) (DateTime, error) {
	if ticks > MaxTicks-d.ticks || ticks < -d.ticks {
		return DateTime{}, errUnrepresentable()
	}
	d.ticks += ticks
	return d, nil
}

// Add is DateTime.Add(TimeSpan).
func (d DateTime) Add(ts TimeSpan) (DateTime, error) { return d.AddTicks(int64(ts)) }

// addUnits adds value × unit ticks with .NET 7+ precision: the integral
// part exactly, the fraction truncated to whole ticks.
func (d DateTime) addUnits(value float64, unit int64) (DateTime, error) {
	if math.IsNaN(value) {
		return DateTime{}, errUnrepresentable()
	}
	limit := float64(MaxTicks) / float64(unit)
	if value <= -limit-1 || value >= limit+1 {
		return DateTime{}, errUnrepresentable()
	}
	ip := math.Trunc(value)
	frac := value - ip
	return d.AddTicks(int64(ip)*unit + int64(frac*float64(unit)))
}

// AddMicroseconds is DateTime.AddMicroseconds.
func (d DateTime) AddMicroseconds(v float64) (DateTime, error) {
	return d.addUnits(v, TicksPerMicrosecond)
}

// AddMilliseconds is DateTime.AddMilliseconds.
func (d DateTime) AddMilliseconds(v float64) (DateTime, error) {
	return d.addUnits(v, TicksPerMillisecond)
}

// AddSeconds is DateTime.AddSeconds.
func (d DateTime) AddSeconds(v float64) (DateTime, error) { return d.addUnits(v, TicksPerSecond) }

// AddMinutes is DateTime.AddMinutes.
func (d DateTime) AddMinutes(v float64) (DateTime, error) { return d.addUnits(v, TicksPerMinute) }

// AddHours is DateTime.AddHours.
func (d DateTime) AddHours(v float64) (DateTime, error) { return d.addUnits(v, TicksPerHour) }

// AddDays is DateTime.AddDays.
func (d DateTime) AddDays(v float64) (DateTime, error) { return d.addUnits(v, TicksPerDay) }

// AddMonths is DateTime.AddMonths: the day is clamped to the month's length.
func (d DateTime) AddMonths(months int) (DateTime, error) {
	if months < -120000 || months > 120000 {
		return DateTime{}, &Exception{Type: ArgumentOutOfRangeException, Message: "Months value must be between +/-120000. (Parameter 'months')"}
	}
	y, m, day, _ := d.date()
	i := m - 1 + months
	if i >= 0 {
		m = i%12 + 1
		y += i / 12
	} else {
		m = 12 + (i+1)%12
		y += (i - 11) / 12
	}
	if y < 1 || y > 9999 {
		return DateTime{}, &Exception{Type: ArgumentOutOfRangeException, Message: "The added or subtracted value results in an un-representable DateTime. (Parameter 'months')"}
	}
	day = min(day, DaysInMonth(y, m))
	t, _ := dateToTicks(y, m, day)
	d.ticks = t + d.ticks%TicksPerDay
	return d, nil
}

// AddYears is DateTime.AddYears.
func (d DateTime) AddYears(years int) (DateTime, error) {
	if years < -10000 || years > 10000 {
		return DateTime{}, &Exception{Type: ArgumentOutOfRangeException, Message: "The added or subtracted value results in an un-representable DateTime. (Parameter 'years')"}
	}
	return d.AddMonths(years * 12)
}

// Subtract is DateTime.Subtract(DateTime): the kinds are ignored, as in .NET.
func (d DateTime) Subtract(e DateTime) TimeSpan { return TimeSpan(d.ticks - e.ticks) }

// SubtractSpan is DateTime.Subtract(TimeSpan).
func (d DateTime) SubtractSpan(ts TimeSpan) (DateTime, error) { return d.AddTicks(-int64(ts)) }

// Compare is DateTime.Compare: ticks only, kinds ignored.
func (d DateTime) Compare(e DateTime) int {
	switch {
	case d.ticks < e.ticks:
		return -1
	case d.ticks > e.ticks:
		return 1
	}
	return 0
}

// String is DateTime.ToString() with the invariant culture
// ("MM/dd/yyyy HH:mm:ss").
func (d DateTime) String() string {
	s, _ := d.Format("G")
	return s
}

// DateTimeOffset is System.DateTimeOffset: a clock time plus its offset
// from UTC in minutes.
type DateTimeOffset struct {
	clock  DateTime // Kind Unspecified; the local clock reading
	offset int16    // minutes east of UTC
}

// NewDateTimeOffset builds a DateTimeOffset from a clock reading and an
// offset (whole minutes between -14:00 and +14:00).
func NewDateTimeOffset(clock DateTime, offset TimeSpan) (DateTimeOffset, error) {
	if int64(offset)%TicksPerMinute != 0 {
		return DateTimeOffset{}, &Exception{Type: "System.ArgumentException", Message: "Offset must be specified in whole minutes. (Parameter 'offset')"}
	}
	m := int64(offset) / TicksPerMinute
	if m < -14*60 || m > 14*60 {
		return DateTimeOffset{}, &Exception{Type: ArgumentOutOfRangeException, Message: "Offset must be within plus or minus 14 hours. (Parameter 'offset')"}
	}
	clock.kind = Unspecified
	return DateTimeOffset{clock: clock, offset: int16(m)}, nil
}

// DateTime is DateTimeOffset.DateTime (the clock reading, Kind Unspecified).
func (o DateTimeOffset) DateTime() DateTime { return o.clock }

// UtcDateTime is DateTimeOffset.UtcDateTime.
func (o DateTimeOffset) UtcDateTime() DateTime {
	return DateTime{ticks: o.clock.ticks - int64(o.offset)*TicksPerMinute, kind: Utc}
}

// Offset is DateTimeOffset.Offset.
func (o DateTimeOffset) Offset() TimeSpan { return TimeSpan(int64(o.offset) * TicksPerMinute) }

// String is DateTimeOffset.ToString() with the invariant culture
// ("MM/dd/yyyy HH:mm:ss zzz").
func (o DateTimeOffset) String() string {
	s, _ := o.Format("")
	return s
}

// Format is DateTimeOffset.ToString(format, InvariantCulture).
func (o DateTimeOffset) Format(format string) (string, error) {
	off := int64(o.offset) * TicksPerMinute
	if format == "" {
		format = "G"
		b, err := formatDateTime(nil, o.clock, format, off, true)
		if err != nil {
			return "", err
		}
		b = append(b, ' ')
		b = appendOffset(b, off, 3)
		return string(b), nil
	}
	b, err := formatDateTime(nil, o.clock, format, off, true)
	return string(b), err
}
