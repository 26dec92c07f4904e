package dotnet

import (
	"encoding/hex"
	"strings"
)

// Guid is System.Guid, stored in its canonical text order (the bytes of
// "00112233-4455-6677-8899-aabbccddeeff" read left to right).
type Guid [16]byte

// ParseGuid is Guid.Parse: the "D" (dashes), "N" (32 digits), "B"
// (braces) and "P" (parentheses) forms, case-insensitive, surrounding
// white space allowed.
func ParseGuid(s string) (Guid, error) {
	t := strings.TrimSpace(s)
	switch {
	case len(t) == 38 && ((t[0] == '{' && t[37] == '}') || (t[0] == '(' && t[37] == ')')):
		t = t[1:37]
	case len(t) == 32:
		return decodeGuidHex(t)
	}
	if len(t) != 36 {
		return Guid{}, newFormatError("Unrecognized Guid format.")
	}
	if t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-' {
		return Guid{}, newFormatError("Dashes are in the wrong position for GUID parsing.")
	}
	return decodeGuidHex(t[0:8] + t[9:13] + t[14:18] + t[19:23] + t[24:36])
}

func decodeGuidHex(h string) (Guid, error) {
	var g Guid
	if _, err := hex.Decode(g[:], []byte(h)); err != nil {
		return Guid{}, newFormatError("Guid string should only contain hexadecimal characters.")
	}
	return g, nil
}

// TryParseGuid is Guid.TryParse.
func TryParseGuid(s string) (Guid, bool) {
	g, err := ParseGuid(s)
	return g, err == nil
}

// String is Guid.ToString(): the "D" form in lower case.
func (g Guid) String() string {
	s, _ := g.Format("D")
	return s
}

// Format is Guid.ToString(format): "D" (default), "N", "B", "P" or "X".
func (g Guid) Format(format string) (string, error) {
	h := hex.EncodeToString(g[:])
	switch format {
	case "", "D", "d":
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
	case "N", "n":
		return h, nil
	case "B", "b":
		return "{" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32] + "}", nil
	case "P", "p":
		return "(" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32] + ")", nil
	case "X", "x":
		var b strings.Builder
		b.WriteString("{0x" + h[0:8] + ",0x" + h[8:12] + ",0x" + h[12:16] + ",{")
		for i := 8; i < 16; i++ {
			if i > 8 {
				b.WriteByte(',')
			}
			b.WriteString("0x" + h[2*i:2*i+2])
		}
		b.WriteString("}}")
		return b.String(), nil
	}
	return "", newFormatError("Format string can be only \"D\", \"d\", \"N\", \"n\", \"P\", \"p\", \"B\", \"b\", \"X\" or \"x\".")
}

// Bytes is Guid.ToByteArray(): the first three groups little-endian.
func (g Guid) Bytes() []byte {
	return []byte{g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]}
}

// GuidFromBytes is new Guid(byte[]): the inverse of Bytes.
func GuidFromBytes(b []byte) (Guid, error) {
	if len(b) != 16 {
		return Guid{}, &Exception{Type: "System.ArgumentException", Message: "Byte array for Guid must be exactly 16 bytes long. (Parameter 'b')"}
	}
	return Guid{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]}, nil
}
