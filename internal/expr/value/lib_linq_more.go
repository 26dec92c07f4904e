package value

import (
	"sort"
	"strings"
)

// valueSet holds distinct values by Equals (or by a StringComparer that
// ignores case); strings and integers are hashed, other values compared
// one by one, each comparison counted against the step budget.
type valueSet struct {
	fr     *Frame
	ignore bool
	m      map[Value]struct{}
	rest   []Value
}

func newValueSet(fr *Frame, ignore bool) *valueSet {
	return &valueSet{fr: fr, ignore: ignore, m: map[Value]struct{}{}}
}

func (s *valueSet) key(v Value) (Value, bool) {
	switch x := v.(type) {
	case string:
		if s.ignore {
			return strings.ToUpper(x), true
		}
		return x, true
	case int32, int64, bool, Char, uint8, Guid, nil:
		return x, true
	}
	return nil, false
}

// add adds v and reports whether it was not there yet.
func (s *valueSet) add(v Value) bool {
	if s.has(v) {
		return false
	}
	if k, ok := s.key(v); ok {
		s.m[k] = struct{}{}
	} else {
		s.rest = append(s.rest, v)
	}
	return true
}

func (s *valueSet) has(v Value) bool {
	if k, ok := s.key(v); ok {
		_, found := s.m[k]
		return found
	}
	if s.fr != nil {
		s.fr.Step(int64(len(s.rest)))
	}
	for _, y := range s.rest {
		if Equals(v, y) {
			return true
		}
	}
	return false
}

// comparerIgnoresCase reports whether argument i is a StringComparer that
// ignores case (see comparerArg).
func comparerIgnoresCase(c Call, i int) bool {
	return strings.HasSuffix(comparerArg(c, i).Name, "IgnoreCase")
}

// comparerArg returns the StringComparer passed as argument i, or an Enum
// without a name for the default comparer (null, a missing argument or a
// dictionary's default Comparer); any other comparer is not supported.
func comparerArg(c Call, i int) Enum {
	if !c.Has(i) || c.Args[i] == nil {
		return Enum{}
	}
	switch e := c.Args[i].(type) {
	case DefaultComparer:
		return Enum{}
	case Enum:
		if e.T != nil && e.T.Name == "StringComparer" {
			return e
		}
	}
	Throw(ExNotSupported, "tollgate supports only StringComparer values as comparers")
	return Enum{}
}

// isComparer reports whether argument i is a comparer (not a lambda).
func isComparer(c Call, i int) bool {
	if !c.Has(i) {
		return false
	}
	_, isFn := c.Args[i].(*Func)
	return !isFn
}

func (u *Lib) seq(t *Type, items []Value) *Seq { return &Seq{T: t, Items: items} }

func indexed(c Call, f *Func, x Value, i int) Value {
	c.Fr.Step(1)
	if f.NParams == 2 {
		return f.Call(c.Fr, []Value{x, int32(i)})
	}
	return f.Call(c.Fr, []Value{x})
}

func truthy(v Value) bool { b, ok := v.(bool); return ok && b }

// GroupingOf returns the type IGrouping<K,T>.
func (u *Lib) GroupingOf(k, el *Type) *Type {
	base := u.Types["IGrouping"]
	if k == nil && el == nil {
		return base
	}
	return u.generic("G:"+typeKey(k)+","+typeKey(el), func() *Type {
		t := &Type{Name: "IGrouping<" + nameOf(k) + "," + nameOf(el) + ">", FullName: "System.Linq.IGrouping`2", Base: base, Elem: el, Key: k, Generic: "IGrouping"}
		t.add(prop("Key", k, func(c Call) Value { return c.This.(*Grouping).Key }))
		t.Is = func(v Value) bool { _, ok := v.(*Grouping); return ok }
		return t
	})
}

// LookupOf returns the type ILookup<K,T>.
func (u *Lib) LookupOf(k, el *Type) *Type {
	return u.generic("K:"+typeKey(k)+","+typeKey(el), func() *Type {
		t := &Type{Name: "ILookup<" + nameOf(k) + "," + nameOf(el) + ">", FullName: "System.Linq.ILookup`2", Base: u.Types["ILookup"], Elem: u.GroupingOf(k, el), Key: k, Val: u.SeqOf(el), Generic: "ILookup"}
		t.Is = func(v Value) bool { _, ok := v.(*Lookup); return ok }
		return t
	})
}

