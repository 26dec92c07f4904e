package value

// buildTextRows adds the eight-item Tuple (Tuple.Create of eight items,
// the constructor taking a Rest tuple, and Rest), the KeyValuePair
// constructor, Create and Deconstruct, the Nullable<T> constructor,
// StringWriter.Encoding, HashSet<T>.OnDeserialization and
// Convert.TryFromBase64String.
func (u *Lib) buildTextRows() {
	u.buildTupleRest()
	u.buildKeyValueMore()
	if nl := u.Types["Nullable"]; nl != nil {
		// new Nullable<T>(value): the value, as T (NullableOf's types have no
		// constructor of their own; the compiler takes this one). NewMin
		// refuses new Nullable() of the static class itself.
		nl.NewMin = 1
		nl.New = func(c Call) Value {
			if len(c.Args) == 0 {
				return nil
			}
			v := c.Args[0]
			if t := c.TArg(0); t != nil && IsNumericType(t) && IsNumeric(v) {
				if r, ok := ConvertNumber(v, t); ok {
					return r
				}
			}
			return v
		}
	}
	if sw := u.Types["StringWriter"]; sw != nil {
		// a UnicodeEncoding without a byte order mark, as .NET's
		// StringWriter reports (new UnicodeEncoding(false, false))
		sw.add(prop("Encoding", u.Encoding, func(Call) Value { return &Encoder{Name: "Unicode", NoPreamble: true} }))
		u.wrapNoPreamble()
	}
	if hs := u.Types["HashSet"]; hs != nil {
		// OnDeserialization completes a set read by a formatter; a set built
		// by an expression has nothing to complete.
		hs.add(meth("OnDeserialization", 1, 1, u.Void, func(Call) Value { return nil }))
	}
	if cv := u.Types["Convert"]; cv != nil {
		cv.addStatic(&Member{Name: "TryFromBase64String", Kind: Method, Min: 3, Max: 3, Result: u.Bool, Out: []int{2}, Fn: func(c Call) Value {
			c.NotNull(0, "s")
			// a null array converts to an empty span
			dst, ok := c.Args[1].([]byte)
			if !ok && !c.IsNull(1) {
				ThrowCast(c.Args[1], "System.Span`1[System.Byte]")
			}
			n, ok := tryFromBase64(c.Str(0), dst)
			c.Args[2] = int32(n)
			return ok
		}})
	}
}

// base64Value maps a base-64 digit to its value; -1 for other characters.
func base64Value(r rune) int {
	switch {
	case r >= 'A' && r <= 'Z':
		return int(r - 'A')
	case r >= 'a' && r <= 'z':
		return int(r-'a') + 26
	case r >= '0' && r <= '9':
		return int(r-'0') + 52
	case r == '+':
		return 62
	case r == '/':
		return 63
	}
	return -1
}

// tryFromBase64 is Convert.TryFromBase64String into dst (the array that
// C# passes as a Span<byte>). As .NET 8 does, it decodes one group of four
// digits (white space ' ', '\t', '\r' and '\n' skipped) at a time, writing
// each group's bytes when they fit: a failure (a bad digit, a group that
// does not fit, a partial group at the end, digits after padding) leaves
// the groups before it written and reports 0 bytes.
func tryFromBase64(s string, dst []byte) (int, bool) {
	var quad [4]rune
	n, w := 0, 0
	padded := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			continue
		}
		if padded {
			return 0, false // only white space may follow a padded group
		}
		quad[n] = r
		n++
		if n < 4 {
			continue
		}
		n = 0
		var v [4]int
		for i, q := range quad {
			v[i] = base64Value(q)
		}
		size := 3
		switch {
		case quad[2] == '=' && quad[3] == '=':
			size, v[2], v[3] = 1, 0, 0
		case quad[3] == '=':
			size, v[3] = 2, 0
		}
		if v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0 {
			return 0, false
		}
		if len(dst)-w < size {
			return 0, false
		}
		bits := v[0]<<18 | v[1]<<12 | v[2]<<6 | v[3]
		out := [3]byte{byte(bits >> 16), byte(bits >> 8), byte(bits)}
		w += copy(dst[w:], out[:size])
		padded = size < 3
	}
	if n != 0 {
		return 0, false
	}
	return w, true
}

