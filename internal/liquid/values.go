package liquid

import (
	"sort"
	"strconv"
	"strings"

	"github.com/osteele/liquid/values"
)

// The types in this file are what templates see. Each implements
// values.Value so that the engine looks properties up through a switch or a
// short scan rather than through reflection, and the iterable ones also
// provide Len and Index, which the engine's for tag uses directly.

// object is a JSON object or an XML element with attributes or children.
// Keys keep document order; iteration yields pair values.
type object struct {
	entries []entry
	// fold makes lookups fall back to an ASCII case-insensitive match
	// (XML bodies, where APIM users write body.envelope for soap:Envelope).
	fold bool
}

type entry struct {
	key string
	val any
}

func (o *object) add(k string, v any) {
	o.entries = append(o.entries, entry{k, v})
}

func (o *object) index(k string) int {
	for i := range o.entries {
		if o.entries[i].key == k {
			return i
		}
	}
	if o.fold {
		for i := range o.entries {
			if strings.EqualFold(o.entries[i].key, k) {
				return i
			}
		}
	}
	return -1
}

func (o *object) get(k string) (any, bool) {
	if i := o.index(k); i >= 0 {
		return o.entries[i].val, true
	}
	return nil, false
}

// Len and Index make an object iterable by the for tag.
func (o *object) Len() int        { return len(o.entries) }
func (o *object) Index(i int) any { return pair{Key: o.entries[i].key, Value: o.entries[i].val} }

func (o *object) Interface() any               { return o }
func (o *object) Int() int                     { return 0 }
func (o *object) Equal(v values.Value) bool    { return v.Interface() == any(o) }
func (o *object) Less(values.Value) bool       { return false }
func (o *object) Test() bool                   { return true }
func (o *object) Contains(v values.Value) bool { _, ok := o.get(keyString(v)); return ok }
func (o *object) IndexValue(v values.Value) values.Value {
	if s, ok := v.Interface().(string); ok {
		if x, ok := o.get(s); ok {
			return values.ValueOf(x)
		}
	}
	return values.ValueOf(nil)
}
func (o *object) PropertyValue(v values.Value) values.Value {
	k := keyString(v)
	if x, ok := o.get(k); ok {
		return values.ValueOf(x)
	}
	return collectionProperty(k, o)
}

// String renders an object as compact JSON.
func (o object) String() string { return string(appendJSON(nil, &o)) }

// pair is one entry of an object or dictionary met in a for loop, with the
// member names of .NET's KeyValuePair.
type pair struct {
	Key   string
	Value any
}

func (p pair) Interface() any             { return p }
func (p pair) Int() int                   { return 0 }
func (p pair) Equal(v values.Value) bool  { o, ok := v.Interface().(pair); return ok && o.Key == p.Key }
func (p pair) Less(values.Value) bool     { return false }
func (p pair) Test() bool                 { return true }
func (p pair) Contains(values.Value) bool { return false }
func (p pair) IndexValue(v values.Value) values.Value {
	switch v.Interface() {
	case 0, "Key":
		return values.ValueOf(p.Key)
	case 1, "Value":
		return values.ValueOf(p.Value)
	}
	return values.ValueOf(nil)
}
func (p pair) PropertyValue(v values.Value) values.Value {
	switch keyString(v) {
	case "Key":
		return values.ValueOf(p.Key)
	case "Value":
		return values.ValueOf(p.Value)
	}
	return values.ValueOf(nil)
}

// String is KeyValuePair.ToString: "[key, value]".
func (p pair) String() string { return "[" + p.Key + ", " + toString(p.Value) + "]" }

// multiDict is a read-only view of headers or query parameters. A name
// maps to its values joined with commas; lookups ignore case; iteration
// is in ascending name order.
type multiDict struct {
	m    map[string][]string
	keys []string
}

func newMultiDict(m map[string][]string) *multiDict { return &multiDict{m: m} }

func (d *multiDict) lookup(k string) (string, bool) {
	v, ok := d.m[k]
	if !ok {
		for name, vs := range d.m {
			if strings.EqualFold(name, k) {
				v, ok = vs, true
				break
			}
		}
	}
	if !ok {
		return "", false
	}
	if len(v) == 1 {
		return v[0], true
	}
	return strings.Join(v, ","), true
}

func (d *multiDict) sorted() []string {
	if d.keys == nil {
		d.keys = make([]string, 0, len(d.m))
		for k := range d.m {
			d.keys = append(d.keys, k)
		}
		sort.Strings(d.keys)
	}
	return d.keys
}

