// Package gateway is tollgate's data plane: it matches each request to an API
// and operation the way APIM does, checks the subscription key, runs the
// request through the pipeline, forwards it to the backend, and writes one
// gateway log record per request.
//
// A Gateway serves one immutable configuration at a time. Swap replaces it
// atomically; requests in flight finish on the configuration they started
// with, and a configuration that fails to build never replaces the one that
// is serving.
//
// Errors the gateway raises itself (no matching operation, missing or invalid
// key, backend failures) are *Error values that carry APIM's LastError fields
// (Source, Reason, Message) and the status and body APIM would send, plus
// tollgate's own Cause: the precise explanation that goes to logs and traces,
// never to the caller.
//
// gateway must not import the CLI or admin packages.
package gateway
