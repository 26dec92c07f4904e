package value

import "testing"

// BenchmarkListAddMember measures the List<T>.Add member itself: 64 adds to
// a fresh list per iteration.
func BenchmarkListAddMember(b *testing.B) {
	add := Universe().listBase.Members["Add"].Fn
	fr := &Frame{}
	args := []Value{int32(1)}
	b.ReportAllocs()
	for b.Loop() {
		l := &List{T: Universe().Int}
		for range 64 {
			add(Call{Fr: fr, This: l, Args: args})
		}
	}
}

// BenchmarkDictSet measures Dict.Set and Dict.Remove: 32 new keys and a
// removal per iteration.
func BenchmarkDictSet(b *testing.B) {
	keys := make([]Value, 32)
	for i := range keys {
		keys[i] = int32(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		d := NewDict(Universe().Int, Universe().Int)
		for _, k := range keys {
			d.Set(k, k)
		}
		d.Remove(keys[3])
	}
}
