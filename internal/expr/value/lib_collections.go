package value

import (
	"fmt"
	"time"
)

func asTime(v Value) (time.Time, bool) {
	t, ok := v.(time.Time)
	return t, ok
}

// addRange appends the elements of src to l, growing its capacity as
// List<T>.AddRange does: at once for a collection, one Add at a time for
// any other sequence.
func addRange(l *List, src Value) {
	items, _ := Items(src)
	if n, ok := collectionCount(src); ok {
		l.Grow(len(l.Items) + n)
	} else {
		l.GrowEach(len(l.Items) + len(items))
	}
	l.Items = append(l.Items, items...)
}

func keyNotFound(k Value) {
	panic(&Exception{Type: ExKeyNotFound, Message: fmt.Sprintf("The given key '%s' was not present in the dictionary.", ToString(k)), Pos: -1, End: -1})
}

func (u *Lib) buildCollections() {
	idxCheck := func(i, n int) {
		if i < 0 || i >= n {
			Throw(ExIndexRange, MsgIndexRange)
		}
	}
	u.arrayBase.add(
		prop("Length", u.Int, func(c Call) Value {
			if b, ok := c.This.([]byte); ok {
				return int32(len(b))
			}
			return int32(len(c.This.(*Array).Items))
		}),
		&Member{Name: "[]", Kind: Property, Get: func(c Call) Value {
			i := c.Int(0)
			if b, ok := c.This.([]byte); ok {
				idxCheck(i, len(b))
				return b[i]
			}
			a := c.This.(*Array)
			idxCheck(i, len(a.Items))
			return a.Items[i]
		}, Set: func(c Call, v Value) {
			i := c.Int(0)
			if b, ok := c.This.([]byte); ok {
				idxCheck(i, len(b))
				n, _ := AsInt64(v)
				b[i] = byte(n)
				return
			}
			a := c.This.(*Array)
			idxCheck(i, len(a.Items))
			a.Items[i] = v
		}, ResultOf: func(t *Type, _, _ []*Type) *Type { return t.Elem }},
	)
	u.arrayBase.addStatic(
		meth("Empty", 0, 0, nil, func(c Call) Value { return &Array{T: c.TArg(0)} }),
		&Member{Name: "Exists", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Lambda: []int{1}, Fn: func(c Call) Value {
			items, _ := Items(c.Args[0])
			f := fn(c, 1)
			for _, x := range items {
				if pred(c, f, x) {
					return true
				}
			}
			return false
		}},
		&Member{Name: "Find", Kind: Method, Min: 2, Max: 2, Lambda: []int{1}, Fn: func(c Call) Value {
			items, _ := Items(c.Args[0])
			f := fn(c, 1)
			for _, x := range items {
				if pred(c, f, x) {
					return x
				}
			}
			return zeroOf(elemOf(c.Args[0]))
		}},
		meth("Copy", 3, 5, u.Void, func(c Call) Value {
			var src, dst Value
			si, di, n := 0, 0, 0
			if len(c.Args) == 3 {
				src, dst, n = c.Args[0], c.Args[1], c.Int(2)
			} else {
				src, si, dst, di, n = c.Args[0], c.Int(1), c.Args[2], c.Int(3), c.Int(4)
			}
			if sb, ok := src.([]byte); ok {
				if db, ok := dst.([]byte); ok {
					if si < 0 || di < 0 || n < 0 || si+n > len(sb) || di+n > len(db) {
						Throw(ExArgument, "Source array was not long enough. Check the source index, length, and the array's lower bounds. (Parameter 'sourceArray')")
					}
					copy(db[di:di+n], sb[si:si+n])
					return nil
				}
			}
			sa, ok1 := src.(*Array)
			da, ok2 := dst.(*Array)
			if !ok1 || !ok2 {
				Throw(ExArgument, "Array.Copy needs two arrays of the same kind.")
			}
			if si < 0 || di < 0 || n < 0 || si+n > len(sa.Items) || di+n > len(da.Items) {
				Throw(ExArgument, "Source array was not long enough. Check the source index, length, and the array's lower bounds. (Parameter 'sourceArray')")
			}
			copy(da.Items[di:di+n], sa.Items[si:si+n])
			return nil
		}),
	)
	u.listBase.add(
		prop("Count", u.Int, func(c Call) Value { return int32(len(c.This.(*List).Items)) }),
		&Member{Name: "[]", Kind: Property, Get: func(c Call) Value {
			l := c.This.(*List)
			i := c.Int(0)
			if i < 0 || i >= len(l.Items) {
				Throw(ExArgRange, MsgArgRangeIndex)
			}
			return l.Items[i]
		}, Set: func(c Call, v Value) {
			l := c.This.(*List)
			i := c.Int(0)
			if i < 0 || i >= len(l.Items) {
				Throw(ExArgRange, MsgArgRangeIndex)
			}
			l.Items[i] = v
		}, ResultOf: func(t *Type, _, _ []*Type) *Type { return t.Elem }},
		meth("Add", 1, 1, nil, func(c Call) Value {
			l := c.This.(*List)
			if l.Set {
				for _, e := range l.Items {
					if Equals(e, c.Args[0]) {
						return false
					}
				}
				l.Items = append(l.Items, c.Args[0])
				return true
			}
			if n := len(l.Items); n >= l.Cap {
				l.Grow(n + 1)
			}
			l.Items = append(l.Items, c.Args[0])
			return nil
		}),
		meth("AddRange", 1, 1, u.Void, func(c Call) Value {
			l := c.This.(*List)
			c.NotNull(0, "collection")
			addRange(l, c.Args[0])
			return nil
		}),
		meth("Insert", 2, 2, u.Void, func(c Call) Value {
			l := c.This.(*List)
			i := c.Int(0)
			if i < 0 || i > len(l.Items) {
				Throw(ExArgRange, MsgArgRangeIndex)
			}
			l.Grow(len(l.Items) + 1)
			l.Items = append(l.Items[:i], append([]Value{c.Args[1]}, l.Items[i:]...)...)
			return nil
		}),
		meth("Remove", 1, 1, u.Bool, func(c Call) Value {
			l := c.This.(*List)
			for i, e := range l.Items {
				if Equals(e, c.Args[0]) {
					l.Items = append(l.Items[:i], l.Items[i+1:]...)
					return true
				}
			}
			return false
		}),
		meth("RemoveAt", 1, 1, u.Void, func(c Call) Value {
			l := c.This.(*List)
			i := c.Int(0)
			if i < 0 || i >= len(l.Items) {
				Throw(ExArgRange, MsgArgRangeIndex)
			}
			l.Items = append(l.Items[:i], l.Items[i+1:]...)
			return nil
		}),
		meth("Clear", 0, 0, u.Void, func(c Call) Value {
			l := c.This.(*List)
			l.Cap = l.Capacity() // Clear keeps the capacity
			l.Items = nil
			return nil
		}),
		meth("IndexOf", 1, 1, u.Int, func(c Call) Value {
			for i, e := range c.This.(*List).Items {
				if Equals(e, c.Args[0]) {
					return int32(i)
				}
			}
			return int32(-1)
		}),
		meth("Reverse", 0, 0, u.Void, func(c Call) Value {
			it := c.This.(*List).Items
			for i, j := 0, len(it)-1; i < j; i, j = i+1, j-1 {
				it[i], it[j] = it[j], it[i]
			}
			return nil
		}),
	)
	u.listBase.New = func(c Call) Value {
		l := &List{T: c.TArg(0)}
		if len(c.Args) == 1 {
			switch x := c.Args[0].(type) {
			case int32:
				if x < 0 {
					Throw(ExArgRange, "Non-negative number required. (Parameter 'capacity')")
				}
				l.SetCapacity(int(x))
			case nil:
				Throw(ExArgNull, "Value cannot be null. (Parameter 'collection')")
			default:
				if n, ok := collectionCount(x); ok {
					// a collection is copied into an array of its exact size
					items, _ := Items(x)
					l.Items, l.Cap = append([]Value(nil), items...), n
				} else {
					addRange(l, x)
				}
			}
		}
		return l
	}
	d := u.dictBase
	dict := func(c Call) *Dict { return c.This.(*Dict) }
	d.add(
		prop("Count", u.Int, func(c Call) Value { return int32(len(dict(c).Keys)) }),
		prop("Keys", nil, func(c Call) Value {
			return &Seq{T: dict(c).K, Items: append([]Value(nil), dict(c).Keys...), Counted: true}
		}),
		prop("Values", nil, func(c Call) Value {
			return &Seq{T: dict(c).V, Items: append([]Value(nil), dict(c).Vals...), Counted: true}
		}),
		&Member{Name: "[]", Kind: Property, Get: func(c Call) Value {
			c.NotNull(0, "key")
			v, ok := dict(c).Get(c.Args[0])
			if !ok {
				keyNotFound(c.Args[0])
			}
			return v
		}, Set: func(c Call, v Value) {
			c.NotNull(0, "key")
			dict(c).Set(c.Args[0], v)
		}, ResultOf: func(t *Type, _, _ []*Type) *Type { return t.Val }},
		meth("Add", 2, 2, u.Void, func(c Call) Value {
			c.NotNull(0, "key")
			if _, ok := dict(c).Get(c.Args[0]); ok {
				Throw(ExArgument, "An item with the same key has already been added. Key: %s", ToString(c.Args[0]))
			}
			dict(c).Set(c.Args[0], c.Args[1])
			return nil
		}),
		meth("TryAdd", 2, 2, u.Bool, func(c Call) Value {
			c.NotNull(0, "key")
			if _, ok := dict(c).Get(c.Args[0]); ok {
				return false
			}
			dict(c).Set(c.Args[0], c.Args[1])
			return true
		}),
		meth("ContainsKey", 1, 1, u.Bool, func(c Call) Value { c.NotNull(0, "key"); _, ok := dict(c).Get(c.Args[0]); return ok }),
		meth("ContainsValue", 1, 1, u.Bool, func(c Call) Value {
			for _, v := range dict(c).Vals {
				if Equals(v, c.Args[0]) {
					return true
				}
			}
			return false
		}),
		meth("Clear", 0, 0, u.Void, func(c Call) Value { dict(c).Clear(); return nil }),
		&Member{Name: "TryGetValue", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			c.NotNull(0, "key")
			v, ok := dict(c).Get(c.Args[0])
			c.Args[1] = v
			return ok
		}},
		meth("GetValueOrDefault", 1, 2, nil, func(c Call) Value {
			v, ok := dict(c).Get(c.Args[0])
			if !ok && c.Has(1) {
				return c.Args[1]
			}
			return v
		}),
	)
	d.Members["GetValueOrDefault"].ResultOf = func(t *Type, _, _ []*Type) *Type { return t.Val }
	d.New = func(c Call) Value {
		dd := NewDict(c.TArg(0), c.TArg(1))
		for _, a := range c.Args {
			switch x := a.(type) {
			case Enum:
				dd.SetComparer(x)
			case *Dict:
				for i, k := range x.Keys {
					dd.Set(k, x.Vals[i])
				}
			}
		}
		return dd
	}
	u.KeyValue.add(
		prop("Key", nil, func(c Call) Value { return c.This.(KeyValue).Key }),
		prop("Value", nil, func(c Call) Value { return c.This.(KeyValue).Value }),
	)
	hs := &Type{Name: "HashSet", FullName: "System.Collections.Generic.HashSet`1", Base: u.listBase, Generic: "List"}
	hs.New = func(c Call) Value { return u.newHashSet(c) } // lib_sets.go
	u.Types["HashSet"] = hs
	u.Types["ISet"] = hs
}
