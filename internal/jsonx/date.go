package jsonx

import (
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// parseJSONDate recognises the strings Json.NET's reader turns into dates
// (DateParseHandling.DateTime, DateTimeZoneHandling.RoundtripKind):
//   - "/Date(milliseconds)/" (Microsoft format, Kind Utc);
//   - ISO 8601 of 19 to 40 characters with 'T' at index 10:
//     yyyy-MM-ddTHH:mm:ss, an optional fraction of 1 to 7 digits and an
//     optional designator: 'Z' or 'z' (Kind Utc), or ±HH, ±HH:mm, ±HHmm
//     (converted to local time, which is UTC, Kind Local).
func parseJSONDate(s string) (dotnet.DateTime, bool) {
	if len(s) >= 9 && strings.HasPrefix(s, "/Date(") && strings.HasSuffix(s, ")/") {
		return parseMicrosoftDate(s)
	}
	if len(s) < 19 || len(s) > 40 || s[0] < '0' || s[0] > '9' || s[10] != 'T' {
		return dotnet.DateTime{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for k := i; k < i+n; k++ {
			if k >= len(s) || s[k] < '0' || s[k] > '9' {
				return 0, false
			}
			v = v*10 + int(s[k]-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	se, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return dotnet.DateTime{}, false
	}
	dt, err := dotnet.NewDateTime(y, mo, d, h, mi, se, 0, dotnet.Unspecified)
	if err != nil {
		return dotnet.DateTime{}, false
	}
	i := 19
	if i < len(s) && s[i] == '.' {
		i++
		var frac int64
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 7 {
			frac = frac*10 + int64(s[i]-'0')
			i++
			n++
		}
		if n == 0 {
			return dotnet.DateTime{}, false
		}
		for ; n < 7; n++ {
			frac *= 10
		}
		dt, _ = dt.AddTicks(frac)
	}
	if i == len(s) {
		return dt, true
	}
	switch s[i] {
	case 'Z', 'z':
		if i+1 != len(s) {
			return dotnet.DateTime{}, false
		}
		return dt.SpecifyKind(dotnet.Utc), true
	case '+', '-':
		oh, ok := num(i+1, 2)
		if !ok {
			return dotnet.DateTime{}, false
		}
		j := i + 3
		om := 0
		if j < len(s) {
			if s[j] == ':' {
				j++
			}
			if om, ok = num(j, 2); !ok {
				return dotnet.DateTime{}, false
			}
			j += 2
		}
		if j != len(s) {
			return dotnet.DateTime{}, false
		}
		off := int64(oh)*dotnet.TicksPerHour + int64(om)*dotnet.TicksPerMinute
		if s[i] == '+' {
			off = -off
		}
		t := dt.Ticks() + off
		// Out of range after conversion: Json.NET clamps to the bounds.
		t = max(0, min(t, dotnet.MaxTicks))
		u, _ := dotnet.DateTimeFromTicks(t, dotnet.Local)
		return u, true
	}
	return dotnet.DateTime{}, false
}

// parseMicrosoftDate reads "/Date(1577934245000)/". Forms with an offset
// ("/Date(1577934245000+0100)/") stay strings, as they do in Json.NET,
// whose offset reader rejects well-formed offsets.
func parseMicrosoftDate(s string) (dotnet.DateTime, bool) {
	body := s[6 : len(s)-2]
	if len(body) > 1 && strings.ContainsAny(body[1:], "+-") {
		return dotnet.DateTime{}, false
	}
	ms, err := strconv.ParseInt(body, 10, 64)
	if err != nil {
		return dotnet.DateTime{}, false
	}
	const epoch = 621355968000000000
	if ms > (dotnet.MaxTicks-epoch)/dotnet.TicksPerMillisecond || ms < -epoch/dotnet.TicksPerMillisecond {
		return dotnet.DateTime{}, false
	}
	d, err := dotnet.DateTimeFromTicks(ms*dotnet.TicksPerMillisecond+epoch, dotnet.Utc)
	return d, err == nil
}
