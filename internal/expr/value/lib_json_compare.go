package value

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"strconv"

	"github.com/tollgate/tollgate/internal/jsonx"
)

// JTokenComparer is a Json.NET JTokenEqualityComparer: Equals is
// JToken.DeepEquals and GetHashCode a hash consistent with it.
type JTokenComparer struct{}

// DotnetType implements Typed.
func (JTokenComparer) DotnetType(u *Lib) *Type { return u.Types["JTokenEqualityComparer"] }

// deepHash hashes t so that tokens jsonx.DeepEquals calls equal hash
// alike: an object's properties are combined in any order, a date by its
// ticks alone, 0.0 and -0.0 alike, every NaN alike.
func deepHash(t *jsonx.Token) uint32 {
	if t == nil {
		return 0
	}
	h := fnv.New32a()
	var buf [8]byte
	h.Write([]byte{byte(t.Type())})
	num := func(n uint64) {
		binary.LittleEndian.PutUint64(buf[:], n)
		h.Write(buf[:])
	}
	switch t.Type() {
	case jsonx.Object:
		var sum uint32
		for _, p := range t.Properties() {
			sum += deepHash(p)
		}
		num(uint64(sum))
	case jsonx.Array, jsonx.Constructor:
		h.Write([]byte(t.Str()))
		for _, it := range t.Children() {
			num(uint64(deepHash(it)))
		}
	case jsonx.Property:
		h.Write([]byte(t.Name()))
		num(uint64(deepHash(t.Value())))
	case jsonx.Integer:
		if b := t.BigInt(); b != nil {
			h.Write([]byte(b.String()))
		} else {
			h.Write(strconv.AppendInt(buf[:0], t.Int(), 10))
		}
	case jsonx.Float:
		f := t.Float()
		switch {
		case f == 0:
			f = 0
		case f != f:
			f = math.NaN()
		}
		num(math.Float64bits(f))
	case jsonx.Date:
		num(uint64(t.DateTime().Ticks()))
	case jsonx.Bytes:
		h.Write(t.BytesValue())
	case jsonx.Null, jsonx.Undefined:
	default:
		h.Write([]byte(t.Str()))
		num(uint64(t.Int()))
	}
	return h.Sum32()
}

func (u *Lib) buildJTokenComparer() {
	jc := u.newType("JTokenEqualityComparer", "Newtonsoft.Json.Linq.JTokenEqualityComparer", u.Object)
	jc.New = func(Call) Value { return JTokenComparer{} }
	tok := func(v Value) *jsonx.Token {
		t, ok := v.(*jsonx.Token)
		if !ok && v != nil {
			ThrowCast(v, "Newtonsoft.Json.Linq.JToken")
		}
		return t
	}
	jc.add(
		meth("Equals", 2, 2, u.Bool, func(c Call) Value { return jsonx.DeepEquals(tok(c.Args[0]), tok(c.Args[1])) }),
		meth("GetHashCode", 1, 1, u.Int, func(c Call) Value { return int32(deepHash(tok(c.Args[0]))) }),
	)
	u.JToken.addStatic(prop("EqualityComparer", jc, func(Call) Value { return JTokenComparer{} }))
}
