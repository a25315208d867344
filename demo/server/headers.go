package server

import (
	"net/http"
	"strings"
)

// contentSecurityPolicy allows WebAssembly compilation with
// 'wasm-unsafe-eval' and nothing else that evaluates code: no
// 'unsafe-eval', no inline script except one whose exact text has one of
// scriptHashes ('sha256-…'): the demo page's import map, which pins every
// module by its SRI hash. frame lists the origins the page may embed (the
// secure fields' origin): frame-src names them, and nothing else may be framed.
func contentSecurityPolicy(connect, frame []string, scriptHashes ...string) string {
	script := append([]string{"'self'", "'wasm-unsafe-eval'"}, scriptHashes...)
	return strings.Join([]string{
		"default-src 'self'",
		"script-src " + strings.Join(script, " "),
		"style-src 'self'",
		"img-src 'self' data:",
		"connect-src " + strings.Join(append([]string{"'self'"}, connect...), " "),
		"frame-src " + strings.Join(frame, " "),
		"object-src 'none'",
		"base-uri 'none'",
		"frame-ancestors 'none'",
		"form-action 'self'",
	}, "; ")
}

// securityHeaders sets the headers every response gets (a handler may
// replace the CSP with one from contentSecurityPolicy that adds a hash).
func securityHeaders(connect, frame []string, next http.Handler) http.Handler {
	csp := contentSecurityPolicy(connect, frame)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// hstsValue keeps browsers on HTTPS for a year once they have seen it. No
// includeSubDomains: the dev server cannot know that every sibling host of
// its domain speaks HTTPS, and the header would lock them out if not.
const hstsValue = "max-age=31536000"

// strictTransport adds Strict-Transport-Security to every response. Only
// for a server reached over HTTPS (its own TLS, or a TLS proxy in front):
// browsers ignore the header on plain HTTP.
func strictTransport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", hstsValue)
		next.ServeHTTP(w, r)
	})
}
