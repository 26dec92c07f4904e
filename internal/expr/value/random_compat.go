package value

import (
	"encoding/binary"
	"math"
	"math/bits"
	"math/rand/v2"
)

// compatPrng is .NET's generator for a seeded Random (Net5CompatSeedImpl
// and its CompatPrng in Random.Net5CompatImpl.cs): Knuth's subtractive
// generator as .NET Framework implemented it, so that new Random(seed)
// gives the sequence .NET gives.
type compatPrng struct {
	seeds         [56]int32
	inext, inextp int
}

func newCompatPrng(seed int32) *compatPrng {
	p := &compatPrng{}
	sub := int32(math.MaxInt32)
	if seed != math.MinInt32 {
		sub = seed
		if sub < 0 {
			sub = -sub
		}
	}
	mj := 161803398 - sub
	p.seeds[55] = mj
	mk := int32(1)
	ii := 0
	for i := 1; i < 55; i++ {
		if ii += 21; ii >= 55 {
			ii -= 55
		}
		p.seeds[ii] = mk
		mk = mj - mk
		if mk < 0 {
			mk += math.MaxInt32
		}
		mj = p.seeds[ii]
	}
	for k := 1; k < 5; k++ {
		for i := 1; i < 56; i++ {
			n := i + 30
			if n >= 55 {
				n -= 55
			}
			p.seeds[i] -= p.seeds[1+n]
			if p.seeds[i] < 0 {
				p.seeds[i] += math.MaxInt32
			}
		}
	}
	p.inext, p.inextp = 0, 21
	return p
}

// internalSample is the next value in [0, int.MaxValue).
func (p *compatPrng) internalSample() int32 {
	a, b := p.inext+1, p.inextp+1
	if a >= 56 {
		a = 1
	}
	if b >= 56 {
		b = 1
	}
	r := p.seeds[a] - p.seeds[b]
	if r == math.MaxInt32 {
		r--
	}
	if r < 0 {
		r += math.MaxInt32
	}
	p.seeds[a] = r
	p.inext, p.inextp = a, b
	return r
}

func (p *compatPrng) sample() float64 {
	return float64(p.internalSample()) * (1.0 / math.MaxInt32)
}

func (p *compatPrng) largeRangeSample() float64 {
	r := p.internalSample()
	if p.internalSample()%2 == 0 {
		r = -r
	}
	d := float64(r)
	d += math.MaxInt32 - 1
	d /= 2*math.MaxInt32 - 1
	return d
}

// newRandom makes a Random: seeded, .NET's reproducible sequence; else
// random.
func newRandom(seed int32, seeded bool) *Random {
	if seeded {
		return &Random{c: newCompatPrng(seed)}
	}
	return &Random{r: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
}

// next is Next(): [0, int.MaxValue).
func (x *Random) next() int32 {
	if x.c != nil {
		return x.c.internalSample()
	}
	return x.r.Int32N(math.MaxInt32)
}

// nextN is Next(max), max >= 0.
func (x *Random) nextN(max int32) int32 {
	if x.c != nil {
		return int32(x.c.sample() * float64(max))
	}
	if max <= 1 {
		return 0
	}
	return x.r.Int32N(max)
}

// nextRange is Next(min, max), min <= max.
func (x *Random) nextRange(lo, hi int32) int32 {
	rng := int64(hi) - int64(lo)
	if x.c != nil {
		if rng <= math.MaxInt32 {
			return int32(x.c.sample()*float64(rng)) + lo
		}
		return int32(int64(x.c.largeRangeSample()*float64(rng)) + int64(lo))
	}
	if rng <= 1 {
		return lo
	}
	return int32(int64(lo) + x.r.Int64N(rng))
}

func (x *Random) nextDouble() float64 {
	if x.c != nil {
		return x.c.sample()
	}
	return x.r.Float64()
}

func (x *Random) nextSingle() float32 {
	if x.c != nil {
		return float32(x.c.sample())
	}
	return x.r.Float32()
}

func (x *Random) nextBytes(b []byte) {
	if x.c != nil {
		for i := range b {
			b[i] = byte(x.c.internalSample())
		}
		return
	}
	for i := range b {
		b[i] = byte(x.r.UintN(256))
	}
}

// nextUint64 is .NET's NextUInt64 of the seeded generator: eight bytes of
// NextBytes, little-endian.
func (x *Random) nextUint64() uint64 {
	var b [8]byte
	x.nextBytes(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// nextInt64 is NextInt64(): [0, long.MaxValue).
func (x *Random) nextInt64() int64 {
	if x.c == nil {
		return x.r.Int64N(math.MaxInt64)
	}
	for {
		if r := x.nextUint64() >> 1; r != math.MaxInt64 {
			return int64(r)
		}
	}
}

// nextInt64Range is NextInt64(min, max), min <= max.
func (x *Random) nextInt64Range(lo, hi int64) int64 {
	rng := uint64(hi - lo)
	if rng <= 1 {
		return lo
	}
	if x.c == nil {
		return lo + int64(x.r.Uint64N(rng))
	}
	// the smallest power of two range that holds rng (Log2Ceiling)
	b := bits.Len64(rng - 1)
	for {
		if r := x.nextUint64() >> (64 - b); r < rng {
			return int64(r) + lo
		}
	}
}

// shuffle is .NET 8's Shuffle: for each i but the last, swap with
// Next(i, n).
func (x *Random) shuffle(n int, swap func(i, j int)) {
	for i := 0; i < n-1; i++ {
		if j := int(x.nextRange(int32(i), int32(n))); j != i {
			swap(i, j)
		}
	}
}
