package server

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two instances on one Redis and one sandbox behave as one: a session
// made on A works on B, and an instance restarted mid-way keeps its users
// signed in.
func TestClusterSessionWorksOnEveryInstance(t *testing.T) {
	c := newCluster(t)
	a, b := c.instance(), c.instance()
	alice := newBrowser(t)
	alice.signIn(c, a, "alice")

	r := alice.call(b, http.MethodGet, "/api/me", "")
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.Contains(t, r.body, `"connected":true`, "signed in on A, known on B")
	r = alice.call(b, http.MethodGet, "/api/accounts", "")
	assert.Equal(t, http.StatusOK, r.status, r.body)

	require.NoError(t, a.Close())
	a2 := c.instance()
	r = alice.call(a2, http.MethodGet, "/api/accounts", "")
	assert.Equal(t, http.StatusOK, r.status, "a restarted instance keeps its users signed in: %s", r.body)
}

// 50 concurrent calls that all need a refresh, split across two
// instances, make exactly one refresh at the provider, and the provider
// sees no reuse of a spent refresh token.
func TestClusterRefreshOnceAcrossInstances(t *testing.T) {
	c := newCluster(t)
	a, b := c.instance(), c.instance()
	alice := newBrowser(t)
	alice.signIn(c, a, "alice")
	require.Equal(t, http.StatusOK, alice.call(b, http.MethodGet, "/api/accounts", "").status)

	// The provider's clock passes the access token's expiry; the dev
	// servers still think it fresh, so each call meets a 401 and renews.
	c.clock.Advance(time.Hour + time.Minute)
	before := c.refreshs.Load()
	var wg sync.WaitGroup
	statuses := make([]int, 50)
	for i := range statuses {
		srv := []*Server{a, b}[i%2]
		wg.Go(func() {
			r := alice.call(srv, http.MethodGet, "/api/accounts", "")
			statuses[i] = r.status
		})
	}
	wg.Wait()
	for i, s := range statuses {
		assert.Equal(t, http.StatusOK, s, "call %d", i)
	}
	assert.Equal(t, int64(1), c.refreshs.Load()-before, "one refresh for 50 calls on two instances")
	assert.NotContains(t, c.sbxLogs.String(), "reused", "the provider detected no refresh-token reuse")
}

// With Redis stopped, calls get a clear 503 within their timeout and
// /readyz fails; when Redis is back, the same users are still signed in.
// It runs beside the package's other waiting test (TestSlowlorisIsDisconnected):
// most of its time is calls waiting for a Redis that is down, on a
// cluster and a redis-server of its own.
func TestClusterStoreOutage(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a := c.instance()
	alice := newBrowser(t)
	alice.signIn(c, a, "alice")

	c.redis.Stop()
	for _, path := range []string{"/api/accounts", "/api/me"} {
		start := time.Now()
		r := alice.call(a, http.MethodGet, path, "")
		assert.Equal(t, http.StatusServiceUnavailable, r.status, "%s: %s", path, r.body)
		assert.Equal(t, "session_store_unavailable", r.code(t), path)
		assert.Contains(t, r.body, "session store cannot be reached")
		assert.NotEmpty(t, r.header.Get("Retry-After"))
		assert.Less(t, time.Since(start), 10*time.Second, "%s does not hang", path)
	}
	r := alice.call(a, http.MethodPost, "/api/checkout-token", `{"invoice_id":"inv_1001"}`)
	assert.Equal(t, http.StatusServiceUnavailable, r.status, r.body)
	r = alice.call(a, http.MethodPost, "/api/embed-intermediary", `{"data":"e30="}`)
	assert.Equal(t, http.StatusServiceUnavailable, r.status, "the intermediary too: %s", r.body)
	r = alice.call(a, http.MethodGet, "/readyz", "")
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, "session_store_unavailable", r.code(t))
	assert.Equal(t, http.StatusOK, alice.call(a, http.MethodGet, "/healthz", "").status, "alive all the same")

	c.redis.Start()
	assert.Eventually(t, func() bool {
		return alice.call(a, http.MethodGet, "/readyz", "").status == http.StatusOK
	}, 10*time.Second, 100*time.Millisecond)
	r = alice.call(a, http.MethodGet, "/api/accounts", "")
	assert.Equal(t, http.StatusOK, r.status, "recovered, still signed in: %s", r.body)
}

// Password sign-ins are limited per user across instances: guesses split
// between A and B add up.
func TestClusterRateLimitHoldsAcrossInstances(t *testing.T) {
	c := newCluster(t)
	a, b := c.instance(), c.instance()
	mallory := newBrowser(t)
	mallory.appSignIn(a)
	for i := range 10 {
		r := mallory.call([]*Server{a, b}[i%2], http.MethodPost, "/api/login", `{"username":"alice","password":"guess"}`)
		require.Equal(t, http.StatusUnauthorized, r.status, "guess %d: %s", i+1, r.body)
	}
	r := mallory.call(b, http.MethodPost, "/api/login", `{"username":"alice","password":"guess"}`)
	assert.Equal(t, http.StatusTooManyRequests, r.status, r.body)
	assert.Equal(t, "rate_limited", r.code(t))
	assert.NotEmpty(t, r.header.Get("Retry-After"))
}
