// Package capture keeps the requests tollgate may be asked to explain: every
// failed request, and the successful ones a sampling rate chooses. A capture
// is one JSON document (Doc) with the request as the caller sent it (secrets
// masked), the response it got, the gateway log line and the full trace of
// every step. The gateway hands a finished request to a Store, which builds
// and masks the document off the request path, keeps the newest ones in
// memory within a count and a byte budget, and passes each one to a
// Persister (the log store of the state directory) so that they survive
// restarts.
package capture
