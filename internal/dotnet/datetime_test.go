package dotnet

import (
	"fmt"
	"testing"
	"time"
)

func mustDate(t *testing.T, y, mo, d, h, mi, s, ms int, k Kind) DateTime {
	t.Helper()
	v, err := NewDateTime(y, mo, d, h, mi, s, ms, k)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDateTimeFields(t *testing.T) {
	base := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tm := range []time.Time{
		base,
		time.Date(2020, 2, 29, 23, 59, 59, 999999900, time.UTC),
		time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 12, 31, 12, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2024, 7, 15, 8, 5, 3, 0, time.UTC),
	} {
		d := DateTimeFromTime(tm, Utc)
		if d.Year() != tm.Year() || d.Month() != int(tm.Month()) || d.Day() != tm.Day() ||
			d.Hour() != tm.Hour() || d.Minute() != tm.Minute() || d.Second() != tm.Second() ||
			d.DayOfWeek() != int(tm.Weekday()) || d.DayOfYear() != tm.YearDay() {
			t.Errorf("fields of %v wrong: %d-%d-%d %d:%d:%d dow %d yday %d", tm, d.Year(), d.Month(), d.Day(), d.Hour(), d.Minute(), d.Second(), d.DayOfWeek(), d.DayOfYear())
		}
		if !d.Time().Equal(tm) {
			t.Errorf("round trip of %v gave %v", tm, d.Time())
		}
	}
}

func TestDateTimeFormat(t *testing.T) {
	d := mustDate(t, 2020, 1, 2, 3, 4, 5, 0, Utc)
	d, _ = d.AddTicks(1234567)
	pm := mustDate(t, 2009, 6, 15, 13, 45, 30, 0, Unspecified)
	tests := []struct {
		d      DateTime
		format string
		want   string
	}{
		{d, "", "01/02/2020 03:04:05"},
		{d, "G", "01/02/2020 03:04:05"},
		{d, "d", "01/02/2020"},
		{d, "D", "Thursday, 02 January 2020"},
		{d, "f", "Thursday, 02 January 2020 03:04"},
		{d, "F", "Thursday, 02 January 2020 03:04:05"},
		{d, "g", "01/02/2020 03:04"},
		{d, "M", "January 02"},
		{d, "o", "2020-01-02T03:04:05.1234567Z"},
		{d, "O", "2020-01-02T03:04:05.1234567Z"},
		{d, "r", "Thu, 02 Jan 2020 03:04:05 GMT"},
		{d, "s", "2020-01-02T03:04:05"},
		{d, "t", "03:04"},
		{d, "T", "03:04:05"},
		{d, "u", "2020-01-02 03:04:05Z"},
		{d, "U", "Thursday, 02 January 2020 03:04:05"},
		{d, "y", "2020 January"},
		{pm.SpecifyKind(Unspecified), "o", "2009-06-15T13:45:30.0000000"},
		{pm.SpecifyKind(Local), "o", "2009-06-15T13:45:30.0000000+00:00"},
		{d, "yyyy-MM-ddTHH:mm:ss.fffZ", "2020-01-02T03:04:05.123Z"},
		{d, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "2020-01-02T03:04:05.1234567Z"},
		{pm, "yyyy-MM-ddTHH:mm:ss.FFFK", "2009-06-15T13:45:30"},
		{pm, "h:mm tt", "1:45 PM"},
		{pm, "hh:mm t", "01:45 P"},
		{pm, "MMM d, yy", "Jun 15, 09"},
		{pm, "dddd ddd dd d", "Monday Mon 15 15"},
		{pm, "MMMM MMM MM M", "June Jun 06 6"},
		{pm, "%d", "15"},
		{pm, "%M", "6"},
		{pm, "yyyyMMddHHmmss", "20090615134530"},
		{pm, "y yy yyy yyyy yyyyy", "9 09 2009 2009 02009"},
		{pm, "zzz", "+00:00"},
		{pm, "z zz", "+0 +00"},
		{pm, "'Date:' yyyy", "Date: 2009"},
		{pm, "\\d\\a\\y d", "day 15"},
		{pm, "HH:mm:ss.ff", "13:45:30.00"},
		{pm, "g", "06/15/2009 13:45"},
		{pm, "gg yyyy", "A.D. 2009"},
		{DateTime{}, "", "01/01/0001 00:00:00"},
	}
	for _, tt := range tests {
		got, err := tt.d.Format(tt.format)
		if err != nil || got != tt.want {
			t.Errorf("Format(%q) = %q, %v; want %q", tt.format, got, err, tt.want)
		}
	}
	for _, bad := range []string{"x", "ffffffff", "'abc", "\\"} {
		if _, err := pm.Format(bad); err == nil {
			t.Errorf("Format(%q) succeeded, want FormatException", bad)
		}
	}
}

