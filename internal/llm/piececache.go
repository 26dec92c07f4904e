package llm

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
)

// A pieceCache remembers the token counts of pieces of one encoding:
// prompts repeat words, and counting a piece with the library costs a
// vocabulary lookup or byte-pair merges plus a regexp match. It is a
// two-way set-associative table of cacheSlots slots, each an atomic
// pointer to an immutable entry, so lookups take no lock and concurrent
// counts are safe; a new piece replaces one of its set's two entries.
// Pieces longer than maxCachedPiece bytes are not cached. So it holds at
// most cacheSlots pieces and cacheSlots × maxCachedPiece bytes of them
// (2 MiB; typical pieces are a few bytes): with the slots and entries'
// headers, at most about 3.5 MiB per encoding, and less than 1 MiB for
// ordinary prompts.
type pieceCache struct {
	seed  maphash.Seed
	slots []atomic.Pointer[cachedPiece]
}

type cachedPiece struct {
	piece string
	count int
}

const (
	cacheSlots     = 1 << 15
	maxCachedPiece = 64
)

func newPieceCache() *pieceCache {
	return &pieceCache{seed: maphash.MakeSeed(), slots: make([]atomic.Pointer[cachedPiece], cacheSlots)}
}

// set returns the index of the first slot of piece's set, and the hash.
func (c *pieceCache) set(piece string) (int, uint64) {
	h := maphash.String(c.seed, piece)
	return int(h&(cacheSlots-1)) &^ 1, h
}

// get returns the count of piece, if cached.
func (c *pieceCache) get(piece string) (int, bool) {
	if len(piece) > maxCachedPiece {
		return 0, false
	}
	i, _ := c.set(piece)
	if e := c.slots[i].Load(); e != nil && e.piece == piece {
		return e.count, true
	}
	if e := c.slots[i+1].Load(); e != nil && e.piece == piece {
		return e.count, true
	}
	return 0, false
}

// put caches the count of piece: in an empty slot of its set, else in
// place of one of the two (chosen by another bit of the hash, so that two
// pieces of one set that alternate both stay). The piece is copied, so
// that the cache does not keep a request's text alive.
func (c *pieceCache) put(piece string, count int) {
	if len(piece) > maxCachedPiece {
		return
	}
	i, h := c.set(piece)
	switch {
	case c.slots[i].Load() == nil:
	case c.slots[i+1].Load() == nil:
		i++
	default:
		i += int(h>>32) & 1
	}
	c.slots[i].Store(&cachedPiece{piece: strings.Clone(piece), count: count})
}
