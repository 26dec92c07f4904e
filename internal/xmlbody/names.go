package xmlbody

import (
	"strings"
	"unicode/utf8"
)

// isNameStart reports whether r may start an XML name without a colon
// (XML 1.0 fifth edition NameStartChar minus ':').
func isNameStart(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		return true
	case r < 0xC0:
		return false
	}
	return r <= 0xD6 || (r >= 0xD8 && r <= 0xF6) || (r >= 0xF8 && r <= 0x2FF) ||
		(r >= 0x370 && r <= 0x37D) || (r >= 0x37F && r <= 0x1FFF) ||
		(r >= 0x200C && r <= 0x200D) || (r >= 0x2070 && r <= 0x218F) ||
		(r >= 0x2C00 && r <= 0x2FEF) || (r >= 0x3001 && r <= 0xD7FF) ||
		(r >= 0xF900 && r <= 0xFDCF) || (r >= 0xFDF0 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0xEFFFF)
}

// isNameChar reports whether r may appear after the first character of an
// XML name without a colon (NameChar minus ':').
func isNameChar(r rune) bool {
	switch {
	case isNameStart(r), r == '-', r == '.', r >= '0' && r <= '9', r == 0xB7:
		return true
	}
	return (r >= 0x300 && r <= 0x36F) || (r >= 0x203F && r <= 0x2040)
}

// isNCName reports whether s is a non-empty XML name without colons.
func isNCName(s string) bool {
	for i, r := range s {
		if i == 0 && !isNameStart(r) || i > 0 && !isNameChar(r) {
			return false
		}
	}
	return s != ""
}

// encodeLocalName encodes s as .NET's XmlConvert.EncodeLocalName does:
// every character that cannot appear at its place in a colon-free XML name
// (colons included) becomes _xHHHH_ (eight hex digits beyond the BMP), and
// an underscore that would otherwise read as the start of such an escape
// becomes _x005F_. Valid names come back unchanged without allocating.
func encodeLocalName(s string) string {
	if isNCName(s) && !strings.Contains(s, "_x") && !strings.Contains(s, "_X") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		switch {
		case r == '_' && looksEscaped(s[i:]):
			b.WriteString("_x005F_")
		case r == utf8.RuneError && !validAt(s, i):
			b.WriteString("_xFFFD_")
		case i == 0 && isNameStart(r), i > 0 && isNameChar(r):
			b.WriteRune(r)
		default:
			writeEscape(&b, r)
		}
	}
	return b.String()
}

// validAt reports whether s holds a properly encoded rune at byte i.
func validAt(s string, i int) bool {
	r, n := utf8.DecodeRuneInString(s[i:])
	return r != utf8.RuneError || n == 3
}

// looksEscaped reports whether s starts with _xHHHH_ or _xHHHHHHHH_.
func looksEscaped(s string) bool {
	if len(s) < 7 || s[0] != '_' || (s[1] != 'x' && s[1] != 'X') {
		return false
	}
	n := 0
	for n < 8 && 2+n < len(s) && isHex(s[2+n]) {
		n++
	}
	if n >= 8 && 10 < len(s) && s[10] == '_' {
		return true
	}
	return n >= 4 && s[6] == '_'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// writeEscape writes r as _xHHHH_ (uppercase hex, eight digits beyond the
// Basic Multilingual Plane).
func writeEscape(b *strings.Builder, r rune) {
	const hex = "0123456789ABCDEF"
	digits := 4
	if r > 0xFFFF {
		digits = 8
	}
	b.WriteString("_x")
	for k := digits - 1; k >= 0; k-- {
		b.WriteByte(hex[(r>>(4*k))&0xF])
	}
	b.WriteByte('_')
}
