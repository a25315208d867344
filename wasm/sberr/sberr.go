// Package sberr defines the stable error codes the WebAssembly shim raises
// and the JavaScript API rejects with (SealbridgeError.code). A code, once
// shipped, never changes meaning; the message says what to fix. The codes
// servers answer with are in demo/apierr.
package sberr

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. JavaScript sees it as
// SealbridgeError.code.
type Code string

// The codes. Keep this list in step with the README's error table and
// jsbridge/index.d.ts.
const (
	ModuleUnavailable  Code = "module_unavailable"   // index.js could not get this release's module: 404, network, not WebAssembly, wrong MIME, integrity mismatch
	ModuleBlocked      Code = "module_blocked"       // index.js: a Content-Security-Policy forbids compiling WebAssembly
	RuntimeUnsupported Code = "runtime_unsupported"  // index.js: the JavaScript runtime has no WebAssembly or no Web Crypto
	InvalidArgument    Code = "invalid_argument"     // a caller passed a bad value
	PayloadTooLarge    Code = "payload_too_large"    // a value or body is over its size limit
	KeyUnavailable     Code = "key_unavailable"      // the key endpoint failed or sent no usable JSON
	KeyInvalid         Code = "key_invalid"          // the JWK breaks a key rule
	KeyPinMismatch     Code = "key_pin_mismatch"     // the key's RFC 7638 thumbprint is not the pinned one
	KeyUnknown         Code = "key_unknown"          // the provider no longer knows the key's kid (rotated)
	KeyNotAllowed      Code = "key_not_allowed"      // isolated mode: the frame is not configured with this provider, or the page brought its own key
	HTTPError          Code = "http_error"           // the server answered with a non-2xx status
	BadResponse        Code = "bad_response"         // the answer could not be decoded
	NetworkError       Code = "network_error"        // the request did not reach the server
	Timeout            Code = "timeout"              // the call ran past its deadline
	TokenRefreshFailed Code = "token_refresh_failed" // onAccessTokenExpired failed or gave no token
	TokenInvalid       Code = "token_invalid"        // the access token is unreadable even after renewal
	MFARequired        Code = "mfa_required"         // the provider wants a fresh one-time password
	ReauthRequired     Code = "reauth_required"      // the provider session ended; sign in again
	InsecureContext    Code = "insecure_context"     // no crypto.subtle: the page is not served over https
	Internal           Code = "internal"             // a bug in Sealbridge; the runtime stays usable
)

// Error is a Sealbridge error with a stable code.
type Error struct {
	Code    Code
	Message string
	Status  int    // HTTP status, for http_error
	Body    []byte // decoded response body (JSON), for http_error
	Err     error  // the cause, if any; never shown to the page when it may hold a secret
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is a *Error with the same code, so that
// errors.Is(err, sberr.New(sberr.Timeout, "")) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// New returns an Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error with a cause. The message should still say what to fix.
func Wrap(err error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of err, or Internal when err is not a *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as a *Error, converting any other error to Internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "unexpected error: " + err.Error(), Err: err}
}
