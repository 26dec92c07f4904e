package cache

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// entryOverhead is the number of bytes charged to each entry beyond its key
// and value, for the bookkeeping around it.
const entryOverhead = 64

// Memory is a Store kept in this process: least recently used entries are
// evicted when the bytes held would exceed the budget, and expired entries
// are dropped when met. The zero value is not usable; call NewMemory.
type Memory struct {
	mu       sync.Mutex
	maxBytes int64
	used     int64
	lru      list.List // of *entry, most recently used first
	items    map[string]*list.Element
}

// entry is one cached value.
type entry struct {
	key     string
	value   []byte
	expires int64 // Unix ns
}

// size returns the bytes charged for e.
func (e *entry) size() int64 { return int64(len(e.key)+len(e.value)) + entryOverhead }

// NewMemory returns an empty cache that holds at most maxBytes bytes of keys,
// values and per-entry overhead.
func NewMemory(maxBytes int64) *Memory {
	return &Memory{maxBytes: maxBytes, items: map[string]*list.Element{}}
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	now := time.Now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if !ok {
		return nil, false, nil
	}
	e := el.Value.(*entry)
	if e.expires <= now {
		m.remove(el)
		return nil, false, nil
	}
	m.lru.MoveToFront(el)
	return e.value, true, nil
}

// Set implements Store. The value is copied. A value too large for the
// budget is not stored (and any previous value under key is removed).
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	now := time.Now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.remove(el)
	}
	e := &entry{key: key, expires: now + int64(ttl)}
	if ttl <= 0 || int64(len(key)+len(value))+entryOverhead > m.maxBytes {
		return nil
	}
	e.value = append([]byte(nil), value...)
	m.items[key] = m.lru.PushFront(e)
	m.used += e.size()
	for m.used > m.maxBytes {
		m.remove(m.lru.Back())
	}
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.remove(el)
	}
	return nil
}

// Len returns the number of entries held, expired ones included until they
// are met or evicted.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Bytes returns the bytes charged for the entries held.
func (m *Memory) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used
}

// remove drops el; the caller holds m.mu.
func (m *Memory) remove(el *list.Element) {
	e := m.lru.Remove(el).(*entry)
	delete(m.items, e.key)
	m.used -= e.size()
}

// compile-time check that Memory implements Store.
var _ Store = (*Memory)(nil)
