package value

import "strings"

// The capacity of StringBuilder. .NET's StringBuilder is a list of chunks,
// each an array of chars partly used; its Capacity is the used length of
// every chunk but the last plus the last one's array. tollgate's builder
// is one Go strings.Builder, so the chunks are tracked beside it as
// numbers (nothing is allocated for them), and change as .NET's do:
// appending fills the last chunk and adds one of max(rest, min(Length,
// 8000)) chars (ExpandByABlock); Insert makes room as MakeRoom does;
// Remove, Clear and a shorter Length drop chunks as .NET does.

// sbDefaultCapacity is StringBuilder.DefaultCapacity; sbMaxChunkSize is
// StringBuilder.MaxChunkSize.
const (
	sbDefaultCapacity = 16
	sbMaxChunkSize    = 8000
)

// sbChunk is one chunk: the length of its array and the chars it holds.
type sbChunk struct{ size, used int }

// sbSize tracks a StringBuilder's chunks.
type sbSize struct {
	chunks []sbChunk // nil until first tracked (see sync)
	max    int       // MaxCapacity; 0 for int.MaxValue
	n      int       // Length as tracked
	bytes  int       // B.Len() as tracked
}

func (z *sbSize) maxCapacity() int {
	if z.max == 0 {
		return 1<<31 - 1
	}
	return z.max
}

// offset returns the chars held by the chunks before chunk i.
func (z *sbSize) offset(i int) int {
	o := 0
	for _, c := range z.chunks[:i] {
		o += c.used
	}
	return o
}

// capacity is StringBuilder.Capacity.
func (z *sbSize) capacity() int {
	last := len(z.chunks) - 1
	return z.offset(last) + z.chunks[last].size
}

// sbInit gives a builder made by new StringBuilder() inside tollgate (a
// StringWriter's) its empty chunk of the default capacity; sync then
// counts the text written to it so far as one append.
func (s *StringBuilder) sbInit() *sbSize {
	z := &s.size
	if z.chunks == nil {
		z.chunks = []sbChunk{{sbDefaultCapacity, 0}}
	}
	return z
}

// sync catches up with text written to the builder by other means (a
// StringWriter over it), as one append, or a cut to the new length.
func (s *StringBuilder) sync() *sbSize {
	z := s.sbInit()
	if s.B.Len() == z.bytes {
		return z
	}
	n := strLen(s.B.String())
	if n >= z.n {
		z.appendN(n - z.n)
	} else {
		z.setLength(n)
	}
	z.bytes = s.B.Len()
	return z
}

// appendN appends k chars as StringBuilder.Append does: the last chunk is
// filled, and a new one of max(rest, min(Length, 8000)) chars takes the
// rest. It reports false when the builder would pass its MaxCapacity.
func (z *sbSize) appendN(k int) bool {
	if k <= 0 {
		return true
	}
	last := &z.chunks[len(z.chunks)-1]
	room := last.size - last.used
	if k <= room {
		last.used += k
		z.n += k
		return true
	}
	if z.n+k > z.maxCapacity() {
		return false
	}
	last.used = last.size
	z.n += room
	rest := k - room
	z.chunks = append(z.chunks, sbChunk{max(rest, min(z.n, sbMaxChunkSize)), rest})
	z.n += rest
	return true
}

// setLength is the Length setter shortening the builder (and Clear): the
// chunk holding the new end becomes the last, enlarged to keep
// min(Capacity, max(Length*6/5, the last chunk's array)).
func (z *sbSize) setLength(v int) {
	last := len(z.chunks) - 1
	if v == 0 && last == 0 {
		z.chunks[0].used, z.n = 0, 0
		return
	}
	i := last
	for z.offset(i) > v {
		i--
	}
	off := z.offset(i)
	if i != last {
		keep := min(z.capacity(), max(z.n*6/5, z.chunks[last].size))
		z.chunks[i].size = max(z.chunks[i].size, keep-off)
		z.chunks = z.chunks[:i+1]
	}
	z.chunks[i].used = v - off
	z.n = v
}

