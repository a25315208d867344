package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sealbridge/sealbridge/demo/sandbox"
)

// providerClient is how the dev server talks to the provider: an HTTP
// client that follows no redirect (a redirect would carry the bearer and
// staging tokens to another host) and a cached source of access tokens.
type providerClient struct {
	baseURL      string
	http         *http.Client
	tokens       oauth2.TokenSource
	clientID     string
	clientSecret string
	stagingToken string
}

func newProviderClient(cfg Config, baseURL string, sb *sandbox.Sandbox) (*providerClient, error) {
	hc := &http.Client{
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	p := &providerClient{baseURL: baseURL, http: hc, clientID: cfg.ClientID, clientSecret: cfg.ClientSecret, stagingToken: cfg.StagingToken}
	if sb != nil && p.clientID == "" {
		p.clientID, p.clientSecret = sb.ClientCredentials()
	}
	switch {
	case cfg.AccessToken != "":
		p.tokens = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: cfg.AccessToken, TokenType: "Bearer"})
	case p.clientID != "" && p.clientSecret != "":
		cc := &clientcredentials.Config{ClientID: p.clientID, ClientSecret: p.clientSecret, TokenURL: baseURL + "/auth/token"}
		// clientcredentials' TokenSource is a ReuseTokenSource: one token
		// endpoint call for any number of concurrent callers until expiry.
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, hc)
		p.tokens = cc.TokenSource(ctx)
	default:
		p.tokens = missingToken{}
	}
	return p, nil
}

// token returns a provider access token for server-to-provider calls.
func (p *providerClient) token() (string, error) {
	t, err := p.tokens.Token()
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

type missingToken struct{}

func (missingToken) Token() (*oauth2.Token, error) {
	return nil, errors.New("no provider credentials: set " + EnvAccessToken + " or " + EnvClientID + " and " + EnvClientSecret)
}
