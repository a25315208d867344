package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/server"
)

// shortTokens makes checkout tokens live about three seconds, with no
// server-side leeway, so expiry happens within a test.
func shortTokens(c *server.Config) {
	c.Sandbox.Checkout.TokenTTL = 3 * time.Second
	c.Sandbox.Checkout.Leeway = -1
}

// storm builds a direct-mode client in the page whose onAccessTokenExpired
// counts its calls, waits for the token to expire, then fires n payments at
// once. failFirst makes the callback reject until window.__fail is false.
const storm = `async (n, waitMs, failFirst) => {
	const { load } = await import("/dist/index.js");
	const { checkoutToken } = await import("/static/checkout.js");
	const sb = await load();
	const config = await (await fetch("/api/config")).json();
	window.__calls = 0;
	window.__fail = failFirst;
	const client = sb.createClient({
		baseURL: config.providerURL,
		accessToken: await checkoutToken("inv_1001"),
		tokenSkewMs: 500,
		onAccessTokenExpired: async () => {
			window.__calls++;
			if (window.__fail) throw new Error("backend is down");
			return checkoutToken("inv_1001");
		},
	});
	window.__client = client;
	await new Promise((r) => setTimeout(r, waitMs));
	const results = await Promise.allSettled(Array.from({ length: n }, () =>
		client.request({ method: "POST", path: "/v1/invoices/inv_1001/payments", body: { amount: 1 } })));
	return {
		calls: window.__calls,
		ok: results.filter((r) => r.status === "fulfilled").length,
		codes: results.filter((r) => r.status === "rejected").map((r) => r.reason.code),
	};
}`

type stormResult struct {
	Calls int      `json:"calls"`
	OK    int      `json:"ok"`
	Codes []string `json:"codes"`
}

func TestCheckoutRenewalStormCallsBackOnce(t *testing.T) {
	e := newEnv(t, shortTokens)
	e.open("/")
	var r stormResult
	e.eval(`(`+storm+`)(50, 3600, false)`, &r)
	require.Equal(t, 1, r.Calls, "onAccessTokenExpired must run once for 50 waiting calls")
	require.Equal(t, 50, r.OK, "every call succeeds: %v", r.Codes)
	require.Equal(t, 50, e.srv.Sandbox.Payments("inv_1001"))
}

func TestCheckoutFailedRenewalRejectsAllThenRecovers(t *testing.T) {
	e := newEnv(t, shortTokens)
	e.open("/")
	var r stormResult
	e.eval(`(`+storm+`)(50, 3600, true)`, &r)
	require.Equal(t, 1, r.Calls)
	require.Zero(t, r.OK)
	require.Len(t, r.Codes, 50)
	for _, c := range r.Codes {
		require.Equal(t, "token_refresh_failed", c)
	}
	require.Zero(t, e.srv.Sandbox.Payments("inv_1001"), "nothing was sent with the expired token")

	var after struct {
		Status int `json:"status"`
		Calls  int `json:"calls"`
	}
	e.eval(`(async () => { window.__fail = false;
		const res = await window.__client.request({ method: "POST", path: "/v1/invoices/inv_1001/payments", body: {} });
		return { status: res.status, calls: window.__calls }; })()`, &after)
	require.Equal(t, 201, after.Status)
	require.Equal(t, 2, after.Calls, "the next call tries once more, and only once")
}

// clockAhead shifts the page's clock (and so Go's time.Now in the shim) an
// hour ahead, before any page script runs.
const clockAhead = `(() => {
	const Real = Date, offset = 3600 * 1000;
	class Shifted extends Real {
		constructor(...a) { if (a.length === 0) super(Real.now() + offset); else super(...a); }
		static now() { return Real.now() + offset; }
	}
	globalThis.Date = Shifted;
})();`