// remove is StringBuilder.Remove(start, count) on count > 0 chars: the
// chunk of the start keeps the chars before it, the chunk of the end
// loses the chars up to it, the chunks between go (and the start's chunk
// too when the removal starts it).
func (z *sbSize) remove(start, count int) {
	if start == 0 && count == z.n {
		z.setLength(0)
		return
	}
	end := start + count
	endChunk, endIn := -1, 0
	i := len(z.chunks) - 1
	in := 0
	for ; i >= 0; i-- {
		off := z.offset(i)
		if end-off >= 0 {
			if endChunk < 0 {
				endChunk, endIn = i, end-off
			}
			if start-off >= 0 {
				in = start - off
				break
			}
		}
	}
	if endChunk == i {
		z.chunks[i].used -= count
		z.n -= count
		return
	}
	z.chunks[endChunk].used -= endIn
	z.chunks[i].used = in
	keep := append([]sbChunk(nil), z.chunks[:i+1]...)
	if in == 0 {
		keep = keep[:i]
	}
	z.chunks = append(keep, z.chunks[endChunk:]...)
	z.n -= count
}

// makeRoom is MakeRoom(index, count) for Insert: a chunk of at most 32
// chars with room for count takes them; otherwise a new chunk of
// max(count, 16) chars goes before the chunk of the index.
func (z *sbSize) makeRoom(index, count int) {
	if count <= 0 {
		return
	}
	i := len(z.chunks) - 1
	for z.offset(i) > index {
		i--
	}
	c := &z.chunks[i]
	if c.used <= 2*sbDefaultCapacity && c.size-c.used >= count {
		c.used += count
		z.n += count
		return
	}
	z.chunks = append(z.chunks[:i], append([]sbChunk{{max(count, sbDefaultCapacity), count}}, z.chunks[i:]...)...)
	z.n += count
}

// setCapacity is the Capacity setter: the last chunk's array is resized.
func (z *sbSize) setCapacity(v int) {
	if v < 0 {
		Throw(ExArgRange, "value ('%d') must be a non-negative value. (Parameter 'value')\nActual value was %d.", v, v)
	}
	if v > z.maxCapacity() {
		Throw(ExArgRange, "Capacity exceeds maximum capacity. (Parameter 'value')")
	}
	if v < z.n {
		Throw(ExArgRange, "capacity was less than the current size. (Parameter 'value')")
	}
	last := len(z.chunks) - 1
	if v-z.offset(last) > arrayMaxLength {
		throwArrayTooLong()
	}
	z.chunks[last].size = v - z.offset(last)
}

// newSized sets the chunks of a builder made by a constructor, from its
// arguments: (), (capacity), (capacity, maxCapacity), (value),
// (value, capacity) or (value, startIndex, length, capacity).
func (s *StringBuilder) newSized(c Call) {
	n := strLen(s.B.String())
	capacity := sbDefaultCapacity
	z := &s.size
	if x, ok := c.Arg(0).(int32); ok {
		capacity = int(x)
		if c.Has(1) {
			z.max = c.Int(1)
			if capacity > z.max {
				Throw(ExArgRange, "Capacity exceeds maximum capacity. (Parameter 'capacity')")
			}
			if z.max <= 0 {
				Throw(ExArgRange, "maxCapacity ('%d') must be a non-negative and non-zero value. (Parameter 'maxCapacity')\nActual value was %d.", z.max, z.max)
			}
		}
		if capacity < 0 {
			Throw(ExArgRange, "capacity ('%d') must be a non-negative value. (Parameter 'capacity')\nActual value was %d.", capacity, capacity)
		}
		if capacity == 0 {
			capacity = min(sbDefaultCapacity, z.maxCapacity())
		}
	} else if c.Has(1) {
		capacity = c.Int(len(c.Args) - 1)
		if capacity < 0 {
			Throw(ExArgRange, "capacity ('%d') must be a non-negative value. (Parameter 'capacity')\nActual value was %d.", capacity, capacity)
		}
		if capacity == 0 {
			capacity = sbDefaultCapacity
		}
	}
	if capacity > arrayMaxLength {
		throwArrayTooLong()
	}
	z.chunks = []sbChunk{{max(capacity, n), n}}
	z.n, z.bytes = n, s.B.Len()
}

