package logstore

import "testing"

// BenchmarkQueries1M runs queries of the console and of the troubleshooting
// articles over the million rows of BenchmarkSeedQuery1M: time filters of
// every shape, newest first with a page size, and none.
func BenchmarkQueries1M(b *testing.B) {
	s := million(b)
	for _, tc := range []struct{ name, query string }{
		{"requests-24h", "ApiManagementGatewayLogs | where TimeGenerated > ago(24h) | order by TimeGenerated desc | take 100 | project TimeGenerated, CorrelationId, Url, ResponseCode"},
		{"requests-7d", "ApiManagementGatewayLogs | where TimeGenerated > ago(7d) | order by TimeGenerated desc | take 100 | project TimeGenerated, CorrelationId, Url, ResponseCode"},
		{"failed-requests-24h", "ApiManagementGatewayLogs | where TimeGenerated > ago(24h) | where IsRequestSuccess == false | order by TimeGenerated desc | take 100"},
		{"success-count-24h", "ApiManagementGatewayLogs | where TimeGenerated > ago(24h) | where IsRequestSuccess == true | count"},
		{"bins-1h", "ApiManagementGatewayLogs | where TimeGenerated > ago(1h) | summarize count() by bin(TimeGenerated, 5m)"},
		{"between-day", "ApiManagementGatewayLogs | where TimeGenerated between (ago(3d) .. ago(2d)) | summarize count() by ResponseCode"},
		{"count-all", "ApiManagementGatewayLogs | count"},
		{"top-newest", "ApiManagementGatewayLogs | top 10 by TimeGenerated desc"},
	} {
		b.Run(tc.name, func(b *testing.B) { benchQuery(b, s, tc.query) })
	}
}
