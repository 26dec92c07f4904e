// Package loadbench is tollgate's load harness: it measures tollgate against
// a bare Go reverse proxy and nginx, each pinned to one core, under the same
// traffic, and checks that every target answered only the statuses the
// traffic asks for.
//
// A run builds tollgate and the harness's small programs (an echo backend,
// the bare proxy and a Go load generator, under cmd/), writes a test folder
// in the APIOps layout (WriteFolder), starts every target of a Config, and
// measures interleaved rounds: each round runs every variant against every
// target, in an order that rotates from round to round, so that noise from
// other work on the machine spreads over all targets instead of favouring
// one. Each measurement is one Result; Summarize reduces the rounds to the
// median requests per second, p50 and p99 of each target and its ratio to
// the bare proxy, and WriteTable prints them, aligned or as markdown.
//
// Load comes from wrk when it is installed (with a Lua script that counts
// every response status) and from the Go generator of this package
// (Generate) otherwise. Speed is reported, never asserted: the only verdict
// a run gives is CheckStatuses, which fails when a target answered anything
// but 200, and 401 for the requests that carry a wrong key.
//
// The harness's command line is cmd/loadbench; scripts/load.sh runs it and
// docs/performance.md describes the targets, the variants and the figures.
package loadbench
