// Package session owns the dev server's browser sessions: the opaque,
// HttpOnly session cookie (RFC 6265; __Host- prefixed under TLS), the
// server-side Session it names, and the Store that keeps sessions sealed
// (in process memory by default, or in Redis shared by several instances).
// Every provider token a browser obtained lives in its Session,
// server-side; the page holds only the cookie, which is also the only key
// that opens the stored session.
package session

import "time"

// Session is one browser's server-side state. Feature code adds fields here
// rather than keeping per-browser maps of its own, so that one Store holds
// it all and one cookie names it.
type Session struct {
	ID      string `json:"-"` // the cookie value; never stored
	Created time.Time
	// User is the demo's notion of the signed-in integrator user; it owns
	// customers and invoices (see package checkout). Set when the session is made.
	User string

	// Provider holds the provider tokens obtained by the OAuth flows.
	// Never serialised to the page.
	Provider *ProviderTokens
	// Pending holds the in-flight authorization-code attempt (state and
	// PKCE verifier), single use.
	Pending *PendingAuthorization
}

// ProviderTokens are the provider's tokens for one session, obtained by the
// OAuth flows (package oauth). Treat a *ProviderTokens as immutable and
// replace the pointer inside Store.Update. String, GoString and LogValue
// never print the tokens.
type ProviderTokens struct {
	AccessToken  string
	RefreshToken string // rotated by the provider at each refresh; saved before the new access token is used
	TokenType    string
	Expiry       time.Time // zero: the provider gave no expires_in
	Grant        string    // "authorization_code" or "password"
	UserID       string    // the provider's user id
	DisplayName  string    // what the page may show: "connected as ..."
	// Restricted is the last known 2FA state: the provider refuses the
	// access token until a one-time password is validated.
	Restricted bool
}

// PendingAuthorization is an authorization-code attempt in flight: what
// GET /auth/start generated and GET /auth/callback consumes, once.
type PendingAuthorization struct {
	State    string // 32 random bytes, base64url; compared in constant time
	Verifier string // PKCE code_verifier (RFC 7636); never leaves the server
	ReturnTo string // validated same-origin path to land on after login
	Created  time.Time
}
