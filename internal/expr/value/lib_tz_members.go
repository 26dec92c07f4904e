package value

import (
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// buildTimeZoneRules adds TimeZoneInfo.AdjustmentRule and
// TimeZoneInfo.TransitionTime (nested types: an expression names them
// TimeZoneInfo.AdjustmentRule) and the TimeZoneInfo members that build or
// read custom zones: CreateCustomTimeZone, GetAdjustmentRules, the
// serialized form, HasSameRules, GetSystemTimeZones and the IANA/Windows id
// conversions.
func (u *Lib) buildTimeZoneRules() {
	tz := u.Types["TimeZoneInfo"]
	tt := u.newType("TimeZoneInfo.TransitionTime", "System.TimeZoneInfo+TransitionTime", u.Object, "System.TimeZoneInfo.TransitionTime")
	tt.Value = true
	tt.Is = func(v Value) bool { _, ok := v.(TransitionTime); return ok }
	ar := u.newType("TimeZoneInfo.AdjustmentRule", "System.TimeZoneInfo+AdjustmentRule", u.Object, "System.TimeZoneInfo.AdjustmentRule")
	ar.Is = func(v Value) bool { _, ok := v.(*AdjustmentRule); return ok }
	rules := u.ArrayOf(ar)
	dow := u.Types["DayOfWeek"]

	dateArg := func(c Call, i int) time.Time {
		d, ok := c.Args[i].(time.Time)
		if !ok {
			ThrowCast(c.Args[i], "System.DateTime")
		}
		return d
	}
	intArg := func(c Call, i int) int {
		if e, ok := c.Args[i].(Enum); ok {
			return int(e.V)
		}
		return c.Int(i)
	}
	transition := func(c Call, fixed bool) Value {
		d := dateArg(c, 0)
		if DateTimeKind(d) != dotnet.Unspecified {
			Throw(ExArgument, "The supplied DateTime must have the Kind property set to DateTimeKind.Unspecified. (Parameter 'timeOfDay')")
		}
		tod := Ticks(d)
		if tod >= ticksPerDay {
			tod = -1 // not on 0001-01-01
		}
		month, week, day, dw := intArg(c, 1), 1, 1, 0
		if fixed {
			day = intArg(c, 2)
		} else {
			week, dw = intArg(c, 2), intArg(c, 3)
		}
		t, ok := makeTransition(tod, month, week, day, dw, fixed)
		if !ok {
			msg := transitionError(tod, month, week, day, dw)
			if strings.HasPrefix(msg, "The supplied") {
				Throw(ExArgument, "%s", msg)
			}
			Throw(ExArgRange, "%s", msg)
		}
		return t
	}
	tt.addStatic(
		meth("CreateFixedDateRule", 3, 3, tt, func(c Call) Value { return transition(c, true) }),
		meth("CreateFloatingDateRule", 4, 4, tt, func(c Call) Value { return transition(c, false) }),
	)
	tr := func(c Call) TransitionTime { return c.This.(TransitionTime) }
	tt.add(
		prop("TimeOfDay", u.DateTime, func(c Call) Value { return FromTicks(tr(c).TimeOfDay).In(locUnspecified) }),
		prop("Month", u.Int, func(c Call) Value { return int32(tr(c).Month) }),
		prop("Week", u.Int, func(c Call) Value { return int32(tr(c).Week) }),
		prop("Day", u.Int, func(c Call) Value { return int32(tr(c).Day) }),
		prop("DayOfWeek", dow, func(c Call) Value {
			d := tr(c).DayOfWeek
			return Enum{T: dow, V: int64(d), Name: time.Weekday(d).String()}
		}),
		prop("IsFixedDateRule", u.Bool, func(c Call) Value { return tr(c).Fixed }),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value { return tr(c).DotnetEquals(c.Args[0]) }),
		meth("GetHashCode", 0, 0, u.Int, func(c Call) Value { return int32(tr(c).Month ^ tr(c).Week<<8) }),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return tr(c).DotnetString() }),
	)

	ttArg := func(c Call, i int) TransitionTime {
		t, ok := c.Args[i].(TransitionTime)
		if !ok {
			ThrowCast(c.Args[i], "System.TimeZoneInfo+TransitionTime")
		}
		return t
	}
	ar.addStatic(meth("CreateAdjustmentRule", 5, 6, ar, func(c Call) Value {
		var baseDelta int64
		if c.Has(5) {
			baseDelta = int64(c.TimeSpan(5))
		}
		r, msg := makeRule(dateArg(c, 0), dateArg(c, 1), int64(c.TimeSpan(2)), baseDelta, ttArg(c, 3), ttArg(c, 4), false)
		if r == nil {
			if rest, ok := strings.CutPrefix(msg, "\x00"); ok {
				Throw(ExArgRange, "%s", rest)
			}
			Throw(ExArgument, "%s", msg)
		}
		return r
	}))
	rule := func(c Call) *AdjustmentRule { return c.This.(*AdjustmentRule) }
	ar.add(
		prop("DateStart", u.DateTime, func(c Call) Value { return rule(c).Start }),
		prop("DateEnd", u.DateTime, func(c Call) Value { return rule(c).End }),
		prop("DaylightDelta", u.TimeSpan, func(c Call) Value { return TimeSpan(rule(c).Delta) }),
		prop("BaseUtcOffsetDelta", u.TimeSpan, func(c Call) Value { return TimeSpan(rule(c).BaseDelta) }),
		prop("DaylightTransitionStart", tt, func(c Call) Value { return rule(c).TStart }),
		prop("DaylightTransitionEnd", tt, func(c Call) Value { return rule(c).TEnd }),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value {
			o, ok := c.Args[0].(*AdjustmentRule)
			return ok && rule(c).equal(o)
		}),
		meth("GetHashCode", 0, 0, u.Int, func(c Call) Value {
			t := rule(c).start
			return int32(t) ^ int32(t>>32)
		}),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return rule(c).DotnetString() }),
	)

	zoneArg := func(c Call, i int, name string) *TimeZone {
		c.NotNull(i, name)
		z, ok := c.Args[i].(*TimeZone)
		if !ok {
			ThrowCast(c.Args[i], "System.TimeZoneInfo")
		}
		return z
	}
	tz.addStatic(
		&Member{Name: "CreateCustomTimeZone", Kind: Method, Min: 4, Max: 7, Result: tz, Fn: func(c Call) Value {
			base := c.TimeSpan(1)
			if !c.Has(4) {
				// the daylight name is the standard name; no rules
				return u.newCustomZone(c.Args[0], base, c.Args[2], c.Args[3], c.Args[3], nil, false)
			}
			disable := c.Has(6) && c.Bool(6)
			var list []*AdjustmentRule
			if a, ok := c.Args[5].(*Array); ok {
				list = make([]*AdjustmentRule, 0, len(a.Items)) // a copy, never nil
				for _, x := range a.Items {
					r, _ := x.(*AdjustmentRule)
					list = append(list, r)
				}
			} else if c.Args[5] != nil {
				ThrowCast(c.Args[5], "System.TimeZoneInfo+AdjustmentRule[]")
			}
			return u.newCustomZone(c.Args[0], base, c.Args[2], c.Args[3], c.Args[4], list, disable)
		}},
		meth("FromSerializedString", 1, 1, tz, func(c Call) Value {
			c.NotNull(0, "source")
			s := c.Str(0)
			if s == "" {
				Throw(ExArgument, "The specified serialized string '' is not supported. (Parameter 'source')")
			}
			return u.fromSerialized(s)
		}),
		&Member{Name: "GetSystemTimeZones", Kind: Method, Min: 0, Max: 1, Fn: func(c Call) Value {
			return u.systemZones(tz, !(c.Has(0) && c.Bool(0)))
		}, ResultOf: func(*Type, []*Type, []*Type) *Type { return u.ReadOnlyCollectionOf(tz) }},
		&Member{Name: "TryConvertIanaIdToWindowsId", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			c.NotNull(0, "ianaId")
			w, ok := ianaToWindows(c.Str(0))
			if !ok {
				c.Args[1] = nil
				return false
			}
			c.Args[1] = w
			return true
		}},
		&Member{Name: "TryConvertWindowsIdToIanaId", Kind: Method, Min: 2, Max: 3, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			c.NotNull(0, "windowsId")
			out := len(c.Args) - 1
			// the region picks among a Windows zone's IANA zones; tollgate
			// knows each one's default zone only
			iana, ok := windowsToIana(c.Str(0))
			if !ok {
				c.Args[out] = nil
				return false
			}
			c.Args[out] = iana
			return true
		}},
	)
	z := func(c Call) *TimeZone { return c.This.(*TimeZone) }
	tz.add(
		meth("GetAdjustmentRules", 0, 0, rules, func(c Call) Value {
			a := &Array{T: ar, Items: []Value{}}
			for _, r := range z(c).rulesOf() {
				a.Items = append(a.Items, r)
			}
			return a
		}),
		meth("HasSameRules", 1, 1, u.Bool, func(c Call) Value { return z(c).sameRules(zoneArg(c, 0, "other")) }),
		meth("ToSerializedString", 0, 0, u.String, func(c Call) Value { return z(c).serialize(u) }),
		// Equals compares ids (ignoring case) and rules, not names.
		meth("Equals", 1, 1, u.Bool, func(c Call) Value {
			o, ok := c.Args[0].(*TimeZone)
			return ok && strings.EqualFold(z(c).ID, o.ID) && z(c).sameRules(o)
		}),
	)
}