func nameOf(t *Type) string {
	if t == nil {
		return "object"
	}
	return t.Name
}

// Lookup is an ILookup<K,T>: groupings in first-seen order, by key.
type Lookup struct {
	Groups []*Grouping
	ignore bool
}

// DotnetType implements Typed.
func (l *Lookup) DotnetType(u *Lib) *Type { return u.Types["ILookup"] }

// Each implements Enumerable.
func (l *Lookup) Each(f func(Value) bool) {
	for _, g := range l.Groups {
		if !f(g) {
			return
		}
	}
}

func (l *Lookup) find(k Value) *Grouping {
	for _, g := range l.Groups {
		if Equals(g.Key, k) {
			return g
		}
		if l.ignore {
			if a, ok := g.Key.(string); ok {
				if b, ok := k.(string); ok && strings.EqualFold(a, b) {
					return g
				}
			}
		}
	}
	return nil
}

// group groups the items by key (and element selector), keeping the first
// appearance order of the keys, as GroupBy and ToLookup do.
func group(c Call, key, elem *Func, ignore bool) []*Grouping {
	var out []*Grouping
	idx := map[Value]*Grouping{}
	var slow []*Grouping
	set := newValueSet(c.Fr, ignore)
	for _, x := range items(c) {
		k := call1(c, key, x)
		v := x
		if elem != nil {
			v = call1(c, elem, x)
		}
		var g *Grouping
		hk, hashable := set.key(k)
		if hashable {
			g = idx[hk]
		} else {
			c.Fr.Step(int64(len(slow)))
			for _, s := range slow {
				if Equals(s.Key, k) {
					g = s
					break
				}
			}
		}
		if g == nil {
			g = &Grouping{Key: k}
			out = append(out, g)
			if hashable {
				idx[hk] = g
			} else {
				slow = append(slow, g)
			}
		}
		g.Items = append(g.Items, v)
	}
	return out
}

