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

var codecs struct {
	cl100k, o200k struct {
		once  sync.Once
		codec tokenizer.Codec
		err   error
	}
}

func codec(e Encoding) (tokenizer.Codec, error) {
	c := &codecs.cl100k
	id := tokenizer.Cl100kBase
	if e == O200kBase {
		c, id = &codecs.o200k, tokenizer.O200kBase
	}
	c.once.Do(func() { c.codec, c.err = tokenizer.Get(id) })
	return c.codec, c.err
}

// Warm loads the vocabularies of both encodings, which otherwise happens on
// the first count (tens to hundreds of milliseconds). Call it when a
// configuration that estimates tokens is loaded.
func Warm() {
	codec(Cl100kBase)
	codec(O200kBase)
}

// CountTokens returns the number of tokens of text in encoding e. Special
// tokens such as <|endoftext|> are counted as the plain text they are.
func CountTokens(e Encoding, text string) (int, error) {
	if text == "" {
		return 0, nil
	}
	c, err := codec(e)
	if err != nil {
		return 0, err
	}
	return c.Count(text)
}
