// Package value owns the runtime of tollgate's policy expressions: the value
// model (how .NET values are represented in Go), the `context` object the
// gateway fills per request, .NET-style exceptions, the evaluation frame with
// its step budget, and the table of .NET types and members the expressions may
// use.
//
// The member table is data: each type lists its properties, methods and static
// members with the Go function that implements them, so that adding a member
// is adding a table entry. Nothing here parses source text or uses reflection.
//
// It must not import the syntax, compile or facade packages, nor net/http; it
// performs no file, network or process access.
package value
