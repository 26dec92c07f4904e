package value

import "testing"

// TestTryFromBase64 follows Convert.TryFromBase64String of .NET 8: groups
// that fit are written before a failure, which reports 0 bytes.
func TestTryFromBase64(t *testing.T) {
	cases := []struct {
		in    string
		size  int
		n     int
		ok    bool
		bytes string // the buffer afterwards
	}{
		{"aGk=", 4, 2, true, "hi\x00\x00"},
		{"aQ==", 1, 1, true, "i"},
		{"aQ==", 0, 0, false, ""},
		{"aGVsbG8=", 5, 5, true, "hello"},
		{"aGVsbG8=", 4, 0, false, "hel\x00"},
		{"aGVs bG8=\r\n", 5, 5, true, "hello"},
		{"a=Vs", 3, 0, false, "\x00\x00\x00"},
		{"aG=s", 3, 0, false, "\x00\x00\x00"},
		{"aGk= aGk=", 4, 0, false, "hi\x00\x00"},
		{"aGVsbG8", 6, 0, false, "hel\x00\x00\x00"},
		{"", 0, 0, true, ""},
		{"    ", 2, 0, true, "\x00\x00"},
		{"aGVs\u00e9GVs", 6, 0, false, "hel\x00\x00\x00"},
	}
	for _, c := range cases {
		buf := make([]byte, c.size)
		n, ok := tryFromBase64(c.in, buf)
		if n != c.n || ok != c.ok || string(buf) != c.bytes {
			t.Errorf("%q into %d: %d %v %q, want %d %v %q", c.in, c.size, n, ok, buf, c.n, c.ok, c.bytes)
		}
	}
}