func TestDateTimeArithmetic(t *testing.T) {
	d := mustDate(t, 2020, 1, 31, 10, 0, 0, 0, Utc)
	m, _ := d.AddMonths(1)
	if got := m.String(); got != "02/29/2020 10:00:00" {
		t.Errorf("AddMonths(1) = %s", got)
	}
	m, _ = d.AddMonths(-13)
	if got := m.String(); got != "12/31/2018 10:00:00" {
		t.Errorf("AddMonths(-13) = %s", got)
	}
	y, _ := mustDate(t, 2020, 2, 29, 0, 0, 0, 0, Utc).AddYears(1)
	if got := y.String(); got != "02/28/2021 00:00:00" {
		t.Errorf("AddYears(1) = %s", got)
	}
	s, _ := d.AddSeconds(90.5)
	if got, _ := s.Format("o"); got != "2020-01-31T10:01:30.5000000Z" {
		t.Errorf("AddSeconds = %s", got)
	}
	h, _ := d.AddHours(-10.25)
	if got := h.String(); got != "01/30/2020 23:45:00" {
		t.Errorf("AddHours = %s", got)
	}
	if _, err := (DateTime{}).AddDays(-1); err == nil || err.Error() != "The added or subtracted value results in an un-representable DateTime. (Parameter 'value')" {
		t.Errorf("AddDays(-1) on MinValue: %v", err)
	}
	ts := d.Subtract(mustDate(t, 2020, 1, 30, 8, 30, 15, 0, Utc))
	if ts.String() != "1.01:29:45" || ts.TotalSeconds() != 91785 {
		t.Errorf("Subtract = %s (%v s)", ts, ts.TotalSeconds())
	}
}

