// Package logstore keeps the gateway's log lines in an embedded SQLite
// database (modernc.org/sqlite, pure Go) and answers KQL queries over them.
//
// One table, ApiManagementGatewayLogs, has every column of APIM's
// resource-specific Log Analytics table with its Log Analytics type, plus
// tollgate's own columns (LastErrorCause, TollgateNotes ...). The gateway
// writes each JSON log line to the Store, which is an io.Writer: Write copies
// the line into a bounded queue and returns at once. One writer goroutine
// keeps the lines in a bounded backlog and, every Options.CommitDelay,
// parses them and inserts them in large transactions, talking to the driver
// directly. While goroutines queue for the cores (runQueueTime), a governor
// lets it store only what fits in a small share of one core, so that
// storing logs never slows the requests down; past half of its bound what
// is beyond the half is stored as it comes. When the queue or the backlog is full a
// line is counted as dropped (Dropped) and a warning is logged at most once
// per interval: the request path never waits for the disk. Queries and
// capture reads store what waits first.
//
// No index on TimeGenerated is kept: with each transaction the writer
// records, per block of about 4,096 consecutive rows, their range of rowids
// and of TimeGenerated (BlocksTable), and the query compiler turns time
// filters, and the newest rows of a take, into ranges of rowids through
// them (kql.Table's TimeBound and Newest).
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
