package session

import (
	"context"
	"net/http"
	"time"
)

// Sessions issues and reads the session cookie.
type Sessions struct {
	Store  Store
	Secure bool          // set Secure and use the __Host- prefix (TLS deployments)
	MaxAge time.Duration // cookie and session lifetime; 0 means 8 hours
	// NewUser names the user a fresh session belongs to; nil means "demo-user".
	NewUser func() string
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

// Lookup returns the request's live session, or nil.
func (m *Sessions) Lookup(r *http.Request) *Session {
	c, err := r.Cookie(m.CookieName())
	if err != nil || c.Value == "" {
		return nil
	}
	s, err := m.Store.Get(r.Context(), c.Value)
	if err != nil {
		return nil
	}
	if m.clock().Sub(s.Created) > m.maxAge() {
		_ = m.Store.Delete(r.Context(), s.ID)
		return nil
	}
	return s
}

// Ensure returns the request's session, creating one (and setting its
// cookie) when there is none. The demo page calls it on load, which is what
// "loading the page signs you in" means in the demo.
func (m *Sessions) Ensure(w http.ResponseWriter, r *http.Request) (*Session, error) {
	if s := m.Lookup(r); s != nil {
		return s, nil
	}
	user := "demo-user"
	if m.NewUser != nil {
		user = m.NewUser()
	}
	s := &Session{ID: newID(), Created: m.clock(), User: user}
	if err := m.Store.Create(r.Context(), s); err != nil {
		return nil, err
	}
	m.setCookie(w, s.ID)
	return s, nil
}

// Rotate gives the session a fresh id (at login, against fixation) and
// sets the new cookie. The old id stops working.
func (m *Sessions) Rotate(w http.ResponseWriter, r *http.Request, old *Session) (*Session, error) {
	ctx := r.Context()
	cur, err := m.Store.Get(ctx, old.ID)
	if err != nil {
		return nil, err
	}
	cur.ID = newID()
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
// and otherwise puts the session in the request context (see From).
func (m *Sessions) Require(unauthenticated http.Handler, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Lookup(r)
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
