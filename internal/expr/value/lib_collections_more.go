package value

// List<T> and Dictionary<TKey, TValue> members beyond the common ones, and
// the Dictionary constructors with a comparer and a source together.

func (u *Lib) buildCollectionsMore() {
	list := func(c Call) *List { return c.This.(*List) }
	// rangeArgs reads (index, count) at i and i+1, checked against n.
	rangeArgs := func(c Call, i, n int) (int, int) {
		at, cnt := c.Int(i), c.Int(i+1)
		if at < 0 || cnt < 0 || at+cnt > n {
			Throw(ExArgument, "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.")
		}
		return at, cnt
	}
	findIndex := func(last bool) func(c Call) Value {
		return func(c Call) Value {
			items := list(c).Items
			f := fn(c, len(c.Args)-1)
			lo, hi := 0, len(items) // the searched range [lo, hi)
			switch len(c.Args) {
			case 2:
				if last {
					hi = c.Int(0) + 1
				} else {
					lo = c.Int(0)
				}
			case 3:
				if last {
					hi = c.Int(0) + 1
					lo = hi - c.Int(1)
				} else {
					lo = c.Int(0)
					hi = lo + c.Int(1)
				}
			}
			if lo < 0 || hi > len(items) || lo > hi {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'startIndex')")
			}
			if last {
				for i := hi - 1; i >= lo; i-- {
					if pred(c, f, items[i]) {
						return int32(i)
					}
				}
				return int32(-1)
			}
			for i := lo; i < hi; i++ {
				if pred(c, f, items[i]) {
					return int32(i)
				}
			}
			return int32(-1)
		}
	}
	lambdaAt := func(n int) []int { return []int{n} }
	u.listBase.add(
		&Member{Name: "Exists", Kind: Method, Min: 1, Max: 1, Result: u.Bool, Lambda: lambdaAt(0), Fn: func(c Call) Value {
			f := fn(c, 0)
			for _, x := range list(c).Items {
				if pred(c, f, x) {
					return true
				}
			}
			return false
		}},
		&Member{Name: "TrueForAll", Kind: Method, Min: 1, Max: 1, Result: u.Bool, Lambda: lambdaAt(0), Fn: func(c Call) Value {
			f := fn(c, 0)
			for _, x := range list(c).Items {
				if !pred(c, f, x) {
					return false
				}
			}
			return true
		}},
		&Member{Name: "Find", Kind: Method, Min: 1, Max: 1, Lambda: lambdaAt(0), Fn: func(c Call) Value {
			f := fn(c, 0)
			for _, x := range list(c).Items {
				if pred(c, f, x) {
					return x
				}
			}
			return zeroOf(list(c).T.Elem)
		}, ResultOf: func(t *Type, _, _ []*Type) *Type { return t.Elem }},
		&Member{Name: "FindLast", Kind: Method, Min: 1, Max: 1, Lambda: lambdaAt(0), Fn: func(c Call) Value {
			f := fn(c, 0)
			items := list(c).Items
			for i := len(items) - 1; i >= 0; i-- {
				if pred(c, f, items[i]) {
					return items[i]
				}
			}
			return zeroOf(list(c).T.Elem)
		}, ResultOf: func(t *Type, _, _ []*Type) *Type { return t.Elem }},
		&Member{Name: "FindAll", Kind: Method, Min: 1, Max: 1, Lambda: lambdaAt(0), Fn: func(c Call) Value {
			f := fn(c, 0)
			var found []Value
			for _, x := range list(c).Items {
				if pred(c, f, x) {
					found = append(found, x)
				}
			}
			out := &List{T: list(c).T}
			out.GrowEach(len(found)) // FindAll adds to a new List<T> one at a time
			out.Items = found
			return out
		}, ResultOf: func(t *Type, _, _ []*Type) *Type { return t }},
		&Member{Name: "FindIndex", Kind: Method, Min: 1, Max: 3, Result: u.Int, Lambda: []int{0, 1, 2}, Fn: findIndex(false)},
		&Member{Name: "FindLastIndex", Kind: Method, Min: 1, Max: 3, Result: u.Int, Lambda: []int{0, 1, 2}, Fn: findIndex(true)},
		&Member{Name: "ForEach", Kind: Method, Min: 1, Max: 1, Result: u.Void, Lambda: lambdaAt(0), Fn: func(c Call) Value {
			f := fn(c, 0)
			for _, x := range append([]Value(nil), list(c).Items...) {
				call1(c, f, x)
			}
			return nil
		}},
		&Member{Name: "RemoveAll", Kind: Method, Min: 1, Max: 1, Result: u.Int, Lambda: lambdaAt(0), Fn: func(c Call) Value {
			f := fn(c, 0)
			l := list(c)
			kept := l.Items[:0:0]
			for _, x := range l.Items {
				if !pred(c, f, x) {
					kept = append(kept, x)
				}
			}
			n := len(l.Items) - len(kept)
			l.Items = kept
			return int32(n)
		}},
		meth("GetRange", 2, 2, nil, func(c Call) Value {
			l := list(c)
			at, n := rangeArgs(c, 0, len(l.Items))
			return &List{T: l.T, Items: append([]Value(nil), l.Items[at:at+n]...), Cap: n}
		}),
		meth("RemoveRange", 2, 2, u.Void, func(c Call) Value {
			l := list(c)
			at, n := rangeArgs(c, 0, len(l.Items))
			l.Items = append(l.Items[:at:at], l.Items[at+n:]...)
			return nil
		}),
		meth("InsertRange", 2, 2, u.Void, func(c Call) Value {
			l := list(c)
			at := c.Int(0)
			if at < 0 || at > len(l.Items) {
				Throw(ExArgRange, "Index must be within the bounds of the List. (Parameter 'index')")
			}
			add, ok := Items(c.Args[1])
			if !ok {
				Throw(ExArgNull, "Value cannot be null. (Parameter 'collection')")
			}
			if n, counted := collectionCount(c.Args[1]); counted {
				l.Grow(len(l.Items) + n)
			} else {
				l.GrowEach(len(l.Items) + len(add)) // inserted one at a time
			}
			out := append(append(append([]Value(nil), l.Items[:at]...), add...), l.Items[at:]...)
			l.Items = out
			return nil
		}),
		meth("IndexOf", 1, 3, u.Int, func(c Call) Value {
			items := list(c).Items
			lo, hi := 0, len(items)
			if c.Has(1) {
				lo = c.Int(1)
			}
			if c.Has(2) {
				hi = lo + c.Int(2)
			}
			if lo < 0 || hi > len(items) || lo > hi {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than or equal to the size of the collection. (Parameter 'index')")
			}
			for i := lo; i < hi; i++ {
				if Equals(items[i], c.Args[0]) {
					return int32(i)
				}
			}
			return int32(-1)
		}),
		meth("LastIndexOf", 1, 3, u.Int, func(c Call) Value {
			items := list(c).Items
			hi := len(items) - 1
			if c.Has(1) {
				hi = c.Int(1)
			}
			lo := 0
			if c.Has(2) {
				lo = hi - c.Int(2) + 1
			}
			if len(items) == 0 {
				return int32(-1)
			}
			if hi >= len(items) || lo < 0 || lo > hi+1 {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')")
			}
			for i := hi; i >= lo; i-- {
				if Equals(items[i], c.Args[0]) {
					return int32(i)
				}
			}
			return int32(-1)
		}),
		meth("Reverse", 0, 2, u.Void, func(c Call) Value {
			l := list(c)
			at, n := 0, len(l.Items)
			if c.Has(1) {
				at, n = rangeArgs(c, 0, len(l.Items))
			}
			s := l.Items[at : at+n]
			for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
				s[i], s[j] = s[j], s[i]
			}
			return nil
		}),
		&Member{Name: "ConvertAll", Kind: Method, Min: 1, Max: 1, Lambda: lambdaAt(0), Fn: func(c Call) Value {
			f := fn(c, 0)
			out := &List{Cap: len(list(c).Items)}
			for _, x := range list(c).Items {
				out.Items = append(out.Items, call1(c, f, x))
			}
			return out
		}, ResultOf: func(_ *Type, _, _ []*Type) *Type { return u.listBase }},
		meth("CopyTo", 1, 4, u.Void, func(c Call) Value {
			src := list(c).Items
			var dst *Array
			si, di, n := 0, 0, len(src)
			switch len(c.Args) {
			case 1:
				dst, _ = c.Args[0].(*Array)
			case 2:
				dst, _ = c.Args[0].(*Array)
				di = c.Int(1)
			case 4:
				si, di, n = c.Int(0), c.Int(2), c.Int(3)
				dst, _ = c.Args[1].(*Array)
			default:
				Throw(ExArgument, "CopyTo takes (array), (array, arrayIndex) or (index, array, arrayIndex, count).")
			}
			if dst == nil {
				Throw(ExArgNull, "Value cannot be null. (Parameter 'array')")
			}
			if si < 0 || n < 0 || si+n > len(src) || di < 0 || di+n > len(dst.Items) {
				Throw(ExArgument, "Destination array was not long enough. Check the destination index, length, and the array's lower bounds. (Parameter 'destinationArray')")
			}
			copy(dst.Items[di:di+n], src[si:si+n])
			return nil
		}),
	)
	u.listBase.Members["GetRange"].ResultOf = func(t *Type, _, _ []*Type) *Type { return t }

	// Dictionary: the comparer applies before the source is copied, a
	// sequence of pairs is a source, and a missing key gives default(TValue).
	d := u.dictBase
	d.New = func(c Call) Value {
		dd := NewDict(c.TArg(0), c.TArg(1))
		for _, a := range c.Args {
			switch x := a.(type) {
			case Enum:
				dd.SetComparer(x)
			case JTokenComparer, XNodeComparer:
				Throw(ExNotSupported, "tollgate supports only StringComparer values as comparers")
			case int32:
				dd.size.presize(int(x))
			case *Dict:
				dd.size.presize(len(x.Keys)) // Dictionary(IDictionary) sizes for its count
			default:
				if n, ok := collectionCount(x); ok {
					dd.size.presize(n) // so does a collection of pairs
				}
			}
		}
		for _, a := range c.Args {
			switch x := a.(type) {
			case *Dict:
				for i, k := range x.Keys {
					if _, dup := dd.Get(k); dup {
						Throw(ExArgument, "An item with the same key has already been added. Key: %s", ToString(k))
					}
					dd.Set(k, x.Vals[i])
				}
			case Enum, DefaultComparer, int32, nil:
			default:
				if items, ok := Items(x); ok {
					for _, it := range items {
						kv, ok := it.(KeyValue)
						if !ok {
							ThrowCast(it, "System.Collections.Generic.KeyValuePair`2")
						}
						if _, dup := dd.Get(kv.Key); dup {
							Throw(ExArgument, "An item with the same key has already been added. Key: %s", ToString(kv.Key))
						}
						dd.Set(kv.Key, kv.Value)
					}
				}
			}
		}
		return dd
	}
	gv := d.Members["GetValueOrDefault"]
	gvFn := gv.Fn
	gv.Fn = func(c Call) Value {
		dd := c.This.(*Dict)
		if _, ok := dd.Get(c.Args[0]); !ok && !c.Has(1) {
			return zeroOf(dd.V)
		}
		return gvFn(c)
	}
}
