package value

import (
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// TimeZone is a System.TimeZoneInfo.
type TimeZone struct {
	ID  string
	Loc *time.Location
	// Utc and Local mark TimeZoneInfo.Utc and TimeZoneInfo.Local (which is
	// UTC in tollgate).
	Utc, Local bool
	// custom is set for the zones CreateCustomTimeZone and
	// FromSerializedString build, which run on their adjustment rules
	// rather than on the time zone database (Loc is nil).
	custom *customZone
}

// DotnetType implements Typed.
func (z *TimeZone) DotnetType(u *Lib) *Type { return u.Types["TimeZoneInfo"] }

// name is StandardName or DaylightName: a custom zone's own (of), UTC's,
// or, for a zone of the time zone database, its id.
func (z *TimeZone) name(of func(*customZone) string) string {
	switch {
	case z.custom != nil:
		return of(z.custom)
	case z.Utc || z.Local:
		return "Coordinated Universal Time"
	}
	return z.ID
}

// DotnetString implements Stringer (the display name).
func (z *TimeZone) DotnetString() string { return z.displayName() }

func (z *TimeZone) baseOffset() time.Duration {
	if z.custom != nil {
		return time.Duration(z.custom.base) * 100
	}
	// the smaller of the January and July offsets of the current year is
	// the standard offset
	y := time.Now().Year()
	_, jan := time.Date(y, 1, 1, 0, 0, 0, 0, z.Loc).Zone()
	_, jul := time.Date(y, 7, 1, 0, 0, 0, 0, z.Loc).Zone()
	return time.Duration(min(jan, jul)) * time.Second
}

func (z *TimeZone) supportsDST() bool {
	if z.custom != nil {
		return z.custom.dst
	}
	y := time.Now().Year()
	_, jan := time.Date(y, 1, 1, 0, 0, 0, 0, z.Loc).Zone()
	_, jul := time.Date(y, 7, 1, 0, 0, 0, 0, z.Loc).Zone()
	return jan != jul
}

func (z *TimeZone) displayName() string {
	if z.Utc {
		return "(UTC) Coordinated Universal Time"
	}
	if z.custom != nil {
		return z.custom.display
	}
	off := z.baseOffset()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("(UTC%s%02d:%02d) %s", sign, int(off.Hours()), int(off.Minutes())%60, z.ID)
}

// windowsZones maps Windows time zone IDs to IANA IDs (the CLDR table,
// default territory) for the zones policies commonly name.
var windowsZones = map[string]string{
	"UTC": "Etc/UTC", "GMT Standard Time": "Europe/London", "Greenwich Standard Time": "Atlantic/Reykjavik",
	"W. Europe Standard Time": "Europe/Berlin", "Central Europe Standard Time": "Europe/Budapest",
	"Romance Standard Time": "Europe/Paris", "Central European Standard Time": "Europe/Warsaw",
	"E. Europe Standard Time": "Europe/Chisinau", "FLE Standard Time": "Europe/Kiev", "GTB Standard Time": "Europe/Bucharest",
	"Russian Standard Time": "Europe/Moscow", "Turkey Standard Time": "Europe/Istanbul", "Israel Standard Time": "Asia/Jerusalem",
	"South Africa Standard Time": "Africa/Johannesburg", "Egypt Standard Time": "Africa/Cairo", "Arabian Standard Time": "Asia/Dubai",
	"Arab Standard Time": "Asia/Riyadh", "Arabic Standard Time": "Asia/Baghdad", "Iran Standard Time": "Asia/Tehran",
	"Pakistan Standard Time": "Asia/Karachi", "India Standard Time": "Asia/Kolkata", "Nepal Standard Time": "Asia/Kathmandu",
	"Bangladesh Standard Time": "Asia/Dhaka", "SE Asia Standard Time": "Asia/Bangkok", "China Standard Time": "Asia/Shanghai",
	"Singapore Standard Time": "Asia/Singapore", "Taipei Standard Time": "Asia/Taipei", "Tokyo Standard Time": "Asia/Tokyo",
	"Korea Standard Time": "Asia/Seoul", "AUS Eastern Standard Time": "Australia/Sydney", "E. Australia Standard Time": "Australia/Brisbane",
	"Cen. Australia Standard Time": "Australia/Adelaide", "W. Australia Standard Time": "Australia/Perth",
	"New Zealand Standard Time": "Pacific/Auckland", "Eastern Standard Time": "America/New_York", "Central Standard Time": "America/Chicago",
	"Mountain Standard Time": "America/Denver", "US Mountain Standard Time": "America/Phoenix", "Pacific Standard Time": "America/Los_Angeles",
	"Alaskan Standard Time": "America/Anchorage", "Hawaiian Standard Time": "Pacific/Honolulu", "Atlantic Standard Time": "America/Halifax",
	"Newfoundland Standard Time": "America/St_Johns", "Canada Central Standard Time": "America/Regina",
	"Central America Standard Time": "America/Guatemala", "Central Standard Time (Mexico)": "America/Mexico_City",
	"SA Pacific Standard Time": "America/Bogota", "Venezuela Standard Time": "America/Caracas",
	"E. South America Standard Time": "America/Sao_Paulo", "Argentina Standard Time": "America/Argentina/Buenos_Aires",
	"Pacific SA Standard Time": "America/Santiago", "W. Central Africa Standard Time": "Africa/Lagos",
	"E. Africa Standard Time": "Africa/Nairobi", "Morocco Standard Time": "Africa/Casablanca",
	"Dateline Standard Time": "Etc/GMT+12", "UTC-11": "Etc/GMT+11", "UTC+12": "Etc/GMT-12",
}

// findZone returns the time zone with a Windows or IANA id. Zones are
// loaded once and kept in the library table.
func (u *Lib) findZone(id string) *TimeZone {
	if id == "UTC" || id == "Etc/UTC" || id == "Coordinated Universal Time" {
		return &TimeZone{ID: id, Loc: time.UTC, Utc: true}
	}
	if z, ok := u.zones.Load(id); ok {
		return z.(*TimeZone)
	}
	name := id
	if w, ok := windowsZones[id]; ok {
		name = w
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		panic(&Exception{Type: "System.TimeZoneNotFoundException", Message: fmt.Sprintf("The time zone ID '%s' was not found on the local computer.", id), Pos: -1, End: -1})
	}
	z, _ := u.zones.LoadOrStore(id, &TimeZone{ID: id, Loc: loc})
	return z.(*TimeZone)
}

func (u *Lib) buildTimeZone() {
	t := u.newType("TimeZoneInfo", "System.TimeZoneInfo", u.Object)
	t.Is = func(v Value) bool { _, ok := v.(*TimeZone); return ok }
	utc := &TimeZone{ID: "UTC", Loc: time.UTC, Utc: true}
	local := &TimeZone{ID: "Etc/UTC", Loc: time.UTC, Local: true}
	zone := func(c Call, i int) *TimeZone {
		z, ok := c.Args[i].(*TimeZone)
		if !ok {
			c.NotNull(i, "destinationTimeZone")
			ThrowCast(c.Args[i], "System.TimeZoneInfo")
		}
		return z
	}
	dateArg := func(c Call, i int) time.Time {
		d, ok := c.Args[i].(time.Time)
		if !ok {
			ThrowCast(c.Args[i], "System.DateTime")
		}
		return d
	}
	// convert moves an instant to z, with the Kind .NET gives the result.
	convert := func(instant time.Time, z *TimeZone) time.Time {
		switch {
		case z.Utc:
			return instant.UTC()
		case z.Local:
			return WithKind(instant, dotnet.Local)
		case z.custom != nil:
			return FromTicks(z.custom.clockFromUtc(Ticks(instant))).In(locUnspecified)
		}
		in := instant.In(z.Loc)
		y, mo, d := in.Date()
		return time.Date(y, mo, d, in.Hour(), in.Minute(), in.Second(), in.Nanosecond(), locUnspecified)
	}
	// instantIn reads the clock of d as a time in z.
	instantIn := func(d time.Time, z *TimeZone) time.Time {
		if z.custom != nil {
			return z.custom.instantOf(d)
		}
		y, mo, dd := d.Date()
		return time.Date(y, mo, dd, d.Hour(), d.Minute(), d.Second(), d.Nanosecond(), z.Loc)
	}
	badKind := func() {
		Throw(ExArgument, "The conversion could not be completed because the supplied DateTime did not have the Kind property set correctly.  For example, when the Kind property is DateTimeKind.Local, the source time zone must be TimeZoneInfo.Local. (Parameter 'sourceTimeZone')")
	}
	convertAny := func(v Value, z *TimeZone) Value {
		switch x := v.(type) {
		case time.Time:
			return convert(x, z)
		case DateTimeOffset:
			if z.custom != nil {
				return z.custom.offsetAt(x.T)
			}
			return DateTimeOffset{T: x.T.In(z.Loc)}
		}
		ThrowCast(v, "System.DateTime")
		return nil
	}
	resultOfFirst := func(_ *Type, a []*Type, _ []*Type) *Type {
		if len(a) > 0 && a[0] == u.DateTimeOffset {
			return u.DateTimeOffset
		}
		return u.DateTime
	}
	t.addStatic(
		prop("Utc", t, func(Call) Value { return utc }),
		prop("Local", t, func(Call) Value { return local }),
		meth("FindSystemTimeZoneById", 1, 1, t, func(c Call) Value {
			c.NotNull(0, "id")
			return u.findZone(c.Str(0))
		}),
		meth("ConvertTimeFromUtc", 2, 2, u.DateTime, func(c Call) Value {
			d := dateArg(c, 0)
			if DateTimeKind(d) == dotnet.Local {
				badKind()
			}
			return convert(instantIn(d, utc), zone(c, 1))
		}),
		meth("ConvertTimeToUtc", 1, 2, u.DateTime, func(c Call) Value {
			d := dateArg(c, 0)
			if !c.Has(1) {
				return d.UTC()
			}
			z := zone(c, 1)
			if k := DateTimeKind(d); k == dotnet.Utc && !z.Utc || k == dotnet.Local && !z.Local {
				badKind()
			}
			return instantIn(d, z).UTC()
		}),
		&Member{Name: "ConvertTime", Kind: Method, Min: 2, Max: 3, ResultOf: resultOfFirst, Fn: func(c Call) Value {
			if c.Has(2) {
				d := dateArg(c, 0)
				src := zone(c, 1)
				if k := DateTimeKind(d); k == dotnet.Utc && !src.Utc || k == dotnet.Local && !src.Local {
					badKind()
				}
				return convert(instantIn(d, src), zone(c, 2))
			}
			return convertAny(c.Args[0], zone(c, 1))
		}},
		&Member{Name: "ConvertTimeBySystemTimeZoneId", Kind: Method, Min: 2, Max: 3, ResultOf: resultOfFirst, Fn: func(c Call) Value {
			if c.Has(2) {
				d := dateArg(c, 0)
				return convert(instantIn(d, u.findZone(c.Str(1))), u.findZone(c.Str(2)))
			}
			return convertAny(c.Args[0], u.findZone(c.Str(1)))
		}},
	)
	z := func(c Call) *TimeZone { return c.This.(*TimeZone) }
	// at returns the instant a DateTime denotes for offset questions.
	at := func(c Call, zn *TimeZone) time.Time {
		switch x := c.Args[0].(type) {
		case DateTimeOffset:
			return x.T
		case time.Time:
			if DateTimeKind(x) == dotnet.Unspecified {
				return instantIn(x, zn)
			}
			return x
		}
		ThrowCast(c.Args[0], "System.DateTime")
		return time.Time{}
	}
	t.add(
		prop("Id", u.String, func(c Call) Value { return z(c).ID }),
		prop("DisplayName", u.String, func(c Call) Value { return z(c).displayName() }),
		prop("StandardName", u.String, func(c Call) Value { return z(c).name(func(cz *customZone) string { return cz.standard }) }),
		prop("BaseUtcOffset", u.TimeSpan, func(c Call) Value { return TimeSpanOf(z(c).baseOffset()) }),
		prop("SupportsDaylightSavingTime", u.Bool, func(c Call) Value { return z(c).supportsDST() }),
		meth("GetUtcOffset", 1, 1, u.TimeSpan, func(c Call) Value {
			if cz := z(c).custom; cz != nil {
				return TimeSpan(cz.utcOffset(c.Args[0]))
			}
			_, off := at(c, z(c)).In(z(c).Loc).Zone()
			return TimeSpan(int64(off) * dotnet.TicksPerSecond)
		}),
		meth("IsDaylightSavingTime", 1, 1, u.Bool, func(c Call) Value {
			if cz := z(c).custom; cz != nil {
				return cz.isDaylightSavingTime(c.Args[0])
			}
			return at(c, z(c)).In(z(c).Loc).IsDST()
		}),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return z(c).displayName() }),
	)
}
