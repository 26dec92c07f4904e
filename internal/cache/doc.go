// Package cache owns the state and the rules behind APIM's caching policies:
// cache-lookup and cache-store (whole responses) and cache-lookup-value,
// cache-store-value and cache-remove-value (single values).
//
// Storage is a Store of byte values with a time to live, implemented twice
// with the same semantics: Memory (this package, an LRU bounded by a byte
// budget) and cache/redisstore (one Redis shared by every tollgate replica).
// Stores.Select maps the caching-type attribute (internal, external,
// prefer-external) to one of them.
//
// The rules are plain functions the policy layer calls: NewKeySpec prepares
// the vary-by lists once at load time and ResponseKey derives
// the key of a response from the API, operation and product context, the
// request path, the vary-by-header and vary-by-query-parameter lists and the
// developer and developer groups; Cacheable and Storable apply the GET-only,
// private-response and status rules; CacheControl builds the header sent to
// clients from downstream-caching-type and must-revalidate; Response is the
// stored form of a response, with a binary encoding this package owns.
//
// A cache never fails a request by itself. Store implementations report an
// unreachable backend with an error matching ErrUnavailable; LookupResponse
// and LookupValue turn every failure into a miss and still return the error so
// that it can be logged and traced, and the store functions return errors
// the caller may log and ignore.
//
// This package uses the standard library only and must not import the policy
// or gateway packages, nor any Redis client.
package cache
