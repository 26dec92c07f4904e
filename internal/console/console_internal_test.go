package console

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
)

func TestShellQuote(t *testing.T) {
	for _, c := range []struct{ in, variable, want string }{
		{"/orders/42", "", "/orders/42"},
		{"X-Tenant: contoso", "", "'X-Tenant: contoso'"},
		{"it's", "", `'it'\''s'`},
		{"Ocp-Apim-Subscription-Key: ***", "SUBSCRIPTION_KEY", `"Ocp-Apim-Subscription-Key: ${SUBSCRIPTION_KEY}"`},
		{`/a?subscription-key=***&x="$HOME"`, "SUBSCRIPTION_KEY", `"/a?subscription-key=${SUBSCRIPTION_KEY}&x=\"\$HOME\""`},
		{"", "", "''"},
	} {
		if got := shellQuote(c.in, c.variable); got != c.want {
			t.Errorf("shellQuote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestCurlElidesSecrets(t *testing.T) {
	d := &capture.Doc{
		Request: capture.Request{Method: "POST", URL: "https://api.example/orders?subscription-key=***", Body: `{"a":1}`,
			Headers: []capture.Header{{Name: "Authorization", Value: "Bearer ***"}, {Name: "Content-Length", Value: "7"}, {Name: "X-Key", Value: "***"}}},
		Match: capture.Match{KeyHeader: "X-Key"},
	}
	want := `curl -i -X POST "https://api.example/orders?subscription-key=${SUBSCRIPTION_KEY}" \
  -H "Authorization: Bearer ${TOKEN}" \
  -H "X-Key: ${SUBSCRIPTION_KEY}" \
  --data-binary '{"a":1}'`
	if got := curlOf(d); got != want {
		t.Errorf("curl:\n%s\nwant\n%s", got, want)
	}
}

func TestKQLString(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:            `"plain"`,
		`a "quoted" \ one`: `"a \"quoted\" \\ one"`,
		"line\nbreak\x01":  `"line\nbreak\u0001"`,
	} {
		if got := kqlString(in); got != want {
			t.Errorf("kqlString(%q) = %s, want %s", in, got, want)
		}
	}
	// A filter's text stays inside its string literal.
	q := requestsQuery(Filter{Range: rangeOf("1h", ""), Text: `x" or 1 == 1 or Url contains "`, Before: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}, 51)
	if !strings.Contains(q, `LastErrorReason, "\n", CorrelationId) contains "x\" or 1 == 1 or Url contains \""`) || !strings.Contains(q, "datetime(2026-01-02T03:04:05.000000006Z)") {
		t.Errorf("query:\n%s", q)
	}
}

func TestSeedQueryIsVerbatim(t *testing.T) {
	if !strings.HasPrefix(SeedErrorCategory, "ApiManagementGatewayLogs\n| where TimeGenerated > ago(24h)\n") ||
		!strings.HasSuffix(SeedErrorCategory, "| summarize Count = count(), AvgLatencyMs = avg(TotalTime) by ErrorCategory, OperationName\n| order by Count desc") {
		t.Errorf("SeedErrorCategory differs from the seed")
	}
	// The Failures page's table query is the seed's with the percentile
	// added and the range picked.
	want := strings.Replace(SeedErrorCategory, "avg(TotalTime) by", "avg(TotalTime), P95LatencyMs = percentile(TotalTime, 95) by", 1)
	if got := failuresTableQuery(rangeOf("24h", "")); got != want {
		t.Errorf("the Failures table query:\n%s\nwant\n%s", got, want)
	}
	if !isTimeChart(failuresChartQuery(rangeOf("1h", ""))) || isTimeChart(SeedErrorCategory) || !isTimeChart(SeedThrottled) {
		t.Errorf("isTimeChart")
	}
}