func (u *Lib) buildLinqMore() {
	e := u.Enumerable
	ilookup := &Type{Name: "ILookup", FullName: "System.Linq.ILookup`2", Base: e, Generic: "ILookup"}
	u.Types["ILookup"] = ilookup
	ilookup.add(
		prop("Count", u.Int, func(c Call) Value { return int32(len(c.This.(*Lookup).Groups)) }),
		meth("Contains", 1, 1, u.Bool, func(c Call) Value { return c.This.(*Lookup).find(c.Arg(0)) != nil }),
		&Member{Name: "[]", Kind: Property, Get: func(c Call) Value {
			if g := c.This.(*Lookup).find(c.Arg(0)); g != nil {
				return &Seq{Items: g.Items}
			}
			return &Seq{}
		}, ResultOf: func(t *Type, _, _ []*Type) *Type {
			if t != nil && t.Val != nil {
				return t.Val
			}
			return u.SeqOf(nil)
		}},
	)
	grouping := u.Types["IGrouping"]
	grouping.Open = false
	grouping.Generic = "IGrouping"
	elemT := func(t *Type) *Type { return ElemType(t) }
	seqOfElem := func(t *Type, _, _ []*Type) *Type { return u.SeqOf(elemT(t)) }
	sameAsReceiver := func(recv *Type, args []*Type, i, n int) []*Type {
		if n == 2 {
			return []*Type{elemT(recv), u.Int}
		}
		return []*Type{elemT(recv)}
	}
	lam := func(m *Member, pos []int, params func(recv *Type, args []*Type, i, n int) []*Type, res func(t *Type, a, ta []*Type) *Type) *Member {
		m.Lambda, m.LambdaParams, m.ResultOf = pos, params, res
		return m
	}
	// argElem is the element type of argument i (a second sequence).
	argElem := func(a []*Type, i int) *Type {
		if i < len(a) {
			return elemT(a[i])
		}
		return nil
	}
	e.add(
		lam(meth("Append", 1, 1, nil, func(c Call) Value {
			it := items(c)
			out := make([]Value, len(it), len(it)+1)
			copy(out, it)
			return u.seq(elemOf(c.This), append(out, c.Args[0]))
		}), nil, nil, seqOfElem),
		lam(meth("Prepend", 1, 1, nil, func(c Call) Value {
			it := items(c)
			out := make([]Value, 0, len(it)+1)
			return u.seq(elemOf(c.This), append(append(out, c.Args[0]), it...))
		}), nil, nil, seqOfElem),
		lam(meth("Where", 1, 1, nil, func(c Call) Value {
			var out []Value
			f := fn(c, 0)
			for i, x := range items(c) {
				if truthy(indexed(c, f, x, i)) {
					out = append(out, x)
				}
			}
			return u.seq(elemOf(c.This), out)
		}), []int{0}, sameAsReceiver, seqOfElem),
		lam(meth("SelectMany", 1, 2, nil, func(c Call) Value {
			f := fn(c, 0)
			var out []Value
			for i, x := range items(c) {
				inner := indexed(c, f, x, i)
				if inner == nil {
					ThrowNull("the collection selector of SelectMany returned null")
				}
				Each(inner, func(y Value) bool {
					if c.Has(1) {
						y = fn(c, 1).Call(c.Fr, []Value{x, y})
						c.Fr.Step(1)
					}
					out = append(out, y)
					return true
				})
			}
			var t *Type
			if len(out) > 0 {
				t = TypeOf(out[0])
			}
			return u.seq(t, out)
		}), []int{0, 1}, func(recv *Type, a []*Type, i, n int) []*Type {
			if i == 1 {
				return []*Type{elemT(recv), argElem(a, 0)}
			}
			return sameAsReceiver(recv, a, i, n)
		}, func(t *Type, a, _ []*Type) *Type {
			if len(a) > 1 {
				return u.SeqOf(a[1])
			}
			return u.SeqOf(argElem(a, 0))
		}),
		lam(meth("SkipWhile", 1, 1, nil, func(c Call) Value {
			it := items(c)
			f := fn(c, 0)
			i := 0
			for i < len(it) && truthy(indexed(c, f, it[i], i)) {
				i++
			}
			return u.seq(elemOf(c.This), append([]Value(nil), it[i:]...))
		}), []int{0}, sameAsReceiver, seqOfElem),
		lam(meth("TakeWhile", 1, 1, nil, func(c Call) Value {
			it := items(c)
			f := fn(c, 0)
			i := 0
			for i < len(it) && truthy(indexed(c, f, it[i], i)) {
				i++
			}
			return u.seq(elemOf(c.This), append([]Value(nil), it[:i]...))
		}), []int{0}, sameAsReceiver, seqOfElem),
		lam(meth("SkipLast", 1, 1, nil, func(c Call) Value {
			it := items(c)
			n := len(it) - min(max(c.Int(0), 0), len(it))
			return u.seq(elemOf(c.This), append([]Value(nil), it[:n]...))
		}), nil, nil, seqOfElem),
		lam(meth("TakeLast", 1, 1, nil, func(c Call) Value {
			it := items(c)
			n := len(it) - min(max(c.Int(0), 0), len(it))
			return u.seq(elemOf(c.This), append([]Value(nil), it[n:]...))
		}), nil, nil, seqOfElem),
		lam(meth("Zip", 1, 2, nil, func(c Call) Value {
			c.NotNull(0, "second")
			a := items(c)
			b, _ := Items(c.Args[0])
			n := min(len(a), len(b))
			f, selector := c.Arg(1).(*Func)
			var third []Value
			if c.Has(1) && !selector {
				c.NotNull(1, "third")
				third, _ = Items(c.Args[1])
				n = min(n, len(third))
			}
			var tt *Type // the (First, Second[, Third]) tuples' type
			if !selector {
				types := []*Type{elemOf(c.This), elemOf(c.Args[0])}
				if third != nil || c.Has(1) {
					types = append(types, elemOf(c.Args[1]))
				}
				tt = zipTuple(u, types)
			}
			out := make([]Value, n)
			for i := range n {
				c.Fr.Step(1)
				switch {
				case selector:
					out[i] = f.Call(c.Fr, []Value{a[i], b[i]})
				case third != nil:
					out[i] = &ValueTuple{T: tt, Items: []Value{a[i], b[i], third[i]}}
				default:
					out[i] = &ValueTuple{T: tt, Items: []Value{a[i], b[i]}}
				}
			}
			if !selector {
				return u.seq(tt, out)
			}
			var t *Type
			if n > 0 {
				t = TypeOf(out[0])
			}
			return u.seq(t, out)
		}), []int{1}, func(recv *Type, a []*Type, i, n int) []*Type {
			return []*Type{elemT(recv), argElem(a, 0)}
		}, func(t *Type, a, _ []*Type) *Type {
			switch {
			case len(a) > 1 && isSequenceType(a[1]):
				// a third sequence; a selector returning an array or a list
				// would be taken for one (the types do not tell lambdas)
				return u.SeqOf(zipTuple(u, []*Type{elemT(t), argElem(a, 0), argElem(a, 1)}))
			case len(a) > 1:
				return u.SeqOf(a[1])
			}
			return u.SeqOf(zipTuple(u, []*Type{elemT(t), argElem(a, 0)}))
		}),
		lam(meth("DefaultIfEmpty", 0, 1, nil, func(c Call) Value {
			it := items(c)
			if len(it) == 0 {
				d := zeroOf(elemOf(c.This))
				if c.Has(0) {
					d = c.Args[0]
				}
				return u.seq(elemOf(c.This), []Value{d})
			}
			return u.seq(elemOf(c.This), append([]Value(nil), it...))
		}), nil, nil, seqOfElem),
		lam(meth("Distinct", 0, 1, nil, func(c Call) Value {
			set := newValueSet(c.Fr, comparerIgnoresCase(c, 0))
			var out []Value
			for _, x := range items(c) {
				if set.add(x) {
					out = append(out, x)
				}
			}
			return u.seq(elemOf(c.This), out)
		}), nil, nil, seqOfElem),
		lam(meth("DistinctBy", 1, 2, nil, func(c Call) Value {
			set := newValueSet(c.Fr, comparerIgnoresCase(c, 1))
			var out []Value
			for _, x := range items(c) {
				if set.add(call1(c, fn(c, 0), x)) {
					out = append(out, x)
				}
			}
			return u.seq(elemOf(c.This), out)
		}), []int{0}, nil, seqOfElem),
		lam(meth("Union", 1, 2, nil, func(c Call) Value {
			c.NotNull(0, "second")
			return u.union(c, c.Args[0], nil, comparerIgnoresCase(c, 1))
		}), nil, nil, seqOfElem),
		lam(meth("Intersect", 1, 2, nil, func(c Call) Value {
			c.NotNull(0, "second")
			second := newValueSet(c.Fr, comparerIgnoresCase(c, 1))
			Each(c.Args[0], func(x Value) bool { second.add(x); return true })
			seen := newValueSet(c.Fr, second.ignore)
			var out []Value
			for _, x := range items(c) {
				if second.has(x) && seen.add(x) {
					out = append(out, x)
				}
			}
			return u.seq(elemOf(c.This), out)
		}), nil, nil, seqOfElem),
		lam(meth("Except", 1, 2, nil, func(c Call) Value {
			c.NotNull(0, "second")
			seen := newValueSet(c.Fr, comparerIgnoresCase(c, 1))
			Each(c.Args[0], func(x Value) bool { seen.add(x); return true })
			var out []Value
			for _, x := range items(c) {
				if seen.add(x) {
					out = append(out, x)
				}
			}
			return u.seq(elemOf(c.This), out)
		}), nil, nil, seqOfElem),
		lam(meth("ElementAt", 1, 1, nil, func(c Call) Value {
			it := items(c)
			i := c.Int(0)
			if i < 0 || i >= len(it) {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')")
			}
			return it[i]
		}), nil, nil, elemResult),
		lam(meth("ElementAtOrDefault", 1, 1, nil, func(c Call) Value {
			it := items(c)
			i := c.Int(0)
			if i < 0 || i >= len(it) {
				return zeroOf(elemOf(c.This))
			}
			return it[i]
		}), nil, nil, elemResult),
		lam(meth("Aggregate", 1, 3, nil, func(c Call) Value {
			it := items(c)
			var acc Value
			var f *Func
			if c.Has(1) {
				acc, f = c.Args[0], fn(c, 1)
			} else {
				if len(it) == 0 {
					Throw(ExInvalidOp, MsgNoElements)
				}
				acc, it, f = it[0], it[1:], fn(c, 0)
			}
			for _, x := range it {
				c.Fr.Step(1)
				acc = f.Call(c.Fr, []Value{acc, x})
			}
			if c.Has(2) {
				return call1(c, fn(c, 2), acc)
			}
			return acc
		}), []int{0, 1, 2}, func(recv *Type, a []*Type, i, n int) []*Type {
			switch {
			case i == 0:
				return []*Type{elemT(recv), elemT(recv)}
			case i == 1:
				return []*Type{a[0], elemT(recv)}
			}
			return []*Type{a[0]}
		}, func(t *Type, a, _ []*Type) *Type {
			switch len(a) {
			case 1:
				return elemT(t)
			case 2:
				return a[0]
			}
			return a[2]
		}),
		lam(meth("LongCount", 0, 1, u.Long, func(c Call) Value {
			n := int64(0)
			for _, x := range items(c) {
				if !c.Has(0) || pred(c, fn(c, 0), x) {
					n++
				}
			}
			return n
		}), []int{0}, nil, nil),
		lam(meth("MinBy", 1, 2, nil, minMaxBy(false)), []int{0}, nil, elemResult),
		lam(meth("MaxBy", 1, 2, nil, minMaxBy(true)), []int{0}, nil, elemResult),
		lam(meth("Chunk", 1, 1, nil, func(c Call) Value {
			size := c.Int(0)
			if size < 1 {
				Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'size')")
			}
			it := items(c)
			el := elemOf(c.This)
			var out []Value
			for i := 0; i < len(it); i += size {
				out = append(out, &Array{T: el, Items: append([]Value(nil), it[i:min(i+size, len(it))]...)})
			}
			return u.seq(u.ArrayOf(el), out)
		}), nil, nil, func(t *Type, _, _ []*Type) *Type { return u.SeqOf(u.ArrayOf(elemT(t))) }),
		lam(meth("ToHashSet", 0, 1, nil, func(c Call) Value {
			set := newValueSet(c.Fr, comparerIgnoresCase(c, 0))
			l := &List{T: elemOf(c.This), Set: true, Comparer: comparerArg(c, 0)}
			for _, x := range items(c) {
				if set.add(x) {
					l.Items = append(l.Items, x)
				}
			}
			return l
		}), nil, nil, func(t *Type, _, _ []*Type) *Type { return u.Lookup("HashSet", []*Type{elemT(t)}, 0) }),
		lam(meth("GroupBy", 1, 4, nil, func(c Call) Value {
			// (key[, element][, result][, comparer]): a lambda with two
			// parameters after the key selector is the result selector.
			key := fn(c, 0)
			var elem, result *Func
			ignore := false
			for i := 1; i < len(c.Args); i++ {
				f, ok := c.Args[i].(*Func)
				switch {
				case !ok:
					ignore = comparerIgnoresCase(c, i)
				case f.NParams == 2:
					result = f
				default:
					elem = f
				}
			}
			groups := group(c, key, elem, ignore)
			out := make([]Value, len(groups))
			for i, g := range groups {
				if result != nil {
					c.Fr.Step(1)
					out[i] = result.Call(c.Fr, []Value{g.Key, &Seq{Items: g.Items}})
				} else {
					out[i] = g
				}
			}
			return u.seq(nil, out)
		}), []int{0, 1, 2}, func(recv *Type, a []*Type, i, n int) []*Type {
			el := elemT(recv)
			if i == 0 || n == 1 {
				return []*Type{el}
			}
			// the result selector: (key, IEnumerable<element>)
			if i == 2 && len(a) > 1 {
				el = a[1]
			}
			return []*Type{a[0], u.SeqOf(el)}
		}, func(t *Type, a, _ []*Type) *Type {
			isComparer := func(i int) bool { return i < len(a) && isEqualityComparerType(a[i]) }
			switch {
			case len(a) == 1 || len(a) == 2 && isComparer(1):
				return u.SeqOf(u.GroupingOf(a[0], elemT(t)))
			case len(a) >= 3 && !isComparer(2):
				return u.SeqOf(a[2])
			}
			return nil // an element or a result selector: known at run time
		}),
		lam(meth("ToLookup", 1, 3, nil, func(c Call) Value {
			var elem *Func
			ignore := false
			for i := 1; i < len(c.Args); i++ {
				if f, ok := c.Args[i].(*Func); ok {
					elem = f
				} else {
					ignore = comparerIgnoresCase(c, i)
				}
			}
			return &Lookup{Groups: group(c, fn(c, 0), elem, ignore), ignore: ignore}
		}), []int{0, 1}, nil, func(t *Type, a, _ []*Type) *Type {
			el := elemT(t)
			if len(a) > 1 && a[1] != nil && !isEqualityComparerType(a[1]) {
				el = a[1]
			}
			return u.LookupOf(a[0], el)
		}),
		lam(meth("ToDictionary", 1, 3, nil, func(c Call) Value {
			var elem *Func
			var comparer Enum
			for i := 1; i < len(c.Args); i++ {
				if f, ok := c.Args[i].(*Func); ok {
					elem = f
				} else {
					comparer = comparerArg(c, i)
				}
			}
			d := NewDict(nil, nil)
			d.SetComparer(comparer)
			if n, ok := collectionCount(c.This); ok {
				d.size.presize(n) // sized for a collection's count, as .NET does
			}
			for _, x := range items(c) {
				k := call1(c, fn(c, 0), x)
				if k == nil {
					Throw(ExArgNull, "Value cannot be null. (Parameter 'key')")
				}
				v := x
				if elem != nil {
					v = call1(c, elem, x)
				}
				if _, dup := d.Get(k); dup {
					Throw(ExArgument, "An item with the same key has already been added. Key: %s", ToString(k))
				}
				d.Set(k, v)
			}
			return d
		}), []int{0, 1}, nil, func(t *Type, a, _ []*Type) *Type {
			v := elemT(t)
			if len(a) > 1 && a[1] != nil && !isEqualityComparerType(a[1]) {
				v = a[1]
			}
			return u.DictOf(a[0], v)
		}),
		lam(meth("GroupJoin", 4, 5, nil, func(c Call) Value {
			c.NotNull(0, "inner")
			inner, _ := Items(c.Args[0])
			ok, ik, sel := fn(c, 1), fn(c, 2), fn(c, 3)
			ignore := comparerIgnoresCase(c, 4)
			keys := make([]Value, len(inner))
			for i, y := range inner {
				keys[i] = call1(c, ik, y)
			}
			var out []Value
			for _, x := range items(c) {
				k := call1(c, ok, x)
				var matched []Value
				c.Fr.Step(int64(len(inner)))
				for i, y := range inner {
					if k != nil && (Equals(k, keys[i]) || ignore && strings.EqualFold(ToString(k), ToString(keys[i]))) {
						matched = append(matched, y)
					}
				}
				c.Fr.Step(1)
				out = append(out, sel.Call(c.Fr, []Value{x, &Seq{T: elemOf(c.Args[0]), Items: matched}}))
			}
			return u.seq(nil, out)
		}), []int{1, 2, 3}, func(recv *Type, a []*Type, i, n int) []*Type {
			switch i {
			case 1:
				return []*Type{elemT(recv)}
			case 2:
				return []*Type{argElem(a, 0)}
			}
			return []*Type{elemT(recv), u.SeqOf(argElem(a, 0))}
		}, func(t *Type, a, _ []*Type) *Type { return u.SeqOf(a[3]) }),
		lam(meth("Join", 4, 5, nil, func(c Call) Value {
			c.NotNull(0, "inner")
			inner, _ := Items(c.Args[0])
			ok, ik, sel := fn(c, 1), fn(c, 2), fn(c, 3)
			ignore := comparerIgnoresCase(c, 4)
			keys := make([]Value, len(inner))
			for i, y := range inner {
				keys[i] = call1(c, ik, y)
			}
			var out []Value
			for _, x := range items(c) {
				k := call1(c, ok, x)
				c.Fr.Step(int64(len(inner)))
				for i, y := range inner {
					if k != nil && (Equals(k, keys[i]) || ignore && strings.EqualFold(ToString(k), ToString(keys[i]))) {
						c.Fr.Step(1)
						out = append(out, sel.Call(c.Fr, []Value{x, y}))
					}
				}
			}
			var t *Type
			if len(out) > 0 {
				t = TypeOf(out[0])
			}
			return u.seq(t, out)
		}), []int{1, 2, 3}, func(recv *Type, a []*Type, i, n int) []*Type {
			switch i {
			case 1:
				return []*Type{elemT(recv)}
			case 2:
				return []*Type{argElem(a, 0)}
			}
			return []*Type{elemT(recv), argElem(a, 0)}
		}, func(t *Type, a, _ []*Type) *Type { return u.SeqOf(a[3]) }),
		lam(meth("Order", 0, 1, nil, func(c Call) Value {
			return orderSelf(c, false)
		}), nil, nil, seqOfElem),
		lam(meth("OrderDescending", 0, 1, nil, func(c Call) Value {
			return orderSelf(c, true)
		}), nil, nil, seqOfElem),
	)
	// first/last/single with a default value (.NET 6): (defaultValue) or
	// (predicate, defaultValue)
	for _, name := range []string{"FirstOrDefault", "LastOrDefault", "SingleOrDefault"} {
		m := e.Members[name]
		inner := m.Fn
		m.Max = 2
		m.Fn = func(c Call) Value {
			var def Value
			hasDef := false
			switch {
			case len(c.Args) == 2:
				def, hasDef, c.Args = c.Args[1], true, c.Args[:1]
			case len(c.Args) == 1:
				if _, isFn := c.Args[0].(*Func); !isFn {
					def, hasDef, c.Args = c.Args[0], true, nil
				}
			}
			if !hasDef {
				return inner(c)
			}
			// the default replaces default(T) when nothing matches
			var f *Func
			if len(c.Args) == 1 {
				f = fn(c, 0)
			}
			it := items(c)
			var found []Value
			for _, x := range it {
				if f == nil || pred(c, f, x) {
					found = append(found, x)
				}
			}
			switch {
			case len(found) == 0:
				return def
			case name == "FirstOrDefault":
				return found[0]
			case name == "LastOrDefault":
				return found[len(found)-1]
			case len(found) > 1:
				Throw(ExInvalidOp, "Sequence contains more than one element")
			}
			return found[0]
		}
	}
	// Skip and Take clamp their counts; Take accepts a Range only in .NET 6.
	e.Members["SequenceEqual"].Max = 2
	seqEq := e.Members["SequenceEqual"].Fn
	e.Members["SequenceEqual"].Fn = func(c Call) Value {
		if !c.Has(1) {
			return seqEq(c)
		}
		ignore := comparerIgnoresCase(c, 1)
		a := items(c)
		c.NotNull(0, "second")
		b, _ := Items(c.Args[0])
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if !Equals(a[i], b[i]) && !(ignore && strings.EqualFold(ToString(a[i]), ToString(b[i]))) {
				return false
			}
		}
		return true
	}
	// Select with an index parameter gets (T, int).
	e.Members["Select"].LambdaParams = sameAsReceiver
	e.Members["Count"].LambdaParams = nil
}

