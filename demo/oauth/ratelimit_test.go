package oauth

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var secondsRE = regexp.MustCompile(`^[1-9][0-9]*$`)

// Password sign-ins are limited per user: past the limit even the right
// password waits, the provider is not asked, and other users are not
// affected.
func TestPasswordSignInsLimitedPerUser(t *testing.T) {
	e := newFlowsEnv(t, nil)
	e.flows.limits.PasswordPerUser = 3
	for i := range 3 {
		res := e.login(t, "alice", "guess"+strconv.Itoa(i))
		require.Equal(t, http.StatusUnauthorized, res.status, res.body)
	}
	hits := e.tokenHits.Load()
	res := e.login(t, "ALICE", e.password(t, "alice"))
	require.Equal(t, http.StatusTooManyRequests, res.status, "the user name's case does not reset it: %s", res.body)
	assert.Equal(t, "rate_limited", errorCode(t, res))
	assert.Regexp(t, secondsRE, res.header.Get("Retry-After"))
	assert.Equal(t, hits, e.tokenHits.Load(), "the provider was not asked")
	assert.Equal(t, http.StatusOK, e.login(t, "bob", e.password(t, "bob")).status, "other users sign in")
}

// ... and per client address, whatever the user names.
func TestPasswordSignInsLimitedPerAddress(t *testing.T) {
	e := newFlowsEnv(t, nil)
	e.flows.limits.PasswordPerAddress = 4
	for i := range 4 {
		require.Equal(t, http.StatusUnauthorized, e.login(t, "user"+strconv.Itoa(i), "guess").status)
	}
	res := e.login(t, "alice", e.password(t, "alice"))
	assert.Equal(t, http.StatusTooManyRequests, res.status, res.body)
	assert.Regexp(t, secondsRE, res.header.Get("Retry-After"))
}

// One-time-password tries are limited by the dev server too, before the
// provider's own lock.
func TestOTPTriesLimited(t *testing.T) {
	e := newFlowsEnv(t, nil)
	e.flows.limits.OTPPerUser = 3
	require.Equal(t, http.StatusOK, e.login(t, "bob", e.password(t, "bob")).status)
	for range 3 {
		res := e.otp(t, wrongOTP(e.sbx.CurrentOTP("bob")))
		require.Equal(t, http.StatusUnauthorized, res.status, res.body)
	}
	res := e.otp(t, e.sbx.CurrentOTP("bob"))
	require.Equal(t, http.StatusTooManyRequests, res.status, "even the right code waits: %s", res.body)
	assert.Equal(t, "rate_limited", errorCode(t, res))
	assert.Regexp(t, secondsRE, res.header.Get("Retry-After"))
}
