package dotnet

import "testing"

func TestDecimalBits(t *testing.T) {
	for _, s := range []string{"0", "1.50", "-1.50", "79228162514264337593543950335", "-0.0000000000000000000000000001", "4294967296", "18446744073709551616.5"} {
		d, err := ParseDecimal(s)
		if err != nil {
			t.Fatal(err)
		}
		b := d.Bits()
		e, err := DecimalFromBits(b[:])
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if e.String() != s || e.Bits() != b {
			t.Errorf("%s: bits %v give %s %v", s, b, e, e.Bits())
		}
	}
	d, _ := ParseDecimal("-1.50")
	if got, want := d.Bits(), [4]int32{150, 0, 0, -2147352576}; got != want {
		t.Errorf("Bits(-1.50) = %v, want %v", got, want)
	}
	z, _ := DecimalFromParts(0, 0, 0, true, 2)
	if z.String() != "0.00" || z.Bits()[3] != -2147352576 {
		t.Errorf("negative zero: %s %v", z, z.Bits())
	}
	for _, bad := range [][]int32{{1, 0, 0}, {1, 0, 0, 29 << 16}, {1, 0, 0, 1}, {1, 0, 0, 1 << 30}} {
		if _, err := DecimalFromBits(bad); err == nil {
			t.Errorf("DecimalFromBits(%v) succeeds", bad)
		}
	}
	if _, err := DecimalFromParts(1, 0, 0, false, 29); err == nil {
		t.Error("scale 29 accepted")
	}
}
