package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/session"
)

// noRedirects is the browser without redirect following, to read Location.
func (e *flowsEnv) noRedirects() *http.Client {
	c := *e.browser
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func TestStartRedirectsWithS256AndKeepsVerifierServerSide(t *testing.T) {
	e := newFlowsEnv(t, nil)
	res := do(t, e.noRedirects(), http.MethodGet, e.app.URL+"/auth/start", "", "")
	require.Equal(t, http.StatusFound, res.status)
	loc, err := url.Parse(res.header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, e.sbxSrv.URL+"/auth", loc.Scheme+"://"+loc.Host+loc.Path)
	q := loc.Query()
	assert.Equal(t, "code", q.Get("response_type"))
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.Len(t, q.Get("code_challenge"), 43)
	assert.Equal(t, e.app.URL+"/auth/callback", q.Get("redirect_uri"))
	assert.NotContains(t, q, "code_verifier")

	state, err := base64.RawURLEncoding.DecodeString(q.Get("state"))
	require.NoError(t, err)
	assert.Len(t, state, 32, "state is 32 random bytes")

	p := e.session(t).Pending
	require.NotNil(t, p)
	assert.Equal(t, q.Get("state"), p.State)
	assert.Len(t, p.Verifier, 43)
	assert.Equal(t, oauth2.S256ChallengeFromVerifier(p.Verifier), q.Get("code_challenge"))
	assert.NotContains(t, res.header.Get("Location"), p.Verifier)

	assert.Empty(t, res.header.Values("Set-Cookie"), "the app sign-in made the session; starting keeps it")

	// A second start replaces the attempt with fresh values.
	res2 := do(t, e.noRedirects(), http.MethodGet, e.app.URL+"/auth/start", "", "")
	loc2, _ := url.Parse(res2.header.Get("Location"))
	assert.NotEqual(t, q.Get("state"), loc2.Query().Get("state"))
	assert.NotEqual(t, q.Get("code_challenge"), loc2.Query().Get("code_challenge"))
	assert.Zero(t, e.tokenHits.Load())
}

func TestFullCodeFlowShowsProfile(t *testing.T) {
	e := newFlowsEnv(t, nil)
	page := e.get(t, "/auth/start")
	before := e.sessionCookie(t)
	require.NotEmpty(t, before)
	res := e.consent(t, e.browser, page, "alice", e.password(t, "alice"), "approve")
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, "home", res.body)
	assert.Equal(t, "/", res.url.Path)
	assert.Equal(t, int64(1), e.tokenHits.Load())

	after := e.sessionCookie(t)
	assert.NotEqual(t, before, after, "new session id at login")
	_, err := e.store.Get(context.Background(), before)
	assert.ErrorIs(t, err, session.ErrNoSession, "the pre-login id is dead")

	me := e.get(t, "/api/me")
	require.Equal(t, http.StatusOK, me.status, me.body)
	m := me.json(t)
	assert.Equal(t, true, m["connected"])
	assert.Equal(t, false, m["mfaRequired"])
	user := m["user"].(map[string]any)
	assert.Equal(t, "Alice Sandbox", user["name"])
	assert.Equal(t, "alice@sandbox.test", user["email"])
	assert.NotEmpty(t, user["userId"])

	s := e.session(t)
	require.NotNil(t, s.Provider)
	assert.Nil(t, s.Pending)
	assert.Equal(t, "authorization_code", s.Provider.Grant)
	assert.Equal(t, "Alice Sandbox", s.Provider.DisplayName)
	assert.Equal(t, user["userId"], s.Provider.UserID)

	acc := e.get(t, "/api/accounts")
	require.Equal(t, http.StatusOK, acc.status, acc.body)
	assert.Contains(t, acc.body, `"accounts"`)
}

func TestStartReturnTo(t *testing.T) {
	e := newFlowsEnv(t, nil)
	page := e.get(t, "/auth/start?return_to="+url.QueryEscape("/landing?tab=2"))
	res := e.consent(t, e.browser, page, "alice", e.password(t, "alice"), "approve")
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, "landing", res.body)
	assert.Equal(t, "/landing", res.url.Path)

	page = e.get(t, "/auth/start?return_to="+url.QueryEscape("//127.0.0.2/x"))
	res = e.consent(t, e.browser, page, "alice", e.password(t, "alice"), "approve")
	assert.Equal(t, "home", res.body, "an unsafe return_to is ignored")
}

