package value

import (
	"math"
	"strings"

	"github.com/tollgate/tollgate/internal/jsonx"
)

// siblings returns the children of t's parent and t's index among them;
// nil and -1 when t has no parent.
func siblings(t *jsonx.Token) ([]*jsonx.Token, int) {
	p := t.Parent()
	if p == nil {
		return nil, -1
	}
	ch := p.Children()
	for i, x := range ch {
		if x == t {
			return ch, i
		}
	}
	return nil, -1
}

// insertSibling is AddAfterSelf and AddBeforeSelf: the content goes into
// the parent array next to t.
func insertSibling(c Call, t *jsonx.Token, content Value, after bool) {
	p := t.Parent()
	if p == nil {
		Throw(ExInvalidOp, "The parent is missing.")
	}
	if p.Type() != jsonx.Array && p.Type() != jsonx.Constructor {
		Throw(ExArgument, "Can not add %s to %s.", "Newtonsoft.Json.Linq.JValue", "Newtonsoft.Json.Linq.JObject")
	}
	_, i := siblings(t)
	if after {
		i++
	}
	for _, x := range contentTokens(c, content) {
		if err := p.Insert(i, x); err != nil {
			jsonErr(err)
		}
		i++
	}
}

// contentTokens flattens the content argument of Add-like JContainer
// methods: a collection (not a string or token) adds each element.
func contentTokens(c Call, v Value) []*jsonx.Token {
	if v == nil {
		return []*jsonx.Token{jsonx.NewNull()}
	}
	if _, isTok := v.(*jsonx.Token); !isTok {
		if _, isStr := v.(string); !isStr {
			if items, ok := Items(v); ok {
				out := make([]*jsonx.Token, 0, len(items))
				for _, it := range items {
					out = append(out, adoptable(c, it))
				}
				return out
			}
		}
	}
	return []*jsonx.Token{adoptable(c, v)}
}

// descendants lists the tokens under t in document order.
func descendants(t *jsonx.Token, out []*jsonx.Token) []*jsonx.Token {
	for _, ch := range t.Children() {
		out = append(out, ch)
		out = descendants(ch, out)
	}
	return out
}

