package oauth

import (
	"cmp"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/session"
	"golang.org/x/oauth2"
)

// Start serves GET /auth/start[?return_to=/path]: it remembers a fresh
// state and PKCE verifier in the browser's app session (401
// unauthenticated without one: connecting a provider account needs a
// signed-in user) and
// redirects to the provider's authorization endpoint with the S256
// challenge. The verifier never leaves the server (RFC 9700 §2.1.1).
func (f *Flows) Start(w http.ResponseWriter, r *http.Request) {
	if f.oauth.Endpoint.AuthURL == "" {
		flowsWriteError(w, newFlowError(http.StatusNotFound, apierr.InvalidRequest, "this provider has no authorization-code flow configured; use the password login"))
		return
	}
	sess, err := f.sessions.Find(r)
	if err != nil {
		flowsPage(w, http.StatusServiceUnavailable, apierr.SessionStoreUnavailable, "Sign-in unavailable", session.UnavailableMessage)
		return
	}
	if sess == nil {
		flowsPage(w, http.StatusUnauthorized, apierr.Unauthenticated, "Sign in first", msgNoAppSession)
		return
	}
	p := &session.PendingAuthorization{
		State:    randomState(),
		Verifier: oauth2.GenerateVerifier(), // 32 random bytes, 43 characters (RFC 7636 §4.1)
		ReturnTo: safeReturnTo(r.URL.Query().Get("return_to")),
		Created:  f.now(),
	}
	if err := f.sessions.Store.Update(r.Context(), sess.ID, func(s *session.Session) error {
		s.Pending = p // a newer attempt replaces an older one: only the latest state is accepted
		return nil
	}); err != nil {
		flowsPage(w, http.StatusServiceUnavailable, apierr.SessionStoreUnavailable, "Sign-in unavailable", session.UnavailableMessage)
		return
	}
	f.log.Info("oauth: authorization started")
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, f.oauth.AuthCodeURL(p.State, oauth2.S256ChallengeOption(p.Verifier)), http.StatusFound)
}

// Callback serves GET /auth/callback, where the provider sends the browser
// back. The session's pending attempt is taken out first, so it is single
// use whatever happens next; state, then iss, then the provider's answer
// are checked before the token endpoint is called. On success the tokens go
// into the session, the session gets a new id, and the browser goes to the
// return_to path given to Start, or "/".
func (f *Flows) Callback(w http.ResponseWriter, r *http.Request) {
	sess, p := f.takePending(r)
	q := r.URL.Query()
	if reason, msg := f.checkCallback(p, q); reason != "" {
		f.refuseCallback(w, reason, msg)
		return
	}
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			f.log.Info("oauth: user declined")
			flowsPage(w, http.StatusOK, "access_denied", "Not connected", "You declined to connect your account. Nothing was shared.")
			return
		}
		msg, known := authorizeErrors[e]
		if !known {
			e, msg = "unrecognised", "the provider refused the sign-in; start again"
		}
		// The code only, from a known list: error_description and any
		// other text are the provider's (or whoever crafted the URL).
		f.log.Warn("oauth: provider refused the authorization", "error_code", e)
		flowsPage(w, http.StatusBadRequest, apierr.InvalidRequest, "Sign-in failed", msg)
		return
	}
	code := q.Get("code")
	if code == "" {
		f.refuseCallback(w, "missing_code", "the provider's answer has no authorization code; start again")
		return
	}
	pt, ok := f.exchange(w, r, code, p.Verifier)
	if !ok {
		return
	}
	if err := f.signIn(w, r, sess, pt); err != nil {
		flowsPage(w, http.StatusBadRequest, apierr.ReauthRequired, "Sign-in failed", "your session ended during sign-in; start again")
		return
	}
	f.log.Info("oauth: connected", "grant", "authorization_code", "user_id", pt.UserID)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, cmp.Or(p.ReturnTo, "/"), http.StatusFound)
}

// authorizeErrors are RFC 6749 §4.1.2.1's error codes (but access_denied,
// answered apart) with what the page says for each.
var authorizeErrors = map[string]string{
	"invalid_request":           "the provider refused the sign-in request (invalid_request); start again",
	"unauthorized_client":       "the provider does not let this application sign in this way (unauthorized_client); check its client settings",
	"unsupported_response_type": "the provider does not support this sign-in (unsupported_response_type); check its client settings",
	"invalid_scope":             "the provider refused the scopes asked for (invalid_scope); check the configured scopes",
	"server_error":              "the provider failed during sign-in (server_error); try again later",
	"temporarily_unavailable":   "the provider is unavailable (temporarily_unavailable); try again later",
}

