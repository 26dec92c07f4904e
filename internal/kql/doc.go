// Package kql is tollgate's front end for the Kusto Query Language (KQL): the
// subset people type against ApiManagementGatewayLogs in Log Analytics.
//
// A query goes through three phases, each reporting errors with the query's
// line and column:
//
//   - the lexer and parser (lex.go, parse.go) turn text into a syntax tree
//     whose nodes carry byte offsets;
//   - the binder (bind.go) resolves table, column and let-bound names against
//     a Schema and gives every expression a Log Analytics type (bool,
//     datetime, dynamic, int, long, real, string, timespan), suggesting the
//     column meant when a name is unknown;
//   - the compiler (compile.go) turns the bound pipeline into one SQL SELECT
//     through a Dialect, the seam between KQL semantics and one SQL engine.
//     SQLite is the implementation tollgate ships; it calls a few scalar and
//     aggregate functions (kql_has, kql_regex, ...) that the store registers.
//
// Compile runs all three and returns the SQL text, its arguments and the
// typed columns of the result. The package imports no database driver.
//
// Values in SQL: datetime is an integer of nanoseconds since the Unix epoch
// (UTC), timespan an integer of nanoseconds, bool an integer 0 or 1, dynamic
// JSON text, string text (never NULL in stored rows: Kusto strings are empty,
// not null).
package kql
