package server

import (
	"context"
	"net/http"
	"time"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/session"
)

// readyTimeout bounds /readyz's store check: a load balancer's probe must
// get an answer, not hang with the store.
const readyTimeout = 2 * time.Second

// handleHealthz is GET /healthz: the process is alive and serving.
func (s *Server) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// handleReadyz is GET /readyz: the session store answers, so this
// instance can serve signed-in users. 503 session_store_unavailable
// otherwise: take the instance out of rotation.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.cfg.Logger.Warn("readyz: session store unavailable", "error", err)
		session.WriteUnavailable(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// storeDownKey marks a request whose session lookup found the store down.
type storeDownKey struct{}

// findSession looks the caller's session up once for the intermediary:
// the session goes into the context for Authenticate, and a store outage
// is marked so that VerifyCaller answers it as 503 (see storeCheck)
// instead of 401, which would tell the page it is signed out.
func (s *Server) findSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.sessions.Find(r)
		ctx := r.Context()
		switch {
		case err != nil:
			s.cfg.Logger.Warn("session store unavailable", "error", err)
			ctx = context.WithValue(ctx, storeDownKey{}, true)
		case sess != nil:
			ctx = session.NewContext(ctx, sess)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// authenticated is the intermediary's Authenticate: a session was found,
// or the store is down, which storeCheck then reports.
func authenticated(r *http.Request) bool {
	down, _ := r.Context().Value(storeDownKey{}).(bool)
	return down || session.From(r.Context()) != nil
}

// storeCheck is the intermediary's VerifyCaller: a session lookup that
// found the store down is a 503, not a signed-out caller.
func storeCheck(r *http.Request) error {
	if down, _ := r.Context().Value(storeDownKey{}).(bool); down {
		return apierr.ErrStoreUnavailable
	}
	return nil
}

// sessionUser is the user of the request's session, "" without one.
func sessionUser(r *http.Request) string {
	if sess := session.From(r.Context()); sess != nil {
		return sess.User
	}
	return ""
}
