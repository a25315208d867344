package server

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/session"
)

// sessionCookie is the browser's session cookie for srv, or "".
func (b *browser) sessionCookie(srv *Server) string {
	u, _ := url.Parse(srv.URL)
	for _, c := range b.hc.Jar.Cookies(u) {
		if c.Name == srv.sessions.CookieName() {
			return c.Value
		}
	}
	return ""
}

// storedSessions is how many sessions the memory store holds.
func storedSessions(srv *Server) int {
	return len(srv.store.Backend().(*session.MemoryBackend).Dump())
}

// GET /api/session reads without creating; POST signs in with a fresh
// cookie; DELETE signs out, and the old cookie opens nothing.
func TestSessionRoutes(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t)
	r := b.call(e.srv, http.MethodGet, "/api/session", "")
	assert.JSONEq(t, `{"signedIn":false}`, r.body)
	assert.Empty(t, r.header.Values("Set-Cookie"))
	assert.Zero(t, storedSessions(e.srv), "asking creates nothing")

	r = b.call(e.srv, http.MethodPost, "/api/session", `{"user":"demo"}`)
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.JSONEq(t, `{"signedIn":true,"user":"demo"}`, r.body)
	first := b.sessionCookie(e.srv)
	require.NotEmpty(t, first)
	assert.JSONEq(t, `{"signedIn":true,"user":"demo"}`, b.call(e.srv, http.MethodGet, "/api/session", "").body)

	b.call(e.srv, http.MethodPost, "/api/session", `{"user":"demo"}`)
	assert.NotEqual(t, first, b.sessionCookie(e.srv), "signing in again gives a fresh id")
	assert.Equal(t, 1, storedSessions(e.srv), "and ends the previous session")

	r = b.call(e.srv, http.MethodDelete, "/api/session", "")
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.JSONEq(t, `{"signedIn":false}`, r.body)
	assert.Empty(t, b.sessionCookie(e.srv), "the cookie is cleared")
	assert.Zero(t, storedSessions(e.srv))
	assert.Equal(t, http.StatusOK, b.call(e.srv, http.MethodDelete, "/api/session", "").status, "signing out twice is fine")
}

// POST /api/session takes one strict JSON object naming a known user, and
// only from the page's own origin; anything else is refused and makes no
// session.
func TestSignInRefusals(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, contentType, body string
		crossSite               bool
		status                  int
		code                    string
	}{
		{"unknown user", "application/json", `{"user":"alice"}`, false, 400, "invalid_argument"},
		{"empty user", "application/json", `{"user":""}`, false, 400, "invalid_argument"},
		{"no user", "application/json", `{}`, false, 400, "invalid_argument"},
		{"user of another case", "application/json", `{"user":"Demo"}`, false, 400, "invalid_argument"},
		{"extra member", "application/json", `{"user":"demo","admin":true}`, false, 400, "invalid_argument"},
		{"duplicate member", "application/json", `{"user":"demo","user":"demo"}`, false, 400, "invalid_argument"},
		{"case-fold twin", "application/json", `{"user":"demo","User":"demo"}`, false, 400, "invalid_argument"},
		{"trailing data", "application/json", `{"user":"demo"}{}`, false, 400, "invalid_argument"},
		{"not an object", "application/json", `"demo"`, false, 400, "invalid_argument"},
		{"too long", "application/json", `{"user":"` + strings.Repeat("d", 2048) + `"}`, false, 400, "invalid_argument"},
		{"form post", "application/x-www-form-urlencoded", `user=demo`, false, 415, "unsupported_media_type"},
		{"cross-site", "application/json", `{"user":"demo"}`, true, 403, "csrf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, body := e.post("/api/session", []byte(c.body), func(r *http.Request) {
				e.sameOrigin(r, nil)
				r.Header.Set("Content-Type", c.contentType)
				if c.crossSite {
					r.Header.Set("Origin", "http://127.0.0.1:1")
					r.Header.Set("Sec-Fetch-Site", "cross-site")
				}
			})
			assert.Equal(t, c.status, res.StatusCode, string(body))
			assert.Equal(t, c.code, apiErr(t, res, body).Code)
			assert.Empty(t, res.Header.Values("Set-Cookie"))
		})
	}
	res, body := e.post("/api/session", []byte(`{"user":"demo"}`), func(r *http.Request) {
		e.sameOrigin(r, nil)
		r.Header.Del(CSRFHeader)
	})
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "no %s header: %s", CSRFHeader, body)
	res, body = e.do(mustRequest(t, http.MethodDelete, e.srv.URL+"/api/session"))
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "DELETE needs the CSRF header too: %s", body)
	assert.Zero(t, storedSessions(e.srv))
}

func mustRequest(t *testing.T, method, u string) *http.Request {
	req, err := http.NewRequest(method, u, nil)
	require.NoError(t, err)
	return req
}

