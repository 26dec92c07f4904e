package value

import (
	"errors"
	"math"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
	"github.com/tollgate/tollgate/internal/jsonx"
)

func jsonTypeOf(u *Lib, t *jsonx.Token) *Type {
	switch t.Type() {
	case jsonx.Object:
		return u.JObject
	case jsonx.Array:
		return u.JArray
	case jsonx.Property:
		return u.JProperty
	case jsonx.Constructor:
		return u.Types["JConstructor"]
	case jsonx.Raw:
		return u.Types["JRaw"]
	}
	return u.JValue
}

// jsonErr converts a jsonx error into a .NET exception.
func jsonErr(err error) {
	var ce *jsonx.ConvertError
	if errors.As(err, &ce) {
		Throw(ce.Type, "%s", ce.Message)
	}
	var pe *jsonx.ParseError
	if errors.As(err, &pe) {
		Throw(ExJSONReader, "%s", pe.Message)
	}
	Throw(ExArgument, "%s", err.Error())
}

// IsJSONType reports whether t is one of the JToken types.
func IsJSONType(t *Type) bool {
	u := Universe()
	return t != nil && (t == u.JToken || t.Base == u.JToken || t.Base != nil && t.Base.Base == u.JToken)
}

// ToToken converts a runtime value to a JToken (implicit conversions and
// JToken.FromObject).
func ToToken(v Value) *jsonx.Token {
	switch x := v.(type) {
	case *jsonx.Token:
		return x
	case nil:
		return jsonx.NewNull()
	case Char:
		return jsonx.NewString(string(rune(x)))
	case time.Time:
		return jsonx.NewDate(ToDotnetDateTime(x))
	case TimeSpan:
		return jsonx.NewTimeSpan(x)
	case Guid:
		return jsonx.NewString(x.String())
	case dotnet.Decimal:
		return jsonx.NewFloat(x.Float64())
	case Enum:
		return jsonx.NewInt(x.V)
	case DateTimeOffset:
		return jsonx.NewDate(dotnet.DateTimeFromTime(x.T, dotnet.Utc))
	case *Object:
		o := jsonx.NewObject()
		for i, n := range x.Names {
			_ = o.Set(n, ToToken(x.Values[i]))
		}
		return o
	case *Dict:
		o := jsonx.NewObject()
		for i, k := range x.Keys {
			_ = o.Set(ToString(k), ToToken(x.Vals[i]))
		}
		return o
	case *Array, *List, *Seq:
		a := jsonx.NewArray()
		Each(x, func(e Value) bool { _ = a.Add(ToToken(e)); return true })
		return a
	case *JSONReader, *JSONWriter:
		// JValue's constructor knows no JSON type for them
		Throw(ExArgument, "Could not determine JSON object type for type %s.", TypeName(v))
	}
	t, err := jsonx.FromValue(v)
	if err != nil {
		if s, ok := v.(Stringer); ok {
			return jsonx.NewString(s.DotnetString())
		}
		jsonErr(err)
	}
	return t
}

// FromToken converts a JValue to the plain .NET value (JValue.Value).
func FromToken(t *jsonx.Token) Value {
	if t == nil {
		return nil
	}
	switch t.Type() {
	case jsonx.Null, jsonx.Undefined:
		return nil
	case jsonx.Integer:
		return t.Int()
	case jsonx.Float:
		return t.Float()
	case jsonx.Boolean:
		return t.Bool()
	case jsonx.Raw:
		return t.RawValue()
	case jsonx.String, jsonx.Guid, jsonx.Uri, jsonx.Comment:
		return t.Str()
	case jsonx.Date:
		return FromDotnetDateTime(t.DateTime())
	case jsonx.Bytes:
		return t.BytesValue()
	case jsonx.TimeSpan:
		return t.TimeSpanValue()
	}
	return t
}

