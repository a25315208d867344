package oauth

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/session"
)

// expire moves the clock past the sandbox's one-hour access tokens.
func (e *flowsEnv) expire() { e.clock.Advance(time.Hour) }

func TestRefreshConcurrentCallsRefreshOnce(t *testing.T) {
	e := newFlowsEnv(t, nil)
	e.connectWithCode(t, "alice")
	old := e.session(t).Provider
	hits := e.tokenHits.Load()
	e.expire()

	// Hold the refresh at the provider until all 20 requests are in.
	gate := make(chan struct{})
	var release sync.Once
	open := func() { release.Do(func() { close(gate) }) }
	t.Cleanup(open) // never leave handlers blocked, even on failure
	e.refreshGate.Store(&gate)
	const n = 20
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, e.app.URL+"/api/accounts", nil)
			res, err := e.browser.Do(req)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	inFlight := assert.Eventually(t, func() bool { return e.inApp.Load() == n && e.tokenHits.Load() > hits },
		10*time.Second, time.Millisecond, "all requests in, refresh at the provider")
	open()
	wg.Wait()
	require.True(t, inFlight)

	for i, s := range statuses {
		assert.Equal(t, http.StatusOK, s, "request %d", i)
	}
	assert.Equal(t, hits+1, e.tokenHits.Load(), "exactly one refresh at the provider")
	cur := e.session(t).Provider
	assert.NotEqual(t, old.RefreshToken, cur.RefreshToken, "rotated refresh token saved")
	assert.NotEqual(t, old.AccessToken, cur.AccessToken)
	assert.True(t, cur.Expiry.After(e.clock.Now()))
	assert.NotContains(t, e.sbxLogs.String(), "reused", "the provider saw no reuse")

	// And the saved token keeps working for the next rotation.
	e.expire()
	assert.Equal(t, http.StatusOK, e.get(t, "/api/accounts").status)
	assert.Equal(t, hits+2, e.tokenHits.Load())
}

// stealRefresh uses the session's refresh token behind the dev server's
// back, as an attacker holding a copy would: the provider rotates it, so
// the dev server's next refresh presents a spent token.
func (e *flowsEnv) stealRefresh(t *testing.T) {
	t.Helper()
	id, secret := e.sbx.ClientCredentials()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.session(t).Provider.RefreshToken}}
	req, err := http.NewRequest(http.MethodPost, e.sbxSrv.URL+"/auth/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
}

func TestRefreshInvalidGrantEndsProviderSession(t *testing.T) {
	e := newFlowsEnv(t, nil)
	e.connectWithCode(t, "alice")
	e.stealRefresh(t)
	e.expire()
	res := e.get(t, "/api/accounts")
	assert.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, "reauth_required", errorCode(t, res))
	assert.Contains(t, e.sbxLogs.String(), "refresh token reused", "the provider detected the reuse and revoked the family")

	s := e.session(t)
	assert.Nil(t, s.Provider, "provider part of the session ended")
	assert.Equal(t, "demo-user", s.User, "the rest of the session stays")
	assert.Equal(t, false, e.get(t, "/api/me").json(t)["connected"])
	res = e.get(t, "/api/accounts")
	assert.Equal(t, "reauth_required", errorCode(t, res))
}

func TestRefresh5xxKeepsTokens(t *testing.T) {
	e := newFlowsEnv(t, nil)
	e.connectWithCode(t, "alice")
	old := e.session(t).Provider
	e.expire()
	e.tokenDown.Store(true)
	res := e.get(t, "/api/accounts")
	assert.Equal(t, http.StatusBadGateway, res.status)
	assert.Equal(t, "upstream_unavailable", errorCode(t, res))
	assert.Equal(t, old, e.session(t).Provider, "tokens kept as they were")

	e.tokenDown.Store(false)
	res = e.get(t, "/api/accounts")
	assert.Equal(t, http.StatusOK, res.status, res.body)
	assert.NotEqual(t, old.RefreshToken, e.session(t).Provider.RefreshToken)
}

func TestRefreshAfterProvider401(t *testing.T) {
	e := newFlowsEnv(t, nil)
	e.connectWithCode(t, "alice")
	hits := e.tokenHits.Load()
	s := e.session(t)
	// Fresh by the clock, but the provider no longer knows it.
	require.NoError(t, e.store.Update(context.Background(), s.ID, func(s *session.Session) error {
		c := *s.Provider
		c.AccessToken = "sbx_at_forgotten"
		s.Provider = &c
		return nil
	}))
	res := e.get(t, "/api/me")
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, true, res.json(t)["connected"])
	assert.Equal(t, hits+1, e.tokenHits.Load())
}

func TestAccessTokenWithoutRefreshToken(t *testing.T) {
	e := newFlowsEnv(t, nil)
	e.connectWithCode(t, "alice")
	s := e.session(t)
	require.NoError(t, e.store.Update(context.Background(), s.ID, func(s *session.Session) error {
		c := *s.Provider
		c.RefreshToken = ""
		s.Provider = &c
		return nil
	}))
	e.expire()
	hits := e.tokenHits.Load()
	res := e.get(t, "/api/me")
	assert.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, "reauth_required", errorCode(t, res))
	assert.Equal(t, hits, e.tokenHits.Load())
}

func TestMeNotConnected(t *testing.T) {
	e := newFlowsEnv(t, nil)
	res := e.get(t, "/api/me")
	assert.Equal(t, http.StatusOK, res.status)
	assert.JSONEq(t, `{"connected":false}`, res.body)
	res = e.get(t, "/api/accounts")
	assert.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, "reauth_required", errorCode(t, res))
}
