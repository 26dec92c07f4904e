// Package admin serves tollgate's own endpoints on a listener of their own,
// never on the gateway's: captured requests and their explanations, failure
// groups, the log store's query API, readiness, Go's profiles
// (/debug/pprof/, without the command line), and whatever else `tollgate
// run` mounts (metrics, the console). It also has the client that
// `tollgate why --server` and `tollgate failures --server` use.
//
// A listener on anything but loopback must have a bearer token (CheckAddr);
// every endpoint but /live and /ready then requires it.
package admin
