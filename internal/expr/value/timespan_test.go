package value

import (
	"math"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

func TestDurationConversions(t *testing.T) {
	if ts := TimeSpanOf(-1500 * time.Nanosecond); ts != -15 {
		t.Errorf("TimeSpanOf(-1.5µs) = %d ticks", int64(ts))
	}
	if ts := TimeSpanOf(-1550 * time.Nanosecond); ts != -15 { // truncated toward zero
		t.Errorf("TimeSpanOf(-1.55µs) = %d ticks", int64(ts))
	}
	for _, c := range []struct {
		ts   TimeSpan
		want time.Duration
	}{
		{TimeSpan(dotnet.TicksPerSecond), time.Second},
		{-TimeSpan(dotnet.TicksPerHour), -time.Hour},
		{dotnet.MaxTimeSpan, math.MaxInt64},
		{dotnet.MinTimeSpan, math.MinInt64},
		{TimeSpan(200 * 366 * dotnet.TicksPerDay), 200 * 366 * 24 * time.Hour},
		{TimeSpan(300 * 366 * dotnet.TicksPerDay), math.MaxInt64},
	} {
		if got := DurationOf(c.ts); got != c.want {
			t.Errorf("DurationOf(%s) = %v, want %v", c.ts, got, c.want)
		}
	}
}

// Date arithmetic on a reading of Go's clock keeps the nanoseconds below a
// tick, and the DateTimeKind.
func TestShiftDateTimeKeepsClockReading(t *testing.T) {
	now := time.Date(2024, 3, 15, 10, 30, 45, 123456789, time.UTC)
	if got := shiftDateTime(now, 0, "value"); !got.Equal(now) || DateTimeKind(got) != dotnet.Utc {
		t.Errorf("now + Zero = %v (%v)", got, DateTimeKind(got))
	}
	later := shiftDateTime(now, TimeSpan(1000*365*dotnet.TicksPerDay), "value") // 365,000 days
	if later.Year() != 3023 || later.Nanosecond() != 123456789 {
		t.Errorf("now + 365,000 days = %v", later)
	}
	if d := spanBetween(later, now); d != TimeSpan(1000*365*dotnet.TicksPerDay) {
		t.Errorf("later - now = %s", d)
	}
	local := WithKind(now, dotnet.Local)
	if got := dateTimeOp(local, func(d dotnet.DateTime) (dotnet.DateTime, error) { return d.AddDays(-0.5) }); DateTimeKind(got) != dotnet.Local || got.Hour() != 22 {
		t.Errorf("AddDays(-0.5) = %v (%v)", got, DateTimeKind(got))
	}
}
