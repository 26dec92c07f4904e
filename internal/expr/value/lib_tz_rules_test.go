package value

import (
	"testing"
	"time"
)

// floating returns a floating-date TransitionTime at hour:00.
func floating(hour, month, week int, dow time.Weekday) TransitionTime {
	return TransitionTime{TimeOfDay: int64(hour) * ticksPerHour, Month: month, Week: week, Day: 1, DayOfWeek: int(dow)}
}

func unspecified(y, m, d int) time.Time {
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, locUnspecified)
}

// TestRuleZoneMatchesDatabase runs custom zones with the current US and
// New South Wales rules against the time zone database, every quarter
// hour around each transition, from UTC and back.
func TestRuleZoneMatchesDatabase(t *testing.T) {
	max := time.Date(9999, 12, 31, 0, 0, 0, 0, locUnspecified)
	for _, c := range []struct {
		loc    string
		base   time.Duration
		from   int
		ts, te TransitionTime
	}{
		{"America/New_York", -5 * time.Hour, 2007, floating(2, 3, 2, time.Sunday), floating(2, 11, 1, time.Sunday)},
		{"Australia/Sydney", 10 * time.Hour, 2008, floating(2, 10, 1, time.Sunday), floating(3, 4, 1, time.Sunday)},
	} {
		loc, err := time.LoadLocation(c.loc)
		if err != nil {
			t.Skip(err)
		}
		z := &ruleZone{base: int64(c.base / 100), dst: true,
			rules: []*AdjustmentRule{newRule(unspecified(c.from, 1, 1), max, ticksPerHour, 0, c.ts, c.te, false)}}
		for y := c.from + 1; y <= 2035; y++ {
			for _, month := range []int{1, 3, 4, 7, 10, 11, 12} {
				start := time.Date(y, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
				for at := start; at.Before(start.AddDate(0, 0, 14)); at = at.Add(15 * time.Minute) {
					_, want := at.In(loc).Zone()
					got, _ := z.offsetFromUtc(Ticks(at))
					if got != int64(want)*ticksPerSec {
						t.Fatalf("%s %s: offset %v, want %ds", c.loc, at, time.Duration(got*100), want)
					}
					clock := Ticks(at) + got
					if back, invalid := z.sourceOffset(clock); invalid || back != got && !z.isAmbiguousClock(clock) {
						t.Fatalf("%s %s: clock %s reads back with %v (invalid %v)", c.loc, at, FromTicks(clock), time.Duration(back*100), invalid)
					}
				}
			}
		}
	}
}

func TestTransitionAt(t *testing.T) {
	for _, c := range []struct {
		year int
		tt   TransitionTime
		want string
	}{
		{2024, floating(2, 3, 2, time.Sunday), "2024-03-10 02:00"},
		{2024, floating(2, 3, 5, time.Sunday), "2024-03-31 02:00"},   // last Sunday
		{2024, floating(2, 2, 5, time.Thursday), "2024-02-29 02:00"}, // last Thursday of a leap February
		{2024, floating(0, 9, 1, time.Sunday), "2024-09-01 00:00"},   // the 1st is a Sunday
		{2023, TransitionTime{TimeOfDay: ticksPerHour, Month: 2, Day: 30, Fixed: true}, "2023-02-28 01:00"},
	} {
		if got := FromTicks(transitionAt(c.year, c.tt)).Format("2006-01-02 15:04"); got != c.want {
			t.Errorf("%d %+v: %s, want %s", c.year, c.tt, got, c.want)
		}
	}
}
