package session

import (
	"bytes"
	"container/list"
	"context"
	"sync"
	"time"
)

// MemoryBackend keeps sealed sessions, locks and counters in process
// memory: the default, for `make demo` and a single instance. It holds at
// most max sessions; when full it drops the least recently used anonymous
// session, and when every session is signed in it refuses the newcomer
// (ErrStoreFull) rather than sign anyone out: no flood evicts a user.
type MemoryBackend struct {
	mu       sync.Mutex
	max      int
	now      func() time.Time
	sessions map[string]*list.Element
	anon     *list.List // least recently used at the back
	signedIn *list.List
	locks    map[string]memoryValue
	counters map[string]memoryCounter
}

type memoryEntry struct {
	key  string
	item Item
	exp  time.Time
}

type memoryValue struct {
	token string
	exp   time.Time
}

type memoryCounter struct {
	n   int64
	exp time.Time
}

// maxSideEntries bounds the lock and counter maps: past it, expired
// entries are swept, and if none had expired, the one expiring soonest
// makes room.
const maxSideEntries = 100_000

// NewMemoryBackend returns an empty backend holding at most max sessions
// (max <= 0 means 10000).
func NewMemoryBackend(max int) *MemoryBackend {
	if max <= 0 {
		max = 10000
	}
	return &MemoryBackend{
		max: max, now: time.Now, sessions: map[string]*list.Element{},
		anon: list.New(), signedIn: list.New(),
		locks: map[string]memoryValue{}, counters: map[string]memoryCounter{},
	}
}

func (m *MemoryBackend) lru(signedIn bool) *list.List {
	if signedIn {
		return m.signedIn
	}
	return m.anon
}

// live returns key's entry unless it is missing or expired (then dropped).
func (m *MemoryBackend) live(key string) (*list.Element, *memoryEntry) {
	el, ok := m.sessions[key]
	if !ok {
		return nil, nil
	}
	e := el.Value.(*memoryEntry)
	if !m.now().Before(e.exp) {
		m.drop(el)
		return nil, nil
	}
	return el, e
}

func (m *MemoryBackend) drop(el *list.Element) {
	e := el.Value.(*memoryEntry)
	m.lru(e.item.SignedIn).Remove(el)
	delete(m.sessions, e.key)
}

// put stores item under key, replacing what key held.
func (m *MemoryBackend) put(key string, item Item) {
	if el, ok := m.sessions[key]; ok {
		m.drop(el)
	}
	item.Value = bytes.Clone(item.Value)
	e := &memoryEntry{key: key, item: item, exp: m.now().Add(item.TTL)}
	m.sessions[key] = m.lru(item.SignedIn).PushFront(e)
}

// Add implements Backend.
func (m *MemoryBackend) Add(_ context.Context, key string, item Item) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, _ := m.live(key); el != nil {
		return false, nil
	}
	if err := m.makeRoom(); err != nil {
		return false, err
	}
	m.put(key, item)
	return true, nil
}

// makeRoom frees a slot for a new session: an expired one, else the least
// recently used anonymous one; never a live signed-in one.
func (m *MemoryBackend) makeRoom() error {
	if len(m.sessions) < m.max {
		return nil
	}
	for _, l := range []*list.List{m.anon, m.signedIn} {
		for el := l.Back(); el != nil; {
			prev := el.Prev()
			if e := el.Value.(*memoryEntry); !m.now().Before(e.exp) {
				m.drop(el)
			}
			el = prev
		}
	}
	if len(m.sessions) < m.max {
		return nil
	}
	if victim := m.anon.Back(); victim != nil {
		m.drop(victim)
		return nil
	}
	return ErrStoreFull
}

// Load implements Backend.
func (m *MemoryBackend) Load(_ context.Context, key string) ([]byte, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, e := m.live(key)
	if el == nil {
		return nil, 0, errNotFound
	}
	m.lru(e.item.SignedIn).MoveToFront(el)
	return bytes.Clone(e.item.Value), e.exp.Sub(m.now()), nil
}

// Swap implements Backend.
func (m *MemoryBackend) Swap(_ context.Context, key string, old []byte, item Item) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, e := m.live(key)
	if el == nil || !bytes.Equal(e.item.Value, old) {
		return false, nil
	}
	m.put(key, item)
	return true, nil
}

// Touch implements Backend.
func (m *MemoryBackend) Touch(_ context.Context, key string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, e := m.live(key); e != nil {
		e.exp = m.now().Add(ttl)
	}
	return nil
}

// Remove implements Backend.
func (m *MemoryBackend) Remove(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.sessions[key]; ok {
		m.drop(el)
	}
	return nil
}
