package server

import (
	"github.com/sealbridge/sealbridge/demo/oauth"
)

// oauthFlows builds the server-held OAuth flows (password grant with
// two-factor authentication, and authorization code with PKCE). With
// the embedded sandbox it configures them itself and registers the
// callback URL there; with a real provider it uses Config.OAuth, and
// without one the flows are not mounted.
func (s *Server) oauthFlows() (*oauth.Flows, error) {
	var cfg oauth.FlowsConfig
	switch {
	case s.cfg.OAuth != nil:
		cfg = *s.cfg.OAuth
	case s.Sandbox != nil:
		id, secret := s.Sandbox.ClientCredentials()
		cfg = oauth.FlowsConfig{
			ClientID:     id,
			ClientSecret: secret,
			AuthURL:      s.ProviderURL + "/auth",
			TokenURL:     s.ProviderURL + "/auth/token",
			RevokeURL:    s.ProviderURL + "/auth/revoke",
			RedirectURL:  s.URL + "/auth/callback",
			ProviderURL:  s.ProviderURL,
		}
		s.Sandbox.SetRedirectURIs(cfg.RedirectURL)
	case s.SharedSandbox != nil:
		// The sandbox process registered this server's callback from its
		// -origin flags.
		cfg = oauth.FlowsConfig{
			ClientID:     s.SharedSandbox.ClientID,
			ClientSecret: s.SharedSandbox.ClientSecret,
			AuthURL:      s.ProviderURL + "/auth",
			TokenURL:     s.ProviderURL + "/auth/token",
			RevokeURL:    s.ProviderURL + "/auth/revoke",
			RedirectURL:  s.URL + "/auth/callback",
			ProviderURL:  s.ProviderURL,
		}
	default:
		return nil, nil
	}
	if cfg.AuthStyle == 0 {
		cfg.AuthStyle = s.cfg.AuthStyle
	}
	cfg.Sessions = s.sessions
	cfg.Logger = s.cfg.Logger.With("component", "oauth")
	cfg.HTTPClient = s.provider.http
	cfg.ClientAddress = clientAddress(s.cfg.TrustedProxies)
	return oauth.NewFlows(cfg)
}
