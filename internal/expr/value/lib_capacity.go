package value

// DefaultComparer is EqualityComparer<TKey>.Default, the Comparer of a
// dictionary built without one. .NET keeps one instance per key type, so
// two are the same object when their key types are.
type DefaultComparer struct {
	K *Type // the key type; nil when unknown
}

// DotnetType implements Typed.
func (d DefaultComparer) DotnetType(u *Lib) *Type { return u.defaultComparerOf(d.K) }

// DotnetString implements Stringer: the comparer's class, as object.ToString
// prints it.
func (d DefaultComparer) DotnetString() string { return Universe().defaultComparerOf(d.K).FullName }

// defaultComparerOf returns the type of EqualityComparer<k>.Default. Its
// class depends on k as ComparerHelpers picks it: GenericEqualityComparer
// for the types that implement IEquatable<T> (string and the primitive and
// date types), EnumEqualityComparer for enums, ObjectEqualityComparer for
// the others.
func (u *Lib) defaultComparerOf(k *Type) *Type {
	k = orObject(u, k)
	return u.generic("EC:"+typeKey(k), func() *Type {
		class := "ObjectEqualityComparer"
		switch {
		case k.EnumValues != nil:
			class = "EnumEqualityComparer"
		case k.Value || k == u.String:
			class = "GenericEqualityComparer"
		}
		return &Type{Name: "EqualityComparer<" + k.Name + ">", FullName: "System.Collections.Generic." + class + "`1[" + k.FullName + "]",
			Base: u.equalityComparer}
	})
}

// isEqualityComparerType reports whether t is the static type of a value
// passed as an IEqualityComparer<T>: a StringComparer, or the Comparer of
// a dictionary.
func isEqualityComparerType(t *Type) bool {
	return t != nil && (t.Name == "StringComparer" || t.Implements("IEqualityComparer"))
}

// buildCapacity adds the capacity members of List<T> and Dictionary<TKey,
// TValue> (Capacity, EnsureCapacity, TrimExcess; see capacity.go) and
// Dictionary.Comparer with its IEqualityComparer<T> type.
func (u *Lib) buildCapacity() {
	list := func(c Call) *List { return c.This.(*List) }
	u.listBase.add(
		&Member{Name: "Capacity", Kind: Property, Result: u.Int,
			Get: func(c Call) Value { return int32(list(c).Capacity()) },
			Set: func(c Call, v Value) {
				n, _ := AsInt64(v)
				list(c).SetCapacity(int(n))
			}},
		meth("EnsureCapacity", 1, 1, u.Int, func(c Call) Value {
			n := c.Int(0)
			if n < 0 {
				Throw(ExArgRange, "Non-negative number required. (Parameter 'capacity')")
			}
			list(c).Grow(n)
			return int32(list(c).Capacity())
		}),
		meth("TrimExcess", 0, 0, u.Void, func(c Call) Value { list(c).trimExcess(); return nil }),
	)
	// HashSet<T> shares the List<T> representation but sizes its entries
	// as Dictionary does, by HashHelpers' primes (see dictSize).
	set := func(c Call) *List { l := c.This.(*List); l.syncSlots(); return l }
	u.Types["HashSet"].add(
		prop("Capacity", u.Int, func(c Call) Value { return int32(set(c).size.cap) }),
		meth("EnsureCapacity", 1, 1, u.Int, func(c Call) Value { return int32(set(c).size.ensure(c.Int(0))) }),
	)

	dict := func(c Call) *Dict { return c.This.(*Dict) }
	u.dictBase.add(
		meth("EnsureCapacity", 1, 1, u.Int, func(c Call) Value { return int32(dict(c).size.ensure(c.Int(0))) }),
		meth("TrimExcess", 0, 0, u.Void, func(c Call) Value {
			d := dict(c)
			d.size.trim(len(d.Keys))
			return nil
		}),
	)

	// IEqualityComparer<T> is the static type of Dictionary.Comparer: a
	// StringComparer, or a DefaultComparer. It is not nameable in an
	// expression (APIM's list does not have it); values are compared by
	// identity, as .NET compares comparer objects.
	ec := &Type{Name: "IEqualityComparer", FullName: "System.Collections.Generic.IEqualityComparer`1", Base: u.Object}
	u.equalityComparer = ec
	sc := u.Types["StringComparer"]
	sc.Interfaces = append(sc.Interfaces, "IEqualityComparer")
	scEquals := sc.Members["Equals"].Fn
	ec.add(meth("Equals", 2, 2, u.Bool, func(c Call) Value {
		if _, ok := c.This.(Enum); ok {
			return scEquals(c)
		}
		return Equals(c.Args[0], c.Args[1]) // EqualityComparer<T>.Default.Equals
	}))
	u.dictBase.add(prop("Comparer", ec, func(c Call) Value {
		d := dict(c)
		if d.Comparer.T != nil {
			return d.Comparer
		}
		k := d.K
		if k == nil && len(d.Keys) > 0 {
			k = TypeOf(d.Keys[0]) // a dictionary built by ToDictionary
		}
		return DefaultComparer{K: k}
	}))
}