// tokenTo converts a token to the .NET type t (explicit casts, Value<T>,
// ToObject<T>). A nil token gives null for reference and nullable targets.
func tokenTo(tok *jsonx.Token, t *Type, nullable bool) Value {
	u := Universe()
	isNull := tok == nil || tok.Type() == jsonx.Null || tok.Type() == jsonx.Undefined
	if t != nil && t.Generic == "Nullable" { // T?: null, or the conversion to T
		if isNull {
			return nil
		}
		return tokenTo(tok, t.Elem, true)
	}
	switch t {
	case u.String:
		s, ok, err := tok.AsString()
		if err != nil {
			jsonErr(err)
		}
		if !ok {
			return nil
		}
		return s
	case u.Int, u.Long, u.Byte:
		if isNull && nullable {
			return nil
		}
		if tok == nil {
			Throw(ExArgument, "Can not convert Null to %s.", t.FullName[7:])
		}
		n, ok, err := tok.AsInt64()
		if err != nil {
			jsonErr(err)
		}
		if !ok {
			Throw(ExArgument, "Can not convert Null to %s.", t.FullName[7:])
		}
		switch t {
		case u.Int:
			if n > math.MaxInt32 || n < math.MinInt32 {
				Throw(ExOverflow, "Value was either too large or too small for an Int32.")
			}
			return int32(n)
		case u.Byte:
			return uint8(n)
		}
		return n
	case u.Double:
		if isNull && nullable {
			return nil
		}
		if tok == nil {
			Throw(ExArgument, "Can not convert Null to Double.")
		}
		f, ok, err := tok.AsFloat64()
		if err != nil {
			jsonErr(err)
		}
		if !ok {
			Throw(ExArgument, "Can not convert Null to Double.")
		}
		return f
	case u.Bool:
		if isNull && nullable {
			return nil
		}
		if tok == nil {
			Throw(ExArgument, "Can not convert Null to Boolean.")
		}
		b, ok, err := tok.AsBool()
		if err != nil {
			jsonErr(err)
		}
		if !ok {
			Throw(ExArgument, "Can not convert Null to Boolean.")
		}
		return b
	case u.DateTime:
		if isNull && nullable {
			return nil
		}
		if tok == nil {
			Throw(ExArgument, "Can not convert Null to DateTime.")
		}
		d, ok, err := tok.AsDateTime()
		if err != nil {
			jsonErr(err)
		}
		if !ok {
			Throw(ExArgument, "Can not convert Null to DateTime.")
		}
		return FromDotnetDateTime(d)
	case u.Guid:
		s, ok, err := tok.AsString()
		if err != nil {
			jsonErr(err)
		}
		if !ok {
			if nullable {
				return nil
			}
			Throw(ExArgument, "Can not convert Null to Guid.")
		}
		g, okg := ParseGuid(s)
		if !okg {
			Throw(ExFormat, "Unrecognized Guid format.")
		}
		return g
	case u.Decimal, u.Single:
		if isNull && nullable {
			return nil
		}
		if tok == nil {
			Throw(ExArgument, "Can not convert Null to %s.", t.FullName[7:])
		}
		d, ok, err := tok.AsDecimal()
		if err != nil {
			jsonErr(err)
		}
		if !ok {
			Throw(ExArgument, "Can not convert Null to %s.", t.FullName[7:])
		}
		if t == u.Single {
			f, _, err := tok.AsFloat64()
			if err != nil {
				jsonErr(err)
			}
			return float32(f)
		}
		return d
	case u.Object, nil:
		if tok != nil && tok.IsValue() {
			return FromToken(tok)
		}
		return tok
	case u.SByte, u.Short, u.UShort, u.UInt, u.ULong:
		return tokenToInteger(tok, t, isNull && nullable)
	}
	if tok == nil {
		return nil
	}
	if IsJSONType(t) {
		if t == u.JToken || jsonTypeOf(u, tok) == t || t.Name == "JContainer" && !tok.IsValue() || t == u.JValue && tok.IsValue() {
			return tok
		}
		ThrowCast(tok, t.FullName)
	}
	Throw(ExInvalidCast, "Unable to cast a JSON %s to %s.", tok.Type(), t.FullName)
	return nil
}

// ExplicitConvert performs the explicit conversions that are not unboxing:
// JToken to string, numbers, bool, DateTime, Guid. ok is false when there is
// none.
func ExplicitConvert(v Value, t *Type) (Value, bool) {
	if tok, ok := v.(*jsonx.Token); ok {
		if t.Generic == "Nullable" && t.Elem != nil {
			return tokenTo(tok, t.Elem, true), true // (int?)token, (DateTime?)token
		}
		return tokenTo(tok, t, !t.Value), true
	}
	if r, ok := xmlExplicit(v, t); ok {
		return r, true
	}
	u := Universe()
	if tm, ok := v.(time.Time); ok && t == u.DateTimeOffset {
		return DateTimeOffset{T: tm}, true
	}
	return nil, false
}

// ConvertNullToken handles a cast of a null JToken reference to a value type.
func ConvertNullToken(t *Type) Value { return tokenTo(nil, t, false) }

