package session

import (
	"context"
	"errors"
	"sync"
)

// ErrNoSession is returned by a Store for an unknown or expired id.
var ErrNoSession = errors.New("session: no such session")

// Store keeps sessions. Implementations must be safe for concurrent use.
// Update runs fn on the stored session under the store's lock for that id,
// so read-modify-write cycles (a refresh-token rotation, a single-use state)
// cannot interleave.
type Store interface {
	Create(ctx context.Context, s *Session) error
	Get(ctx context.Context, id string) (*Session, error) // a copy
	Update(ctx context.Context, id string, fn func(*Session) error) error
	Delete(ctx context.Context, id string) error
}

// MemoryStore is the default Store: a map under a mutex. Sessions are lost
// when the process exits, which suits a dev server.
type MemoryStore struct {
	mu       sync.Mutex
	sessions map[string]*Session
	max      int
}

// NewMemoryStore returns an empty store that holds at most max sessions
// (oldest dropped first); max <= 0 means 10000.
func NewMemoryStore(max int) *MemoryStore {
	if max <= 0 {
		max = 10000
	}
	return &MemoryStore{sessions: map[string]*Session{}, max: max}
}

func (m *MemoryStore) Create(_ context.Context, s *Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sessions) >= m.max {
		m.evictOldest()
	}
	c := *s
	m.sessions[s.ID] = &c
	return nil
}

func (m *MemoryStore) Get(_ context.Context, id string) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return nil, ErrNoSession
	}
	c := *s
	return &c, nil
}

func (m *MemoryStore) Update(_ context.Context, id string, fn func(*Session) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return ErrNoSession
	}
	c := *s
	if err := fn(&c); err != nil {
		return err
	}
	m.sessions[id] = &c
	return nil
}

func (m *MemoryStore) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, id)
	return nil
}

func (m *MemoryStore) evictOldest() {
	var oldest *Session
	for _, s := range m.sessions {
		if oldest == nil || s.Created.Before(oldest.Created) {
			oldest = s
		}
	}
	if oldest != nil {
		delete(m.sessions, oldest.ID)
	}
}
