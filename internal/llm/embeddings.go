package llm

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// EmbeddingsRequest returns the body of an OpenAI-compatible embeddings
// request for text.
func EmbeddingsRequest(text string) []byte {
	b, _ := json.Marshal(struct {
		Input string `json:"input"`
	}{text})
	return b
}

// ParseEmbedding returns the first vector of an embeddings response
// ({"data":[{"embedding":[...]}]}).
func ParseEmbedding(body []byte) ([]float32, error) {
	var doc struct {
		Data []struct {
			Embedding []float64 `json:"embedding"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("the embeddings response is not valid JSON: %w", err)
	}
	if len(doc.Data) == 0 || len(doc.Data[0].Embedding) == 0 {
		return nil, errors.New("the embeddings response has no data[0].embedding")
	}
	v := make([]float32, len(doc.Data[0].Embedding))
	for i, f := range doc.Data[0].Embedding {
		v[i] = float32(f)
	}
	return v, nil
}

// Cosine returns the cosine similarity of a and b, in [-1, 1]; 0 when their
// lengths differ or either is zero.
func Cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / (math.Sqrt(na) * math.Sqrt(nb))
}
