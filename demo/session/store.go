package session

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// ErrNoSession is returned by a Store for an unknown, expired or forged id.
var ErrNoSession = errors.New("session: no such session")

// ErrUnavailable wraps every failure to reach the store's backend (Redis
// down, a timeout): the caller answers 503 session_store_unavailable
// rather than treating the browser as signed out.
var ErrUnavailable = errors.New("session store unavailable")

// ErrStoreFull is returned by Create when the in-memory store holds its
// maximum of signed-in sessions: it refuses the newcomer rather than sign
// anyone out. Redis has no such bound (size it; see the README).
var ErrStoreFull = errors.New("session: the session store is full; try again later")

// ErrLockTimeout is returned by Store.Lock when the lock stayed taken for
// the whole wait.
var ErrLockTimeout = errors.New("session: lock still held by another caller")

// Store keeps sessions, sealed, and the two other pieces of state that
// several dev-server instances must share: locks and rate-limit counters.
// Implementations must be safe for concurrent use, in one process and (for
// a shared backend) across processes.
//
// A session id is the cookie value: a public key half and a secret half
// (see Sealed). The store keeps only the key half in clear; without the
// cookie, nothing it holds can be read.
type Store interface {
	// Create stores s under s.ID, which must be new (NewID makes one).
	Create(ctx context.Context, s *Session) error
	// Get returns a copy of the session, or ErrNoSession.
	Get(ctx context.Context, id string) (*Session, error)
	// Update runs fn on the current session and saves what fn leaves,
	// atomically: if another caller (or another process) saved in between,
	// fn runs again on the newer session. An error from fn is returned
	// and nothing is saved.
	Update(ctx context.Context, id string, fn func(*Session) error) error
	// Delete removes the session; deleting a missing one is no error.
	Delete(ctx context.Context, id string) error
	// Lock takes the lock called name, waiting until ctx ends; it is
	// released by the returned func, or by itself after hold.
	Lock(ctx context.Context, name string, hold time.Duration) (release func(), err error)
	// Hit counts one event against name in a fixed window that starts at
	// the first hit. It returns the count so far and how long until the
	// window ends.
	Hit(ctx context.Context, name string, window time.Duration) (count int64, reset time.Duration, err error)
	// Ping reports whether the store can be reached (for /readyz).
	Ping(ctx context.Context) error
}

// OverLimit counts one event against name in window (Store.Hit) and
// reports whether the count has gone past max; when it has, retryAfter is
// the whole seconds until the window ends, for a Retry-After header. The
// one rate-limit rule for sign-ins and one-time-password tries.
func OverLimit(ctx context.Context, s Store, name string, max int, window time.Duration) (retryAfter string, over bool, err error) {
	n, reset, err := s.Hit(ctx, name, window)
	if err != nil || n <= int64(max) {
		return "", false, err
	}
	return strconv.Itoa(int((reset + time.Second - 1) / time.Second)), true, nil
}
