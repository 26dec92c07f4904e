package value

import (
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// This file holds System.TimeZoneInfo.TransitionTime and AdjustmentRule and
// the rule engine of .NET's TimeZoneInfo (TimeZoneInfo.cs), which custom
// zones (CreateCustomTimeZone, FromSerializedString) run on. Times are .NET
// tick counts: a zone's clock readings and UTC readings alike.

const (
	ticksPerMs   = int64(10_000)
	ticksPerSec  = 1000 * ticksPerMs
	ticksPerMin  = 60 * ticksPerSec
	ticksPerHour = 60 * ticksPerMin
	ticksPerDay  = 24 * ticksPerHour
	maxTicks     = int64(3_155_378_975_999_999_999) // DateTime.MaxValue
)

// TransitionTime is a System.TimeZoneInfo.TransitionTime: when, in a year,
// daylight saving time starts or ends.
type TransitionTime struct {
	TimeOfDay int64 // ticks into the day (whole milliseconds)
	Month     int
	Week      int
	Day       int
	DayOfWeek int
	Fixed     bool // IsFixedDateRule
}

// DotnetType implements Typed.
func (t TransitionTime) DotnetType(u *Lib) *Type { return u.Types["TimeZoneInfo.TransitionTime"] }

// DotnetString implements Stringer (a struct without ToString prints its type).
func (t TransitionTime) DotnetString() string { return "System.TimeZoneInfo+TransitionTime" }

// DotnetEquals implements Equaler: TransitionTime is a struct with ==.
func (t TransitionTime) DotnetEquals(other Value) bool {
	o, ok := other.(TransitionTime)
	return ok && t.equal(o)
}

func (t TransitionTime) equal(o TransitionTime) bool {
	if t.Fixed != o.Fixed || t.TimeOfDay != o.TimeOfDay || t.Month != o.Month {
		return false
	}
	if o.Fixed {
		return t.Day == o.Day
	}
	return t.Week == o.Week && t.DayOfWeek == o.DayOfWeek
}

// AdjustmentRule is a System.TimeZoneInfo.AdjustmentRule.
type AdjustmentRule struct {
	Start, End     time.Time // DateStart and DateEnd, Unspecified or Utc
	Delta          int64     // DaylightDelta, ticks
	BaseDelta      int64     // BaseUtcOffsetDelta, ticks
	TStart, TEnd   TransitionTime
	NoTransitions  bool // .NET's NoDaylightTransitions (serialized rules)
	start, end     int64
	startUtc, endU bool
}

// DotnetType implements Typed.
func (r *AdjustmentRule) DotnetType(u *Lib) *Type { return u.Types["TimeZoneInfo.AdjustmentRule"] }

// DotnetString implements Stringer.
func (r *AdjustmentRule) DotnetString() string { return "System.TimeZoneInfo+AdjustmentRule" }

// equal is AdjustmentRule.Equals(AdjustmentRule): DateTime == compares
// ticks, not kinds.
func (r *AdjustmentRule) equal(o *AdjustmentRule) bool {
	return o != nil && r.start == o.start && r.end == o.end && r.Delta == o.Delta && r.BaseDelta == o.BaseDelta &&
		r.TEnd.equal(o.TEnd) && r.TStart.equal(o.TStart)
}

func newRule(start, end time.Time, delta, baseDelta int64, ts, te TransitionTime, noTransitions bool) *AdjustmentRule {
	return &AdjustmentRule{Start: start, End: end, Delta: delta, BaseDelta: baseDelta, TStart: ts, TEnd: te, NoTransitions: noTransitions,
		start: Ticks(start), end: Ticks(end), startUtc: DateTimeKind(start) == dotnet.Utc, endU: DateTimeKind(end) == dotnet.Utc}
}

func (r *AdjustmentRule) hasDaylightSaving() bool {
	return r.Delta != 0 || r.TStart != (TransitionTime{}) && r.TStart.TimeOfDay != 0 ||
		r.TEnd != (TransitionTime{}) && r.TEnd.TimeOfDay != ticksPerMs
}

// startMarker: a transition on January 1st at midnight means the year
// starts in daylight saving time.
func (r *AdjustmentRule) startMarker() bool {
	return !r.NoTransitions && r.TStart.Month == 1 && r.TStart.Day == 1 && r.TStart.TimeOfDay < ticksPerSec
}

func (r *AdjustmentRule) endMarker() bool {
	return !r.NoTransitions && r.TEnd.Month == 1 && r.TEnd.Day == 1 && r.TEnd.TimeOfDay < ticksPerSec
}

// ruleZone is the state of a custom time zone that its rules need.
type ruleZone struct {
	base  int64             // BaseUtcOffset, ticks
	rules []*AdjustmentRule // nil and empty differ (HasSameRules)
	dst   bool              // SupportsDaylightSavingTime
}

// ---- tick calendar helpers ----

func clampTicks(t int64) int64 { return max(0, min(t, maxTicks)) }

func ymd(t int64) (y, m, d int) {
	tt := FromTicks(t)
	yy, mm, dd := tt.Date()
	return yy, int(mm), dd
}

func yearOf(t int64) int { y, _, _ := ymd(t); return y }

func dateTicks(y, m, d int) int64 { return Ticks(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)) }

