package redisstore

import (
	"context"
	"crypto/rand"
	"fmt"
	"github.com/tollgate/tollgate/internal/redisclient"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/internal/limit"
)

// DefaultTimeout bounds every store operation when Options.Timeout is zero.
const DefaultTimeout = 250 * time.Millisecond

// DefaultPrefix starts every key the store writes when Options.Prefix is
// empty.
const DefaultPrefix = "tollgate:limit:"

// Options configures a Store.
type Options struct {
	// Prefix starts every key; DefaultPrefix when empty.
	Prefix string
	// Timeout bounds each operation; DefaultTimeout when zero.
	Timeout time.Duration
}

// Store is a limit.Store kept in Redis. It is safe for concurrent use.
type Store struct {
	c       redis.UniversalClient
	prefix  string
	timeout time.Duration
}

// New returns a store that runs its scripts on c, which may be a
// *redis.Client, *redis.ClusterClient or *redis.Ring. The caller owns c and
// closes it.
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

// rateScript decides, counts and reports one rate operation on KEYS[1].
// ARGV: limit, period in ms, cost, mode (t take, p peek, a add).
// Reply: {allowed, used, ms left in the window (0: none open)}.
var rateScript = redis.NewScript(`
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local mode = ARGV[4]
local used = 0
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  used = tonumber(redis.call('GET', KEYS[1])) or 0
else
  ttl = 0
end
local allowed = 0
if mode == 'a' or used + cost <= limit then
  allowed = 1
  if mode ~= 'p' and cost > 0 then
    if ttl == 0 then
      redis.call('SET', KEYS[1], cost, 'PX', period)
      used = cost
      ttl = period
    else
      used = redis.call('INCRBY', KEYS[1], cost)
    end
  end
elseif ttl == 0 then
  ttl = period
end
return {allowed, used, ttl}
`)

// quotaScript decides, counts and reports one quota operation on KEYS[1].
// ARGV: call limit, byte limit (0: none), period in ms (0: never renews),
// anchor in Unix ms, calls, bytes, mode (t take, p peek, a add).
// Reply: {exceeded (0 no, 1 calls, 2 bandwidth), calls, bytes, ms left (-1: never)}.
var quotaScript = redis.NewScript(`
local climit = tonumber(ARGV[1])
local blimit = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local start = tonumber(ARGV[4])
local addc = tonumber(ARGV[5])
local addb = tonumber(ARGV[6])
local mode = ARGV[7]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w, left = 0, -1
if period > 0 then
  w = math.floor((now - start) / period)
  left = start + (w + 1) * period - now
end
local v = redis.call('HMGET', KEYS[1], 'w', 'c', 'b')
local calls, bytes = 0, 0
local same = v[1] and tonumber(v[1]) == w
if same then
  calls = tonumber(v[2]) or 0
  bytes = tonumber(v[3]) or 0
end
local exceeded = 0
if mode ~= 'a' then
  if climit > 0 and calls + addc > climit then
    exceeded = 1
  elseif blimit > 0 and bytes >= blimit then
    exceeded = 2
  end
end
if mode ~= 'p' and exceeded == 0 and addc + addb > 0 then
  if not same then
    redis.call('DEL', KEYS[1])
    redis.call('HSET', KEYS[1], 'w', w)
  end
  calls = redis.call('HINCRBY', KEYS[1], 'c', addc)
  bytes = redis.call('HINCRBY', KEYS[1], 'b', addb)
  if left > 0 then
    redis.call('PEXPIRE', KEYS[1], left)
  else
    redis.call('PERSIST', KEYS[1])
  end
end
return {exceeded, calls, bytes, left}
`)

// acquireScript takes a slot of KEYS[1] unless max are held.
// ARGV: max, lease in ms, token. Reply: {acquired, active}.
var acquireScript = redis.NewScript(`
local max = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local n = redis.call('ZCARD', KEYS[1])
if n >= max then
  return {0, n}
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
if redis.call('PTTL', KEYS[1]) < lease then
  redis.call('PEXPIRE', KEYS[1], lease)
end
return {1, n + 1}
`)

