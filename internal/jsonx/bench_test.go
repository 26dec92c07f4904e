package jsonx

import (
	"os"
	"testing"
)

func benchDoc(b *testing.B) string {
	data, err := os.ReadFile("testdata/order.json")
	if err != nil {
		b.Fatal(err)
	}
	// Pad to roughly 1 KB with extra items.
	s := string(data)
	return s[:len(s)-2] + `, "extra": [` + `{"sku":"C-3","qty":4,"price":1.25,"desc":"lorem ipsum dolor sit amet"},` +
		`{"sku":"D-9","qty":8,"price":2.5,"desc":"consectetur adipiscing elit"},` +
		`{"sku":"E-2","qty":16,"price":3.75,"desc":"sed do eiusmod tempor"},` +
		`{"sku":"F-5","qty":32,"price":4.5,"desc":"incididunt ut labore","ship":"2024-07-16T10:00:00Z"},` +
		`{"sku":"G-8","qty":64,"price":5.25,"desc":"et dolore magna aliqua","gift":false,"note":null},` +
		`{"sku":"H-1","qty":128,"price":6.0,"desc":"ut enim ad minim veniam"},` +
		`{"sku":"I-4","qty":256,"price":7.75,"desc":"quis nostrud exercitation ullamco","tags":["a","b"]},` +
		`{"sku":"J-6","qty":512,"price":8.125,"desc":"laboris nisi ut aliquip ex ea commodo"}]}`
}

func BenchmarkParse1KB(b *testing.B) {
	doc := benchDoc(b)
	if len(doc) < 1000 || len(doc) > 1100 {
		b.Fatalf("benchmark document is %d bytes", len(doc))
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseObject(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadField(b *testing.B) {
	tok, err := ParseObject(benchDoc(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if tok.Get("customer").Get("email").Str() == "" {
			b.Fatal("missing")
		}
	}
}

func BenchmarkToString(b *testing.B) {
	tok, err := ParseObject(benchDoc(b))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		buf = tok.AppendJSON(buf[:0], true)
	}
}