// takePending takes the session's pending attempt out first, so that it is
// single use whatever happens next.
func (f *Flows) takePending(r *http.Request) (*session.Session, *session.PendingAuthorization) {
	sess := f.sessions.Lookup(r)
	var p *session.PendingAuthorization
	if sess != nil {
		_ = f.sessions.Store.Update(r.Context(), sess.ID, func(s *session.Session) error {
			p, s.Pending = s.Pending, nil
			return nil
		})
	}
	return sess, p
}

// checkCallback checks the answer against the pending attempt: no
// repeated parameter, an attempt in progress and young enough, its state,
// and iss. It returns the reason to refuse, and the page's message, or "".
func (f *Flows) checkCallback(p *session.PendingAuthorization, q url.Values) (reason, msg string) {
	for _, k := range []string{"state", "code", "iss", "error"} {
		if len(q[k]) > 1 {
			return "duplicate_parameter", "the provider's answer repeats " + k + "; start again"
		}
	}
	switch {
	case p == nil:
		return "no_pending", "no sign-in is in progress in this browser (it was already completed, or started in another browser); start again"
	case f.now().Sub(p.Created) > f.pendingTTL:
		return "pending_expired", "the sign-in took too long; start again"
	case q.Get("state") == "" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(p.State)) != 1:
		return "state_mismatch", "the sign-in answer does not match the sign-in this browser started (state mismatch); start again"
	}
	// RFC 9207: an answer from another authorization server (mix-up)
	// must not reach our token endpoint.
	if iss, ok := q["iss"]; ok || f.requireIss {
		if !ok || iss[0] != f.issuer {
			return "issuer_mismatch", "the sign-in answer comes from an unexpected provider (iss mismatch); start again"
		}
	}
	return "", ""
}

// exchange trades the code for tokens (with the PKCE verifier) and asks
// the provider, best effort, for the name to show. On failure it has
// written the error page.
func (f *Flows) exchange(w http.ResponseWriter, r *http.Request, code, verifier string) (*session.ProviderTokens, bool) {
	tok, err := f.oauth.Exchange(f.oauthContext(r.Context()), code, oauth2.VerifierOption(verifier))
	if err != nil {
		if isInvalidGrant(err) {
			f.log.Warn("oauth: code exchange refused", "error", err)
			flowsPage(w, http.StatusBadRequest, apierr.InvalidRequest, "Sign-in failed", "the provider did not accept the sign-in (the code was already used or has expired); start again")
			return nil, false
		}
		f.log.Warn("oauth: code exchange failed", "error", err)
		flowsPage(w, http.StatusBadGateway, apierr.UpstreamUnavailable, "Sign-in failed", "the provider could not be reached; try again later")
		return nil, false
	}
	pt := f.providerTokens(tok, "authorization_code", nil)
	// Best effort: the name for "connected as ..."; /api/me asks again.
	var who providerContext
	if res, err := f.send(r.Context(), pt.AccessToken, http.MethodGet, f.paths.Context, nil); err == nil && res.status == http.StatusOK && res.decode(&who) == nil {
		pt.DisplayName = who.Name
		if pt.UserID == "" {
			pt.UserID = who.UserID
		}
	}
	return pt, true
}

func (f *Flows) refuseCallback(w http.ResponseWriter, reason, msg string) {
	f.log.Warn("oauth: callback refused", "reason", reason)
	flowsPage(w, http.StatusBadRequest, apierr.InvalidRequest, "Sign-in failed", msg)
}

// signIn gives the session a new id (against fixation: whoever knew the
// old cookie gets nothing) and then stores the tokens under it.
func (f *Flows) signIn(w http.ResponseWriter, r *http.Request, sess *session.Session, pt *session.ProviderTokens) error {
	sess, err := f.sessions.Rotate(w, r, sess)
	if err != nil {
		return err
	}
	return f.sessions.Store.Update(r.Context(), sess.ID, func(s *session.Session) error {
		s.Provider = pt
		s.Pending = nil
		return nil
	})
}

// randomState is 32 random bytes, base64url: unguessable and URL-safe.
func randomState() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go >= 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// safeReturnTo keeps p only when it is a same-origin path: it starts with
// one "/" (not "//" or "/\", which browsers read as another host), has no
// backslash, control character or space (browsers drop tabs and newlines,
// so "/\t/evil" would become "//evil") and parses with no scheme or host.
// Anything else becomes "", which means "/".
func safeReturnTo(p string) string {
	if len(p) == 0 || len(p) > 1024 || p[0] != '/' {
		return ""
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return ""
	}
	if strings.ContainsFunc(p, func(r rune) bool { return r == '\\' || r <= ' ' || r == 0x7f }) {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return p
}
