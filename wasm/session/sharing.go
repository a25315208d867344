package session

import (
	"context"
	"sync"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// sharing runs a Renewer's renewals under the scope's cross-tab lock and
// shares their tokens, so that one onAccessTokenExpired call serves every
// tab. Its protocol:
//
//  1. A renewal first looks for a fresh token already heard from another
//     tab; then it takes the lock, waiting at most lockTimeout (after that
//     it renews without it: the holder may be frozen).
//  2. A token heard while waiting ends the wait: the lock is let go.
//  3. Holding the lock it looks again; if it had to wait, it asks the
//     others and gives them askGrace to answer.
//  4. Only then does it call the callback, post the new token and release.
type sharing struct {
	tabs        Tabs
	scope       string
	lockTimeout time.Duration
	grace       time.Duration

	mu      sync.Mutex
	latest  string        // the freshest token heard or obtained
	changed chan struct{} // closed and replaced whenever latest changes
}

func newSharing(tabs Tabs, scope string, lockTimeout time.Duration) *sharing {
	return &sharing{tabs: tabs, scope: scope, lockTimeout: duration(lockTimeout, DefaultLockTimeout), grace: askGrace, changed: make(chan struct{})}
}

// renew returns a token to replace stale: one from another tab, or the
// callback's, obtained while holding the lock.
func (s *sharing) renew(ctx context.Context, stale string, r *Renewer) (string, error) {
	if tok, ok := s.fresher(stale, r); ok {
		return tok, nil
	}
	release, waited, tok := s.lock(ctx, stale, r)
	if tok != "" {
		return tok, nil
	}
	defer release()
	if tok, ok := s.fresher(stale, r); ok {
		return tok, nil
	}
	if waited {
		s.tabs.Post(Message{Kind: AskMessage})
		if tok, ok := s.await(ctx, stale, r, s.grace); ok {
			return tok, nil
		}
	}
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	tok, err := r.renew(cctx)
	if err != nil && cctx.Err() != nil {
		return "", sberr.Wrap(err, sberr.Timeout, "onAccessTokenExpired did not settle within %s; make it resolve with a fresh token sooner", r.timeout)
	}
	if err == nil && s.sameScope(tok) {
		s.publish(tok)
	}
	return tok, err
}

// lock takes the scope's lock, or returns a fresh token heard meanwhile.
// After lockTimeout it gives up and returns a no-op release: the caller
// renews on its own.
func (s *sharing) lock(ctx context.Context, stale string, r *Renewer) (release func(), waited bool, tok string) {
	type grant struct {
		release func()
		waited  bool
		err     error
	}
	lctx, cancel := context.WithTimeout(ctx, s.lockTimeout)
	ch := make(chan grant, 1)
	go func() {
		rel, w, err := s.tabs.Lock(lctx)
		ch <- grant{rel, w, err}
	}()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if tok, ok := s.fresher(stale, r); ok {
			cancel()
			go func() { // a grant that races the cancel is let go at once
				if g := <-ch; g.err == nil {
					g.release()
				}
			}()
			return func() {}, true, tok
		}
		select {
		case g := <-ch:
			cancel()
			if g.err != nil {
				return func() {}, true, ""
			}
			return g.release, g.waited, ""
		case <-changed:
		}
	}
}

// await waits up to d for a fresh token from another tab.
func (s *sharing) await(ctx context.Context, stale string, r *Renewer, d time.Duration) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if tok, ok := s.fresher(stale, r); ok {
			return tok, true
		}
		select {
		case <-changed:
		case <-ctx.Done(): // d has passed, or the caller gave up
			return "", false
		}
	}
}

// fresher returns the latest shared token if it can replace stale.
func (s *sharing) fresher(stale string, r *Renewer) (string, bool) {
	s.mu.Lock()
	tok := s.latest
	s.mu.Unlock()
	if tok == "" || tok == stale || !r.usable(tok) {
		return "", false
	}
	return tok, true
}

// remember makes tok the latest if it expires later than the one held.
func (s *sharing) remember(tok string) bool {
	c, err := ParseClaims(tok)
	if err != nil || !s.sameScope(tok) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.latest != "" {
		if old, err := ParseClaims(s.latest); err == nil && !c.ExpiresAt.After(old.ExpiresAt) {
			return false
		}
	}
	s.latest = tok
	close(s.changed)
	s.changed = make(chan struct{})
	return true
}

func (s *sharing) publish(tok string) {
	s.remember(tok)
	s.tabs.Post(Message{Kind: TokenMessage, Token: tok})
}

// receive handles a message from another client of the scope.
func (s *sharing) receive(m Message, r *Renewer) {
	switch m.Kind {
	case TokenMessage:
		if s.remember(m.Token) {
			r.adopt(m.Token)
		}
	case AskMessage:
		if tok := r.offer(); tok != "" {
			s.tabs.Post(Message{Kind: TokenMessage, Token: tok})
		}
	}
}

// latestToken returns the latest shared token.
func (s *sharing) latestToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latest
}
