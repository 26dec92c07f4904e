package value

import "github.com/tollgate/tollgate/internal/jsonx"

// Enumerator is what GetEnumerator returns for a List<T>, a
// Dictionary<TKey, TValue>, a JObject or a JArray: MoveNext, Current and
// Dispose over the collection's elements. As in .NET, a collection that
// changes size during the enumeration makes the next MoveNext throw.
type Enumerator struct {
	T     *Type      // the enumerator's type (its Elem is the element type)
	items []Value    // the elements when the enumeration began
	count func() int // the collection's size now
	i     int        // the position: -1 before the first MoveNext
}

// DotnetType returns the enumerator's type.
func (e *Enumerator) DotnetType(*Lib) *Type { return e.T }

// EnumeratorOf returns the type of owner's enumerator over elem
// (owner is "List`1", "Dictionary`2", ...; fullArgs its type arguments
// as .NET prints them).
func (u *Lib) EnumeratorOf(owner, fullArgs string, elem *Type) *Type {
	elem = orObject(u, elem)
	return u.generic("E:"+owner+"["+fullArgs+"]", func() *Type {
		t := &Type{Name: "Enumerator", FullName: "System.Collections.Generic." + owner + "+Enumerator[" + fullArgs + "]", Base: u.enumeratorBase, Elem: elem}
		t.Is = func(v Value) bool { e, ok := v.(*Enumerator); return ok && e.T == t }
		return t
	})
}

func (u *Lib) buildEnumerator() {
	u.enumeratorBase = &Type{Name: "Enumerator", FullName: "System.Collections.IEnumerator", Base: u.Object}
	en := func(c Call) *Enumerator { return c.This.(*Enumerator) }
	u.enumeratorBase.add(
		meth("MoveNext", 0, 0, u.Bool, func(c Call) Value {
			e := en(c)
			if e.count != nil && e.count() != len(e.items) {
				Throw(ExInvalidOp, "Collection was modified; enumeration operation may not execute.")
			}
			if e.i < len(e.items) {
				e.i++
			}
			return e.i < len(e.items)
		}),
		&Member{Name: "Current", Kind: Property, Get: func(c Call) Value {
			e := en(c)
			if e.i < 0 || e.i >= len(e.items) {
				return zeroOf(e.T.Elem) // a struct enumerator's Current is default(T) there
			}
			return e.items[e.i]
		}, ResultOf: func(t *Type, _, _ []*Type) *Type { return t.Elem }},
		meth("Dispose", 0, 0, u.Void, func(Call) Value { return nil }),
	)

	list := func(c Call) *List { return c.This.(*List) }
	u.listBase.add(meth("GetEnumerator", 0, 0, nil, func(c Call) Value {
		l := list(c)
		t := u.EnumeratorOf("List`1", l.T.FullName, l.T)
		return newEnumerator(t, append([]Value(nil), l.Items...), func() int { return len(l.Items) })
	}))
	u.listBase.Members["GetEnumerator"].ResultOf = func(t *Type, _, _ []*Type) *Type {
		return u.EnumeratorOf("List`1", ElemType(t).FullName, ElemType(t))
	}
	dict := func(c Call) *Dict { return c.This.(*Dict) }
	kvOf := func(k, v *Type) *Type { return u.Lookup("KeyValuePair", []*Type{k, v}, 0) }
	u.dictBase.add(meth("GetEnumerator", 0, 0, nil, func(c Call) Value {
		d := dict(c)
		items, _ := Items(d)
		k, v := orObject(u, d.K), orObject(u, d.V)
		t := u.EnumeratorOf("Dictionary`2", k.FullName+","+v.FullName, kvOf(k, v))
		return newEnumerator(t, items, func() int { return len(d.Keys) })
	}))
	u.dictBase.Members["GetEnumerator"].ResultOf = func(t *Type, _, _ []*Type) *Type {
		k, v := orObject(u, t.Key), orObject(u, t.Elem)
		return u.EnumeratorOf("Dictionary`2", k.FullName+","+v.FullName, kvOf(k, v))
	}
	tok := func(c Call) *jsonx.Token { return c.This.(*jsonx.Token) }
	objectEnum := u.EnumeratorOf("JObject", "", kvOf(u.String, u.JToken))
	u.JObject.add(&Member{Name: "GetEnumerator", Kind: Method, Result: objectEnum, Fn: func(c Call) Value {
		o := tok(c)
		props := o.Properties()
		items := make([]Value, len(props))
		for i, p := range props {
			items[i] = KeyValue{p.Name(), p.Value()}
		}
		return newEnumerator(objectEnum, items, o.Count)
	}})
	arrayEnum := u.EnumeratorOf("JArray", "", u.JToken)
	u.JArray.add(&Member{Name: "GetEnumerator", Kind: Method, Result: arrayEnum, Fn: func(c Call) Value {
		a := tok(c)
		items, _ := Items(a)
		return newEnumerator(arrayEnum, items, a.Count)
	}})
}

// newEnumerator starts an enumeration of items, a snapshot of a collection
// whose size count tells.
func newEnumerator(t *Type, items []Value, count func() int) *Enumerator {
	return &Enumerator{T: t, items: items, count: count, i: -1}
}

func orObject(u *Lib, t *Type) *Type {
	if t == nil {
		return u.Object
	}
	return t
}
