package semcache

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/cache"
)

// Options configure a Cache.
type Options struct {
	// MaxEntries bounds the vectors kept per partition; 0 means 128.
	MaxEntries int
	// Now returns the current time; nil uses time.Now (tests set it).
	Now func() time.Time
}

// Cache is a semantic response cache. It is safe for concurrent use.
type Cache struct {
	store cache.Store
	max   int
	now   func() time.Time
	seq   atomic.Uint64
}

// New returns a Cache keeping its entries in store.
func New(store cache.Store, opts Options) *Cache {
	c := &Cache{store: store, max: opts.MaxEntries, now: opts.Now}
	if c.max <= 0 {
		c.max = 128
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.seq.Store(uint64(time.Now().UnixNano()))
	return c
}

// Hit is a cached response found by Lookup.
type Hit struct {
	// Response is what Store kept.
	Response []byte
	// Score is the cosine distance (1 - similarity) of the prompt to the
	// cached prompt: 0 for the same direction.
	Score float64
}

// entry is one vector of an index.
type entry struct {
	id      uint64
	expires int64 // Unix milliseconds
	vec     []float32
}

// Lookup returns the cached response whose prompt vector is closest to vec
// in partition, when its cosine distance is at most threshold. ok is false
// on a miss.
func (c *Cache) Lookup(ctx context.Context, partition string, vec []float32, threshold float64) (Hit, bool, error) {
	b, ok, err := c.store.Get(ctx, indexKey(partition))
	if err != nil || !ok {
		return Hit{}, false, err
	}
	id, score, found, derr := nearest(b, vec, c.now().UnixMilli())
	if derr != nil {
		c.store.Delete(ctx, indexKey(partition))
		return Hit{}, false, nil
	}
	if !found || score > threshold {
		return Hit{Score: score}, false, nil
	}
	resp, ok, err := c.store.Get(ctx, entryKey(partition, id))
	if err != nil || !ok {
		return Hit{Score: score}, false, err
	}
	return Hit{Response: resp, Score: math.Max(score, 0)}, true, nil
}

// nearest scans an encoded index for the live vector closest to vec,
// reading the vectors in place.
func nearest(b []byte, vec []float32, nowMs int64) (id uint64, score float64, found bool, err error) {
	if len(b) < 4 {
		return 0, 0, false, errDamaged
	}
	n := int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	score = math.Inf(1)
	var qn float64
	for _, f := range vec {
		qn += float64(f) * float64(f)
	}
	for range n {
		if len(b) < 20 {
			return 0, 0, false, errDamaged
		}
		eid, expires := binary.LittleEndian.Uint64(b), int64(binary.LittleEndian.Uint64(b[8:]))
		dim := int(binary.LittleEndian.Uint32(b[16:]))
		b = b[20:]
		if dim > len(b)/4 {
			return 0, 0, false, errDamaged
		}
		v := b[:4*dim]
		b = b[4*dim:]
		if expires <= nowMs || dim != len(vec) || qn == 0 {
			continue
		}
		var dot, en float64
		for i, q := range vec {
			x := float64(math.Float32frombits(binary.LittleEndian.Uint32(v[4*i:])))
			dot += float64(q) * x
			en += x * x
		}
		if en == 0 {
			continue
		}
		if s := 1 - dot/(math.Sqrt(qn)*math.Sqrt(en)); s < score {
			id, score, found = eid, s, true
		}
	}
	if len(b) != 0 {
		return 0, 0, false, errDamaged
	}
	return id, score, found, nil
}

// Store caches response for the prompt whose vector is vec, for ttl.
func (c *Cache) Store(ctx context.Context, partition string, vec []float32, response []byte, ttl time.Duration) error {
	if ttl <= 0 || len(vec) == 0 {
		return nil
	}
	entries, err := c.index(ctx, partition)
	if err != nil {
		return err
	}
	now := c.now()
	nowMs := now.UnixMilli()
	kept := entries[:0]
	for _, e := range entries {
		if e.expires > nowMs {
			kept = append(kept, e)
		}
	}
	if len(kept) >= c.max {
		// Drop the oldest (the index is in insertion order).
		drop := len(kept) - c.max + 1
		for _, e := range kept[:drop] {
			c.store.Delete(ctx, entryKey(partition, e.id))
		}
		kept = append(kept[:0], kept[drop:]...)
	}
	e := entry{id: c.seq.Add(1), expires: now.Add(ttl).UnixMilli(), vec: vec}
	if err := c.store.Set(ctx, entryKey(partition, e.id), response, ttl); err != nil {
		return err
	}
	kept = append(kept, e)
	last := int64(0)
	for _, k := range kept {
		last = max(last, k.expires)
	}
	return c.store.Set(ctx, indexKey(partition), encode(kept), time.Duration(last-nowMs)*time.Millisecond)
}

func (c *Cache) index(ctx context.Context, partition string) ([]entry, error) {
	b, ok, err := c.store.Get(ctx, indexKey(partition))
	if err != nil || !ok {
		return nil, err
	}
	entries, derr := decode(b)
	if derr != nil {
		// A damaged index is dropped: it is a cache.
		c.store.Delete(ctx, indexKey(partition))
		return nil, nil
	}
	return entries, nil
}

// partitionID hashes a partition name so that keys have a bounded length
// and vary-by values (which may hold user data) are not readable in Redis.
func partitionID(partition string) string {
	h := sha256.Sum256([]byte(partition))
	return hex.EncodeToString(h[:16])
}

func indexKey(partition string) string { return "semcache|" + partitionID(partition) + "|index" }

func entryKey(partition string, id uint64) string {
	return "semcache|" + partitionID(partition) + "|" + strconv.FormatUint(id, 36)
}

// encode writes entries as: count, then per entry id, expires, dimension and
// the vector's float32 bits, all little-endian.
func encode(entries []entry) []byte {
	n := 4
	for _, e := range entries {
		n += 20 + 4*len(e.vec)
	}
	b := make([]byte, 0, n)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(entries)))
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint64(b, e.id)
		b = binary.LittleEndian.AppendUint64(b, uint64(e.expires))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(e.vec)))
		for _, f := range e.vec {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
		}
	}
	return b
}

var errDamaged = errors.New("damaged semantic cache index")

func decode(b []byte) ([]entry, error) {
	if len(b) < 4 {
		return nil, errDamaged
	}
	n := int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	if n > len(b)/20 {
		return nil, errDamaged
	}
	out := make([]entry, 0, n)
	for range n {
		if len(b) < 20 {
			return nil, errDamaged
		}
		e := entry{id: binary.LittleEndian.Uint64(b), expires: int64(binary.LittleEndian.Uint64(b[8:]))}
		dim := int(binary.LittleEndian.Uint32(b[16:]))
		b = b[20:]
		if dim > len(b)/4 {
			return nil, errDamaged
		}
		e.vec = make([]float32, dim)
		for i := range e.vec {
			e.vec[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		b = b[4*dim:]
		out = append(out, e)
	}
	if len(b) != 0 {
		return nil, errDamaged
	}
	return out, nil
}
