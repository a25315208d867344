// Package sandbox is the embedded stand-in for the provider APIs, so that the
// demo and every test run offline. It speaks each provider pattern Sealbridge
// supports: a Powens-style end-to-end encryption key and sealed connections
// (JWE, RFC 7516), a Qonto-style dispatch endpoint for request descriptors,
// checkout scoped tokens (RS256 JWTs, RFC 7519, with a JWKS) and an OAuth 2.0
// server (RFC 6749: client credentials, authorization code with PKCE,
// refresh with rotation, a password grant with two-factor authentication).
//
// Each feature keeps its own state in its own type and mounts its own routes;
// Sandbox wires them together.
package sandbox

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// Config configures the sandbox. The zero value is usable: every secret the
// sandbox needs it generates at start.
type Config struct {
	Logger *slog.Logger     // nil: discard
	Now    func() time.Time // clock seam; nil: time.Now
	// TokenTTL is the lifetime of the access tokens /auth/token issues;
	// 0 means one hour.
	TokenTTL time.Duration
	Keys     KeysConfig
	Dispatch DispatchConfig
	Checkout CheckoutConfig
	OAuth    OAuthConfig
	// Limits bound every store (zero fields: defaults).
	Limits Limits
}

// Sandbox is the provider stand-in. Its Handler serves every endpoint.
type Sandbox struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	now      func() time.Time
	tokens   *tokenStore
	client   client
	keys     *keyRing
	conns    *connStore
	dispatch *dispatcher
	checkout *checkoutServer
	oauth    *oauthServer
	// serverTokens counts client_credentials grants (ServerTokenGrants).
	serverTokens atomic.Int64
}

// New builds a sandbox with fresh secrets; its keys are made fresh too, each on first use.
func New(cfg Config) (*Sandbox, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = time.Hour
	}
	cfg.Limits = cfg.Limits.withDefaults()
	s := &Sandbox{cfg: cfg, log: log, mux: http.NewServeMux(), now: now, tokens: newTokenStore(now, cfg.Limits.AccessTokens)}
	s.client = client{ID: "sbx_client_demo", Secret: randomToken("sbx_cs_")}
	for _, mount := range []func() error{
		s.mountToken,
		s.mountKeys,
		s.mountConnections,
		s.mountDispatch,
		s.mountCheckout,
		s.mountOAuth,
	} {
		if err := mount(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Handler serves the sandbox's endpoints.
func (s *Sandbox) Handler() http.Handler { return s.mux }

// client is the one OAuth client the sandbox knows: the dev server.
type client struct{ ID, Secret string }

// ClientCredentials returns the dev server's client id and the secret the
// sandbox generated for it at start. The dev server reads them in-process
// when it embeds the sandbox; nothing is written to disk or code.
func (s *Sandbox) ClientCredentials() (id, secret string) { return s.client.ID, s.client.Secret }