func TestTimeSpanFormat(t *testing.T) {
	ts, _ := NewTimeSpan(1, 2, 3, 4, 500)
	neg := -ts
	tests := []struct {
		ts     TimeSpan
		format string
		want   string
	}{
		{ts, "", "1.02:03:04.5000000"},
		{ts, "c", "1.02:03:04.5000000"},
		{ts, "g", "1:2:03:04.5"},
		{ts, "G", "1:02:03:04.5000000"},
		{neg, "c", "-1.02:03:04.5000000"},
		{neg, "g", "-1:2:03:04.5"},
		{TimeSpan(30 * TicksPerMinute), "", "00:30:00"},
		{TimeSpan(30 * TicksPerMinute), "g", "0:30:00"},
		{0, "G", "0:00:00:00.0000000"},
		{ts, "hh\\:mm\\:ss", "02:03:04"},
		{ts, "d\\.hh\\:mm", "1.02:03"},
		{ts, "dd'd 'hh'h'", "01d 02h"},
		{ts, "ss\\.fff", "04.500"},
		{ts, "ss\\.FFF", "04.5"},
		{neg, "hh\\:mm", "02:03"},
		{ts, "%h", "2"},
	}
	for _, tt := range tests {
		got, err := tt.ts.Format(tt.format)
		if err != nil || got != tt.want {
			t.Errorf("TimeSpan(%d).Format(%q) = %q, %v; want %q", int64(tt.ts), tt.format, got, err, tt.want)
		}
	}
	for _, bad := range []string{"hh:mm", "x", "hhh"} {
		if _, err := ts.Format(bad); err == nil || err.Error() != "Input string was not in a correct format." {
			t.Errorf("Format(%q) error = %v", bad, err)
		}
	}
}

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in, want string // want is the "o" format
	}{
		{"2020-01-02", "2020-01-02T00:00:00.0000000"},
		{"2020-01-02T03:04:05", "2020-01-02T03:04:05.0000000"},
		{"2020-01-02T03:04:05Z", "2020-01-02T03:04:05.0000000+00:00"},
		{"2020-01-02T03:04:05.123Z", "2020-01-02T03:04:05.1230000+00:00"},
		{"2020-01-02T03:04:05+02:00", "2020-01-02T01:04:05.0000000+00:00"},
		{"2020-01-02 03:04", "2020-01-02T03:04:00.0000000"},
		{"01/02/2020", "2020-01-02T00:00:00.0000000"},
		{"1/2/2020 3:04:05 PM", "2020-01-02T15:04:05.0000000"},
		{"01/02/2020 03:04:05", "2020-01-02T03:04:05.0000000"},
		{"2020/01/02", "2020-01-02T00:00:00.0000000"},
		{"Thu, 02 Jan 2020 03:04:05 GMT", "2020-01-02T03:04:05.0000000+00:00"},
		{"2 January 2020", "2020-01-02T00:00:00.0000000"},
		{"  2020-01-02  ", "2020-01-02T00:00:00.0000000"},
	}
	for _, tt := range tests {
		d, err := ParseDateTime(tt.in)
		if err != nil {
			t.Errorf("ParseDateTime(%q): %v", tt.in, err)
			continue
		}
		if got, _ := d.Format("o"); got != tt.want {
			t.Errorf("ParseDateTime(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "2020-13-01", "hello", "2020-02-30", "Fri, 02 Jan 2020 03:04:05 GMT"} {
		if _, err := ParseDateTime(bad); err == nil {
			t.Errorf("ParseDateTime(%q) succeeded", bad)
		}
	}
	if _, err := ParseDateTime("x"); err.Error() != "String 'x' was not recognized as a valid DateTime." {
		t.Errorf("message = %q", err)
	}
	d, err := ParseExactDateTime("15/06/2009 13:45", "dd/MM/yyyy HH:mm", DateTime{})
	if err != nil || d.String() != "06/15/2009 13:45:00" {
		t.Errorf("ParseExact = %v, %v", d, err)
	}
	d, err = ParseExactDateTime("2009-06-15T13:45:30.1200000Z", "o", DateTime{})
	if err != nil || d.Kind() != Local || d.Millisecond() != 120 {
		t.Errorf("ParseExact o = %v, %v", d, err)
	}
	if _, err := ParseExactDateTime("2009-06-15", "dd/MM/yyyy", DateTime{}); err == nil {
		t.Error("ParseExact mismatch succeeded")
	}
}

func BenchmarkDateTimeCustomFormat(b *testing.B) {
	d := DateTimeFromTime(time.Date(2024, 7, 15, 8, 5, 3, 123456700, time.UTC), Utc)
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = d.AppendFormat(buf[:0], "yyyy-MM-ddTHH:mm:ss.fffZ")
	}
}

func TestDateTimeOffset(t *testing.T) {
	o, err := ParseDateTimeOffset("2020-01-02T03:04:05+02:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := o.String(); got != "01/02/2020 03:04:05 +02:00" {
		t.Errorf("String = %q", got)
	}
	if got, _ := o.Format("o"); got != "2020-01-02T03:04:05.0000000+02:00" {
		t.Errorf("o = %q", got)
	}
	if got, _ := o.Format("u"); got != "2020-01-02 01:04:05Z" {
		t.Errorf("u = %q", got)
	}
	if got := o.ToUnixTimeSeconds(); got != 1577927045 {
		t.Errorf("ToUnixTimeSeconds = %d", got)
	}
	f, _ := DateTimeOffsetFromUnixSeconds(1577927045)
	if got, _ := f.Format("yyyy-MM-ddTHH:mm:ssK"); got != "2020-01-02T01:04:05+00:00" {
		t.Errorf("FromUnixTimeSeconds = %q", got)
	}
	z := DateTimeOffsetFromTime(time.Date(2020, 1, 2, 3, 4, 5, 0, time.FixedZone("", -5*3600)))
	if got := z.String(); got != "01/02/2020 03:04:05 -05:00" || z.ToUnixTimeMilliseconds() != 1577952245000 {
		t.Errorf("FromTime = %q %d", got, z.ToUnixTimeMilliseconds())
	}
	if _, err := o.Format("U"); err == nil {
		t.Error("U accepted for DateTimeOffset")
	}
}

