package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// "Connect with the provider" as bob, who has two-factor authentication,
// on the provider's own pages: one wrong password first (the retry posts
// to the consent endpoint again, not to a relative path that 404s), then
// his password, then the one-time password the provider's page asks for,
// read from the sandbox's inbox as a person would. The password alone
// must not connect him.
func TestOAuthCodeFlowRetryThenTwoFactor(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	bob := e.demoUser("bob")
	const wrong = "not-bobs-password-51f0"
	consent := e.srv.ProviderURL + "/auth/consent"

	e.run(chromedp.Click("#oauth-start", chromedp.ByID), chromedp.WaitVisible("#approve", chromedp.ByID))
	e.fill(map[string]string{"username": bob.Username, "password": wrong})
	e.run(chromedp.Click("#approve", chromedp.ByID), chromedp.WaitVisible("#problem", chromedp.ByID))
	e.requireOnProviderPage(consent)

	e.fill(map[string]string{"username": bob.Username, "password": bob.Password})
	// Wait for either outcome, so that a flow that skips the code fails
	// at once rather than at the tab's timeout.
	var next string
	e.run(chromedp.Click("#approve", chromedp.ByID), chromedp.WaitVisible("#otp, #account-connected", chromedp.ByQuery))
	e.eval(`document.getElementById("otp") ? "otp" : "connected without a code, at " + location.href`, &next)
	require.Equal(t, "otp", next, "the password alone must not complete the sign-in: the provider asks for the code")
	e.requireOnProviderPage(consent)
	require.Empty(t, e.net.sent("/auth/callback"))

	otp := e.inboxOTP(bob.Username)
	e.fill(map[string]string{"otp": otp})
	var name string
	e.run(
		chromedp.Click("#approve", chromedp.ByID),
		chromedp.WaitVisible(`body[data-ready="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#account-connected", chromedp.ByID),
		chromedp.Text("#account-name", &name, chromedp.ByID),
	)
	require.NotEmpty(t, name)

	require.Len(t, e.net.sent(consent), 3, "the wrong password, the password, the code: each posted to the consent endpoint")
	require.Empty(t, e.net.sent("/auth/auth/"), "no retry went to a doubled path")
	var urls []string
	for _, r := range e.net.sent("") {
		urls = append(urls, r.URL)
	}
	e.assertAbsent("request URLs", strings.Join(urls, "\n"), bob.Password, wrong, otp)
	e.assertNoProviderSecrets(bob.Password, wrong, otp)
	e.assertAbsent("server logs", e.logs.String(), bob.Password, wrong)
}

// requireOnProviderPage checks that the tab shows the provider's page at
// url and that the page loaded (a retry that posts to a wrong path is a
// 404), and that its form posts back to url.
func (e *env) requireOnProviderPage(url string) {
	e.t.Helper()
	var at, action string
	var status int
	e.run(chromedp.Location(&at))
	require.Equal(e.t, url, at)
	e.eval(`performance.getEntriesByType("navigation")[0].responseStatus`, &status)
	require.NotEqual(e.t, 404, status, "the provider's page at %s", at)
	require.Less(e.t, status, 500)
	// Resolved by hand: the form's "action" property is shadowed by its
	// buttons, named "action".
	e.eval(`new URL(document.querySelector("form").getAttribute("action"), location.href).href`, &action)
	require.Equal(e.t, url, action, "the form posts to the consent endpoint")
}

// inboxOTP opens the sandbox inbox in a second tab, as a person would, and
// reads user's current one-time password from it.
func (e *env) inboxOTP(user string) string {
	e.t.Helper()
	inbox, cancel := chromedp.NewContext(e.tab)
	defer cancel()
	var otp string
	require.NoError(e.t, chromedp.Run(inbox,
		chromedp.Navigate(e.srv.ProviderURL+"/inbox"),
		chromedp.Text("#otp-"+user, &otp, chromedp.ByID),
	))
	require.Regexp(e.t, `^\d{6}$`, otp)
	return otp
}
