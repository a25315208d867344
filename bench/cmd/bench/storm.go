package main

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sealbridge/sealbridge/demo/server"
)

// stormJS is e2e/checkout_test.go's storm, scaled up and timed: a
// direct-mode client on the demo page whose token has expired, and n calls
// at once. The page's onAccessTokenExpired counts its calls.
const stormJS = `async (n, waitMs, skewMs) => {
	const { load } = await import("/dist/index.js");
	const { checkoutToken } = await import("/static/checkout.js");
	const { postJSON } = await import("/static/ui.js");
	// Checkout tokens are minted for a signed-in user: sign in as the demo's.
	const signIn = await postJSON("/api/session", { user: "demo" });
	if (!signIn.ok) throw new Error("sign-in failed: " + JSON.stringify(signIn.data));
	const sb = await load();
	const config = await (await fetch("/api/config")).json();
	let calls = 0;
	const client = sb.createClient({
		baseURL: config.providerURL,
		accessToken: await checkoutToken("inv_1001"),
		tokenSkewMs: skewMs,
		onAccessTokenExpired: async () => { calls++; return checkoutToken("inv_1001"); },
	});
	await new Promise((r) => setTimeout(r, waitMs));
	const t0 = performance.now();
	const results = await Promise.allSettled(Array.from({ length: n }, () =>
		client.request({ method: "POST", path: "/v1/invoices/inv_1001/payments", body: { amount: 1 } })));
	const ms = performance.now() - t0;
	const codes = {};
	for (const r of results) if (r.status === "rejected") codes[r.reason.code] = (codes[r.reason.code] || 0) + 1;
	return { calls, ok: results.filter((r) => r.status === "fulfilled").length, ms, codes };
}`

type stormResult struct {
	Calls    int            `json:"calls"`
	OK       int            `json:"ok"`
	Ms       float64        `json:"ms"`
	Codes    map[string]int `json:"codes"`
	N        int            `json:"-"`
	Payments int            `json:"-"`
}

// stormTTL is the checkout tokens' lifetime in the storm, and stormSkew
// how long before exp the shim renews.
const (
	stormTTL  = 8 * time.Second
	stormSkew = 500 * time.Millisecond
)

// measureStorm runs n calls on an expired checkout token against the real
// dev server and its sandbox.
func measureStorm(c *chrome, dist string, n int) (*stormResult, error) {
	cfg := server.Config{Addr: "127.0.0.1:0", DistDir: dist, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cfg.Sandbox.Checkout.TokenTTL = stormTTL
	cfg.Sandbox.Checkout.Leeway = -1
	// Keep every payment, so that the count proves each call reached the
	// provider (the sandbox keeps 100 per invoice by default).
	cfg.Sandbox.Limits.PaymentsPerInvoice = n
	srv, err := server.Start(cfg)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	tab, cancel, err := c.tab(2 * time.Minute)
	if err != nil {
		return nil, err
	}
	defer cancel()
	r := &stormResult{N: n}
	err = chromedp.Run(tab,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`body[data-ready="true"]`, chromedp.ByQuery),
	)
	if err == nil {
		wait := stormTTL - stormSkew + 600*time.Millisecond // the first token is stale by then
		err = eval(tab, fmt.Sprintf(`(%s)(%d, %d, %d)`, stormJS, n, wait.Milliseconds(), stormSkew.Milliseconds()), r)
	}
	if err != nil {
		return nil, fmt.Errorf("renewal storm: %w", err)
	}
	r.Payments = srv.Sandbox.Payments("inv_1001")
	return r, nil
}
