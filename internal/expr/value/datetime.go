package value

import (
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// DateTimeOffset is a System.DateTimeOffset.
type DateTimeOffset struct {
	T time.Time
}

// A System.DateTime is a time.Time whose location carries the Kind: UTC for
// DateTimeKind.Utc, and two zero-offset zones for Local and Unspecified.
// tollgate treats local time as UTC (the gateway runs in UTC), so every
// DateTime's clock reading is also its UTC reading; only formatting ("o",
// "K", "zzz"), JSON output and the Kind property tell the kinds apart.
var (
	locLocal       = time.FixedZone("Local", 0)
	locUnspecified = time.FixedZone("Unspecified", 0)
)

// DateTimeKind returns the DateTimeKind of a DateTime value. Times in any
// location other than the Local and Unspecified markers are Utc.
func DateTimeKind(t time.Time) dotnet.Kind {
	switch t.Location() {
	case locLocal:
		return dotnet.Local
	case locUnspecified:
		return dotnet.Unspecified
	}
	return dotnet.Utc
}

// WithKind returns t (read as UTC) with the DateTimeKind k.
func WithKind(t time.Time, k dotnet.Kind) time.Time {
	switch k {
	case dotnet.Local:
		return t.In(locLocal)
	case dotnet.Unspecified:
		return t.In(locUnspecified)
	}
	return t.UTC()
}

// FromDotnetDateTime converts a dotnet.DateTime, keeping its Kind.
func FromDotnetDateTime(d dotnet.DateTime) time.Time { return WithKind(d.Time(), d.Kind()) }

// ToDotnetDateTime converts a DateTime value to a dotnet.DateTime.
func ToDotnetDateTime(t time.Time) dotnet.DateTime {
	return dotnet.DateTimeFromTime(t.UTC(), DateTimeKind(t))
}

// FormatDateTime formats a DateTime with a .NET standard or custom format
// string (invariant culture). An empty format is the general "G" format.
func FormatDateTime(t time.Time, format string) string {
	d := ToDotnetDateTime(t)
	if format == "" {
		return d.String()
	}
	out, err := d.Format(format)
	if err != nil {
		throwDotnet(err)
	}
	return out
}

// dateTimeOffsetFrom converts a dotnet.DateTimeOffset to a DateTimeOffset
// value: the instant in a zone with the offset.
func dateTimeOffsetFrom(o dotnet.DateTimeOffset) DateTimeOffset {
	off := int(o.Offset().Ticks() / dotnet.TicksPerSecond)
	return DateTimeOffset{T: o.UtcDateTime().Time().In(time.FixedZone("", off))}
}

// FormatDateTimeOffset formats a DateTimeOffset with its own clock and
// offset; an empty format is the general format with the offset.
func FormatDateTimeOffset(o DateTimeOffset, format string) string {
	out, err := dotnet.DateTimeOffsetFromTime(o.T).Format(format)
	if err != nil {
		throwDotnet(err)
	}
	return out
}

// FormatTimeSpan formats ts as TimeSpan.ToString() ("c"): [-][d.]hh:mm:ss[.fffffff].
func FormatTimeSpan(ts TimeSpan) string { return ts.String() }

// ParseDateTime parses s as DateTime.Parse does with the invariant culture:
// no zone gives Kind Unspecified; a zone or offset gives the local time
// (UTC) with Kind Local.
func ParseDateTime(s string) (time.Time, bool) {
	d, ok := dotnet.TryParseDateTime(s)
	if !ok {
		return time.Time{}, false
	}
	return FromDotnetDateTime(d), true
}

func isEnum(v Value) bool { _, ok := v.(Enum); return ok }
