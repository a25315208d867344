package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The demo page as a reviewer used it: what one user leaves on screen,
// ways out of a half-done sign-in, and words that say what things do.

// Signing out with a checkout started: the scoped token is still valid at
// the provider, so the page must drop the client that holds it. No Pay
// button stays, a click on it (even by script) sends nothing, and no
// panel shows the previous user's data.
func TestDemoSignOutEndsCheckoutAndClearsPanels(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	e.run(chromedp.Click("#checkout-start", chromedp.ByID))
	require.Contains(t, e.waitStatusFor("checkout-status", "Ready to pay"), "ok: ")
	e.run(chromedp.Click("#ben-load", chromedp.ByID))
	require.Contains(t, e.waitStatus("ben-status"), "ok: ")
	require.Contains(t, e.submitConnection(typedLogin, "pw"), "Bank connected")

	e.run(chromedp.Click("#signin", chromedp.ByID), chromedp.WaitVisible(`body[data-signed-in="false"]`, chromedp.ByQuery))
	var shown map[string]bool
	e.eval(`Object.fromEntries(["checkout-pay", "checkout-claims", "ben-table", "ben-form", "sent"].map((id) => [id, !document.getElementById(id).hidden]))`, &shown)
	for id, visible := range shown {
		assert.False(t, visible, "#%s is still shown after Sign out", id)
	}
	var leftovers string
	e.eval(`["ben-rows", "sent-body", "sent-log", "claim-customer"].map((id) => document.getElementById(id).textContent).join("")
		+ [...document.querySelectorAll(".status")].map((s) => s.textContent).join("")`, &leftovers)
	for _, old := range []string{"Ready to pay", "beneficiaries.", "Bank connected", "Société Générale", "protected"} {
		assert.NotContains(t, leftovers, old, "the previous user's data is still on the page")
	}

	before := len(e.net.sent("/payments"))
	var clicked bool
	e.eval(`(document.getElementById("checkout-pay").click(), true)`, &clicked)
	time.Sleep(500 * time.Millisecond)
	assert.Equal(t, before, len(e.net.sent("/payments")), "a Pay click after Sign out sent a payment")
	assert.Zero(t, e.srv.Sandbox.Payments("inv_1001"))
}

// bob types his password, then a wrong code, then reloads: the page asks
// for the code in words that fit a sign-in that never finished, and
// Cancel abandons it (the app session stays) and offers the connect
// options again.
func TestDemoOTPCancelAfterWrongCodeAndReload(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	bob := e.demoUser("bob")
	e.fill(map[string]string{"login-username": bob.Username, "login-password": bob.Password})
	e.run(chromedp.Click("#login-submit", chromedp.ByID), chromedp.WaitVisible("#otp-form", chromedp.ByID))
	wrong := "000000"
	if e.srv.Sandbox.CurrentOTP("bob") == wrong {
		wrong = "111111"
	}
	e.fill(map[string]string{"otp-code": wrong})
	e.run(chromedp.Click("#otp-submit", chromedp.ByID))
	require.Contains(t, e.waitStatus("account-status"), "did not work")

	e.run(chromedp.Reload(), chromedp.WaitVisible(`body[data-ready="true"]`, chromedp.ByQuery), chromedp.WaitVisible("#otp-form", chromedp.ByID))
	var prompt string // a "busy" line: the page waits for the code
	e.run(chromedp.Poll(`document.getElementById("account-status").textContent || null`, &prompt, chromedp.WithPollingTimeout(10*time.Second)))
	assert.Contains(t, prompt, "one-time code")
	assert.NotContains(t, prompt, "new one-time code", "bob never finished signing in: the code is not a new one")

	e.run(chromedp.Click("#otp-cancel", chromedp.ByID), chromedp.WaitVisible("#account-disconnected", chromedp.ByID), chromedp.WaitNotVisible("#otp-form", chromedp.ByID))
	assert.Len(t, e.net.sent("/api/logout"), 1)
	assert.Contains(t, e.waitStatus("account-status"), "ok: Cancelled")
	var signedIn string
	e.eval(`document.body.dataset.signedIn`, &signedIn)
	assert.Equal(t, "true", signedIn, "Cancel keeps the app session")
	assert.Contains(t, e.accountResponses(), `"connected":false`, "the pending provider tokens are gone")
	e.signInWithPassword()
}

