package oauth

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/internal/redact"
	"github.com/sealbridge/sealbridge/demo/provider"
	"github.com/sealbridge/sealbridge/demo/session"
)

// FlowsConfig configures NewFlows: how the dev server obtains provider
// tokens for a browser session and what it calls with them.
type FlowsConfig struct {
	// ClientID and ClientSecret are the dev server's confidential client.
	// They are sent to TokenURL only.
	ClientID, ClientSecret string
	// AuthURL is the provider's authorization endpoint. Empty: no
	// authorization-code flow (a password-grant-only provider, Mbanq-style);
	// /auth/start then answers 404.
	AuthURL string
	// TokenURL is the provider's token endpoint. Required.
	TokenURL string
	// RevokeURL is the provider's token revocation endpoint (RFC 7009).
	// Empty: signing out and "Disconnect" only drop the tokens from the
	// session, and the provider's login lives on until it expires.
	RevokeURL string
	// RedirectURL is this dev server's /auth/callback, exactly as
	// registered at the provider. Required with AuthURL.
	RedirectURL string
	// ProviderURL is the provider's API base (no trailing slash needed):
	// Paths are appended to it. Required.
	ProviderURL string
	// Paths name the provider's endpoints; zero fields take the sandbox's.
	Paths ProviderPaths
	// Scopes are requested by both grants; optional.
	Scopes []string
	// AuthStyle is how the client authenticates at TokenURL; 0 means HTTP
	// Basic. Never auto-detection: x/oauth2 would retry a failed request
	// the other way, with the secret in the form body.
	AuthStyle oauth2.AuthStyle
	// Issuer is the provider's issuer identifier, checked against the
	// callback's iss parameter (RFC 9207, mix-up defence) when present.
	// Empty: the origin of AuthURL, which is what the sandbox sends.
	Issuer string
	// RequireIssuer refuses a callback without iss. Set it for providers
	// that advertise authorization_response_iss_parameter_supported.
	RequireIssuer bool
	// HTTPClient calls the provider; nil means a client with a 15 s
	// timeout. Whatever is given, redirects are never followed (they would
	// carry the bearer token or client secret elsewhere).
	HTTPClient *http.Client
	// Logger receives one line per flow step; it is wrapped with
	// NewRedactHandler. Nil: discard.
	Logger *slog.Logger
	// Sessions reads and writes the browser session. Required.
	Sessions *session.Sessions
	// Now is the clock seam; nil means time.Now.
	Now func() time.Time
	// PendingTTL bounds the time between /auth/start and /auth/callback;
	// 0 means 10 minutes.
	PendingTTL time.Duration
	// ExpirySkew renews an access token this long before it expires; 0
	// means 10 s (x/oauth2's own margin).
	ExpirySkew time.Duration
	// Limits bound password sign-ins and OTP tries (zero fields: defaults).
	Limits RateLimits
	// ClientAddress names the caller for the per-address limits; nil
	// means the TCP peer's IP (see remoteAddress).
	ClientAddress func(*http.Request) string
}

// ProviderPaths are the provider endpoints Flows calls with a session's
// access token, relative to ProviderURL.
type ProviderPaths struct {
	Context   string // identity: {userId, profile, email, name}; default /auth/context
	Self      string // 2FA status (a Mbanq-style connect()): default /v1/self
	TwoFactor string // OTP validation: default /twofactor/validate
	Accounts  string // the demo's protected resource: default /v1/accounts
}

// Flows runs the OAuth flows for browser sessions: authorization code with
// PKCE, the password grant with two-factor authentication, and refresh
// with rotation. Tokens stay in the session Store; the page sees only
// "connected as ...". Build it with NewFlows and mount its handlers (see
// Register).
type Flows struct {
	oauth         oauth2.Config
	revokeURL     string
	base          string
	paths         ProviderPaths
	issuer        string
	requireIss    bool
	client        *http.Client
	log           *slog.Logger
	sessions      *session.Sessions
	now           func() time.Time
	pendingTTL    time.Duration
	skew          time.Duration
	limits        RateLimits
	clientAddress func(*http.Request) string

	// flights: at most one refresh per session at a time (refresh.go).
	mu      sync.Mutex
	flights map[string]*refreshFlight
}

