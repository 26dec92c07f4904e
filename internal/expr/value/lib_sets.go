package value

import (
	"sort"
	"strings"
)

// newHashSet is new HashSet<T>(...): from nothing, a capacity (sizing
// its entries, see dictSize) or a collection, each with or without an
// IEqualityComparer<T> (a StringComparer, or a default comparer).
func (u *Lib) newHashSet(c Call) Value {
	l := &List{T: c.TArg(0), Set: true}
	var src Value
	for i, a := range c.Args {
		switch x := a.(type) {
		case nil:
			if i == 0 {
				Throw(ExArgNull, "Value cannot be null. (Parameter 'collection')")
			}
			// a null comparer is the default one
		case int32:
			if x < 0 {
				Throw(ExArgRange, "Non-negative number required. (Parameter 'capacity')")
			}
			l.size.presize(int(x))
		case Enum:
			if x.T == nil || x.T.Name != "StringComparer" {
				Throw(ExNotSupported, "tollgate supports only StringComparer values as comparers")
			}
			l.Comparer = x
		case DefaultComparer:
		case JTokenComparer, XNodeComparer:
			Throw(ExNotSupported, "tollgate supports only StringComparer values as comparers")
		default:
			src = x
		}
	}
	if src == nil {
		return l
	}
	// a set with the same comparer is copied entries and all when the
	// copy would not be smaller (HashSet.ConstructFrom)
	if o, ok := src.(*List); ok && o.Set && o.Comparer == l.Comparer && len(o.Items) > 0 {
		o.syncSlots()
		if expandPrime(len(o.Items)+1) >= o.size.cap {
			l.Items = append([]Value(nil), o.Items...)
			l.slots = append([]int(nil), o.slots...)
			l.free = append([]int(nil), o.free...)
			l.size = o.size
			for _, x := range l.Items {
				l.index(x, 1)
			}
			return l
		}
	}
	if n, ok := collectionCount(src); ok && n > 0 {
		l.size.presize(n)
	}
	items, _ := Items(src)
	for _, x := range items {
		l.setAdd(x)
	}
	// entries three times more than the items are trimmed
	if n := len(l.Items); n > 0 && l.size.cap/n > 3 {
		l.size.trim(n)
	}
	return l
}

// setKey returns the key under which the set's comparer hashes v: the
// string (upper-cased by a comparer that ignores case) or the value of a
// primitive; other values have none and are compared one by one.
func (l *List) setKey(v Value) (Value, bool) {
	switch x := v.(type) {
	case string:
		if strings.HasSuffix(l.Comparer.Name, "IgnoreCase") {
			return strings.ToUpper(x), true
		}
		return x, true
	case int32, int64, bool, Char, uint8, Guid, nil:
		return x, true
	}
	return nil, false
}

// setEqual compares two items as the set's comparer does.
func (l *List) setEqual(a, b Value) bool {
	ka, ok1 := l.setKey(a)
	kb, ok2 := l.setKey(b)
	if ok1 && ok2 {
		return ka == kb
	}
	return Equals(a, b)
}

// setIndex returns the index of the item equal to v, or -1.
func (l *List) setIndex(v Value) int {
	if !l.setHas(v) {
		return -1
	}
	for i, x := range l.Items {
		if l.setEqual(x, v) {
			return i
		}
	}
	return -1
}

// setHas reports whether the set has an item equal to v.
func (l *List) setHas(v Value) bool {
	l.syncSlots()
	return l.has(v)
}

// has is setHas on a set whose slots are in step with its items.
func (l *List) has(v Value) bool {
	if k, ok := l.setKey(v); ok {
		return l.keys[k] > 0
	}
	for _, x := range l.Items {
		if l.setEqual(x, v) {
			return true
		}
	}
	return false
}

// index counts v in keys (by -1 when it goes).
func (l *List) index(v Value, n int) {
	if k, ok := l.setKey(v); ok {
		if l.keys == nil {
			l.keys = map[Value]int{}
		}
		l.keys[k] += n
	}
}

// distinct returns the items as a set with l's comparer.
func (l *List) distinct(items []Value) *List {
	o := &List{T: l.T, Set: true, Comparer: l.Comparer}
	for _, x := range items {
		o.setAdd(x)
	}
	return o
}

// A HashSet<T> keeps its items in an array of entries: a removal frees
// its entry, and the next add takes the entry freed last (else a new one
// at the end); enumeration goes through the entries in order. The items
// of a set List are in entry order, slots holding their entries and free
// the freed ones, so that enumeration after removals and adds follows
// .NET.

