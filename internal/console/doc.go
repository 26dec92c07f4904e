// Package console serves tollgate's web console on the admin listener: the
// failures of the last hours as the seed's ErrorCategory breakdown, a live
// tail of requests, each captured request explained with its trace drawn
// as a waterfall, a KQL query page over the log store, and the
// configuration with each operation's effective policy coloured by scope.
//
// Pages are rendered on the server with html/template; the little
// JavaScript there is (keyboard shortcuts, copy buttons, the live tail's
// refresh) and the stylesheet are embedded in the binary, so the console
// works offline and needs no build step. Charts are SVG drawn on the
// server.
//
// The console reads through small seams that `tollgate run` fills:
// capture.Source for captured requests, Querier for the log store's KQL,
// and functions returning the live configuration and its check findings.
// Every page reads one page of data at most: lists are paginated and the
// log store does the counting.
package console