// run runs script with the store's timeout and returns its integer reply.
func (s *Store) run(ctx context.Context, op string, script *redis.Script, key string, n int, args ...any) ([]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := script.Run(ctx, s.c, []string{key}, args...).Int64Slice()
	if err == nil && len(v) != n {
		err = fmt.Errorf("script replied with %d values, want %d", len(v), n)
	}
	if err != nil {
		return nil, &limit.UnavailableError{Op: op, Err: err}
	}
	return v, nil
}

// Take implements limit.Store.
func (s *Store) Take(ctx context.Context, key string, limitN int64, period time.Duration, cost int64) (limit.Rate, error) {
	return s.rate(ctx, "take", key, limitN, period, cost, "t")
}

// Peek implements limit.Store.
func (s *Store) Peek(ctx context.Context, key string, limitN int64, period time.Duration, cost int64) (limit.Rate, error) {
	return s.rate(ctx, "peek", key, limitN, period, cost, "p")
}

// Add implements limit.Store.
func (s *Store) Add(ctx context.Context, key string, limitN int64, period time.Duration, cost int64) (limit.Rate, error) {
	return s.rate(ctx, "add", key, limitN, period, cost, "a")
}

func (s *Store) rate(ctx context.Context, op, key string, limitN int64, period time.Duration, cost int64, mode string) (limit.Rate, error) {
	if err := limit.ValidateRate(limitN, period, cost); err != nil {
		return limit.Rate{}, err
	}
	v, err := s.run(ctx, op, rateScript, s.prefix+"rl:"+key, 3, limitN, period.Milliseconds(), cost, mode)
	if err != nil {
		return limit.Rate{}, err
	}
	return limit.RateOf(v[0] == 1, limitN, v[1], time.Duration(v[2])*time.Millisecond), nil
}

// TakeQuota implements limit.Store.
func (s *Store) TakeQuota(ctx context.Context, key string, q limit.Quota, calls int64) (limit.QuotaState, error) {
	return s.quota(ctx, "take quota", key, q, calls, 0, "t")
}

// PeekQuota implements limit.Store.
func (s *Store) PeekQuota(ctx context.Context, key string, q limit.Quota) (limit.QuotaState, error) {
	return s.quota(ctx, "peek quota", key, q, 1, 0, "p")
}

// AddQuota implements limit.Store.
func (s *Store) AddQuota(ctx context.Context, key string, q limit.Quota, calls, bytes int64) (limit.QuotaState, error) {
	return s.quota(ctx, "add quota", key, q, calls, bytes, "a")
}

func (s *Store) quota(ctx context.Context, op, key string, q limit.Quota, calls, bytes int64, mode string) (limit.QuotaState, error) {
	if err := limit.ValidateQuota(q, calls, bytes); err != nil {
		return limit.QuotaState{}, err
	}
	v, err := s.run(ctx, op, quotaScript, s.prefix+"q:"+key, 4,
		q.Calls, q.Kilobytes*1024, q.Period.Milliseconds(), q.StartMillis(), calls, bytes, mode)
	if err != nil {
		return limit.QuotaState{}, err
	}
	st := limit.QuotaStateOf(q, v[1], v[2], 0, v[3], false)
	if v[0] != 0 {
		st.Allowed, st.Exceeded = false, limit.QuotaExceeded(v[0])
	}
	return st, nil
}

// Acquire implements limit.Store.
func (s *Store) Acquire(ctx context.Context, key string, max int64, lease time.Duration) (limit.Lease, error) {
	if err := limit.ValidateConcurrency(max, lease); err != nil {
		return limit.Lease{}, err
	}
	token := rand.Text()
	v, err := s.run(ctx, "acquire", acquireScript, s.prefix+"c:"+key, 2, max, lease.Milliseconds(), token)
	if err != nil {
		return limit.Lease{}, err
	}
	if v[0] != 1 {
		return limit.Lease{Active: v[1]}, nil
	}
	return limit.Lease{Acquired: true, Token: token, Active: v[1]}, nil
}

// Release implements limit.Store.
func (s *Store) Release(ctx context.Context, key, token string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.c.ZRem(ctx, s.prefix+"c:"+key, token).Err(); err != nil {
		return &limit.UnavailableError{Op: "release", Err: err}
	}
	return nil
}

// Ping checks that Redis answers within the store's timeout.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.c.Ping(ctx).Err(); err != nil {
		return &limit.UnavailableError{Op: "ping", Err: err}
	}
	return nil
}

// compile-time check that Store implements limit.Store.
var _ limit.Store = (*Store)(nil)