// syncSlots gives the items entries 0, 1, ... when the slots do not
// describe them (a set built, or changed, by other members).
func (l *List) syncSlots() {
	if len(l.slots) == len(l.Items) && l.size.slots == len(l.slots)+len(l.free) {
		return
	}
	l.slots, l.free, l.keys = make([]int, len(l.Items)), nil, nil
	for i, x := range l.Items {
		l.slots[i] = i
		l.index(x, 1)
	}
	l.size.slots, l.size.free = len(l.Items), 0
	if l.size.cap < len(l.Items) {
		l.size.cap = hashPrime(len(l.Items))
	}
}

// setAdd adds x unless the set has it, and reports whether it added.
func (l *List) setAdd(x Value) bool {
	if l.setHas(x) {
		return false
	}
	l.size.insert()
	l.index(x, 1)
	if n := len(l.free); n > 0 {
		e := l.free[n-1]
		l.free = l.free[:n-1]
		p := sort.SearchInts(l.slots, e)
		items := make([]Value, 0, len(l.Items)+1)
		items = append(append(append(items, l.Items[:p]...), x), l.Items[p:]...)
		slots := make([]int, 0, len(l.slots)+1)
		slots = append(append(append(slots, l.slots[:p]...), e), l.slots[p:]...)
		l.Items, l.slots = items, slots
		return true
	}
	l.slots = append(l.slots, len(l.slots)+len(l.free))
	l.Items = append(l.Items, x)
	return true
}

// setRemove removes the item equal to x, and reports whether there was
// one.
func (l *List) setRemove(x Value) bool {
	i := l.setIndex(x)
	if i < 0 {
		return false
	}
	l.size.remove()
	l.index(l.Items[i], -1)
	l.free = append(l.free, l.slots[i])
	l.Items = append(l.Items[:i:i], l.Items[i+1:]...)
	l.slots = append(l.slots[:i:i], l.slots[i+1:]...)
	return true
}

// setAddAll adds the items of xs (distinct by the set's comparer) that
// the set has not, in order, each taking an entry as Add does, in one
// pass; it returns the items the set had.
func (l *List) setAddAll(xs []Value) (had []Value) {
	l.syncSlots()
	type add struct {
		slot int
		x    Value
	}
	var adds []add
	next := len(l.slots) + len(l.free)
	for _, x := range xs {
		if l.has(x) {
			had = append(had, x)
			continue
		}
		l.size.insert()
		l.index(x, 1)
		e := next
		if n := len(l.free); n > 0 {
			e, l.free = l.free[n-1], l.free[:n-1]
		} else {
			next++
		}
		adds = append(adds, add{e, x})
	}
	if len(adds) == 0 {
		return had
	}
	sort.Slice(adds, func(i, j int) bool { return adds[i].slot < adds[j].slot })
	items := make([]Value, 0, len(l.Items)+len(adds))
	slots := make([]int, 0, cap(items))
	i := 0
	for _, a := range adds {
		for ; i < len(l.slots) && l.slots[i] < a.slot; i++ {
			items, slots = append(items, l.Items[i]), append(slots, l.slots[i])
		}
		items, slots = append(items, a.x), append(slots, a.slot)
	}
	items, slots = append(items, l.Items[i:]...), append(slots, l.slots[i:]...)
	l.Items, l.slots = items, slots
	return had
}

// setRemoveAt removes the items at the indexes given, freeing their
// entries in that order, in one pass.
func (l *List) setRemoveAt(order []int) {
	if len(order) == 0 {
		return
	}
	l.syncSlots()
	gone := make(map[int]bool, len(order))
	for _, i := range order {
		gone[i] = true
		l.size.remove()
		l.index(l.Items[i], -1)
		l.free = append(l.free, l.slots[i])
	}
	items := make([]Value, 0, len(l.Items)-len(order))
	slots := make([]int, 0, len(items))
	for i, x := range l.Items {
		if !gone[i] {
			items = append(items, x)
			slots = append(slots, l.slots[i])
		}
	}
	l.Items, l.slots = items, slots
}

// setRemoveIf removes, in entry order, the items drop is true of, and
// returns how many.
func (l *List) setRemoveIf(drop func(x Value) bool) int {
	var order []int
	for i, x := range append([]Value(nil), l.Items...) {
		if drop(x) {
			order = append(order, i)
		}
	}
	l.setRemoveAt(order)
	return len(order)
}

// setClear empties the set and its entries, keeping their number.
func (l *List) setClear() {
	l.Items, l.slots, l.free, l.keys = nil, nil, nil, nil
	l.size.clear()
}

