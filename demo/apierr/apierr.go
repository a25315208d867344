// Package apierr is the error vocabulary of Sealbridge's servers: the dev
// server, the intermediary and the checkout-token endpoint answer every
// failure with one JSON body, {"code","message"} (Error), whose code is one
// of the stable strings below and whose message says what to fix. The
// intermediary wraps that body in a response envelope. The shim surfaces
// these answers as http_error with the code in error.body.code; the codes it
// raises itself are in wasm/sberr, and the few both sides use (such as
// invalid_argument or mfa_required) are spelled identically in both.
package apierr

import (
	"errors"
	"net/http"

	"github.com/sealbridge/sealbridge/demo/internal/httpjson"
)

// Code is a stable, machine-readable error code: a page branches on it, so
// a code once shipped never changes meaning.
type Code string

// Codes the servers share with the shim (wasm/sberr spells them the same).
const (
	InvalidArgument Code = "invalid_argument"  // 400: a malformed field; the message names it
	PayloadTooLarge Code = "payload_too_large" // 413: over the size limit
	BadResponse     Code = "bad_response"      // 502: the provider's answer could not be read
	MFARequired     Code = "mfa_required"      // 403: the provider wants a new one-time password
	ReauthRequired  Code = "reauth_required"   // 401: the provider session ended; sign in again
	Internal        Code = "internal"          // 500: a bug
)

// Codes only the servers answer with. Keep this list in step with the
// README's table of server codes.
const (
	Unauthenticated     Code = "unauthenticated"        // 401: no session cookie
	InvalidToken        Code = "invalid_token"          // 401: the bearer token is expired or invalid (the shim renews on it)
	InvalidCredentials  Code = "invalid_credentials"    // 401: wrong username, password or one-time password
	CSRF                Code = "csrf"                   // 403: cross-site request or missing X-Sealbridge-Request
	Forbidden           Code = "forbidden"              // 403: not this user's resource
	PathNotAllowed      Code = "path_not_allowed"       // 403: the intermediary's allowlist refused the call
	NotFound            Code = "not_found"              // 404
	MethodNotAllowed    Code = "method_not_allowed"     // 405, with Allow
	BadDescriptor       Code = "bad_descriptor"         // 400: the request descriptor is malformed
	InvalidRequest      Code = "invalid_request"        // 400: a malformed request
	UnsupportedMedia    Code = "unsupported_media_type" // 415
	RateLimited         Code = "rate_limited"           // 429: see Retry-After
	UpstreamUnavailable Code = "upstream_unavailable"   // 502/503: the provider failed or could not be reached
	UpstreamError       Code = "upstream_error"         // 502: the provider answered badly
	UpstreamTimeout     Code = "upstream_timeout"       // 504: the provider did not answer in time
	// SessionStoreUnavailable: 503, the session store (Redis) cannot be
	// reached; nothing was changed, retry later.
	SessionStoreUnavailable Code = "session_store_unavailable"
)

// ErrStoreUnavailable is what a caller check returns when the session
// store cannot be reached: the intermediary answers it with 503
// session_store_unavailable rather than treating the caller as signed out.
var ErrStoreUnavailable = errors.New("session store unavailable")

// ErrInvalidToken is the error (or the cause of one) that a caller check
// returns when the caller's bearer token is expired or invalid. The
// intermediary answers it with 401 invalid_token and
// WWW-Authenticate: Bearer error="invalid_token" (RFC 6750 §3.1), on which
// the page renews its token once.
var ErrInvalidToken = errors.New("invalid or expired bearer token")

// ErrOutOfScope is the error (or the cause of one) that a caller check
// returns when a valid bearer token does not cover the call: it is for
// another customer or another invoice. The intermediary answers it with
// 403 forbidden, on which the page does not renew (a new token for the
// same scope would be refused again).
var ErrOutOfScope = errors.New("the bearer token does not cover this call")

// Error is the JSON error body. Code is a string rather than a Code so that
// the embedded sandbox, which imitates third-party providers, answers its
// own codes ("RESTRICTED") in the same body.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Write sends {"code","message"} with status, not to be cached or sniffed.
func Write(w http.ResponseWriter, status int, code Code, message string) {
	httpjson.Write(w, status, Error{Code: string(code), Message: message})
}

// Handler answers every request with the same error.
func Handler(status int, code Code, message string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		Write(w, status, code, message)
	})
}
