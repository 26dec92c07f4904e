package llm

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// The pre-tokenizers below cut a text into the same pieces as the split
// patterns of tiktoken-go's cl100k_base and o200k_base codecs, without
// allocating. The codecs match their patterns with regexp2's generated
// matchers (regexp2cg), which decode a Go string into runes (an invalid
// UTF-8 byte is one U+FFFD), classify runes with Go's unicode tables
// (\s is unicode.IsSpace) and try the alternatives leftmost-first. Where
// no alternative matches at a rune, the rune belongs to no piece and is
// not counted. Two behaviours of the generated matchers differ from a
// textbook backtracking engine, and the pieces follow them:
//
//   - \s*[\r\n]+ backs its \s* off to the first \r or \n of the white
//     space run, not the last one: "\n \n" is "\n" then " \n".
//   - Their ASCII bitmaps for [^\r\n\p{L}\p{N}] and [^\s\p{L}\p{N}] leave
//     out DEL (U+007F), so DEL matches no alternative and is skipped.
//
// TestSplitEquivalence and FuzzCountTokens hold the counts equal to the
// library's.

// Rune classes.
const (
	clsL     = 1 << iota // \p{L}
	clsN                 // \p{N}
	clsSpace             // \s: unicode.IsSpace
	clsP                 // [^\r\n\p{L}\p{N}]: the optional prefix of a word
	clsO                 // [^\s\p{L}\p{N}]: punctuation and symbols
	clsUp                // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] (o200k_base)
	clsLow               // [\p{Ll}\p{Lm}\p{Lo}\p{M}] (o200k_base)
)

// classOf classifies a rune as the codecs' patterns do.
func classOf(r rune) uint8 {
	var c uint8
	l, n, sp := unicode.In(r, unicode.L), unicode.In(r, unicode.N), unicode.IsSpace(r)
	if l {
		c |= clsL
	}
	if n {
		c |= clsN
	}
	if sp {
		c |= clsSpace
	}
	if !l && !n && r != '\r' && r != '\n' && r != 0x7f {
		c |= clsP
	}
	if !l && !n && !sp && r != 0x7f {
		c |= clsO
	}
	if unicode.In(r, unicode.Lu, unicode.Lt, unicode.Lm, unicode.Lo, unicode.M) {
		c |= clsUp
	}
	if unicode.In(r, unicode.Ll, unicode.Lm, unicode.Lo, unicode.M) {
		c |= clsLow
	}
	return c
}

// bmpClasses caches classOf for the Basic Multilingual Plane; it is built
// on first use (about 1 ms).
var bmpClasses struct {
	once  sync.Once
	table *[0x10000]uint8
}

func bmpTable() *[0x10000]uint8 {
	bmpClasses.once.Do(func() {
		t := new([0x10000]uint8)
		for r := range rune(0x10000) {
			t[r] = classOf(r)
		}
		bmpClasses.table = t
	})
	return bmpClasses.table
}

// splitter cuts texts into the pieces of one encoding's pattern.
type splitter struct {
	bmp *[0x10000]uint8
	// o200k selects o200k_base's pattern (letter case classes and
	// [\r\n/]* after punctuation); otherwise cl100k_base's.
	o200k bool
}

func newSplitter(e Encoding) splitter {
	return splitter{bmp: bmpTable(), o200k: e == O200kBase}
}