func TestParseTimeSpan(t *testing.T) {
	tests := map[string]string{
		"1.02:03:04.5": "1.02:03:04.5000000",
		"02:03":        "02:03:00",
		"-00:00:01":    "-00:00:01",
		"3":            "3.00:00:00",
		" 23:59:59 ":   "23:59:59",
	}
	for in, want := range tests {
		ts, err := ParseTimeSpan(in)
		if err != nil || ts.String() != want {
			t.Errorf("ParseTimeSpan(%q) = %v, %v; want %s", in, ts, err, want)
		}
	}
	if _, err := ParseTimeSpan("24:00"); err == nil {
		t.Error("24:00 accepted")
	}
	if _, err := ParseTimeSpan("x"); err == nil || err.Error() != "String 'x' was not recognized as a valid TimeSpan." {
		t.Errorf("error = %v", err)
	}
}

func TestParseExactTimeSpan(t *testing.T) {
	ok := []struct{ in, format, want string }{
		{"10:20", `hh\:mm`, "10:20:00"},
		{"1:5", `h\:m`, "01:05:00"},
		{"3.04:05:06.7", `d\.hh\:mm\:ss\.f`, "3.04:05:06.7000000"},
		{"04:05:06.12", `hh\:mm\:ss\.FFF`, "04:05:06.1200000"},
		{"04:05:06.", `hh\:mm\:ss\.FFF`, "04:05:06"},
		{"12h30m", `hh'h'mm'm'`, "12:30:00"},
		{"007", "ddd", "7.00:00:00"},
		{"5", "%d", "5.00:00:00"},
		{"1.02:03:04", "c", "1.02:03:04"},
	}
	for _, tc := range ok {
		ts, err := ParseExactTimeSpan(tc.in, tc.format)
		if err != nil || ts.String() != tc.want {
			t.Errorf("ParseExactTimeSpan(%q, %q) = %v, %v; want %s", tc.in, tc.format, ts, err, tc.want)
		}
	}
	bad := []struct{ in, format, err string }{
		{"10:20", "hh:mm", "Input string was not in a correct format."}, // ':' unescaped
		{"10:2", `hh\:mm`, "String '10:2' was not recognized as a valid TimeSpan."},
		{"10:20:00", `hh\:mm`, "String '10:20:00' was not recognized as a valid TimeSpan."},
		{"24:00", `hh\:mm`, "The TimeSpan string '24:00' could not be parsed because at least one of the numeric components is out of range or contains too many digits."},
		{"99999999", "dddddddd", "The TimeSpan string '99999999' could not be parsed because at least one of the numeric components is out of range or contains too many digits."},
		{"1", "hhh", "Input string was not in a correct format."},
		{"1", "", "Input string was not in a correct format."},
	}
	for _, tc := range bad {
		if _, err := ParseExactTimeSpan(tc.in, tc.format); err == nil || err.Error() != tc.err {
			t.Errorf("ParseExactTimeSpan(%q, %q) error = %v; want %s", tc.in, tc.format, err, tc.err)
		}
	}
}

func TestParseExactDateTimeOffset(t *testing.T) {
	for _, tc := range []struct{ in, format, want string }{
		{"2024-01-02", "yyyy-MM-dd", "2024-01-02T00:00:00.0000000+00:00"},
		{"2024-01-02 03:04 +05:30", "yyyy-MM-dd HH:mm zzz", "2024-01-02T03:04:00.0000000+05:30"},
		{"2024-01-02T03:04:05Z", "yyyy-MM-dd'T'HH:mm:ssK", "2024-01-02T03:04:05.0000000+00:00"},
		{"2024-01-02T03:04:05.12-02:00", "o", "2024-01-02T03:04:05.1200000-02:00"},
	} {
		o, err := ParseExactDateTimeOffset(tc.in, tc.format, DateTime{})
		if err != nil {
			t.Errorf("ParseExactDateTimeOffset(%q, %q): %v", tc.in, tc.format, err)
			continue
		}
		if got, _ := o.Format("o"); got != tc.want {
			t.Errorf("ParseExactDateTimeOffset(%q, %q) = %s; want %s", tc.in, tc.format, got, tc.want)
		}
	}
	if _, err := ParseExactDateTimeOffset("2024-01-02", "yyyy/MM/dd", DateTime{}); err == nil {
		t.Error("a date not in the format was accepted")
	}
}