func daysIn(y, m int) int { return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() }

func weekday(t int64) int { return int((t/ticksPerDay + 1) % 7) } // 0001-01-01 was a Monday

// addYears is DateTime.AddYears; ok is false where .NET throws.
func addYears(t int64, n int) (int64, bool) {
	y, m, d := ymd(t)
	y += n
	if y < 1 || y > 9999 {
		return t, false
	}
	d = min(d, daysIn(y, m))
	return dateTicks(y, m, d) + t%ticksPerDay, true
}

func mustAddYears(t int64, n int) int64 {
	r, ok := addYears(t, n)
	if !ok {
		Throw(ExArgRange, "The added or subtracted value results in an un-representable DateTime. (Parameter 'value')")
	}
	return r
}

// transitionAt is TransitionTimeToDateTime: the clock time of a transition
// in a year.
func transitionAt(year int, t TransitionTime) int64 {
	if t.Fixed {
		day := t.Day
		if day > 28 {
			day = min(day, daysIn(year, t.Month))
		}
		return dateTicks(year, t.Month, day) + t.TimeOfDay
	}
	if t.Week <= 4 {
		v := dateTicks(year, t.Month, 1) + t.TimeOfDay
		delta := t.DayOfWeek - weekday(v)
		if delta < 0 {
			delta += 7
		}
		delta += 7 * (t.Week - 1)
		return v + int64(delta)*ticksPerDay
	}
	v := dateTicks(year, t.Month, daysIn(year, t.Month)) + t.TimeOfDay
	delta := weekday(v) - t.DayOfWeek
	if delta < 0 {
		delta += 7
	}
	return v - int64(delta)*ticksPerDay
}

// ---- the engine, after TimeZoneInfo.cs ----

func (z *ruleZone) toFromUtc(t, daylightDelta, baseDelta int64, toUtc bool) int64 {
	off := z.base + daylightDelta + baseDelta
	if toUtc {
		off = -off
	}
	return clampTicks(t + off)
}

// ruleFor is GetAdjustmentRuleForTime; the index is -1 with no rule.
func (z *ruleZone) ruleFor(t int64, isUtc bool) (*AdjustmentRule, int) {
	if len(z.rules) == 0 {
		return nil, -1
	}
	date := t - t%ticksPerDay
	if isUtc {
		d := clampTicks(t + z.base)
		date = d - d%ticksPerDay
	}
	lo, hi := 0, len(z.rules)-1
	for lo <= hi {
		med := lo + (hi-lo)>>1
		r := z.rules[med]
		prev := r
		if med > 0 {
			prev = z.rules[med-1]
		}
		switch c := z.compareRule(r, prev, t, date, isUtc); {
		case c == 0:
			return r, med
		case c < 0:
			lo = med + 1
		default:
			hi = med - 1
		}
	}
	return nil, -1
}

func (z *ruleZone) compareRule(r, prev *AdjustmentRule, t, date int64, isUtc bool) int {
	var after bool
	if r.startUtc {
		cmp := t
		if !isUtc {
			cmp = z.toFromUtc(t, prev.Delta, prev.BaseDelta, true)
		}
		after = cmp >= r.start
	} else {
		after = date >= r.start
	}
	if !after {
		return 1
	}
	var before bool
	if r.endU {
		cmp := t
		if !isUtc {
			cmp = z.toFromUtc(t, r.Delta, r.BaseDelta, true)
		}
		before = cmp <= r.end
	} else {
		before = date <= r.end
	}
	if before {
		return 0
	}
	return -1
}

func (z *ruleZone) prevRule(r *AdjustmentRule, idx int) *AdjustmentRule {
	if idx > 0 && idx < len(z.rules) {
		return z.rules[idx-1]
	}
	for i := 1; i < len(z.rules); i++ {
		if z.rules[i] == r {
			return z.rules[i-1]
		}
	}
	return r
}

// daylightTime is GetDaylightTime: the clock times DST starts and ends in
// a year under a rule.
func (z *ruleZone) daylightTime(year int, r *AdjustmentRule, idx int) (start, end int64) {
	if r.NoTransitions {
		p := z.prevRule(r, idx)
		return z.toFromUtc(r.start, p.Delta, p.BaseDelta, false), z.toFromUtc(r.end, r.Delta, r.BaseDelta, false)
	}
	return transitionAt(year, r.TStart), transitionAt(year, r.TEnd)
}

