package scoped_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/intermediary"
	"github.com/sealbridge/sealbridge/demo/scoped"
)

func TestVerifierConfig(t *testing.T) {
	base := scoped.VerifierConfig{JWKSURL: "http://127.0.0.1:1/.well-known/jwks.json", Issuer: "i", Audience: "a"}
	for name, mutate := range map[string]func(*scoped.VerifierConfig){
		"no url":       func(c *scoped.VerifierConfig) { c.JWKSURL = "" },
		"relative url": func(c *scoped.VerifierConfig) { c.JWKSURL = "/.well-known/jwks.json" },
		"ftp url":      func(c *scoped.VerifierConfig) { c.JWKSURL = "ftp://127.0.0.1/jwks" },
		"userinfo":     func(c *scoped.VerifierConfig) { c.JWKSURL = "http://u:p@127.0.0.1/jwks" },
		"no issuer":    func(c *scoped.VerifierConfig) { c.Issuer = "" },
		"no audience":  func(c *scoped.VerifierConfig) { c.Audience = "" },
		"long leeway":  func(c *scoped.VerifierConfig) { c.Leeway = 61 * time.Second },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := base
			mutate(&cfg)
			_, err := scoped.NewVerifier(cfg)
			require.Error(t, err)
		})
	}
	cfg := base
	cfg.Leeway = 60 * time.Second
	v, err := scoped.NewVerifier(cfg)
	require.NoError(t, err)
	assert.Equal(t, 60*time.Second, scoped.LeewayOf(v))
	cfg.Leeway = 0
	v, err = scoped.NewVerifier(cfg)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, scoped.LeewayOf(v))
	cfg.Leeway = -1
	v, err = scoped.NewVerifier(cfg)
	require.NoError(t, err)
	assert.Equal(t, time.Duration(0), scoped.LeewayOf(v))
}

func TestScopedVerifyRequest(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	tok := e.mint(t)
	req := func(auth ...string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/api/proxy", nil)
		for _, a := range auth {
			r.Header.Add("Authorization", a)
		}
		return r
	}
	assert.NoError(t, v.VerifyRequest(req()), "no header: a session-only call")
	assert.NoError(t, v.VerifyRequest(req("Bearer "+tok)))
	assert.NoError(t, v.VerifyRequest(req("bearer "+tok)), "the scheme is case-insensitive")
	assert.NoError(t, v.VerifyRequest(req("Basic dTpw")), "not a bearer token: no scoped token to check")
	requireInvalidToken(t, v.VerifyRequest(req("Bearer x")))
	requireInvalidToken(t, v.VerifyRequest(req("Bearer ")))
	requireInvalidToken(t, v.VerifyRequest(req("Bearer "+tok, "Bearer "+tok)))

	e.clock.Advance(scopedTTL + time.Minute)
	requireInvalidToken(t, v.VerifyRequest(req("Bearer "+tok)))
}

// TestVerifierInIntermediary wires VerifyRequest as the intermediary's
// VerifyCaller: an expired token gets 401 invalid_token (the shim renews),
// an unavailable JWKS gets 403 (no renewal loop).
func TestVerifierInIntermediary(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	h, err := intermediary.New(intermediary.Config{
		ProviderURL:  e.srv.URL,
		Token:        func(context.Context) (string, error) { return "unused", nil },
		Authenticate: func(*http.Request) bool { return true },
		VerifyCaller: v.VerifyRequest,
	})
	require.NoError(t, err)
	call := func(bearer string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/proxy", strings.NewReader("not a descriptor"))
		r.Header.Set(intermediary.CSRFHeader, "1")
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	tok := e.mint(t)

	w := call(tok)
	assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, w.Code, w.Body.String())
	w = call("")
	assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, w.Code, w.Body.String())

	e.clock.Advance(scopedTTL + 31*time.Second)
	w = call(tok)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"))
	assert.Equal(t, "invalid_token", scopedEnvelopeCode(t, w))

	cold := e.verifier(t)
	h, err = intermediary.New(intermediary.Config{
		ProviderURL:  e.srv.URL,
		Token:        func(context.Context) (string, error) { return "unused", nil },
		Authenticate: func(*http.Request) bool { return true },
		VerifyCaller: cold.VerifyRequest,
	})
	require.NoError(t, err)
	e.jwksDown.Store(true)
	w = call(e.mint(t))
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Empty(t, w.Header().Get("WWW-Authenticate"))
	assert.NotEqual(t, "invalid_token", scopedEnvelopeCode(t, w))
}

// scopedEnvelopeCode reads the error code of the intermediary's answer (a
// base64 envelope, as the SDK expects).
func scopedEnvelopeCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(w.Body.String())
	require.NoError(t, err)
	var env struct {
		Body struct {
			Code string `json:"code"`
		} `json:"body"`
	}
	require.NoError(t, json.Unmarshal(raw, &env), string(raw))
	require.NotEmpty(t, env.Body.Code)
	return env.Body.Code
}