func TestSafeReturnTo(t *testing.T) {
	good := []string{"/", "/landing", "/a/b?c=d#e", "/%2F%2Fevil", "/.//evil"}
	bad := []string{
		"", "landing", "//evil.test", "///evil.test", "/\\evil.test", "\\/evil.test", "/\\/evil.test",
		"https://evil.test", "http:/evil.test", "javascript:alert(1)", "/\t/evil.test", "/\n/evil.test",
		"/\r\n//evil.test", "/ /evil.test", "/a\\b", "/\x00", "/\x7f", "/" + strings.Repeat("a", 1024),
	}
	for _, p := range good {
		assert.Equal(t, p, safeReturnTo(p), "%q", p)
	}
	for _, p := range bad {
		assert.Empty(t, safeReturnTo(p), "%q", p)
	}
}

// callbackURL runs consent without following the final redirect and
// returns the URL the provider sent the browser to.
func (e *flowsEnv) callbackURL(t *testing.T, c *http.Client, username string) string {
	t.Helper()
	nr := *c
	nr.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	start := do(t, &nr, http.MethodGet, e.app.URL+"/auth/start", "", "")
	require.Equal(t, http.StatusFound, start.status)
	page := do(t, &nr, http.MethodGet, start.header.Get("Location"), "", "")
	res := e.consent(t, &nr, page, username, e.password(t, username), "approve")
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	return res.header.Get("Location")
}

func withParam(t *testing.T, raw, k, v string) string {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	q := u.Query()
	if v == "" {
		q.Del(k)
	} else {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func TestCallbackRefusesBadStateWithoutCallingTokenEndpoint(t *testing.T) {
	cases := map[string]func(t *testing.T, e *flowsEnv, cb string) (*http.Client, string){
		"missing state": func(t *testing.T, e *flowsEnv, cb string) (*http.Client, string) {
			return e.browser, withParam(t, cb, "state", "")
		},
		"tampered state": func(t *testing.T, e *flowsEnv, cb string) (*http.Client, string) {
			st, _ := url.Parse(cb)
			s := st.Query().Get("state")
			last := "A"
			if strings.HasSuffix(s, "A") {
				last = "B"
			}
			return e.browser, withParam(t, cb, "state", s[:len(s)-1]+last)
		},
		"duplicate state": func(t *testing.T, e *flowsEnv, cb string) (*http.Client, string) {
			return e.browser, cb + "&state=x"
		},
		"other browser": func(t *testing.T, e *flowsEnv, cb string) (*http.Client, string) {
			other := e.newBrowser(t)
			do(t, other, http.MethodGet, e.app.URL+"/auth/start", "", "") // has its own pending attempt
			return other, cb
		},
		"no session at all": func(t *testing.T, e *flowsEnv, cb string) (*http.Client, string) {
			return e.newAnonymousBrowser(t), cb
		},
		"iss mismatch": func(t *testing.T, e *flowsEnv, cb string) (*http.Client, string) {
			return e.browser, withParam(t, cb, "iss", "http://127.0.0.1:9")
		},
		"iss missing when required": func(t *testing.T, e *flowsEnv, cb string) (*http.Client, string) {
			e.flows.requireIss = true
			return e.browser, withParam(t, cb, "iss", "")
		},
	}
	for name, attack := range cases {
		t.Run(name, func(t *testing.T) {
			e := newFlowsEnv(t, nil)
			cb := e.callbackURL(t, e.browser, "alice")
			c, u := attack(t, e, cb)
			res := do(t, c, http.MethodGet, u, "", "")
			assert.Equal(t, http.StatusBadRequest, res.status)
			assert.Contains(t, res.body, `id="error"`)
			assert.Zero(t, e.tokenHits.Load(), "the token endpoint is never called")

			if c != e.browser {
				// Another browser's attempt does not burn this one's state.
				res = do(t, e.browser, http.MethodGet, cb, "", "")
				assert.Equal(t, http.StatusOK, res.status)
				assert.Equal(t, int64(1), e.tokenHits.Load())
				return
			}
			// Single use: even the genuine answer is refused now.
			res = do(t, e.browser, http.MethodGet, cb, "", "")
			assert.Equal(t, http.StatusBadRequest, res.status)
			assert.Zero(t, e.tokenHits.Load())
			me := e.get(t, "/api/me")
			assert.Equal(t, false, me.json(t)["connected"])
		})
	}
}

func TestCallbackReplayAndCodeReplay(t *testing.T) {
	e := newFlowsEnv(t, nil)
	cb := e.callbackURL(t, e.browser, "alice")
	res := do(t, e.browser, http.MethodGet, cb, "", "")
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, int64(1), e.tokenHits.Load())
	require.Equal(t, true, e.get(t, "/api/me").json(t)["connected"])

	// Replaying the callback: state was single use.
	res = do(t, e.browser, http.MethodGet, cb, "", "")
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, int64(1), e.tokenHits.Load())

	// The old code under a fresh, valid state reaches the provider, which
	// says invalid_grant and revokes the first login's tokens.
	start := do(t, e.noRedirects(), http.MethodGet, e.app.URL+"/auth/start", "", "")
	loc, _ := url.Parse(start.header.Get("Location"))
	replay := withParam(t, cb, "state", loc.Query().Get("state"))
	res = do(t, e.browser, http.MethodGet, replay, "", "")
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Contains(t, res.body, "already used or has expired")
	assert.Equal(t, int64(2), e.tokenHits.Load())

	me := e.get(t, "/api/me")
	assert.Equal(t, http.StatusUnauthorized, me.status, me.body)
	assert.Equal(t, "reauth_required", errorCode(t, me))
	assert.Equal(t, false, e.get(t, "/api/me").json(t)["connected"], "provider part of the session ended")
}

