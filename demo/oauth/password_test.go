package oauth

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/session"
)

func TestPasswordLoginWithoutTwoFactor(t *testing.T) {
	e := newFlowsEnv(t, nil)
	res := e.login(t, "alice", e.password(t, "alice"))
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.JSONEq(t, `{"isMFARequired":false,"mfaDeliveryMethods":[],"isSelfServiceUser":true,"isPasswordExpired":false}`, res.body)
	assert.Equal(t, http.StatusOK, e.get(t, "/api/accounts").status)
	me := e.get(t, "/api/me").json(t)
	assert.Equal(t, "Alice Sandbox", me["user"].(map[string]any)["name"])
	p := e.session(t).Provider
	assert.Equal(t, "password", p.Grant)
	assert.Equal(t, "alice", p.DisplayName)
	assert.False(t, p.Restricted)
}

func TestPasswordLoginWithTwoFactor(t *testing.T) {
	e := newFlowsEnv(t, nil)
	res := e.login(t, "bob", e.password(t, "bob"))
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.JSONEq(t, `{"isMFARequired":true,"mfaDeliveryMethods":["TOTP","email"],"isSelfServiceUser":true,"isPasswordExpired":false}`, res.body)
	assert.True(t, e.session(t).Provider.Restricted)

	for _, path := range []string{"/api/accounts", "/api/me"} {
		res = e.get(t, path)
		assert.Equal(t, http.StatusForbidden, res.status, path)
		assert.Equal(t, "mfa_required", errorCode(t, res))
		assert.Equal(t, msgMFARequired, res.json(t)["message"])
	}

	code := e.sbx.CurrentOTP("bob")
	res = e.otp(t, code)
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.JSONEq(t, `{"ok":true}`, res.body)
	assert.False(t, e.session(t).Provider.Restricted)
	assert.Equal(t, http.StatusOK, e.get(t, "/api/accounts").status)
	assert.Equal(t, true, e.get(t, "/api/me").json(t)["connected"])

	// The same code a second time is refused.
	res = e.otp(t, code)
	assert.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, "invalid_credentials", errorCode(t, res))

	// The provider's window (2 minutes here) runs out: a new OTP is wanted.
	e.clock.Advance(2 * time.Minute)
	res = e.get(t, "/api/accounts")
	assert.Equal(t, http.StatusForbidden, res.status)
	assert.Equal(t, "mfa_required", errorCode(t, res))
	assert.True(t, e.session(t).Provider.Restricted)

	res = e.otp(t, e.sbx.CurrentOTP("bob"))
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, http.StatusOK, e.get(t, "/api/accounts").status)
}

func wrongOTP(right string) string {
	n, _ := strconv.Atoi(right)
	return fmt.Sprintf("%06d", (n+500000)%1000000)
}

func TestOTPRateLimitPassesThrough(t *testing.T) {
	e := newFlowsEnv(t, nil)
	require.Equal(t, http.StatusOK, e.login(t, "bob", e.password(t, "bob")).status)
	for i := 0; i < 5; i++ {
		res := e.otp(t, wrongOTP(e.sbx.CurrentOTP("bob")))
		require.Equal(t, http.StatusUnauthorized, res.status, "attempt %d: %s", i+1, res.body)
		assert.Equal(t, "invalid_credentials", errorCode(t, res))
	}
	res := e.otp(t, wrongOTP(e.sbx.CurrentOTP("bob")))
	require.Equal(t, http.StatusTooManyRequests, res.status, res.body)
	assert.Equal(t, "rate_limited", errorCode(t, res))
	assert.Regexp(t, regexp.MustCompile(`^[1-9][0-9]*$`), res.header.Get("Retry-After"))

	res = e.otp(t, e.sbx.CurrentOTP("bob"))
	assert.Equal(t, http.StatusTooManyRequests, res.status, "even the right code waits")
}

func TestLoginDoesNotRevealUsers(t *testing.T) {
	e := newFlowsEnv(t, nil)
	unknown := e.login(t, "mallory", "guess")
	wrong := e.login(t, "alice", "guess")
	wrong2FA := e.login(t, "bob", "guess")
	assert.Equal(t, http.StatusUnauthorized, unknown.status)
	for _, r := range []response{wrong, wrong2FA} {
		assert.Equal(t, unknown.status, r.status)
		assert.Equal(t, unknown.body, r.body)
	}
	assert.JSONEq(t, `{"code":"invalid_credentials","message":"wrong username or password"}`, unknown.body)
	assert.Equal(t, false, e.get(t, "/api/me").json(t)["connected"])
}

