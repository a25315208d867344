package oauth

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoSecretReachesLogsOrBrowser runs every flow, the failures included,
// then looks for each secret the server side handled (access and refresh
// tokens, the client secret, the users' passwords, the OTPs, the PKCE
// verifiers) in every log line of the dev server and the sandbox, and in
// every response (headers and body) the browser received.
func TestNoSecretReachesLogsOrBrowser(t *testing.T) {
	e := newFlowsEnv(t, nil)
	var verifiers, otps []string

	// Authorization code, with a refresh, a declined attempt and a replay.
	do(t, e.noRedirects(), http.MethodGet, e.app.URL+"/auth/start", "", "")
	verifiers = append(verifiers, e.session(t).Pending.Verifier)
	e.connectWithCode(t, "alice")
	e.expire()
	require.Equal(t, http.StatusOK, e.get(t, "/api/accounts").status)
	page := e.get(t, "/auth/start")
	e.consent(t, e.browser, page, "", "", "deny")
	cb := e.callbackURL(t, e.browser, "alice")
	verifiers = append(verifiers, e.session(t).Pending.Verifier)
	require.Equal(t, http.StatusOK, do(t, e.browser, http.MethodGet, cb, "", "").status)
	do(t, e.browser, http.MethodGet, cb, "", "")
	e.tokenDown.Store(true)
	e.expire()
	e.get(t, "/api/me")
	e.tokenDown.Store(false)
	e.stealRefresh(t)
	e.get(t, "/api/me") // reuse detected: reauth_required
	e.postJSON(t, "/api/logout", "")

	// Password grant with 2FA, wrong attempts included.
	e.browser = e.newBrowser(t)
	e.login(t, "alice", "not-the-password")
	e.login(t, "nobody", e.password(t, "bob"))
	require.Equal(t, http.StatusOK, e.login(t, "bob", e.password(t, "bob")).status)
	e.get(t, "/api/accounts")
	wrong := wrongOTP(e.sbx.CurrentOTP("bob"))
	otps = append(otps, wrong)
	e.otp(t, wrong)
	right := e.sbx.CurrentOTP("bob")
	otps = append(otps, right)
	require.Equal(t, http.StatusOK, e.otp(t, right).status)
	e.otp(t, right)
	e.clock.Advance(2 * time.Minute)
	e.get(t, "/api/accounts")
	right = e.sbx.CurrentOTP("bob")
	otps = append(otps, right)
	require.Equal(t, http.StatusOK, e.otp(t, right).status)
	e.expire() // refresh; the 2FA window has passed too
	require.Equal(t, "mfa_required", errorCode(t, e.get(t, "/api/me")))
	require.Equal(t, http.StatusOK, e.login(t, "alice", e.password(t, "alice")).status)

	e.assertNothingLeaked(t, verifiers, otps)
}

// assertNothingLeaked hunts, in the dev server's and the sandbox's logs and
// in every response the browser got, the client secret, the users'
// passwords, every token the provider issued, the PKCE verifiers and the
// one-time passwords.
func (e *flowsEnv) assertNothingLeaked(t *testing.T, verifiers, otps []string) {
	_, secret := e.sbx.ClientCredentials()
	e.mu.Lock()
	secrets := append([]string{secret, e.password(t, "alice"), e.password(t, "bob")}, e.issued...)
	responses := strings.Join(e.responses, "\n----\n")
	e.mu.Unlock()
	secrets = append(secrets, verifiers...)
	require.Greater(t, len(e.issued), 10, "the flows issued tokens")
	appLogs, sbxLogs := e.appLogs.String(), e.sbxLogs.String()
	require.NotEmpty(t, appLogs)

	for _, s := range secrets {
		require.NotEmpty(t, s)
		assert.NotContains(t, appLogs, s, "dev server log")
		assert.NotContains(t, sbxLogs, s, "sandbox log")
		assert.NotContains(t, responses, s, "browser")
	}
	// OTPs are six digits: look for them as whole words, so that a
	// timestamp's nanoseconds do not count.
	for _, o := range otps {
		word := regexp.MustCompile(`(^|[^0-9A-Za-z_-])` + o + `($|[^0-9A-Za-z_-])`)
		assert.NotRegexp(t, word, appLogs, "dev server log")
		assert.NotRegexp(t, word, sbxLogs, "sandbox log")
		assert.NotRegexp(t, word, responses, "browser")
	}
	assert.NotContains(t, responses, "Bearer ")
}
