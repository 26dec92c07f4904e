// Package metrics exposes tollgate's Prometheus metrics: requests and their
// durations with the dimensions of APIM's Azure Monitor metrics, in-flight
// requests, throttling refusals, cache hits and misses, the emit-metric
// policy's metrics, configuration reloads, and whatever counters other
// parts register (log-store and capture drops), plus Go's runtime metrics.
//
// Labels come from the configuration (API, operation, product) and from
// small fixed sets (status codes, LastError reasons), never from request
// data such as keys or URLs; emit-metric dimensions are bounded per metric.
package metrics
