package session

import (
	"context"
	"time"
)

// TryLock implements Backend.
func (m *MemoryBackend) TryLock(_ context.Context, key, token string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if v, ok := m.locks[key]; ok && now.Before(v.exp) {
		return false, nil
	}
	if len(m.locks) >= maxSideEntries {
		sweep(m.locks, now, func(v memoryValue) time.Time { return v.exp })
	}
	m.locks[key] = memoryValue{token: token, exp: now.Add(ttl)}
	return true, nil
}

// Unlock implements Backend.
func (m *MemoryBackend) Unlock(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.locks[key]; ok && v.token == token {
		delete(m.locks, key)
	}
	return nil
}

// Incr implements Backend.
func (m *MemoryBackend) Incr(_ context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	c, ok := m.counters[key]
	if !ok || !now.Before(c.exp) {
		if len(m.counters) >= maxSideEntries {
			sweep(m.counters, now, func(c memoryCounter) time.Time { return c.exp })
		}
		c = memoryCounter{exp: now.Add(window)}
	}
	c.n++
	m.counters[key] = c
	return c.n, c.exp.Sub(now), nil
}

// Ping implements Backend: memory is always there.
func (m *MemoryBackend) Ping(context.Context) error { return nil }

// Close implements Backend.
func (m *MemoryBackend) Close() error { return nil }

// Dump returns a copy of every live session's sealed bytes (for tests that
// check a dump reveals nothing).
func (m *MemoryBackend) Dump() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out [][]byte
	for _, el := range m.sessions {
		out = append(out, append([]byte(nil), el.Value.(*memoryEntry).item.Value...))
	}
	return out
}

// sweep drops m's expired entries; if none had expired, it drops the one
// that expires soonest, so the map never grows past its bound.
func sweep[V any](m map[string]V, now time.Time, exp func(V) time.Time) {
	var soonest string
	var soonestExp time.Time
	for k, v := range m {
		e := exp(v)
		if !now.Before(e) {
			delete(m, k)
			continue
		}
		if soonest == "" || e.Before(soonestExp) {
			soonest, soonestExp = k, e
		}
	}
	if len(m) >= maxSideEntries && soonest != "" {
		delete(m, soonest)
	}
}
