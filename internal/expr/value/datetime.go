package value

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// DateTimeOffset is a System.DateTimeOffset.
type DateTimeOffset struct {
	T time.Time
}

func offsetString(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("%s%02d:%02d", sign, off/3600, off/60%60)
}

// FormatDateTime formats t (a UTC DateTime) with a .NET standard or custom
// format string (invariant culture). An empty format is the general "G"
// format.
func FormatDateTime(t time.Time, format string) string {
	d := dotnet.DateTimeFromTime(t, dotnet.Utc)
	if format == "" {
		return d.String()
	}
	out, err := d.Format(format)
	if err != nil {
		throwDotnet(err)
	}
	return out
}

// FormatTimeSpan formats d as TimeSpan.ToString() ("c"): [-][d.]hh:mm:ss[.fffffff].
func FormatTimeSpan(d time.Duration) string {
	return dotnet.TimeSpan(int64(d) / 100).String()
}

// ParseDateTime parses s as DateTime.Parse does with the invariant culture.
// Strings with an offset are converted to UTC.
func ParseDateTime(s string) (time.Time, bool) {
	d, ok := dotnet.TryParseDateTime(s)
	if !ok {
		return time.Time{}, false
	}
	return d.Time(), true
}

// ParseTimeSpan parses [-][d.]hh:mm[:ss[.fffffff]] or a whole number of days.
func ParseTimeSpan(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	if dot := strings.IndexByte(s, '.'); dot >= 0 && (strings.IndexByte(s, ':') < 0 || dot < strings.IndexByte(s, ':')) {
		d, err := strconv.ParseInt(s[:dot], 10, 64)
		if err != nil {
			return 0, false
		}
		days, s = d, s[dot+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) == 1 {
		d, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil || days != 0 {
			return 0, false
		}
		days = d
		parts = nil
	}
	if len(parts) == 1 || len(parts) > 3 {
		return 0, false
	}
	var total time.Duration = time.Duration(days) * 24 * time.Hour
	units := []time.Duration{time.Hour, time.Minute}
	for i, p := range parts {
		if i == 2 {
			sec, frac, _ := strings.Cut(p, ".")
			v, err := strconv.ParseInt(sec, 10, 64)
			if err != nil || v > 59 {
				return 0, false
			}
			total += time.Duration(v) * time.Second
			if frac != "" {
				for len(frac) < 9 {
					frac += "0"
				}
				ns, err := strconv.ParseInt(frac[:9], 10, 64)
				if err != nil {
					return 0, false
				}
				total += time.Duration(ns)
			}
			continue
		}
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || (i == 0 && v > 23) || (i == 1 && v > 59) {
			return 0, false
		}
		total += time.Duration(v) * units[i]
	}
	if neg {
		total = -total
	}
	return total, true
}
