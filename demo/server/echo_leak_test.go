package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/oauth"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// echoEnv is a dev server in front of an echoProvider, with all of its
// output captured: its configured logger, slog's default logger (and so
// package log) and the process's stderr.
type echoEnv struct {
	*env
	p              *echoProvider
	deflt, stderr  *syncBuffer
	stopStderr     func()
	restoreDefault func()
}

func newEchoEnv(t *testing.T, opts ...func(*Config)) *echoEnv {
	p := newEchoProvider(t)
	e := &echoEnv{p: p, deflt: &syncBuffer{}, stderr: &syncBuffer{}}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(e.deflt, &slog.HandlerOptions{Level: slog.LevelDebug})))
	e.restoreDefault = func() { slog.SetDefault(prev) }
	e.captureStderr(t)

	logs := &syncBuffer{}
	cfg := Config{
		Addr: "127.0.0.1:0", DistDir: distDir(t), ProviderURL: p.srv.URL,
		ClientID: echoClientID, ClientSecret: echoClientSecret,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OAuth: &oauth.FlowsConfig{
			ClientID: echoClientID, ClientSecret: echoClientSecret,
			AuthURL: p.srv.URL + "/authorize", TokenURL: p.srv.URL + "/auth/token", ProviderURL: p.srv.URL,
			RedirectURL: "http://127.0.0.1:1/auth/callback",
			Limits:      oauth.RateLimits{PasswordPerUser: 1000, PasswordPerAddress: 1000, OTPPerUser: 1000, OTPPerAddress: 1000},
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := Start(cfg)
	require.NoError(t, err)
	e.env = &env{t: t, srv: srv, logs: logs, hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	return e
}

// captureStderr points os.Stderr at a pipe until close: whatever the
// server prints there (fmt.Fprintln(os.Stderr), a default logger) is kept.
func (e *echoEnv) captureStderr(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	orig := os.Stderr
	os.Stderr = w
	done := make(chan struct{})
	go func() { _, _ = io.Copy(e.stderr, r); close(done) }()
	e.stopStderr = func() { os.Stderr = orig; w.Close(); <-done; r.Close() }
}

// close stops the server and checks every canary against every log line,
// stderr line and answer.
func (e *echoEnv) close() {
	t := e.t
	e.hc.CloseIdleConnections()
	assert.NoError(t, e.srv.Close())
	e.stopStderr()
	e.restoreDefault()
	outputs := map[string]string{"server log": e.logs.String(), "slog default": e.deflt.String(), "stderr": e.stderr.String()}
	for _, c := range e.p.canaries() {
		for where, text := range outputs {
			assert.NotContains(t, text, c, "a secret reached the %s", where)
		}
		for _, r := range e.responses {
			assert.NotContains(t, string(r.body), c, "a secret reached the answer to %s", r.what)
			for name, vs := range r.header {
				assert.NotContains(t, strings.Join(vs, "\n"), c, "a secret reached header %s of %s", name, r.what)
			}
		}
	}
	require.NotEmpty(t, e.logs.String(), "the scenarios were logged")
}

// do sends req and records the answer for the canary check. Unlike
// env.do it does not check the page's headers: the callback's error page
// has its own, stricter policy.
func (e *echoEnv) do(req *http.Request) (*http.Response, []byte) {
	res, err := e.hc.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	e.responses = append(e.responses, recorded{what: req.Method + " " + req.URL.String(), header: res.Header.Clone(), body: body})
	return res, body
}

func (e *echoEnv) call(method, path string, cookie *http.Cookie, body string) (*http.Response, []byte) {
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	require.NoError(e.t, err)
	e.sameOrigin(req, cookie)
	return e.do(req)
}

// login signs the session in by the password grant (the token endpoint
// answering), so that the session holds the canary tokens, and returns
// the session's new cookie (signing in rotates the id).
func (e *echoEnv) login(cookie *http.Cookie) *http.Cookie {
	res, body := e.call(http.MethodPost, "/api/login", cookie, `{"username":"alice","password":"`+echoPassword+`"}`)
	require.Equal(e.t, http.StatusOK, res.StatusCode, "%s", body)
	for _, c := range res.Cookies() {
		if c.Name == cookie.Name {
			return c
		}
	}
	e.t.Fatal("signing in set no new session cookie")
	return nil
}

// authorizationCode runs /auth/start and comes back to /auth/callback with
// the canary code (and, given, an error parameter).
func (e *echoEnv) authorizationCode(cookie *http.Cookie, errParam string) {
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/auth/start", nil)
	req.AddCookie(cookie)
	res, _ := e.do(req)
	require.Equal(e.t, http.StatusFound, res.StatusCode)
	loc, err := url.Parse(res.Header.Get("Location"))
	require.NoError(e.t, err)
	q := url.Values{"code": {echoCode}, "state": {loc.Query().Get("state")}}
	if errParam != "" {
		q = url.Values{"error": {errParam}, "error_description": {errParam}, "state": {loc.Query().Get("state")}}
	}
	req, _ = http.NewRequest(http.MethodGet, e.srv.URL+"/auth/callback?"+q.Encode(), nil)
	req.AddCookie(cookie)
	e.do(req)
}

func intermediaryBody(t *testing.T) string {
	d, err := descriptor.Encode(descriptor.Request{Method: http.MethodGet, Path: "/v2/sepa/beneficiaries"})
	require.NoError(t, err)
	b, _ := json.Marshal(map[string]string{"data": d})
	return string(b)
}

// TestTokenEndpointEchoLeaksNothing drives every server path that fetches
// a token (client credentials for the intermediary, the checkout minter
// and the connections forwarder; the password grant; the code exchange;
// refresh) against a token endpoint that fails echoing the whole request
// in every way. No secret reaches any log or answer, and each failing
// fetch is one request, authenticated by HTTP Basic with no secret in
// the body.
func TestTokenEndpointEchoLeaksNothing(t *testing.T) {
	e := newEchoEnv(t)
	defer e.close()
	paths := []struct {
		name, grant string
		run         func(cookie *http.Cookie)
	}{
		{"intermediary", "client_credentials", func(c *http.Cookie) { e.call(http.MethodPost, "/api/embed-intermediary", c, intermediaryBody(t)) }},
		{"checkout minter", "client_credentials", func(c *http.Cookie) {
			e.call(http.MethodPost, "/api/checkout-token", c, `{"invoice_id":"inv_1001"}`)
		}},
		{"connections forwarder", "client_credentials", func(c *http.Cookie) {
			e.call(http.MethodPost, "/api/connections", c, `{"id_connector":1}`)
		}},
		{"password grant", "password", func(c *http.Cookie) {
			e.call(http.MethodPost, "/api/login", c, `{"username":"alice","password":"`+echoPassword+`"}`)
		}},
		{"code exchange", "authorization_code", func(c *http.Cookie) { e.authorizationCode(c, "") }},
		{"refresh", "refresh_token", func(c *http.Cookie) {
			e.call(http.MethodGet, "/api/me", e.login(c), "")
		}},
	}
	for _, way := range tokenEchoWays {
		for _, path := range paths {
			e.p.set(way, false, path.grant)
			path.run(e.session())
			failed := e.p.failedTokenRequests()
			if assert.Len(t, failed, 1, "%s, %s: one token request, no retry in another auth style", path.name, way.name) {
				r := failed[0]
				assert.Equal(t, "Basic "+echoBasic, r.basic, "%s: HTTP Basic", path.name)
				assert.False(t, r.formSecret, "%s: no client_secret in the body", path.name)
			}
		}
	}
}

// TestProviderEchoNeverReachesThePage: with the token endpoint answering,
// every provider API the server calls fails echoing the request (the
// session's access token included) in every way, on every route, and the
// OAuth callback gets an echoed error parameter: no secret reaches the
// page or a log line.
func TestProviderEchoNeverReachesThePage(t *testing.T) {
	e := newEchoEnv(t)
	defer e.close()
	routes := []struct {
		name string
		run  func(cookie *http.Cookie)
	}{
		{"password sign-in", func(c *http.Cookie) {
			e.call(http.MethodPost, "/api/login", c, `{"username":"alice","password":"`+echoPassword+`"}`)
		}},
		{"one-time password", func(c *http.Cookie) {
			e.p.mu.Lock()
			e.p.failResources = false
			e.p.mu.Unlock()
			c = e.login(c)
			e.p.mu.Lock()
			e.p.failResources = true
			e.p.mu.Unlock()
			e.call(http.MethodPost, "/api/login/otp", c, `{"token":"`+echoOTP+`"}`)
		}},
		{"me", func(c *http.Cookie) { e.call(http.MethodGet, "/api/me", c, "") }},
		{"intermediary", func(c *http.Cookie) { e.call(http.MethodPost, "/api/embed-intermediary", c, intermediaryBody(t)) }},
		{"accounts", func(c *http.Cookie) { e.call(http.MethodGet, "/api/accounts", c, "") }},
		{"checkout minter", func(c *http.Cookie) { e.call(http.MethodPost, "/api/checkout-token", c, `{"invoice_id":"inv_1001"}`) }},
		{"connections forwarder", func(c *http.Cookie) { e.call(http.MethodPost, "/api/connections", c, `{"id_connector":1}`) }},
		{"code exchange", func(c *http.Cookie) { e.authorizationCode(c, "") }},
	}
	for _, way := range resourceEchoWays {
		for _, route := range routes {
			e.p.set(way, true)
			cookie := e.session()
			if route.name == "me" || route.name == "accounts" {
				e.p.set(way, false)
				cookie = e.login(cookie)
				e.p.set(way, true)
			}
			route.run(cookie)
		}
	}
	// The callback's error parameter is the provider's (or anyone's) text.
	for _, echoed := range []string{echoAccessToken, "invalid_request " + echoClientSecret, "<b>" + echoPassword + "</b>"} {
		e.authorizationCode(e.session(), echoed)
	}
}

// TestAuthStyleBodyIsHonoured: with SEALBRIDGE_AUTH_STYLE=body every
// grant sends the secret in the form and no Authorization header, once.
func TestAuthStyleBodyIsHonoured(t *testing.T) {
	e := newEchoEnv(t, func(c *Config) {
		c.AuthStyle = oauth2.AuthStyleInParams
		c.OAuth.AuthStyle = 0 // as FromEnv leaves it for the server to fill in
	})
	defer e.close()
	for grant, run := range map[string]func(*http.Cookie){
		"client_credentials": func(c *http.Cookie) { e.call(http.MethodPost, "/api/checkout-token", c, `{"invoice_id":"inv_1001"}`) },
		"password": func(c *http.Cookie) {
			e.call(http.MethodPost, "/api/login", c, `{"username":"alice","password":"`+echoPassword+`"}`)
		},
	} {
		e.p.set(tokenEchoWays[0], false, grant)
		run(e.session())
		failed := e.p.failedTokenRequests()
		if assert.Len(t, failed, 1, grant) {
			assert.Empty(t, failed[0].basic, grant)
			assert.True(t, failed[0].formSecret && failed[0].formClient, grant)
		}
	}
}
