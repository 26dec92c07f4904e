package value

import "sort"

// The members of Array, List<T>, Dictionary<TKey, TValue> and Regex that
// take ranges, comparisons, comparers and out or ref arguments, as .NET
// declares them.

// arrayLen, arrayAt and arraySetAt read and write a T[] (an *Array, or a
// byte[] kept as []byte).
func arrayLen(v Value) int {
	if b, ok := v.([]byte); ok {
		return len(b)
	}
	return len(v.(*Array).Items)
}

func arrayAt(v Value, i int) Value {
	if b, ok := v.([]byte); ok {
		return b[i]
	}
	return v.(*Array).Items[i]
}

func arraySetAt(v Value, i int, x Value) {
	if b, ok := v.([]byte); ok {
		n, _ := AsInt64(x)
		b[i] = byte(n)
		return
	}
	v.(*Array).Items[i] = x
}

// arrayArg is argument i as an array; null throws ArgumentNullException
// naming the parameter.
func arrayArg(c Call, i int, name string) Value {
	c.NotNull(i, name)
	switch c.Args[i].(type) {
	case *Array, []byte:
		return c.Args[i]
	}
	Throw(ExArgument, "Object must be an array of primitives. (Parameter '%s')", name)
	return nil
}

// cloneArray copies an array: Array.Clone is a shallow copy.
func cloneArray(v Value) Value {
	if b, ok := v.([]byte); ok {
		return append([]byte(nil), b...)
	}
	a := v.(*Array)
	return &Array{T: a.T, Items: append([]Value(nil), a.Items...)}
}

// arrayRange reads (index, length) at i and i+1 of c, checked against n as
// Array's static methods check them.
func arrayRange(c Call, i, n int) (int, int) {
	at, cnt := c.Int(i), c.Int(i+1)
	if at < 0 {
		Throw(ExArgRange, "Non-negative number required. (Parameter 'index')")
	}
	if cnt < 0 {
		Throw(ExArgRange, "Non-negative number required. (Parameter 'length')")
	}
	if at+cnt > n {
		Throw(ExArgument, "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.")
	}
	return at, cnt
}

// comparison turns argument i into the order of Sort and BinarySearch: a
// Comparison<T> lambda, a StringComparer, or null for the default order.
func comparison(c Call, i int) func(a, b Value) int {
	if !c.Has(i) || c.Args[i] == nil {
		return func(a, b Value) int { return compareKeysWith(a, b, "") }
	}
	switch x := c.Args[i].(type) {
	case *Func:
		return func(a, b Value) int {
			c.Fr.Step(1)
			r, _ := AsInt64(x.Call(c.Fr, []Value{a, b}))
			return int(r)
		}
	case Enum:
		if x.T != nil && x.T.Name == "StringComparer" {
			return func(a, b Value) int { return compareKeysWith(a, b, x.Name) }
		}
	}
	Throw(ExNotSupported, "tollgate supports a Comparison<T> lambda or a StringComparer as the comparer")
	return nil
}

// sortWith sorts items by cmp; like .NET's Sort, an order that throws
// surfaces as InvalidOperationException from the comparer.
func sortWith(items []Value, cmp func(a, b Value) int) {
	sort.SliceStable(items, func(i, j int) bool { return cmp(items[i], items[j]) < 0 })
}

// binarySearch returns the index of x in the sorted items, or the bitwise
// complement of the index of the first larger element.
func binarySearch(items []Value, x Value, cmp func(a, b Value) int) int32 {
	lo, hi := 0, len(items)-1
	for lo <= hi {
		mid := lo + (hi-lo)/2
		switch r := cmp(items[mid], x); {
		case r == 0:
			return int32(mid)
		case r < 0:
			lo = mid + 1
		default:
			hi = mid - 1
		}
	}
	return int32(^lo)
}

// sameElems gives each of a lambda's nparams parameters the element type
// of the array that is the call's first argument (static Array methods).
func sameElems(_ *Type, args []*Type, _, nparams int) []*Type {
	return repeatType(firstArgElem(nil, args, nil), nparams)
}

