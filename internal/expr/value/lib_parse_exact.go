package value

import "github.com/tollgate/tollgate/internal/dotnet"

// TimeSpan.ParseExact and TryParseExact, and DateTimeOffset.ParseExact,
// with the invariant culture (the provider argument is ignored: tollgate
// formats and parses as InvariantCulture).

// formatsArg reads argument i as one format or an array of formats.
func formatsArg(c Call, i int) []string {
	switch f := c.Args[i].(type) {
	case string:
		return []string{f}
	case nil:
		c.NotNull(i, "format")
	default:
		var out []string
		Each(f, func(v Value) bool { out = append(out, ToString(v)); return true })
		return out
	}
	return nil
}

// parseExactSpan tries each format in turn, as .NET does, and returns the
// first match or the last format's error.
func parseExactSpan(s string, formats []string) (TimeSpan, error) {
	if len(formats) == 0 {
		return 0, &dotnet.Exception{Type: dotnet.FormatException, Message: "Format specifier was invalid."}
	}
	var err error
	for _, f := range formats {
		var ts TimeSpan
		if ts, err = dotnet.ParseExactTimeSpan(s, f); err == nil {
			return ts, nil
		}
	}
	return 0, err
}

func (u *Lib) buildParseExact() {
	ts, dto := u.TimeSpan, u.DateTimeOffset
	ts.addStatic(
		meth("ParseExact", 3, 3, ts, func(c Call) Value {
			c.NotNull(0, "input")
			d, err := parseExactSpan(c.Str(0), formatsArg(c, 1))
			if err != nil {
				throwDotnet(err)
			}
			return d
		}),
		&Member{Name: "TryParseExact", Kind: Method, Min: 4, Max: 4, Result: u.Bool, Out: []int{3}, Fn: func(c Call) Value {
			c.Args[3] = TimeSpan(0)
			if c.IsNull(0) || c.IsNull(1) {
				return false
			}
			d, err := parseExactSpan(c.Str(0), formatsArg(c, 1))
			if err != nil {
				return false
			}
			c.Args[3] = d
			return true
		}},
	)
	dto.addStatic(
		meth("ParseExact", 3, 3, dto, func(c Call) Value {
			c.NotNull(0, "input")
			c.NotNull(1, "format")
			o, err := dotnet.ParseExactDateTimeOffset(c.Str(0), c.Str(1), ToDotnetDateTime(c.Fr.Time().UTC()))
			if err != nil {
				throwDotnet(err)
			}
			return dateTimeOffsetFrom(o)
		}),
	)
}
