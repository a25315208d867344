package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
)

// userRoutes are the dev server's routes that act for a signed-in user.
var userRoutes = []string{"/api/embed-intermediary", "/api/checkout-token", "/api/connections", "/api/me", "/api/login"}

// assertPanelsSaySignInFirst clicks each panel's action while signed out:
// each says "Sign in first" and none calls the server.
func (e *env) assertPanelsSaySignInFirst() {
	e.t.Helper()
	sent := map[string]int{}
	for _, p := range userRoutes {
		sent[p] = len(e.net.sent(p))
	}
	assert.Contains(e.t, e.waitStatusFor("account-status", "Sign in first"), "Sign in first")
	for button, status := range map[string]string{"ben-load": "ben-status", "checkout-start": "checkout-status", "connect-submit": "connect-status"} {
		e.run(chromedp.Click("#"+button, chromedp.ByID))
		assert.Contains(e.t, e.waitStatusFor(status, "Sign in first"), "Sign in first", "after clicking %s", button)
	}
	for _, p := range userRoutes {
		assert.Equal(e.t, sent[p], len(e.net.sent(p)), "%s was called while signed out", p)
	}
}

// The demo used as a person would, before signing in: every panel that
// acts for a user says "Sign in first" and sends nothing; the header's
// Sign in button makes them work; Sign out ends the session, revokes the
// provider login at the sandbox (RFC 7009), and the panels say "Sign in
// first" again.
func TestDemoSignInFirstThenSignOut(t *testing.T) {
	e := newEnv(t)
	e.run(chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(`body[data-ready="true"]`, chromedp.ByQuery))
	var header string
	e.run(chromedp.Text(".signin", &header, chromedp.ByQuery))
	assert.Contains(t, header, "Not signed in")
	e.assertPanelsSaySignInFirst()

	e.run(signIn())
	e.run(chromedp.Text(".signin", &header, chromedp.ByQuery))
	assert.Contains(t, header, "Signed in as demo")
	var stale []string
	e.eval(`[...document.querySelectorAll(".status")].filter((s) => s.textContent.includes("Sign in first")).map((s) => s.id)`, &stale)
	assert.Empty(t, stale, "signed in, no panel still says Sign in first")
	e.signInWithPassword()
	e.run(chromedp.Click("#ben-load", chromedp.ByID))
	assert.Contains(t, e.waitStatus("ben-status"), "ok: ")

	e.run(chromedp.Click("#signin", chromedp.ByID), chromedp.WaitVisible(`body[data-signed-in="false"]`, chromedp.ByQuery))
	e.run(chromedp.Text(".signin", &header, chromedp.ByQuery))
	assert.Contains(t, header, "Not signed in")
	var hidden bool
	e.eval(`document.getElementById("account-connected").hidden && document.getElementById("account-disconnected").hidden`, &hidden)
	assert.True(t, hidden, "no provider account is shown once signed out")
	assert.Contains(t, e.logs.String(), "login revoked by the client", "the sandbox revoked the provider login")
	e.assertPanelsSaySignInFirst()
}

// A session that ends behind the page's back (it expired, or another tab
// signed out): the next call's 401 makes the panel say "Sign in first" and
// the header offer Sign in again.
func TestDemoSessionEndedElsewhere(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var ok bool
	e.eval(`fetch("/api/session", { method: "DELETE", headers: { "X-Sealbridge-Request": "1" } }).then((r) => r.ok)`, &ok)
	assert.True(t, ok)
	e.run(chromedp.Click("#checkout-start", chromedp.ByID))
	assert.Contains(t, e.waitStatusFor("checkout-status", "Sign in first"), "Sign in first")
	e.run(chromedp.WaitVisible(`body[data-signed-in="false"]`, chromedp.ByQuery))
	var header string
	e.run(chromedp.Text(".signin", &header, chromedp.ByQuery))
	assert.Contains(t, header, "Not signed in")
	e.run(signIn())
	e.run(chromedp.Click("#checkout-start", chromedp.ByID))
	assert.Contains(t, e.waitStatusFor("checkout-status", "Ready to pay"), "ok: ")
}
