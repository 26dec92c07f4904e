package dotnet

import (
	"math"
	"testing"
)

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		bits int
		want int64
		err  string
	}{
		{" 42 ", 32, 42, ""},
		{"+7", 32, 7, ""},
		{"-2147483648", 32, -2147483648, ""},
		{"2147483647", 32, 2147483647, ""},
		{"2147483648", 32, 0, "Value was either too large or too small for an Int32."},
		{"9223372036854775808", 64, 0, "Value was either too large or too small for an Int64."},
		{"99999999999999999999999", 64, 0, "Value was either too large or too small for an Int64."},
		{"4.2", 32, 0, "The input string '4.2' was not in a correct format."},
		{"", 32, 0, "The input string '' was not in a correct format."},
		{"1 2", 32, 0, "The input string '1 2' was not in a correct format."},
		{"0x10", 32, 0, "The input string '0x10' was not in a correct format."},
		{"-", 32, 0, "The input string '-' was not in a correct format."},
		{"300", 8, 0, "Value was either too large or too small for a signed byte."},
		{"\t-0\n", 16, 0, ""},
	}
	for _, tt := range tests {
		got, err := ParseInt(tt.in, tt.bits)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseInt(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseInt(%q) = %d, %v", tt.in, got, err)
		}
	}
	if _, err := ParseUint("-1", 32); err == nil || err.Error() != "Value was either too large or too small for a UInt32." {
		t.Errorf("ParseUint(-1) error = %v", err)
	}
}

func TestParseDouble(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true},
		{" -1.5e3 ", -1500, true},
		{"1,234.5", 1234.5, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"1e400", math.Inf(1), true},
		{"Infinity", math.Inf(1), true},
		{"-Infinity", math.Inf(-1), true},
		{"abc", 0, false},
		{"1.2.3", 0, false},
		{"", 0, false},
		{"e5", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDouble(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseDouble(%q) = %v, %v", tt.in, got, err)
		}
	}
	if v, err := ParseDouble("NaN"); err != nil || !math.IsNaN(v) {
		t.Errorf("ParseDouble(NaN) = %v, %v", v, err)
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"True": true, "false": false, " TRUE ": true, "False\x00": false} {
		if got, err := ParseBool(in); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseBool("yes"); err == nil || err.Error() != "String 'yes' was not recognized as a valid Boolean." {
		t.Errorf("ParseBool(yes) error = %v", err)
	}
}

func TestDecimal(t *testing.T) {
	dec := func(s string) Decimal {
		d, err := ParseDecimal(s)
		if err != nil {
			t.Fatalf("ParseDecimal(%q): %v", s, err)
		}
		return d
	}
	tests := []struct {
		in, format, want string
	}{
		{"1.50", "", "1.50"},
		{"-1.50", "", "-1.50"},
		{"0.00", "", "0.00"},
		{"-0.00", "", "0.00"},
		{"1,234.5", "", "1234.5"},
		{"1234.5", "N", "1,234.50"},
		{"1234.5", "C", "¤1,234.50"},
		{"0.125", "F2", "0.13"},
		{"0.135", "F2", "0.14"},
		{"-0.001", "F2", "0.00"},
		{"-0.001", "0.00", "0.00"},
		{"1.50", "G", "1.50"},
		{"1.50", "G5", "1.5"},
		{"12345.678", "E2", "1.23E+004"},
		{"0.5", "P0", "50 %"},
		{"1.50", "0.000", "1.500"},
		{"79228162514264337593543950335", "", "79228162514264337593543950335"},
		{"0.1234567890123456789012345678", "", "0.1234567890123456789012345678"},
		{"1234.5", "G4", "1235"},
		{"0.925", "N2", "0.93"},
		{"-0.1", "0", "0"},
	}
	for _, tt := range tests {
		got, err := dec(tt.in).Format(tt.format)
		if err != nil || got != tt.want {
			t.Errorf("Decimal(%s).Format(%q) = %q, %v; want %q", tt.in, tt.format, got, err, tt.want)
		}
	}
	if _, err := ParseDecimal("79228162514264337593543950336"); err == nil || err.Error() != "Value was either too large or too small for a Decimal." {
		t.Errorf("overflow error = %v", err)
	}
	if _, err := ParseDecimal("1e5"); err == nil {
		t.Error("decimal accepted an exponent")
	}
	arith := []struct {
		op   string
		a, b string
		want string
	}{
		{"+", "1.1", "2.20", "3.30"},
		{"-", "1", "0.5", "0.5"},
		{"*", "1.5", "2.0", "3.00"},
		{"/", "1", "3", "0.3333333333333333333333333333"},
		{"/", "10", "4", "2.5"},
		{"/", "4.00", "2", "2.00"},
		{"/", "2", "3", "0.6666666666666666666666666667"},
	}
	for _, tt := range arith {
		a, b := dec(tt.a), dec(tt.b)
		var r Decimal
		var err error
		switch tt.op {
		case "+":
			r, err = a.Add(b)
		case "-":
			r, err = a.Sub(b)
		case "*":
			r, err = a.Mul(b)
		case "/":
			r, err = a.Div(b)
		}
		if err != nil || r.String() != tt.want {
			t.Errorf("%s %s %s = %s, %v; want %s", tt.a, tt.op, tt.b, r, err, tt.want)
		}
	}
	if _, err := dec("1").Div(Decimal{}); err == nil || err.Error() != "Attempted to divide by zero." {
		t.Errorf("divide by zero: %v", err)
	}
	for in, want := range map[float64]string{0.1: "0.1", 1.0 / 3: "0.333333333333333", 100: "100", 1e20: "100000000000000000000", -2.5: "-2.5"} {
		d, err := DecimalFromFloat64(in)
		if err != nil || d.String() != want {
			t.Errorf("DecimalFromFloat64(%v) = %s, %v; want %s", in, d, err, want)
		}
	}
	if dec("1.5").Cmp(dec("1.50")) != 0 {
		t.Error("1.5 != 1.50")
	}
}

func TestParseDecimalStyles(t *testing.T) {
	for in, want := range map[string]string{"5-": "-5", " -1,000.50 ": "-1000.50", ".5": "0.5", "+0.00": "0.00"} {
		d, err := ParseDecimal(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "-", "1.2.3", ",5", "5--", "1e5", "--5"} {
		if _, err := ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) succeeded", bad)
		}
	}
}

func TestDecimalRounding(t *testing.T) {
	tests := []struct {
		in       string
		decimals int
		away     bool
		want     string
	}{
		{"2.345", 2, false, "2.34"},
		{"2.355", 2, false, "2.36"},
		{"2.345", 2, true, "2.35"},
		{"-2.345", 2, true, "-2.35"},
		{"2.5", 0, false, "2"},
		{"3.5", 0, false, "4"},
		{"1.2", 5, false, "1.2"},
	}
	for _, tt := range tests {
		d, _ := ParseDecimal(tt.in)
		r, err := d.Round(tt.decimals, tt.away)
		if err != nil || r.String() != tt.want {
			t.Errorf("Round(%s, %d, %v) = %s, %v; want %s", tt.in, tt.decimals, tt.away, r, err, tt.want)
		}
	}
	d, _ := ParseDecimal("-12.99")
	if v, err := d.Int64(); err != nil || v != -12 || d.Truncate().String() != "-12" {
		t.Errorf("Int64 = %d, %v", v, err)
	}
	big, _ := ParseDecimal("79228162514264337593543950335")
	if _, err := big.Int64(); err == nil || err.Error() != "Value was either too large or too small for an Int64." {
		t.Errorf("Int64 overflow = %v", err)
	}
}
