// Package diag owns source files, positions and diagnostics: the one place
// where tollgate turns "something is wrong here" into "path:line:col: error:
// message [code]".
//
// A File holds the bytes of one configuration file and maps byte offsets to
// 1-based line and column numbers (columns count characters, not bytes; a
// leading UTF-8 byte order mark is not counted). A Span is a byte range in a
// File. A Diagnostic is a positioned message with a severity, and a List
// collects them, sorted by position, so that loaders report every problem
// instead of stopping at the first one.
//
// diag imports only the standard library; every other tollgate package may
// import it.
package diag
