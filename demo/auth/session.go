// Package auth holds everything the dev server knows about who is calling:
// browser sessions (this file and store.go), and, in later files, the OAuth2
// flows that obtain provider tokens and the minting of scoped tokens. Every
// provider token lives here, server-side; the page only holds an opaque,
// HttpOnly session cookie.
package auth

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// Session is one browser's server-side state. Feature code adds fields here
// rather than keeping per-browser maps of its own, so that one Store holds
// it all and one cookie names it.
type Session struct {
	ID      string
	Created time.Time
	// User is the demo's notion of the signed-in integrator user; it owns
	// customers and invoices (see checkout). Set when the session is made.
	User string

	// Provider holds the provider tokens obtained by the OAuth flows.
	// Never serialised to the page.
	Provider *ProviderTokens
	// Pending holds the in-flight authorization-code attempt (state and
	// PKCE verifier), single use.
	Pending *PendingAuthorization
}

// ProviderTokens are the provider's tokens for one session. (filled in by the OAuth flows)
type ProviderTokens struct{}

// PendingAuthorization is an authorization-code attempt in flight. (filled in by the OAuth flows)
type PendingAuthorization struct{}

// newID returns a fresh 256-bit random session id.
func newID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go >= 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}