func checkIsDst(start, t, end int64, ignoreYearAdjustment bool, r *AdjustmentRule) bool {
	if !ignoreYearAdjustment && !r.NoTransitions {
		sy, ey := yearOf(start), yearOf(end)
		if sy != ey {
			end = mustAddYears(end, sy-ey)
		}
		if ty := yearOf(t); sy != ty {
			t = mustAddYears(t, sy-ty)
		}
	}
	switch {
	case start > end: // southern hemisphere: DST spans the new year
		return t < end || t >= start
	case r.NoTransitions:
		return t >= start && t <= end
	}
	return t >= start && t < end
}

// isDaylightSavings is GetIsDaylightSavings for a clock time of the zone
// (not of Kind Local).
func (z *ruleZone) isDaylightSavings(t int64, r *AdjustmentRule, dStart, dEnd int64) bool {
	invalidAtStart := r.Delta > 0
	var start, end int64
	if r.startMarker() {
		start = dateTicks(yearOf(dStart), 1, 1)
	} else {
		start = dStart
		if invalidAtStart {
			start += r.Delta
		}
	}
	if r.endMarker() {
		end = dateTicks(yearOf(dEnd)+1, 1, 1) - 1
	} else {
		end = dEnd
		if invalidAtStart {
			end -= r.Delta
		}
	}
	return checkIsDst(start, t, end, false, r)
}

func (z *ruleZone) startOffsetFromUtc(base int64, r *AdjustmentRule, idx int) int64 {
	if r.NoTransitions {
		p := z.prevRule(r, idx)
		return base + p.BaseDelta + p.Delta
	}
	return base + r.BaseDelta
}

// isDaylightSavingsFromUtc is GetIsDaylightSavingsFromUtc.
func (z *ruleZone) isDaylightSavingsFromUtc(t int64, year int, utc int64, r *AdjustmentRule, idx int) bool {
	dStart, dEnd := z.daylightTime(year, r, idx)
	ignore := false
	startOff := z.startOffsetFromUtc(utc, r, idx)
	var start, end int64
	if sy := yearOf(dStart); r.startMarker() && sy > 1 {
		if s, ok := z.startOfDstIfYearEndsWithDst(sy-1, utc); ok {
			start, ignore = s, true
		} else {
			start = dateTicks(sy, 1, 1) - startOff
		}
	} else {
		start = dStart - startOff
	}
	endOff := utc + r.BaseDelta + r.Delta
	if ey := yearOf(dEnd); r.endMarker() && ey < 9999 {
		if e, ok := z.endOfDstIfYearStartsWithDst(ey+1, utc); ok {
			end, ignore = e, true
		} else {
			end = dateTicks(ey+1, 1, 1) - 1 - endOff
		}
	} else {
		end = dEnd - endOff
	}
	return checkIsDst(start, t, end, ignore, r)
}

func (z *ruleZone) endOfDstIfYearStartsWithDst(nextYear int, utc int64) (int64, bool) {
	r, idx := z.ruleFor(dateTicks(nextYear, 1, 1), false)
	if r == nil {
		return 0, false
	}
	if r.startMarker() {
		if r.endMarker() {
			return dateTicks(nextYear, 12, 31) - utc - r.BaseDelta - r.Delta, true
		}
		_, e := z.daylightTime(nextYear, r, idx)
		return e - utc - r.BaseDelta - r.Delta, true
	}
	s, e := z.daylightTime(nextYear, r, idx)
	if e < s && !r.endMarker() {
		return e - utc - r.BaseDelta - r.Delta, true
	}
	return 0, false
}

func (z *ruleZone) startOfDstIfYearEndsWithDst(prevYear int, utc int64) (int64, bool) {
	r, idx := z.ruleFor(dateTicks(prevYear, 12, 31), false)
	if r == nil {
		return 0, false
	}
	s, e := z.daylightTime(prevYear, r, idx)
	if r.endMarker() || s > e {
		return s - utc - r.BaseDelta, true
	}
	return 0, false
}

// inRange reports whether t is in [from, to), trying the range a year
// later and earlier when it straddles a new year, as .NET does.
func inRange(t, from, to int64) bool {
	if t >= from && t < to {
		return true
	}
	if yearOf(from) != yearOf(to) {
		for _, n := range []int{1, -1} {
			f, ok1 := addYears(from, n)
			e, ok2 := addYears(to, n)
			if ok1 && ok2 && t >= f && t < e {
				return true
			}
		}
	}
	return false
}

