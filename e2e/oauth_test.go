package e2e

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/server"
)

// tokenPrefixes mark every secret the sandbox issues: access and refresh
// tokens and the client secret. None may reach the page.
var tokenPrefixes = []string{"sbx_at_", "sbx_rt_", "sbx_cs_"}

// testClock is the sandbox's clock: real time plus an offset the test moves.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func (e *env) demoUser(name string) sandbox.DemoUser {
	e.t.Helper()
	u, ok := e.srv.Sandbox.DemoUser(name)
	require.True(e.t, ok, "no sandbox user %q", name)
	return u
}

// accountState reads the account panel's answers as the page sees them.
func (e *env) accountResponses() string {
	var s string
	e.eval(`(async () => {
		const h = { headers: { "X-Sealbridge-Request": "1" } };
		const me = await (await fetch("/api/me", h)).text();
		const accounts = await (await fetch("/api/accounts", h)).text();
		return me + "\n" + accounts;
	})()`, &s)
	return s
}

func (e *env) assertNoProviderSecrets(extra ...string) {
	e.t.Helper()
	state := e.pageState() + "\n" + e.accountResponses()
	for _, p := range tokenPrefixes {
		require.NotContains(e.t, state, p, "a provider secret reached the page")
	}
	_, secret := e.srv.Sandbox.ClientCredentials()
	e.assertAbsent("page state and responses", state, append(extra, secret)...)
}

func TestOAuthCodeFlowWithPKCE(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	alice := e.demoUser("alice")
	var name string
	e.run(
		chromedp.Click("#oauth-start", chromedp.ByID),
		chromedp.WaitVisible("#approve", chromedp.ByID),
	)
	var consentURL string
	e.run(chromedp.Location(&consentURL))
	require.True(t, strings.HasPrefix(consentURL, e.srv.ProviderURL), "redirected to the provider: %s", consentURL)
	require.Contains(t, consentURL, "code_challenge_method=S256")
	require.NotContains(t, consentURL, "code_verifier")
	e.fill(map[string]string{"username": alice.Username, "password": alice.Password})
	e.run(
		chromedp.Click("#approve", chromedp.ByID),
		chromedp.WaitVisible(`body[data-ready="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#account-connected", chromedp.ByID),
		chromedp.Text("#account-name", &name, chromedp.ByID),
	)
	require.NotEmpty(t, name)
	e.assertNoProviderSecrets(alice.Password)
	e.assertAbsent("server logs", e.logs.String(), alice.Password)
	for _, p := range tokenPrefixes {
		require.NotContains(t, e.logs.String(), p, "a provider secret reached the logs")
	}
}

func TestOAuthBadStateNeverReachesTokenEndpoint(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	// Start a real attempt, so the session holds a pending state.
	e.run(chromedp.Click("#oauth-start", chromedp.ByID), chromedp.WaitVisible("#approve", chromedp.ByID))
	for _, query := range []string{"?code=abc", "?code=abc&state=tampered", "?code=abc&state="} {
		var status int
		e.run(chromedp.Navigate(e.srv.URL + "/auth/callback" + query))
		e.eval(`performance.getEntriesByType("navigation")[0].responseStatus`, &status)
		require.Equal(t, 400, status, "callback%s", query)
	}
	require.Zero(t, e.srv.Sandbox.TokenRequests(), "the token endpoint is never called on a bad state")
}

func TestOAuthReplayedCallbackFailsCleanly(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	alice := e.demoUser("alice")
	e.run(chromedp.Click("#oauth-start", chromedp.ByID), chromedp.WaitVisible("#approve", chromedp.ByID))
	e.fill(map[string]string{"username": alice.Username, "password": alice.Password})
	e.run(chromedp.Click("#approve", chromedp.ByID), chromedp.WaitVisible("#account-connected", chromedp.ByID))
	callbacks := e.net.sent("/auth/callback?")
	require.Len(t, callbacks, 1)
	before := e.srv.Sandbox.TokenRequests()

	var status int
	e.run(chromedp.Navigate(callbacks[0].URL))
	e.eval(`performance.getEntriesByType("navigation")[0].responseStatus`, &status)
	require.Equal(t, 400, status, "a replayed code and state are refused")
	require.Equal(t, before, e.srv.Sandbox.TokenRequests(), "state is single use: the replay never reaches the token endpoint")
}

func TestPasswordGrantWithOTPAndExpiry(t *testing.T) {
	clock := &testClock{}
	e := newEnv(t, func(c *server.Config) { c.Sandbox.Now = clock.Now })
	e.open("/")
	bob := e.demoUser("bob")

	e.fill(map[string]string{"login-username": bob.Username, "login-password": bob.Password})
	e.run(chromedp.Click("#login-submit", chromedp.ByID), chromedp.WaitVisible("#otp-form", chromedp.ByID))
	otp := e.srv.Sandbox.CurrentOTP("bob")
	e.fill(map[string]string{"otp-code": otp})
	var name string
	e.run(
		chromedp.Click("#otp-submit", chromedp.ByID),
		chromedp.WaitVisible("#account-connected", chromedp.ByID),
		chromedp.Text("#account-name", &name, chromedp.ByID),
	)
	require.NotEmpty(t, name)
	e.run(chromedp.Click("#accounts-load", chromedp.ByID))
	require.Contains(t, e.waitStatusFor("account-status", "loaded."), "ok: ")

	// The 2FA window (10 minutes by default) runs out: the provider says
	// RESTRICTED again and the page asks for a new code.
	clock.Advance(11 * time.Minute)
	e.run(chromedp.Click("#accounts-load", chromedp.ByID), chromedp.WaitVisible("#otp-form", chromedp.ByID))
	otp2 := e.srv.Sandbox.CurrentOTP("bob")
	require.NotEqual(t, otp, otp2)
	e.fill(map[string]string{"otp-code": otp2})
	e.run(chromedp.Click("#otp-submit", chromedp.ByID), chromedp.WaitVisible("#account-connected", chromedp.ByID))
	e.run(chromedp.Click("#accounts-load", chromedp.ByID))
	require.Contains(t, e.waitStatusFor("account-status", "loaded."), "ok: ")

	e.assertNoProviderSecrets(bob.Password, otp, otp2)
	e.assertAbsent("server logs", e.logs.String(), bob.Password)
	for _, p := range tokenPrefixes {
		require.NotContains(t, e.logs.String(), p)
	}
}
