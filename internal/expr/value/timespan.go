package value

import (
	"math"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// TimeSpan is a System.TimeSpan: a signed count of 100 ns ticks, as .NET
// holds it, so that it covers the whole range from TimeSpan.MinValue to
// TimeSpan.MaxValue (±10,675,199 days), where a time.Duration would cover
// only ±292 years. It is dotnet.TimeSpan: the formatting, parsing and
// checked arithmetic of package dotnet apply to it as they are, and JSON
// tokens hold it unchanged.
type TimeSpan = dotnet.TimeSpan

// TimeSpanOf converts a Go duration to a TimeSpan, truncated to whole
// ticks.
func TimeSpanOf(d time.Duration) TimeSpan { return TimeSpan(d / 100) }

// DurationOf converts a TimeSpan to a Go duration, saturated at the limits
// of time.Duration (about ±292 years).
func DurationOf(ts TimeSpan) time.Duration {
	const limit = TimeSpan(math.MaxInt64 / 100)
	switch {
	case ts > limit:
		return math.MaxInt64
	case ts < -limit:
		return math.MinInt64
	}
	return time.Duration(ts) * 100
}

// spanResult returns ts, or raises the .NET exception that err carries.
func spanResult(ts TimeSpan, err error) TimeSpan {
	if err != nil {
		throwDotnet(err)
	}
	return ts
}

// spanBetween is a - b for DateTime values (their clocks) and for
// DateTimeOffset values (their instants): the difference of their ticks,
// exact over the whole DateTime range.
func spanBetween(a, b time.Time) TimeSpan { return TimeSpan(Ticks(a) - Ticks(b)) }

// dateArithmetic raises the ArgumentOutOfRangeException of DateTime
// arithmetic whose result leaves the DateTime range; param names the
// operand as .NET does: "value" for the methods, "t" for the + and -
// operators.
func dateArithmetic(param string) {
	Throw(ExArgRange, "The added or subtracted value results in an un-representable DateTime. (Parameter '%s')", param)
}

// shiftDateTime is the DateTime t moved by ts, exact over the whole
// DateTime range. Subtracting a TimeSpan is adding its opposite: the
// opposite of MinValue wraps to MinValue, which no DateTime can add or
// subtract either.
func shiftDateTime(t time.Time, ts TimeSpan, param string) time.Time {
	d, err := ToDotnetDateTime(t).Add(ts)
	if err != nil {
		dateArithmetic(param)
	}
	return withSubTick(FromDotnetDateTime(d), t)
}

// shiftOffset is the DateTimeOffset o moved by ts: its clock must stay in
// the DateTime range, and its instant too (see shiftDateTime).
func shiftOffset(o DateTimeOffset, ts TimeSpan, param string) DateTimeOffset {
	d := dotnet.DateTimeOffsetFromTime(o.T)
	if _, err := d.DateTime().Add(ts); err != nil {
		dateArithmetic(param)
	}
	return offsetOp(o, func(d dotnet.DateTimeOffset) (dotnet.DateTimeOffset, error) { return d.Add(ts) })
}

// dateTimeOp applies an operation of dotnet.DateTime to the DateTime t
// and raises the .NET exception it fails with. The result keeps t's kind.
func dateTimeOp(t time.Time, op func(dotnet.DateTime) (dotnet.DateTime, error)) time.Time {
	d, err := op(ToDotnetDateTime(t))
	if err != nil {
		throwDotnet(err)
	}
	return withSubTick(FromDotnetDateTime(d), t)
}

// offsetOp applies an operation of dotnet.DateTimeOffset to o and raises
// the .NET exception it fails with.
func offsetOp(o DateTimeOffset, op func(dotnet.DateTimeOffset) (dotnet.DateTimeOffset, error)) DateTimeOffset {
	d, err := op(dotnet.DateTimeOffsetFromTime(o.T))
	if err != nil {
		throwDotnet(err)
	}
	return DateTimeOffset{withSubTick(dateTimeOffsetFrom(d).T, o.T)}
}

// withSubTick adds to t, a result of tick arithmetic, the nanoseconds
// below a tick that the operand from carried (a reading of Go's clock has
// them), so that adding zero gives back an equal value.
func withSubTick(t, from time.Time) time.Time {
	return t.Add(time.Duration(from.Nanosecond() % 100))
}
