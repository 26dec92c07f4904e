package gateway

import (
	"strings"
	"testing"
)

const corsGlobal = `<policies>
  <inbound>
    <cors allow-credentials="true">
      <allowed-origins><origin>https://portal.example.com</origin></allowed-origins>
      <allowed-methods preflight-result-max-age="300"><method>GET</method><method>POST</method></allowed-methods>
      <allowed-headers><header>content-type</header></allowed-headers>
      <expose-headers><header>x-total</header></expose-headers>
    </cors>
  </inbound>
  <backend><forward-request /></backend>
  <outbound />
  <on-error />
</policies>`

func preflight(s *site, t *testing.T, path, origin, method, headers string) response {
	h := []string{"Origin", origin, "Access-Control-Request-Method", method}
	if headers != "" {
		h = append(h, "Access-Control-Request-Headers", headers)
	}
	return s.do(t, "OPTIONS", path, h...)
}

func notes(line map[string]any) string {
	var b strings.Builder
	if ns, ok := line["TollgateNotes"].([]any); ok {
		for _, n := range ns {
			b.WriteString(str(n))
			b.WriteString("\n")
		}
	}
	return b.String()
}

// The scenarios of the CORS troubleshooting guide (seed 003), in its order.
func TestCORSSeedScenarios(t *testing.T) {
	const origin = "https://portal.example.com"

	t.Run("1 no cors policy: the preflight finds no operation", func(t *testing.T) {
		s := newSite(t, nil, Options{})
		got := preflight(s, t, "/test/items", origin, "GET", "")
		if got.status != 404 || got.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("got %d %v", got.status, got.header)
		}
		if c := str(s.lastLog(t)["LastErrorCause"]); !strings.Contains(c, "no cors policy applies") {
			t.Errorf("cause: %s", c)
		}
	})

	t.Run("1 global cors answers the preflight without a key", func(t *testing.T) {
		s := newSite(t, map[string]string{"policy.xml": corsGlobal}, Options{})
		got := preflight(s, t, "/test/items", origin, "POST", "Content-Type, Ocp-Apim-Subscription-Key")
		if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != origin || got.header.Get("Access-Control-Allow-Credentials") != "true" ||
			got.header.Get("Access-Control-Max-Age") != "300" || got.header.Get("Access-Control-Allow-Methods") != "POST" {
			t.Fatalf("got %d %v", got.status, got.header)
		}
		// The actual request carries the CORS headers too.
		got = s.do(t, "GET", "/test/items", "Origin", origin, keyHeader, productKey)
		if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != origin || got.header.Get("Access-Control-Expose-Headers") != "x-total" {
			t.Fatalf("actual request: %d %v", got.status, got.header)
		}
	})

	t.Run("2 an API without base in inbound drops the global cors", func(t *testing.T) {
		s := newSite(t, map[string]string{"policy.xml": corsGlobal,
			"apis/test/policy.xml": `<policies><inbound><set-header name="X-Api" exists-action="override"><value>1</value></set-header></inbound></policies>`}, Options{})
		got := preflight(s, t, "/test/items", origin, "GET", "")
		if got.status != 404 || got.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("got %d %v", got.status, got.header)
		}
	})

	t.Run("3 cors after rate-limit: the 429 has no CORS headers and the log says why", func(t *testing.T) {
		s := newSite(t, map[string]string{"policy.xml": corsGlobal,
			"apis/test/policy.xml": `<policies><inbound><rate-limit-by-key calls="1" renewal-period="60" counter-key="k" /><base /></inbound></policies>`}, Options{})
		s.do(t, "GET", "/test/items", "Origin", origin, keyHeader, productKey)
		got := s.do(t, "GET", "/test/items", "Origin", origin, keyHeader, productKey)
		if got.status != 429 || got.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("got %d %v", got.status, got.header)
		}
		if c := str(s.lastLog(t)["LastErrorCause"]); !strings.Contains(c, "comes after the failing step") || !strings.Contains(c, "browsers will report a CORS error") {
			t.Errorf("cause: %s", c)
		}
	})

	t.Run("4 product cors applies to a preflight only with the key in the query string", func(t *testing.T) {
		s := newSite(t, map[string]string{"products/gold/policy.xml": strings.Replace(strings.Replace(corsGlobal, "<backend><forward-request /></backend>", "", 1), "</cors>", "</cors><base />", 1)}, Options{})
		if got := preflight(s, t, "/test/items", origin, "GET", ""); got.status != 404 {
			t.Errorf("preflight without a key: %d %v", got.status, got.header)
		}
		got := preflight(s, t, "/test/items?subscription-key="+productKey, origin, "GET", "")
		if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != origin {
			t.Errorf("preflight with the key in the query: %d %v", got.status, got.header)
		}
	})

	t.Run("5 the first of two cors policies wins", func(t *testing.T) {
		s := newSite(t, map[string]string{"policy.xml": corsGlobal,
			"apis/test/policy.xml": `<policies><inbound><base /><cors><allowed-origins><origin>https://other.example.com</origin></allowed-origins><allowed-headers><header>*</header></allowed-headers></cors></inbound></policies>`}, Options{})
		got := preflight(s, t, "/test/items", "https://other.example.com", "GET", "")
		if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("got %d %v", got.status, got.header)
		}
		if n := notes(s.lastLog(t)); !strings.Contains(n, "https://other.example.com is not in allowed-origins") || !strings.Contains(n, "global scope") {
			t.Errorf("notes: %s", n)
		}
	})

	t.Run("6 a renamed key header must be listed in allowed-headers", func(t *testing.T) {
		s := newSite(t, map[string]string{"policy.xml": corsGlobal,
			"apis/test/apiInformation.json": `{"properties":{"path":"test","serviceUrl":"$BACKEND$/api","subscriptionKeyParameterNames":{"header":"api-key","query":"api-key"}}}`}, Options{})
		got := preflight(s, t, "/test/items", origin, "GET", "api-key")
		if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("got %d %v", got.status, got.header)
		}
		if n := notes(s.lastLog(t)); !strings.Contains(n, "request header api-key is not in allowed-headers") || !strings.Contains(n, "renamed subscription key header") {
			t.Errorf("notes: %s", n)
		}
		// The default key header needs no listing.
		if got := preflight(s, t, "/test/items", origin, "GET", "ocp-apim-subscription-key"); got.header.Get("Access-Control-Allow-Origin") != origin {
			t.Errorf("default key header: %v", got.header)
		}
	})

	t.Run("7 terminate-unmatched-request", func(t *testing.T) {
		s := newSite(t, map[string]string{"policy.xml": corsGlobal}, Options{})
		got := s.do(t, "GET", "/test/items", "Origin", "https://localhost", keyHeader, productKey)
		if got.status != 200 || got.body != "" || got.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("true: got %d %q %v", got.status, got.body, got.header)
		}
		if n := notes(s.lastLog(t)); !strings.Contains(n, "terminate-unmatched-request") {
			t.Errorf("notes: %s", n)
		}
		s = newSite(t, map[string]string{"policy.xml": strings.Replace(corsGlobal, `<cors allow-credentials="true">`, `<cors allow-credentials="true" terminate-unmatched-request="false">`, 1)}, Options{})
		got = s.do(t, "GET", "/test/items", "Origin", "https://localhost", keyHeader, productKey)
		if got.status != 200 || got.body != `{"ok":true}` || got.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("false: got %d %q %v", got.status, got.body, got.header)
		}
	})

	t.Run("an explicit OPTIONS operation turns the built-in preflight off", func(t *testing.T) {
		spec := "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /items:\n    get: {operationId: list, responses: {'200': {description: OK}}}\n    options: {operationId: preflight, responses: {'200': {description: OK}}}\n"
		s := newSite(t, map[string]string{"policy.xml": corsGlobal, "apis/test/specification.yaml": spec}, Options{})
		got := preflight(s, t, "/test/items?subscription-key="+productKey, origin, "GET", "")
		// The OPTIONS operation runs like any other: cors sees an actual
		// request from an allowed origin and the backend answers.
		if got.status != 200 || got.body != `{"ok":true}` {
			t.Fatalf("got %d %q", got.status, got.body)
		}
	})
}
