// Package explain turns a captured request into what a person on call needs:
// the request, what the caller got, the failing step with its source line,
// one sentence naming the root cause, the concrete fix, and the section of
// docs/troubleshooting.md that explains it. It is what `tollgate why`
// prints and the console shows.
//
// The cause comes from the gateway, which knows what each step saw; this
// package adds the fix, which depends on the kind of failure and on where
// the configuration says the failing setting lives, and the answer to the
// first question of every troubleshooting guide: gateway or backend?
package explain
