package dotnet

import (
	"math"
	"testing"
)

// FuzzFormat checks that numeric and date formatting never panic on any
// format string and that default double formatting round-trips.
func FuzzFormat(f *testing.F) {
	for _, s := range []string{"0.00", "#,##0.##", "0.###E+0", "%", "0;(0);zero", "'x'0", "\\", "E+", "yyyy-MM-ddTHH:mm:ss.fffK", "G17", "N3", "dddd MMMM", "'unterminated"} {
		f.Add(1234.5678, s)
	}
	f.Fuzz(func(t *testing.T, v float64, format string) {
		_, _ = FormatDouble(v, format)
		_, _ = FormatInt(int64(v), format)
		d := DateTimeFromTime(DateTime{}.Time(), Utc)
		_, _ = d.Format(format)
		_, _ = TimeSpan(int64(v)).Format(format)
		if !math.IsNaN(v) {
			back, err := ParseDouble(DoubleToString(v))
			if err != nil || back != v {
				t.Fatalf("round trip of %v: %v %v", v, back, err)
			}
		}
	})
}

// FuzzParse checks that the parsers never panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"42", " -1.5e3 ", "1,234.5", "2020-01-02T03:04:05Z", "1/2/2020 3:04 PM", "True", "Infinity"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseInt(s, 32)
		_, _ = ParseUint(s, 64)
		_, _ = ParseDouble(s)
		_, _ = ParseDecimal(s)
		_, _ = ParseBool(s)
		_, _ = ParseDateTime(s)
		_, _ = ParseExactDateTime(s, "yyyy-MM-dd HH:mm:ss.FFF zzz", DateTime{})
	})
}
