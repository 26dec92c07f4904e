package value

import "strings"

// buildQueueStack adds the members of Queue<T> and Stack<T>, which share
// the List<T> representation: the front of the list is the head of the
// queue and the top of the stack, so that enumeration order matches .NET.
// queueOrStack returns Queue<T> or Stack<T>: List<T> with the members of
// a queue or stack taking precedence.
func (u *Lib) queueOrStack(kind string, el *Type) *Type {
	return u.generic(kind+":"+typeKey(el), func() *Type {
		lt := u.ListOf(el)
		t := &Type{Name: kind + "<" + lt.Elem.Name + ">", FullName: "System.Collections.Generic." + kind + "`1[" + lt.Elem.FullName + "]",
			Base: lt, Elem: lt.Elem, Generic: "List", Is: lt.Is}
		t.add(trimExcessTo(u.Void))
		// Capacity (.NET 9) and EnsureCapacity: the length of the backing
		// array, grown as Queue<T>.Grow and Stack<T>.Grow grow it.
		grow := (*List).Grow
		if kind == "Queue" {
			grow = (*List).queueGrow
		}
		t.add(
			prop("Capacity", u.Int, func(c Call) Value { return int32(c.This.(*List).Capacity()) }),
			meth("EnsureCapacity", 1, 1, u.Int, func(c Call) Value {
				n := c.Int(0)
				if n < 0 {
					Throw(ExArgRange, "capacity ('%d') must be a non-negative value. (Parameter 'capacity')\nActual value was %d.", n, n)
				}
				l := c.This.(*List)
				grow(l, n)
				return int32(l.Capacity())
			}),
		)
		if kind == "Stack" {
			t.New = func(c Call) Value {
				l := u.listBase.New(c).(*List)
				// a stack built from a collection pops its last item first
				for i, j := 0, len(l.Items)-1; i < j; i, j = i+1, j-1 {
					l.Items[i], l.Items[j] = l.Items[j], l.Items[i]
				}
				return l
			}
			t.add(&Member{Name: "Peek", Kind: Method, Fn: stackPeek, ResultOf: func(t *Type, _ []*Type, _ []*Type) *Type { return ElemType(t) }})
		}
		return t
	})
}

func stackPeek(c Call) Value {
	l := c.This.(*List)
	if len(l.Items) == 0 {
		Throw(ExInvalidOp, "Stack empty.")
	}
	return l.Items[0]
}

func (u *Lib) buildQueueStack() {
	l := func(c Call) *List { return c.This.(*List) }
	take := func(empty string, remove bool) func(c Call) Value {
		return func(c Call) Value {
			x := l(c)
			if len(x.Items) == 0 {
				Throw(ExInvalidOp, "%s", empty)
			}
			v := x.Items[0]
			if remove {
				x.Items = append(x.Items[:0:0], x.Items[1:]...)
			}
			return v
		}
	}
	try := func(remove bool) func(c Call) Value {
		return func(c Call) Value {
			x := l(c)
			last := len(c.Args) - 1
			if len(x.Items) == 0 {
				c.Args[last] = zeroOf(x.T)
				return false
			}
			c.Args[last] = x.Items[0]
			if remove {
				x.Items = append(x.Items[:0:0], x.Items[1:]...)
			}
			return true
		}
	}
	elem := func(t *Type, _ []*Type, _ []*Type) *Type { return ElemType(t) }
	u.listBase.add(
		meth("Enqueue", 1, 1, u.Void, func(c Call) Value {
			x := l(c)
			x.queueGrow(len(x.Items) + 1)
			x.Items = append(x.Items, c.Args[0])
			return nil
		}),
		meth("Push", 1, 1, u.Void, func(c Call) Value {
			x := l(c)
			x.Grow(len(x.Items) + 1) // Stack<T> grows as List<T> does
			x.Items = append([]Value{c.Args[0]}, x.Items...)
			return nil
		}),
		&Member{Name: "Dequeue", Kind: Method, Fn: take("Queue empty.", true), ResultOf: elem},
		&Member{Name: "Pop", Kind: Method, Fn: take("Stack empty.", true), ResultOf: elem},
		&Member{Name: "Peek", Kind: Method, Fn: take("Queue empty.", false), ResultOf: elem},
		&Member{Name: "TryDequeue", Kind: Method, Min: 1, Max: 1, Out: []int{0}, Result: u.Bool, Fn: try(true)},
		&Member{Name: "TryPop", Kind: Method, Min: 1, Max: 1, Out: []int{0}, Result: u.Bool, Fn: try(true)},
		&Member{Name: "TryPeek", Kind: Method, Min: 1, Max: 1, Out: []int{0}, Result: u.Bool, Fn: try(false)},
	)
}

// Tuple is a System.Tuple of one to seven items, or of eight: seven and
// the Rest tuple (Tuple<T1, ..., T7, TRest>).
type Tuple struct {
	Items []Value
}

// DotnetType implements Typed.
func (t *Tuple) DotnetType(u *Lib) *Type { return u.Types["Tuple"] }

// DotnetString implements Stringer: "(a, b)"; the items of a Rest tuple
// follow the first seven, as .NET prints them: "(1, 2, 3, 4, 5, 6, 7, 8)".
func (t *Tuple) DotnetString() string {
	var parts []string
	for x := t; x != nil; {
		items, rest := x.Items, (*Tuple)(nil)
		if len(items) == 8 {
			rest, _ = items[7].(*Tuple)
			items = items[:7]
		}
		for _, v := range items {
			parts = append(parts, ToString(v))
		}
		x = rest
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// itemsEqual is Tuple.Equals: the items compared with Equals (== compares
// references).
func (t *Tuple) itemsEqual(other Value) bool {
	o, ok := other.(*Tuple)
	if !ok || len(o.Items) != len(t.Items) {
		return false
	}
	for i := range t.Items {
		if r, ok := t.Items[i].(*Tuple); ok {
			if !r.itemsEqual(o.Items[i]) { // a nested or Rest tuple
				return false
			}
			continue
		}
		if !Equals(t.Items[i], o.Items[i]) {
			return false
		}
	}
	return true
}

func (u *Lib) buildTuple() {
	t := u.newType("Tuple", "System.Tuple", u.Object)
	t.Is = func(v Value) bool { _, ok := v.(*Tuple); return ok }
	mk := func(c Call) Value {
		if len(c.Args) > 7 {
			Throw(ExNotSupported, "tollgate supports tuples of up to seven items")
		}
		return &Tuple{Items: append([]Value(nil), c.Args...)}
	}
	t.NewMin = 1
	t.New = mk
	t.addStatic(meth("Create", 1, 7, t, mk))
	for i := 1; i <= 7; i++ {
		idx := i - 1
		name := "Item" + string(rune('0'+i))
		t.add(prop(name, nil, func(c Call) Value {
			tp := c.This.(*Tuple)
			if idx >= len(tp.Items) {
				panic(&Exception{Type: "Microsoft.CSharp.RuntimeBinder.RuntimeBinderException", Message: "'System.Tuple' does not contain a definition for '" + "Item" + string(rune('1'+idx)) + "'", Pos: -1, End: -1})
			}
			return tp.Items[idx]
		}))
	}
	t.add(meth("ToString", 0, 0, u.String, func(c Call) Value { return c.This.(*Tuple).DotnetString() }),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value { return c.This.(*Tuple).itemsEqual(c.Args[0]) }))
}