func (d *multiDict) Len() int { return len(d.m) }
func (d *multiDict) Index(i int) any {
	k := d.sorted()[i]
	v, _ := d.lookup(k)
	return pair{Key: k, Value: v}
}
func (d *multiDict) Interface() any               { return d }
func (d *multiDict) Int() int                     { return 0 }
func (d *multiDict) Equal(v values.Value) bool    { return v.Interface() == any(d) }
func (d *multiDict) Less(values.Value) bool       { return false }
func (d *multiDict) Test() bool                   { return true }
func (d *multiDict) Contains(v values.Value) bool { _, ok := d.lookup(keyString(v)); return ok }
func (d *multiDict) IndexValue(v values.Value) values.Value {
	if s, ok := v.Interface().(string); ok {
		if x, ok := d.lookup(s); ok {
			return values.ValueOf(x)
		}
	}
	return values.ValueOf(nil)
}
func (d *multiDict) PropertyValue(v values.Value) values.Value {
	k := keyString(v)
	if x, ok := d.lookup(k); ok {
		return values.ValueOf(x)
	}
	return collectionProperty(k, d)
}

// String lists the entries as "name: value" lines.
func (d multiDict) String() string {
	var b strings.Builder
	for i := range d.Len() {
		p := d.Index(i).(pair)
		b.WriteString(p.Key + ": " + toString(p.Value) + "\n")
	}
	return b.String()
}

// strDict is a read-only view of matched template parameters.
type strDict struct {
	m    map[string]string
	keys []string
}

func (d *strDict) lookup(k string) (string, bool) {
	if v, ok := d.m[k]; ok {
		return v, true
	}
	for name, v := range d.m {
		if strings.EqualFold(name, k) {
			return v, true
		}
	}
	return "", false
}

func (d *strDict) Len() int { return len(d.m) }
func (d *strDict) Index(i int) any {
	if d.keys == nil {
		d.keys = make([]string, 0, len(d.m))
		for k := range d.m {
			d.keys = append(d.keys, k)
		}
		sort.Strings(d.keys)
	}
	k := d.keys[i]
	return pair{Key: k, Value: d.m[k]}
}
func (d *strDict) Interface() any               { return d }
func (d *strDict) Int() int                     { return 0 }
func (d *strDict) Equal(v values.Value) bool    { return v.Interface() == any(d) }
func (d *strDict) Less(values.Value) bool       { return false }
func (d *strDict) Test() bool                   { return true }
func (d *strDict) Contains(v values.Value) bool { _, ok := d.lookup(keyString(v)); return ok }
func (d *strDict) IndexValue(v values.Value) values.Value {
	if s, ok := v.Interface().(string); ok {
		if x, ok := d.lookup(s); ok {
			return values.ValueOf(x)
		}
	}
	return values.ValueOf(nil)
}
func (d *strDict) PropertyValue(v values.Value) values.Value {
	k := keyString(v)
	if x, ok := d.lookup(k); ok {
		return values.ValueOf(x)
	}
	return collectionProperty(k, d)
}

// String lists the entries as "name: value" lines.
func (d strDict) String() string {
	var b strings.Builder
	for i := range d.Len() {
		p := d.Index(i).(pair)
		b.WriteString(p.Key + ": " + toString(p.Value) + "\n")
	}
	return b.String()
}

// iterable is the shape the engine's for tag iterates.
type iterable interface {
	Len() int
	Index(int) any
}

// collectionProperty answers the size, first and last pseudo-properties
// that Liquid offers on every collection.
func collectionProperty(k string, c iterable) values.Value {
	switch k {
	case "size":
		return values.ValueOf(c.Len())
	case "first":
		if c.Len() > 0 {
			return values.ValueOf(c.Index(0))
		}
	case "last":
		if n := c.Len(); n > 0 {
			return values.ValueOf(c.Index(n - 1))
		}
	}
	return values.ValueOf(nil)
}

func keyString(v values.Value) string {
	switch k := v.Interface().(type) {
	case string:
		return k
	case int:
		return strconv.Itoa(k)
	}
	return ""
}

// view is the base of the context views: a value that is not a collection
// and has no keys of its own.
type view struct{}

func (view) Int() int                                { return 0 }
func (view) Less(values.Value) bool                  { return false }
func (view) Test() bool                              { return true }
func (view) Contains(values.Value) bool              { return false }
func (view) IndexValue(values.Value) values.Value    { return values.ValueOf(nil) }
func (view) PropertyValue(values.Value) values.Value { return values.ValueOf(nil) }
