package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/frame"
	"github.com/sealbridge/sealbridge/demo/server"
)

// The demo page used as a person would: each test clicks and types, and
// reads what the page shows.

// statusClasses returns each panel's status line: "class: text".
func (e *env) statusLines() map[string]string {
	var out map[string]string
	e.eval(`Object.fromEntries([...document.querySelectorAll(".status")].map((s) => [s.id, s.className + ": " + s.textContent]))`, &out)
	return out
}

// screenshot saves the page as NAME.png in SEALBRIDGE_E2E_SCREENSHOTS, when
// that is set, for a person to look at.
func (e *env) screenshot(name string) {
	dir := os.Getenv("SEALBRIDGE_E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	var png []byte
	e.run(chromedp.FullScreenshot(&png, 100)) // quality 100 is PNG; below that, JPEG
	require.NoError(e.t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// signInWithPassword connects the provider account as alice (no 2FA).
func (e *env) signInWithPassword() {
	e.t.Helper()
	alice := e.demoUser("alice")
	e.fill(map[string]string{"login-username": alice.Username, "login-password": alice.Password})
	e.run(chromedp.Click("#login-submit", chromedp.ByID), chromedp.WaitVisible("#account-connected", chromedp.ByID))
}

// After "Disconnect" the account panel says so, and the page's other
// panels go on working: the app session is not the provider account.
func TestDemoDisconnectKeepsOtherPanelsWorking(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	e.signInWithPassword()
	e.run(chromedp.Click("#account-logout", chromedp.ByID), chromedp.WaitVisible("#account-disconnected", chromedp.ByID))
	require.Contains(t, e.waitStatus("account-status"), "ok: Disconnected from the provider")
	e.screenshot("disconnected")

	e.run(chromedp.Click("#ben-load", chromedp.ByID))
	assert.Contains(t, e.waitStatus("ben-status"), "ok: ")
	e.run(chromedp.Click("#checkout-start", chromedp.ByID))
	assert.Contains(t, e.waitStatusFor("checkout-status", "Ready to pay"), "ok: ")
	assert.Contains(t, e.submitConnection(typedLogin, "pw"), "Bank connected")
	for id, line := range e.statusLines() {
		assert.NotContains(t, line, "error", "%s after Disconnect", id)
	}
	assert.Contains(t, e.accountResponses(), `"connected":false`, "the provider tokens are gone")
}

// A payment updates the invoice the page shows; a paid invoice offers no
// Pay button, and paying it anyway (here from another tab's client) gets
// the sandbox's 409, which the page explains in words.
func TestDemoPaymentSettlesInvoiceOnce(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	e.run(chromedp.Click("#checkout-start", chromedp.ByID))
	require.Contains(t, e.waitStatusFor("checkout-status", "Ready to pay"), "ok: ")
	var amount string
	e.run(chromedp.Text("#claim-amount", &amount, chromedp.ByID))
	assert.Equal(t, "129.00 EUR (129.00 EUR due)", amount)

	e.run(chromedp.Click("#checkout-pay", chromedp.ByID))
	require.Contains(t, e.waitStatusFor("checkout-status", "succeeded"), "ok: Payment")
	e.run(chromedp.WaitNotVisible("#checkout-pay", chromedp.ByID), chromedp.Text("#claim-amount", &amount, chromedp.ByID))
	assert.Equal(t, "129.00 EUR (paid)", amount)
	e.screenshot("paid")
	inv, _ := e.srv.Sandbox.Invoice("inv_1001")
	assert.Equal(t, "paid", inv.Status)

	var again struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	e.eval(`(async () => {
		const { load } = await import("/dist/index.js");
		const { checkoutToken } = await import("/static/checkout.js");
		const sb = await load();
		const config = await (await fetch("/api/config")).json();
		const c = sb.createClient({ baseURL: config.providerURL, accessToken: await checkoutToken("inv_1001") });
		try { await c.request({ method: "POST", path: "/v1/invoices/inv_1001/payments", body: {} }); return {}; }
		catch (e) { return { status: e.status, code: e.body?.code }; }
	})()`, &again)
	assert.Equal(t, http.StatusConflict, again.Status)
	assert.Equal(t, "invoice_paid", again.Code)
	assert.Equal(t, 1, e.srv.Sandbox.Payments("inv_1001"), "a paid invoice is not paid again")
}

// Paid meanwhile (in another tab): the Pay click gets the 409, the page
// says so in words and shows the invoice as paid.
func TestDemoPayingAnInvoicePaidElsewhereSaysSo(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	e.run(chromedp.Click("#checkout-start", chromedp.ByID))
	require.Contains(t, e.waitStatusFor("checkout-status", "Ready to pay"), "ok: ")
	var paid bool
	e.eval(`(async () => {
		const { load } = await import("/dist/index.js");
		const { checkoutToken } = await import("/static/checkout.js");
		const sb = await load();
		const config = await (await fetch("/api/config")).json();
		const c = sb.createClient({ baseURL: config.providerURL, accessToken: await checkoutToken("inv_1001") });
		return (await c.request({ method: "POST", path: "/v1/invoices/inv_1001/payments", body: {} })).status === 201;
	})()`, &paid)
	require.True(t, paid)

	e.run(chromedp.Click("#checkout-pay", chromedp.ByID))
	status := e.waitStatusFor("checkout-status", "already paid")
	assert.Contains(t, status, "error: This invoice is already paid.")
	var amount string
	e.run(chromedp.WaitNotVisible("#checkout-pay", chromedp.ByID), chromedp.Text("#claim-amount", &amount, chromedp.ByID))
	assert.Equal(t, "129.00 EUR (paid)", amount)
	assert.Equal(t, 1, e.srv.Sandbox.Payments("inv_1001"))

	// The demo's other invoice was paid before: no Pay button at all.
	e.run(chromedp.SetValue("#checkout-invoice", "inv_1002", chromedp.ByID), chromedp.Click("#checkout-start", chromedp.ByID))
	assert.Contains(t, e.waitStatusFor("checkout-status", "already paid"), "ok: ")
	e.run(chromedp.WaitNotVisible("#checkout-pay", chromedp.ByID))
}

// A 422 from the provider names the field, in the form's own words, and
// marks that input.
func TestDemoValidationErrorNamesTheField(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	e.run(chromedp.Click("#ben-load", chromedp.ByID))
	require.Contains(t, e.waitStatus("ben-status"), "ok: ")
	e.run(chromedp.Click(`#ben-rows tr button`, chromedp.ByQuery))
	e.fill(map[string]string{"ben-email": "not-an-email"})
	var ok bool
	e.eval(`(document.getElementById("ben-form").noValidate = true)`, &ok)
	e.run(chromedp.Click("#ben-save", chromedp.ByID))
	status := e.waitStatusFor("ben-status", "Email")
	assert.Contains(t, status, "error: Email: must be an email address")
	var invalid, focused string
	e.eval(`document.getElementById("ben-email").getAttribute("aria-invalid")`, &invalid)
	e.eval(`document.activeElement.id`, &focused)
	assert.Equal(t, "true", invalid)
	assert.Equal(t, "ben-email", focused, "the field to fix has the focus")
	assert.NotContains(t, status, "Name:", "only the bad field is named")
	e.screenshot("field-error")
}

// On a phone-sized screen a long error (a pinned key that does not match,
// whose message holds two thumbprints) wraps inside its card.
func TestDemoLongErrorWrapsInsideItsCard(t *testing.T) {
	// The pin is the frame server's to set (isolated mode), not the page's.
	e := newEnv(t, func(c *server.Config) {
		c.FrameProviders = map[string]frame.Provider{"sandbox": {Pin: strings.Repeat("A", 43)}}
	})
	e.run(emulation.SetDeviceMetricsOverride(360, 740, 2, true))
	e.open("/")
	status := e.submitConnection(typedLogin, "pw")
	require.Contains(t, status, "key_pin_mismatch")
	var overflow []string
	e.eval(`[...document.querySelectorAll(".card")].flatMap((card) => {
		const box = card.getBoundingClientRect();
		return [...card.querySelectorAll(".status, .status *")]
			.filter((el) => el.getBoundingClientRect().right > box.right + 0.5 || el.scrollWidth > el.clientWidth + 1)
			.map((el) => card.id + " " + (el.id || el.className));
	})`, &overflow)
	assert.Empty(t, overflow, "status text runs out of its card")
	var pageWidth int
	e.eval(`document.documentElement.scrollWidth`, &pageWidth)
	assert.LessOrEqual(t, pageWidth, 360, "the page scrolls sideways")
	e.screenshot("long-error-phone")
}

// Loading the page makes no request that fails, and the page names an
// icon that is there.
func TestDemoPageLoadsWithoutFailedRequests(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var failed []string
	chromedp.ListenTarget(e.tab, func(ev any) {
		if r, ok := ev.(*network.EventResponseReceived); ok && r.Response.Status >= 400 {
			mu.Lock()
			defer mu.Unlock()
			failed = append(failed, r.Response.URL)
		}
	})
	e.open("/")
	e.screenshot("page")
	var icon struct {
		Href   string `json:"href"`
		Status int    `json:"status"`
		Type   string `json:"type"`
	}
	e.eval(`(async () => {
		const href = document.querySelector('link[rel="icon"]')?.href || "";
		const res = await fetch(href);
		return { href, status: res.status, type: res.headers.get("content-type") };
	})()`, &icon)
	assert.Equal(t, e.srv.URL+"/static/favicon.svg", icon.Href)
	assert.Equal(t, http.StatusOK, icon.Status)
	assert.Equal(t, "image/svg+xml", icon.Type)
	mu.Lock()
	assert.Empty(t, failed, "requests that failed while loading the page")
	mu.Unlock()

	// Pages that name no icon (a JSON route opened in a tab) make the
	// browser ask for /favicon.ico: it is there too.
	res, err := http.Get(e.srv.URL + "/favicon.ico")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "image/svg+xml", res.Header.Get("Content-Type"))
}

// The one-time-code prompt says where the code is: with the embedded
// sandbox, which sends nothing, on its inbox page (linked); with another
// provider, how it comes in plain words, not the provider's method names.
func TestDemoOTPPromptInPlainWords(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	bob := e.demoUser("bob")
	e.fill(map[string]string{"login-username": bob.Username, "login-password": bob.Password})
	e.run(chromedp.Click("#login-submit", chromedp.ByID), chromedp.WaitVisible("#otp-form", chromedp.ByID))
	var prompt string
	e.run(chromedp.Text("#account-status", &prompt, chromedp.ByID))
	assert.Contains(t, prompt, "sandbox's inbox page")
	assert.NotContains(t, prompt, "email you received", "the sandbox sends no email")
	var inbox string
	e.run(chromedp.WaitVisible("#inbox-link", chromedp.ByID))
	e.eval(`document.getElementById("inbox-link").href`, &inbox)
	assert.Equal(t, e.srv.ProviderURL+"/inbox", inbox)

	var generic string
	e.eval(`import("/static/account.js").then((m) => m.otpPrompt(["TOTP", "EMAIL"], false))`, &generic)
	assert.Equal(t, "Enter the one-time code from your authenticator app or the email you received.", generic)
	assert.NotContains(t, generic, "TOTP")
	e.screenshot("otp")
}
