package auth

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/oauth2"
)

const canary = "CANARY-7f3a9c"

func TestRedactMasksSensitiveKeys(t *testing.T) {
	for _, k := range []string{
		"token", "access_token", "refresh_token", "Access-Token", "id_token", "password", "new_password",
		"otp", "OTP", "secret", "client_secret", "code_verifier", "verifier", "authorization",
		"Authorization", "cookie", "Set-Cookie", "code", "session_id", "credentials", "api_key",
	} {
		var buf bytes.Buffer
		log := slog.New(NewRedactHandler(slog.NewJSONHandler(&buf, nil)))
		log.Info("m", k, canary)
		assert.NotContains(t, buf.String(), canary, k)
		assert.Contains(t, buf.String(), Redacted, k)
	}
	for _, k := range []string{"user", "grant", "error_code", "status", "path"} {
		assert.False(t, sensitiveKey(k), k)
	}
}

func TestRedactHandlerCoversGroupsWithAttrsAndLogValuers(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewRedactHandler(slog.NewTextHandler(&buf, nil)))
	log.With("access_token", canary).WithGroup("g").Info("m",
		slog.Group("inner", slog.String("password", canary), slog.String("ok", "visible")),
		"provider", ProviderTokens{AccessToken: canary, RefreshToken: canary, UserID: "u1"},
		"pending", &PendingAuthorization{State: canary, Verifier: canary, ReturnTo: "/x"},
	)
	out := buf.String()
	assert.NotContains(t, out, canary)
	assert.Contains(t, out, "visible")
	assert.Contains(t, out, "u1")
	assert.Contains(t, out, "/x")
}

func TestRedactAsReplaceAttr(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: Redact}))
	log.Info("m", "refresh_token", canary, slog.Group("req", "otp", canary), "url", &url.URL{Scheme: "http", Host: "127.0.0.1", Path: "/cb", RawQuery: "code=" + canary})
	assert.NotContains(t, buf.String(), canary)
	assert.Contains(t, buf.String(), "http://127.0.0.1/cb")
}

func TestSafeErrorDropsURLQueriesAndTokenBodies(t *testing.T) {
	ue := &url.Error{Op: "Get", URL: "http://user:" + canary + "@127.0.0.1/x?access_token=" + canary, Err: errors.New("connection refused")}
	assert.Equal(t, "Get http://127.0.0.1/x: connection refused", SafeError(fmt.Errorf("wrapped: %w", ue)))

	re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 500}, Body: []byte(`{"refresh_token":"` + canary + `"}`)}
	assert.Contains(t, re.Error(), canary, "precondition: x/oauth2 prints the body")
	assert.Equal(t, "token endpoint answered 500", SafeError(re))
	re.ErrorCode = "invalid_grant"
	assert.Equal(t, "token endpoint answered 500 invalid_grant", SafeError(re))

	var buf bytes.Buffer
	slog.New(NewRedactHandler(slog.NewJSONHandler(&buf, nil))).Warn("m", "error", ue, "err", re)
	assert.NotContains(t, buf.String(), canary)
	assert.Empty(t, SafeError(nil))
}

func TestProviderTokensNeverPrintSecrets(t *testing.T) {
	p := ProviderTokens{AccessToken: canary, RefreshToken: canary, UserID: "u1", Expiry: time.Unix(0, 0)}
	pa := PendingAuthorization{State: canary, Verifier: canary}
	for _, s := range []string{
		fmt.Sprint(p), fmt.Sprintf("%v %+v %#v %s", p, p, p, p), fmt.Sprintf("%v %+v %#v", &p, &p, &p),
		fmt.Sprintf("%v %+v %#v", pa, &pa, pa),
	} {
		assert.NotContains(t, s, canary)
	}
}

func TestFlowsWrapsItsLogger(t *testing.T) {
	var buf bytes.Buffer
	f, err := NewFlows(FlowsConfig{
		ClientID: "c", TokenURL: "http://127.0.0.1:1/token", ProviderURL: "http://127.0.0.1:1",
		Sessions: &Sessions{Store: NewMemoryStore(0)}, Logger: slog.New(slog.NewJSONHandler(&buf, nil)),
	})
	assert.NoError(t, err)
	f.log.Info("m", "access_token", canary)
	assert.NotContains(t, buf.String(), canary)
}

func TestNewFlowsChecksConfig(t *testing.T) {
	ok := FlowsConfig{
		ClientID: "c", TokenURL: "http://127.0.0.1:1/token", ProviderURL: "http://127.0.0.1:1",
		AuthURL: "http://127.0.0.1:1/auth", RedirectURL: "http://127.0.0.1:2/auth/callback",
		Sessions: &Sessions{Store: NewMemoryStore(0)},
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
		"no store":          func(c *FlowsConfig) { c.Sessions = &Sessions{} },
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
