package server

import (
	"errors"
	"net/http"

	"github.com/sealbridge/sealbridge/demo/provider"
	"github.com/sealbridge/sealbridge/demo/sandbox"
)

// providerClient is how the dev server talks to the provider, built once
// and shared by the intermediary, the checkout minter, the OAuth flows, the
// scoped-token verifier and the connections forwarder: one HTTP client that
// follows no redirect (a redirect would carry the bearer and staging tokens
// to another host) and one cached source of the server's access token.
type providerClient struct {
	http         *http.Client
	tokens       *provider.Tokens
	clientID     string
	clientSecret string
}

func newProviderClient(cfg Config, baseURL string, sb *sandbox.Sandbox) *providerClient {
	p := &providerClient{http: provider.NewHTTPClient(provider.DefaultTimeout), clientID: cfg.ClientID, clientSecret: cfg.ClientSecret}
	if sb != nil && p.clientID == "" {
		p.clientID, p.clientSecret = sb.ClientCredentials()
	}
	switch {
	case cfg.AccessToken != "":
		p.tokens = provider.Static(cfg.AccessToken)
	case p.clientID != "" && p.clientSecret != "":
		p.tokens = provider.ClientCredentials(provider.ClientCredentialsConfig{
			ClientID: p.clientID, ClientSecret: p.clientSecret, TokenURL: baseURL + "/auth/token", HTTPClient: p.http,
			AuthStyle: cfg.AuthStyle,
		})
	default:
		p.tokens = provider.Unavailable(errors.New("no provider credentials: set " + EnvAccessToken + " or " + EnvClientID + " and " + EnvClientSecret))
	}
	return p
}