// NewFlows checks cfg and builds a Flows. It makes no network call.
func NewFlows(cfg FlowsConfig) (*Flows, error) {
	if err := checkFlowsConfig(cfg); err != nil {
		return nil, err
	}
	f := &Flows{
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			Endpoint:    oauth2.Endpoint{AuthURL: cfg.AuthURL, TokenURL: cfg.TokenURL, AuthStyle: cfg.AuthStyle},
			RedirectURL: cfg.RedirectURL, Scopes: cfg.Scopes,
		},
		revokeURL:     cfg.RevokeURL,
		base:          strings.TrimSuffix(cfg.ProviderURL, "/"),
		paths:         cfg.Paths.withDefaults(),
		issuer:        cfg.Issuer,
		requireIss:    cfg.RequireIssuer,
		client:        provider.Harden(cfg.HTTPClient, 15*time.Second),
		sessions:      cfg.Sessions,
		now:           cfg.Now,
		pendingTTL:    cmp.Or(max(cfg.PendingTTL, 0), 10*time.Minute),
		skew:          cmp.Or(max(cfg.ExpirySkew, 0), 10*time.Second),
		limits:        cfg.Limits,
		clientAddress: cfg.ClientAddress,
		flights:       map[string]*refreshFlight{},
	}
	if f.now == nil {
		f.now = time.Now
	}
	f.oauth.Endpoint.AuthStyle = provider.ExplicitAuthStyle(f.oauth.Endpoint.AuthStyle)
	if f.issuer == "" && cfg.AuthURL != "" {
		u, _ := url.Parse(cfg.AuthURL)
		f.issuer = u.Scheme + "://" + u.Host
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f.log = slog.New(redact.NewHandler(log.Handler()))
	f.limits.withDefaults()
	if f.clientAddress == nil {
		f.clientAddress = remoteAddress
	}
	return f, nil
}

// checkFlowsConfig refuses a config NewFlows cannot work with, naming the
// field to fix.
func checkFlowsConfig(cfg FlowsConfig) error {
	switch {
	case cfg.ClientID == "":
		return errors.New("oauth: FlowsConfig.ClientID is required")
	case cfg.TokenURL == "":
		return errors.New("oauth: FlowsConfig.TokenURL is required")
	case cfg.ProviderURL == "":
		return errors.New("oauth: FlowsConfig.ProviderURL is required")
	case cfg.Sessions == nil || cfg.Sessions.Store == nil:
		return errors.New("oauth: FlowsConfig.Sessions with a Store is required")
	case cfg.AuthURL != "" && cfg.RedirectURL == "":
		return errors.New("oauth: FlowsConfig.RedirectURL is required with AuthURL")
	}
	for name, raw := range map[string]string{"AuthURL": cfg.AuthURL, "TokenURL": cfg.TokenURL, "RevokeURL": cfg.RevokeURL, "RedirectURL": cfg.RedirectURL, "ProviderURL": cfg.ProviderURL} {
		if raw == "" {
			continue
		}
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("oauth: FlowsConfig." + name + " must be an absolute http(s) URL")
		}
	}
	return nil
}

// withDefaults fills the sandbox's paths into the zero fields.
func (p ProviderPaths) withDefaults() ProviderPaths {
	p.Context = cmp.Or(p.Context, "/auth/context")
	p.Self = cmp.Or(p.Self, "/v1/self")
	p.TwoFactor = cmp.Or(p.TwoFactor, "/twofactor/validate")
	p.Accounts = cmp.Or(p.Accounts, "/v1/accounts")
	return p
}

// Register mounts the handlers on mux at their documented routes. Put
// cross-origin protection (http.CrossOriginProtection) in front of the
// mux for the POST routes.
func (f *Flows) Register(mux *http.ServeMux) {
	f.RegisterRedirects(mux)
	f.RegisterAPI(mux)
}

// RegisterRedirects mounts the browser-facing redirects of the
// authorization-code flow (top-level GET navigations).
func (f *Flows) RegisterRedirects(mux *http.ServeMux) {
	mux.HandleFunc("GET /auth/start", f.Start)
	mux.HandleFunc("GET /auth/callback", f.Callback)
}

// RegisterAPI mounts the JSON endpoints the page calls; put them behind
// the session and CSRF checks.
func (f *Flows) RegisterAPI(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/login", f.Login)
	mux.HandleFunc("POST /api/login/otp", f.LoginOTP)
	mux.HandleFunc("GET /api/me", f.Me)
	mux.HandleFunc("POST /api/logout", f.Logout)
	mux.HandleFunc("GET /api/accounts", f.Accounts)
}

// oauthContext makes x/oauth2 use our HTTP client.
func (f *Flows) oauthContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, f.client)
}

// providerTokens turns an x/oauth2 token into what the session keeps.
// Expiry is computed from expires_in with our clock: x/oauth2 uses
// time.Now, which the tests' fake clock would not move.
func (f *Flows) providerTokens(t *oauth2.Token, grant string, prev *session.ProviderTokens) *session.ProviderTokens {
	p := &session.ProviderTokens{}
	if prev != nil {
		*p = *prev
	}
	p.AccessToken = t.AccessToken
	if t.RefreshToken != "" {
		p.RefreshToken = t.RefreshToken
	}
	p.TokenType = t.Type()
	p.Expiry = time.Time{}
	switch {
	case t.ExpiresIn > 0:
		p.Expiry = f.now().Add(time.Duration(t.ExpiresIn) * time.Second)
	case !t.Expiry.IsZero():
		p.Expiry = t.Expiry
	}
	if grant != "" {
		p.Grant = grant
	}
	if id, ok := t.Extra("userId").(string); ok && id != "" {
		p.UserID = id
	}
	return p
}

// fresh reports whether p's access token can be used now.
func (f *Flows) fresh(p *session.ProviderTokens) bool {
	return p != nil && p.AccessToken != "" && (p.Expiry.IsZero() || f.now().Add(f.skew).Before(p.Expiry))
}