// Clearing a beneficiary's email: the provider cannot remove one, so the
// form requires it (nothing is sent), and an empty field never reaches
// the provider as email:"" (a 422). Cancel clears the last error.
func TestDemoBeneficiaryEditorEmptyEmailAndCancel(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	e.run(chromedp.Click("#ben-load", chromedp.ByID))
	require.Contains(t, e.waitStatus("ben-status"), "ok: ")
	var id string
	e.eval(`document.querySelector("#ben-rows tr").dataset.id`, &id)
	was, _ := e.srv.Sandbox.Beneficiary(id)
	e.run(chromedp.Click(`#ben-rows tr button`, chromedp.ByQuery))
	e.fill(map[string]string{"ben-email": ""})
	before := len(e.net.sent("/api/embed-intermediary"))
	e.run(chromedp.Click("#ben-save", chromedp.ByID))
	var missing bool
	e.eval(`document.getElementById("ben-email").validity.valueMissing`, &missing)
	assert.True(t, missing, "the browser asks for the email")
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, before, len(e.net.sent("/api/embed-intermediary")), "nothing is sent with the email cleared")

	// Past the browser's check, the empty field is left out: the save works.
	var ok bool
	e.eval(`(document.getElementById("ben-form").noValidate = true)`, &ok)
	e.run(chromedp.Click("#ben-save", chromedp.ByID))
	require.Contains(t, e.waitStatusFor("ben-status", "Beneficiary saved"), "ok: ")
	now, _ := e.srv.Sandbox.Beneficiary(id)
	assert.Equal(t, was.Email, now.Email)

	e.run(chromedp.Click(`#ben-rows tr button`, chromedp.ByQuery))
	e.fill(map[string]string{"ben-email": "not-an-email"})
	e.run(chromedp.Click("#ben-save", chromedp.ByID))
	require.Contains(t, e.waitStatusFor("ben-status", "Email"), "error")
	e.run(chromedp.Click("#ben-cancel", chromedp.ByID), chromedp.WaitNotVisible("#ben-form", chromedp.ByID))
	var after struct {
		Status  string `json:"status"`
		Invalid bool   `json:"invalid"`
	}
	e.eval(`({ status: document.getElementById("ben-status").textContent, invalid: document.getElementById("ben-email").hasAttribute("aria-invalid") })`, &after)
	assert.Empty(t, after.Status, "Cancel clears the error about the abandoned edit")
	assert.False(t, after.Invalid)
}

// The provider panel's password form connects a bank account; it is not
// the header's Sign in, and says so.
func TestDemoProviderPanelSaysConnectNotSignIn(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var label string
	e.run(chromedp.Text("#login-submit", &label, chromedp.ByID))
	assert.Equal(t, "Connect with password", label)
	e.signInWithPassword()
	status := e.waitStatus("account-status")
	assert.Equal(t, "status ok: Connected as "+e.demoUser("alice").Username+".", status)
	assert.NotContains(t, strings.ToLower(status), "signed in")
}

// The footer's link says what it opens: the sandbox's inbox.
func TestDemoFooterLinkSaysInbox(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var link struct{ Text, Href string }
	e.eval(`(() => { const a = document.getElementById("provider-link"); return { Text: a.textContent, Href: a.href }; })()`, &link)
	assert.Equal(t, e.srv.ProviderURL+"/inbox", link.Href)
	assert.Contains(t, strings.ToLower(link.Text), "inbox")
}
