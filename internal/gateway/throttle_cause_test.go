package gateway

import (
	"strings"
	"testing"
)

// A product rate-limit stricter than the API's rate-limit-by-key is named
// as such (seed 000 §5): the API's limit never takes effect.
func TestRateLimitCauseNamesLooserNarrowerLimits(t *testing.T) {
	s := newSite(t, map[string]string{
		"products/gold/policy.xml": "<policies><inbound><rate-limit calls=\"1\" renewal-period=\"60\" /><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>",
		"apis/test/policy.xml":     "<policies><inbound><base />\n<rate-limit-by-key calls=\"1000\" renewal-period=\"60\" counter-key=\"@(context.Subscription.Id)\" />\n<rate-limit-by-key calls=\"1\" renewal-period=\"300\" counter-key=\"x\" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>",
	}, Options{})
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 200 {
		t.Fatalf("first call: %d %s", got.status, got.body)
	}
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 429 {
		t.Fatalf("second call: %d %s", got.status, got.body)
	}
	cause := str(s.lastLog(t)["LastErrorCause"])
	for _, want := range []string{"the product scope rate-limit allows 1 calls per 60 s", "the api scope rate-limit-by-key at ", "apis/test/policy.xml:2:1 allows 1000 calls per 60 s", "this stricter product limit answers first"} {
		if !strings.Contains(cause, want) {
			t.Errorf("cause %q lacks %q", cause, want)
		}
	}
	if strings.Contains(cause, "per 300 s") {
		t.Errorf("cause names a limit that is not looser: %q", cause)
	}
}
