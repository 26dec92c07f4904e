package logstore

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/kql"
)

// TableName is the name of the log table, as in Log Analytics.
const TableName = "ApiManagementGatewayLogs"

// columns are the table's columns: those of APIM's ApiManagementGatewayLogs
// (apim-spec §8.1) with their Log Analytics types, then tollgate's own. The
// JSON log line uses the same names.
var columns = []kql.Column{
	{Name: "TimeGenerated", Type: kql.DateTime},
	{Name: "Category", Type: kql.String},
	{Name: "CorrelationId", Type: kql.String},
	{Name: "Region", Type: kql.String},
	{Name: "ApiId", Type: kql.String},
	{Name: "ApiRevision", Type: kql.String},
	{Name: "OperationId", Type: kql.String},
	{Name: "OperationName", Type: kql.String},
	{Name: "ProductId", Type: kql.String},
	{Name: "UserId", Type: kql.String},
	{Name: "ApimSubscriptionId", Type: kql.String},
	{Name: "BackendId", Type: kql.String},
	{Name: "Method", Type: kql.String},
	{Name: "Url", Type: kql.String},
	{Name: "ResponseCode", Type: kql.Int},
	{Name: "ResponseSize", Type: kql.Int},
	{Name: "RequestSize", Type: kql.Int},
	{Name: "RequestHeaders", Type: kql.Dynamic},
	{Name: "ResponseHeaders", Type: kql.Dynamic},
	{Name: "RequestBody", Type: kql.String},
	{Name: "ResponseBody", Type: kql.String},
	{Name: "BackendMethod", Type: kql.String},
	{Name: "BackendUrl", Type: kql.String},
	{Name: "BackendProtocol", Type: kql.String},
	{Name: "BackendResponseCode", Type: kql.Int},
	{Name: "BackendRequestHeaders", Type: kql.Dynamic},
	{Name: "BackendResponseHeaders", Type: kql.Dynamic},
	{Name: "BackendRequestBody", Type: kql.String},
	{Name: "BackendResponseBody", Type: kql.String},
	{Name: "BackendTime", Type: kql.Long},
	{Name: "ClientTime", Type: kql.Long},
	{Name: "CacheTime", Type: kql.Long},
	{Name: "TotalTime", Type: kql.Long},
	{Name: "Cache", Type: kql.String},
	{Name: "CallerIpAddress", Type: kql.String},
	{Name: "ClientProtocol", Type: kql.String},
	{Name: "ClientTlsVersion", Type: kql.String},
	{Name: "IsRequestSuccess", Type: kql.Bool},
	{Name: "LastErrorElapsed", Type: kql.Long},
	{Name: "LastErrorMessage", Type: kql.String},
	{Name: "LastErrorReason", Type: kql.String},
	{Name: "LastErrorScope", Type: kql.String},
	{Name: "LastErrorSection", Type: kql.String},
	{Name: "LastErrorSource", Type: kql.String},
	{Name: "Errors", Type: kql.Dynamic},
	{Name: "TraceRecords", Type: kql.Dynamic},
	{Name: "IsTraceRequested", Type: kql.Bool},
	{Name: "IsTraceAllowed", Type: kql.Bool},
	{Name: "IsTraceExpired", Type: kql.Bool},
	{Name: "IsMasterTrace", Type: kql.Bool},
	// tollgate's columns.
	{Name: "LastErrorPath", Type: kql.String},
	{Name: "LastErrorPolicyId", Type: kql.String},
	{Name: "LastErrorCause", Type: kql.String},
	{Name: "TollgateNotes", Type: kql.Dynamic},
	{Name: "Metrics", Type: kql.Dynamic},
	{Name: "EventHubMessages", Type: kql.Dynamic},
}

// renamed are the names the troubleshooting articles use for columns the
// table calls otherwise.
var renamed = map[string]kql.Alias{
	"ClientIp":          {Column: "CallerIpAddress", Note: "ApiManagementGatewayLogs calls the client's IP address CallerIpAddress"},
	"ClientIP":          {Column: "CallerIpAddress", Note: "ApiManagementGatewayLogs calls the client's IP address CallerIpAddress"},
	"CallerIp":          {Column: "CallerIpAddress", Note: "ApiManagementGatewayLogs calls the client's IP address CallerIpAddress"},
	"IpAddress":         {Column: "CallerIpAddress", Note: "ApiManagementGatewayLogs calls the client's IP address CallerIpAddress"},
	"SubscriptionId":    {Column: "ApimSubscriptionId", Note: "the APIM subscription, whose key the caller sent, is ApimSubscriptionId; the Azure subscription would be _SubscriptionId"},
	"ApimSubscription":  {Column: "ApimSubscriptionId", Note: "the APIM subscription is ApimSubscriptionId"},
	"Duration":          {Column: "TotalTime", Note: "the request's duration in milliseconds is TotalTime"},
	"DurationMs":        {Column: "TotalTime", Note: "the request's duration in milliseconds is TotalTime"},
	"durationMs":        {Column: "TotalTime", Note: "the request's duration in milliseconds is TotalTime"},
	"StatusCode":        {Column: "ResponseCode", Note: "the status sent to the client is ResponseCode"},
	"HttpStatusCode":    {Column: "ResponseCode", Note: "the status sent to the client is ResponseCode"},
	"BackendStatusCode": {Column: "BackendResponseCode", Note: "the backend's status is BackendResponseCode"},
	"Timestamp":         {Column: "TimeGenerated", Note: "the record's time is TimeGenerated"},
	"timestamp":         {Column: "TimeGenerated", Note: "the record's time is TimeGenerated"},
	"Operation":         {Column: "OperationId", Note: "the operation is OperationId (its display name OperationName)"},
	"Api":               {Column: "ApiId", Note: "the API is ApiId"},
	"Product":           {Column: "ProductId", Note: "the product is ProductId"},
	"RequestUrl":        {Column: "Url", Note: "the client request's URL is Url"},
	"HttpMethod":        {Column: "Method", Note: "the client request's method is Method"},
	"ErrorMessage":      {Column: "LastErrorMessage", Note: "the last error's message is LastErrorMessage"},
	"ErrorReason":       {Column: "LastErrorReason", Note: "the last error's reason is LastErrorReason"},
}

