package value

import (
	"strings"
	"sync"
	"time"
)

// Lib is the table of .NET types known to expressions. It is built once and
// never changes afterwards, except for the cache of generic instantiations.
type Lib struct {
	// Types maps every accepted spelling of a type name ("string", "String",
	// "System.String") to its type.
	Types map[string]*Type
	// Namespaces lists namespace prefixes that may appear in qualified names.
	Namespaces map[string]bool

	Object, Bool, Int, Long, Double, Byte, String, Char *Type
	DateTime, TimeSpan, DateTimeOffset, Guid, Bytes     *Type
	Anonymous, Func, Void, Enumerable, Exception        *Type
	Context, Request, Response, Url, Headers, Body      *Type
	Variables, Api, Operation, Product, Subscription    *Type
	User, Deployment, LastError, Certificate, Group     *Type
	KeyValue, Params, StringComparison, SplitOptions    *Type
	Jwt, Basic, Regex, Match, Group_, Capture, Groups   *Type
	MatchCollection, Random, HashAlg, Encoding          *Type
	JToken, JObject, JArray, JValue, JProperty          *Type
	Decimal, Single                                     *Type
	// the integer types other than int, long and byte, each held as its
	// own Go type (int8, int16, uint16, uint32, uint64).
	SByte, Short, UShort, UInt, ULong *Type
	// X holds the System.Xml.Linq and System.Xml types.
	X xmlTypes

	arrayBase, listBase, dictBase, seqBase *Type
	enumeratorBase, readOnlyBase           *Type
	equalityComparer                       *Type    // IEqualityComparer<T>
	generics                               sync.Map // string -> *Type
	zones                                  sync.Map // time zone id -> *TimeZone
}

var lib struct {
	once sync.Once
	lib  *Lib
}

// Universe returns the library table, building it on first use. The table
// is immutable afterwards.
func Universe() *Lib {
	lib.once.Do(func() { lib.lib = buildLib() })
	return lib.lib
}

func prop(name string, res *Type, get func(c Call) Value) *Member {
	return &Member{Name: name, Kind: Property, Result: res, Get: get}
}

func meth(name string, minArgs, maxArgs int, res *Type, fn func(c Call) Value) *Member {
	return &Member{Name: name, Kind: Method, Min: minArgs, Max: maxArgs, Result: res, Fn: fn}
}

func (t *Type) add(ms ...*Member) *Type {
	if t.Members == nil {
		t.Members = map[string]*Member{}
	}
	for _, m := range ms {
		t.Members[m.Name] = m
	}
	return t
}

func (t *Type) addStatic(ms ...*Member) *Type {
	if t.Statics == nil {
		t.Statics = map[string]*Member{}
	}
	for _, m := range ms {
		t.Statics[m.Name] = m
	}
	return t
}

func (u *Lib) newType(name, full string, base *Type, aliases ...string) *Type {
	t := &Type{Name: name, FullName: full, Base: base}
	u.Types[name] = t
	u.Types[full] = t
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		u.Types[full[i+1:]] = t
		u.Namespaces[full[:i]] = true
		for ns := full[:i]; ; {
			u.Namespaces[ns] = true
			j := strings.LastIndexByte(ns, '.')
			if j < 0 {
				break
			}
			ns = ns[:j]
		}
	}
	for _, a := range aliases {
		u.Types[a] = t
	}
	return t
}

