package kql

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDateTime parses a datetime as datetime() literals and todatetime()
// take it: ISO 8601 with or without a zone (UTC when absent), or a date.
func ParseDateTime(s string) (time.Time, bool) { return parseDateTime(s) }

// FormatDateTime formats a datetime of ns nanoseconds since the Unix epoch as
// Log Analytics does: ISO 8601 in UTC, fractional seconds only when present.
func FormatDateTime(ns int64) string {
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

// FormatTimespan formats d as Kusto does: [-][d.]hh:mm:ss[.fffffff].
func FormatTimespan(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		if d == math.MinInt64 {
			d = math.MaxInt64
		} else {
			d = -d
		}
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	if days > 0 {
		fmt.Fprintf(&b, "%d.", days)
	}
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	sec := d / time.Second
	d -= sec * time.Second
	fmt.Fprintf(&b, "%02d:%02d:%02d", h, m, sec)
	if ticks := d / 100; ticks > 0 {
		fmt.Fprintf(&b, ".%07d", ticks)
	}
	return b.String()
}

// FormatReal formats f as tostring() does: the shortest form that reads
// back the same number.
func FormatReal(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.Abs(f) < 1e15 && (math.Abs(f) >= 1e-5 || f == 0):
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'E', -1, 64)
}
