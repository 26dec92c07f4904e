package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// /metrics on the admin listener counts a known mix of requests with APIM's
// dimensions, and keeps keys and URLs out of its labels.
func TestMetricsAfterKnownMix(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/boom") {
			w.WriteHeader(500)
		}
		io.WriteString(w, "ok")
	}))
	defer backend.Close()
	dir := writeFolder(t, map[string]string{
		"apis/shop/apiInformation.json": `{"properties":{"path":"shop","serviceUrl":"` + backend.URL + `","subscriptionRequired":true}}`,
		"apis/shop/specification.yaml":  "openapi: 3.0.1\ninfo: {title: shop, version: '1'}\npaths:\n  /items:\n    get: {operationId: list-items, responses: {'200': {description: OK}}}\n  /boom:\n    get: {operationId: boom, responses: {'200': {description: OK}}}\n",
		"apis/shop/policy.xml": `<policies><inbound><base/><emit-metric name="orders" namespace="shop" value="2"><dimension name="Region" value="west"/></emit-metric></inbound>
<backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`,
		"products/basic/productInformation.json":              `{"properties":{"displayName":"Basic","state":"published","subscriptionRequired":true}}`,
		"products/basic/apis/shop/productApiInformation.json": `{}`,
		"products/basic/policy.xml":                           `<policies><inbound><base/><rate-limit calls="3" renewal-period="60"/></inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`,
		"subscriptions/s1/subscriptionInformation.json":       `{"properties":{"scope":"/products/basic","state":"active","primaryKey":"s1-primary-key-0123456789abcdef","secondaryKey":"s1-secondary-key-0123456789abcdef"}}`,
	})
	base, _, stderr := startRun(t, dir)
	admin := adminURL(t, stderr)
	key := "s1-primary-key-0123456789abcdef"
	for i := 0; i < 2; i++ {
		get(t, base+"/shop/items", "Ocp-Apim-Subscription-Key", key)
	}
	get(t, base+"/shop/boom", "Ocp-Apim-Subscription-Key", key)
	get(t, base+"/shop/items", "Ocp-Apim-Subscription-Key", key) // the fourth call: 429
	get(t, base+"/shop/items")                                   // 401

	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(raw), key) || strings.Contains(string(raw), "/shop/items") {
		t.Fatalf("metrics show a key or a URL")
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	count := func(family string, want map[string]string) float64 {
		f := families[family]
		if f == nil {
			t.Fatalf("no metric family %s", family)
		}
		total := 0.0
	next:
		for _, m := range f.Metric {
			labels := map[string]string{}
			for _, l := range m.Label {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				total += m.Counter.GetValue()
			case m.Gauge != nil:
				total += m.Gauge.GetValue()
			case m.Histogram != nil:
				total += float64(m.Histogram.GetSampleCount())
			}
		}
		return total
	}
	cases := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"tollgate_requests_total", map[string]string{"api": "shop", "operation": "list-items", "product": "basic", "gateway_response_code": "200", "gateway_response_code_category": "2xx"}, 2},
		{"tollgate_requests_total", map[string]string{"operation": "boom", "backend_response_code": "500", "backend_response_code_category": "5xx"}, 1},
		{"tollgate_requests_total", map[string]string{"gateway_response_code": "429", "last_error_reason": "RateLimitExceeded"}, 1},
		{"tollgate_requests_total", map[string]string{"gateway_response_code": "401", "last_error_reason": "SubscriptionKeyNotFound", "product": ""}, 1},
		{"tollgate_throttled_requests_total", map[string]string{"policy": "rate-limit", "scope": "product", "product": "basic"}, 1},
		{"tollgate_request_duration_seconds", map[string]string{"api": "shop"}, 5},
		{"tollgate_backend_duration_seconds", map[string]string{"api": "shop"}, 3},
		{"tollgate_emitted_shop_orders", map[string]string{"region": "west"}, 2},
		{"tollgate_captured_requests_total", nil, -1},
		{"tollgate_requests_in_flight", nil, 0},
	}
	for _, c := range cases {
		got := count(c.family, c.labels)
		if c.want >= 0 && got != c.want {
			t.Errorf("%s%v = %v, want %v", c.family, c.labels, got, c.want)
		}
	}
	if families["go_goroutines"] == nil {
		t.Errorf("no Go runtime metrics")
	}
}
