package value

import (
	"strings"

	"github.com/tollgate/tollgate/internal/jsonx"
)

// Array is a .NET array T[].
type Array struct {
	T     *Type
	Items []Value
}

// List is a List<T>, or a HashSet<T> when Set is true (Add ignores
// duplicates and reports whether it added).
type List struct {
	T     *Type
	Items []Value
	Set   bool
	// Cap is the List<T>.Capacity .NET would have: the length of its
	// backing array, grown by .NET's rule (see Grow). A list built without
	// it counts as having exactly its count (see Capacity).
	Cap int
	// Comparer is the StringComparer a HashSet<T> was built with (Name
	// empty: EqualityComparer<T>.Default).
	Comparer Enum
	// slots and free mirror a HashSet<T>'s entries (see lib_sets.go): the
	// entry of each item, and the entries freed by removals, which adds
	// reuse last freed first; size tracks their number as .NET sizes it.
	slots, free []int
	size        dictSize
	// keys counts the items of a HashSet<T> that hash (strings, integers,
	// ...) by their key under the set's comparer (see setKey).
	keys map[Value]int
}

// Seq is an IEnumerable<T> produced by LINQ; it is evaluated eagerly.
type Seq struct {
	T     *Type
	Items []Value
	// Order is set on the result of OrderBy and ThenBy (an
	// IOrderedEnumerable): the source items and the sort keys so far.
	Order *Ordering
	// Counted marks a sequence that .NET holds as an ICollection<T>
	// (Dictionary.Keys and Values, Enumerable.Range and Repeat), which
	// List<T> copies at its exact size.
	Counted bool
}

// Ordering records how an ordered sequence was sorted, for ThenBy.
type Ordering struct {
	Src  []Value
	Keys []SortKey
}

// SortKey is one key of an ordered sequence.
type SortKey struct {
	Fn   *Func
	Desc bool
	// Comparer is the StringComparer given to OrderBy (Name empty: the
	// default comparer).
	Comparer Enum
}

// Dict is a Dictionary<K,V> that keeps insertion order.
type Dict struct {
	K, V       *Type
	Keys       []Value
	Vals       []Value
	index      map[Value]int
	IgnoreCase bool
	// Comparer is the StringComparer the dictionary was built with (Name
	// empty: EqualityComparer<TKey>.Default); IgnoreCase follows from it.
	Comparer Enum
	// size tracks the entries .NET would hold, for EnsureCapacity.
	size dictSize
}

// KeyValue is a KeyValuePair<K,V>.
type KeyValue struct {
	Key, Value Value
}

// NewDict returns an empty dictionary.
func NewDict(k, v *Type) *Dict { return &Dict{K: k, V: v, index: map[Value]int{}} }

// SetComparer makes the dictionary compare its keys with the StringComparer
// c (Name empty: the default comparer). It must be set before any key.
func (d *Dict) SetComparer(c Enum) {
	d.Comparer = c
	d.IgnoreCase = strings.HasSuffix(c.Name, "IgnoreCase")
}

// Clear removes every key and keeps the comparer and the capacity.
func (d *Dict) Clear() {
	d.Keys, d.Vals = nil, nil
	d.index = map[Value]int{}
	d.size.clear()
}

func (d *Dict) norm(k Value) Value {
	if d.IgnoreCase {
		if s, ok := k.(string); ok {
			return strings.ToLower(s)
		}
	}
	return k
}

// Get returns the value stored under k.
func (d *Dict) Get(k Value) (Value, bool) {
	if d.index == nil {
		return nil, false
	}
	i, ok := d.index[d.norm(k)]
	if !ok {
		return nil, false
	}
	return d.Vals[i], true
}

// Set stores v under k.
func (d *Dict) Set(k, v Value) {
	if d.index == nil {
		d.index = map[Value]int{}
	}
	nk := d.norm(k)
	if i, ok := d.index[nk]; ok {
		d.Vals[i] = v
		return
	}
	d.size.insert()
	d.index[nk] = len(d.Keys)
	d.Keys = append(d.Keys, k)
	d.Vals = append(d.Vals, v)
}

// Remove deletes k and reports whether it was present.
func (d *Dict) Remove(k Value) bool {
	nk := d.norm(k)
	i, ok := d.index[nk]
	if !ok {
		return false
	}
	d.Keys = append(d.Keys[:i], d.Keys[i+1:]...)
	d.Vals = append(d.Vals[:i], d.Vals[i+1:]...)
	delete(d.index, nk)
	d.size.remove()
	for j := i; j < len(d.Keys); j++ {
		d.index[d.norm(d.Keys[j])] = j
	}
	return true
}

// Enumerable is implemented by host values that can be enumerated.
type Enumerable interface {
	Each(fn func(Value) bool)
}

// Each calls fn for every element of an enumerable value until fn returns
// false. It reports whether v is enumerable.
func Each(v Value, fn func(Value) bool) bool {
	switch x := v.(type) {
	case *Array:
		for _, e := range x.Items {
			if !fn(e) {
				break
			}
		}
	case *List:
		for _, e := range x.Items {
			if !fn(e) {
				break
			}
		}
	case *Seq:
		for _, e := range x.Items {
			if !fn(e) {
				break
			}
		}
	case []byte:
		for _, e := range x {
			if !fn(e) {
				break
			}
		}
	case string:
		for _, r := range x {
			if !fn(Char(r)) {
				break
			}
		}
	case *Dict:
		for i, k := range x.Keys {
			if !fn(KeyValue{k, x.Vals[i]}) {
				break
			}
		}
	case *jsonx.Token:
		for _, e := range x.Children() {
			if !fn(e) {
				break
			}
		}
	case Enumerable:
		x.Each(fn)
	default:
		return false
	}
	return true
}

// Items returns the elements of an enumerable value as a slice; the slice
// may be shared with v.
func Items(v Value) ([]Value, bool) {
	switch x := v.(type) {
	case *Array:
		return x.Items, true
	case *List:
		return x.Items, true
	case *Seq:
		return x.Items, true
	}
	var out []Value
	ok := Each(v, func(e Value) bool { out = append(out, e); return true })
	return out, ok
}

// ElemType returns the static element type of an enumerable type.
func ElemType(t *Type) *Type {
	if t == nil {
		return nil
	}
	if t.Elem != nil {
		return t.Elem
	}
	u := Universe()
	switch {
	case t == u.String:
		return u.Char
	case t == u.Bytes:
		return u.Byte
	}
	return nil
}

// StringArray returns a string[] holding ss.
func StringArray(ss []string) *Array {
	items := make([]Value, len(ss))
	for i, s := range ss {
		items[i] = s
	}
	return &Array{T: Universe().String, Items: items}
}
