package logstore

import (
	"encoding/json"
	"testing"
	"time"
)

// testNow is the fixed clock of the tests: ago() counts from it.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// Line is a gateway log line built by hand, with the names of the JSON the
// gateway writes (internal/gateway/logs.go). Zero fields are written as the
// gateway writes them: empty strings and zero numbers.
type Line struct {
	Ago                                 time.Duration
	ApiId, OperationId, OperationName   string
	Method, Url                         string
	ResponseCode, BackendResponseCode   int
	TotalTime, BackendTime              int64
	CallerIpAddress, ApimSubscriptionId string
	ProductId, Region, ClientTlsVersion string
	LastErrorReason, LastErrorSource    string
	LastErrorMessage, LastErrorCause    string
	Errors                              any
	TraceRequested                      bool
	RequestSize, ResponseSize           int64
	Cache                               string
}

// JSON renders l as the gateway's log line at testNow - l.Ago.
func (l Line) JSON() []byte {
	m := map[string]any{
		"TimeGenerated":       testNow.Add(-l.Ago).Format("2006-01-02T15:04:05.0000000Z"),
		"Category":            "GatewayLogs",
		"CorrelationId":       "00000000-0000-0000-0000-" + time.Duration(l.Ago).String(),
		"ApiId":               l.ApiId,
		"ApiRevision":         "1",
		"OperationId":         l.OperationId,
		"OperationName":       l.OperationName,
		"ProductId":           l.ProductId,
		"ApimSubscriptionId":  l.ApimSubscriptionId,
		"Method":              l.Method,
		"Url":                 l.Url,
		"ResponseCode":        l.ResponseCode,
		"BackendResponseCode": l.BackendResponseCode,
		"RequestSize":         l.RequestSize,
		"ResponseSize":        l.ResponseSize,
		"TotalTime":           l.TotalTime,
		"BackendTime":         l.BackendTime,
		"ClientTime":          0,
		"CallerIpAddress":     l.CallerIpAddress,
		"ClientProtocol":      "HTTP/1.1",
		"ClientTlsVersion":    l.ClientTlsVersion,
		"Region":              l.Region,
		"Cache":               l.Cache,
		"CacheTime":           0,
		"IsRequestSuccess":    l.ResponseCode >= 200 && l.ResponseCode < 400,
		"IsTraceRequested":    l.TraceRequested,
		"LastErrorSource":     l.LastErrorSource,
		"LastErrorReason":     l.LastErrorReason,
		"LastErrorMessage":    l.LastErrorMessage,
		"LastErrorSection":    "",
	}
	if l.LastErrorCause != "" {
		m["LastErrorCause"] = l.LastErrorCause
	}
	if l.Errors != nil {
		m["Errors"] = l.Errors
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// fixture is the generated log of the golden tests: 18 requests of the
// last two days, with known contents.
var fixture = []Line{
	{Ago: 5 * time.Minute, ApiId: "orders", OperationId: "get-order", OperationName: "GetOrder", Method: "GET", Url: "https://gw/orders/1", ResponseCode: 200, BackendResponseCode: 200, TotalTime: 20, BackendTime: 15, CallerIpAddress: "10.0.0.1", ApimSubscriptionId: "sub-a", ProductId: "starter", Region: "West Europe", ClientTlsVersion: "1.3", Cache: "miss", RequestSize: 100, ResponseSize: 500},
	{Ago: 10 * time.Minute, ApiId: "orders", OperationId: "get-order", OperationName: "GetOrder", Method: "GET", Url: "https://gw/orders/2", ResponseCode: 200, BackendResponseCode: 200, TotalTime: 40, BackendTime: 30, CallerIpAddress: "10.0.0.2", ApimSubscriptionId: "sub-a", ProductId: "starter", Region: "West Europe", ClientTlsVersion: "1.3", Cache: "hit", RequestSize: 100, ResponseSize: 700},
	{Ago: 15 * time.Minute, ApiId: "orders", OperationId: "create-order", OperationName: "CreateOrder", Method: "POST", Url: "https://gw/orders", ResponseCode: 201, BackendResponseCode: 201, TotalTime: 60, BackendTime: 50, CallerIpAddress: "10.0.0.1", ApimSubscriptionId: "sub-b", ProductId: "unlimited", Region: "West Europe", ClientTlsVersion: "1.2", Cache: "none", RequestSize: 900, ResponseSize: 300, TraceRequested: true},
	{Ago: 20 * time.Minute, ApiId: "orders", OperationId: "get-order", OperationName: "GetOrder", Method: "GET", Url: "https://gw/orders/3", ResponseCode: 401, TotalTime: 2, CallerIpAddress: "10.0.0.3", Region: "West Europe", LastErrorSource: "authorization", LastErrorReason: "SubscriptionKeyNotFound", LastErrorMessage: "Access denied due to missing subscription key.", LastErrorCause: "the request has no Ocp-Apim-Subscription-Key header", Cache: "none", RequestSize: 80, ResponseSize: 150},
	{Ago: 25 * time.Minute, ApiId: "orders", OperationId: "get-order", OperationName: "GetOrder", Method: "GET", Url: "https://gw/orders/4", ResponseCode: 401, TotalTime: 4, CallerIpAddress: "10.0.0.3", Region: "West Europe", LastErrorSource: "authorization", LastErrorReason: "SubscriptionKeyInvalid", LastErrorMessage: "Access denied due to invalid subscription key.", Cache: "none", RequestSize: 80, ResponseSize: 150},
	{Ago: 30 * time.Minute, ApiId: "echo", OperationId: "retrieve", OperationName: "Retrieve resource", Method: "GET", Url: "https://gw/echo/resource", ResponseCode: 401, TotalTime: 3, CallerIpAddress: "10.0.0.4", Region: "North Europe", LastErrorSource: "authorization", LastErrorReason: "SubscriptionKeyNotFound", LastErrorMessage: "Access denied due to missing subscription key.", Cache: "none", RequestSize: 60, ResponseSize: 150},
	{Ago: 35 * time.Minute, ApiId: "orders", OperationId: "create-order", OperationName: "CreateOrder", Method: "POST", Url: "https://gw/orders", ResponseCode: 403, TotalTime: 5, CallerIpAddress: "10.0.0.5", ApimSubscriptionId: "sub-b", ProductId: "unlimited", Region: "West Europe", LastErrorSource: "ip-filter", LastErrorReason: "CallerIpNotAllowed", LastErrorMessage: "Caller IP address 10.0.0.5 is not allowed. Access denied.", Cache: "none", RequestSize: 900, ResponseSize: 120},
	{Ago: 40 * time.Minute, ApiId: "orders", OperationId: "get-order", OperationName: "GetOrder", Method: "GET", Url: "https://gw/orders/5", ResponseCode: 429, TotalTime: 1, CallerIpAddress: "10.0.0.1", ApimSubscriptionId: "sub-a", ProductId: "starter", Region: "West Europe", LastErrorSource: "rate-limit", LastErrorReason: "RateLimitExceeded", LastErrorMessage: "Rate limit is exceeded. Try again in 20 seconds.", Cache: "none", RequestSize: 100, ResponseSize: 90},
	{Ago: 38 * time.Minute, ApiId: "orders", OperationId: "get-order", OperationName: "GetOrder", Method: "GET", Url: "https://gw/orders/6", ResponseCode: 429, TotalTime: 1, CallerIpAddress: "10.0.0.1", ApimSubscriptionId: "sub-a", ProductId: "starter", Region: "West Europe", LastErrorSource: "rate-limit", LastErrorReason: "RateLimitExceeded", LastErrorMessage: "Rate limit is exceeded. Try again in 18 seconds.", Cache: "none", RequestSize: 100, ResponseSize: 90},
	{Ago: 44 * time.Minute, ApiId: "orders", OperationId: "get-order", OperationName: "GetOrder", Method: "GET", Url: "https://gw/orders/7", ResponseCode: 429, TotalTime: 3, CallerIpAddress: "10.0.0.2", ApimSubscriptionId: "sub-a", ProductId: "starter", Region: "West Europe", LastErrorSource: "rate-limit", LastErrorReason: "RateLimitExceeded", LastErrorMessage: "Rate limit is exceeded. Try again in 16 seconds.", Cache: "none", RequestSize: 100, ResponseSize: 90},
	{Ago: 50 * time.Minute, ApiId: "orders", OperationId: "create-order", OperationName: "CreateOrder", Method: "POST", Url: "https://gw/orders", ResponseCode: 500, BackendResponseCode: 500, TotalTime: 120, BackendTime: 110, CallerIpAddress: "10.0.0.1", ApimSubscriptionId: "sub-b", ProductId: "unlimited", Region: "West Europe", Cache: "none", RequestSize: 900, ResponseSize: 60},
	{Ago: 55 * time.Minute, ApiId: "orders", OperationId: "create-order", OperationName: "CreateOrder", Method: "POST", Url: "https://gw/orders", ResponseCode: 502, BackendResponseCode: 502, TotalTime: 80, BackendTime: 75, CallerIpAddress: "10.0.0.2", ApimSubscriptionId: "sub-b", ProductId: "unlimited", Region: "West Europe", Cache: "none", RequestSize: 900, ResponseSize: 60},
	{Ago: 3 * time.Hour, ApiId: "orders", OperationId: "get-order", OperationName: "GetOrder", Method: "GET", Url: "https://gw/orders/8", ResponseCode: 503, TotalTime: 30000, BackendTime: 30000, CallerIpAddress: "10.0.0.1", ApimSubscriptionId: "sub-a", ProductId: "starter", Region: "West Europe", LastErrorSource: "forward-request", LastErrorReason: "BackendConnectionFailure", LastErrorMessage: "The remote server refused the connection", Errors: []any{map[string]any{"source": "forward-request", "reason": "BackendConnectionFailure", "message": "connection refused"}}, Cache: "none", RequestSize: 100, ResponseSize: 0},
	{Ago: 5 * time.Hour, ApiId: "echo", OperationId: "retrieve", OperationName: "Retrieve resource", Method: "GET", Url: "https://gw/echo/resource", ResponseCode: 504, TotalTime: 10000, BackendTime: 10000, CallerIpAddress: "10.0.0.4", ApimSubscriptionId: "sub-c", ProductId: "starter", Region: "North Europe", LastErrorSource: "forward-request", LastErrorReason: "Timeout", LastErrorMessage: "Request to the backend service timed out", Errors: []any{map[string]any{"source": "forward-request", "reason": "Timeout", "message": "timed out"}, map[string]any{"source": "retry", "reason": "Timeout", "message": "gave up"}}, Cache: "none", RequestSize: 60, ResponseSize: 0},
	{Ago: 6 * time.Hour, ApiId: "echo", OperationId: "retrieve", OperationName: "Retrieve resource", Method: "GET", Url: "https://gw/echo/missing", ResponseCode: 404, TotalTime: 1, CallerIpAddress: "10.0.0.6", Region: "North Europe", LastErrorSource: "configuration", LastErrorReason: "OperationNotFound", LastErrorMessage: "Unable to match incoming request to an operation.", Cache: "none", RequestSize: 60, ResponseSize: 70},
	{Ago: 48 * time.Hour, ApiId: "orders", OperationId: "get-order", OperationName: "GetOrder", Method: "GET", Url: "https://gw/orders/9", ResponseCode: 500, TotalTime: 50, CallerIpAddress: "10.0.0.1", ApimSubscriptionId: "sub-a", ProductId: "starter", Region: "West Europe", LastErrorSource: "set-variable", LastErrorReason: "ExpressionValueEvaluationFailure", LastErrorMessage: "Expression evaluation failed. Object reference not set to an instance of an object.", Cache: "none", RequestSize: 100, ResponseSize: 60},
	{Ago: 8 * time.Hour, ApiId: "echo", OperationId: "retrieve", OperationName: "Retrieve resource", Method: "GET", Url: "https://gw/echo/resource?x=1", ResponseCode: 200, BackendResponseCode: 200, TotalTime: 15, BackendTime: 10, CallerIpAddress: "10.0.0.4", ApimSubscriptionId: "sub-c", ProductId: "starter", Region: "North Europe", ClientTlsVersion: "1.2", Cache: "none", RequestSize: 60, ResponseSize: 400},
	{Ago: 23 * time.Hour, ApiId: "orders", OperationId: "get-order", OperationName: "GetOrder", Method: "GET", Url: "https://gw/orders/1", ResponseCode: 304, BackendResponseCode: 304, TotalTime: 10, BackendTime: 8, CallerIpAddress: "10.0.0.2", ApimSubscriptionId: "sub-a", ProductId: "starter", Region: "West Europe", ClientTlsVersion: "1.3", Cache: "none", RequestSize: 100, ResponseSize: 0},
}

// openFixture opens an in-memory store at testNow holding the fixture.
func openFixture(t testing.TB) *Store {
	t.Helper()
	s, err := Open("", Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, l := range fixture {
		s.Write(l.JSON())
	}
	s.Flush()
	if s.Dropped() != 0 || s.Stored() != uint64(len(fixture)) {
		t.Fatalf("stored %d, dropped %d of %d lines", s.Stored(), s.Dropped(), len(fixture))
	}
	return s
}
