package value

import (
	"sort"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// clockOffsets returns the UTC offsets under which the wall clock of d
// (its date and time, whatever its Kind) is a time in z, smallest first:
// none for a time skipped when clocks go forward (invalid), two for a time
// repeated when they go back (ambiguous), else one.
func (z *TimeZone) clockOffsets(d time.Time) []time.Duration {
	y, mo, dd := d.Date()
	wall := time.Date(y, mo, dd, d.Hour(), d.Minute(), d.Second(), d.Nanosecond(), time.UTC)
	var out []time.Duration
	// the offsets in force a day either side cover any transition near d
	for _, around := range []time.Duration{-30 * time.Hour, 0, 30 * time.Hour} {
		_, s := wall.Add(around).In(z.Loc).Zone()
		off := time.Duration(s) * time.Second
		if _, back := wall.Add(-off).In(z.Loc).Zone(); time.Duration(back)*time.Second != off {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == off
		}
		if !dup {
			out = append(out, off)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// lookupZone is FindSystemTimeZoneById that reports a missing zone
// instead of throwing.
func (u *Lib) lookupZone(id string) (z *TimeZone, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if e, isEx := r.(*Exception); !isEx || e.Type != "System.TimeZoneNotFoundException" {
				panic(r)
			}
			z, ok = nil, false
		}
	}()
	return u.findZone(id), true
}

// buildTimeZoneMore adds the TimeZoneInfo members that lib_tz.go does not
// have: DaylightName, HasIanaId, the ambiguous and invalid time questions,
// TryFindSystemTimeZoneById and ClearCachedData.
func (u *Lib) buildTimeZoneMore() {
	t := u.Types["TimeZoneInfo"]
	z := func(c Call) *TimeZone { return c.This.(*TimeZone) }
	// clock returns the wall clock in z of a DateTime or DateTimeOffset
	// argument, as IsAmbiguousTime reads it: a Utc or Local DateTime (Local
	// is UTC in tollgate) and a DateTimeOffset are converted to z first.
	clock := func(c Call, zn *TimeZone) time.Time {
		switch x := c.Args[0].(type) {
		case DateTimeOffset:
			return x.T.In(zn.Loc)
		case time.Time:
			if DateTimeKind(x) == dotnet.Unspecified {
				return x
			}
			return x.In(zn.Loc)
		}
		ThrowCast(c.Args[0], "System.DateTime")
		return time.Time{}
	}
	ambiguous := func(c Call) []time.Duration {
		zn := z(c)
		if zn.custom != nil {
			return zn.custom.ambiguousOffsetsOf(c.Args[0])
		}
		if zn.Utc || zn.Local {
			return nil
		}
		if offs := zn.clockOffsets(clock(c, zn)); len(offs) > 1 {
			return offs
		}
		return nil
	}
	t.add(
		prop("DaylightName", u.String, func(c Call) Value { return z(c).name(func(cz *customZone) string { return cz.daylight }) }),
		prop("HasIanaId", u.Bool, func(c Call) Value {
			if z(c).custom != nil {
				return z(c).custom.hasIana
			}
			_, windows := windowsZones[z(c).ID]
			return z(c).Utc || z(c).Local || !windows
		}),
		meth("IsAmbiguousTime", 1, 1, u.Bool, func(c Call) Value { return ambiguous(c) != nil }),
		meth("GetAmbiguousTimeOffsets", 1, 1, u.ArrayOf(u.TimeSpan), func(c Call) Value {
			offs := ambiguous(c)
			if offs == nil {
				Throw(ExArgument, "The supplied DateTime is not in an ambiguous time range. (Parameter 'dateTime')")
			}
			a := &Array{T: u.TimeSpan}
			for _, o := range offs {
				a.Items = append(a.Items, TimeSpanOf(o))
			}
			return a
		}),
		meth("IsInvalidTime", 1, 1, u.Bool, func(c Call) Value {
			d, ok := c.Args[0].(time.Time)
			if !ok {
				ThrowCast(c.Args[0], "System.DateTime")
			}
			zn := z(c)
			if zn.custom != nil {
				return DateTimeKind(d) == dotnet.Unspecified && zn.custom.isInvalidClock(Ticks(d))
			}
			// only a clock time of this zone can be invalid: an Unspecified
			// DateTime (or a Local one asked of TimeZoneInfo.Local)
			if DateTimeKind(d) != dotnet.Unspecified || zn.Utc || zn.Local {
				return false
			}
			return len(zn.clockOffsets(d)) == 0
		}),
	)
	t.addStatic(
		&Member{Name: "TryFindSystemTimeZoneById", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			c.NotNull(0, "id")
			zn, ok := u.lookupZone(c.Str(0))
			if !ok {
				c.Args[1] = nil
				return false
			}
			c.Args[1] = zn
			return true
		}},
		// ClearCachedData has nothing to clear: tollgate's zones come from
		// the time zone database, which does not change while it runs.
		meth("ClearCachedData", 0, 0, u.Void, func(Call) Value { return nil }),
	)
	u.buildTimeZoneRules()
}
