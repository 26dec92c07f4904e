// Package redisstore is the cache.Store kept in Redis: the external cache of
// caching-type external and prefer-external, shared by every tollgate
// replica. It is the only code that talks to Redis about cached responses and
// values.
//
// Entries are plain Redis strings under a prefix ("tollgate:cache:" by
// default) with the entry's time to live as their expiry (SET PX), so Redis
// drops them by itself; its maxmemory policy bounds the total size.
//
// No operation waits longer than Options.Timeout (250ms by default). Every
// failure to reach Redis is returned as a *cache.UnavailableError, which
// matches cache.ErrUnavailable; callers treat it as a miss. The client
// reconnects by itself once Redis is back.
//
// This package may import cache and go-redis only; it must not import the
// policy or gateway packages.
package redisstore
