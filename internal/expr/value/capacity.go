package value

import "github.com/tollgate/tollgate/internal/jsonx"

// The capacities of List<T> and Dictionary<TKey, TValue>: tollgate's
// collections are Go slices and maps, which grow their own way, so the
// lengths of .NET's backing arrays are tracked beside them and grow by
// .NET's rules (List<T>.Grow, Dictionary's Initialize and Resize with
// HashHelpers' primes). They are numbers only: nothing is allocated for
// them.

// arrayMaxLength is Array.MaxLength, the longest array .NET allocates; a
// longer one fails with an OutOfMemoryException.
const arrayMaxLength = 0x7FFFFFC7

// listDefaultCapacity is the capacity List<T> takes on its first Add.
const listDefaultCapacity = 4

// throwArrayTooLong raises the OutOfMemoryException of allocating an
// array longer than Array.MaxLength.
func throwArrayTooLong() {
	Throw("System.OutOfMemoryException", "Array dimensions exceeded supported range.")
}

// Capacity returns the list's List<T>.Capacity. A list built without one
// (Cap below its count) has exactly its count, as a list copied from a
// collection does.
func (l *List) Capacity() int { return max(l.Cap, len(l.Items)) }

// SetCapacity sets List<T>.Capacity, which may not go below the count.
func (l *List) SetCapacity(n int) {
	if n < len(l.Items) {
		Throw(ExArgRange, "capacity was less than the current size. (Parameter 'value')")
	}
	if n > arrayMaxLength {
		throwArrayTooLong()
	}
	l.Cap = n
}

// Grow makes room for n elements as List<T>.Grow does: when n exceeds the
// capacity, the capacity doubles (an empty list takes 4), or becomes n
// when doubling is not enough.
func (l *List) Grow(n int) {
	c := l.Capacity()
	if n <= c {
		return
	}
	next := listDefaultCapacity
	if c > 0 {
		next = min(2*c, arrayMaxLength)
	}
	l.SetCapacity(max(next, n))
}

// queueGrow makes room for n elements in a Queue<T> as Queue<T>.Grow
// does: when n exceeds the capacity, it doubles, but grows by at least 4,
// or becomes n when that is not enough.
func (l *List) queueGrow(n int) {
	c := l.Capacity()
	if n <= c {
		return
	}
	next := min(2*c, arrayMaxLength)
	l.SetCapacity(max(next, c+4, n))
}

// GrowEach makes room for n elements added one at a time, as Add and
// Insert do when the source of AddRange, InsertRange or the constructor is
// not a collection: each Add that finds the list full grows it.
func (l *List) GrowEach(n int) {
	for c := l.Capacity(); c < n; c = l.Capacity() {
		l.Grow(c + 1)
	}
}

// trimExcess is List<T>.TrimExcess: the capacity shrinks to the count when
// the count is below 90% of it.
func (l *List) trimExcess() {
	if len(l.Items) < int(float64(l.Capacity())*0.9) {
		l.Cap = len(l.Items)
	}
}

// collectionCount returns the count of v when .NET sees it as an
// ICollection<T>, whose elements List<T> copies at once into an array of
// exactly that size: arrays, lists, sets, dictionaries, their Keys and
// Values, Enumerable.Range and Repeat, JArray and JObject. Other sequences
// (LINQ queries, strings) are added one element at a time.
func collectionCount(v Value) (int, bool) {
	switch x := v.(type) {
	case *Array:
		return len(x.Items), true
	case []byte:
		return len(x), true
	case *List:
		return len(x.Items), true
	case *Dict:
		return len(x.Keys), true
	case *Seq:
		return len(x.Items), x.Counted
	case *jsonx.Token:
		switch x.Type() {
		case jsonx.Array, jsonx.Object, jsonx.Property:
			return x.Count(), true
		}
	}
	return 0, false
}

// dictSize tracks the storage of .NET's Dictionary<TKey, TValue>: the
// length of its entries array, the entries used so far and the removed
// ones a new key takes first.
type dictSize struct {
	cap   int // entries.Length: 0 until the first insert or a capacity
	slots int // _count: entries used, removed ones included
	free  int // _freeCount: removed entries not reused yet
}

// presize is the capacity constructor argument: a positive one allocates
// HashHelpers.GetPrime(n) entries at once.
func (s *dictSize) presize(n int) {
	if n < 0 {
		Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'capacity')")
	}
	if n > 0 {
		s.cap = checkedPrimeSize(hashPrime(n))
	}
}

// insert takes an entry for a new key: a removed one if any, else the next
// unused one, resizing to HashHelpers.ExpandPrime(count) when the entries
// are full (an empty dictionary starts with GetPrime(0) = 3).
func (s *dictSize) insert() {
	if s.free > 0 {
		s.free--
		return
	}
	if s.slots == s.cap { // full, or not allocated yet (both 0)
		s.grow()
	}
	s.slots++
}