func parseJSON(s string, want jsonx.Type) *jsonx.Token {
	var tok *jsonx.Token
	var err error
	switch want {
	case jsonx.Object:
		tok, err = jsonx.ParseObject(s)
	case jsonx.Array:
		tok, err = jsonx.ParseArray(s)
	default:
		tok, err = jsonx.Parse(s)
	}
	if err != nil {
		jsonErr(err)
	}
	return tok
}

func bodyAs(u *Lib, t *Type, data []byte) Value {
	switch t {
	case u.JObject:
		return parseJSON(string(data), jsonx.Object)
	case u.JArray:
		return parseJSON(string(data), jsonx.Array)
	case u.JToken:
		return parseJSON(string(data), jsonx.None)
	case u.X.XDocument:
		return parseXMLValue(string(data), false)
	case u.X.XElement, u.X.XNode:
		return parseXMLValue(string(data), false).Root().detach()
	}
	Throw(ExNotSupported, "reading a body as %s is not supported by tollgate", t.Name)
	return nil
}

func tokensSeq(u *Lib, ts []*jsonx.Token, t *Type) *Seq {
	out := make([]Value, len(ts))
	for i, x := range ts {
		out[i] = x
	}
	return &Seq{T: t, Items: out}
}

func (u *Lib) buildJSON() {
	jt := u.newType("JToken", "Newtonsoft.Json.Linq.JToken", u.Enumerable)
	jt.Elem = jt
	jc := u.newType("JContainer", "Newtonsoft.Json.Linq.JContainer", jt)
	jc.Elem = jt
	u.JToken = jt
	u.JObject = u.newType("JObject", "Newtonsoft.Json.Linq.JObject", jc)
	u.JArray = u.newType("JArray", "Newtonsoft.Json.Linq.JArray", jc)
	u.JProperty = u.newType("JProperty", "Newtonsoft.Json.Linq.JProperty", jc)
	u.JValue = u.newType("JValue", "Newtonsoft.Json.Linq.JValue", jt)
	// JRaw and JConstructor: their members come with buildJSONRaw.
	jraw := u.newType("JRaw", "Newtonsoft.Json.Linq.JRaw", u.JValue)
	jctor := u.newType("JConstructor", "Newtonsoft.Json.Linq.JConstructor", jc)
	for _, t := range []*Type{jt, jc, u.JObject, u.JArray, u.JProperty, u.JValue, jraw, jctor} {
		tt := t
		tt.Elem = jt
		tt.Is = func(v Value) bool {
			tok, ok := v.(*jsonx.Token)
			if !ok {
				return false
			}
			switch tt {
			case jt:
				return true
			case jc:
				return !tok.IsValue()
			case u.JValue:
				return tok.IsValue()
			}
			return jsonTypeOf(u, tok) == tt
		}
	}
	u.JObject.Elem = u.JProperty
	jtt := u.newType("JTokenType", "Newtonsoft.Json.Linq.JTokenType", u.Object)
	jtt.EnumValues = map[string]int64{}
	for i := jsonx.None; i <= jsonx.TimeSpan; i++ {
		jtt.EnumValues[i.String()] = int64(i)
	}
	fm := u.newType("Formatting", "Newtonsoft.Json.Formatting", u.Object)
	fm.EnumValues = map[string]int64{"None": 0, "Indented": 1}
	tok := func(c Call) *jsonx.Token { return c.This.(*jsonx.Token) }
	indexGet := func(c Call) Value {
		t := tok(c)
		var r *jsonx.Token
		var err error
		switch k := c.Args[0].(type) {
		case string:
			r, err = t.Item(k)
		case int32:
			r, err = t.At(int(k))
		case nil:
			Throw(ExArgNull, "Value cannot be null. (Parameter 'propertyName')")
		default:
			n, ok := AsInt64(k)
			if !ok {
				Throw(ExArgument, "Accessed JToken values with invalid key value: %s.", ToString(k))
			}
			r, err = t.At(int(n))
		}
		if err != nil {
			jsonErr(err)
		}
		if r == nil {
			return nil
		}
		return r
	}
	indexSet := func(c Call, v Value) {
		t := tok(c)
		var err error
		switch k := c.Args[0].(type) {
		case string:
			err = t.Set(k, adoptable(c, v))
		default:
			n, _ := AsInt64(k)
			err = t.SetAt(int(n), adoptable(c, v))
		}
		if err != nil {
			jsonErr(err)
		}
	}
	valueT := func(c Call) Value {
		t := tok(c)
		target := c.TArg(0)
		var r *jsonx.Token
		if c.Has(0) {
			if v := indexGet(c); v != nil {
				r = v.(*jsonx.Token)
			}
		} else {
			r = t
		}
		return tokenTo(r, target, target == nil || !target.Value)
	}
	jt.add(
		&Member{Name: "[]", Kind: Property, Result: jt, Get: indexGet, Set: indexSet},
		&Member{Name: "Value", Kind: Method, Min: 0, Max: 1, TArgs: 1, Fn: valueT,
			ResultOf: func(_ *Type, _, ta []*Type) *Type {
				if len(ta) > 0 {
					return ta[0]
				}
				return nil
			}},
		// ToObject<T>() and ToObject(Type), each also with a JsonSerializer
		// that can only be null (none can be built): Json.NET's default.
		// ToObject() without a type, which C# refuses, throws.
		&Member{Name: "ToObject", Kind: Method, Min: 0, Max: 2, Fn: func(c Call) Value {
			if t := c.TArg(0); t != nil {
				if c.Has(0) && c.Args[0] != nil {
					ThrowCast(c.Args[0], "Newtonsoft.Json.JsonSerializer")
				}
				return toObject(tok(c), t)
			}
			if len(c.Args) == 0 {
				Throw(ExArgument, "ToObject needs the type to convert to: ToObject<T>() or ToObject(typeof(T)).")
			}
			if c.Args[0] == nil {
				Throw(ExArgNull, "Value cannot be null. (Parameter 'objectType')")
			}
			tv, ok := c.Args[0].(*TypeValue)
			if !ok {
				ThrowCast(c.Args[0], "System.Type")
			}
			if c.Has(1) && c.Args[1] != nil {
				ThrowCast(c.Args[1], "Newtonsoft.Json.JsonSerializer")
			}
			t := u.typeByFullName(tv.Name)
			if t == nil {
				Throw(ExArgument, "Could not convert to %s: tollgate converts JSON to the types of policy expressions.", tv.Name)
			}
			return toObject(tok(c), t)
		}, ResultOf: func(_ *Type, _, ta []*Type) *Type {
			if len(ta) > 0 {
				return ta[0]
			}
			return u.Object
		}},
		meth("ToString", 0, -1, u.String, func(c Call) Value {
			if c.Has(0) {
				if e, ok := c.Args[0].(Enum); ok && e.V == 0 {
					return tok(c).Compact()
				}
			}
			return tok(c).String()
		}),
		prop("Type", jtt, func(c Call) Value {
			ty := tok(c).Type()
			return Enum{T: jtt, V: int64(ty), Name: ty.String()}
		}),
		meth("SelectToken", 1, 2, jt, func(c Call) Value {
			r, err := tok(c).SelectToken(c.Str(0))
			if err != nil {
				jsonErr(err)
			}
			if r == nil {
				if c.Has(1) && c.Bool(1) {
					Throw("Newtonsoft.Json.JsonException", "Path returned multiple tokens.")
				}
				return nil
			}
			return r
		}),
		meth("SelectTokens", 1, 2, u.SeqOf(jt), func(c Call) Value {
			r, err := tok(c).SelectTokens(c.Str(0))
			if err != nil {
				jsonErr(err)
			}
			return tokensSeq(u, r, jt)
		}),
		meth("Children", 0, 0, u.SeqOf(jt), func(c Call) Value { return tokensSeq(u, tok(c).Children(), jt) }),
		prop("Parent", jc, func(c Call) Value { return orNil(tok(c).Parent()) }),
		prop("Root", jt, func(c Call) Value { return tok(c).Root() }),
		prop("Path", u.String, func(c Call) Value { return tok(c).Path() }),
		prop("HasValues", u.Bool, func(c Call) Value { return tok(c).HasValues() }),
		prop("First", jt, func(c Call) Value {
			ch := tok(c).Children()
			if len(ch) == 0 {
				return nil
			}
			return ch[0]
		}),
		prop("Last", jt, func(c Call) Value {
			ch := tok(c).Children()
			if len(ch) == 0 {
				return nil
			}
			return ch[len(ch)-1]
		}),
		meth("DeepClone", 0, 0, jt, func(c Call) Value { return cloneNoted(c, tok(c)) }),
		meth("Remove", 0, 1, nil, func(c Call) Value {
			if c.Has(0) {
				return tok(c).RemoveProperty(c.Str(0))
			}
			if err := tok(c).Remove(); err != nil {
				jsonErr(err)
			}
			return nil
		}),
		meth("Replace", 1, 1, u.Void, func(c Call) Value {
			if err := tok(c).Replace(adoptable(c, c.Args[0])); err != nil {
				jsonErr(err)
			}
			return nil
		}),
		meth("Values", 0, 1, u.SeqOf(jt), func(c Call) Value {
			var out []Value
			for _, ch := range tok(c).Children() {
				if ch.Type() == jsonx.Property {
					ch = ch.Value()
				}
				if tt := c.TArg(0); tt != nil {
					out = append(out, tokenTo(ch, tt, true))
				} else {
					out = append(out, ch)
				}
			}
			return &Seq{T: c.TArg(0), Items: out}
		}),
	)
	jt.addStatic(
		meth("Parse", 1, 1, jt, func(c Call) Value { c.NotNull(0, "json"); return parseJSON(c.Str(0), jsonx.None) }),
		meth("FromObject", 1, 1, jt, func(c Call) Value { return ToToken(c.Args[0]) }),
		meth("DeepEquals", 2, 2, u.Bool, func(c Call) Value {
			a, _ := c.Args[0].(*jsonx.Token)
			b, _ := c.Args[1].(*jsonx.Token)
			return jsonx.DeepEquals(a, b)
		}),
	)
	jc.add(
		prop("Count", u.Int, func(c Call) Value { return int32(tok(c).Count()) }),
		meth("Add", 1, 2, u.Void, func(c Call) Value {
			t := tok(c)
			var err error
			if c.Has(1) { // JObject.Add(name, value)
				if t.Get(c.Str(0)) != nil || t.Property(c.Str(0)) != nil {
					Throw(ExArgument, "Can not add property %s to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object.", c.Str(0))
				}
				err = t.Set(c.Str(0), adoptable(c, c.Args[1]))
			} else {
				err = t.Add(adoptable(c, c.Args[0]))
			}
			if err != nil {
				jsonErr(err)
			}
			return nil
		}),
		meth("RemoveAll", 0, 0, u.Void, func(c Call) Value { tok(c).RemoveAll(); return nil }),
		meth("Merge", 1, 1, u.Void, func(c Call) Value {
			if other, ok := c.Args[0].(*jsonx.Token); ok && other != tok(c) {
				tok(c).Merge(other)
			}
			return nil
		}),
	)
	u.JObject.add(
		meth("Properties", 0, 0, u.SeqOf(u.JProperty), func(c Call) Value { return tokensSeq(u, tok(c).Properties(), u.JProperty) }),
		meth("Property", 1, 2, u.JProperty, func(c Call) Value { return orNil(tok(c).Property(c.Str(0))) }),
		meth("ContainsKey", 1, 1, u.Bool, func(c Call) Value { return tok(c).Property(c.Str(0)) != nil }),
		meth("GetValue", 1, 2, jt, func(c Call) Value {
			if p := tok(c).Property(c.Str(0)); p != nil {
				return p.Value()
			}
			if c.Has(1) && ignoreCase(c, 1) {
				for _, p := range tok(c).Properties() {
					if equalFold(p.Name(), c.Str(0)) {
						return p.Value()
					}
				}
			}
			return nil
		}),
		&Member{Name: "TryGetValue", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			if p := tok(c).Property(c.Str(0)); p != nil {
				c.Args[1] = p.Value()
				return true
			}
			c.Args[1] = nil
			return false
		}},
	)
	u.JObject.addStatic(meth("Parse", 1, 1, u.JObject, func(c Call) Value { c.NotNull(0, "json"); return parseJSON(c.Str(0), jsonx.Object) }),
		meth("FromObject", 1, 1, u.JObject, func(c Call) Value {
			t := ToToken(c.Args[0])
			if t.Type() != jsonx.Object {
				Throw(ExArgument, "Object serialized to %s. JObject instance expected.", t.Type())
			}
			return t
		}))
	u.JArray.addStatic(meth("Parse", 1, 1, u.JArray, func(c Call) Value { c.NotNull(0, "json"); return parseJSON(c.Str(0), jsonx.Array) }),
		meth("FromObject", 1, 1, u.JArray, func(c Call) Value { return ToToken(c.Args[0]) }))
	u.JArray.add(
		meth("Insert", 2, 2, u.Void, func(c Call) Value {
			if err := tok(c).Insert(c.Int(0), adoptable(c, c.Args[1])); err != nil {
				jsonErr(err)
			}
			return nil
		}),
		meth("RemoveAt", 1, 1, u.Void, func(c Call) Value {
			r, err := tok(c).At(c.Int(0))
			if err != nil {
				jsonErr(err)
			}
			_ = r.Remove()
			return nil
		}),
	)
	u.JProperty.add(
		prop("Name", u.String, func(c Call) Value { return tok(c).Name() }),
		&Member{Name: "Value", Kind: Property, Result: jt, Get: func(c Call) Value { return orNil(tok(c).Value()) },
			Set: func(c Call, v Value) {
				if err := tok(c).Value().Replace(adoptable(c, v)); err != nil {
					jsonErr(err)
				}
			}},
	)
	u.JValue.add(prop("Value", u.Object, func(c Call) Value { return FromToken(tok(c)) }))
	// constructors
	fill := func(c Call, t *jsonx.Token, args []Value) {
		for _, a := range args {
			if a == nil {
				continue
			}
			if x, ok := a.(*jsonx.Token); ok && t.Type() == jsonx.Object && x.Type() == jsonx.Object {
				for _, p := range x.Properties() {
					_ = t.Add(cloneNoted(c, p))
				}
				continue
			}
			if _, isTok := a.(*jsonx.Token); !isTok {
				if items, ok := Items(a); ok {
					if _, isStr := a.(string); !isStr {
						for _, it := range items {
							if err := t.Add(adoptable(c, it)); err != nil {
								jsonErr(err)
							}
						}
						continue
					}
				}
			}
			if err := t.Add(adoptable(c, a)); err != nil {
				jsonErr(err)
			}
		}
	}
	u.JObject.New = func(c Call) Value {
		if len(c.Args) == 1 {
			if t, ok := c.Args[0].(*jsonx.Token); ok && t.Type() == jsonx.Object {
				return cloneNoted(c, t) // new JObject(JObject other) copies
			}
		}
		o := jsonx.NewObject()
		fill(c, o, c.Args)
		return o
	}
	u.JArray.New = func(c Call) Value { a := jsonx.NewArray(); fill(c, a, c.Args); return a }
	u.JProperty.New = func(c Call) Value {
		c.NotNull(0, "name")
		if len(c.Args) > 2 {
			a := jsonx.NewArray()
			fill(c, a, c.Args[1:])
			return jsonx.NewProperty(c.Str(0), a)
		}
		var v Value
		if c.Has(1) {
			v = c.Args[1]
		}
		return jsonx.NewProperty(c.Str(0), adoptable(c, v))
	}
	u.JValue.NewMin, u.JProperty.NewMin = 1, 1
	u.JValue.New = func(c Call) Value {
		if t, ok := c.Args[0].(*jsonx.Token); ok && t.IsValue() {
			return cloneNoted(c, t) // new JValue(JValue other) copies
		}
		return ToToken(c.Args[0])
	}
	// JsonConvert
	jcv := u.newType("JsonConvert", "Newtonsoft.Json.JsonConvert", u.Object)
	jcv.addStatic(
		meth("SerializeObject", 1, 3, u.String, func(c Call) Value {
			indented := false
			for _, a := range c.Args[1:] {
				if e, ok := a.(Enum); ok && e.T == fm {
					indented = e.V == 1
				}
			}
			return ToToken(c.Args[0]).JSON(indented)
		}),
		&Member{Name: "DeserializeObject", Kind: Method, Min: 1, Max: 2, Fn: func(c Call) Value {
			c.NotNull(0, "value")
			t := parseJSON(c.Str(0), jsonx.None)
			if tt := c.TArg(0); tt != nil {
				return deserializeTo(t, tt)
			}
			// DeserializeObject(string value, Type type): a null type
			// deserializes as object.
			if c.Has(1) && c.Args[1] != nil {
				tv, ok := c.Args[1].(*TypeValue)
				if !ok {
					ThrowCast(c.Args[1], "System.Type")
				}
				tt := u.typeByFullName(tv.Name)
				if tt == nil {
					Throw(ExArgument, "Could not convert to %s: tollgate converts JSON to the types of policy expressions.", tv.Name)
				}
				return deserializeTo(t, tt)
			}
			if t.IsValue() {
				return FromToken(t)
			}
			return t
		}, ResultOf: func(_ *Type, _, ta []*Type) *Type {
			if len(ta) > 0 {
				return ta[0]
			}
			return u.Object
		}},
	)
}

func equalFold(a, b string) bool {
	return len(a) == len(b) && CompareStrings(a, b, true) == 0
}
