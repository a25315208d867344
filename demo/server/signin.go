package server

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/oauth"
	"github.com/sealbridge/sealbridge/demo/session"
	"github.com/sealbridge/sealbridge/internal/strictdecode"
)

// signInUsers maps the names POST /api/session accepts to the app's user
// ids, which own customers and invoices (checkout.DemoOwnership). The demo
// knows one user and asks for no password: it stands for the integrator's
// own authentication, which replaces this handler.
var signInUsers = map[string]string{"demo": "demo-user"}

// signIn serves /api/session: the demo app's own sign-in. Nothing else in
// the server creates a session, so a page load, or a flood of them,
// leaves no server-side state.
type signIn struct {
	sessions *session.Sessions
	flows    *oauth.Flows // nil without provider sign-in: nothing to revoke
	log      *slog.Logger
	// address names the caller for the per-address limit (clientAddress).
	address func(*http.Request) string
}

// Sign-ins per client address and window: each makes a session that lives
// for hours, so a loop of them would fill the store (which refuses new
// sign-ins when full rather than evict anyone). Counted in the store, so
// across every instance.
const (
	signInsPerAddress = 100
	signInWindow      = 15 * time.Minute
)

// sessionState is what GET, POST and DELETE /api/session answer.
type sessionState struct {
	SignedIn bool   `json:"signedIn"`
	User     string `json:"user,omitempty"`
}

// mount registers the routes, behind the CSRF checks for the unsafe
// methods; they are outside protect(), which would need the very session
// they make.
func (si *signIn) mount(mux *http.ServeMux, forbidden http.Handler) {
	mux.HandleFunc("GET /api/session", si.state)
	mux.Handle("POST /api/session", csrf(forbidden, http.HandlerFunc(si.signIn)))
	mux.Handle("DELETE /api/session", csrf(forbidden, http.HandlerFunc(si.signOut)))
}

// state serves GET /api/session: whether this browser is signed in, and
// as whom. It reads and never creates.
func (si *signIn) state(w http.ResponseWriter, r *http.Request) {
	sess, err := si.sessions.Find(r)
	if err != nil {
		session.WriteUnavailable(w)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if sess == nil {
		writeJSON(w, http.StatusOK, sessionState{})
		return
	}
	writeJSON(w, http.StatusOK, sessionState{SignedIn: true, User: signInName(sess.User)})
}

// signIn serves POST /api/session {"user":"demo"}: a fresh session (a new
// id even when the browser had one, against fixation) and its cookie. A
// session the browser had is ended and its provider tokens revoked.
func (si *signIn) signIn(w http.ResponseWriter, r *http.Request) {
	name, ok := readSignIn(w, r)
	if !ok || si.limited(w, r) {
		return
	}
	sess, ended, err := si.sessions.SignIn(w, r, signInUsers[name])
	switch {
	case errors.Is(err, session.ErrStoreFull):
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusServiceUnavailable, apierr.SessionStoreUnavailable, "the session store is full of signed-in users; try again later")
		return
	case err != nil:
		session.WriteUnavailable(w)
		return
	}
	if ended != nil {
		si.revoke(r, ended)
	}
	si.log.Info("signed in", "user", sess.User)
	writeJSON(w, http.StatusOK, sessionState{SignedIn: true, User: name})
}

// signOut serves DELETE /api/session: the session and its cookie go, then
// the provider's refresh token is revoked (RFC 7009). A revocation that
// fails is logged and does not keep anyone signed in.
func (si *signIn) signOut(w http.ResponseWriter, r *http.Request) {
	sess, err := si.sessions.Find(r)
	if err != nil {
		session.WriteUnavailable(w)
		return
	}
	if sess != nil {
		si.sessions.End(w, r, sess)
		si.revoke(r, sess)
		si.log.Info("signed out", "user", sess.User)
	}
	writeJSON(w, http.StatusOK, sessionState{})
}

// limited counts one sign-in from the request's address and, past the
// limit, answers 429 rate_limited with Retry-After.
func (si *signIn) limited(w http.ResponseWriter, r *http.Request) bool {
	retryAfter, over, err := session.OverLimit(r.Context(), si.sessions.Store, "signin-address:"+si.address(r), signInsPerAddress, signInWindow)
	if err != nil {
		session.WriteUnavailable(w)
		return true
	}
	if !over {
		return false
	}
	si.log.Warn("sign-in rate limited")
	w.Header().Set("Retry-After", retryAfter)
	writeError(w, http.StatusTooManyRequests, apierr.RateLimited, "too many sign-ins from this address; wait and try again")
	return true
}

func (si *signIn) revoke(r *http.Request, ended *session.Session) {
	if si.flows != nil && ended.Provider != nil {
		_ = si.flows.Revoke(r.Context(), ended.Provider) // logs its own failure
	}
}

// readSignIn reads {"user": NAME} under the strict-JSON rules and checks
// that NAME is a known user; otherwise it answers 400 or 415 and ok is
// false.
func readSignIn(w http.ResponseWriter, r *http.Request) (name string, ok bool) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, apierr.UnsupportedMedia, `send the body as application/json: {"user":"demo"}`)
		return "", false
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<10))
	var req struct {
		User string `json:"user"`
	}
	if err == nil {
		err = strictdecode.Unmarshal(raw, &req)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, apierr.InvalidArgument, `the body must be one JSON object with one member, "user": {"user":"demo"}`)
		return "", false
	}
	if _, known := signInUsers[req.User]; !known {
		writeError(w, http.StatusBadRequest, apierr.InvalidArgument, `"user" must name a demo user: `+strings.Join(knownSignInNames(), ", "))
		return "", false
	}
	return req.User, true
}

func knownSignInNames() []string {
	var names []string
	for n := range signInUsers {
		names = append(names, `"`+n+`"`)
	}
	slices.Sort(names)
	return names
}

// signInName is the name a user id signed in with.
func signInName(user string) string {
	for name, id := range signInUsers {
		if id == user {
			return name
		}
	}
	return user
}