// grow allocates the entries of a full or empty dictionary: GetPrime(0)
// at first, ExpandPrime(count) afterwards.
func (s *dictSize) grow() {
	if s.cap == 0 {
		s.cap = hashPrime(0)
		return
	}
	s.cap = checkedPrimeSize(expandPrime(s.slots))
}

// remove frees the entry of a removed key.
func (s *dictSize) remove() { s.free++ }

// clear is Dictionary.Clear: the entries are emptied, their number kept.
func (s *dictSize) clear() { s.slots, s.free = 0, 0 }

// ensure is Dictionary.EnsureCapacity(n): the entries grow to
// HashHelpers.GetPrime(n) when fewer than n; it returns their number.
func (s *dictSize) ensure(n int) int {
	if n < 0 {
		Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'capacity')")
	}
	if s.cap < n {
		s.cap = checkedPrimeSize(hashPrime(n))
	}
	return s.cap
}

// trim is Dictionary.TrimExcess(): the entries shrink to GetPrime(count)
// when that is fewer, and the removed ones are dropped.
func (s *dictSize) trim(count int) {
	n := hashPrime(count)
	if n >= s.cap {
		return
	}
	s.cap, s.slots, s.free = n, count, 0
}

// checkedPrimeSize fails as allocating n entries fails beyond
// Array.MaxLength.
func checkedPrimeSize(n int) int {
	if n > arrayMaxLength {
		throwArrayTooLong()
	}
	return n
}

// hashPrimes is HashHelpers' table of hash table sizes.
var hashPrimes = [...]int{
	3, 7, 11, 17, 23, 29, 37, 47, 59, 71, 89, 107, 131, 163, 197, 239, 293, 353, 431, 521, 631, 761, 919,
	1103, 1327, 1597, 1931, 2333, 2801, 3371, 4049, 4861, 5839, 7013, 8419, 10103, 12143, 14591,
	17519, 21023, 25229, 30293, 36353, 43627, 52361, 62851, 75431, 90523, 108631, 130363, 156437,
	187751, 225307, 270371, 324449, 389357, 467237, 560689, 672827, 807403, 968897, 1162687, 1395263,
	1674319, 2009191, 2411033, 2893249, 3471899, 4166287, 4999559, 5999471, 7199369,
}

// hashPrimeStep is HashHelpers.HashPrime: a computed size p must not have
// p-1 divisible by it.
const hashPrimeStep = 101

// maxPrimeArrayLength is HashHelpers.MaxPrimeArrayLength, the largest
// prime below Array.MaxLength.
const maxPrimeArrayLength = 0x7FFFFFC3

// hashPrime is HashHelpers.GetPrime: the smallest size of the table at
// least min, else the smallest prime at least min (odd, p-1 not a multiple
// of 101), else min.
func hashPrime(min int) int {
	for _, p := range hashPrimes {
		if p >= min {
			return p
		}
	}
	for i := min | 1; i < 1<<31-1; i += 2 {
		if isPrime32(uint64(i)) && (i-1)%hashPrimeStep != 0 {
			return i
		}
	}
	return min
}

// expandPrime is HashHelpers.ExpandPrime: the size a full table of
// oldSize entries grows to.
func expandPrime(oldSize int) int {
	n := 2 * oldSize
	if n > maxPrimeArrayLength && maxPrimeArrayLength > oldSize {
		return maxPrimeArrayLength
	}
	return hashPrime(n)
}

// isPrime32 reports whether n (below 2^32) is prime, by Miller-Rabin with
// the bases 2, 7 and 61, which decide every n below 4,759,123,141; it
// gives HashHelpers.IsPrime's answer without its trial division.
func isPrime32(n uint64) bool {
	if n < 2 {
		return false
	}
	for _, p := range [...]uint64{2, 3, 5, 7, 11, 13, 61} {
		if n%p == 0 {
			return n == p
		}
	}
	d, r := n-1, 0
	for d%2 == 0 {
		d /= 2
		r++
	}
	for _, a := range [...]uint64{2, 7, 61} {
		x := powMod(a, d, n)
		if x == 1 || x == n-1 {
			continue
		}
		composite := true
		for range r - 1 {
			x = x * x % n
			if x == n-1 {
				composite = false
				break
			}
		}
		if composite {
			return false
		}
	}
	return true
}

// powMod returns a^e mod n for n below 2^32 (the products fit in 64 bits).
func powMod(a, e, n uint64) uint64 {
	r := uint64(1)
	a %= n
	for ; e > 0; e >>= 1 {
		if e&1 == 1 {
			r = r * a % n
		}
		a = a * a % n
	}
	return r
}
