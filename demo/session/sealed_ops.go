package session

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// updateAttempts bounds Update's optimistic retries: each retry means
// another writer saved in between, so running out means sustained
// contention on one session, which the caller sees as an outage.
const updateAttempts = 32

// load reads and opens the session behind t. An expired one is removed.
func (s *Sealed) load(ctx context.Context, t ticket) (*Session, []byte, time.Time, time.Duration, error) {
	blob, left, err := s.b.Load(ctx, s.sessionKey(t))
	if errors.Is(err, errNotFound) {
		return nil, nil, time.Time{}, 0, ErrNoSession
	}
	if err != nil {
		return nil, nil, time.Time{}, 0, unavailable(err)
	}
	sess, deadline, err := t.open(blob)
	if err != nil {
		return nil, nil, time.Time{}, 0, err
	}
	if s.ttl(deadline) <= 0 {
		_ = s.b.Remove(ctx, s.sessionKey(t))
		return nil, nil, time.Time{}, 0, ErrNoSession
	}
	return sess, blob, deadline, left, nil
}

// Get implements Store. It slides the idle timeout, writing only when the
// time left has fallen noticeably below it, so that reads stay reads.
func (s *Sealed) Get(ctx context.Context, id string) (*Session, error) {
	t, ok := parseID(id)
	if !ok {
		return nil, ErrNoSession
	}
	sess, _, deadline, left, err := s.load(ctx, t)
	if err != nil {
		return nil, err
	}
	if want := s.ttl(deadline); want-left > s.opt.IdleTimeout/16 {
		if err := s.b.Touch(ctx, s.sessionKey(t), want); err != nil {
			return nil, unavailable(err)
		}
	}
	sess.ID = id
	return sess, nil
}

// Update implements Store: read, run fn, and save only if the stored
// bytes are still those read (a compare-and-set on the whole sealed value,
// whose fresh nonce makes every write unique); otherwise start again.
func (s *Sealed) Update(ctx context.Context, id string, fn func(*Session) error) error {
	t, ok := parseID(id)
	if !ok {
		return ErrNoSession
	}
	for range updateAttempts {
		sess, old, deadline, _, err := s.load(ctx, t)
		if err != nil {
			return err
		}
		sess.ID = id
		if err := fn(sess); err != nil {
			return err
		}
		sess.ID = id // fn may not move the session to another id
		blob, err := t.seal(sess, deadline)
		if err != nil {
			return err
		}
		swapped, err := s.b.Swap(ctx, s.sessionKey(t), old, Item{Value: blob, TTL: s.ttl(deadline), SignedIn: signedIn(sess)})
		if err != nil {
			return unavailable(err)
		}
		if swapped {
			return nil
		}
		if err := pause(ctx, time.Duration(rand.IntN(5))*time.Millisecond); err != nil {
			return unavailable(err)
		}
	}
	return unavailable(errors.New("session: too many concurrent updates"))
}

// Delete implements Store.
func (s *Sealed) Delete(ctx context.Context, id string) error {
	t, ok := parseID(id)
	if !ok {
		return nil
	}
	return unavailable0(s.b.Remove(ctx, s.sessionKey(t)))
}

// Lock implements Store: SET NX with a random token, polled with a short
// jittered back-off until ctx ends; released by compare-and-delete, so a
// holder that outlived hold cannot release the next holder's lock.
func (s *Sealed) Lock(ctx context.Context, name string, hold time.Duration) (func(), error) {
	key, token := s.hashedKey("lock", name), randomText()
	wait := 5 * time.Millisecond
	for {
		ok, err := s.b.TryLock(ctx, key, token, hold)
		if err != nil && ctx.Err() != nil {
			return nil, ErrLockTimeout // the wait ran out during the call
		}
		if err != nil {
			return nil, unavailable(err)
		}
		if ok {
			return func() {
				// Detached: the caller's context may be done by now.
				c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_ = s.b.Unlock(c, key, token)
			}, nil
		}
		if pause(ctx, wait+time.Duration(rand.Int64N(int64(wait)))) != nil {
			return nil, ErrLockTimeout
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
}

// Hit implements Store.
func (s *Sealed) Hit(ctx context.Context, name string, window time.Duration) (int64, time.Duration, error) {
	n, left, err := s.b.Incr(ctx, s.hashedKey("rate", name), window)
	if err != nil {
		return 0, 0, unavailable(err)
	}
	return n, left, nil
}

// Ping implements Store.
func (s *Sealed) Ping(ctx context.Context) error { return unavailable0(s.b.Ping(ctx)) }

func unavailable0(err error) error {
	if err == nil {
		return nil
	}
	return unavailable(err)
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
