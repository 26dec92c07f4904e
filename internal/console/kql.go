package console

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Example is a query offered on the Query page with one click.
type Example struct {
	Title string
	Query string
}

// The three queries of the troubleshooting guide (seed 000), verbatim.
const (
	// SeedGatewayErrors lists the last hour's failed requests.
	SeedGatewayErrors = `ApiManagementGatewayLogs
| where TimeGenerated > ago(1h)
| where IsRequestSuccess == false
| project TimeGenerated, OperationName, ResponseCode, BackendResponseCode, LastErrorMessage, ClientIp
| order by TimeGenerated desc`

	// SeedThrottled counts throttled requests by caller and subscription.
	SeedThrottled = `ApiManagementGatewayLogs
| where TimeGenerated > ago(1h)
| where ResponseCode == 429
| summarize RequestCount = count() by ClientIp, tostring(SubscriptionId), bin(TimeGenerated, 5m)
| order by RequestCount desc`

	// SeedErrorCategory is the failure breakdown by ErrorCategory and
	// operation that the Failures page is built on.
	SeedErrorCategory = `ApiManagementGatewayLogs
| where TimeGenerated > ago(24h)
| where IsRequestSuccess == false
| extend ErrorCategory = case(
    ResponseCode == 401, "Auth Failure",
    ResponseCode == 403, "Access Denied",
    ResponseCode == 429, "Throttled",
    ResponseCode between (500 .. 599) and BackendResponseCode == 0, "Gateway Error",
    ResponseCode between (500 .. 599), "Backend Error",
    "Other"
  )
| summarize Count = count(), AvgLatencyMs = avg(TotalTime) by ErrorCategory, OperationName
| order by Count desc`
)

// Examples are the Query page's one-click examples: the seed's three
// queries, verbatim.
var Examples = []Example{
	{"Failure breakdown by ErrorCategory (24h)", SeedErrorCategory},
	{"Gateway errors of the last hour", SeedGatewayErrors},
	{"Throttled requests by caller (1h)", SeedThrottled},
}

// Categories are the seed's error categories, in the order of its case().
var Categories = []string{"Auth Failure", "Access Denied", "Throttled", "Gateway Error", "Backend Error", "Other"}

// categoryExtend is the seed's ErrorCategory column, as written there.
const categoryExtend = `| extend ErrorCategory = case(
    ResponseCode == 401, "Auth Failure",
    ResponseCode == 403, "Access Denied",
    ResponseCode == 429, "Throttled",
    ResponseCode between (500 .. 599) and BackendResponseCode == 0, "Gateway Error",
    ResponseCode between (500 .. 599), "Backend Error",
    "Other"
  )`

// Range is a time range of the Failures and Requests pages.
type Range struct {
	Name string        // as in the URL and in ago(): "1h", "24h", "7d"
	Span time.Duration // its length
	Bin  string        // the chart's bin width
	step time.Duration // the same, as a duration
}

// Ranges are the ranges the pickers offer.
var Ranges = []Range{
	{"15m", 15 * time.Minute, "30s", 30 * time.Second},
	{"1h", time.Hour, "1m", time.Minute},
	{"6h", 6 * time.Hour, "10m", 10 * time.Minute},
	{"24h", 24 * time.Hour, "30m", 30 * time.Minute},
	{"7d", 7 * 24 * time.Hour, "4h", 4 * time.Hour},
}

// rangeOf returns the range named s, or the one named def.
func rangeOf(s, def string) Range {
	for _, r := range Ranges {
		if r.Name == s {
			return r
		}
	}
	for _, r := range Ranges {
		if r.Name == def {
			return r
		}
	}
	return Ranges[0]
}

// failuresTableQuery is the seed's ErrorCategory query over r, with the
// 95th percentile of the latency added.
func failuresTableQuery(r Range) string {
	return `ApiManagementGatewayLogs
| where TimeGenerated > ago(` + r.Name + `)
| where IsRequestSuccess == false
` + categoryExtend + `
| summarize Count = count(), AvgLatencyMs = avg(TotalTime), P95LatencyMs = percentile(TotalTime, 95) by ErrorCategory, OperationName
| order by Count desc`
}

