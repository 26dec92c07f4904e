// Package redisclient makes the Redis client that tollgate replicas share
// rate-limit counters and the external cache through. It owns the client's
// settings: every operation is bounded by a short timeout, so that a Redis
// that hangs never holds a request, and an unreachable Redis fails at once
// instead of being dialled again within the same operation; the client keeps
// probing in the background and recovers by itself when Redis is back.
//
// redisclient imports only go-redis; the stores in limit/redisstore and
// cache/redisstore use what it returns.
package redisclient

import (
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultTimeout bounds each Redis operation.
const DefaultTimeout = 250 * time.Millisecond

// Client is a Redis client: one server, a cluster or a ring.
type Client = redis.UniversalClient

// Options returns client options for addr (host:port) whose dial, read,
// write and pool timeouts are timeout (DefaultTimeout when zero) and which
// honour context deadlines.
func Options(addr string, timeout time.Duration) *redis.Options {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &redis.Options{
		Addr:                  addr,
		DialTimeout:           timeout,
		DialerRetries:         1,
		ReadTimeout:           timeout,
		WriteTimeout:          timeout,
		PoolTimeout:           timeout,
		ContextTimeoutEnabled: true,
		MaxRetries:            1,
		MinRetryBackoff:       time.Millisecond,
		MaxRetryBackoff:       10 * time.Millisecond,
	}
}

// Dial returns a client for target — "host:port" or a redis:// or rediss://
// URL — with Options' timeouts. It does not wait for the server: an
// unreachable Redis shows up as errors on use.
func Dial(target string, timeout time.Duration) (Client, error) {
	o := Options(target, timeout)
	if strings.Contains(target, "://") {
		u, err := redis.ParseURL(target)
		if err != nil {
			return nil, fmt.Errorf("redis address %q: %w", target, err)
		}
		o.Addr, o.Username, o.Password, o.DB, o.TLSConfig = u.Addr, u.Username, u.Password, u.DB, u.TLSConfig
	}
	return redis.NewClient(o), nil
}
