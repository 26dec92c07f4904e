package cache

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Store keeps byte values under string keys for a limited time.
// Implementations are safe for concurrent use.
type Store interface {
	// Get returns the value stored under key. ok is false when there is
	// none or it has expired. The returned slice must not be modified.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key for ttl, replacing any previous value. A
	// ttl of zero or less removes the key instead.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key; removing a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// ErrUnavailable is matched (errors.Is) by every error a store returns when
// its backend cannot be reached in time.
var ErrUnavailable = errors.New("cache unavailable")

// UnavailableError reports a cache operation that failed because the backend
// could not be reached; it matches ErrUnavailable and unwraps to the cause.
type UnavailableError struct {
	// Op names the operation, for example "get".
	Op string
	// Err is the cause.
	Err error
}

// Error returns "cache unavailable: op: cause".
func (e *UnavailableError) Error() string { return "cache unavailable: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns ErrUnavailable and the cause.
func (e *UnavailableError) Unwrap() []error { return []error{ErrUnavailable, e.Err} }

// Type is the caching-type attribute of the caching policies.
type Type int

const (
	// PreferExternal uses the external cache when one is configured and the
	// internal cache otherwise; it is the default.
	PreferExternal Type = iota
	// Internal uses the cache inside tollgate.
	Internal
	// External uses the external (Redis) cache.
	External
)

// String returns the attribute value of t.
func (t Type) String() string {
	switch t {
	case Internal:
		return "internal"
	case External:
		return "external"
	default:
		return "prefer-external"
	}
}

// ParseType parses a caching-type attribute value; the empty string means
// PreferExternal.
func ParseType(s string) (Type, error) {
	switch s {
	case "", "prefer-external":
		return PreferExternal, nil
	case "internal":
		return Internal, nil
	case "external":
		return External, nil
	}
	return 0, fmt.Errorf("caching-type %q is not one of internal, external, prefer-external", s)
}

// ErrNoExternal is returned by Stores.Select for caching-type external when
// no external cache is configured.
var ErrNoExternal = errors.New("caching-type is external but no external cache is configured")

// Stores holds the caches a gateway has: Internal is always set; External is
// nil unless an external cache is configured.
type Stores struct {
	Internal Store
	External Store
}

// Select returns the store caching-type t refers to.
func (s Stores) Select(t Type) (Store, error) {
	switch {
	case t == Internal:
		return s.Internal, nil
	case s.External != nil:
		return s.External, nil
	case t == External:
		return nil, ErrNoExternal
	default:
		return s.Internal, nil
	}
}
