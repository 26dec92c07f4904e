// Package limit owns the state behind APIM's throttling policies: the
// counters of rate-limit and rate-limit-by-key, the period counters of quota
// and quota-by-key (calls and bandwidth), and the slots of limit-concurrency.
//
// The algorithms are defined by the Store interface and implemented twice with
// identical semantics: Memory (this package, one process) and
// limit/redisstore (one Redis shared by any number of tollgate replicas). The
// shared conformance suite in limit/limittest runs against both.
//
// # Rate limits
//
// A rate counter is a fixed window that opens at the first counted call of its
// key and lasts exactly one renewal period; the next counted call after it
// ends opens a new one. Inside a window at most limit units are admitted,
// exactly, however many callers race (one mutex per shard in memory, one Lua
// script per decision in Redis). APIM documents a sliding window; a fixed
// window opened by the first call gives the same steady-state rate, an exact
// count, a Retry-After that is simply the time left in the window, and O(1)
// state per key. The price is that a client that spends its whole allowance at
// the end of one window can spend it again at the start of the next one.
//
// Take decides and counts in one step. Policies with an increment-condition
// that depends on the response use two phases instead: Peek in the inbound
// section (decides without counting) and Add once the response is known
// (counts unconditionally). Requests in flight between Peek and Add are not
// yet counted, so with two phases the limit can be exceeded by the number of
// concurrent requests; Take has no such gap.
//
// # Quotas
//
// Quota periods are fixed windows aligned to a first period start (the
// quota-by-key attribute first-period-start; for the per-subscription quota,
// the subscription's start date; DefaultFirstPeriodStart when unset): period n
// covers [start + n·period, start + (n+1)·period). A period of zero never
// renews. Calls are counted by TakeQuota (decide and count) or PeekQuota plus
// AddQuota; bandwidth is known only after the response and is always counted
// with AddQuota, in bytes (limits are given in kilobytes of 1024 bytes). A
// request is refused when its calls would exceed the call limit or when the
// bytes already counted reach the bandwidth limit.
//
// # Concurrency
//
// Acquire takes one of max slots of a key for a lease duration and returns a
// token; Release frees it. A slot whose lease ran out (a replica that crashed
// before releasing) is reclaimed by the next Acquire. The lease must outlast
// the longest request the block can run (the gateway's request timeout);
// a request still running when its lease ends no longer holds a slot.
//
// # Failures
//
// A store that cannot reach its backend returns an error that matches
// ErrUnavailable with errors.Is (and is an *UnavailableError carrying the
// cause). The policy layer decides per policy whether to admit or refuse the
// request then. The memory store never fails.
//
// Keys are built with SubscriptionKey (rate-limit and quota, one counter per
// subscription per policy element and per nested api/operation element) and
// ByKey (rate-limit-by-key and quota-by-key, one counter per counter-key value
// shared by every scope). Rate, quota and concurrency keys live in separate
// namespaces.
//
// This package uses the standard library only and must not import the policy
// or gateway packages, nor any Redis client.
package limit
