package value

// Exception.Data, HResult, HelpLink and Source.

// exMore is what an exception keeps beyond its type and message: the Data
// dictionary (made on first use), HelpLink and the Source set.
type exMore struct {
	data     *ExData
	helpLink Value
	source   Value
}

// ExData is the IDictionary of Exception.Data (.NET's
// System.Collections.ListDictionaryInternal): keys and values of any type,
// in insertion order; a missing key reads as null.
type ExData struct {
	T *Type
	D *Dict
}

// DotnetType implements Typed.
func (d *ExData) DotnetType(*Lib) *Type { return d.T }

// DotnetString implements Stringer: object.ToString(), the type name.
func (d *ExData) DotnetString() string { return d.T.FullName }

// exHResults are the HResults of the exception types tollgate raises, as
// .NET sets them.
var exHResults = map[string]int32{
	ExException:                          -2146233088,
	ExArgument:                           -2147024809,
	ExArgNull:                            -2147467261,
	ExArgRange:                           -2146233086,
	ExInvalidOp:                          -2146233079,
	ExFormat:                             -2146233033,
	"System.UriFormatException":          -2146233033,
	ExOverflow:                           -2146233066,
	ExInvalidCast:                        -2147467262,
	ExNullRef:                            -2147467261,
	ExKeyNotFound:                        -2146232969,
	ExIndexRange:                         -2146233080,
	ExDivZero:                            -2147352558,
	ExNotSupported:                       -2146233067,
	ExRegexTimeout:                       -2146233083, // a TimeoutException
	ExJSONReader:                         -2146233088, // JsonException sets none
	"Newtonsoft.Json.JsonException":      -2146233088,
	ExJSONSerialization:                  -2146233088,
	"System.OutOfMemoryException":        -2147024882,
	"System.Net.Sockets.SocketException": -2147467259, // Win32Exception's E_FAIL
}

// exMoreOf returns e's extra state, making it on first use.
func exMoreOf(e *Exception) *exMore {
	if e.more == nil {
		e.more = &exMore{}
	}
	return e.more
}

func (u *Lib) buildExceptionData() {
	ex := u.Exception
	exd := &Type{Name: "IDictionary", FullName: "System.Collections.ListDictionaryInternal", Base: u.Object}
	exd.Is = func(v Value) bool { _, ok := v.(*ExData); return ok }
	// An exception built by `new` is marked, so that Source can tell one
	// never thrown.
	seen := map[*Type]bool{}
	for _, t := range u.Types {
		if seen[t] || t.New == nil || (t != ex && !t.AssignableTo(ex)) {
			continue
		}
		seen[t] = true
		mk := t.New
		t.New = func(c Call) Value {
			v := mk(c)
			if e, ok := v.(*Exception); ok {
				e.Made = true
				e.more = &exMore{}
			}
			return v
		}
	}
	this := func(c Call) *Exception { return c.This.(*Exception) }
	ex.add(
		prop("Data", exd, func(c Call) Value {
			m := exMoreOf(this(c))
			if m.data == nil {
				m.data = &ExData{T: exd, D: NewDict(u.Object, u.Object)}
			}
			return m.data
		}),
		// HResult's setter is protected in .NET: an expression only reads it.
		prop("HResult", u.Int, func(c Call) Value {
			if h, ok := exHResults[this(c).Type]; ok {
				return h
			}
			return int32(-2146233088)
		}),
		&Member{Name: "HelpLink", Kind: Property, Result: u.String,
			Get: func(c Call) Value { return exMoreOf(this(c)).helpLink },
			Set: func(c Call, v Value) { exMoreOf(this(c)).helpLink = v }},
		// Source is null for an exception never thrown, or what was set.
		// .NET gives a thrown one the name of the assembly of the method
		// that threw it, which tollgate has no faithful value for.
		&Member{Name: "Source", Kind: Property, Result: u.String,
			Get: func(c Call) Value {
				e := this(c)
				if s := exMoreOf(e).source; s != nil {
					return s
				}
				if e.Made && e.Pos < 0 {
					return nil
				}
				panic(&Exception{Type: ExNotSupported, Message: "Specified method is not supported.",
					Cause: "Exception.Source of a thrown exception names the .NET assembly that threw it, which tollgate cannot give; set Source first", Pos: -1, End: -1})
			},
			Set: func(c Call, v Value) { exMoreOf(this(c)).source = v }},
	)

	d := func(c Call) *Dict { return c.This.(*ExData).D }
	add := func(c Call, k, v Value) {
		if _, ok := d(c).Get(k); !ok && c.Fr != nil {
			c.Fr.Alloc(noteBytes)
		}
		d(c).Set(k, v)
	}
	exd.add(
		prop("Count", u.Int, func(c Call) Value { return int32(len(d(c).Keys)) }),
		prop("IsReadOnly", u.Bool, func(Call) Value { return false }),
		prop("IsFixedSize", u.Bool, func(Call) Value { return false }),
		prop("Keys", u.SeqOf(u.Object), func(c Call) Value {
			return &Seq{T: u.Object, Items: append([]Value(nil), d(c).Keys...), Counted: true}
		}),
		prop("Values", u.SeqOf(u.Object), func(c Call) Value {
			return &Seq{T: u.Object, Items: append([]Value(nil), d(c).Vals...), Counted: true}
		}),
		&Member{Name: "[]", Kind: Property, Result: u.Object, Get: func(c Call) Value {
			c.NotNull(0, "key")
			v, _ := d(c).Get(c.Args[0])
			return v
		}, Set: func(c Call, v Value) {
			c.NotNull(0, "key")
			add(c, c.Args[0], v)
		}},
		meth("Add", 2, 2, u.Void, func(c Call) Value {
			c.NotNull(0, "key")
			if _, ok := d(c).Get(c.Args[0]); ok {
				k := ToString(c.Args[0])
				Throw(ExArgument, "Item has already been added. Key in dictionary: '%s'  Key being added: '%s'", k, k)
			}
			add(c, c.Args[0], c.Args[1])
			return nil
		}),
		meth("Contains", 1, 1, u.Bool, func(c Call) Value {
			c.NotNull(0, "key")
			_, ok := d(c).Get(c.Args[0])
			return ok
		}),
		meth("Remove", 1, 1, u.Void, func(c Call) Value {
			c.NotNull(0, "key")
			d(c).Remove(c.Args[0])
			return nil
		}),
		meth("Clear", 0, 0, u.Void, func(c Call) Value { d(c).Clear(); return nil }),
	)
}
