package xmlbody

import (
	"os"
	"testing"
)

// The benchmark bodies are about 1 KB each.
func benchBody(b *testing.B, name string) []byte {
	src, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	return src
}

func BenchmarkJSONToXML1KB(b *testing.B) {
	src := benchBody(b, "testdata/json/order.json")
	o := JSONToXMLOptions{ParseDate: true}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := JSONToXML(src, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkXMLToJSON1KB(b *testing.B) {
	src := benchBody(b, "testdata/xml/soap.xml")
	o := XMLToJSONOptions{Kind: KindDirect}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := XMLToJSON(src, o); err != nil {
			b.Fatal(err)
		}
	}
}
