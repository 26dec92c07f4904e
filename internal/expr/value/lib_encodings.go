package value

import (
	"encoding/binary"
	"unicode/utf16"
)

// EncodingInfo is a System.Text.EncodingInfo: one entry of
// Encoding.GetEncodings(), naming an encoding by its Encoder name.
type EncodingInfo struct {
	Name string
}

// DotnetType implements Typed.
func (x *EncodingInfo) DotnetType(u *Lib) *Type { return u.Types["EncodingInfo"] }

// listedEncodings are the encodings Encoding.GetEncodings() returns, in
// .NET's order (by code page). UTF-7 is not among them: since .NET 5
// GetEncodings and GetEncoding leave it out, and only Encoding.UTF7 makes it.
var listedEncodings = []string{"Unicode", "BigEndianUnicode", "UTF32", "UTF32BE", "ASCII", "Latin1", "UTF8"}

// utf7Direct marks the characters .NET's Encoding.UTF7 writes as
// themselves: RFC 2152's set D, with space, tab, CR and LF. The optional
// direct characters of set O (!"#$%&*;<=>@[]^_`{|}) are base64-encoded, as
// Encoding.UTF7 does not allow them.
var utf7Direct = func() (d [128]bool) {
	for _, c := range "\t\n\r '(),-./0123456789:?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" {
		d[c] = true
	}
	return d
}()

const utf7Base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// utf7Value returns the value of a modified base64 digit, or -1.
func utf7Value(b byte) int {
	switch {
	case b >= 'A' && b <= 'Z':
		return int(b - 'A')
	case b >= 'a' && b <= 'z':
		return int(b-'a') + 26
	case b >= '0' && b <= '9':
		return int(b-'0') + 52
	case b == '+':
		return 62
	case b == '/':
		return 63
	}
	return -1
}

// encodeUTF7 is Encoding.UTF7.GetBytes (RFC 2152 as .NET writes it): the
// UTF-16 units of the other characters go in base64 runs opened by '+' and
// always closed by '-', '+' alone is "+-".
func encodeUTF7(s string) []byte {
	out := make([]byte, 0, len(s))
	bits, n := uint32(0), -1 // n: bits pending in a base64 run; -1 outside one
	for _, x := range utf16.Encode([]rune(s)) {
		switch {
		case x < 128 && utf7Direct[x]:
			if n >= 0 {
				if n > 0 {
					out = append(out, utf7Base64[bits<<(6-n)&0x3F])
				}
				out = append(out, '-')
				n = -1
			}
			out = append(out, byte(x))
		case n < 0 && x == '+':
			out = append(out, '+', '-')
		default:
			if n < 0 {
				out = append(out, '+')
				n = 0
			}
			bits = bits<<16 | uint32(x)
			n += 16
			for n >= 6 {
				n -= 6
				out = append(out, utf7Base64[bits>>n&0x3F])
			}
		}
	}
	if n >= 0 {
		if n > 0 {
			out = append(out, utf7Base64[bits<<(6-n)&0x3F])
		}
		out = append(out, '-')
	}
	return out
}

// decodeUTF7 is Encoding.UTF7.GetString: base64 runs give UTF-16 units
// (bits left over at the end of a run are dropped); a byte that ends a run
// other than '-', and any byte of 0x80 or more, stands for the character
// of the same number, as .NET's UTF-7 decoder fallback makes it (a NUL that
// ends a run is dropped).
func decodeUTF7(b []byte) string {
	var us []uint16
	bits, n, first := uint32(0), -1, false
	for _, x := range b {
		if n >= 0 {
			if v := utf7Value(x); v >= 0 {
				first = false
				bits = bits<<6 | uint32(v)
				n += 6
				if n >= 16 {
					n -= 16
					us = append(us, uint16(bits>>n))
				}
				continue
			}
			n = -1
			switch {
			case x == '-' && first:
				us = append(us, '+')
			case x != '-' && x != 0:
				us = append(us, uint16(x))
			}
			continue
		}
		if x == '+' {
			n, bits, first = 0, 0, true
			continue
		}
		us = append(us, uint16(x))
	}
	return string(utf16.Decode(us))
}

// encodeUTF32BE and decodeUTF32BE are UTF-32 in big-endian order (code
// page 12001).
func encodeUTF32BE(s string) []byte {
	out := make([]byte, 0, 4*len(s))
	for _, r := range s {
		out = binary.BigEndian.AppendUint32(out, uint32(r))
	}
	return out
}

func decodeUTF32BE(b []byte) string {
	var rs []rune
	for i := 0; i+3 < len(b); i += 4 {
		rs = append(rs, rune(binary.BigEndian.Uint32(b[i:])))
	}
	return string(rs)
}

func (u *Lib) buildEncodings() {
	enc := u.Encoding
	enc.addStatic(prop("UTF7", enc, func(Call) Value { return &Encoder{Name: "UTF7"} }))
	info := u.newType("EncodingInfo", "System.Text.EncodingInfo", u.Object)
	e := func(c Call) *EncodingInfo { return c.This.(*EncodingInfo) }
	info.add(
		prop("Name", u.String, func(c Call) Value { return encodings[e(c).Name].web }),
		prop("DisplayName", u.String, func(c Call) Value { return encodings[e(c).Name].display }),
		prop("CodePage", u.Int, func(c Call) Value { return encodings[e(c).Name].codePage }),
		meth("GetEncoding", 0, 0, enc, func(c Call) Value { return &Encoder{Name: e(c).Name} }),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value {
			o, ok := c.Args[0].(*EncodingInfo)
			return ok && o.Name == e(c).Name
		}),
		meth("GetHashCode", 0, 0, u.Int, func(c Call) Value { return encodings[e(c).Name].codePage }),
	)
	enc.addStatic(meth("GetEncodings", 0, 0, u.ArrayOf(info), func(c Call) Value {
		items := make([]Value, len(listedEncodings))
		for i, n := range listedEncodings {
			items[i] = &EncodingInfo{Name: n}
		}
		return &Array{T: info, Items: items}
	}))
	enc.add(meth("IsAlwaysNormalized", 0, 0, u.Bool, func(c Call) Value {
		// Form C: only ASCIIEncoding and Latin1Encoding say so; the
		// Unicode encodings keep whatever they are given.
		switch encodingName(c.This.(*Encoder)) {
		case "ASCII", "Latin1":
			return true
		}
		return false
	}))
}
