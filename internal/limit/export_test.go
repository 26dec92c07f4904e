package limit

// MemoryEntries returns the number of entries a Memory store holds.
func MemoryEntries(m *Memory) int {
	n := 0
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		n += len(sh.rates) + len(sh.quotas) + len(sh.conc)
		sh.mu.Unlock()
	}
	return n
}
