package sandbox

import (
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// OAuthConfig configures the sandbox's OAuth2 server: authorization code
// with PKCE, refresh tokens with rotation, and the password grant with
// two-factor authentication (Mbanq-style). The zero value is usable.
type OAuthConfig struct {
	// Issuer is the issuer identifier sent as `iss` in authorization
	// responses (RFC 9207). Empty: derived from each request as
	// scheme://Host, which is what a client that only knows the authorize
	// URL expects.
	Issuer string
	// RedirectURIs are the client's registered redirect URIs, compared
	// exactly (RFC 9700 §2.1). The dev server usually learns its own URL only
	// after it listens: see Sandbox.SetRedirectURIs.
	RedirectURIs []string
	// Users are the provider's users. Nil: "alice" (no 2FA) and "bob" (2FA),
	// with passwords generated at start. A user with an empty Password gets a
	// generated one. See Sandbox.DemoUsers.
	Users []DemoUser
	// CodeTTL is how long an authorization code can be redeemed; 0: 60 s.
	CodeTTL time.Duration
	// RefreshTTL is the lifetime of a refresh token; 0: 24 h.
	RefreshTTL time.Duration
	// TwoFactorWindow is how long a validated one-time password lifts the
	// restriction on a 2FA user's tokens; 0: 10 minutes.
	TwoFactorWindow time.Duration
	// OTPMaxFailures wrong one-time passwords per user within OTPFailureWindow
	// lock validation (429 with Retry-After); 0: 5 and 5 minutes.
	OTPMaxFailures   int
	OTPFailureWindow time.Duration
}

// DemoUser is a user of the sandbox provider. The dev server prints them
// (or the inbox page shows them) so that a developer knows what to type.
type DemoUser struct {
	Username  string
	Password  string
	TwoFactor bool // the password grant yields restricted tokens until an OTP is validated
}

func (c *OAuthConfig) withDefaults() {
	if c.CodeTTL <= 0 {
		c.CodeTTL = 60 * time.Second
	}
	if c.RefreshTTL <= 0 {
		c.RefreshTTL = 24 * time.Hour
	}
	if c.TwoFactorWindow <= 0 {
		c.TwoFactorWindow = 10 * time.Minute
	}
	if c.OTPMaxFailures <= 0 {
		c.OTPMaxFailures = 5
	}
	if c.OTPFailureWindow <= 0 {
		c.OTPFailureWindow = 5 * time.Minute
	}
}

// oauthServer is the OAuth feature's state. One mutex guards all of it:
// the sandbox serves a handful of requests a second at most. Lock order:
// oauthServer.mu before tokenStore.mu, never the other way.
type oauthServer struct {
	cfg OAuthConfig

	mu           sync.Mutex
	redirectURIs []string
	users        map[string]*sbxUser // by username
	usersByID    map[string]*sbxUser
	order        []*sbxUser           // config order, for DemoUsers and the inbox
	consents     map[string]*consent  // pending consent pages, by nonce
	codes        map[string]*authCode // authorization codes
	refresh      map[string]*refreshEntry
	tokenFamily  map[string]*family // access token -> its login
	queues       oauthQueues        // bound the four maps above (oauth_stores.go)
	limits       Limits
	tokenTTL     time.Duration
	dummyHash    [32]byte // compared against when the username is unknown

	tokenRequests atomic.Int64
}

func (s *Sandbox) mountOAuth() error {
	cfg := s.cfg.OAuth
	cfg.withDefaults()
	o := &oauthServer{
		cfg:         cfg,
		limits:      s.cfg.Limits,
		tokenTTL:    s.cfg.TokenTTL,
		consents:    map[string]*consent{},
		codes:       map[string]*authCode{},
		refresh:     map[string]*refreshEntry{},
		tokenFamily: map[string]*family{},
	}
	if err := o.initUsers(cfg.Users); err != nil {
		return err
	}
	s.oauth = o
	s.SetRedirectURIs(cfg.RedirectURIs...)

	s.mux.HandleFunc("GET /auth", s.handleAuthorize)
	s.mux.HandleFunc("POST /auth/consent", s.handleConsent)
	s.mux.HandleFunc("POST /auth/revoke", s.handleRevoke)
	s.mux.HandleFunc("GET /auth/context", s.handleAuthContext)
	s.mux.HandleFunc("GET /v1/self", s.handleSelf)
	s.mux.HandleFunc("GET /v1/accounts", s.handleAccounts)
	s.mux.HandleFunc("POST /twofactor/validate", s.handleTwoFactorValidate)
	s.mux.HandleFunc("GET /inbox", s.handleInbox)
	return nil
}

// oauthGrants returns the grant types this feature serves at /auth/token.
// Each is counted for TokenRequests.
func (s *Sandbox) oauthGrants() map[string]grantHandler {
	count := func(h grantHandler) grantHandler {
		return func(w http.ResponseWriter, r *http.Request, form url.Values) {
			s.oauth.tokenRequests.Add(1)
			h(w, r, form)
		}
	}
	return map[string]grantHandler{
		"authorization_code": count(s.grantAuthorizationCode),
		"refresh_token":      count(s.grantRefreshToken),
		"password":           count(s.grantPassword),
	}
}

// TokenRequests counts the requests to POST /auth/token that reached one
// of the OAuth feature's grants (authorization_code, refresh_token,
// password), successful or not. Tests use it to prove that a flow did or
// did not reach the token endpoint.
func (s *Sandbox) TokenRequests() int { return int(s.oauth.tokenRequests.Load()) }

// SetRedirectURIs replaces the client's registered redirect URIs. The dev
// server calls it once it knows its own port. URIs that are not absolute
// http(s) URLs without a fragment (RFC 6749 §3.1.2) are dropped and logged.
func (s *Sandbox) SetRedirectURIs(uris ...string) {
	var ok []string
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" || u.User != nil {
			s.log.Warn("sandbox oauth: ignoring invalid redirect URI", "redirect_uri", raw)
			continue
		}
		ok = append(ok, raw)
	}
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	s.oauth.redirectURIs = ok
}

// redirectURIAllowed compares exactly, as RFC 9700 §2.1 requires: no
// prefix, pattern or normalisation.
func (o *oauthServer) redirectURIAllowed(uri string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, r := range o.redirectURIs {
		if r == uri {
			return true
		}
	}
	return false
}

// issuer is the `iss` of authorization responses (RFC 9207).
func (s *Sandbox) issuer(r *http.Request) string {
	if s.oauth.cfg.Issuer != "" {
		return s.oauth.cfg.Issuer
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
