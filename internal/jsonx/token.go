package jsonx

import (
	"math/big"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// Type is Newtonsoft.Json.Linq.JTokenType.
type Type uint8

// JTokenType values, numbered as in Json.NET.
const (
	None Type = iota
	Object
	Array
	Constructor
	Property
	Comment
	Integer
	Float
	String
	Boolean
	Null
	Undefined
	Date
	Raw
	Bytes
	Guid
	Uri
	TimeSpan
)

var typeNames = [...]string{"None", "Object", "Array", "Constructor", "Property", "Comment", "Integer", "Float", "String", "Boolean", "Null", "Undefined", "Date", "Raw", "Bytes", "Guid", "Uri", "TimeSpan"}

// String returns the enum member name ("Object", "Integer", ...).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "None"
}

// Token is one node of the tree: JObject, JArray, JProperty, JConstructor,
// JValue or JRaw, distinguished by Type. Tokens have reference semantics: a token belongs
// to at most one parent, and adding a token that already has a parent adds
// a deep copy of it, as Json.NET does.
type Token struct {
	typ    Type
	dkind  dotnet.Kind // Date kind
	parent *Token

	items []*Token // Object: Property tokens; Array, Constructor: elements
	index map[string]int

	value *Token // Property value

	str string  // Property and Constructor name; String, Guid, Uri, Comment, Raw text
	num int64   // Integer; Boolean as 0/1; Date and TimeSpan ticks; 1 for a null Constructor name or Raw value
	f   float64 // Float
	ext any     // *big.Int for integers beyond int64; []byte for Bytes; a Raw's source value
}

func (t *Token) bigv() *big.Int {
	b, _ := t.ext.(*big.Int)
	return b
}

func (t *Token) rawv() []byte {
	b, _ := t.ext.([]byte)
	return b
}

func (t *Token) dtv() dotnet.DateTime {
	d, _ := dotnet.DateTimeFromTicks(t.num, t.dkind)
	return d
}

// indexThreshold is the property count above which an object keeps a name
// index instead of scanning.
const indexThreshold = 12

// NewObject returns an empty JObject.
func NewObject() *Token { return &Token{typ: Object} }

// NewArray returns a JArray holding the given values (copied when parented).
func NewArray(items ...*Token) *Token {
	a := &Token{typ: Array}
	for _, it := range items {
		_ = a.Add(it)
	}
	return a
}

// NewProperty returns a JProperty; a nil value means JSON null.
func NewProperty(name string, value *Token) *Token {
	p := &Token{typ: Property, str: name}
	p.value = p.adopt(value)
	return p
}

// NewString returns a string JValue.
func NewString(s string) *Token { return &Token{typ: String, str: s} }

// NewComment returns a comment token, written as /*s*/.
func NewComment(s string) *Token { return &Token{typ: Comment, str: s} }

// NewInt returns an integer JValue.
func NewInt(v int64) *Token { return &Token{typ: Integer, num: v} }

// NewBigInt returns an integer JValue holding a value beyond int64.
func NewBigInt(v *big.Int) *Token {
	if v.IsInt64() {
		return NewInt(v.Int64())
	}
	return &Token{typ: Integer, ext: new(big.Int).Set(v)}
}

// NewFloat returns a float JValue.
func NewFloat(v float64) *Token { return &Token{typ: Float, f: v} }

// NewBool returns a boolean JValue.
func NewBool(v bool) *Token {
	t := &Token{typ: Boolean}
	if v {
		t.num = 1
	}
	return t
}

// NewNull returns a null JValue (JValue.CreateNull()).
func NewNull() *Token { return &Token{typ: Null} }

// NewUndefined returns an undefined JValue.
func NewUndefined() *Token { return &Token{typ: Undefined} }

// NewDate returns a date JValue.
func NewDate(d dotnet.DateTime) *Token { return &Token{typ: Date, num: d.Ticks(), dkind: d.Kind()} }

// NewBytes returns a bytes JValue (printed as base64).
func NewBytes(b []byte) *Token { return &Token{typ: Bytes, ext: append([]byte(nil), b...)} }

