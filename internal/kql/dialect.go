package kql

import (
	"fmt"
	"strings"
)

// Dialect is the seam between KQL's semantics and one SQL engine: the
// compiler builds standard SELECT statements (WHERE, GROUP BY, ORDER BY ...
// NULLS FIRST|LAST, LIMIT, CASE, IN, BETWEEN, COUNT, SUM, AVG, MIN, MAX) and
// asks the dialect for everything else: quoting, parameters, and the
// operations in Op, whose Kusto semantics (case-insensitive terms, RE2
// regular expressions, Kusto's formatting of datetimes and reals, percentiles)
// an engine provides through its own functions or ones its driver registers.
type Dialect interface {
	// Quote quotes an identifier.
	Quote(name string) string
	// Param is the placeholder of the 1-based argument n; the compiler may
	// use one placeholder several times.
	Param(n int) string
	// Op returns the SQL of operation op applied to the SQL fragments args.
	Op(op Op, args ...string) string
	// ArgExtreme reports whether, in a grouped SELECT whose only MIN or MAX
	// aggregate is that of arg_max or arg_min, plain columns take their
	// values from the row holding the extreme (SQLite's documented "bare
	// column" rule). A dialect without it does not support arg_max.
	ArgExtreme() bool
}

// Op is an operation whose SQL depends on the dialect. The comments give the
// arguments and the result's type; every string operation is NULL-safe.
type Op int

// The operations a dialect implements.
const (
	OpHas            Op = iota // (text, term) bool: term matched at word boundaries, case-insensitive
	OpHasCS                    // (text, term) bool: case-sensitive has
	OpHasPrefix                // (text, prefix) bool: a term starts with prefix, case-insensitive
	OpHasSuffix                // (text, suffix) bool: a term ends with suffix, case-insensitive
	OpContains                 // (text, sub) bool: case-insensitive substring
	OpContainsCS               // (text, sub) bool
	OpStartsWith               // (text, prefix) bool: case-insensitive
	OpStartsWithCS             // (text, prefix) bool
	OpEndsWith                 // (text, suffix) bool: case-insensitive
	OpEndsWithCS               // (text, suffix) bool
	OpEqualFold                // (a, b) bool: case-insensitive equality
	OpRegex                    // (text, pattern) bool: RE2 match anywhere
	OpExtract                  // (pattern, group, text) string: the group's match or ""
	OpToLong                   // (text) long: NULL when not an integer
	OpToReal                   // (text) real: NULL when not a number
	OpToDateTime               // (text) datetime: NULL when not a datetime
	OpToTimespan               // (text) timespan: NULL when not a timespan
	OpToBool                   // (text) bool: NULL unless true/false/1/0
	OpFormatDateTime           // (datetime) string: ISO 8601 UTC, "" for NULL
	OpFormatTimespan           // (timespan) string: [-][d.]hh:mm:ss[.fffffff], "" for NULL
	OpFormatReal               // (real) string: shortest round-trip form, "" for NULL
	OpFormatDynamic            // (dynamic) string: a JSON string's text, other JSON as is, "" for NULL
	OpDynamicPath              // (dynamic, path) dynamic: the JSON at the JSON path, NULL when absent
	OpToLower                  // (text) string
	OpToUpper                  // (text) string
	OpStrlen                   // (text) long: characters
	OpBinReal                  // (real, size) real: floor to a multiple of size
	OpPercentile               // aggregate (value, p) same type: nearest-rank percentile
	OpMakeSet                  // aggregate (value, maxSize, type name) dynamic: distinct values, first seen first
	OpMakeList                 // aggregate (value, maxSize, type name) dynamic: all values in order
	OpCountDistinct            // aggregate (value) long
)

// SQLite is the dialect of SQLite 3.38 or later. The functions it calls that
// SQLite lacks are listed by SQLiteFunctions; the store registers them.
var SQLite Dialect = sqliteDialect{}

type sqliteDialect struct{}

func (sqliteDialect) Quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
func (sqliteDialect) Param(n int) string { return fmt.Sprintf("?%d", n) }
func (sqliteDialect) ArgExtreme() bool   { return true }

// sqliteFuncs maps each Op implemented by a registered function to its name.
var sqliteFuncs = map[Op]string{
	OpHas: "kql_has", OpHasCS: "kql_has_cs", OpHasPrefix: "kql_hasprefix", OpHasSuffix: "kql_hassuffix",
	OpContains: "kql_contains", OpStartsWith: "kql_startswith", OpEndsWith: "kql_endswith",
	OpEqualFold: "kql_equal_fold", OpRegex: "kql_regex", OpExtract: "kql_extract",
	OpToLong: "kql_tolong", OpToReal: "kql_toreal", OpToDateTime: "kql_todatetime", OpToTimespan: "kql_totimespan",
	OpToBool: "kql_tobool", OpFormatDateTime: "kql_format_datetime", OpFormatTimespan: "kql_format_timespan",
	OpFormatReal: "kql_format_real", OpFormatDynamic: "kql_format_dynamic", OpToLower: "kql_tolower",
	OpToUpper: "kql_toupper", OpBinReal: "kql_bin_real", OpPercentile: "kql_percentile",
	OpMakeSet: "kql_make_set", OpMakeList: "kql_make_list",
}

// SQLiteFunctions returns the names of the functions the SQLite dialect
// calls that the engine must have registered, with their number of
// arguments.
func SQLiteFunctions() map[string]int {
	n := map[string]int{}
	for op, name := range sqliteFuncs {
		switch op {
		case OpExtract, OpMakeSet, OpMakeList:
			n[name] = 3
		case OpHas, OpHasCS, OpHasPrefix, OpHasSuffix, OpContains, OpStartsWith, OpEndsWith, OpEqualFold,
			OpRegex, OpBinReal, OpPercentile:
			n[name] = 2
		default:
			n[name] = 1
		}
	}
	return n
}

func (sqliteDialect) Op(op Op, a ...string) string {
	switch op {
	case OpContainsCS:
		return fmt.Sprintf("(instr(%s, %s) > 0)", a[0], a[1])
	case OpStartsWithCS:
		return fmt.Sprintf("(substr(%s, 1, length(%s)) = %s)", a[0], a[1], a[1])
	case OpEndsWithCS:
		return fmt.Sprintf("(length(%[2]s) = 0 OR substr(%[1]s, -length(%[2]s)) = %[2]s)", a[0], a[1])
	case OpDynamicPath:
		return fmt.Sprintf("(%s -> %s)", a[0], a[1])
	case OpStrlen:
		return fmt.Sprintf("length(%s)", a[0])
	case OpCountDistinct:
		return fmt.Sprintf("COUNT(DISTINCT %s)", a[0])
	}
	name, ok := sqliteFuncs[op]
	if !ok {
		panic(fmt.Sprintf("kql: SQLite dialect has no operation %d", op))
	}
	return name + "(" + strings.Join(a, ", ") + ")"
}
