package gateway

import (
	"strings"
	"testing"
)

// rate-limit with <api> and <operation> limits: every counter is checked
// before any is counted, and a refusal names the limit that refused.
func TestRateLimitAPIAndOperationCounters(t *testing.T) {
	s := newSite(t, map[string]string{
		"products/gold/policy.xml": `<policies><inbound><base/>
  <rate-limit calls="5" renewal-period="60">
    <api name="test" calls="3" renewal-period="60">
      <operation name="get" calls="1" renewal-period="60" />
    </api>
  </rate-limit>
</inbound></policies>`,
	}, Options{})
	if got := s.do(t, "GET", "/test/items/1", keyHeader, productKey); got.status != 200 {
		t.Fatalf("first get: %d %s", got.status, got.body)
	}
	got := s.do(t, "GET", "/test/items/2", keyHeader, productKey)
	if got.status != 429 || got.header.Get("Retry-After") == "" {
		t.Fatalf("second get: %d %v", got.status, got.header)
	}
	if cause := str(s.lastLog(t)["LastErrorCause"]); !strings.Contains(cause, "allows 1 calls per 60 s for subscription gold-sub on operation get; 1 were used") {
		t.Errorf("the refusal does not name the operation's limit: %s", cause)
	}
	// The refused get counted against neither the API nor the
	// subscription: two more calls of the API are admitted, the third is
	// refused by the API's limit.
	for i := range 2 {
		if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 200 {
			t.Fatalf("list %d: %d", i+1, got.status)
		}
	}
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 429 {
		t.Fatalf("fourth call of the API: %d", got.status)
	}
	if cause := str(s.lastLog(t)["LastErrorCause"]); !strings.Contains(cause, "allows 3 calls per 60 s for subscription gold-sub on API test; 3 were used") {
		t.Errorf("the refusal does not name the API's limit: %s", cause)
	}
}

// A lone subscription counter is taken without a check first: its refusal
// says how many calls the window used.
func TestRateLimitSubscriptionCounter(t *testing.T) {
	s := newSite(t, map[string]string{
		"products/gold/policy.xml": `<policies><inbound><base/><rate-limit calls="1" renewal-period="30" /></inbound></policies>`,
	}, Options{})
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 200 {
		t.Fatalf("first call: %d", got.status)
	}
	for range 2 {
		if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 429 {
			t.Fatalf("second call: %d", got.status)
		}
		if cause := str(s.lastLog(t)["LastErrorCause"]); !strings.Contains(cause, "allows 1 calls per 30 s for subscription gold-sub; 1 were used in the current window, which renews in") {
			t.Errorf("cause %s", cause)
		}
	}
}
