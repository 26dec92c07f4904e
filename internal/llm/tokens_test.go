package llm

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

var encodings = []Encoding{Cl100kBase, O200kBase}

// libraryCount is the library's own count of the whole text.
func libraryCount(t testing.TB, e Encoding, text string) int {
	c, err := counterFor(e)
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.codec.Count(text)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkCount fails when CountTokens differs from the library's count.
func checkCount(t testing.TB, e Encoding, text string) bool {
	t.Helper()
	want := libraryCount(t, e, text)
	got, err := CountTokens(e, text)
	if err != nil || got != want {
		name := text
		if len(name) > 200 {
			name = name[:200] + "..."
		}
		t.Errorf("%s: CountTokens(%q) = %d, %v; the library counts %d", e, name, got, err, want)
		return false
	}
	return true
}

// trickyTexts are handcrafted strings around the split patterns' edges.
func trickyTexts() []string {
	texts := []string{
		"", " ", "  ", "\t", "\n", "\r\n", "a", "'", "''", "'s", "'S", "'ſ", "'ll", "'LL", "'lL", "'l", "'re", "'RE", "'Ve",
		"it's", "IT'S", "It'S", "we'll", "WE'LL", "they're", "THEY'RE", "I've", "I'M", "he'd", "HE'D", "don't", "DON'T",
		"o'clock", "rock 'n' roll", "'tis", "x'ſ", "ABC'S", "Ǆ'ſ", "'s'", "'''s", "quote' s", "a's's's",
		"HELLOworld", "helloWORLD", "HelloWorld", "ABCdef'LL", "camelCaseWordsHere", "XMLHttpRequest", "ǅungla", "ǅ",
		"ʰʲʷ", "中文字符", "中AB1", "AB中cd", "日本語のテキスト", "한국어 텍스트", "Ελληνικά ΚΕΊΜΕΝΟ", "Русский ТЕКСТ текст",
		"עברית", "العربية ١٢٣٤", "हिन्दी पाठ", "ภาษาไทย", "ქართული",
		"e\u0301", "\u0301", "\u0301\u0301abc", " \u0301A", "A\u0301B", "\u0301123", "\u20dd", "a\u0308\u0301x", "Å\u030aa",
		"😀", "😀😀 😀", "👨‍👩‍👧‍👦", "🇫🇷🇩🇪", "a😀b", "1😀2", "♥️", "✓ done", "\ufeffBOM", "\u200bzero\u200bwidth",
		"1", "12", "123", "1234", "12345", "123456", "1234567", "1 2 3", "3.14159", "-42", "1,000,000", "٣٤٥٦", "①②③④", "½¾",
		"a\r\nb", "a\n\rb", "a\r\r\nb", "\r\n\r\n", "\n \n", "\n  \n  \n", "  \n  \n  x", "x  \n\t\n y", " \r\n ", "\r", "\r\r\r",
		"a  ", "a   b", "a    b", "a \t b", "\t\tx", "x\t\t", "  x", "   ", "a \u00a0b", "\u3000\u3000x", "a\u2028b", "x\u0085y",
		"\u00a0\u00a0", " \u00a0", "\u2003 \u2003x", "\v\fx", "\x1c\x1d\x1e\x1f",
		"!!!", "!!!\n", "!!!\n\n", " !!!\r\n", "...\n/", "!\n/x", "a/b/c", "//\n//", " //", "http://example.com/path?q=1#f",
		"(a+b)*c", "{\"json\": [1, 2]}", "<|endoftext|>", "<|endofprompt|>", "$$$ %%% ^^^", "foo_bar-baz.qux", "@user #tag",
		"a\x7fb", "\x7f", "\x7f\x7f x", " \x7f", "\x00", "a\x00b", "\x01\x02\x03",
		"\xff", "ab\xffcd", "\xc3", "\xc3(", "\xe2\x82", "a\xe2\x82b", "\xf0\x9f\x98", "\xed\xa0\x80", "\xc0\xaf", " \xff\xfe ",
		"\xff\n", "'\xff", "A\xffb", "\ufffd", "1\xff2",
	}
	var b strings.Builder
	for i := range 200 {
		b.WriteString(texts[i%len(texts)])
		b.WriteString([]string{" ", "", "\n", "  ", "'s ", "\r\n"}[i%6])
	}
	texts = append(texts, b.String(), strings.Repeat("a", 5000), strings.Repeat(" ", 300)+"x", strings.Repeat("ab\n", 400),
		strings.Repeat("1", 100), strings.Repeat("😀", 100), strings.Repeat("\u0301", 50)+"A")
	return texts
}

// testdataTexts are the files of every testdata directory of the
// repository (policies, policy corpora, bodies), whole and line by line.
func testdataTexts(t testing.TB) []string {
	var texts []string
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.Contains(filepath.ToSlash(p), "/testdata/") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		texts = append(texts, string(b))
		texts = append(texts, strings.Split(string(b), "\n")...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return texts
}

// The counts equal the library's counts of whole texts: the policies and
// corpora of the repository's testdata and handcrafted strings.
func TestCountTokensEqualsLibrary(t *testing.T) {
	files := testdataTexts(t)
	if len(files) < 1000 {
		t.Fatalf("found only %d testdata texts", len(files))
	}
	texts := append(trickyTexts(), files...)
	for _, e := range encodings {
		fails := 0
		for _, text := range texts {
			if !checkCount(t, e, text) {
				if fails++; fails == 20 {
					t.Fatal("too many differences")
				}
			}
		}
	}
	t.Logf("%d texts, %d bytes", len(texts), func() (n int) {
		for _, s := range texts {
			n += len(s)
		}
		return n
	}())
}

// Runes, between letters, digits, spaces and contractions, counts as
// in the library: the rune classes are the library's.
func TestCountTokensEveryRune(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	const context = "a%B %1%%'S\n% x%"
	for _, e := range encodings {
		fails := 0
		for r := rune(0); r <= utf8.MaxRune; r++ {
			// Every assigned rune (planes 0 to 3 and 14), a sample of
			// the others.
			if !utf8.ValidRune(r) || r >= 0x40000 && r>>16 != 14 && r%97 != 0 {
				continue
			}
			if !checkCount(t, e, strings.ReplaceAll(context, "%", string(r))) {
				if fails++; fails == 20 {
					t.Fatal("too many differences")
				}
			}
		}
	}
}

// A piece counts alone as inside its text: the splitter cuts each piece
// alone into that one piece, so the library's pattern does too, and
// byte-pair encoding never crosses pieces.
func TestPiecesStandAlone(t *testing.T) {
	texts := append(trickyTexts(), testdataTexts(t)...)
	for _, e := range encodings {
		sp := newSplitter(e)
		for _, text := range texts {
			sp.pieces(text, func(piece string) error {
				var again []string
				sp.pieces(piece, func(p string) error { again = append(again, p); return nil })
				if len(again) != 1 || again[0] != piece {
					t.Errorf("%s: piece %q of %q splits alone into %q", e, piece, text, again)
				}
				return nil
			})
		}
	}
}

// The cache is bounded and gives what was put in it, under concurrent use.
func TestPieceCache(t *testing.T) {
	c := newPieceCache()
	if _, ok := c.get("hello"); ok {
		t.Fatal("an empty cache hit")
	}
	c.put("hello", 1)
	if n, ok := c.get("hello"); !ok || n != 1 {
		t.Fatalf("get(hello) = %d, %v", n, ok)
	}
	long := strings.Repeat("x", maxCachedPiece+1)
	c.put(long, 3)
	if _, ok := c.get(long); ok {
		t.Error("a piece over maxCachedPiece was cached")
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 3 * cacheSlots {
				p := strings.Repeat("ab", i%7) + string(rune('a'+g)) + strings.Repeat("z", i%13) + string(rune(i))
				if n, ok := c.get(p); ok && n != len(p) {
					t.Errorf("get(%q) = %d", p, n)
					return
				}
				c.put(p, len(p))
			}
		})
	}
	wg.Wait()
	entries, bytes := 0, 0
	for i := range c.slots {
		if e := c.slots[i].Load(); e != nil {
			entries++
			bytes += len(e.piece)
		}
	}
	if entries > cacheSlots || bytes > cacheSlots*maxCachedPiece {
		t.Errorf("cache holds %d pieces, %d bytes", entries, bytes)
	}
}