func TestGuid(t *testing.T) {
	g, err := ParseGuid("{0F8FAD5B-D9CB-469F-A165-70867728950E}")
	if err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]string{
		"":  "0f8fad5b-d9cb-469f-a165-70867728950e",
		"N": "0f8fad5bd9cb469fa16570867728950e",
		"B": "{0f8fad5b-d9cb-469f-a165-70867728950e}",
		"P": "(0f8fad5b-d9cb-469f-a165-70867728950e)",
		"X": "{0x0f8fad5b,0xd9cb,0x469f,{0xa1,0x65,0x70,0x86,0x77,0x28,0x95,0x0e}}",
	} {
		if got, err := g.Format(f); err != nil || got != want {
			t.Errorf("Format(%q) = %q, %v", f, got, err)
		}
	}
	if b := g.Bytes(); b[0] != 0x5b || b[4] != 0xcb || b[8] != 0xa1 {
		t.Errorf("Bytes = %x", b)
	}
	if back, _ := GuidFromBytes(g.Bytes()); back != g {
		t.Error("GuidFromBytes round trip")
	}
	if _, err := ParseGuid("0f8fad5bd9cb469fa16570867728950e"); err != nil {
		t.Error(err)
	}
	for in, want := range map[string]string{
		"xyz":                                  "Unrecognized Guid format.",
		"0f8fad5b-d9cb-469f-a165-70867728950g": "Guid string should only contain hexadecimal characters.",
	} {
		if _, err := ParseGuid(in); err == nil || err.Error() != want {
			t.Errorf("ParseGuid(%q) = %v", in, err)
		}
	}
}

func TestDateTimeOffsetArithmetic(t *testing.T) {
	d := mustDate(t, 2020, 1, 2, 3, 4, 5, 0, Utc)
	o := DateTimeOffsetFromDateTime(d)
	o2, err := o.AddSeconds(300)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := o2.Format("R"); got != "Thu, 02 Jan 2020 03:09:05 GMT" {
		t.Errorf("R = %q", got)
	}
	if o2.Subtract(o).TotalSeconds() != 300 || o2.ToUnixTimeSeconds() != 1577934545 {
		t.Errorf("Subtract/Unix = %v %d", o2.Subtract(o), o2.ToUnixTimeSeconds())
	}
}

// TestParseExactDefaultDate checks the date ParseExact takes when the format
// leaves parts of it out, as .NET's CheckDefaultDateTime: today's when none
// is given, else the current year, January and the first.
func TestParseExactDefaultDate(t *testing.T) {
	today, err := NewDateTime(2026, 12, 6, 22, 0, 0, 0, Unspecified)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ s, format, want string }{
		{"2024", "yyyy", "2024-01-01 00:00"},
		{"2024-03", "yyyy-MM", "2024-03-01 00:00"},
		{"03", "MM", "2026-03-01 00:00"},
		{"17", "dd", "2026-01-17 00:00"},
		{"15:30", "HH:mm", "2026-12-06 15:30"},
		{"2009-06-15 13:45", "yyyy-MM-dd HH:mm", "2009-06-15 13:45"},
	} {
		d, err := ParseExactDateTime(c.s, c.format, today)
		if err != nil {
			t.Errorf("ParseExact(%q, %q): %v", c.s, c.format, err)
			continue
		}
		if got := fmt.Sprintf("%04d-%02d-%02d %02d:%02d", d.Year(), d.Month(), d.Day(), d.Hour(), d.Minute()); got != c.want {
			t.Errorf("ParseExact(%q, %q) = %s, want %s", c.s, c.format, got, c.want)
		}
	}
}
