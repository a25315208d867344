package server

import (
	"net/http"

	"github.com/sealbridge/sealbridge/demo/auth"
)

// oauthFlows builds the server-held OAuth flows (seeds 001 and 004). With
// the embedded sandbox it configures them itself and registers the
// callback URL there; with a real provider it uses Config.OAuth, and
// without one the flows are not mounted.
func (s *Server) oauthFlows() (*auth.Flows, error) {
	var cfg auth.FlowsConfig
	switch {
	case s.cfg.OAuth != nil:
		cfg = *s.cfg.OAuth
	case s.Sandbox != nil:
		id, secret := s.Sandbox.ClientCredentials()
		cfg = auth.FlowsConfig{
			ClientID:     id,
			ClientSecret: secret,
			AuthURL:      s.ProviderURL + "/auth",
			TokenURL:     s.ProviderURL + "/auth/token",
			RedirectURL:  s.URL + "/auth/callback",
			ProviderURL:  s.ProviderURL,
		}
		s.Sandbox.SetRedirectURIs(cfg.RedirectURL)
	default:
		return nil, nil
	}
	cfg.Sessions = s.sessions
	cfg.Logger = s.cfg.Logger.With("component", "oauth")
	cfg.HTTPClient = s.provider.http
	return auth.NewFlows(cfg)
}

// mountOAuth puts the browser redirects on the page mux and the JSON
// endpoints on the protected API mux.
func mountOAuth(f *auth.Flows, page, api *http.ServeMux) {
	page.HandleFunc("GET /auth/start", f.Start)
	page.HandleFunc("GET /auth/callback", f.Callback)
	api.HandleFunc("POST /api/login", f.Login)
	api.HandleFunc("POST /api/login/otp", f.LoginOTP)
	api.HandleFunc("GET /api/me", f.Me)
	api.HandleFunc("POST /api/logout", f.Logout)
	api.HandleFunc("GET /api/accounts", f.Accounts)
}