// NewGuid returns a GUID JValue holding its canonical text.
func NewGuid(text string) *Token { return &Token{typ: Guid, str: text} }

// NewURI returns a URI JValue holding the original string.
func NewURI(text string) *Token { return &Token{typ: Uri, str: text} }

// NewTimeSpan returns a TimeSpan JValue.
func NewTimeSpan(ts dotnet.TimeSpan) *Token { return &Token{typ: TimeSpan, num: int64(ts)} }

// NewRaw returns a JRaw holding raw JSON text, written verbatim inside
// JSON (new JRaw("[1]")); its value is the text.
func NewRaw(text string) *Token { return &Token{typ: Raw, str: text} }

// NewRawValue returns the JRaw of new JRaw(object rawJson) for a value
// that is not a string: text is what v's ToString gives, written verbatim;
// RawValue returns v. A nil v is a JRaw with a null value, which prints as
// "" and writes nothing.
func NewRawValue(text string, v any) *Token {
	if v == nil {
		return &Token{typ: Raw, num: 1}
	}
	return &Token{typ: Raw, str: text, ext: v}
}

// RawValue returns a JRaw's value (JValue.Value): the value it was made
// from, its text for NewRaw, nil for a null value.
func (t *Token) RawValue() any {
	switch {
	case t.num != 0:
		return nil
	case t.ext != nil:
		return t.ext
	}
	return t.str
}

// NewConstructor returns a JConstructor named name holding the given
// values (copied when parented), written as "new name(...)".
func NewConstructor(name string, items ...*Token) *Token {
	c := &Token{typ: Constructor, str: name}
	for _, it := range items {
		_ = c.Add(it)
	}
	return c
}

// NewUnnamedConstructor returns the JConstructor of new JConstructor(),
// whose Name is null.
func NewUnnamedConstructor() *Token { return &Token{typ: Constructor, num: 1} }

// ConstructorName returns a JConstructor's Name; ok is false when it is
// null.
func (t *Token) ConstructorName() (name string, ok bool) { return t.str, t.num == 0 }

// SetConstructorName sets a JConstructor's Name; ok false sets it to null.
func (t *Token) SetConstructorName(name string, ok bool) {
	t.str, t.num = name, 0
	if !ok {
		t.str, t.num = "", 1
	}
}

// Type returns the token's JTokenType; a nil token reports None.
func (t *Token) Type() Type {
	if t == nil {
		return None
	}
	return t.typ
}

// Parent returns the containing token (an object's property, an array, or
// for a property, its object), or nil.
func (t *Token) Parent() *Token { return t.parent }

// Root returns the topmost ancestor.
func (t *Token) Root() *Token {
	for t.parent != nil {
		t = t.parent
	}
	return t
}

// Name returns a property's or a constructor's name.
func (t *Token) Name() string { return t.str }

// Value returns a property's value token.
func (t *Token) Value() *Token { return t.value }

// IsValue reports whether t is a JValue (not a container or property).
func (t *Token) IsValue() bool {
	return t != nil && t.typ != Object && t.typ != Array && t.typ != Property && t.typ != Constructor
}

// Str returns a string-like value's text (String, Guid, Uri, Comment,
// Raw) or a property's name.
func (t *Token) Str() string { return t.str }

// Int returns an integer value (0 for big integers; see BigInt).
func (t *Token) Int() int64 { return t.num }

// BigInt returns the value of an integer beyond int64, or nil.
func (t *Token) BigInt() *big.Int { return t.bigv() }

// Float returns a float value.
func (t *Token) Float() float64 { return t.f }

// Bool returns a boolean value.
func (t *Token) Bool() bool { return t.num != 0 }

// DateTime returns a date value.
func (t *Token) DateTime() dotnet.DateTime { return t.dtv() }

// TimeSpanValue returns a TimeSpan value.
func (t *Token) TimeSpanValue() dotnet.TimeSpan { return dotnet.TimeSpan(t.num) }

