package xmlbody

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// genValue builds a random JSON value from the subset that survives
// JSON → XML → JSON (direct) unchanged: objects with distinct NCName keys,
// non-blank strings, and arrays of two or more objects or strings.
func genValue(r *rand.Rand, depth int) any {
	switch k := r.IntN(10); {
	case depth > 3 || k < 4:
		return genString(r)
	case k < 8:
		n := 1 + r.IntN(4)
		m := make(map[string]any, n)
		for i := range n {
			m[fmt.Sprintf("k%d_%s", i, []string{"a", "b-c", "d.e", "é"}[r.IntN(4)])] = genValue(r, depth+1)
		}
		return m
	default:
		n := 2 + r.IntN(3)
		a := make([]any, n)
		obj := r.IntN(2) == 0
		for i := range a {
			if obj {
				a[i] = map[string]any{"v": genString(r), "w": genValue(r, depth+2)}
			} else {
				a[i] = genString(r)
			}
		}
		return a
	}
}

func genString(r *rand.Rand) string {
	const chars = "abcXYZ019 <>&\"'\t\n€😀_x:" // a lone CR reads back as LF
	rs := []rune(chars)
	var b strings.Builder
	b.WriteRune(rs[r.IntN(6)]) // never blank
	for range r.IntN(12) {
		b.WriteRune(rs[r.IntN(len(rs))])
	}
	return b.String()
}

// TestRoundTrip checks that a document in the lossless subset comes back
// unchanged from JSONToXML followed by XMLToJSON in direct form.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		inner := map[string]any{}
		for k := range 1 + r.IntN(4) {
			inner[fmt.Sprintf("f%d", k)] = genValue(r, 0)
		}
		doc := map[string]any{"root": inner}
		src, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		x, err := JSONToXML(src, JSONToXMLOptions{})
		if err != nil {
			t.Fatalf("case %d: JSONToXML(%s): %v", i, src, err)
		}
		back, err := XMLToJSON(x, XMLToJSONOptions{Kind: KindDirect})
		if err != nil {
			t.Fatalf("case %d: XMLToJSON(%s): %v", i, x, err)
		}
		var got any
		if err := json.Unmarshal(back, &got); err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, back)
		}
		var want any
		_ = json.Unmarshal(src, &want)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: round trip changed the document\n in: %s\nxml: %s\nout: %s", i, src, x, back)
		}
	}
}

// TestRoundTripXML checks XML → JSON → XML for element-only documents:
// the second XML converts to the same JSON as the first.
func TestRoundTripXML(t *testing.T) {
	docs := []string{
		`<r><a>1</a><b><c>x &amp; y</c><c>z</c></b></r>`,
		`<order><id>7</id><lines><line><sku>A</sku></line><line><sku>B</sku></line></lines></order>`,
	}
	for _, d := range docs {
		j1, err := XMLToJSON([]byte(d), XMLToJSONOptions{Kind: KindJavaScriptFriendly})
		if err != nil {
			t.Fatal(err)
		}
		x2, err := JSONToXML(j1, JSONToXMLOptions{})
		if err != nil {
			t.Fatal(err)
		}
		j2, err := XMLToJSON(x2, XMLToJSONOptions{Kind: KindJavaScriptFriendly})
		if err != nil {
			t.Fatal(err)
		}
		if string(j1) != string(j2) {
			t.Errorf("%s:\nfirst:\n%s\nsecond:\n%s", d, j1, j2)
		}
	}
}