func (u *Lib) buildJSONMore() {
	jt, jc := u.JToken, u.Types["JContainer"]
	tok := func(c Call) *jsonx.Token { return c.This.(*jsonx.Token) }
	seq := func(ts []*jsonx.Token) Value { return tokensSeq(u, ts, jt) }
	jt.add(
		prop("Next", jt, func(c Call) Value {
			if ch, i := siblings(tok(c)); i >= 0 && i+1 < len(ch) {
				return ch[i+1]
			}
			return nil
		}),
		prop("Previous", jt, func(c Call) Value {
			if ch, i := siblings(tok(c)); i > 0 {
				return ch[i-1]
			}
			return nil
		}),
		meth("AfterSelf", 0, 0, u.SeqOf(jt), func(c Call) Value {
			ch, i := siblings(tok(c))
			if i < 0 {
				return seq(nil)
			}
			return seq(ch[i+1:])
		}),
		meth("BeforeSelf", 0, 0, u.SeqOf(jt), func(c Call) Value {
			ch, i := siblings(tok(c))
			if i < 0 {
				return seq(nil)
			}
			return seq(ch[:i])
		}),
		meth("Ancestors", 0, 0, u.SeqOf(jt), func(c Call) Value {
			var out []*jsonx.Token
			for p := tok(c).Parent(); p != nil; p = p.Parent() {
				out = append(out, p)
			}
			return seq(out)
		}),
		meth("AncestorsAndSelf", 0, 0, u.SeqOf(jt), func(c Call) Value {
			var out []*jsonx.Token
			for p := tok(c); p != nil; p = p.Parent() {
				out = append(out, p)
			}
			return seq(out)
		}),
		meth("AddAfterSelf", 1, 1, u.Void, func(c Call) Value { insertSibling(c, tok(c), c.Args[0], true); return nil }),
		meth("AddBeforeSelf", 1, 1, u.Void, func(c Call) Value { insertSibling(c, tok(c), c.Args[0], false); return nil }),
		&Member{Name: "Children", Kind: Method, Min: 0, Max: 0, Fn: func(c Call) Value {
			ch := tok(c).Children()
			want := c.TArg(0)
			if want == nil || want == jt {
				return seq(ch)
			}
			var out []Value
			for _, x := range ch {
				if t := TypeOf(x); t == want || t.Base == want || t.Base != nil && t.Base.Base == want {
					out = append(out, x)
				}
			}
			return &Seq{T: want, Items: out}
		}, ResultOf: func(_ *Type, _, ta []*Type) *Type {
			if len(ta) > 0 {
				return u.SeqOf(ta[0])
			}
			return u.SeqOf(jt)
		}},
	)
	jc.add(
		meth("Descendants", 0, 0, u.SeqOf(jt), func(c Call) Value { return seq(descendants(tok(c), nil)) }),
		meth("DescendantsAndSelf", 0, 0, u.SeqOf(jt), func(c Call) Value {
			return seq(descendants(tok(c), []*jsonx.Token{tok(c)}))
		}),
		meth("ReplaceAll", 1, 1, u.Void, func(c Call) Value {
			t := tok(c)
			t.RemoveAll()
			for _, x := range contentTokens(c, c.Args[0]) {
				if err := t.Add(x); err != nil {
					jsonErr(err)
				}
			}
			return nil
		}),
	)
	findProp := func(c Call, name string, comparison int) *jsonx.Token {
		t := tok(c)
		if p := t.Property(name); p != nil {
			return p
		}
		if comparison >= 0 && ignoreCase(c, comparison) {
			for _, p := range t.Properties() {
				if equalFold(p.Name(), name) {
					return p
				}
			}
		}
		return nil
	}
	u.JObject.add(
		meth("Property", 1, 2, u.JProperty, func(c Call) Value {
			cmp := -1
			if c.Has(1) {
				cmp = 1
			}
			if p := findProp(c, c.Str(0), cmp); p != nil {
				return p
			}
			return nil
		}),
		&Member{Name: "TryGetValue", Kind: Method, Min: 2, Max: 3, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			cmp := -1
			if len(c.Args) == 3 {
				cmp = 1
			}
			last := len(c.Args) - 1
			if p := findProp(c, c.Str(0), cmp); p != nil {
				c.Args[last] = p.Value()
				return true
			}
			c.Args[last] = nil
			return false
		}},
		meth("PropertyValues", 0, 0, u.SeqOf(jt), func(c Call) Value {
			var out []*jsonx.Token
			for _, p := range tok(c).Properties() {
				out = append(out, p.Value())
			}
			return seq(out)
		}),
	)
	u.JArray.add(
		meth("Clear", 0, 0, u.Void, func(c Call) Value { tok(c).RemoveAll(); return nil }),
		meth("IndexOf", 1, 1, u.Int, func(c Call) Value {
			for i, x := range tok(c).Children() {
				if x == c.Args[0] {
					return int32(i)
				}
			}
			return int32(-1)
		}),
		meth("Remove", 1, 1, u.Bool, func(c Call) Value {
			for _, x := range tok(c).Children() {
				if x == c.Args[0] {
					if err := x.Remove(); err != nil {
						jsonErr(err)
					}
					return true
				}
			}
			return false
		}),
		prop("IsReadOnly", u.Bool, func(Call) Value { return false }),
	)
	jv := u.JValue
	jv.add(
		meth("CompareTo", 1, 1, u.Int, func(c Call) Value {
			o, ok := c.Args[0].(*jsonx.Token)
			if !ok || c.Args[0] == nil {
				return int32(1)
			}
			n, ok := Compare(FromToken(tok(c)), FromToken(o))
			if !ok {
				Throw(ExArgument, "Object must be of type %s.", "Newtonsoft.Json.Linq.JValue")
			}
			return int32(n)
		}),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value {
			o, ok := c.Args[0].(*jsonx.Token)
			return ok && jsonx.DeepEquals(tok(c), o)
		}),
		meth("ToString", 0, 2, u.String, func(c Call) Value {
			if c.Has(0) {
				if e, ok := c.Args[0].(Enum); ok { // ToString(Formatting, ...)
					if e.V == 0 {
						return tok(c).Compact()
					}
					return tok(c).String()
				}
				if f, ok := c.Args[0].(string); ok && f != "" {
					return FormatValue(FromToken(tok(c)), f)
				}
			}
			return tok(c).String()
		}),
	)
	jv.addStatic(
		meth("CreateNull", 0, 0, jv, func(Call) Value { return jsonx.NewNull() }),
		meth("CreateString", 1, 1, jv, func(c Call) Value {
			if c.IsNull(0) {
				return jsonx.NewNull()
			}
			return jsonx.NewString(c.Str(0))
		}),
		meth("CreateUndefined", 0, 0, jv, func(Call) Value { return jsonx.NewUndefined() }),
		meth("CreateComment", 1, 1, jv, func(c Call) Value {
			if c.IsNull(0) {
				return jsonx.NewComment("")
			}
			return jsonx.NewComment(c.Str(0))
		}),
	)
	// copy constructors: new JArray(JArray), new JProperty(JProperty)
	arrNew, propNew := u.JArray.New, u.JProperty.New
	u.JArray.New = func(c Call) Value {
		if len(c.Args) == 1 {
			if t, ok := c.Args[0].(*jsonx.Token); ok && t.Type() == jsonx.Array {
				return cloneNoted(c, t)
			}
		}
		return arrNew(c)
	}
	u.JProperty.New = func(c Call) Value {
		if len(c.Args) == 1 {
			if t, ok := c.Args[0].(*jsonx.Token); ok && t.Type() == jsonx.Property {
				return cloneNoted(c, t)
			}
		}
		return propNew(c)
	}
	valNew := jv.New
	jv.New = func(c Call) Value {
		if n, ok := c.Args[0].(uint64); ok && n > math.MaxInt64 {
			t, err := jsonx.Parse(strings.TrimSpace(ToString(n)))
			if err != nil {
				jsonErr(err)
			}
			return t
		}
		return valNew(c)
	}
}

// buildJArrayCopyTo adds JArray.CopyTo.
func (u *Lib) buildJArrayCopyTo() {
	u.JArray.add(meth("CopyTo", 2, 2, u.Void, func(c Call) Value {
		c.NotNull(0, "array")
		dst, ok := c.Args[0].(*Array)
		if !ok {
			ThrowCast(c.Args[0], "Newtonsoft.Json.Linq.JToken[]")
		}
		at := c.Int(1)
		if at < 0 {
			Throw(ExArgRange, "arrayIndex is less than 0. (Parameter 'arrayIndex')")
		}
		children := c.This.(*jsonx.Token).Children()
		if at >= len(dst.Items) && at != 0 {
			Throw(ExArgument, "arrayIndex is equal to or greater than the length of array.")
		}
		if len(children) > len(dst.Items)-at {
			Throw(ExArgument, "The number of elements in the source JObject is greater than the available space from arrayIndex to the end of the destination array.")
		}
		for i, x := range children {
			dst.Items[at+i] = x
		}
		return nil
	}))
}