// at returns the class and the byte length of the rune at s[i], and 0, 0
// at the end of s. An invalid byte is one U+FFFD, as regexp2 decodes it.
func (sp *splitter) at(s string, i int) (uint8, int) {
	if i >= len(s) {
		return 0, 0
	}
	if b := s[i]; b < utf8.RuneSelf {
		return sp.bmp[b], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r < 0x10000 {
		return sp.bmp[r], n
	}
	return classOf(r), n
}

// run returns the end of the run of runes of class c from s[i].
func (sp *splitter) run(s string, i int, c uint8) int {
	for i < len(s) {
		b := s[i]
		if b < utf8.RuneSelf {
			if sp.bmp[b]&c == 0 {
				return i
			}
			i++
			continue
		}
		k, n := sp.at(s, i)
		if k&c == 0 {
			return i
		}
		i += n
	}
	return i
}

// contraction returns the end of (?i:'s|'t|'re|'ve|'m|'ll|'d) at s[i], or
// -1. Case-insensitive 's also matches 'ſ (U+017F), as in regexp2.
func contraction(s string, i int) int {
	if i+1 >= len(s) || s[i] != '\'' {
		return -1
	}
	switch s[i+1] {
	case 's', 'S', 't', 'T', 'm', 'M', 'd', 'D':
		return i + 2
	case 'r', 'R', 'v', 'V':
		if i+2 < len(s) && s[i+2]|0x20 == 'e' {
			return i + 3
		}
	case 'l', 'L':
		if i+2 < len(s) && s[i+2]|0x20 == 'l' {
			return i + 3
		}
	case 0xc5: // ſ is C5 BF
		if i+2 < len(s) && s[i+2] == 0xbf {
			return i + 3
		}
	}
	return -1
}

func isNewline(b byte) bool { return b == '\r' || b == '\n' }

// next returns the end of the piece that starts at s[i], or -1 when no
// alternative of the pattern matches there.
func (sp *splitter) next(s string, i int) int {
	c, n := sp.at(s, i)
	if sp.o200k {
		if e := sp.o200kWord(s, i, c, n); e >= 0 {
			return e
		}
	} else {
		// (?i:'s|'t|'re|'ve|'m|'ll|'d)
		if e := contraction(s, i); e >= 0 {
			return e
		}
		// [^\r\n\p{L}\p{N}]?\p{L}+
		if c&clsP != 0 {
			if c2, _ := sp.at(s, i+n); c2&clsL != 0 {
				return sp.run(s, i+n, clsL)
			}
		}
		if c&clsL != 0 {
			return sp.run(s, i+n, clsL)
		}
	}
	// \p{N}{1,3}
	if c&clsN != 0 {
		j := i + n
		for range 2 {
			c2, n2 := sp.at(s, j)
			if c2&clsN == 0 {
				break
			}
			j += n2
		}
		return j
	}
	// " ?[^\s\p{L}\p{N}]+[\r\n]*" ([\r\n/]* for o200k_base)
	j := i
	if s[i] == ' ' {
		j++
	}
	if e := sp.run(s, j, clsO); e > j {
		for e < len(s) && (isNewline(s[e]) || sp.o200k && s[e] == '/') {
			e++
		}
		return e
	}
	if c&clsSpace == 0 {
		return -1
	}
	e := sp.run(s, i+n, clsSpace)
	// \s*[\r\n]+, backed off to the first \r or \n of the run.
	for k := i; k < e; k++ {
		if isNewline(s[k]) {
			for k < e && isNewline(s[k]) {
				k++
			}
			return k
		}
	}
	// \s+(?!\S): the whole run at the end of the text, else all of it
	// but its last rune, if that leaves one.
	if e == len(s) {
		return e
	}
	if e-i > n {
		_, last := utf8.DecodeLastRuneInString(s[i:e])
		if e-last > i {
			return e - last
		}
	}
	// \s+
	return e
}

// o200kWord matches o200k_base's two word alternatives at s[i], whose rune
// is of class c and n bytes long:
//
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//
// with backtracking into the optional prefix and the upper-case loop. It
// returns the end of the match, or -1.
func (sp *splitter) o200kWord(s string, i int, c uint8, n int) int {
	if c&(clsP|clsUp|clsLow) == 0 {
		return -1
	}
	// The common case first: an ASCII word of a lower-case run after
	// upper-case letters, with or without a prefix, that the first
	// alternative matches as it stands.
	j := i
	if c&clsP != 0 {
		j += n
	}
	k := j
	for k < len(s) && 'A' <= s[k] && s[k] <= 'Z' {
		k++
	}
	if k < len(s) && 'a' <= s[k] && s[k] <= 'z' {
		k++
		for k < len(s) && 'a' <= s[k] && s[k] <= 'z' {
			k++
		}
		if k == len(s) || s[k] < utf8.RuneSelf {
			return sp.suffix(s, k)
		}
	}
	// The prefix is tried first taken, then not.
	starts := [2]int{-1, i}
	if c&clsP != 0 {
		starts[0] = i + n
	}
	// First alternative.
	for _, st := range starts {
		if st < 0 {
			continue
		}
		e := sp.run(s, st, clsUp)
		// The upper-case loop gives back one rune at a time until the
		// lower-case loop can start.
		for k := e; ; {
			if c2, _ := sp.at(s, k); c2&clsLow != 0 {
				return sp.suffix(s, sp.run(s, k, clsLow))
			}
			if k == st {
				break
			}
			_, size := utf8.DecodeLastRuneInString(s[st:k])
			k -= size
		}
	}
	// Second alternative.
	for _, st := range starts {
		if st < 0 {
			continue
		}
		if c2, _ := sp.at(s, st); c2&clsUp != 0 {
			e := sp.run(s, st, clsUp)
			return sp.suffix(s, sp.run(s, e, clsLow))
		}
	}
	return -1
}

// suffix extends a word that ends at s[i] with an optional contraction.
func (sp *splitter) suffix(s string, i int) int {
	if e := contraction(s, i); e >= 0 {
		return e
	}
	return i
}

// pieces calls f with each piece of s, in order.
func (sp *splitter) pieces(s string, f func(piece string) error) error {
	for i := 0; i < len(s); {
		e := sp.next(s, i)
		if e < 0 {
			_, n := sp.at(s, i)
			i += n
			continue
		}
		if err := f(s[i:e]); err != nil {
			return err
		}
		i = e
	}
	return nil
}
