package value

import (
	"sort"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

func fn(c Call, i int) *Func {
	f, ok := c.Args[i].(*Func)
	if !ok {
		Throw(ExArgument, "argument %d must be a lambda", i+1)
	}
	return f
}

func call1(c Call, f *Func, x Value) Value {
	c.Fr.Step(1)
	return f.Call(c.Fr, []Value{x})
}

func pred(c Call, f *Func, x Value) bool {
	b, ok := call1(c, f, x).(bool)
	return ok && b
}

func items(c Call) []Value {
	it, ok := Items(c.This)
	if !ok {
		Throw(ExArgNull, "Value cannot be null. (Parameter 'source')")
	}
	return it
}

func elemOf(v Value) *Type {
	switch x := v.(type) {
	case *Array:
		return x.T
	case *List:
		return x.T
	case *Seq:
		return x.T
	case string:
		return Universe().Char
	case []byte:
		return Universe().Byte
	case *Dict:
		return Universe().KeyValue
	}
	return nil
}

func seqResult(t *Type, _ []*Type, _ []*Type) *Type { return Universe().SeqOf(ElemType(t)) }
func elemResult(t *Type, _ []*Type, _ []*Type) *Type {
	return ElemType(t)
}

// orderBy implements OrderBy, OrderByDescending, ThenBy and
// ThenByDescending: a stable sort of the source on all keys so far.
func orderBy(desc, then bool) func(c Call) Value {
	return func(c Call) Value {
		var ord Ordering
		key := SortKey{Fn: fn(c, 0), Desc: desc}
		if c.Has(1) {
			e, ok := c.Args[1].(Enum)
			if !ok || e.T == nil || e.T.Name != "StringComparer" {
				c.NotNull(1, "comparer")
				Throw(ExNotSupported, "tollgate supports only StringComparer values as the comparer of OrderBy and ThenBy")
			}
			key.Comparer = e
		}
		if s, ok := c.This.(*Seq); ok && then && s.Order != nil {
			ord.Src = s.Order.Src
			ord.Keys = append(append([]SortKey(nil), s.Order.Keys...), key)
		} else {
			ord.Src = items(c)
			ord.Keys = []SortKey{key}
		}
		n := len(ord.Src)
		keys := make([][]Value, len(ord.Keys))
		for k, sk := range ord.Keys {
			keys[k] = make([]Value, n)
			for i, x := range ord.Src {
				keys[k][i] = call1(c, sk.Fn, x)
			}
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool {
			for k, sk := range ord.Keys {
				r := compareKeysWith(keys[k][idx[i]], keys[k][idx[j]], sk.Comparer.Name)
				if r == 0 {
					continue
				}
				if sk.Desc {
					return r > 0
				}
				return r < 0
			}
			return false
		})
		out := make([]Value, n)
		for i, j := range idx {
			out[i] = ord.Src[j]
		}
		return &Seq{T: elemOf(c.This), Items: out, Order: &ord}
	}
}

// compareKeysWith orders two sort keys as Comparer<T>.Default, or as the
// named StringComparer: null first.
func compareKeysWith(a, b Value, comparer string) int {
	if a == nil || b == nil {
		return cmp3(a == nil && b != nil, a != nil && b == nil)
	}
	if comparer != "" {
		x, y := ToString(a), ToString(b)
		ignore := strings.HasSuffix(comparer, "IgnoreCase")
		if strings.HasPrefix(comparer, "Ordinal") {
			r := CompareOrdinal(x, y, ignore)
			return cmp3(r < 0, r > 0)
		}
		return CompareStrings(x, y, ignore)
	}
	r, ok := Compare(a, b)
	if !ok {
		Throw(ExInvalidOp, "Failed to compare two elements in the array.")
	}
	return r
}

func (u *Lib) buildLinq() {
	e := u.Enumerable
	first := func(name string, orDefault, last bool) *Member {
		m := meth(name, 0, 1, nil, func(c Call) Value {
			it := items(c)
			var f *Func
			if c.Has(0) {
				f = fn(c, 0)
			}
			n := len(it)
			for k := range n {
				i := k
				if last {
					i = n - 1 - k
				}
				if f == nil || pred(c, f, it[i]) {
					return it[i]
				}
			}
			if orDefault {
				return zeroOf(elemOf(c.This))
			}
			if f != nil {
				Throw(ExInvalidOp, MsgNoMatch)
			}
			Throw(ExInvalidOp, MsgNoElements)
			return nil
		})
		m.ResultOf = elemResult
		m.Lambda = []int{0}
		return m
	}
	withLambda := func(m *Member, res func(t *Type, a []*Type, ta []*Type) *Type) *Member {
		m.Lambda = []int{0}
		m.ResultOf = res
		return m
	}
	aggregate := func(name string, f func(acc, x float64) float64, isMin, isMax bool) *Member {
		return withLambda(meth(name, 0, 1, nil, func(c Call) Value {
			it := items(c)
			var best Value
			selector, comparer := c.Has(0), ""
			if e, ok := c.Arg(0).(Enum); ok && (isMin || isMax) && e.T != nil && e.T.Name == "StringComparer" {
				selector, comparer = false, e.Name // Max(IComparer<T>): .NET 6
			}
			for _, x := range it {
				if selector {
					x = call1(c, fn(c, 0), x)
				}
				if x == nil {
					continue // nulls are skipped (the Nullable<T> overloads)
				}
				if best == nil {
					best = x
					continue
				}
				if name == "Sum" {
					best = Arith("+", best, x)
					continue
				}
				r := 0
				if comparer != "" {
					r = compareKeysWith(x, best, comparer)
				} else {
					r, _ = Compare(x, best)
				}
				if isMin && r < 0 || isMax && r > 0 {
					best = x
				}
			}
			if best == nil {
				if name == "Sum" {
					if z := zeroOf(elemOf(c.This)); z != nil && !c.Has(0) {
						return z
					}
					return int32(0)
				}
				if len(it) == 0 && (selector || zeroOf(elemOf(c.This)) != nil) {
					Throw(ExInvalidOp, MsgNoElements)
				}
				return nil
			}
			return best
		}), func(t *Type, a []*Type, _ []*Type) *Type {
			if len(a) > 0 && a[0] != nil && a[0].Name != "StringComparer" {
				return a[0]
			}
			return ElemType(t)
		})
	}
	e.add(
		first("First", false, false), first("FirstOrDefault", true, false),
		first("Last", false, true), first("LastOrDefault", true, true),
		withLambda(meth("Single", 0, 1, nil, func(c Call) Value {
			var out []Value
			for _, x := range items(c) {
				if !c.Has(0) || pred(c, fn(c, 0), x) {
					out = append(out, x)
				}
			}
			if len(out) == 0 {
				Throw(ExInvalidOp, MsgNoElements)
			}
			if len(out) > 1 {
				Throw(ExInvalidOp, "Sequence contains more than one element")
			}
			return out[0]
		}), elemResult),
		withLambda(meth("SingleOrDefault", 0, 1, nil, func(c Call) Value {
			var out []Value
			for _, x := range items(c) {
				if !c.Has(0) || pred(c, fn(c, 0), x) {
					out = append(out, x)
				}
			}
			if len(out) > 1 {
				Throw(ExInvalidOp, "Sequence contains more than one element")
			}
			if len(out) == 0 {
				return zeroOf(elemOf(c.This))
			}
			return out[0]
		}), elemResult),
		withLambda(meth("Where", 1, 1, nil, func(c Call) Value {
			var out []Value
			f := fn(c, 0)
			for _, x := range items(c) {
				if pred(c, f, x) {
					out = append(out, x)
				}
			}
			return &Seq{T: elemOf(c.This), Items: out}
		}), seqResult),
		withLambda(meth("Select", 1, 1, nil, func(c Call) Value {
			f := fn(c, 0)
			it := items(c)
			out := make([]Value, len(it))
			for i, x := range it {
				if f.NParams == 2 {
					c.Fr.Step(1)
					out[i] = f.Call(c.Fr, []Value{x, int32(i)})
				} else {
					out[i] = call1(c, f, x)
				}
			}
			var t *Type
			if len(out) > 0 {
				t = TypeOf(out[0])
			}
			return &Seq{T: t, Items: out}
		}), func(t *Type, a []*Type, _ []*Type) *Type { return u.SeqOf(a[0]) }),
		withLambda(meth("SelectMany", 1, 1, nil, func(c Call) Value {
			f := fn(c, 0)
			var out []Value
			for _, x := range items(c) {
				Each(call1(c, f, x), func(y Value) bool { out = append(out, y); return true })
			}
			return &Seq{Items: out}
		}), func(t *Type, a []*Type, _ []*Type) *Type { return u.SeqOf(ElemType(a[0])) }),
		withLambda(meth("Any", 0, 1, u.Bool, func(c Call) Value {
			for _, x := range items(c) {
				if !c.Has(0) || pred(c, fn(c, 0), x) {
					return true
				}
			}
			return false
		}), nil),
		withLambda(meth("All", 1, 1, u.Bool, func(c Call) Value {
			for _, x := range items(c) {
				if !pred(c, fn(c, 0), x) {
					return false
				}
			}
			return true
		}), nil),
		withLambda(meth("Count", 0, 1, u.Int, func(c Call) Value {
			n := 0
			for _, x := range items(c) {
				if !c.Has(0) || pred(c, fn(c, 0), x) {
					n++
				}
			}
			return int32(n)
		}), nil),
		meth("Contains", 1, 2, u.Bool, func(c Call) Value {
			fold := c.Has(1) && ignoreCase(Call{Args: []Value{c.Args[1]}}, 0)
			for _, x := range items(c) {
				if Equals(x, c.Args[0]) {
					return true
				}
				if fold {
					if s, ok := x.(string); ok && c.Args[0] != nil && strings.EqualFold(s, c.Str(0)) {
						return true
					}
				}
			}
			return false
		}),
		aggregate("Sum", nil, false, false), aggregate("Min", nil, true, false), aggregate("Max", nil, false, true),
		withLambda(meth("Average", 0, 1, u.Double, func(c Call) Value {
			all := items(c)
			if len(all) == 0 {
				Throw(ExInvalidOp, MsgNoElements)
			}
			s := 0.0
			var dsum Value
			allDec, allSingle := true, true
			it := make([]Value, 0, len(all))
			for _, x := range all {
				if c.Has(0) {
					x = call1(c, fn(c, 0), x)
				}
				if x != nil {
					it = append(it, x) // nulls are skipped (the Nullable<T> overloads)
				}
			}
			if len(it) == 0 {
				return nil
			}
			for _, x := range it {
				_, isDec := x.(dotnet.Decimal)
				_, isSingle := x.(float32)
				allDec, allSingle = allDec && isDec, allSingle && isSingle
				if allDec {
					if dsum == nil {
						dsum = x
					} else {
						dsum = decimalArith("+", dsum, x)
					}
				}
				f, _ := AsFloat(x)
				s += f
			}
			switch {
			case allDec:
				return decimalArith("/", dsum, int64(len(it)))
			case allSingle:
				return float32(s / float64(len(it)))
			}
			return s / float64(len(it))
		}), func(t *Type, a []*Type, _ []*Type) *Type {
			el := ElemType(t)
			if len(a) > 0 && a[0] != nil {
				el = a[0]
			}
			if el == u.Decimal || el == u.Single {
				return el
			}
			return u.Double
		}),
		withLambda(meth("OrderBy", 1, 2, nil, orderBy(false, false)), seqResult),
		withLambda(meth("OrderByDescending", 1, 2, nil, orderBy(true, false)), seqResult),
		withLambda(meth("ThenBy", 1, 2, nil, orderBy(false, true)), seqResult),
		withLambda(meth("ThenByDescending", 1, 2, nil, orderBy(true, true)), seqResult),
		&Member{Name: "Cast", Kind: Method, TArgs: 1, Fn: func(c Call) Value {
			t := c.TArg(0)
			it := items(c)
			out := make([]Value, 0, len(it))
			for _, x := range it {
				switch {
				case x == nil && t.Value:
					ThrowNull("Cast<" + t.Name + "> met a null element")
				case x == nil || t == u.Object || t.Is == nil || t.Is(x):
				default:
					ThrowCast(x, t.FullName)
				}
				out = append(out, x)
			}
			return &Seq{T: t, Items: out}
		}, ResultOf: func(_ *Type, _ []*Type, ta []*Type) *Type { return u.SeqOf(ta[0]) }},
		&Member{Name: "OfType", Kind: Method, TArgs: 1, Fn: func(c Call) Value {
			t := c.TArg(0)
			var out []Value
			for _, x := range items(c) {
				if x != nil && (t == u.Object || t.Is == nil || t.Is(x)) {
					out = append(out, x)
				}
			}
			return &Seq{T: t, Items: out}
		}, ResultOf: func(_ *Type, _ []*Type, ta []*Type) *Type { return u.SeqOf(ta[0]) }},
		meth("Reverse", 0, 0, nil, func(c Call) Value {
			it := items(c)
			out := make([]Value, len(it))
			for i, x := range it {
				out[len(it)-1-i] = x
			}
			return &Seq{T: elemOf(c.This), Items: out}
		}),
		meth("ToArray", 0, 0, nil, func(c Call) Value {
			if b, ok := c.This.([]byte); ok {
				return append([]byte(nil), b...)
			}
			return &Array{T: elemOf(c.This), Items: append([]Value(nil), items(c)...)}
		}),
		meth("ToList", 0, 0, nil, func(c Call) Value {
			it := append([]Value(nil), items(c)...)
			return &List{T: elemOf(c.This), Items: it, Cap: len(it)}
		}),
		meth("AsEnumerable", 0, 0, nil, func(c Call) Value { return c.This }),
		withLambda(meth("ToDictionary", 1, 2, nil, func(c Call) Value {
			d := NewDict(nil, nil)
			for _, x := range items(c) {
				k := call1(c, fn(c, 0), x)
				v := x
				if c.Has(1) {
					v = call1(c, fn(c, 1), x)
				}
				if _, dup := d.Get(k); dup {
					Throw(ExArgument, "An item with the same key has already been added. Key: %s", ToString(k))
				}
				d.Set(k, v)
			}
			return d
		}), func(t *Type, a []*Type, _ []*Type) *Type {
			v := ElemType(t)
			if len(a) > 1 {
				v = a[1]
			}
			return u.DictOf(a[0], v)
		}),
		meth("Distinct", 0, 0, nil, func(c Call) Value {
			var out []Value
			for _, x := range items(c) {
				dup := false
				for _, y := range out {
					if Equals(x, y) {
						dup = true
						break
					}
				}
				if !dup {
					out = append(out, x)
				}
			}
			return &Seq{T: elemOf(c.This), Items: out}
		}),
		meth("Skip", 1, 1, nil, func(c Call) Value {
			it := items(c)
			n := min(max(c.Int(0), 0), len(it))
			return &Seq{T: elemOf(c.This), Items: append([]Value(nil), it[n:]...)}
		}),
		meth("Take", 1, 1, nil, func(c Call) Value {
			it := items(c)
			n := min(max(c.Int(0), 0), len(it))
			return &Seq{T: elemOf(c.This), Items: append([]Value(nil), it[:n]...)}
		}),
		meth("Concat", 1, 1, nil, func(c Call) Value {
			out := append([]Value(nil), items(c)...)
			Each(c.Args[0], func(x Value) bool { out = append(out, x); return true })
			return &Seq{T: elemOf(c.This), Items: out}
		}),
		meth("ElementAt", 1, 1, nil, func(c Call) Value {
			it := items(c)
			i := c.Int(0)
			if i < 0 || i >= len(it) {
				Throw(ExArgRange, MsgArgRangeIndex)
			}
			return it[i]
		}),
		meth("ElementAtOrDefault", 1, 1, nil, func(c Call) Value {
			it := items(c)
			i := c.Int(0)
			if i < 0 || i >= len(it) {
				return zeroOf(elemOf(c.This))
			}
			return it[i]
		}),
		meth("Aggregate", 1, 2, nil, func(c Call) Value {
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
			return acc
		}),
		meth("Join", 4, 4, nil, func(c Call) Value {
			inner, _ := Items(c.Args[0])
			ok, ik, sel := fn(c, 1), fn(c, 2), fn(c, 3)
			var out []Value
			for _, x := range items(c) {
				kx := call1(c, ok, x)
				for _, y := range inner {
					if Equals(kx, call1(c, ik, y)) {
						c.Fr.Step(1)
						out = append(out, sel.Call(c.Fr, []Value{x, y}))
					}
				}
			}
			return &Seq{Items: out}
		}),
		meth("SequenceEqual", 1, 1, u.Bool, func(c Call) Value {
			a := items(c)
			b, _ := Items(c.Args[0])
			if len(a) != len(b) {
				return false
			}
			for i := range a {
				if !Equals(a[i], b[i]) {
					return false
				}
			}
			return true
		}),
		withLambda(meth("GroupBy", 1, 1, nil, func(c Call) Value {
			f := fn(c, 0)
			d := NewDict(nil, nil)
			var order []Value
			for _, x := range items(c) {
				k := call1(c, f, x)
				g, ok := d.Get(k)
				if !ok {
					g = &Grouping{Key: k}
					d.Set(k, g)
					order = append(order, g)
				}
				g.(*Grouping).Items = append(g.(*Grouping).Items, x)
			}
			return &Seq{Items: order}
		}), nil),
	)
	for _, n := range []string{"Reverse", "Distinct", "Skip", "Take", "Concat"} {
		e.Members[n].ResultOf = seqResult
	}
	e.Members["ToArray"].ResultOf = func(t *Type, _, _ []*Type) *Type { return u.ArrayOf(ElemType(t)) }
	e.Members["ToList"].ResultOf = func(t *Type, _, _ []*Type) *Type { return u.ListOf(ElemType(t)) }
	e.Members["ElementAt"].ResultOf = elemResult
	e.Members["ElementAtOrDefault"].ResultOf = elemResult
	e.Members["Aggregate"].Lambda = []int{0, 1}
	e.Members["Join"].Lambda = []int{1, 2, 3}
	e.Members["ToDictionary"].Lambda = []int{0, 1}
	grouping := &Type{Name: "IGrouping", FullName: "System.Linq.IGrouping`2", Base: e, Open: true}
	grouping.add(prop("Key", nil, func(c Call) Value { return c.This.(*Grouping).Key }))
	u.Types["IGrouping"] = grouping
	enumerable := u.newType("Enumerable", "System.Linq.Enumerable", u.Object)
	enumerable.addStatic(
		meth("Range", 2, 2, u.SeqOf(u.Int), func(c Call) Value {
			start, n := c.Int(0), c.Int(1)
			if n < 0 {
				Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'count')")
			}
			c.Fr.Step(int64(n))
			out := make([]Value, n)
			for i := range out {
				out[i] = int32(start + i)
			}
			return &Seq{T: u.Int, Items: out, Counted: true} // an IList<int> since .NET 8
		}),
		meth("Repeat", 2, 2, nil, func(c Call) Value {
			n := c.Int(1)
			c.Fr.Step(int64(n))
			out := make([]Value, n)
			for i := range out {
				out[i] = c.Args[0]
			}
			return &Seq{T: TypeOf(c.Args[0]), Items: out, Counted: true} // an IList<T> since .NET 8
		}),
		meth("Empty", 0, 0, nil, func(c Call) Value { return &Seq{T: c.TArg(0)} }),
	)
}

// Grouping is an IGrouping<K,T>.
type Grouping struct {
	Key   Value
	Items []Value
}

// Each implements Enumerable.
func (g *Grouping) Each(f func(Value) bool) {
	for _, x := range g.Items {
		if !f(x) {
			return
		}
	}
}

// DotnetType implements Typed.
func (g *Grouping) DotnetType(u *Lib) *Type { return u.Types["IGrouping"] }

// zeroOf returns default(T) for a type.
func zeroOf(t *Type) Value {
	u := Universe()
	switch t {
	case u.Int:
		return int32(0)
	case u.Long:
		return int64(0)
	case u.Double:
		return float64(0)
	case u.Bool:
		return false
	case u.Char:
		return Char(0)
	case u.Byte:
		return uint8(0)
	case u.Guid:
		return Guid{}
	case u.DateTime:
		return time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	case u.TimeSpan:
		return TimeSpan(0)
	case u.DateTimeOffset:
		return DateTimeOffset{T: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)}
	}
	return nil
}

// Zero returns default(T).
func Zero(t *Type) Value { return zeroOf(t) }
