// Package logstore keeps the gateway's log lines in an embedded SQLite
// database (modernc.org/sqlite, pure Go) and answers KQL queries over them.
//
// One table, ApiManagementGatewayLogs, has every column of APIM's
// resource-specific Log Analytics table with its Log Analytics type, plus
// tollgate's own columns (LastErrorCause, TollgateNotes ...). The gateway
// writes each JSON log line to the Store, which is an io.Writer: Write copies
// the line into a bounded queue and returns at once; one writer goroutine
// parses the lines and inserts them in batches, one transaction per batch.
// When the queue is full a line is counted as dropped (Dropped) and a
// warning is logged at most once per interval: the request path never
// waits for the disk.
//
// The same goroutine applies retention (rows older than Options.Retention,
// then the oldest rows while the database is larger than Options.MaxSize)
// and stores captured failures (PutCapture), bounded by count and bytes.
//
// Query compiles KQL with package kql against the table's schema and runs
// it; QueryHandler serves it as POST /v1/query in the shape of the Log
// Analytics query API. The scalar and aggregate functions the SQLite dialect
// of package kql calls (kql_has, kql_regex, kql_percentile ...) are
// registered here, once per process.
//
// No other package imports the SQLite driver.
package logstore
