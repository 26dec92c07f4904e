// Package redisstore is the limit.Store kept in Redis, so that any number of
// tollgate replicas share rate, quota and concurrency counters. It is the only
// code that talks to Redis about counters.
//
// Every operation is one Lua script run with EVALSHA (falling back to EVAL),
// so each decision is atomic however many replicas race. Time comes from the
// Redis server (key expiry for rate windows, TIME for quota periods and
// leases), so replicas with skewed clocks agree. Each script touches a single
// key, which keeps the store usable with Redis Cluster.
//
// Keys are the limit keys behind a prefix ("tollgate:limit:" by default) and
// a namespace: "rl:" rate windows (a string counter whose expiry is the end
// of the window), "q:" quota periods (a hash of period index, calls, bytes;
// it expires with its period) and "c:" concurrency slots (a sorted set of
// lease tokens scored by lease end).
//
// No operation waits longer than Options.Timeout (250ms by default). Every
// failure to reach Redis is returned as a *limit.UnavailableError, which
// matches limit.ErrUnavailable; the client reconnects by itself once Redis is
// back. Clients made with ClientOptions also bound dialling and socket reads
// by that timeout.
//
// This package may import limit and go-redis only; it must not import the
// policy or gateway packages.
package redisstore
