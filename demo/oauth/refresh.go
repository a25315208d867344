package oauth

import (
	"context"
	"errors"
	"time"

	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/session"
)

// Why not oauth2.ReuseTokenSource: it serialises refreshes per TokenSource
// instance only, and a handler builds one per request from the session, so
// concurrent requests would each refresh; and it has no hook to persist
// the rotated refresh token before the new access token is used
// (golang/oauth2 issue #84, PR #672). With rotation, two refreshes with
// the same refresh token look like theft to the provider (RFC 9700
// §4.14.2) and revoke the whole login. So: one flight per session id, and
// the flight saves the rotated token in the Store before anyone gets the
// new access token. x/oauth2 still makes the refresh request itself.
//
// Across instances (a shared Redis store), the flight also takes the
// store's lock for the session, so that one instance in the whole
// deployment refreshes; the others wait for it, reload the session, and
// find the new tokens there.

// refreshTimeout bounds one refresh. The flight runs detached from the
// request that started it: if that browser gives up after the provider has
// rotated the token, the new refresh token must still be saved, or the
// next refresh would present the spent one and lose the login.
const refreshTimeout = 30 * time.Second

// refreshLockWait bounds the wait for another instance's refresh of the
// same session; refreshLockHold outlives any refresh (refreshTimeout), so
// the lock is never lost while its holder still works.
const (
	refreshLockWait = 20 * time.Second
	refreshLockHold = refreshTimeout + 5*time.Second
)

type refreshFlight struct {
	done chan struct{}
	tok  *session.ProviderTokens
	err  *flowError
}

// accessToken returns usable provider tokens for session id: the stored
// ones while fresh, else refreshed ones. stale names an access token the
// provider just refused (401): it is renewed even if it looks fresh.
func (f *Flows) accessToken(ctx context.Context, id, stale string) (*session.ProviderTokens, *flowError) {
	sess, err := f.sessions.Store.Get(ctx, id)
	if err != nil {
		return nil, sessionError(err)
	}
	if sess.Provider == nil {
		return nil, errNotSignedIn
	}
	if p := sess.Provider; p.AccessToken != stale && f.fresh(p) {
		return p, nil
	}
	return f.refresh(ctx, id, sess.Provider)
}

// refresh joins the session's refresh in flight, or starts one.
func (f *Flows) refresh(ctx context.Context, id string, seen *session.ProviderTokens) (*session.ProviderTokens, *flowError) {
	f.mu.Lock()
	if fl, ok := f.flights[id]; ok {
		f.mu.Unlock()
		select {
		case <-fl.done:
			return fl.tok, fl.err
		case <-ctx.Done():
			return nil, errUpstream("gave up waiting for the provider to renew the token")
		}
	}
	fl := &refreshFlight{done: make(chan struct{})}
	f.flights[id] = fl
	f.mu.Unlock()

	fl.tok, fl.err = f.doRefresh(id, seen)

	f.mu.Lock()
	delete(f.flights, id)
	f.mu.Unlock()
	close(fl.done)
	return fl.tok, fl.err
}

var errConflict = errors.New("oauth: provider tokens changed during refresh")

// doRefresh runs one refresh for session id under the store's lock. It
// re-reads the session once it holds the lock: a refresh that ended
// between our caller's read and now (here or on another instance) has
// already rotated the token, and presenting the old one again would be
// reuse.
func (f *Flows) doRefresh(id string, seen *session.ProviderTokens) (*session.ProviderTokens, *flowError) {
	ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
	defer cancel()
	lockCtx, cancelLock := context.WithTimeout(ctx, refreshLockWait)
	release, err := f.sessions.Store.Lock(lockCtx, "oauth-refresh:"+id, refreshLockHold)
	cancelLock()
	if errors.Is(err, session.ErrLockTimeout) {
		f.log.Warn("oauth: another instance is still renewing this session's tokens")
		return nil, errUpstream("the provider is slow to renew the session; try again")
	}
	if err != nil {
		return nil, sessionError(err)
	}
	defer release()
	sess, err := f.sessions.Store.Get(ctx, id)
	if err != nil {
		return nil, sessionError(err)
	}
	if sess.Provider == nil {
		return nil, errNotSignedIn
	}
	cur := sess.Provider
	if cur.AccessToken != seen.AccessToken && f.fresh(cur) {
		return cur, nil
	}
	if cur.RefreshToken == "" {
		f.endProvider(ctx, id, cur)
		f.log.Info("oauth: access token expired and there is no refresh token")
		return nil, errReauth
	}
	// An expired token makes x/oauth2's TokenSource refresh right away.
	t, err := f.oauth.TokenSource(f.oauthContext(ctx), &oauth2.Token{RefreshToken: cur.RefreshToken}).Token()
	if err != nil {
		if isInvalidGrant(err) {
			f.endProvider(ctx, id, cur)
			f.log.Warn("oauth: refresh refused; provider session ended", "error", err)
			return nil, errReauth
		}
		// 5xx, timeout, unreachable: the refresh token may still be good.
		f.log.Warn("oauth: refresh failed; keeping the current tokens", "error", err)
		return nil, errUpstream("the provider could not renew the session; try again later")
	}
	next := f.providerTokens(t, "", cur)
	err = f.sessions.Store.Update(ctx, id, func(s *session.Session) error {
		if s.Provider == nil || s.Provider.RefreshToken != cur.RefreshToken {
			return errConflict // logged out, or signed in again, meanwhile
		}
		s.Provider = next
		return nil
	})
	if err != nil {
		// Unavailable: the rotated refresh token is lost with this
		// write, and the next refresh will be refused (reauth_required).
		// Nothing safer exists: the provider has already spent the old one.
		f.log.Warn("oauth: could not save refreshed tokens", "error", err)
		return nil, sessionError(err)
	}
	f.log.Info("oauth: tokens refreshed", "user_id", next.UserID)
	return next, nil
}

// endProvider forgets the session's provider tokens, if they are still
// the ones the caller saw. The rest of the session stays.
func (f *Flows) endProvider(ctx context.Context, id string, saw *session.ProviderTokens) {
	_ = f.sessions.Store.Update(ctx, id, func(s *session.Session) error {
		if s.Provider != nil && s.Provider.AccessToken == saw.AccessToken {
			s.Provider = nil
		}
		return nil
	})
}

// setRestricted records the provider's last word on 2FA.
func (f *Flows) setRestricted(ctx context.Context, id string, restricted bool) {
	_ = f.sessions.Store.Update(ctx, id, func(s *session.Session) error {
		if s.Provider != nil && s.Provider.Restricted != restricted {
			c := *s.Provider
			c.Restricted = restricted
			s.Provider = &c
		}
		return nil
	})
}