// orderSelf implements Order and OrderDescending (.NET 7): the elements
// sorted by themselves.
func orderSelf(c Call, desc bool) Value {
	it := append([]Value(nil), items(c)...)
	comparer := ""
	if c.Has(0) {
		e, ok := c.Args[0].(Enum)
		if !ok || e.T == nil || e.T.Name != "StringComparer" {
			Throw(ExNotSupported, "tollgate supports only StringComparer values as comparers")
		}
		comparer = e.Name
	}
	c.Fr.Step(int64(len(it)))
	sort.SliceStable(it, func(i, j int) bool {
		r := compareKeysWith(it[i], it[j], comparer)
		if desc {
			return r > 0
		}
		return r < 0
	})
	return &Seq{T: elemOf(c.This), Items: it}
}

// minMaxBy implements MinBy and MaxBy: the first element whose key is the
// least (greatest); null keys are skipped.
func minMaxBy(isMax bool) func(c Call) Value {
	return func(c Call) Value {
		f := fn(c, 0)
		comparer := ""
		if c.Has(1) {
			comparer = comparerArg(c, 1).Name
		}
		var best, bestKey Value
		found := false
		for _, x := range items(c) {
			k := call1(c, f, x)
			if !found {
				best, bestKey, found = x, k, true
				continue
			}
			if k == nil {
				continue
			}
			if bestKey == nil {
				best, bestKey = x, k
				continue
			}
			r := compareKeysWith(k, bestKey, comparer)
			if isMax && r > 0 || !isMax && r < 0 {
				best, bestKey = x, k
			}
		}
		if !found {
			if zero := zeroOf(elemOf(c.This)); zero != nil {
				Throw(ExInvalidOp, MsgNoElements)
			}
			return nil
		}
		return best
	}
}

// zipTuple is the element type of Zip(second[, third]): (TFirst First,
// TSecond Second[, TThird Third]).
func zipTuple(u *Lib, types []*Type) *Type {
	return u.ValueTupleOf([]string{"First", "Second", "Third"}[:len(types)], types)
}

// isSequenceType reports whether t is an array, a list or an
// IEnumerable<T>.
func isSequenceType(t *Type) bool {
	return t != nil && (t.Generic == "IEnumerable" || t.Generic == "List" || strings.HasSuffix(t.Name, "[]"))
}
