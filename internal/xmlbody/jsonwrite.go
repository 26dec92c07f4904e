package xmlbody

// jv is a JSON value built by XMLToJSON. Only strings, null, objects and
// arrays occur.
type jv struct {
	kind  jkind
	s     string
	props []jvProp
	items []*jv
}

type jvProp struct {
	name string
	val  *jv
}

// jsonWriter writes JSON as Json.NET's JToken.ToString() does: two-space
// indentation, "\r\n" line ends, "name": value, {} and [] when empty.
//
// Past max bytes it stops writing and sets over; the check is made at each
// value, so buf passes max by at most one string and its indentation.
type jsonWriter struct {
	buf  []byte
	max  int
	over bool
}

func (w *jsonWriter) indent(depth int) {
	if w.over || len(w.buf) > w.max {
		w.over = true
		return
	}
	w.buf = append(w.buf, newline...)
	for range depth {
		w.buf = append(w.buf, ' ', ' ')
	}
}

func (w *jsonWriter) write(v *jv, depth int) {
	if w.over || len(w.buf) > w.max {
		w.over = true
		return
	}
	switch v.kind {
	case jNull:
		w.buf = append(w.buf, "null"...)
	case jString:
		w.str(v.s)
	case jObject:
		if len(v.props) == 0 {
			w.buf = append(w.buf, '{', '}')
			return
		}
		w.buf = append(w.buf, '{')
		for i, p := range v.props {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.indent(depth + 1)
			w.str(p.name)
			w.buf = append(w.buf, ':', ' ')
			w.write(p.val, depth+1)
		}
		w.indent(depth)
		w.buf = append(w.buf, '}')
	case jArray:
		if len(v.items) == 0 {
			w.buf = append(w.buf, '[', ']')
			return
		}
		w.buf = append(w.buf, '[')
		for i, it := range v.items {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.indent(depth + 1)
			w.write(it, depth+1)
		}
		w.indent(depth)
		w.buf = append(w.buf, ']')
	}
}

// str writes s quoted with Json.NET's default escaping: quote, backslash,
// control characters (short forms for \b \f \n \r \t), U+0085, U+2028 and
// U+2029; everything else as is.
func (w *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	w.buf = append(w.buf, '"')
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var rep string
		switch {
		case c == '"':
			rep = `\"`
		case c == '\\':
			rep = `\\`
		case c == '\n':
			rep = `\n`
		case c == '\r':
			rep = `\r`
		case c == '\t':
			rep = `\t`
		case c == '\b':
			rep = `\b`
		case c == '\f':
			rep = `\f`
		case c < 0x20:
			rep = `\u00` + string([]byte{hex[c>>4], hex[c&0xF]})
		case c == 0xC2 && i+1 < len(s) && s[i+1] == 0x85:
			w.buf = append(w.buf, s[last:i]...)
			w.buf = append(w.buf, `\u0085`...)
			i++
			last = i + 1
			continue
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			w.buf = append(w.buf, s[last:i]...)
			w.buf = append(w.buf, `\u202`...)
			w.buf = append(w.buf, "89"[s[i+2]-0xA8])
			i += 2
			last = i + 1
			continue
		default:
			continue
		}
		w.buf = append(w.buf, s[last:i]...)
		w.buf = append(w.buf, rep...)
		last = i + 1
	}
	w.buf = append(w.buf, s[last:]...)
	w.buf = append(w.buf, '"')
}
