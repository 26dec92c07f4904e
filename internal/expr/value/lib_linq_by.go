package value

// The key-selector operations of System.Linq.Enumerable (.NET 6 and 9:
// ExceptBy, IntersectBy, UnionBy, CountBy, AggregateBy), Index and
// TryGetNonEnumeratedCount.

func (u *Lib) buildLinqBy() {
	e := u.Enumerable
	seqOfElem := func(t *Type, _, _ []*Type) *Type { return u.SeqOf(ElemType(t)) }
	// lambdaResult is the type a lambda argument at i returns.
	lambdaResult := func(a []*Type, i int) *Type {
		if i < len(a) {
			return a[i]
		}
		return nil
	}
	// by runs ExceptBy or IntersectBy: keep decides, from the set of the
	// second sequence's keys and the set of keys already returned, whether
	// an element of the source goes out.
	by := func(name string, keep func(second, seen *valueSet, k Value) bool) *Member {
		m := meth(name, 2, 3, nil, func(c Call) Value {
			c.NotNull(0, "second")
			key := fn(c, 1)
			ignore := comparerIgnoresCase(c, 2)
			second, seen := newValueSet(c.Fr, ignore), newValueSet(c.Fr, ignore)
			Each(c.Args[0], func(k Value) bool { second.add(k); return true })
			var out []Value
			for _, x := range items(c) {
				if keep(second, seen, call1(c, key, x)) {
					out = append(out, x)
				}
			}
			return u.seq(elemOf(c.This), out)
		})
		m.Lambda, m.LambdaParams, m.ResultOf = []int{1}, receiverElems, seqOfElem
		return m
	}
	unionBy := meth("UnionBy", 2, 3, nil, func(c Call) Value {
		c.NotNull(0, "second")
		return u.union(c, c.Args[0], fn(c, 1), comparerIgnoresCase(c, 2))
	})
	unionBy.Lambda, unionBy.LambdaParams, unionBy.ResultOf = []int{1}, receiverElems, seqOfElem
	e.add(
		by("ExceptBy", func(second, seen *valueSet, k Value) bool { return !second.has(k) && seen.add(k) }),
		by("IntersectBy", func(second, seen *valueSet, k Value) bool { return second.has(k) && seen.add(k) }),
		unionBy,
		&Member{Name: "CountBy", Kind: Method, Min: 1, Max: 2, Lambda: []int{0}, LambdaParams: receiverElems,
			ResultOf: func(t *Type, a, _ []*Type) *Type {
				return u.SeqOf(u.Lookup("KeyValuePair", []*Type{lambdaResult(a, 0), u.Int}, 0))
			},
			Fn: func(c Call) Value {
				groups := groupByKey(c, fn(c, 0), comparerIgnoresCase(c, 1))
				out := make([]Value, len(groups))
				for i, g := range groups {
					out[i] = KeyValue{g.Key, int32(len(g.Items))}
				}
				return u.seq(u.KeyValue, out)
			}},
		&Member{Name: "AggregateBy", Kind: Method, Min: 3, Max: 4, Lambda: []int{0, 2},
			LambdaParams: func(recv *Type, a []*Type, i, n int) []*Type {
				if i == 2 {
					return []*Type{lambdaResult(a, 1), ElemType(recv)}
				}
				return receiverElems(recv, a, i, n)
			},
			ResultOf: func(t *Type, a, _ []*Type) *Type {
				return u.SeqOf(u.Lookup("KeyValuePair", []*Type{lambdaResult(a, 0), lambdaResult(a, 1)}, 0))
			},
			Fn: func(c Call) Value {
				f := fn(c, 2)
				groups := groupByKey(c, fn(c, 0), comparerIgnoresCase(c, 3))
				out := make([]Value, len(groups))
				for i, g := range groups {
					acc := c.Args[1]
					for _, x := range g.Items {
						c.Fr.Step(1)
						acc = f.Call(c.Fr, []Value{acc, x})
					}
					out[i] = KeyValue{g.Key, acc}
				}
				return u.seq(u.KeyValue, out)
			}},
		&Member{Name: "Index", Kind: Method, Min: 0, Max: 0,
			ResultOf: func(t *Type, _, _ []*Type) *Type { return u.SeqOf(indexTuple(u, ElemType(t))) },
			Fn: func(c Call) Value {
				tt := indexTuple(u, elemOf(c.This))
				it := items(c)
				out := make([]Value, len(it))
				for i, x := range it {
					out[i] = &ValueTuple{T: tt, Items: []Value{int32(i), x}}
				}
				return u.seq(tt, out)
			}},
		&Member{Name: "TryGetNonEnumeratedCount", Kind: Method, Min: 1, Max: 1, Result: u.Bool, Out: []int{0}, Fn: func(c Call) Value {
			// Arrays, lists, sets and dictionaries know their count; a
			// query's sequence (Where, Select...) does not, as .NET
			// answers for Where, and neither does a string.
			switch c.This.(type) {
			case *Array, []byte, *List, *Dict:
				c.Args[0] = int32(len(items(c)))
				return true
			default:
				c.Args[0] = int32(0)
				return false
			}
		}},
	)
}

// groupByKey groups the source's elements by key, in the order keys are
// first seen, as CountBy and AggregateBy do: a null key throws.
func groupByKey(c Call, key *Func, ignore bool) []*Grouping {
	groups := group(c, key, nil, ignore)
	for _, g := range groups {
		if g.Key == nil {
			Throw(ExArgNull, "Value cannot be null. (Parameter 'key')")
		}
	}
	return groups
}

// indexTuple is the element type of Index(): (int Index, TSource Item).
func indexTuple(u *Lib, elem *Type) *Type {
	return u.ValueTupleOf([]string{"Index", "Item"}, []*Type{u.Int, elem})
}

// union returns the elements of the source and then those of second,
// distinct by key (by the element itself when key is nil): Union and
// UnionBy.
func (u *Lib) union(c Call, second Value, key *Func, ignore bool) *Seq {
	seen := newValueSet(c.Fr, ignore)
	var out []Value
	add := func(x Value) bool {
		k := x
		if key != nil {
			k = call1(c, key, x)
		}
		if seen.add(k) {
			out = append(out, x)
		}
		return true
	}
	for _, x := range items(c) {
		add(x)
	}
	Each(second, add)
	return u.seq(elemOf(c.This), out)
}
