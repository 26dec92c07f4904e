package expr

import (
	"context"
	"strings"
	"testing"
)

// evalTZ compiles and runs one expression, giving its result as ToString
// prints it, or the error.
func evalTZ(t *testing.T, src string) string {
	t.Helper()
	if !strings.HasPrefix(src, "@{") {
		src = "@(" + src + ")"
	}
	p, d := Compile(src, nil)
	if d.HasErrors() {
		return "COMPILE: " + d.String()
	}
	v, err := p.Eval(context.Background(), testContext(t))
	if err != nil {
		return "ERROR: " + err.Error()
	}
	return ToString(v)
}

// The zones of these tests: a northern one with floating rules (the US
// rules since 2007), a southern one with floating rules (Sydney: DST from
// the first Sunday of October to the first Sunday of April) and one with
// fixed-date rules.
const (
	tzUS    = `TimeZoneInfo.CreateCustomTimeZone("Custom/East", TimeSpan.FromHours(-5), "(UTC-05:00) East", "East Standard", "East Daylight", new[] { TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(new DateTime(2007, 1, 1), DateTime.MaxValue.Date, TimeSpan.FromHours(1), TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 2, DayOfWeek.Sunday), TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 11, 1, DayOfWeek.Sunday)) })`
	tzAU    = `TimeZoneInfo.CreateCustomTimeZone("Custom/South", TimeSpan.FromHours(10), "(UTC+10:00) South", "South Standard", "South Daylight", new[] { TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(new DateTime(2008, 1, 1), DateTime.MaxValue.Date, TimeSpan.FromHours(1), TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 10, 1, DayOfWeek.Sunday), TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 3, 0, 0), 4, 1, DayOfWeek.Sunday)) })`
	tzFixed = `TimeZoneInfo.CreateCustomTimeZone("Custom/Fixed", TimeSpan.FromHours(1), "(UTC+01:00) Fixed", "Fixed Standard", "Fixed Daylight", new[] { TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(new DateTime(2000, 1, 1), new DateTime(2030, 12, 31), TimeSpan.FromMinutes(30), TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1, 1, 0, 0), 4, 15), TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1, 1, 0, 0), 9, 30)) })`
)