// Counting concurrently gives the library's counts.
func TestCountTokensConcurrent(t *testing.T) {
	texts := trickyTexts()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, e := range encodings {
				for _, text := range texts {
					checkCount(t, e, text)
				}
			}
		})
	}
	wg.Wait()
}

// plainString reads JSON strings as json.Unmarshal does, or declines.
func TestPlainString(t *testing.T) {
	for _, raw := range []string{`""`, `"a"`, `"hello world"`, `"a\nb"`, `"\"q\""`, `"\\"`, `"\/\b\f\n\r\t"`, `"é😀"`,
		`"\u00e9"`, `"a\x"`, `"a\"`, `"a"b"`, `"` + "\x01" + `"`, `"` + "\xff" + `"`, `"a`, `a"`, `"`, `"\ud800"`} {
		checkPlainString(t, []byte(raw))
	}
}

func checkPlainString(t *testing.T, raw []byte) {
	var want string
	wantErr := json.Unmarshal(raw, &want)
	got, ok := plainString(raw)
	if ok && (wantErr != nil || got != want) {
		t.Errorf("plainString(%q) = %q; json.Unmarshal: %q, %v", raw, got, want, wantErr)
	}
}

// FuzzCountTokens holds the counts equal to the library's; its seed
// corpus is in testdata/fuzz/FuzzCountTokens.
func FuzzCountTokens(f *testing.F) {
	for _, s := range trickyTexts() {
		if len(s) <= 64 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, e := range encodings {
			checkCount(t, e, text)
		}
		raw, _ := json.Marshal(text)
		checkPlainString(t, raw)
		checkPlainString(t, []byte(`"`+text+`"`))
	})
}

// A 2 KB prompt of cl100k_base (gpt-4).
func BenchmarkEstimatePrompt2KBCl100k(b *testing.B) { benchEstimatePrompt2KB(b, "gpt-4") }

// Counting text that is new to the cache: every piece is counted by the
// library.
func BenchmarkCountTokensColdCache(b *testing.B) {
	texts := testdataTexts(b)
	Warm()
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range []*counter{counters.cl100k.c, counters.o200k.c} {
			c.cache = newPieceCache()
		}
		for _, s := range texts[:200] {
			CountTokens(O200kBase, s)
		}
	}
}
