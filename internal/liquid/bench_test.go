package liquid

import (
	"strings"
	"sync"
	"testing"
)

// benchBody is a JSON body of about 1 KB.
var benchBody = []byte(`{
  "customer": {"id": "C-1001", "name": "Ada Lovelace", "email": "ada@example.com",
    "address": {"street": "12 Analytical Way", "city": "London", "zip": "NW1 6XE", "country": "GB"}},
  "order": {"id": 982341, "created": "2024-03-05T14:07:09Z", "currency": "GBP", "notes": "Leave at the door, please.",
    "items": [
      {"sku": "A-100", "name": "Difference engine gear", "qty": 2, "price": 19.99},
      {"sku": "B-200", "name": "Punched card deck", "qty": 10, "price": 1.25},
      {"sku": "C-300", "name": "Brass crank handle", "qty": 1, "price": 42.5},
      {"sku": "D-400", "name": "Bernoulli number table", "qty": 3, "price": 7.75},
      {"sku": "E-500", "name": "Loom control chain", "qty": 1, "price": 120}
    ]},
  "flags": {"gift": true, "express": false, "priority": 2},
  "tags": ["mechanical", "historic", "computing", "victorian", "engines"],
  "meta": {"source": "web", "campaign": "spring-sale", "referrer": "https://example.com/landing?utm=mail"}
}`)

const benchTemplate = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <PlaceOrder xmlns="urn:orders">
      <Customer id="{{ body.customer.id }}">{{ body.customer.name | Escape }}</Customer>
      <City>{{ body.customer.address.city | Upcase }}</City>
      <Created>{{ body.order.created | Date: "yyyy-MM-dd" }}</Created>
      <Tenant>{{ context.Request.Headers["X-Tenant"] }}</Tenant>
      <Id>{{ context.Request.MatchedParameters["id"] }}</Id>
      <Items>{% for item in body.order.items %}
        <Item sku="{{ item.sku }}" qty="{{ item.qty }}">{{ item.price | Times: item.qty }}</Item>{% endfor %}
      </Items>
      <Tags>{{ body.tags | Join: "," }}</Tags>
      {% if body.flags.gift %}<Gift/>{% endif %}
    </PlaceOrder>
  </soap:Body>
</soap:Envelope>`

func BenchmarkRender(b *testing.B) {
	tpl, err := Compile(benchTemplate)
	if err != nil {
		b.Fatal(err)
	}
	msg := &Message{ContentType: "application/json", Body: benchBody}
	ctx := testContext(false)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if _, err := tpl.Render(msg, ctx, Options{ParseDate: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseJSON(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if _, err := parseJSON(benchBody, true, DefaultMaxBodyMemory); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(benchTemplate); err != nil {
			b.Fatal(err)
		}
	}
}

func TestConcurrentRender(t *testing.T) {
	tpl, err := Compile(benchTemplate)
	if err != nil {
		t.Fatal(err)
	}
	msg := &Message{ContentType: "application/json", Body: benchBody}
	want, err := tpl.Render(msg, testContext(false), Options{ParseDate: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`<Customer id="C-1001">Ada Lovelace</Customer>`, "<City>LONDON</City>", "<Created>2024-03-05</Created>",
		"<Tenant>acme</Tenant>", "<Id>7</Id>", `<Item sku="A-100" qty="2">39.98</Item>`, "<Gift/>", "mechanical,historic"} {
		if !strings.Contains(want, s) {
			t.Errorf("output lacks %q:\n%s", s, want)
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got, err := tpl.Render(msg, testContext(false), Options{ParseDate: true})
				if err != nil || got != want {
					t.Errorf("concurrent render differs: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}
