package value

import "testing"

// trialPrime is HashHelpers.IsPrime: trial division by the odd numbers up
// to the square root.
func trialPrime(n int) bool {
	if n&1 == 0 {
		return n == 2
	}
	for d := 3; d*d <= n; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return n != 1
}

func TestIsPrime32(t *testing.T) {
	for n := 0; n < 200000; n++ {
		if got, want := isPrime32(uint64(n)), trialPrime(n); got != want {
			t.Fatalf("isPrime32(%d) = %v, want %v", n, got, want)
		}
	}
	// around the edges of int: strong pseudoprimes to some bases, Mersenne
	// and large primes
	for _, n := range []int{3215031751, 2152302898747 % (1 << 31), 2147483647, 2147483629, 2147483645, 1000000007, 999999937, 4294967291, 25326001, 3825123056546413051 % (1 << 32)} {
		if got, want := isPrime32(uint64(n)), trialPrime(n); got != want {
			t.Errorf("isPrime32(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestHashPrime(t *testing.T) {
	cases := []struct{ min, want int }{
		{0, 3}, {3, 3}, {4, 7}, {8, 11}, {12, 17}, {100, 107}, {200, 239}, {7199369, 7199369},
		{8000000, 8000017}, {2000000000, 2000000011},
	}
	for _, c := range cases {
		if got := hashPrime(c.min); got != c.want {
			t.Errorf("hashPrime(%d) = %d, want %d", c.min, got, c.want)
		}
	}
	// beyond the table: the smallest prime p >= min with (p-1) % 101 != 0
	for min := 7199370; min < 7210000; min += 997 {
		want := min | 1
		for !trialPrime(want) || (want-1)%101 == 0 {
			want += 2
		}
		if got := hashPrime(min); got != want {
			t.Errorf("hashPrime(%d) = %d, want %d", min, got, want)
		}
	}
	if got := hashPrime(1<<31 - 1); got != 1<<31-1 {
		t.Errorf("hashPrime(int.MaxValue) = %d", got)
	}
	// a full table grows to the prime after twice its size
	for _, c := range [][2]int{{3, 7}, {7, 17}, {17, 37}, {37, 89}, {89, 197}} {
		if got := expandPrime(c[0]); got != c[1] {
			t.Errorf("expandPrime(%d) = %d, want %d", c[0], got, c[1])
		}
	}
}

func TestListGrow(t *testing.T) {
	l := &List{}
	var caps []int
	for i := 1; i <= 17; i++ {
		l.Grow(i)
		caps = append(caps, l.Capacity())
		l.Items = append(l.Items, int32(i))
	}
	want := []int{4, 4, 4, 4, 8, 8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 16, 32}
	for i := range want {
		if caps[i] != want[i] {
			t.Fatalf("capacities %v, want %v", caps, want)
		}
	}
	l = &List{Cap: 3}
	l.GrowEach(13) // 3 -> 6 -> 12 -> 24
	if l.Cap != 24 {
		t.Errorf("GrowEach(13) from 3: %d, want 24", l.Cap)
	}
	l = &List{Cap: 3}
	l.Grow(13) // doubling gives 6, less than asked
	if l.Cap != 13 {
		t.Errorf("Grow(13) from 3: %d, want 13", l.Cap)
	}
}
