package limit

import (
	"context"
	"hash/maphash"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// shardCount is the number of independently locked parts of a Memory store.
const shardCount = 32

// Memory is a Store that keeps its counters in this process. The zero value
// is not usable; call NewMemory.
type Memory struct {
	seed   maphash.Seed
	tokens atomic.Uint64
	shards [shardCount]shard
}

// shard is one locked part of a Memory store.
type shard struct {
	mu     sync.Mutex
	rates  map[string]rateEntry
	quotas map[string]quotaEntry
	conc   map[string]map[string]int64 // key → token → lease end (Unix ns)
	ops    int                         // operations since the last sweep
}

// rateEntry is one open rate window.
type rateEntry struct {
	used int64
	end  int64 // Unix ns
}

// quotaEntry holds the counters of one quota period.
type quotaEntry struct {
	window       int64
	calls, bytes int64
	end          int64 // Unix ns after which the entry may be dropped
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	m := &Memory{seed: maphash.MakeSeed()}
	for i := range m.shards {
		m.shards[i].rates = map[string]rateEntry{}
		m.shards[i].quotas = map[string]quotaEntry{}
		m.shards[i].conc = map[string]map[string]int64{}
	}
	return m
}

// lock returns the locked shard of key; the caller unlocks it. It sweeps
// expired entries from time to time so that abandoned keys do not pile up.
func (m *Memory) lock(key string, now int64) *shard {
	sh := &m.shards[maphash.String(m.seed, key)%shardCount]
	sh.mu.Lock()
	sh.ops++
	if n := len(sh.rates) + len(sh.quotas) + len(sh.conc); sh.ops > 1024 && sh.ops > n {
		sh.sweep(now)
	}
	return sh
}

// sweep drops every expired entry of the shard.
func (sh *shard) sweep(now int64) {
	sh.ops = 0
	for k, e := range sh.rates {
		if e.end <= now {
			delete(sh.rates, k)
		}
	}
	for k, e := range sh.quotas {
		if e.end <= now {
			delete(sh.quotas, k)
		}
	}
	for k, slots := range sh.conc {
		for t, end := range slots {
			if end <= now {
				delete(slots, t)
			}
		}
		if len(slots) == 0 {
			delete(sh.conc, k)
		}
	}
}

// Rate modes shared by Take, Peek and Add.
const (
	modeTake = iota
	modePeek
	modeAdd
)

// Take implements Store.
func (m *Memory) Take(_ context.Context, key string, limit int64, period time.Duration, cost int64) (Rate, error) {
	return m.rate(key, limit, period, cost, modeTake)
}

// Peek implements Store.
func (m *Memory) Peek(_ context.Context, key string, limit int64, period time.Duration, cost int64) (Rate, error) {
	return m.rate(key, limit, period, cost, modePeek)
}

// Add implements Store.
func (m *Memory) Add(_ context.Context, key string, limit int64, period time.Duration, cost int64) (Rate, error) {
	return m.rate(key, limit, period, cost, modeAdd)
}

// rate runs one rate operation; it mirrors the Redis script.
func (m *Memory) rate(key string, limit int64, period time.Duration, cost int64, mode int) (Rate, error) {
	if err := ValidateRate(limit, period, cost); err != nil {
		return Rate{}, err
	}
	// Windows are cut at millisecond precision, as in Redis.
	period = period.Truncate(time.Millisecond)
	now := time.Now().UnixNano()
	sh := m.lock(key, now)
	defer sh.mu.Unlock()
	e, open := sh.rates[key]
	if open && e.end <= now {
		delete(sh.rates, key)
		open, e = false, rateEntry{}
	}
	allowed := mode == modeAdd || e.used+cost <= limit
	if allowed && mode != modePeek && cost > 0 {
		if !open {
			e.end = now + int64(period)
			open = true
		}
		e.used += cost
		sh.rates[key] = e
	}
	retry := time.Duration(0)
	if open {
		retry = time.Duration(e.end - now)
	} else if !allowed {
		retry = period
	}
	return RateOf(allowed, limit, e.used, retry), nil
}

// TakeQuota implements Store.
func (m *Memory) TakeQuota(_ context.Context, key string, q Quota, calls int64) (QuotaState, error) {
	return m.quota(key, q, calls, 0, modeTake)
}

// PeekQuota implements Store.
func (m *Memory) PeekQuota(_ context.Context, key string, q Quota) (QuotaState, error) {
	return m.quota(key, q, 1, 0, modePeek)
}

// AddQuota implements Store.
func (m *Memory) AddQuota(_ context.Context, key string, q Quota, calls, bytes int64) (QuotaState, error) {
	return m.quota(key, q, calls, bytes, modeAdd)
}

// quota runs one quota operation; it mirrors the Redis script.
func (m *Memory) quota(key string, q Quota, calls, bytes int64, mode int) (QuotaState, error) {
	if err := ValidateQuota(q, calls, bytes); err != nil {
		return QuotaState{}, err
	}
	t := time.Now()
	now := t.UnixNano()
	window, leftMs := q.window(t.UnixMilli())
	sh := m.lock(key, now)
	defer sh.mu.Unlock()
	e, ok := sh.quotas[key]
	if !ok || e.window != window {
		e = quotaEntry{window: window, end: math.MaxInt64}
		if leftMs >= 0 {
			e.end = now + leftMs*int64(time.Millisecond)
		}
	}
	st := QuotaStateOf(q, e.calls, e.bytes, calls, leftMs, mode != modeAdd)
	if mode == modePeek || !st.Allowed || calls+bytes == 0 {
		return st, nil
	}
	e.calls += calls
	e.bytes += bytes
	sh.quotas[key] = e
	st.Calls, st.Bytes = e.calls, e.bytes
	return st, nil
}

// Acquire implements Store.
func (m *Memory) Acquire(_ context.Context, key string, max int64, lease time.Duration) (Lease, error) {
	if err := ValidateConcurrency(max, lease); err != nil {
		return Lease{}, err
	}
	now := time.Now().UnixNano()
	sh := m.lock(key, now)
	defer sh.mu.Unlock()
	slots := sh.conc[key]
	for t, end := range slots {
		if end <= now {
			delete(slots, t)
		}
	}
	if int64(len(slots)) >= max {
		return Lease{Active: int64(len(slots))}, nil
	}
	if slots == nil {
		slots = map[string]int64{}
		sh.conc[key] = slots
	}
	token := "m" + strconv.FormatUint(m.tokens.Add(1), 36)
	slots[token] = now + int64(lease)
	return Lease{Acquired: true, Token: token, Active: int64(len(slots))}, nil
}

// Release implements Store.
func (m *Memory) Release(_ context.Context, key, token string) error {
	sh := m.lock(key, time.Now().UnixNano())
	defer sh.mu.Unlock()
	if slots, ok := sh.conc[key]; ok {
		delete(slots, token)
		if len(slots) == 0 {
			delete(sh.conc, key)
		}
	}
	return nil
}

// compile-time check that Memory implements Store.
var _ Store = (*Memory)(nil)
