package value

import (
	"strconv"

	"github.com/tollgate/tollgate/internal/jsonx"
)

// ExJSONSerialization is Json.NET's JsonSerializationException.
const ExJSONSerialization = "Newtonsoft.Json.JsonSerializationException"

// collectionKind tells which collection Json.NET's serializer builds for t:
// 'l' a List<T> (List<T>, IList<T>, ICollection<T>, IReadOnlyList<T>,
// IEnumerable<T>), 'a' an array T[], 'd' a Dictionary<K,V>, 0 none.
func (u *Lib) collectionKind(t *Type) byte {
	switch {
	case t == nil || t.Elem == nil && t.Val == nil:
		return 0
	case t.Base == u.listBase && t.Generic == "List":
		return 'l'
	case t.Generic == "IEnumerable" && t != u.Enumerable:
		return 'l'
	case t.Base == u.arrayBase && t.Elem != u.Byte: // byte[] stays base64
		return 'a'
	case t.Base == u.dictBase && t.Generic == "Dictionary" && t.Key != nil:
		return 'd'
	}
	return 0
}

// toObject converts tok to t as Json.NET's JsonSerializer does
// (JToken.ToObject, JsonConvert.DeserializeObject): collections element by
// element, other types as tokenTo converts them. Casts and Value<T> do not
// convert to collections.
func toObject(tok *jsonx.Token, t *Type) Value {
	if v, ok := tokenToCollection(tok, t); ok {
		return v
	}
	// A null token converts to a reference type or T? as null, and to a
	// value type not at all: ToObject<int>() is (int)token, which throws.
	return tokenTo(tok, t, t == nil || !t.Value)
}

// deserializeTo is JsonConvert.DeserializeObject's conversion of the parsed
// tok to t: toObject's, but JSON null for a value type is the serializer's
// error, not the conversion operator's.
func deserializeTo(tok *jsonx.Token, t *Type) Value {
	if t != nil && t.Value && (tok == nil || tok.Type() == jsonx.Null) {
		Throw(ExJSONSerialization, "Error converting value {null} to type '%s'. Path ''.", t.FullName)
	}
	return toObject(tok, t)
}

// tokenToCollection converts tok to the collection type t as Json.NET's
// JsonSerializer does (ToObject<List<T>>(), DeserializeObject<T[]>, ...):
// a JSON array to a List<T> or T[], a JSON object to a Dictionary<K,V>,
// each element converted as ToObject<T>() converts a token; JSON null gives
// null. ok is false when t is no such collection type.
func tokenToCollection(tok *jsonx.Token, t *Type) (Value, bool) {
	u := Universe()
	kind := u.collectionKind(t)
	if kind == 0 {
		return nil, false
	}
	if tok == nil || tok.Type() == jsonx.Null || tok.Type() == jsonx.Undefined {
		return nil, true
	}
	switch tok.Type() {
	case jsonx.Array:
		if kind == 'd' {
			Throw(ExJSONSerialization, "Cannot deserialize the current JSON array (e.g. [1,2,3]) into type '%s' because the type requires a JSON object (e.g. {\"name\":\"value\"}) to deserialize correctly.\n"+
				"To fix this error either change the JSON to a JSON object (e.g. {\"name\":\"value\"}) or change the deserialized type to an array or a type that implements a collection interface (e.g. ICollection, IList) like List<T> that can be deserialized from a JSON array. JsonArrayAttribute can also be added to the type to force it to deserialize from a JSON array.\n"+
				"Path '%s'.", t.FullName, tok.Path())
		}
		ch := tok.Children()
		items := make([]Value, len(ch))
		for i, e := range ch {
			items[i] = elementTo(e, t.Elem)
		}
		if kind == 'a' {
			return &Array{T: t.Elem, Items: items}, true
		}
		l := &List{T: t.Elem}
		l.GrowEach(len(items)) // Json.NET adds the items one by one
		l.Items = items
		return l, true
	case jsonx.Object:
		if kind != 'd' {
			Throw(ExJSONSerialization, "Cannot deserialize the current JSON object (e.g. {\"name\":\"value\"}) into type '%s' because the type requires a JSON array (e.g. [1,2,3]) to deserialize correctly.\n"+
				"To fix this error either change the JSON to a JSON array (e.g. [1,2,3]) or change the deserialized type so that it is a normal .NET type (e.g. not a primitive type like integer, not a collection type like an array or List<T>) that can be deserialized from a JSON object. JsonObjectAttribute can also be added to the type to force it to deserialize from a JSON object.\n"+
				"Path '%s'.", t.FullName, tok.Path())
		}
		d := NewDict(t.Key, t.Val)
		for _, p := range tok.Properties() {
			d.Set(dictKey(p, t), elementTo(p.Value(), t.Val))
		}
		return d, true
	}
	Throw(ExJSONSerialization, "Error converting value %s to type '%s'. Path '%s'.", printJSONValue(tok), t.FullName, tok.Path())
	return nil, true
}

// elementTo converts an element or property value of a JSON collection to
// the element type t. Nested JSON containers kept as object or JToken are
// copies, as Json.NET builds new tokens.
func elementTo(e *jsonx.Token, t *Type) Value {
	u := Universe()
	if e == nil || e.Type() == jsonx.Null || e.Type() == jsonx.Undefined {
		if t != nil && t.Value && t.Generic != "Nullable" {
			Throw(ExJSONSerialization, "Error converting value {null} to type '%s'. Path '%s'.", t.FullName, e.Path())
		}
		if t == nil || t == u.Object || u.collectionKind(t) != 0 {
			return nil
		}
	}
	if (t == nil || t == u.Object || IsJSONType(t)) && e != nil && !e.IsValue() {
		v := toObject(e, t)
		if c, ok := v.(*jsonx.Token); ok && c == e {
			return e.DeepClone()
		}
		return v
	}
	return toObject(e, t)
}

// dictKey converts the property name of p to the key type of the
// dictionary type t, as Json.NET converts dictionary keys.
func dictKey(p *jsonx.Token, t *Type) Value {
	u := Universe()
	name := p.Name()
	switch t.Key {
	case u.String, u.Object:
		return name
	case u.Int, u.Long:
		n, err := strconv.ParseInt(name, 10, 64)
		if err == nil && (t.Key == u.Long || n >= -1<<31 && n < 1<<31) {
			if t.Key == u.Int {
				return int32(n)
			}
			return n
		}
	}
	Throw(ExJSONSerialization, "Could not convert string '%s' to dictionary key type '%s'. Create a TypeConverter to convert from the string to the key type object. Path '%s'.", name, t.Key.FullName, p.Path())
	return nil
}

// printJSONValue formats a JSON value as Json.NET's error messages do:
// strings quoted, null as {null}.
func printJSONValue(tok *jsonx.Token) string {
	v := FromToken(tok)
	switch x := v.(type) {
	case nil:
		return "{null}"
	case string:
		return "\"" + x + "\""
	}
	return ToString(v)
}

// typeByFullName finds the type whose .NET full name is name (a TypeValue's
// name), including the generic instantiations built so far.
func (u *Lib) typeByFullName(name string) *Type {
	if t := u.Types[name]; t != nil {
		return t
	}
	var found *Type
	u.generics.Range(func(_, v any) bool {
		if t := v.(*Type); t.FullName == name {
			found = t
			return false
		}
		return true
	})
	return found
}