func TestCheckoutClockAheadCausesNoStorm(t *testing.T) {
	e := newEnv(t)
	e.run(chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(clockAhead).Do(ctx)
		return err
	}))
	e.open("/")
	var r struct {
		Calls int `json:"calls"`
		OK    int `json:"ok"`
	}
	e.eval(`(async () => {
		const { load } = await import("/dist/index.js");
		const { checkoutToken } = await import("/static/checkout.js");
		const sb = await load();
		const config = await (await fetch("/api/config")).json();
		let calls = 0, ok = 0;
		const client = sb.createClient({ baseURL: config.providerURL, accessToken: await checkoutToken("inv_1001"),
			onAccessTokenExpired: async () => { calls++; return checkoutToken("inv_1001"); } });
		for (let i = 0; i < 20; i++) {
			const res = await client.request({ method: "GET", path: "/v1/invoices/inv_1001" });
			if (res.status === 200) ok++;
		}
		return { calls, ok };
	})()`, &r)
	require.Equal(t, 20, r.OK)
	require.LessOrEqual(t, r.Calls, 1, "a page clock an hour ahead must not renew on every call")
}

func TestCheckoutTokenForSomeoneElsesInvoiceIs403(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var status int
	e.eval(`(async () => (await fetch("/api/checkout-token", { method: "POST",
		headers: { "Content-Type": "application/json", "X-Sealbridge-Request": "1" },
		body: JSON.stringify({ invoice_id: "inv_2001" }) })).status)()`, &status)
	require.Equal(t, 403, status)
	require.Zero(t, e.srv.Sandbox.MintCount())
}

func TestCheckoutPanelPays(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var status string
	e.run(
		chromedp.Click("#checkout-start", chromedp.ByID),
		chromedp.Poll(`(() => { const s = document.getElementById("checkout-status"); return s.classList.contains("ok") ? s.textContent : null })()`, &status, chromedp.WithPollingTimeout(15*time.Second)),
	)
	require.Contains(t, status, "Ready to pay")
	var expiry string
	e.run(chromedp.Text("#claim-expiry", &expiry, chromedp.ByID))
	require.Regexp(t, `expires in \d+ s`, expiry)
	e.run(
		chromedp.Click("#checkout-pay", chromedp.ByID),
		chromedp.Poll(`(() => { const s = document.getElementById("checkout-status"); return s.textContent.startsWith("Payment") ? s.textContent : null })()`, &status, chromedp.WithPollingTimeout(15*time.Second)),
	)
	require.Contains(t, status, "succeeded")
	require.Equal(t, 1, e.srv.Sandbox.Payments("inv_1001"))
}

// In proxy mode the scoped token goes to the intermediary, which verifies
// it: a token the page believes valid but the server refuses (here, a
// broken signature) makes one onAccessTokenExpired call for 50 waiting
// calls, and each is retried once.
func TestProxyModeTokenRefusedByServerRenewsOnce(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var r stormResult
	e.eval(`(async () => {
		const { load } = await import("/dist/index.js");
		const { checkoutToken } = await import("/static/checkout.js");
		const sb = await load();
		const good = await checkoutToken("inv_1001");
		const parts = good.split(".");
		const forged = parts[0] + "." + parts[1] + "." + parts[2].slice(0, -6) + "AAAAAA";
		let calls = 0;
		const client = sb.createClient({
			proxyEndpointDescriptor: { path: "/api/embed-intermediary", options: { headers: { "X-Sealbridge-Request": "1" } } },
			accessToken: forged,
			onAccessTokenExpired: async () => { calls++; return checkoutToken("inv_1001"); },
		});
		const results = await Promise.allSettled(Array.from({ length: 50 }, () =>
			client.request({ method: "GET", path: "/v2/organization" })));
		return { calls, ok: results.filter((x) => x.status === "fulfilled").length,
			codes: results.filter((x) => x.status === "rejected").map((x) => x.reason.code + " " + x.reason.message) };
	})()`, &r)
	require.Equal(t, 50, r.OK, "%v", r.Codes)
	require.Equal(t, 1, r.Calls)
}
