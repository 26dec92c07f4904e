package dotnet

import (
	"math"
	"testing"
)

const tooLong = "TimeSpan overflowed because the duration is too long."

// wantErr checks that err is the .NET exception typ with message msg.
func wantErr(t *testing.T, what string, err error, typ, msg string) {
	t.Helper()
	e, ok := err.(*Exception)
	if !ok || e.Type != typ || e.Message != msg {
		t.Errorf("%s: error %v, want %s: %s", what, err, typ, msg)
	}
}

func TestTimeSpanLimits(t *testing.T) {
	if s := MaxTimeSpan.String(); s != "10675199.02:48:05.4775807" {
		t.Errorf("MaxValue = %s", s)
	}
	if s := MinTimeSpan.String(); s != "-10675199.02:48:05.4775808" {
		t.Errorf("MinValue = %s", s)
	}
	if d := MaxTimeSpan.Days(); d != 10675199 {
		t.Errorf("MaxValue.Days = %d", d)
	}
	if ms := MaxTimeSpan.TotalMilliseconds(); ms != 922337203685477 {
		t.Errorf("MaxValue.TotalMilliseconds = %v", ms)
	}
	if ms := MinTimeSpan.TotalMilliseconds(); ms != -922337203685477 {
		t.Errorf("MinValue.TotalMilliseconds = %v", ms)
	}
	for _, ts := range []TimeSpan{MaxTimeSpan, MinTimeSpan, MinTimeSpan + 1, -1} {
		got, err := ParseTimeSpan(ts.String())
		if err != nil || got != ts {
			t.Errorf("ParseTimeSpan(%s) = %d, %v", ts, int64(got), err)
		}
	}
	for _, s := range []string{"10675199.02:48:05.4775808", "-10675199.02:48:05.4775809", "10675199.23:00:00"} {
		_, err := ParseTimeSpan(s)
		wantErr(t, s, err, OverflowException, "The TimeSpan string '"+s+"' could not be parsed because at least one of the numeric components is out of range or contains too many digits.")
	}
	if _, err := ParseExactTimeSpan("10675199:23", `d\:hh`); err == nil {
		t.Errorf("ParseExactTimeSpan past MaxValue: no error")
	}
}

func TestTimeSpanArithmetic(t *testing.T) {
	if r, err := MaxTimeSpan.Add(MinTimeSpan); err != nil || r != -1 {
		t.Errorf("MaxValue + MinValue = %d, %v", int64(r), err)
	}
	if r, err := MinTimeSpan.Subtract(-MaxTimeSpan); err != nil || r != -1 {
		t.Errorf("MinValue - -MaxValue = %d, %v", int64(r), err)
	}
	_, err := MaxTimeSpan.Add(1)
	wantErr(t, "MaxValue + 1", err, OverflowException, tooLong)
	_, err = MinTimeSpan.Add(-1)
	wantErr(t, "MinValue + -1", err, OverflowException, tooLong)
	_, err = MinTimeSpan.Subtract(1)
	wantErr(t, "MinValue - 1", err, OverflowException, tooLong)
	_, err = TimeSpan(0).Subtract(MinTimeSpan)
	wantErr(t, "0 - MinValue", err, OverflowException, tooLong)

	if r, err := MaxTimeSpan.Negate(); err != nil || r != MinTimeSpan+1 {
		t.Errorf("MaxValue.Negate() = %d, %v", int64(r), err)
	}
	_, err = MinTimeSpan.Negate()
	wantErr(t, "MinValue.Negate()", err, OverflowException, "Negating the minimum value of a twos complement number is invalid.")
	if r, err := (MinTimeSpan + 1).Duration(); err != nil || r != MaxTimeSpan {
		t.Errorf("(MinValue + 1).Duration() = %d, %v", int64(r), err)
	}
	_, err = MinTimeSpan.Duration()
	wantErr(t, "MinValue.Duration()", err, OverflowException, "The duration cannot be returned for TimeSpan.MinValue because the absolute value of TimeSpan.MinValue exceeds the value of TimeSpan.MaxValue.")

	// Multiply and Divide round to the nearest tick, half to even.
	for _, c := range []struct {
		got  func() (TimeSpan, error)
		want TimeSpan
	}{
		{func() (TimeSpan, error) { return TimeSpan(7).Multiply(0.5) }, 4},
		{func() (TimeSpan, error) { return TimeSpan(5).Multiply(0.5) }, 2},
		{func() (TimeSpan, error) { return TimeSpan(-7).Divide(2) }, -4},
		{func() (TimeSpan, error) { return MaxTimeSpan.Multiply(1) }, MaxTimeSpan}, // 2^63 in floating point
		{func() (TimeSpan, error) { return MinTimeSpan.Divide(1) }, MinTimeSpan},
	} {
		if got, err := c.got(); err != nil || got != c.want {
			t.Errorf("got %d, %v; want %d", int64(got), err, int64(c.want))
		}
	}
	_, err = MaxTimeSpan.Multiply(2)
	wantErr(t, "MaxValue.Multiply(2)", err, OverflowException, tooLong)
	_, err = TimeSpan(1).Divide(0)
	wantErr(t, "Divide(0)", err, OverflowException, tooLong)
	_, err = TimeSpan(0).Divide(0)
	wantErr(t, "Zero.Divide(0)", err, OverflowException, tooLong)
	_, err = TimeSpan(1).Multiply(math.NaN())
	wantErr(t, "Multiply(NaN)", err, "System.ArgumentException", "TimeSpan does not accept floating point Not-a-Number values. (Parameter 'factor')")
	if r := TimeSpan(1).Ratio(0); !math.IsInf(r, 1) {
		t.Errorf("1 tick / Zero = %v", r)
	}
}