// setTrim is HashSet.TrimExcess(capacity): when GetPrime(capacity)
// entries are fewer than the set has, it keeps that many, its items
// compacted into the first ones.
func (l *List) setTrim(capacity int) {
	if n := hashPrime(capacity); n < l.size.cap {
		l.size = dictSize{cap: n, slots: len(l.Items)}
		l.slots, l.free = nil, nil
	}
}

// buildSets adds the members of HashSet<T> that List<T> does not give it:
// its comparer, and the set operations (UnionWith, IntersectWith,
// IsSubsetOf, ...), Add, Remove, Clear, Contains and TryGetValue, which
// compare items with the set's comparer and reuse freed entries as .NET
// does.
func (u *Lib) buildSets() {
	hs := u.Types["HashSet"]
	set := func(c Call) *List { return c.This.(*List) }
	// other returns the items of the argument, which must not be null, as
	// a set with the set's comparer.
	other := func(c Call) *List {
		c.NotNull(0, "other")
		items, _ := Items(c.Args[0])
		return set(c).distinct(items)
	}
	// counts returns how many items of the set are in other, and whether
	// other has an item the set has not.
	counts := func(c Call) (in int, extra bool) {
		s := set(c)
		for _, x := range other(c).Items {
			if s.setHas(x) {
				in++
			} else {
				extra = true
			}
		}
		return in, extra
	}
	// sameSet reports whether the argument is the set itself.
	sameSet := func(c Call) bool { o, ok := c.Args[0].(*List); return ok && o == set(c) }
	hs.add(
		meth("UnionWith", 1, 1, u.Void, func(c Call) Value {
			set(c).setAddAll(other(c).Items)
			return nil
		}),
		// IntersectWith removes, in entry order, the items other has not;
		// an empty collection clears the set.
		meth("IntersectWith", 1, 1, u.Void, func(c Call) Value {
			s, o := set(c), other(c)
			if len(s.Items) == 0 || sameSet(c) {
				return nil
			}
			if n, ok := collectionCount(c.Args[0]); ok && n == 0 {
				s.setClear()
				return nil
			}
			s.setRemoveIf(func(x Value) bool { return !o.setHas(x) })
			return nil
		}),
		// ExceptWith removes the items of other, in other's order.
		meth("ExceptWith", 1, 1, u.Void, func(c Call) Value {
			s, o := set(c), other(c)
			if len(s.Items) == 0 {
				return nil
			}
			if sameSet(c) {
				s.setClear()
				return nil
			}
			// the items go in other's order: find each one's index once
			at := map[Value]int{}
			for i, x := range s.Items {
				if k, ok := s.setKey(x); ok {
					at[k] = i
				}
			}
			var order []int
			for _, x := range o.Items {
				if k, ok := s.setKey(x); ok {
					if i, found := at[k]; found {
						order = append(order, i)
					}
				} else if i := s.setIndex(x); i >= 0 {
					order = append(order, i)
				}
			}
			s.setRemoveAt(order)
			return nil
		}),
		// SymmetricExceptWith, from another set with the same comparer,
		// removes or adds each of its items in turn; from any other
		// sequence, it adds the new items first, then removes the common
		// ones in entry order.
		meth("SymmetricExceptWith", 1, 1, u.Void, func(c Call) Value {
			s, o := set(c), other(c)
			if len(s.Items) == 0 {
				s.setAddAll(o.Items)
				return nil
			}
			if sameSet(c) {
				s.setClear()
				return nil
			}
			if os, ok := c.Args[0].(*List); ok && os.Set && os.Comparer == s.Comparer {
				for _, x := range o.Items {
					if !s.setRemove(x) {
						s.setAdd(x)
					}
				}
				return nil
			}
			common := s.distinct(s.setAddAll(o.Items))
			s.setRemoveIf(common.setHas)
			return nil
		}),
		meth("IsSubsetOf", 1, 1, u.Bool, func(c Call) Value {
			in, _ := counts(c)
			return in == len(set(c).Items)
		}),
		meth("IsProperSubsetOf", 1, 1, u.Bool, func(c Call) Value {
			in, extra := counts(c)
			return in == len(set(c).Items) && extra
		}),
		meth("IsSupersetOf", 1, 1, u.Bool, func(c Call) Value {
			_, extra := counts(c)
			return !extra
		}),
		meth("IsProperSupersetOf", 1, 1, u.Bool, func(c Call) Value {
			in, extra := counts(c)
			return !extra && in < len(set(c).Items)
		}),
		meth("Overlaps", 1, 1, u.Bool, func(c Call) Value {
			in, _ := counts(c)
			return in > 0
		}),
		meth("SetEquals", 1, 1, u.Bool, func(c Call) Value {
			in, extra := counts(c)
			return !extra && in == len(set(c).Items)
		}),
		&Member{Name: "RemoveWhere", Kind: Method, Min: 1, Max: 1, Result: u.Int, Lambda: []int{0}, Fn: func(c Call) Value {
			c.NotNull(0, "match")
			f := fn(c, 0)
			s := set(c)
			return int32(s.setRemoveIf(func(x Value) bool { return pred(c, f, x) }))
		}},
		meth("CopyTo", 1, 3, u.Void, func(c Call) Value {
			c.NotNull(0, "array")
			dst, ok := c.Args[0].(*Array)
			if !ok {
				ThrowCast(c.Args[0], "System.Array")
			}
			// count is checked against the room in the array before it is
			// cut to the set's count, as .NET does
			src := set(c).Items
			di, n := 0, len(src)
			if c.Has(1) {
				di = c.Int(1)
			}
			if c.Has(2) {
				n = c.Int(2)
			}
			if di < 0 {
				Throw(ExArgRange, "arrayIndex ('%d') must be a non-negative value. (Parameter 'arrayIndex')\nActual value was %d.", di, di)
			}
			if n < 0 {
				Throw(ExArgRange, "count ('%d') must be a non-negative value. (Parameter 'count')\nActual value was %d.", n, n)
			}
			if di > len(dst.Items) || n > len(dst.Items)-di {
				Throw(ExArgument, "Destination array is not long enough to copy all the items in the collection. Check array index and length.")
			}
			n = min(n, len(src))
			copy(dst.Items[di:di+n], src[:n])
			return nil
		}),
		trimExcessTo(u.Void),
		meth("Add", 1, 1, u.Bool, func(c Call) Value { return set(c).setAdd(c.Args[0]) }),
		meth("Remove", 1, 1, u.Bool, func(c Call) Value { return set(c).setRemove(c.Args[0]) }),
		meth("Clear", 0, 0, u.Void, func(c Call) Value { set(c).setClear(); return nil }),
		meth("Contains", 1, 1, u.Bool, func(c Call) Value { return set(c).setHas(c.Args[0]) }),
		// TryGetValue finds the set's own item equal to the value.
		&Member{Name: "TryGetValue", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			s := set(c)
			if i := s.setIndex(c.Args[0]); i >= 0 {
				c.Args[1] = s.Items[i]
				return true
			}
			c.Args[1] = zeroOf(s.T)
			return false
		}},
		// Comparer is the StringComparer the set was built with, or
		// EqualityComparer<T>.Default (see Dictionary.Comparer).
		prop("Comparer", u.equalityComparer, func(c Call) Value {
			s := set(c)
			if s.Comparer.T != nil {
				return s.Comparer
			}
			k := s.T
			if k == nil && len(s.Items) > 0 {
				k = TypeOf(s.Items[0])
			}
			return DefaultComparer{K: k}
		}),
	)
	// adding the items of another collection counts against the memory
	// budget as List.AddRange does
	grows := func(c Call) int64 {
		it, _ := Items(c.Arg(0))
		return int64(len(it)) * slotBytes
	}
	charge(hs.Members["UnionWith"], grows)
	charge(hs.Members["SymmetricExceptWith"], grows)
}

// trimExcessTo is TrimExcess() and TrimExcess(int capacity) of HashSet<T>,
// Queue<T> and Stack<T>: a set keeps GetPrime(capacity) entries when
// fewer, a queue or stack exactly capacity elements.
func trimExcessTo(void *Type) *Member {
	return meth("TrimExcess", 0, 1, void, func(c Call) Value {
		l := c.This.(*List)
		if !c.Has(0) {
			if l.Set {
				l.syncSlots()
				l.setTrim(len(l.Items))
				return nil
			}
			l.trimExcess()
			return nil
		}
		n := c.Int(0)
		if n < 0 {
			Throw(ExArgRange, "capacity ('%d') must be a non-negative value. (Parameter 'capacity')\nActual value was %d.", n, n)
		}
		if n < len(l.Items) {
			Throw(ExArgRange, "capacity ('%d') must be greater than or equal to '%d'. (Parameter 'capacity')\nActual value was %d.", n, len(l.Items), n)
		}
		if l.Set {
			l.syncSlots()
			l.setTrim(n)
			return nil
		}
		l.Cap = n // a queue's or stack's array takes exactly n
		return nil
	})
}
