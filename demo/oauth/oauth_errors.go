package oauth

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/internal/httpjson"
	"github.com/sealbridge/sealbridge/demo/session"
)

// Messages shared by several handlers, so that equal situations read equal.
const (
	msgMFARequired = "the provider wants a new one-time password; enter the code from your authenticator"
	msgReauth      = "the provider session has ended; sign in again"
	msgNotSignedIn = "not signed in at the provider; sign in first"
	msgBadLogin    = "wrong username or password"
	// msgNoAppSession: the provider sign-in routes belong to a user of
	// the app, who signs in first (POST /api/session).
	msgNoAppSession = "no session: sign in to the app first (POST /api/session; the page's Sign in button), then connect the provider account"
)

// flowError is a failure with the HTTP status and JSON code the page gets.
type flowError struct {
	status     int
	code       apierr.Code
	msg        string
	retryAfter string // seconds, for rate_limited
}

func (e *flowError) Error() string { return string(e.code) + ": " + e.msg }

func newFlowError(status int, code apierr.Code, msg string) *flowError {
	return &flowError{status: status, code: code, msg: msg}
}

var (
	errReauth       = newFlowError(http.StatusUnauthorized, apierr.ReauthRequired, msgReauth)
	errNotSignedIn  = newFlowError(http.StatusUnauthorized, apierr.ReauthRequired, msgNotSignedIn)
	errMFA          = newFlowError(http.StatusForbidden, apierr.MFARequired, msgMFARequired)
	errNoAppSession = newFlowError(http.StatusUnauthorized, apierr.Unauthenticated, msgNoAppSession)
	errStore        = newFlowError(http.StatusServiceUnavailable, apierr.SessionStoreUnavailable, session.UnavailableMessage)
)

// sessionError maps a Store error: an outage is a 503 the page can retry,
// anything else (no session, signed out meanwhile) means not signed in.
func sessionError(err error) *flowError {
	if errors.Is(err, session.ErrStoreFull) {
		e := newFlowError(http.StatusServiceUnavailable, apierr.SessionStoreUnavailable, "the session store is full of signed-in users; try again later")
		e.retryAfter = "60"
		return e
	}
	if errors.Is(err, session.ErrUnavailable) {
		e := *errStore
		e.retryAfter = "5"
		return &e
	}
	return errNotSignedIn
}

func errUpstream(msg string) *flowError {
	return newFlowError(http.StatusBadGateway, apierr.UpstreamUnavailable, msg)
}

func errBadRequest(msg string) *flowError {
	return newFlowError(http.StatusBadRequest, apierr.InvalidRequest, msg)
}

// isInvalidGrant reports whether the token endpoint said invalid_grant
// (RFC 6749 §5.2): the code, refresh token or password is no good.
func isInvalidGrant(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == "invalid_grant"
}

func flowsWriteJSON(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }

func flowsWriteError(w http.ResponseWriter, e *flowError) {
	if e.retryAfter != "" {
		w.Header().Set("Retry-After", e.retryAfter)
	}
	apierr.Write(w, e.status, e.code, e.msg)
}

// validRetryAfter passes on a provider's Retry-After only when it is a
// plain number of seconds (RFC 9110 §10.2.3 also allows a date, which the
// sandbox never sends); anything else becomes 60.
func validRetryAfter(v string) string {
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < 86400 {
		return strconv.Itoa(n)
	}
	return "60"
}

// flowsPage is the small HTML page /auth/callback shows when it cannot
// sign the user in: the browser landed there by navigation, so JSON would
// be unreadable. id="error" and data-code are for tests.
func flowsPage(w http.ResponseWriter, status int, code apierr.Code, title, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer") // the callback URL carries the code
	w.WriteHeader(status)
	_ = flowsPageTmpl.Execute(w, map[string]string{"Code": string(code), "Title": title, "Message": msg})
}

var flowsPageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:36em;margin:3em auto}</style></head>
<body><h1>{{.Title}}</h1>
<p id="error" data-code="{{.Code}}">{{.Message}}</p>
<p><a id="back" href="/">Back to the demo</a></p>
</body></html>
`))