// BytesValue returns a bytes value.
func (t *Token) BytesValue() []byte { return t.rawv() }

// adopt makes v a child of t, cloning it if it already has a parent and
// turning nil into a null value.
func (t *Token) adopt(v *Token) *Token {
	if v == nil {
		v = NewNull()
	} else if v.parent != nil || v == t.Root() {
		// A parented token, or the root of the tree being added to
		// itself, is copied (JContainer.EnsureParentToken).
		v = v.DeepClone()
	}
	v.parent = t
	return v
}

// Count returns the number of children: properties of an object, elements
// of an array or constructor, 1 for a property, 0 otherwise.
func (t *Token) Count() int {
	switch t.typ {
	case Object, Array, Constructor:
		return len(t.items)
	case Property:
		return 1
	}
	return 0
}

// HasValues reports whether a container has children (JToken.HasValues).
func (t *Token) HasValues() bool {
	switch t.typ {
	case Object, Array, Constructor:
		return len(t.items) > 0
	case Property:
		return true
	}
	return false
}

// Children returns the direct children: an object's properties, an array's
// or constructor's elements, a property's value. The slice must not be
// modified.
func (t *Token) Children() []*Token {
	switch t.typ {
	case Object, Array, Constructor:
		return t.items
	case Property:
		return []*Token{t.value}
	}
	return nil
}

// First is JToken.First: the first child, or nil.
func (t *Token) First() *Token {
	if c := t.Children(); len(c) > 0 {
		return c[0]
	}
	return nil
}

// Last is JToken.Last: the last child, or nil.
func (t *Token) Last() *Token {
	if c := t.Children(); len(c) > 0 {
		return c[len(c)-1]
	}
	return nil
}

// siblingIndex returns t's index among its parent's children, or -1.
func (t *Token) siblingIndex() int {
	if t.parent == nil || t.parent.typ == Property {
		return -1
	}
	for i, c := range t.parent.items {
		if c == t {
			return i
		}
	}
	return -1
}

// Next is JToken.Next: the following sibling, or nil.
func (t *Token) Next() *Token {
	if i := t.siblingIndex(); i >= 0 && i+1 < len(t.parent.items) {
		return t.parent.items[i+1]
	}
	return nil
}

// Previous is JToken.Previous: the preceding sibling, or nil.
func (t *Token) Previous() *Token {
	if i := t.siblingIndex(); i > 0 {
		return t.parent.items[i-1]
	}
	return nil
}

// Descendants is JContainer.Descendants: every token below t in document
// order, properties included.
func (t *Token) Descendants() []*Token {
	var out []*Token
	var walk func(*Token)
	walk = func(n *Token) {
		for _, c := range n.Children() {
			out = append(out, c)
			walk(c)
		}
	}
	walk(t)
	return out
}

// Properties returns an object's properties in order.
func (t *Token) Properties() []*Token {
	if t.typ != Object {
		return nil
	}
	return t.items
}

func (t *Token) propIndex(name string) int {
	if t.index != nil {
		if i, ok := t.index[name]; ok {
			return i
		}
		return -1
	}
	for i, p := range t.items {
		if p.str == name {
			return i
		}
	}
	return -1
}

func (t *Token) reindex() {
	if len(t.items) <= indexThreshold {
		t.index = nil
		return
	}
	t.index = make(map[string]int, len(t.items))
	for i, p := range t.items {
		t.index[p.str] = i
	}
}

// Property returns an object's property by exact name, or nil.
func (t *Token) Property(name string) *Token {
	if t == nil || t.typ != Object {
		return nil
	}
	if i := t.propIndex(name); i >= 0 {
		return t.items[i]
	}
	return nil
}

// Get returns the value of an object's property (JObject[name]), or nil
// when t is not an object or has no such property.
func (t *Token) Get(name string) *Token {
	if p := t.Property(name); p != nil {
		return p.value
	}
	return nil
}