// Every route that acts for a user answers 401 unauthenticated to a
// caller who loaded the page but did not sign in, and stores nothing.
func TestRoutesNeedSignIn(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t)
	require.Equal(t, http.StatusOK, b.call(e.srv, http.MethodGet, "/", "").status)
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/api/embed-intermediary", `{"data":"e30="}`},
		{http.MethodPost, "/api/checkout-token", `{"invoice_id":"inv_1001"}`},
		{http.MethodPost, "/api/connections", `{"id_connector":40}`},
		{http.MethodPost, "/api/login", `{"username":"alice","password":"x"}`},
		{http.MethodPost, "/api/login/otp", `{"token":"123456"}`},
		{http.MethodGet, "/api/me", ""},
		{http.MethodGet, "/api/accounts", ""},
		{http.MethodPost, "/api/logout", `{}`},
		{http.MethodGet, "/auth/start", ""},
	} {
		r := b.call(e.srv, c.method, c.path, c.body)
		assert.Equal(t, http.StatusUnauthorized, r.status, "%s %s: %s", c.method, c.path, r.body)
		body := r.body
		if c.path == "/api/embed-intermediary" {
			// The intermediary answers in a response envelope (base64 JSON).
			raw, err := base64.StdEncoding.DecodeString(body)
			require.NoError(t, err, body)
			body = string(raw)
		}
		if c.path == "/auth/start" {
			// A top-level navigation: an HTML page carries the code.
			body = strings.ReplaceAll(body, `data-code="unauthenticated"`, `"code":"unauthenticated"`)
		}
		assert.Contains(t, body, `"code":"unauthenticated"`, "%s %s", c.method, c.path)
	}
	assert.Zero(t, storedSessions(e.srv))
}

// Signing out, or signing in again over a session connected to the
// provider, revokes that provider login: its refresh token stops working.
func TestSignOutRevokesProviderLogin(t *testing.T) {
	for _, how := range []string{"DELETE /api/session", "POST /api/session again"} {
		t.Run(how, func(t *testing.T) {
			e := newEnv(t)
			b := newBrowser(t)
			b.appSignIn(e.srv)
			pw, _ := e.srv.Sandbox.DemoUser("alice")
			r := b.call(e.srv, http.MethodPost, "/api/login", `{"username":"alice","password":"`+pw.Password+`"}`)
			require.Equal(t, http.StatusOK, r.status, r.body)
			s, err := e.srv.store.Get(context.Background(), b.sessionCookie(e.srv))
			require.NoError(t, err)
			rt := s.Provider.RefreshToken
			if how == "DELETE /api/session" {
				require.Equal(t, http.StatusOK, b.call(e.srv, http.MethodDelete, "/api/session", "").status)
			} else {
				b.appSignIn(e.srv)
			}
			assert.Equal(t, http.StatusBadRequest, refreshAt(t, e.srv, rt), "revoked at the provider")
			assert.Contains(t, e.logs.String(), "provider tokens revoked")
		})
	}
}

// refreshAt presents rt at the sandbox's token endpoint, as the dev
// server would, and returns the status.
func refreshAt(t *testing.T, srv *Server, rt string) int {
	t.Helper()
	id, secret := srv.Sandbox.ClientCredentials()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	req, err := http.NewRequest(http.MethodPost, srv.ProviderURL+"/auth/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

// An anonymous flood of page loads, over real HTTP, twice as many as the
// store holds, leaves every signed-in user signed in (the app session
// alone, and one connected to the provider), and the store holds exactly
// their sessions afterwards: a page load makes no server-side state at
// all. The store holds 1,000 here rather than its default 10,000, so that
// the flood takes a second under -race rather than fifteen.
func TestAnonymousFloodLeavesSignedInUsersSignedIn(t *testing.T) {
	const maxSessions = 1000
	e := newEnv(t, func(c *Config) { c.SessionOptions.MaxSessions = maxSessions })
	users := []*browser{newBrowser(t), newBrowser(t), newBrowser(t)}
	for _, b := range users {
		b.appSignIn(e.srv)
	}
	pw, _ := e.srv.Sandbox.DemoUser("alice")
	r := users[0].call(e.srv, http.MethodPost, "/api/login", `{"username":"alice","password":"`+pw.Password+`"}`)
	require.Equal(t, http.StatusOK, r.status, r.body)

	const loads, workers = 2 * maxSessions, 8
	start := time.Now()
	var failed atomic.Int64
	var next atomic.Int64
	flood := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}} // no cookie jar: anonymous
	defer flood.CloseIdleConnections()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= loads {
				res, err := flood.Get(e.srv.URL + "/")
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK || len(res.Header.Values("Set-Cookie")) != 0 {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d anonymous page loads in %s", loads, time.Since(start).Round(time.Millisecond))
	assert.Zero(t, failed.Load(), "page loads that failed or set a cookie")

	for i, b := range users {
		r := b.call(e.srv, http.MethodGet, "/api/session", "")
		assert.JSONEq(t, `{"signedIn":true,"user":"demo"}`, r.body, "user %d", i)
		r = b.call(e.srv, http.MethodPost, "/api/checkout-token", `{"invoice_id":"inv_1001"}`)
		assert.Equal(t, http.StatusOK, r.status, "user %d can still act: %s", i, r.body)
	}
	assert.Contains(t, users[0].call(e.srv, http.MethodGet, "/api/me", "").body, `"connected":true`, "still connected to the provider")
	assert.Equal(t, len(users), storedSessions(e.srv), "the store holds only the signed-in sessions")
}