// buildStringBuilderCapacity adds Capacity, MaxCapacity and
// EnsureCapacity to StringBuilder, and makes its constructor and the
// members that change its text keep its chunks as .NET's change. It runs
// after the members are complete, before buildBudget.
func (u *Lib) buildStringBuilderCapacity() {
	sb := u.Types["StringBuilder"]
	b := func(c Call) *StringBuilder { return c.This.(*StringBuilder) }
	for name, m := range sb.Members {
		name := name
		if fn := m.Fn; fn != nil && m.Kind == Method {
			m.Fn = func(c Call) Value {
				s := b(c)
				z := s.sync()
				prev := s.B.String()
				r := fn(c)
				if s.B.Len() != len(prev) || s.B.String() != prev {
					s.changed(name, c, prev, z)
				}
				return r
			}
		}
		if set := m.Set; set != nil && name == "Length" {
			m.Set = func(c Call, v Value) {
				s := b(c)
				z := s.sync()
				prev := s.B.String()
				set(c, v)
				s.changed(name, c, prev, z)
			}
		}
	}
	if nw := sb.New; nw != nil {
		sb.New = func(c Call) Value {
			s := nw(c).(*StringBuilder)
			s.newSized(c)
			return s
		}
	}
	sb.add(
		&Member{Name: "Capacity", Kind: Property, Result: u.Int,
			Get: func(c Call) Value { return int32(b(c).sync().capacity()) },
			Set: func(c Call, v Value) {
				n, _ := AsInt64(v)
				b(c).sync().setCapacity(int(n))
			}},
		prop("MaxCapacity", u.Int, func(c Call) Value { return int32(b(c).sync().maxCapacity()) }),
		meth("EnsureCapacity", 1, 1, u.Int, func(c Call) Value {
			z := b(c).sync()
			n := c.Int(0)
			if n < 0 {
				Throw(ExArgRange, "capacity ('%d') must be a non-negative value. (Parameter 'capacity')\nActual value was %d.", n, n)
			}
			if z.capacity() < n {
				z.setCapacity(n)
			}
			return int32(z.capacity())
		}),
	)
}

// changed updates the chunks after member name changed the text from
// prev: appends by their pieces (AppendLine appends the line, then the
// newline), Insert by MakeRoom, Remove, Clear and Length as .NET cuts.
// Replace with a value of another length is taken as an append or a cut
// at the end. A change that would pass MaxCapacity is undone and fails.
func (s *StringBuilder) changed(name string, c Call, prev string, z *sbSize) {
	text := s.B.String()
	if (strings.HasPrefix(name, "Append") || name == "Length") && strings.HasPrefix(text, prev) {
		// the text only grew at its end: count the chars added alone
		added := text[len(prev):]
		n := z.n + strLen(added)
		pieces := []int{n - z.n}
		switch name {
		case "AppendLine":
			pieces = []int{n - z.n - 2, 2}
		case "AppendJoin":
			pieces = s.joinPieces(c)
		}
		if sum, low := sumInts(pieces); len(pieces) == 0 || sum != n-z.n || low < 0 {
			pieces = []int{n - z.n} // pieces not told apart: one append
		}
		done := 0
		for _, k := range pieces {
			if !z.appendN(k) {
				// the pieces appended before stay, as in .NET
				s.B.Reset()
				s.B.WriteString(prev)
				s.B.WriteString(string([]rune(added)[:done]))
				z.bytes = s.B.Len()
				param := "valueCount"
				if _, ok := c.Arg(0).(Char); ok && name == "Append" {
					param = "repeatCount" // Append(char) and Append(char, int)
				}
				Throw(ExArgRange, "The length cannot be greater than the capacity. (Parameter '%s')", param)
			}
			done += k
		}
		z.bytes = s.B.Len()
		return
	}
	n := strLen(text)
	switch {
	case name == "Insert" && n > z.n:
		if n > z.maxCapacity() {
			s.B.Reset()
			s.B.WriteString(prev)
			Throw(ExArgRange, "capacity was less than the current size. (Parameter 'requiredLength')")
		}
		z.makeRoom(c.Int(0), n-z.n)
	case name == "Remove" && n < z.n:
		z.remove(c.Int(0), z.n-n)
	case n < z.n:
		z.setLength(n)
	case n > z.n:
		z.appendN(n - z.n)
	}
	z.bytes = s.B.Len()
}

// joinPieces returns the lengths AppendJoin appends one by one: each
// value, and the separator before each but the first.
func (s *StringBuilder) joinPieces(c Call) []int {
	sep := strLen(c.Str(0))
	vals := c.Args[1:]
	if len(vals) == 1 {
		if _, isStr := vals[0].(string); !isStr {
			if items, ok := Items(vals[0]); ok {
				vals = items
			}
		}
	}
	var pieces []int
	for i, v := range vals {
		if i > 0 {
			pieces = append(pieces, sep)
		}
		pieces = append(pieces, strLen(ToString(v)))
	}
	return pieces
}

// sumInts returns the sum of xs and the least of them.
func sumInts(xs []int) (sum, low int) {
	for _, x := range xs {
		sum += x
		low = min(low, x)
	}
	return sum, low
}
