package oauth

import (
	"bytes"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/session"
)

const canary = "CANARY-7f3a9c"

func TestFlowsWrapsItsLogger(t *testing.T) {
	var buf bytes.Buffer
	f, err := NewFlows(FlowsConfig{
		ClientID: "c", TokenURL: "http://127.0.0.1:1/token", ProviderURL: "http://127.0.0.1:1",
		Sessions: &session.Sessions{Store: session.NewMemoryStore(0)}, Logger: slog.New(slog.NewJSONHandler(&buf, nil)),
	})
	assert.NoError(t, err)
	f.log.Info("m", "access_token", canary)
	assert.NotContains(t, buf.String(), canary)
}

func TestNewFlowsChecksConfig(t *testing.T) {
	ok := FlowsConfig{
		ClientID: "c", TokenURL: "http://127.0.0.1:1/token", ProviderURL: "http://127.0.0.1:1",
		AuthURL: "http://127.0.0.1:1/auth", RedirectURL: "http://127.0.0.1:2/auth/callback",
		Sessions: &session.Sessions{Store: session.NewMemoryStore(0)},
	}
	f, err := NewFlows(ok)
	assert.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:1", f.issuer, "issuer defaults to the authorize URL's origin")
	assert.Equal(t, oauth2.AuthStyleInHeader, f.oauth.Endpoint.AuthStyle)
	assert.Equal(t, ProviderPaths{Context: "/auth/context", Self: "/v1/self", TwoFactor: "/twofactor/validate", Accounts: "/v1/accounts"}, f.paths)
	assert.NotNil(t, f.client.CheckRedirect)
	assert.Equal(t, http.ErrUseLastResponse, f.client.CheckRedirect(nil, nil))

	for name, mutate := range map[string]func(*FlowsConfig){
		"no client id":      func(c *FlowsConfig) { c.ClientID = "" },
		"no token url":      func(c *FlowsConfig) { c.TokenURL = "" },
		"no provider url":   func(c *FlowsConfig) { c.ProviderURL = "" },
		"no sessions":       func(c *FlowsConfig) { c.Sessions = nil },
		"no store":          func(c *FlowsConfig) { c.Sessions = &session.Sessions{} },
		"no redirect url":   func(c *FlowsConfig) { c.RedirectURL = "" },
		"relative auth url": func(c *FlowsConfig) { c.AuthURL = "/auth" },
		"ftp token url":     func(c *FlowsConfig) { c.TokenURL = "ftp://127.0.0.1/token" },
	} {
		c := ok
		mutate(&c)
		_, err := NewFlows(c)
		assert.Error(t, err, name)
	}
}
