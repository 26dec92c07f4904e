package value

import (
	"testing"
	"time"
)

func TestToString(t *testing.T) {
	cases := []struct {
		v    Value
		want string
	}{
		{nil, ""}, {true, "True"}, {int32(-5), "-5"}, {int64(1) << 40, "1099511627776"}, {2.5, "2.5"},
		{1e21, "1E+21"}, {Char('x'), "x"}, {time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), "01/02/2020 03:04:05"},
		{TimeSpanOf(90 * time.Minute), "01:30:00"}, {TimeSpan(-1), "-00:00:00.0000001"}, {Guid{1}, "01000000-0000-0000-0000-000000000000"},
		{StringArray([]string{"a"}), "System.String[]"},
	}
	for _, c := range cases {
		if got := ToString(c.v); got != c.want {
			t.Errorf("ToString(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestArith(t *testing.T) {
	cases := []struct {
		op   string
		a, b Value
		want Value
	}{
		{"+", int32(2147483647), int32(1), int32(-2147483648)},
		{"/", int32(7), int32(2), int32(3)},
		{"/", int32(7), 2.0, 3.5},
		{"%", int32(-7), int32(3), int32(-1)},
		{"+", "a", int32(1), "a1"},
		{"*", int64(3), int32(4), int64(12)},
		{"<<", int32(1), int32(33), int32(2)},
		{"&", true, false, false},
	}
	for _, c := range cases {
		if got := Arith(c.op, c.a, c.b); got != c.want {
			t.Errorf("%v %s %v = %#v, want %#v", c.a, c.op, c.b, got, c.want)
		}
	}
}

func TestDivideByZero(t *testing.T) {
	defer func() {
		ex, ok := recover().(*Exception)
		if !ok || ex.Type != ExDivZero || ex.Message != MsgDivZero {
			t.Errorf("got %v", ex)
		}
	}()
	Arith("/", int32(1), int32(0))
}

func TestEqualAndCompare(t *testing.T) {
	if !Equal(int32(1), int64(1)) || !Equal(int32(1), 1.0) || Equal("1", int32(1)) || !Equal(nil, nil) {
		t.Error("Equal")
	}
	if Equals(int32(1), int64(1)) {
		t.Error("object.Equals must compare types")
	}
	if r, ok := Compare("a", "b"); !ok || r >= 0 {
		t.Error("Compare strings")
	}
	if _, ok := Compare("a", int32(1)); ok {
		t.Error("Compare mixed")
	}
}

func TestHeaders(t *testing.T) {
	h := MapHeaders{"Content-Type": {"a"}, "X-Multi": {"1", "2"}}
	if v, ok := h.Values("content-type"); !ok || v[0] != "a" {
		t.Error("MapHeaders case-insensitive")
	}
	p := PairHeaders{{Name: "X-Multi", Values: []string{"1", "2"}}}
	if v, _ := p.Values("x-multi"); JoinValues(v) != "1,2" {
		t.Error("PairHeaders join")
	}
}

func TestBytesBodyPreserve(t *testing.T) {
	b := &BytesBody{Data: []byte("x")}
	if d, _ := b.Read(true); string(d) != "x" {
		t.Error("preserved read")
	}
	if d, _ := b.Read(false); string(d) != "x" {
		t.Error("consuming read")
	}
	if d, _ := b.Read(false); len(d) != 0 {
		t.Error("read after consumption")
	}
}

func TestTypeNames(t *testing.T) {
	u := Universe()
	for name, want := range map[string]string{"string": "System.String", "JObject": "Newtonsoft.Json.Linq.JObject", "System.Text.Encoding": "System.Text.Encoding"} {
		if got := u.Lookup(name, nil, 0); got == nil || got.FullName != want {
			t.Errorf("Lookup(%s) = %v", name, got)
		}
	}
	if got := u.Lookup("Dictionary", []*Type{u.String, u.Int}, 0).Name; got != "Dictionary<string,int>" {
		t.Errorf("generic name %s", got)
	}
}
