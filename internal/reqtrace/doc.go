// Package reqtrace records what happened to one request, step by step, so
// that a failing request can be explained instead of guessed at: each entry
// names the section, the step or policy, where the policy is written, when
// it ran, and what it did.
//
// A Trace renders as JSON in the structure of APIM's request traces
// (traceEntries by section, each entry with source, timestamp, elapsed and
// data), and as readable text for the command line. Secrets registered with
// Mask never appear in either rendering.
//
// reqtrace imports only the standard library and internal/diag; it knows
// nothing of the gateway or of policies.
package reqtrace
