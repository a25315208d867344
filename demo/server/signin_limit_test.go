package server

import (
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// postSignIn signs in as the demo user without a cookie jar, as a script
// looping on POST /api/session would, from the address forwardedFor names
// ("" for none).
func postSignIn(t *testing.T, srv *Server, forwardedFor string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/session", strings.NewReader(`{"user":"demo"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(CSRFHeader, "1")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// Every sign-in makes a session that lives for hours: a loop of them from
// one address is cut off at the limit with 429 and Retry-After, before it
// can fill the store; another address is not affected. Behind a trusted
// balancer the address is the caller's, not the balancer's.
func TestSignInsPerAddressAreLimited(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} })
	for i := range signInsPerAddress {
		require.Equal(t, http.StatusOK, postSignIn(t, e.srv, "198.51.100.7").StatusCode, "sign-in %d", i+1)
	}
	res := postSignIn(t, e.srv, "198.51.100.7")
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.Positive(t, retry)
	assert.LessOrEqual(t, retry, int(signInWindow.Seconds()))
	assert.Equal(t, signInsPerAddress, storedSessions(e.srv), "the refused sign-in made no session")

	assert.Equal(t, http.StatusOK, postSignIn(t, e.srv, "198.51.100.8").StatusCode, "another caller behind the same balancer")
	assert.Equal(t, http.StatusTooManyRequests, postSignIn(t, e.srv, "203.0.113.1, 198.51.100.7").StatusCode,
		"an address the caller wrote to the left changes nothing")
}