func buildLib() *Lib {
	u := &Lib{Types: map[string]*Type{}, Namespaces: map[string]bool{}}
	u.Object = u.newType("object", "System.Object", nil, "Object")
	u.Object.Is = func(v Value) bool { return true }
	u.Enumerable = u.newType("IEnumerable", "System.Collections.Generic.IEnumerable`1", u.Object, "IEnumerable`1")
	u.Enumerable.Generic = "IEnumerable"
	u.Bool = u.newType("bool", "System.Boolean", u.Object)
	u.Int = u.newType("int", "System.Int32", u.Object)
	u.Long = u.newType("long", "System.Int64", u.Object)
	u.Double = u.newType("double", "System.Double", u.Object)
	u.Byte = u.newType("byte", "System.Byte", u.Object)
	u.Char = u.newType("char", "System.Char", u.Object)
	u.String = u.newType("string", "System.String", u.Enumerable)
	u.String.Elem = u.Char
	u.DateTime = u.newType("DateTime", "System.DateTime", u.Object)
	u.TimeSpan = u.newType("TimeSpan", "System.TimeSpan", u.Object)
	u.DateTimeOffset = u.newType("DateTimeOffset", "System.DateTimeOffset", u.Object)
	u.Guid = u.newType("Guid", "System.Guid", u.Object)
	for _, t := range []*Type{u.Bool, u.Int, u.Long, u.Double, u.Byte, u.Char, u.DateTime, u.TimeSpan, u.DateTimeOffset, u.Guid} {
		t.Value = true
		// Nullable<T> members, for values that may be null (DateTime?).
		t.add(prop("Value", t, func(c Call) Value { return c.This }),
			prop("HasValue", u.Bool, func(c Call) Value { return true }),
			meth("GetValueOrDefault", 0, 1, t, func(c Call) Value { return c.This }))
	}
	is := func(t *Type, f func(v Value) bool) { t.Is = f }
	is(u.Bool, func(v Value) bool { _, ok := v.(bool); return ok })
	is(u.Int, func(v Value) bool { _, ok := v.(int32); return ok })
	is(u.Long, func(v Value) bool { _, ok := v.(int64); return ok })
	is(u.Double, func(v Value) bool { _, ok := v.(float64); return ok })
	is(u.Byte, func(v Value) bool { _, ok := v.(uint8); return ok })
	is(u.Char, func(v Value) bool { _, ok := v.(Char); return ok })
	is(u.String, func(v Value) bool { _, ok := v.(string); return ok })
	is(u.DateTime, func(v Value) bool { _, ok := v.(time.Time); return ok })
	is(u.TimeSpan, func(v Value) bool { _, ok := v.(TimeSpan); return ok })
	is(u.DateTimeOffset, func(v Value) bool { _, ok := v.(DateTimeOffset); return ok })
	is(u.Guid, func(v Value) bool { _, ok := v.(Guid); return ok })
	u.Anonymous = &Type{Name: "<anonymous type>", FullName: "<>f__AnonymousType", Base: u.Object, Open: true}
	u.Func = &Type{Name: "Func", FullName: "System.Func", Base: u.Object}
	u.Void = &Type{Name: "void", FullName: "System.Void"}
	u.arrayBase = &Type{Name: "Array", FullName: "System.Array", Base: u.Enumerable}
	u.Types["Array"] = u.arrayBase
	u.listBase = &Type{Name: "List", FullName: "System.Collections.Generic.List`1", Base: u.Enumerable, Generic: "List"}
	u.Types["List"] = u.listBase
	u.Types["IList"] = u.listBase
	u.Types["ICollection"] = u.listBase
	u.dictBase = &Type{Name: "Dictionary", FullName: "System.Collections.Generic.Dictionary`2", Base: u.Enumerable, Generic: "Dictionary"}
	u.Types["Dictionary"] = u.dictBase
	u.Types["IDictionary"] = u.dictBase
	u.Types["IReadOnlyDictionary"] = u.dictBase
	u.seqBase = u.Enumerable
	u.Bytes = u.ArrayOf(u.Byte)
	u.KeyValue = u.newType("KeyValuePair", "System.Collections.Generic.KeyValuePair`2", u.Object)
	u.Exception = u.newType("Exception", "System.Exception", u.Object)
	for _, n := range []string{"System.Math", "System.Convert", "System.Text.Encoding", "System.Net.WebUtility",
		"System.Web.HttpUtility", "System.Linq.Enumerable", "System.Uri", "System.BitConverter"} {
		_ = n
	}
	u.Namespaces["System"] = true
	u.buildCore()
	u.buildNarrow()
	u.buildDecimal()
	u.buildString()
	u.buildCollections()
	u.buildLinq()
	u.buildLinqMore()
	u.buildContext()
	u.buildContextMore()
	u.buildMisc()
	u.buildRegex()
	u.buildJwt()
	u.buildAuthorization()
	u.buildCrypto()
	u.buildRSA()
	u.buildCertificate()
	u.buildSymmetric()
	u.buildEnum()
	u.buildJSON()
	u.buildDecimalMath()
	u.buildXML()
	u.buildNet()
	u.buildQueueStack()
	u.buildTimeZone()
	u.buildTimeZoneMore()
	u.buildTuple()
	u.buildKnownOnly()
	u.buildMiscMore()
	u.buildStringMore()
	u.buildMathMore()
	u.buildConvertMore()
	u.buildTimeMore()
	u.buildJSONMore()
	u.buildJTokenComparer()
	u.buildJSONNotes()
	u.buildXMLNotes()
	u.buildExceptionData()
	u.buildTextMore()
	u.buildEncodings()
	u.buildCollectionsMore()
	u.buildArraysMore()
	u.buildCapacity()
	u.buildSets()
	u.buildLinqBy()
	u.buildURIMore()
	u.buildParseExact()
	u.buildEnumerator()
	u.buildTypeCode()
	u.buildJArrayCopyTo()
	u.buildReadOnly()
	u.buildMembersText()
	u.buildBudget()
	u.buildIntegers()
	u.buildValues()
	u.buildNotAllowed()
	return u
}