// Item is the indexer token[key] with a string key, returning Json.NET's
// errors for tokens that have no string indexer.
func (t *Token) Item(key string) (*Token, error) {
	switch t.typ {
	case Object:
		return t.Get(key), nil
	case Array:
		return nil, argErr(`Accessed JArray values with invalid key value: "` + key + `". Int32 array index expected.`)
	case Constructor:
		return nil, argErr(`Accessed JConstructor values with invalid key value: "` + key + `". Argument position index expected.`)
	case Property:
		return nil, invalidOp("Cannot access child value on Newtonsoft.Json.Linq.JProperty.")
	}
	return nil, invalidOp("Cannot access child value on " + netTypeName(t) + ".")
}

// At is the indexer token[i] with an integer key.
func (t *Token) At(i int) (*Token, error) {
	switch t.typ {
	case Array, Constructor:
		if i < 0 || i >= len(t.items) {
			return nil, &ConvertError{Type: "System.ArgumentOutOfRangeException", Message: "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')"}
		}
		return t.items[i], nil
	case Object:
		return nil, argErr("Accessed JObject values with invalid key value: " + itoa(i) + ". Object property name expected.")
	case Property:
		return nil, invalidOp("Cannot access child value on Newtonsoft.Json.Linq.JProperty.")
	}
	return nil, invalidOp("Cannot access child value on " + netTypeName(t) + ".")
}

// Set is JObject[name] = value: it replaces the value of an existing
// property in place or appends a new property.
func (t *Token) Set(name string, value *Token) error {
	if t.typ == Constructor {
		return argErr(`Set JConstructor values with invalid key value: "` + name + `". Argument position index expected.`)
	}
	if t.typ != Object {
		return invalidOp("Cannot set child value on " + netTypeName(t) + ".")
	}
	if i := t.propIndex(name); i >= 0 {
		p := t.items[i]
		p.value.parent = nil
		p.value = p.adopt(value)
		return nil
	}
	t.appendProp(NewProperty(name, value))
	return nil
}

func (t *Token) appendProp(p *Token) {
	p.parent = t
	t.items = append(t.items, p)
	if t.index != nil {
		t.index[p.str] = len(t.items) - 1
	} else if len(t.items) > indexThreshold {
		t.reindex()
	}
}

// SetAt is JArray[i] = value and JConstructor[i] = value.
func (t *Token) SetAt(i int, value *Token) error {
	if t.typ == Constructor {
		// JContainer.SetItem
		if i < 0 {
			return &ConvertError{Type: "System.ArgumentOutOfRangeException", Message: "Index is less than 0. (Parameter 'index')"}
		}
		if i >= len(t.items) {
			return &ConvertError{Type: "System.ArgumentOutOfRangeException", Message: "Index is equal to or greater than Count. (Parameter 'index')"}
		}
		if value != nil && value.typ == Property {
			return argErr("Can not add Newtonsoft.Json.Linq.JProperty to Newtonsoft.Json.Linq.JConstructor.")
		}
		t.items[i].parent = nil
		t.items[i] = t.adopt(value)
		return nil
	}
	if t.typ != Array {
		return argErr("Set JArray values with invalid key value: " + itoa(i) + ". Int32 array index expected.")
	}
	if i < 0 || i >= len(t.items) {
		return errIndexRange()
	}
	t.items[i].parent = nil
	t.items[i] = t.adopt(value)
	return nil
}

// Add is JContainer.Add: an array appends any token; an object accepts
// only properties whose name is not yet used.
func (t *Token) Add(v *Token) error {
	switch t.typ {
	case Array, Constructor:
		if v != nil && v.typ == Property {
			return argErr("Can not add Newtonsoft.Json.Linq.JProperty to " + netTypeName(t) + ".")
		}
		t.items = append(t.items, t.adopt(v))
		return nil
	case Object:
		if v == nil || v.typ != Property {
			return argErr("Can not add " + netTypeName(v) + " to Newtonsoft.Json.Linq.JObject.")
		}
		if t.propIndex(v.str) >= 0 {
			return argErr("Can not add property " + v.str + " to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object.")
		}
		t.appendProp(t.adopt(v))
		return nil
	case Property:
		return jsonErr("Newtonsoft.Json.Linq.JProperty cannot have multiple values.")
	}
	return invalidOp("Cannot add or remove items from " + netTypeName(t) + ".")
}

