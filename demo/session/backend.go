package session

import (
	"context"
	"errors"
	"time"
)

// errNotFound is a Backend's answer for a missing or expired key.
var errNotFound = errors.New("session backend: key not found")

// Item is what a Backend keeps under a key: sealed bytes, their time to
// live, and whether they belong to a signed-in browser (a memory backend
// that must evict evicts anonymous sessions first; the flag is all it
// learns about a session).
type Item struct {
	Value    []byte
	TTL      time.Duration
	SignedIn bool
}

// Backend is where a Sealed store keeps its bytes: MemoryBackend in
// process, RedisBackend across processes. It never sees a session in
// clear; Sealed does all the sealing, so both backends share one code path
// for everything that matters to secrecy.
type Backend interface {
	// Add stores item under key unless the key exists (false then).
	Add(ctx context.Context, key string, item Item) (bool, error)
	// Load returns key's value and the time it has left, or errNotFound.
	Load(ctx context.Context, key string) ([]byte, time.Duration, error)
	// Swap replaces key's value by item only if it still equals old:
	// false when another write came first or the key is gone.
	Swap(ctx context.Context, key string, old []byte, item Item) (bool, error)
	// Touch sets key's time to live; a missing key is no error.
	Touch(ctx context.Context, key string, ttl time.Duration) error
	// Remove deletes key; a missing key is no error.
	Remove(ctx context.Context, key string) error
	// TryLock sets key to token for ttl unless it is set (false then).
	TryLock(ctx context.Context, key, token string, ttl time.Duration) (bool, error)
	// Unlock deletes key only if it still holds token.
	Unlock(ctx context.Context, key, token string) error
	// Incr adds one to the counter at key, which expires window after its
	// first increment, and returns the count and the time it has left.
	Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error)
	// Ping reports whether the backend answers.
	Ping(ctx context.Context) error
	// Close releases connections.
	Close() error
}
