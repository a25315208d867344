// Package oauth owns the dev server's sign-in at the provider: the OAuth 2.0
// authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636, S256) and the
// iss check against mix-up (RFC 9207); the password grant (RFC 6749 §4.3,
// deprecated by RFC 9700 §2.4, kept for providers that offer nothing else)
// with the provider's two-factor one-time password; refresh with rotating
// refresh tokens, single-flight per session (RFC 9700 §4.14.2); and the
// JSON endpoints the page calls (/api/login, /api/me, ...). Provider tokens
// live in the browser's server-side session (package session); the page
// only sees "connected as ...".
package oauth