// failuresChartQuery counts failures by ErrorCategory in bins over r.
func failuresChartQuery(r Range) string {
	return `ApiManagementGatewayLogs
| where TimeGenerated > ago(` + r.Name + `)
| where IsRequestSuccess == false
` + categoryExtend + `
| summarize Count = count() by ErrorCategory, bin(TimeGenerated, ` + r.Bin + `)
| order by TimeGenerated asc`
}

// Filter selects requests on the Requests page. Its fields are the page's
// URL parameters.
type Filter struct {
	Range        Range
	Status       string // "", "failed", "2xx".."5xx" or a status code
	API          string
	Operation    string // operation id
	OpName       string // operation display name (from the Failures page)
	OpNameSet    bool   // OpName was given, perhaps empty (requests that matched no operation)
	Category     string // an ErrorCategory
	Subscription string
	Text         string    // anywhere in the URL, the error or the correlation id
	Before       time.Time // cursor: only requests older than this; zero for the newest
}

// requestColumns are the columns the Requests page shows.
const requestColumns = "TimeGenerated, CorrelationId, Method, Url, ResponseCode, ApiId, OperationId, OperationName, ApimSubscriptionId, TotalTime, LastErrorSource, LastErrorReason"

var statusClass = regexp.MustCompile(`^[1-5]xx$`)

// requestsQuery selects one page of requests, newest first: limit rows.
func requestsQuery(f Filter, limit int) string {
	var b strings.Builder
	b.WriteString("ApiManagementGatewayLogs\n| where TimeGenerated > ago(" + f.Range.Name + ")\n")
	if !f.Before.IsZero() {
		fmt.Fprintf(&b, "| where TimeGenerated < datetime(%s)\n", f.Before.UTC().Format(time.RFC3339Nano))
	}
	switch s := f.Status; {
	case s == "":
	case s == "failed":
		b.WriteString("| where IsRequestSuccess == false\n")
	case statusClass.MatchString(s):
		lo := int(s[0]-'0') * 100
		fmt.Fprintf(&b, "| where ResponseCode between (%d .. %d)\n", lo, lo+99)
	default:
		if n, err := strconv.Atoi(s); err == nil {
			fmt.Fprintf(&b, "| where ResponseCode == %d\n", n)
		}
	}
	for _, c := range []struct{ col, v string }{{"ApiId", f.API}, {"OperationId", f.Operation}, {"ApimSubscriptionId", f.Subscription}} {
		if c.v != "" {
			fmt.Fprintf(&b, "| where %s == %s\n", c.col, kqlString(c.v))
		}
	}
	if f.OpNameSet {
		fmt.Fprintf(&b, "| where OperationName == %s\n", kqlString(f.OpName))
	}
	if f.Category != "" {
		b.WriteString("| where IsRequestSuccess == false\n" + categoryExtend + "\n")
		fmt.Fprintf(&b, "| where ErrorCategory == %s\n", kqlString(f.Category))
	}
	if t := f.Text; t != "" {
		// One contains over the four columns joined costs a quarter of
		// four: at 100,000 requests the search reads every row of the
		// range when nothing matches.
		fmt.Fprintf(&b, "| where strcat(Url, \"\\n\", LastErrorMessage, \"\\n\", LastErrorReason, \"\\n\", CorrelationId) contains %s\n", kqlString(t))
	}
	fmt.Fprintf(&b, "| order by TimeGenerated desc\n| take %d\n| project %s", limit, requestColumns)
	return b.String()
}

// logRowQuery selects the log line of one request.
func logRowQuery(id string) string {
	return "ApiManagementGatewayLogs\n| where CorrelationId == " + kqlString(id) + "\n| take 1"
}

// kqlString quotes s as a KQL string literal.
func kqlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// isTimeChart reports whether q summarizes by bin(TimeGenerated, ...).
var timeChartRE = regexp.MustCompile(`(?is)\|\s*summarize\b.*\bby\b.*\bbin\s*\(\s*TimeGenerated\s*,`)

func isTimeChart(q string) bool { return timeChartRE.MatchString(q) }