// TestCustomTimeZoneConversions converts through custom zones with
// daylight rules at and around their transitions.
func TestCustomTimeZoneConversions(t *testing.T) {
	from := func(zone, utc string) string {
		return `@{ var z = ` + zone + `; return TimeZoneInfo.ConvertTimeFromUtc(DateTime.Parse("` + utc + `"), z).ToString("yyyy-MM-dd HH:mm:ss") + " " + z.GetUtcOffset(DateTime.SpecifyKind(DateTime.Parse("` + utc + `"), DateTimeKind.Utc)); }`
	}
	for _, c := range []struct{ src, want string }{
		// northern hemisphere, floating rules: second Sunday of March, first of November
		{from(tzUS, "2024-03-10 06:59:59"), "2024-03-10 01:59:59 -05:00:00"},
		{from(tzUS, "2024-03-10 07:00:00"), "2024-03-10 03:00:00 -04:00:00"},
		{from(tzUS, "2024-11-03 05:59:59"), "2024-11-03 01:59:59 -04:00:00"},
		{from(tzUS, "2024-11-03 06:00:00"), "2024-11-03 01:00:00 -05:00:00"},
		{from(tzUS, "2006-07-01 12:00:00"), "2006-07-01 07:00:00 -05:00:00"}, // before the rule
		{`@{ var z = ` + tzUS + `; return z.IsInvalidTime(new DateTime(2024, 3, 10, 2, 30, 0)) + " " + z.IsAmbiguousTime(new DateTime(2024, 11, 3, 1, 30, 0)) + " " + string.Join(",", z.GetAmbiguousTimeOffsets(new DateTime(2024, 11, 3, 1, 30, 0))) + " " + z.IsDaylightSavingTime(new DateTime(2024, 11, 3, 1, 30, 0)) + " " + z.IsDaylightSavingTime(new DateTime(2024, 7, 1)); }`, "True True -05:00:00,-04:00:00 False True"},
		{`@{ var z = ` + tzUS + `; return TimeZoneInfo.ConvertTimeToUtc(new DateTime(2024, 3, 10, 2, 30, 0), z); }`, "ERROR: represents an invalid time"},
		{`@{ var z = ` + tzUS + `; return TimeZoneInfo.ConvertTime(new DateTimeOffset(2024, 7, 1, 12, 0, 0, TimeSpan.Zero), z); }`, "07/01/2024 08:00:00 -04:00"},
		// southern hemisphere: DST from the first Sunday of October to the first Sunday of April
		{from(tzAU, "2024-01-15 00:00:00"), "2024-01-15 11:00:00 11:00:00"},
		{from(tzAU, "2024-04-06 15:59:59"), "2024-04-07 02:59:59 11:00:00"},
		{from(tzAU, "2024-04-06 16:00:00"), "2024-04-07 02:00:00 10:00:00"},
		{from(tzAU, "2024-10-05 15:59:59"), "2024-10-06 01:59:59 10:00:00"},
		{from(tzAU, "2024-10-05 16:00:00"), "2024-10-06 03:00:00 11:00:00"},
		{from(tzAU, "2024-12-31 13:00:00"), "2025-01-01 00:00:00 11:00:00"}, // across the new year
		{`@{ var z = ` + tzAU + `; return z.IsAmbiguousTime(new DateTime(2024, 4, 7, 2, 30, 0)) + " " + z.IsInvalidTime(new DateTime(2024, 10, 6, 2, 30, 0)) + " " + z.IsDaylightSavingTime(new DateTime(2024, 12, 25)) + " " + z.IsDaylightSavingTime(new DateTime(2024, 6, 1)); }`, "True True True False"},
		// fixed-date rules, a 30-minute delta, rule boundaries (2000 to 2030)
		{from(tzFixed, "2024-04-14 23:59:59"), "2024-04-15 00:59:59 01:00:00"},
		{from(tzFixed, "2024-04-15 00:00:00"), "2024-04-15 01:30:00 01:30:00"},
		{from(tzFixed, "2024-09-29 23:29:59"), "2024-09-30 00:59:59 01:30:00"},
		{from(tzFixed, "2024-09-29 23:30:00"), "2024-09-30 00:30:00 01:00:00"},
		{from(tzFixed, "2030-07-01 12:00:00"), "2030-07-01 13:30:00 01:30:00"},
		{from(tzFixed, "2031-07-01 12:00:00"), "2031-07-01 13:00:00 01:00:00"},
		{from(tzFixed, "1999-07-01 12:00:00"), "1999-07-01 13:00:00 01:00:00"},
		// between two custom zones, and the serialized form round trip
		{`@{ var us = ` + tzUS + `; var au = ` + tzAU + `; return TimeZoneInfo.ConvertTime(new DateTime(2024, 7, 1, 12, 0, 0), us, au).ToString("yyyy-MM-dd HH:mm"); }`, "2024-07-02 02:00"},
		{`@{ var z = TimeZoneInfo.FromSerializedString(` + tzAU + `.ToSerializedString()); return TimeZoneInfo.ConvertTimeFromUtc(new DateTime(2024, 4, 6, 16, 0, 0), z).ToString("HH:mm") + " " + z.ToSerializedString(); }`,
			"02:00 Custom/South;600;(UTC+10:00) South;South Standard;South Daylight;[01:01:2008;12:31:9999;60;[0;02:00:00;10;1;0;];[0;03:00:00;4;1;0;];];"},
		{`TimeZoneInfo.FromSerializedString("A\\;B;-90;D\\[1\\];S;D;[01:01:2000;12:31:2001;30;[1;01:30:00.5;4;15;];[1;01:00:00;9;30;];-60;];").ToSerializedString()`,
			`A\;B;-90;D\[1\];S;D;[01:01:2000;12:31:2001;30;[1;01:30:00.5;4;15;];[1;01:00:00;9;30;];-60;];`},
		{`TimeZoneInfo.FromSerializedString("X;0;X;X;X;[01:01:2000")`, "ERROR: The serialized data is invalid."},
		// validation
		{`TimeZoneInfo.CreateCustomTimeZone("X", TimeSpan.FromHours(15), "X", "X")`, "ERROR: must be within plus or minus 14.0 hours. (Parameter 'baseUtcOffset')"},
		{`TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 6, DayOfWeek.Sunday)`, "ERROR: between 1 and 5, inclusive. (Parameter 'week')"},
		{`TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(new DateTime(2000, 1, 1), new DateTime(2001, 1, 1), TimeSpan.FromHours(1), TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1), 3, 1), TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1), 3, 1))`, "ERROR: must not equal the DaylightTransitionEnd"},
	} {
		got := evalTZ(t, c.src)
		if strings.HasPrefix(c.want, "ERROR: ") && strings.HasPrefix(got, "ERROR: ") {
			if !strings.Contains(got, strings.TrimPrefix(c.want, "ERROR: ")) {
				t.Errorf("%s\n got %s\nwant %s", c.src, got, c.want)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}