// Insert inserts v into an array or constructor at index i.
func (t *Token) Insert(i int, v *Token) error {
	if t.typ != Array && t.typ != Constructor {
		return invalidOp("Cannot add or remove items from " + netTypeName(t) + ".")
	}
	if v != nil && v.typ == Property {
		return argErr("Can not add Newtonsoft.Json.Linq.JProperty to " + netTypeName(t) + ".")
	}
	if i < 0 || i > len(t.items) {
		return &ConvertError{Type: "System.ArgumentOutOfRangeException", Message: "Index must be within the bounds of the List. (Parameter 'index')"}
	}
	v = t.adopt(v)
	t.items = append(t.items, nil)
	copy(t.items[i+1:], t.items[i:])
	t.items[i] = v
	return nil
}

// RemoveProperty is JObject.Remove(name); it reports whether a property
// was removed.
func (t *Token) RemoveProperty(name string) bool {
	if t.typ != Object {
		return false
	}
	i := t.propIndex(name)
	if i < 0 {
		return false
	}
	t.removeAt(i)
	return true
}

func (t *Token) removeAt(i int) {
	t.items[i].parent = nil
	t.items = append(t.items[:i], t.items[i+1:]...)
	if t.index != nil {
		t.reindex()
	}
}

// Remove is JToken.Remove(): it detaches t from its parent.
func (t *Token) Remove() error {
	p := t.parent
	if p == nil {
		return invalidOp("The parent is missing.")
	}
	if p.typ == Property {
		return jsonErr("Cannot add or remove items from Newtonsoft.Json.Linq.JProperty.")
	}
	for i, c := range p.items {
		if c == t {
			p.removeAt(i)
			return nil
		}
	}
	return invalidOp("The parent is missing.")
}

// Replace is JToken.Replace(value): t is swapped for value in its parent.
func (t *Token) Replace(value *Token) error {
	p := t.parent
	if p == nil {
		return invalidOp("The parent is missing.")
	}
	if p.typ == Property {
		t.parent = nil
		p.value = p.adopt(value)
		return nil
	}
	for i, c := range p.items {
		if c != t {
			continue
		}
		if p.typ == Object {
			if value == nil || value.typ != Property {
				return argErr("Can not add " + netTypeName(value) + " to Newtonsoft.Json.Linq.JObject.")
			}
			if j := p.propIndex(value.str); j >= 0 && j != i {
				return argErr("Can not add property " + value.str + " to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object.")
			}
		}
		t.parent = nil
		p.items[i] = p.adopt(value)
		if p.index != nil {
			p.reindex()
		}
		return nil
	}
	return invalidOp("The parent is missing.")
}

// RemoveAll removes every child of a container.
func (t *Token) RemoveAll() {
	for _, c := range t.items {
		c.parent = nil
	}
	t.items = nil
	t.index = nil
}

// DeepClone returns an unparented deep copy of t.
func (t *Token) DeepClone() *Token {
	c := *t
	c.parent = nil
	c.index = nil
	switch t.typ {
	case Object, Array, Constructor:
		c.items = make([]*Token, len(t.items))
		for i, it := range t.items {
			n := it.DeepClone()
			n.parent = &c
			c.items[i] = n
		}
		if t.typ == Object {
			c.reindex()
		}
	case Property:
		c.value = t.value.DeepClone()
		c.value.parent = &c
	case Integer:
		if t.bigv() != nil {
			c.ext = new(big.Int).Set(t.bigv())
		}
	case Bytes:
		c.ext = append([]byte(nil), t.rawv()...)
	}
	return &c
}