func TestCallbackDeclined(t *testing.T) {
	e := newFlowsEnv(t, nil)
	page := e.get(t, "/auth/start")
	res := e.consent(t, e.browser, page, "", "", "deny")
	assert.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, res.body, "You declined")
	assert.Equal(t, "/auth/callback", res.url.Path)
	assert.Zero(t, e.tokenHits.Load())
	assert.Equal(t, false, e.get(t, "/api/me").json(t)["connected"])
}

func TestCallbackPendingExpires(t *testing.T) {
	e := newFlowsEnv(t, nil)
	cb := e.callbackURL(t, e.browser, "alice")
	e.clock.Advance(e.flows.pendingTTL + 1)
	res := do(t, e.browser, http.MethodGet, cb, "", "")
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Zero(t, e.tokenHits.Load())
}

func TestStartWithoutAuthURL(t *testing.T) {
	e := newFlowsEnv(t, nil)
	e.flows.oauth.Endpoint.AuthURL = ""
	res := e.get(t, "/auth/start")
	assert.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, "invalid_request", errorCode(t, res))
}

// Connecting a provider account belongs to a user of the app: without the
// app's session, every provider sign-in route answers 401 unauthenticated
// and stores nothing, so anonymous callers cannot fill the store.
func TestProviderSignInNeedsAppSession(t *testing.T) {
	e := newFlowsEnv(t, nil)
	anon := e.newAnonymousBrowser(t)
	login, _ := json.Marshal(map[string]string{"username": "alice", "password": e.password(t, "alice")})
	for name, r := range map[string]response{
		"GET /auth/start":       do(t, anon, http.MethodGet, e.app.URL+"/auth/start", "", ""),
		"POST /api/login":       do(t, anon, http.MethodPost, e.app.URL+"/api/login", "application/json", string(login)),
		"POST /api/login/otp":   do(t, anon, http.MethodPost, e.app.URL+"/api/login/otp", "application/json", `{"token":"123456"}`),
		"GET /api/accounts":     do(t, anon, http.MethodGet, e.app.URL+"/api/accounts", "", ""),
		"GET /auth/start again": do(t, anon, http.MethodGet, e.app.URL+"/auth/start?return_to=/x", "", ""),
	} {
		assert.Contains(t, []int{http.StatusUnauthorized}, r.status, "%s: %s", name, r.body)
		assert.Contains(t, r.body, "sign in", name)
		assert.Empty(t, r.header.Values("Set-Cookie"), "%s made a session", name)
	}
	assert.Zero(t, e.tokenHits.Load(), "the provider was not asked")
	assert.Len(t, e.store.Backend().(*session.MemoryBackend).Dump(), 1, "only the signed-in browser's session")

	// Nor do anonymous tries count against alice's sign-in limit.
	for range 12 {
		require.Equal(t, http.StatusUnauthorized, do(t, anon, http.MethodPost, e.app.URL+"/api/login", "application/json", `{"username":"alice","password":"x"}`).status)
	}
	assert.Equal(t, http.StatusOK, e.login(t, "alice", e.password(t, "alice")).status, "alice can still sign in")
}
