package llm

import (
	"strings"
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

// Encoding names a byte-pair encoding of OpenAI's models.
type Encoding string

// The encodings tollgate counts with.
const (
	Cl100kBase Encoding = "cl100k_base"
	O200kBase  Encoding = "o200k_base"
)

// o200kPrefixes are the model name prefixes that use o200k_base.
var o200kPrefixes = []string{"gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss"}

// EncodingFor returns the encoding of a model name (as written in a
// request's "model" or an Azure OpenAI deployment named after its model);
// unknown models use cl100k_base.
func EncodingFor(model string) Encoding {
	m := strings.ToLower(strings.TrimSpace(model))
	// Azure deployment names often spell versions without dots: gpt-41.
	m = strings.ReplaceAll(m, "gpt-41", "gpt-4.1")
	for _, p := range o200kPrefixes {
		if strings.HasPrefix(m, p) {
			return O200kBase
		}
	}
	return Cl100kBase
}

// A counter counts the tokens of one encoding: it cuts a text into the
// pieces of the encoding's split pattern itself (see splitter), and counts
// each piece with the library, through a cache. A piece's count alone is
// its count inside the text, since byte-pair encoding works within pieces
// and the library's pattern cuts a piece alone into that one piece
// (TestPiecesStandAlone).
type counter struct {
	codec tokenizer.Codec
	split splitter
	cache *pieceCache
}

var counters struct {
	cl100k, o200k struct {
		once sync.Once
		c    *counter
		err  error
	}
}

func counterFor(e Encoding) (*counter, error) {
	c := &counters.cl100k
	id := tokenizer.Cl100kBase
	if e == O200kBase {
		c, id = &counters.o200k, tokenizer.O200kBase
	}
	c.once.Do(func() {
		codec, err := tokenizer.Get(id)
		if err != nil {
			c.err = err
			return
		}
		c.c = &counter{codec: codec, split: newSplitter(e), cache: newPieceCache()}
	})
	return c.c, c.err
}

// count returns the number of tokens of text.
func (c *counter) count(text string) (int, error) {
	n := 0
	err := c.split.pieces(text, func(piece string) error {
		k, ok := c.cache.get(piece)
		if !ok {
			var err error
			if k, err = c.codec.Count(piece); err != nil {
				return err
			}
			c.cache.put(piece, k)
		}
		n += k
		return nil
	})
	return n, err
}

// Warm loads the vocabularies of both encodings, which otherwise happens on
// the first count (tens to hundreds of milliseconds). Call it when a
// configuration that estimates tokens is loaded.
func Warm() {
	counterFor(Cl100kBase)
	counterFor(O200kBase)
}

// CountTokens returns the number of tokens of text in encoding e. Special
// tokens such as <|endoftext|> are counted as the plain text they are.
func CountTokens(e Encoding, text string) (int, error) {
	if text == "" {
		return 0, nil
	}
	c, err := counterFor(e)
	if err != nil {
		return 0, err
	}
	return c.count(text)
}