func TestTimeSpanFrom(t *testing.T) {
	if ts, err := TimeSpanFromDays(MaxTimeSpan.TotalDays()); err != nil || ts != MaxTimeSpan {
		t.Errorf("FromDays(MaxValue.TotalDays) = %d, %v", int64(ts), err)
	}
	if ts, err := TimeSpanFromSeconds(-1.5); err != nil || ts != -15_000_000 {
		t.Errorf("FromSeconds(-1.5) = %d, %v", int64(ts), err)
	}
	// The fraction of a tick is truncated toward zero.
	if ts, err := TimeSpanFromMicroseconds(-0.19); err != nil || ts != -1 {
		t.Errorf("FromMicroseconds(-0.19) = %d, %v", int64(ts), err)
	}
	_, err := TimeSpanFromDays(math.MaxFloat64)
	wantErr(t, "FromDays(double.MaxValue)", err, OverflowException, tooLong)
	_, err = TimeSpanFromHours(math.Inf(-1))
	wantErr(t, "FromHours(-Infinity)", err, OverflowException, tooLong)
	_, err = TimeSpanFromMinutes(math.NaN())
	wantErr(t, "FromMinutes(NaN)", err, "System.ArgumentException", "TimeSpan does not accept floating point Not-a-Number values.")

	units := []int64{TicksPerDay, TicksPerHour, TicksPerMinute, TicksPerSecond, TicksPerMillisecond, TicksPerMicrosecond}
	for _, c := range []struct {
		parts []int64
		want  TimeSpan
	}{
		{[]int64{10675199, 2, 48, 5, 477, 580}, MaxTimeSpan - 7},
		{[]int64{-10675199, -2, -48, -5, -477, -580}, MinTimeSpan + 8},
		// Terms far beyond the range that cancel out are summed exactly.
		{[]int64{math.MaxInt32, -math.MaxInt32 * 24, 0, 0, 0, 1}, 10},
		{[]int64{0, 0, 0, 0, math.MinInt64 / TicksPerMillisecond, 0}, TimeSpan(math.MinInt64 / TicksPerMillisecond * TicksPerMillisecond)},
	} {
		if got, err := TimeSpanFromUnits(c.parts, units); err != nil || got != c.want {
			t.Errorf("TimeSpanFromUnits(%v) = %d, %v; want %d", c.parts, int64(got), err, int64(c.want))
		}
	}
	_, err = TimeSpanFromUnits([]int64{10675199, 2, 48, 5, 477, 581}, units)
	wantErr(t, "TimeSpanFromUnits past MaxValue", err, ArgumentOutOfRangeException, tooLong)
	_, err = NewTimeSpan(math.MaxInt32, 0, 0, 0, 0)
	wantErr(t, "new TimeSpan(int.MaxValue, 0, 0, 0, 0)", err, ArgumentOutOfRangeException, tooLong)
}