// Lookup returns the type named name (any accepted spelling), with generic
// arguments applied.
func (u *Lib) Lookup(name string, args []*Type, array int) *Type {
	var t *Type
	switch {
	case len(args) == 0:
		t = u.Types[name]
		if t == nil && strings.HasPrefix(name, "System.") {
			t = u.Types[name[strings.LastIndexByte(name, '.')+1:]]
		}
	default:
		base := name
		if i := strings.LastIndexByte(base, '.'); i >= 0 {
			base = base[i+1:]
		}
		switch base {
		case "HashSet", "ISet":
			if len(args) == 1 {
				el := args[0]
				t = u.generic("H:"+typeKey(el), func() *Type {
					h := u.Types["HashSet"]
					return &Type{Name: "HashSet<" + el.Name + ">", FullName: "System.Collections.Generic.HashSet`1[" + el.FullName + "]", Base: h, Elem: el, Generic: "List",
						Is: func(v Value) bool { l, ok := v.(*List); return ok && l.Set }}
				})
			}
		case "List", "IList", "ICollection", "IReadOnlyList", "IReadOnlyCollection":
			if len(args) == 1 {
				t = u.ListOf(args[0])
			}
		case "Queue", "Stack":
			if len(args) == 1 {
				t = u.queueOrStack(base, args[0])
			}
		case "IEnumerable":
			if len(args) == 1 {
				t = u.SeqOf(args[0])
			}
		case "Dictionary", "IDictionary", "IReadOnlyDictionary":
			if len(args) == 2 {
				t = u.DictOf(args[0], args[1])
			}
		case "KeyValuePair":
			t = u.KeyValue
		case "Func", "Action", "Tuple", "Nullable":
			t = u.Types[base]
			if base == "Nullable" && len(args) == 1 {
				t = u.NullableOf(args[0])
			}
		}
	}
	if t == nil {
		return nil
	}
	for range array {
		t = u.ArrayOf(t)
	}
	return t
}

func (u *Lib) generic(key string, mk func() *Type) *Type {
	if strings.Contains(key, "<>f__AnonymousType") {
		// anonymous types belong to one program: the instantiation is not
		// shared (nor kept) between programs
		return mk()
	}
	if t, ok := u.generics.Load(key); ok {
		return t.(*Type)
	}
	t, _ := u.generics.LoadOrStore(key, mk())
	return t.(*Type)
}

func typeKey(t *Type) string {
	if t == nil {
		return "object"
	}
	if strings.HasPrefix(t.FullName, "System.ValueTuple`") {
		return t.Name // element names tell (int Index, T Item) from (int First, T Second)
	}
	return t.FullName
}