// Table returns the schema of the log table, for kql.Compile: time
// filters read the rows of the blocks that may hold them (timeBound).
func Table() *kql.Table {
	return &kql.Table{Name: TableName, Columns: columns, TimeColumn: "TimeGenerated", Renamed: renamed, TimeBound: timeBound, Newest: newest}
}

// BlocksTable records, for every block of consecutive rows, its range of
// rowids and of TimeGenerated, in place of an index on TimeGenerated:
// maintaining two such indexes cost a fifth of storing a row, where the
// writer adds or widens a block per transaction (one per blockRows rows
// of a large one). A line is written
// when its request ends and TimeGenerated is when it started, so rows
// arrive in about time order, blocks' time ranges barely overlap, and a
// time filter becomes a range of rowids, which SQLite walks as cheaply as
// an index. Every row lies in a block whose time range holds its
// TimeGenerated, or after every block (rows stored by a tollgate that did
// not keep blocks; Open adds blocks for them); blocks left once their rows
// are deleted only widen the ranges.
const BlocksTable = "tollgate_blocks"

// blockRows is the most rows the writer gathers in one block: the rows a
// time filter reads beyond those in its range are about one block's at
// each end. Tests lower it.
var blockRows int64 = 4096

// timeBound is the kql.Table's TimeBound: the range of rowids of the rows
// whose TimeGenerated may be at least (lower) or at most the SQL scalar t,
// from the blocks.
func timeBound(d kql.Dialect, lower bool, t string) string {
	if lower {
		// From the first block that reaches t, else the rows after every
		// block.
		return fmt.Sprintf("rowid >= coalesce((SELECT min(first) FROM %[1]s WHERE tmax >= %[2]s), (SELECT max(last) + 1 FROM %[1]s), 0)", BlocksTable, t)
	}
	return "rowid <= " + lastRowidBy(d, t)
}

// lastRowidBy is the SQL of the greatest rowid of a row whose TimeGenerated
// may be at most the SQL scalar t: the last of the blocks that start by
// then, unless rows lie after every block.
func lastRowidBy(d kql.Dialect, t string) string {
	return fmt.Sprintf("(SELECT CASE WHEN max(last) >= (SELECT max(rowid) FROM %[1]s) THEN coalesce((SELECT max(last) FROM %[2]s WHERE tmin <= %[3]s), 0) ELSE (SELECT max(rowid) FROM %[1]s) END FROM %[2]s)",
		d.Quote(TableName), BlocksTable, t)
}

// newest is the kql.Table's Newest: the n rows up to the last that may be
// at most hi.
func newest(d kql.Dialect, n int64, hi int64) string {
	last := fmt.Sprintf("(SELECT max(rowid) FROM %s)", d.Quote(TableName))
	if hi != math.MaxInt64 {
		last = lastRowidBy(d, strconv.FormatInt(hi, 10))
	}
	return fmt.Sprintf("rowid > %[1]s - %[2]d AND rowid <= %[1]s", last, n)
}

// sqlType is the SQLite column type of a Log Analytics type: datetimes and
// timespans are integers of nanoseconds, bools integers 0 or 1, dynamic
// values JSON text.
func sqlType(t kql.Type) string {
	switch t {
	case kql.String:
		return "TEXT NOT NULL DEFAULT ''"
	case kql.Dynamic:
		return "TEXT"
	case kql.Real:
		return "REAL"
	}
	return "INTEGER"
}

// schemaSQL creates the tables and indexes.
func schemaSQL() []string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %q (", TableName)
	for i, c := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q %s", c.Name, sqlType(c.Type))
	}
	b.WriteString(")")
	return []string{
		b.String(),
		// In place of indexes on TimeGenerated (see BlocksTable).
		`CREATE TABLE IF NOT EXISTS ` + BlocksTable + ` (id INTEGER PRIMARY KEY, first INTEGER NOT NULL, last INTEGER NOT NULL,
			tmin INTEGER NOT NULL, tmax INTEGER NOT NULL)`,
		// The failures breakdown (the seed's ErrorCategory query, the
		// console's Failures page) reads only these columns of failed
		// requests: from this index alone, without a lookup of each wide
		// row, about ten times faster. It holds the failed requests
		// only, so that a successful one costs nothing more to store.
		fmt.Sprintf("CREATE INDEX IF NOT EXISTS logs_failures ON %q (IsRequestSuccess, TimeGenerated, ResponseCode, BackendResponseCode, OperationName, TotalTime) WHERE IsRequestSuccess = 0", TableName),
		`CREATE TABLE IF NOT EXISTS tollgate_captures (id TEXT PRIMARY KEY, time INTEGER NOT NULL, status INTEGER NOT NULL,
			api_id TEXT NOT NULL, operation_id TEXT NOT NULL, doc BLOB NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS captures_time ON tollgate_captures (time)`,
		// The journal's read offset: every line before it is stored.
		`CREATE TABLE IF NOT EXISTS tollgate_journal (id INTEGER PRIMARY KEY CHECK (id = 0), read INTEGER NOT NULL)`,
		`INSERT OR IGNORE INTO tollgate_journal VALUES (0, 0)`,
	}
}