// isAmbiguous is GetIsAmbiguousTime.
func isAmbiguous(t int64, r *AdjustmentRule, dStart, dEnd int64) bool {
	if r == nil || r.Delta == 0 {
		return false
	}
	if r.Delta > 0 {
		if r.endMarker() {
			return false
		}
		return inRange(t, dEnd-r.Delta, dEnd)
	}
	if r.startMarker() {
		return false
	}
	return inRange(t, dStart+r.Delta, dStart)
}

// isInvalid is GetIsInvalidTime.
func isInvalid(t int64, r *AdjustmentRule, dStart, dEnd int64) bool {
	if r == nil || r.Delta == 0 {
		return false
	}
	if r.Delta < 0 {
		if r.endMarker() {
			return false
		}
		return inRange(t, dEnd, dEnd-r.Delta)
	}
	if r.startMarker() {
		return false
	}
	return inRange(t, dStart, dStart+r.Delta)
}

// offsetOfClock is GetUtcOffset(DateTime, TimeZoneInfo): the offset of a
// clock time of the zone.
func (z *ruleZone) offsetOfClock(t int64) int64 {
	off := z.base
	if r, idx := z.ruleFor(t, false); r != nil {
		off += r.BaseDelta
		if r.hasDaylightSaving() {
			s, e := z.daylightTime(yearOf(t), r, idx)
			if z.isDaylightSavings(t, r, s, e) {
				off += r.Delta
			}
		}
	}
	return off
}

// offsetFromUtc is GetUtcOffsetFromUtc.
func (z *ruleZone) offsetFromUtc(t int64) (off int64, isDst bool) {
	off = z.base
	var r *AdjustmentRule
	var idx, year int
	switch {
	case t > dateTicks(9999, 12, 31):
		r, idx = z.ruleFor(maxTicks, false)
		year = 9999
	case t < dateTicks(1, 1, 2):
		r, idx = z.ruleFor(0, false)
		year = 1
	default:
		r, idx = z.ruleFor(t, true)
		year = yearOf(clampTicks(t + off))
	}
	if r != nil {
		off += r.BaseDelta
		if r.hasDaylightSaving() {
			isDst = z.isDaylightSavingsFromUtc(t, year, z.base, r, idx)
			if isDst {
				off += r.Delta
			}
		}
	}
	return off, isDst
}

// sourceOffset is the offset ConvertTime reads a clock time of the zone
// with; invalid reports a time skipped when clocks go forward.
func (z *ruleZone) sourceOffset(t int64) (off int64, invalid bool) {
	off = z.base
	if r, idx := z.ruleFor(t, false); r != nil {
		off += r.BaseDelta
		if r.hasDaylightSaving() {
			s, e := z.daylightTime(yearOf(t), r, idx)
			invalid = isInvalid(t, r, s, e)
			if z.isDaylightSavings(t, r, s, e) {
				off += r.Delta
			}
		}
	}
	return off, invalid
}

// clockFromUtc is ConvertUtcToTimeZone: the clock reading of a UTC time.
func (z *ruleZone) clockFromUtc(utc int64) int64 {
	c := clampTicks(utc)
	off, _ := z.offsetFromUtc(c)
	return clampTicks(utc + off)
}

func (z *ruleZone) isDaylightClock(t int64) bool {
	if !z.dst || z.rules == nil {
		return false
	}
	if r, idx := z.ruleFor(t, false); r != nil && r.hasDaylightSaving() {
		s, e := z.daylightTime(yearOf(t), r, idx)
		return z.isDaylightSavings(t, r, s, e)
	}
	return false
}

func (z *ruleZone) isAmbiguousClock(t int64) bool {
	if !z.dst {
		return false
	}
	if r, idx := z.ruleFor(t, false); r != nil && r.hasDaylightSaving() {
		s, e := z.daylightTime(yearOf(t), r, idx)
		return isAmbiguous(t, r, s, e)
	}
	return false
}

func (z *ruleZone) isInvalidClock(t int64) bool {
	if r, idx := z.ruleFor(t, false); r != nil && r.hasDaylightSaving() {
		s, e := z.daylightTime(yearOf(t), r, idx)
		return isInvalid(t, r, s, e)
	}
	return false
}

// ambiguousOffsets is the body of GetAmbiguousTimeOffsets; nil when the
// clock time is not ambiguous.
func (z *ruleZone) ambiguousOffsets(t int64) []int64 {
	if !z.dst {
		return nil
	}
	r, idx := z.ruleFor(t, false)
	if r != nil && r.NoTransitions && !r.hasDaylightSaving() {
		r = z.prevRule(r, idx)
	}
	if r == nil || !r.hasDaylightSaving() {
		return nil
	}
	s, e := z.daylightTime(yearOf(t), r, idx)
	if !isAmbiguous(t, r, s, e) {
		return nil
	}
	actual := z.base + r.BaseDelta
	if r.Delta > 0 {
		return []int64{actual, actual + r.Delta}
	}
	return []int64{actual + r.Delta, actual}
}