// buildTupleRest lets Tuple hold eight items, the eighth being the Rest
// tuple (Tuple<T1, ..., T7, TRest>): Tuple.Create of eight items puts the
// last in a Tuple<T8>; the constructor takes a tuple for it.
func (u *Lib) buildTupleRest() {
	t := u.Types["Tuple"]
	if t == nil {
		return
	}
	t.New = func(c Call) Value {
		if len(c.Args) == 8 {
			if _, ok := c.Args[7].(*Tuple); !ok {
				Throw(ExArgument, "The last element of an eight element tuple must be a Tuple.")
			}
		}
		return &Tuple{Items: append([]Value(nil), c.Args...)}
	}
	t.addStatic(meth("Create", 1, 8, t, func(c Call) Value {
		items := append([]Value(nil), c.Args...)
		if len(items) == 8 {
			items[7] = &Tuple{Items: []Value{items[7]}}
		}
		return &Tuple{Items: items}
	}))
	t.add(prop("Rest", nil, func(c Call) Value {
		tp := c.This.(*Tuple)
		if len(tp.Items) < 8 {
			panic(&Exception{Type: "Microsoft.CSharp.RuntimeBinder.RuntimeBinderException", Message: "'System.Tuple' does not contain a definition for 'Rest'", Pos: -1, End: -1})
		}
		return tp.Items[7]
	}))
}

// buildKeyValueMore adds new KeyValuePair<TKey, TValue>(key, value),
// KeyValuePair.Create(key, value) and Deconstruct(out key, out value).
func (u *Lib) buildKeyValueMore() {
	kv := u.KeyValue
	kv.New = func(c Call) Value {
		switch len(c.Args) {
		case 2:
			return KeyValue{c.Args[0], c.Args[1]}
		case 0:
			// new KeyValuePair<TKey, TValue>(): the default pair
			return KeyValue{Zero(c.TArg(0)), Zero(c.TArg(1))}
		}
		Throw(ExArgument, "'KeyValuePair' does not contain a constructor that takes %d arguments", len(c.Args))
		return nil
	}
	kv.addStatic(meth("Create", 2, 2, kv, func(c Call) Value { return KeyValue{c.Args[0], c.Args[1]} }))
	kv.add(&Member{Name: "Deconstruct", Kind: Method, Min: 2, Max: 2, Result: u.Void, Out: []int{0, 1}, Fn: func(c Call) Value {
		p := c.This.(KeyValue)
		c.Args[0], c.Args[1] = p.Key, p.Value
		return nil
	}})
}

// encodingClasses are the .NET classes of the encodings tollgate
// implements, as ToString prints an Encoding (Encoding.UTF8 is a
// UTF8Encoding.UTF8EncodingSealed).
var encodingClasses = map[string]string{
	"UTF8":             "System.Text.UTF8Encoding+UTF8EncodingSealed",
	"Default":          "System.Text.UTF8Encoding+UTF8EncodingSealed",
	"ASCII":            "System.Text.ASCIIEncoding+ASCIIEncodingSealed",
	"Latin1":           "System.Text.Latin1Encoding+Latin1EncodingSealed",
	"Unicode":          "System.Text.UnicodeEncoding",
	"BigEndianUnicode": "System.Text.UnicodeEncoding",
	"UTF32":            "System.Text.UTF32Encoding",
	"UTF32BE":          "System.Text.UTF32Encoding",
	"UTF7":             "System.Text.UTF7Encoding",
}

// DotnetString implements Stringer: the name of the encoding's class.
func (x *Encoder) DotnetString() string {
	if s, ok := encodingClasses[x.Name]; ok {
		return s
	}
	return "System.Text.Encoding"
}

// wrapNoPreamble makes GetPreamble and Equals of Encoding tell an encoding
// made without a byte order mark (StringWriter.Encoding) from the one with
// it: its preamble is empty, and it does not equal Encoding.Unicode.
func (u *Lib) wrapNoPreamble() {
	enc := u.Encoding
	if m := enc.Members["GetPreamble"]; m != nil {
		cp, fn := *m, m.Fn
		cp.Fn = func(c Call) Value {
			if c.This.(*Encoder).NoPreamble {
				return []byte{}
			}
			return fn(c)
		}
		enc.add(&cp)
	}
	if m := enc.Members["Equals"]; m != nil {
		cp, fn := *m, m.Fn
		cp.Fn = func(c Call) Value {
			if o, ok := c.Args[0].(*Encoder); ok && o.NoPreamble != c.This.(*Encoder).NoPreamble {
				return false
			}
			return fn(c)
		}
		enc.add(&cp)
	}
}