// receiverElems gives each of a lambda's nparams parameters the element
// type of the receiver (List<T>.Sort((a, b) => ...), a key selector).
func receiverElems(recv *Type, _ []*Type, _, nparams int) []*Type {
	return repeatType(ElemType(recv), nparams)
}

func repeatType(t *Type, n int) []*Type {
	out := make([]*Type, n)
	for i := range out {
		out[i] = t
	}
	return out
}

func firstArgElem(_ *Type, args []*Type, _ []*Type) *Type {
	if len(args) > 0 && args[0] != nil {
		return ElemType(args[0])
	}
	return nil
}

func firstArg(_ *Type, args []*Type, _ []*Type) *Type {
	if len(args) > 0 {
		return args[0]
	}
	return nil
}

func (u *Lib) buildArraysMore() {
	u.arrayBase.add(
		prop("LongLength", u.Long, func(c Call) Value { return int64(arrayLen(c.This)) }),
		prop("Rank", u.Int, func(c Call) Value { return int32(1) }),
		meth("Clone", 0, 0, u.Object, func(c Call) Value { return cloneArray(c.This) }),
		meth("GetLength", 1, 1, u.Int, func(c Call) Value {
			if c.Int(0) != 0 {
				Throw(ExIndexRange, MsgIndexRange)
			}
			return int32(arrayLen(c.This))
		}),
		meth("GetValue", 1, 1, u.Object, func(c Call) Value {
			i := c.Int(0)
			if i < 0 || i >= arrayLen(c.This) {
				Throw(ExIndexRange, MsgIndexRange)
			}
			return arrayAt(c.This, i)
		}),
		meth("SetValue", 2, 2, u.Void, func(c Call) Value {
			i := c.Int(1)
			if i < 0 || i >= arrayLen(c.This) {
				Throw(ExIndexRange, MsgIndexRange)
			}
			arraySetAt(c.This, i, c.Args[0])
			return nil
		}),
		meth("CopyTo", 2, 2, u.Void, func(c Call) Value {
			dst := arrayArg(c, 0, "array")
			at, n := c.Int(1), arrayLen(c.This)
			if at < 0 || at+n > arrayLen(dst) {
				Throw(ExArgument, "Destination array was not long enough. Check the destination index, length, and the array's lower bounds. (Parameter 'destinationArray')")
			}
			for i := range n {
				arraySetAt(dst, at+i, arrayAt(c.This, i))
			}
			return nil
		}),
	)

	// indexIn is the searched range [lo, hi) of IndexOf(array, value[,
	// startIndex[, count]]).
	indexIn := func(c Call, n int) (int, int) {
		lo, hi := 0, n
		if c.Has(2) {
			lo = c.Int(2)
			if lo < 0 || lo > n {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than or equal to the size of the collection. (Parameter 'startIndex')")
			}
		}
		if c.Has(3) {
			hi = lo + c.Int(3)
			if c.Int(3) < 0 || hi > n {
				Throw(ExArgRange, "Count must be positive and count must refer to a location within the string/array/collection. (Parameter 'count')")
			}
		}
		return lo, hi
	}
	// elems are the elements of the array argument, read-only.
	elems := func(c Call) []Value {
		items, _ := Items(arrayArg(c, 0, "array"))
		return items
	}
	lambda := func(m *Member, at int) *Member {
		m.Lambda, m.LambdaParams = []int{at}, sameElems
		return m
	}
	u.arrayBase.addStatic(
		meth("IndexOf", 2, 4, u.Int, func(c Call) Value {
			items := elems(c)
			lo, hi := indexIn(c, len(items))
			for i := lo; i < hi; i++ {
				if Equals(items[i], c.Args[1]) {
					return int32(i)
				}
			}
			return int32(-1)
		}),
		meth("LastIndexOf", 2, 2, u.Int, func(c Call) Value {
			items := elems(c)
			for i := len(items) - 1; i >= 0; i-- {
				if Equals(items[i], c.Args[1]) {
					return int32(i)
				}
			}
			return int32(-1)
		}),
		lambda(&Member{Name: "FindAll", Kind: Method, Min: 2, Max: 2, ResultOf: firstArg, Fn: func(c Call) Value {
			f := fn(c, 1)
			if b, ok := arrayArg(c, 0, "array").([]byte); ok {
				var out []byte
				for _, x := range b {
					if pred(c, f, x) {
						out = append(out, x)
					}
				}
				return out
			}
			out := &Array{T: elemOf(c.Args[0])}
			for _, x := range elems(c) {
				if pred(c, f, x) {
					out.Items = append(out.Items, x)
				}
			}
			return out
		}}, 1),
		lambda(&Member{Name: "FindIndex", Kind: Method, Min: 2, Max: 2, Result: u.Int, Fn: func(c Call) Value {
			f := fn(c, 1)
			for i, x := range elems(c) {
				if pred(c, f, x) {
					return int32(i)
				}
			}
			return int32(-1)
		}}, 1),
		lambda(&Member{Name: "FindLast", Kind: Method, Min: 2, Max: 2, ResultOf: firstArgElem, Fn: func(c Call) Value {
			f, items := fn(c, 1), elems(c)
			for i := len(items) - 1; i >= 0; i-- {
				if pred(c, f, items[i]) {
					return items[i]
				}
			}
			return zeroOf(elemOf(c.Args[0]))
		}}, 1),
		lambda(&Member{Name: "TrueForAll", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Fn: func(c Call) Value {
			f := fn(c, 1)
			for _, x := range elems(c) {
				if !pred(c, f, x) {
					return false
				}
			}
			return true
		}}, 1),
		lambda(&Member{Name: "ConvertAll", Kind: Method, Min: 2, Max: 2,
			ResultOf: func(_ *Type, args []*Type, _ []*Type) *Type {
				if len(args) > 1 && args[1] != nil {
					return u.ArrayOf(args[1])
				}
				return nil
			},
			Fn: func(c Call) Value {
				f, items := fn(c, 1), elems(c)
				out := &Array{Items: make([]Value, len(items))}
				for i, x := range items {
					out.Items[i] = call1(c, f, x)
					if out.T == nil && out.Items[i] != nil {
						out.T = TypeOf(out.Items[i])
					}
				}
				return out
			}}, 1),
		meth("Reverse", 1, 3, u.Void, func(c Call) Value {
			a := arrayArg(c, 0, "array")
			at, n := 0, arrayLen(a)
			if c.Has(1) {
				at, n = arrayRange(c, 1, n)
			}
			for i, j := at, at+n-1; i < j; i, j = i+1, j-1 {
				x, y := arrayAt(a, i), arrayAt(a, j)
				arraySetAt(a, i, y)
				arraySetAt(a, j, x)
			}
			return nil
		}),
		lambda(&Member{Name: "Sort", Kind: Method, Min: 1, Max: 2, Result: u.Void, Fn: func(c Call) Value {
			a := arrayArg(c, 0, "array")
			if b, ok := a.([]byte); ok {
				sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
				return nil
			}
			sortWith(a.(*Array).Items, comparison(c, 1))
			return nil
		}}, 1),
		&Member{Name: "Resize", Kind: Method, Min: 2, Max: 2, Result: u.Void, Out: []int{0}, Fn: func(c Call) Value {
			n := c.Int(1)
			if n < 0 {
				Throw(ExArgRange, "Non-negative number required. (Parameter 'newSize')")
			}
			switch a := c.Args[0].(type) {
			case []byte:
				out := make([]byte, n)
				copy(out, a)
				c.Args[0] = out
			case *Array:
				out := &Array{T: a.T, Items: make([]Value, n)}
				z := zeroOf(a.T)
				for i := range out.Items {
					if i < len(a.Items) {
						out.Items[i] = a.Items[i]
					} else {
						out.Items[i] = z
					}
				}
				c.Args[0] = out
			default:
				c.Args[0] = &Array{T: c.TArg(0), Items: make([]Value, n)}
			}
			return nil
		}},
		meth("Clear", 1, 3, u.Void, func(c Call) Value {
			a := arrayArg(c, 0, "array")
			at, n := 0, arrayLen(a)
			if c.Has(1) {
				at, n = arrayRange(c, 1, n)
			}
			z := zeroOf(elemOf(a))
			for i := at; i < at+n; i++ {
				arraySetAt(a, i, z)
			}
			return nil
		}),
		meth("Fill", 2, 2, u.Void, func(c Call) Value {
			a := arrayArg(c, 0, "array")
			for i := range arrayLen(a) {
				arraySetAt(a, i, c.Args[1])
			}
			return nil
		}),
		meth("BinarySearch", 2, 2, u.Int, func(c Call) Value {
			return binarySearch(elems(c), c.Args[1], comparison(c, 2))
		}),
	)

	list := func(c Call) *List { return c.This.(*List) }
	u.listBase.add(
		&Member{Name: "Sort", Kind: Method, Min: 0, Max: 3, Result: u.Void, Lambda: []int{0}, LambdaParams: receiverElems, Fn: func(c Call) Value {
			items := list(c).Items
			switch len(c.Args) {
			case 0, 1:
				sortWith(items, comparison(c, 0))
			default:
				at, n := arrayRange(c, 0, len(items))
				sortWith(items[at:at+n], comparison(c, 2))
			}
			return nil
		}},
		meth("BinarySearch", 1, 4, u.Int, func(c Call) Value {
			items := list(c).Items
			switch len(c.Args) {
			case 1, 2:
				return binarySearch(items, c.Args[0], comparison(c, 1))
			case 4:
				at, n := arrayRange(c, 0, len(items))
				r := binarySearch(items[at:at+n], c.Args[2], comparison(c, 3))
				if r >= 0 {
					return r + int32(at)
				}
				return ^(^r + int32(at))
			}
			Throw(ExArgument, "BinarySearch takes an item, an item and a comparer, or an index, a count, an item and a comparer")
			return nil
		}),
		meth("Slice", 2, 2, nil, func(c Call) Value {
			l := list(c)
			at, n := arrayRange(c, 0, len(l.Items))
			return &List{T: l.T, Items: append([]Value(nil), l.Items[at:at+n]...), Cap: n}
		}),
	)
	u.listBase.Members["Slice"].ResultOf = func(t *Type, _, _ []*Type) *Type { return t }

	dict := func(c Call) *Dict { return c.This.(*Dict) }
	u.dictBase.add(
		&Member{Name: "Remove", Kind: Method, Min: 1, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			c.NotNull(0, "key")
			d := dict(c)
			if c.Has(1) {
				v, ok := d.Get(c.Args[0])
				if !ok {
					v = zeroOf(d.V)
				}
				c.Args[1] = v
			}
			return d.Remove(c.Args[0])
		}},
	)

	re := func(c Call) *Regex { return c.This.(*Regex) }
	u.Regex.add(
		meth("GetGroupNames", 0, 0, u.ArrayOf(u.String), func(c Call) Value { return StringArray(re(c).Re.GetGroupNames()) }),
		meth("GetGroupNumbers", 0, 0, u.ArrayOf(u.Int), func(c Call) Value {
			nums := re(c).Re.GetGroupNumbers()
			out := &Array{T: u.Int, Items: make([]Value, len(nums))}
			for i, n := range nums {
				out.Items[i] = int32(n)
			}
			return out
		}),
		meth("GroupNameFromNumber", 1, 1, u.String, func(c Call) Value { return re(c).Re.GroupNameFromNumber(c.Int(0)) }),
		meth("GroupNumberFromName", 1, 1, u.Int, func(c Call) Value {
			c.NotNull(0, "name")
			return int32(re(c).Re.GroupNumberFromName(ToString(c.Args[0])))
		}),
	)
}