func TestLoginRotatesSessionID(t *testing.T) {
	e := newFlowsEnv(t, nil)
	do(t, e.noRedirects(), http.MethodGet, e.app.URL+"/auth/start", "", "")
	before := e.sessionCookie(t)
	require.NotEmpty(t, before)
	require.Equal(t, http.StatusOK, e.login(t, "alice", e.password(t, "alice")).status)
	after := e.sessionCookie(t)
	assert.NotEqual(t, before, after)
	_, err := e.store.Get(context.Background(), before)
	assert.ErrorIs(t, err, session.ErrNoSession)
}

func TestLoginBadRequests(t *testing.T) {
	e := newFlowsEnv(t, nil)
	cases := []struct {
		name, contentType, body string
		status                  int
	}{
		{"form post", "application/x-www-form-urlencoded", "username=alice&password=x", http.StatusUnsupportedMediaType},
		{"text/plain", "text/plain", `{"username":"alice","password":"x"}`, http.StatusUnsupportedMediaType},
		{"no content type", "", `{"username":"alice","password":"x"}`, http.StatusUnsupportedMediaType},
		{"not JSON", "application/json", `username=alice`, http.StatusBadRequest},
		{"unknown field", "application/json", `{"username":"alice","password":"x","admin":true}`, http.StatusBadRequest},
		{"trailing data", "application/json", `{"username":"alice","password":"x"}{}`, http.StatusBadRequest},
		{"missing password", "application/json", `{"username":"alice"}`, http.StatusBadRequest},
		{"array", "application/json", `[]`, http.StatusBadRequest},
		{"huge", "application/json", `{"username":"` + strings.Repeat("a", 5000) + `"}`, http.StatusBadRequest},
	}
	for _, c := range cases {
		res := do(t, e.browser, http.MethodPost, e.app.URL+"/api/login", c.contentType, c.body)
		assert.Equal(t, c.status, res.status, c.name)
		assert.Equal(t, "invalid_request", errorCode(t, res), c.name)
	}
	assert.Zero(t, e.tokenHits.Load())
}

func TestOTPBadRequests(t *testing.T) {
	e := newFlowsEnv(t, nil)
	res := e.otp(t, "123456")
	assert.Equal(t, http.StatusUnauthorized, res.status, "no provider session yet")
	assert.Equal(t, "reauth_required", errorCode(t, res))

	require.Equal(t, http.StatusOK, e.login(t, "alice", e.password(t, "alice")).status)
	for _, body := range []string{`{"token":""}`, `{"token":"12 34"}`, `{"token":"<script>"}`, `{"otp":"123456"}`} {
		res = e.postJSON(t, "/api/login/otp", body)
		assert.Equal(t, http.StatusBadRequest, res.status, body)
		assert.Equal(t, "invalid_request", errorCode(t, res))
	}
	// alice has no 2FA: the provider says so, as a request error.
	res = e.otp(t, "123456")
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, "invalid_request", errorCode(t, res))
}

func TestLoginProviderDown(t *testing.T) {
	e := newFlowsEnv(t, nil)
	e.tokenDown.Store(true)
	res := e.login(t, "alice", e.password(t, "alice"))
	assert.Equal(t, http.StatusBadGateway, res.status)
	assert.Equal(t, "upstream_unavailable", errorCode(t, res))
}

func TestLogout(t *testing.T) {
	e := newFlowsEnv(t, nil)
	require.Equal(t, http.StatusOK, e.login(t, "alice", e.password(t, "alice")).status)
	id := e.sessionCookie(t)
	res := e.postJSON(t, "/api/logout", "")
	assert.Equal(t, http.StatusOK, res.status)
	assert.JSONEq(t, `{"ok":true}`, res.body)
	assert.Equal(t, id, e.sessionCookie(t), "the app session stays; only the provider account is disconnected")
	s, err := e.store.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Nil(t, s.Provider, "the provider tokens left the session")
	assert.Equal(t, false, e.get(t, "/api/me").json(t)["connected"])
	// Logging out twice is fine.
	assert.Equal(t, http.StatusOK, e.postJSON(t, "/api/logout", "").status)
}