// DeepEquals is JToken.DeepEquals: same structure, same token types and
// equal values (Integer 1 and Float 1.0 differ, as in Json.NET).
func DeepEquals(a, b *Token) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.typ != b.typ {
		return false
	}
	switch a.typ {
	case Object:
		if len(a.items) != len(b.items) {
			return false
		}
		for _, p := range a.items {
			q := b.Property(p.str)
			if q == nil || !DeepEquals(p.value, q.value) {
				return false
			}
		}
		return true
	case Array, Constructor:
		if len(a.items) != len(b.items) || a.typ == Constructor && (a.str != b.str || a.num != b.num) {
			return false
		}
		for i := range a.items {
			if !DeepEquals(a.items[i], b.items[i]) {
				return false
			}
		}
		return true
	case Property:
		return a.str == b.str && DeepEquals(a.value, b.value)
	case Integer:
		if a.bigv() != nil || b.bigv() != nil {
			return bigOf(a).Cmp(bigOf(b)) == 0
		}
		return a.num == b.num
	case Float:
		return a.f == b.f || (a.f != a.f && b.f != b.f)
	case Date:
		return a.dtv().Ticks() == b.dtv().Ticks()
	case Bytes:
		return string(a.rawv()) == string(b.rawv())
	case Null, Undefined:
		return true
	}
	return a.str == b.str && a.num == b.num
}

func bigOf(t *Token) *big.Int {
	if t.bigv() != nil {
		return t.bigv()
	}
	return big.NewInt(t.num)
}

func numAsFloat(t *Token) float64 {
	if t.typ == Float {
		return t.f
	}
	if t.bigv() != nil {
		f, _ := new(big.Float).SetInt(t.bigv()).Float64()
		return f
	}
	return float64(t.num)
}

// netTypeName is the .NET class of t, as GetType() prints it.
func netTypeName(t *Token) string {
	if t == nil {
		return "Newtonsoft.Json.Linq.JValue"
	}
	switch t.typ {
	case Object:
		return "Newtonsoft.Json.Linq.JObject"
	case Array:
		return "Newtonsoft.Json.Linq.JArray"
	case Property:
		return "Newtonsoft.Json.Linq.JProperty"
	case Constructor:
		return "Newtonsoft.Json.Linq.JConstructor"
	case Raw:
		return "Newtonsoft.Json.Linq.JRaw"
	}
	return "Newtonsoft.Json.Linq.JValue"
}

// NetTypeName is the .NET class of t (JObject, JRaw, ...), as GetType()
// prints it: "Newtonsoft.Json.Linq.JObject".
func NetTypeName(t *Token) string { return netTypeName(t) }

func itoa(i int) string {
	s, _ := dotnet.FormatInt(int64(i), "")
	return s
}

// Merge merges content into t as Json.NET's JContainer.Merge does with its
// default settings: into an object, each property of an object is added
// when t lacks it, merged when both values are objects or both arrays, and
// replaces t's value otherwise, except that a null never replaces one; into
// an array, the items of an array are appended; into a constructor, a
// constructor's name (unless null) and items. Content of another kind
// changes nothing. Values are copied, never shared.
func (t *Token) Merge(content *Token) {
	if content == nil {
		return
	}
	switch {
	case t.typ == Object && content.typ == Object:
		for _, p := range content.Properties() {
			v := p.Value()
			old := t.Get(p.Name())
			switch {
			case old == nil && t.Property(p.Name()) == nil:
				t.Set(p.Name(), v.DeepClone())
			case old != nil && (old.typ == Object || old.typ == Array || old.typ == Constructor) && old.typ == v.typ:
				old.Merge(v)
			case v.typ == Null:
			default:
				t.Set(p.Name(), v.DeepClone())
			}
		}
	case t.typ == Array && content.typ == Array:
		for _, it := range content.Children() {
			t.Add(it.DeepClone())
		}
	case t.typ == Constructor && content.typ == Constructor:
		// JConstructor.MergeItem: the content's name, unless null, and
		// its values appended.
		if name, ok := content.ConstructorName(); ok {
			t.SetConstructorName(name, true)
		}
		for _, it := range content.Children() {
			t.Add(it.DeepClone())
		}
	}
}
