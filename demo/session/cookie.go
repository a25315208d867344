package session

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/sealbridge/sealbridge/demo/apierr"
)

// Sessions issues and reads the session cookie.
type Sessions struct {
	Store  Store
	Secure bool          // set Secure and use the __Host- prefix (TLS deployments)
	MaxAge time.Duration // cookie and session lifetime; 0 means 8 hours
	// Now is the clock seam; nil means time.Now.
	Now func() time.Time
}

type ctxKey struct{}

// CookieName is the session cookie's name: __Host-sealbridge when Secure
// (bound to the exact origin, no Domain, Path=/), sealbridge otherwise,
// since browsers refuse __Host- cookies without Secure.
func (m *Sessions) CookieName() string {
	if m.Secure {
		return "__Host-sealbridge"
	}
	return "sealbridge"
}

func (m *Sessions) clock() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Sessions) maxAge() time.Duration {
	if m.MaxAge > 0 {
		return m.MaxAge
	}
	return 8 * time.Hour
}

// Lookup returns the request's live session, or nil (also when the store
// cannot be reached: use Find where that must show).
func (m *Sessions) Lookup(r *http.Request) *Session {
	s, _ := m.Find(r)
	return s
}

// Find returns the request's live session; nil and no error when there is
// none; an error wrapping ErrUnavailable when the store cannot be reached.
func (m *Sessions) Find(r *http.Request) (*Session, error) {
	c, err := r.Cookie(m.CookieName())
	if err != nil || c.Value == "" {
		return nil, nil
	}
	s, err := m.Store.Get(r.Context(), c.Value)
	if errors.Is(err, ErrNoSession) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if m.clock().Sub(s.Created) > m.maxAge() {
		_ = m.Store.Delete(r.Context(), s.ID)
		return nil, nil
	}
	return s, nil
}

// SignIn starts a fresh session for user and sets its cookie. The id is
// always new, even when the request carried a live session, so that whoever
// planted or learnt an earlier cookie (session fixation) gets nothing. The
// session the request carried, if any, is ended and returned, so that the
// caller can revoke the provider tokens it held.
func (m *Sessions) SignIn(w http.ResponseWriter, r *http.Request, user string) (s, ended *Session, err error) {
	ended, err = m.Find(r)
	if err != nil {
		return nil, nil, err
	}
	s = &Session{ID: NewID(), Created: m.clock(), User: user}
	if err := m.Store.Create(r.Context(), s); err != nil {
		return nil, nil, err
	}
	if ended != nil {
		_ = m.Store.Delete(r.Context(), ended.ID)
	}
	m.setCookie(w, s.ID)
	return s, ended, nil
}

// Rotate gives the session a fresh id (at login, against fixation) and
// sets the new cookie. The old id stops working.
func (m *Sessions) Rotate(w http.ResponseWriter, r *http.Request, old *Session) (*Session, error) {
	ctx := r.Context()
	cur, err := m.Store.Get(ctx, old.ID)
	if err != nil {
		return nil, err
	}
	cur.ID = NewID()
	if err := m.Store.Create(ctx, cur); err != nil {
		return nil, err
	}
	_ = m.Store.Delete(ctx, old.ID)
	m.setCookie(w, cur.ID)
	return cur, nil
}

// End deletes the session and clears its cookie.
func (m *Sessions) End(w http.ResponseWriter, r *http.Request, s *Session) {
	_ = m.Store.Delete(r.Context(), s.ID)
	http.SetCookie(w, m.cookie("", -1))
}

func (m *Sessions) setCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, m.cookie(id, int(m.maxAge().Seconds())))
}

func (m *Sessions) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     m.CookieName(),
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   m.Secure,
		// Lax, not Strict: the OAuth provider's redirect back to
		// /auth/callback is a cross-site top-level navigation and must
		// carry the cookie. State-changing endpoints are POSTs behind
		// CSRF checks, which Lax already keeps cross-site cookies off.
		SameSite: http.SameSiteLaxMode,
	}
}

// Require is middleware that answers 401 when the request has no session,
// 503 session_store_unavailable when the store cannot be reached, and
// otherwise puts the session in the request context (see From).
func (m *Sessions) Require(unauthenticated http.Handler, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Find(r)
		if err != nil {
			WriteUnavailable(w)
			return
		}
		if s == nil {
			unauthenticated.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), s)))
	})
}

// NewContext returns a copy of ctx carrying s, as Require does; From reads
// it back. Handlers mounted without Require (and tests) use it.
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// From returns the session that Require put in ctx, or nil.
func From(ctx context.Context) *Session {
	s, _ := ctx.Value(ctxKey{}).(*Session)
	return s
}

// UnavailableMessage is what a caller reads when the store is down.
const UnavailableMessage = "the session store cannot be reached (Redis down or too slow); nothing was changed: retry in a few seconds"

// WriteUnavailable answers 503 session_store_unavailable with Retry-After.
func WriteUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	apierr.Write(w, http.StatusServiceUnavailable, apierr.SessionStoreUnavailable, UnavailableMessage)
}