// NullableOf returns the type T? for a value type T, and t itself for
// reference types.
func (u *Lib) NullableOf(t *Type) *Type {
	if t == nil || !t.Value {
		return t
	}
	return u.generic("N:"+typeKey(t), func() *Type {
		n := &Type{Name: t.Name + "?", FullName: "System.Nullable`1[" + t.FullName + "]", Base: t, Elem: t, Generic: "Nullable", Is: t.Is}
		n.add(
			&Member{Name: "HasValue", Kind: Property, Result: u.Bool, NullReceiver: true, Get: func(c Call) Value { return c.This != nil }},
			&Member{Name: "Value", Kind: Property, Result: t, NullReceiver: true, Get: func(c Call) Value {
				if c.This == nil {
					Throw(ExInvalidOp, "Nullable object must have a value.")
				}
				return c.This
			}},
			&Member{Name: "GetValueOrDefault", Kind: Method, Min: 0, Max: 1, Result: t, NullReceiver: true, Fn: func(c Call) Value {
				if c.This != nil {
					return c.This
				}
				if c.Has(0) {
					return c.Args[0]
				}
				return Zero(t)
			}},
			&Member{Name: "ToString", Kind: Method, Min: 0, Max: 0, Result: u.String, NullReceiver: true, Fn: func(c Call) Value { return ToString(c.This) }},
			// Equals(object? other): a null T? equals only null.
			&Member{Name: "Equals", Kind: Method, Min: 1, Max: 1, Result: u.Bool, NullReceiver: true, Fn: func(c Call) Value {
				if c.This == nil {
					return c.Args[0] == nil
				}
				return Equals(c.This, c.Args[0])
			}},
		)
		return n
	})
}

// Underlying returns T for Nullable<T>, and t otherwise.
func Underlying(t *Type) *Type {
	if t != nil && t.Generic == "Nullable" && t.Elem != nil {
		return t.Elem
	}
	return t
}

// ArrayOf returns the type T[].
func (u *Lib) ArrayOf(elem *Type) *Type {
	if elem == nil {
		elem = u.Object
	}
	return u.generic("A:"+typeKey(elem), func() *Type {
		t := &Type{Name: elem.Name + "[]", FullName: elem.FullName + "[]", Base: u.arrayBase, Elem: elem}
		t.Is = func(v Value) bool {
			if a, ok := v.(*Array); ok {
				return a.T == elem || elem == u.Object
			}
			_, ok := v.([]byte)
			return ok && elem == u.Byte
		}
		return t
	})
}

// ListOf returns the type List<T>.
func (u *Lib) ListOf(elem *Type) *Type {
	if elem == nil {
		elem = u.Object
	}
	return u.generic("L:"+typeKey(elem), func() *Type {
		t := &Type{Name: "List<" + elem.Name + ">", FullName: "System.Collections.Generic.List`1[" + elem.FullName + "]", Base: u.listBase, Elem: elem, Generic: "List"}
		t.Is = func(v Value) bool { _, ok := v.(*List); return ok }
		return t
	})
}

// SeqOf returns the type IEnumerable<T>.
func (u *Lib) SeqOf(elem *Type) *Type {
	if elem == nil {
		elem = u.Object
	}
	return u.generic("S:"+typeKey(elem), func() *Type {
		t := &Type{Name: "IEnumerable<" + elem.Name + ">", FullName: "System.Collections.Generic.IEnumerable`1[" + elem.FullName + "]", Base: u.Enumerable, Elem: elem, Generic: "IEnumerable"}
		t.Is = func(v Value) bool { return Each(v, func(Value) bool { return false }) }
		return t
	})
}

// DictOf returns the type Dictionary<K,V>.
func (u *Lib) DictOf(k, v *Type) *Type {
	if k == nil {
		k = u.Object
	}
	if v == nil {
		v = u.Object
	}
	return u.generic("D:"+typeKey(k)+","+typeKey(v), func() *Type {
		t := &Type{Name: "Dictionary<" + k.Name + "," + v.Name + ">", FullName: "System.Collections.Generic.Dictionary`2[" + k.FullName + "," + v.FullName + "]",
			Base: u.dictBase, Elem: u.KeyValue, Key: k, Val: v, Generic: "Dictionary"}
		t.Is = func(x Value) bool { _, ok := x.(*Dict); return ok }
		return t
	})
}

// DictValueType returns the value type of a dictionary type, or nil.
func DictValueType(t *Type) *Type {
	if t == nil {
		return nil
	}
	return t.Val
}
