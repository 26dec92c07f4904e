package redisstore

import (
	"context"
	"errors"
	"github.com/tollgate/tollgate/internal/redisclient"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/internal/cache"
)

// DefaultTimeout bounds every operation when Options.Timeout is zero.
const DefaultTimeout = 250 * time.Millisecond

// DefaultPrefix starts every key when Options.Prefix is empty.
const DefaultPrefix = "tollgate:cache:"

// Options configures a Store.
type Options struct {
	// Prefix starts every key; DefaultPrefix when empty.
	Prefix string
	// Timeout bounds each operation; DefaultTimeout when zero.
	Timeout time.Duration
}

// Store is a cache.Store kept in Redis. It is safe for concurrent use.
type Store struct {
	c       redis.UniversalClient
	prefix  string
	timeout time.Duration
}

// ClientOptions returns go-redis options for addr (host:port) whose dial,
// read, write and pool timeouts are timeout (DefaultTimeout when zero) and
// which honour context deadlines, so that a Redis that hangs cannot hold a
// request longer than that. A refused connection is not dialled again within
// the same operation, so that an operation fails at once while Redis is
// down; go-redis keeps probing in the background and the pool recovers when
// Redis is back.
func ClientOptions(addr string, timeout time.Duration) *redis.Options {
	return redisclient.Options(addr, timeout)
}

// New returns a store using c, which the caller owns and closes. For the
// timeout to bound socket I/O as well, make c with ClientOptions or at least
// with ContextTimeoutEnabled.
func New(c redis.UniversalClient, opt Options) *Store {
	s := &Store{c: c, prefix: opt.Prefix, timeout: opt.Timeout}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	return s
}

// Get implements cache.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := s.c.Get(ctx, s.prefix+key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, &cache.UnavailableError{Op: "get", Err: err}
	}
	return v, true, nil
}

// Set implements cache.Store.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Millisecond {
		return s.Delete(ctx, key)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.c.Set(ctx, s.prefix+key, value, ttl).Err(); err != nil {
		return &cache.UnavailableError{Op: "set", Err: err}
	}
	return nil
}

// Delete implements cache.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.c.Del(ctx, s.prefix+key).Err(); err != nil {
		return &cache.UnavailableError{Op: "delete", Err: err}
	}
	return nil
}

// compile-time check that Store implements cache.Store.
var _ cache.Store = (*Store)(nil)
