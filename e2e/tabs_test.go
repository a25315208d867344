package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// tabSetup builds, in a tab, a direct-mode checkout client whose
// onAccessTokenExpired counts its calls and keeps every token it got
// (window.__tokens, for the storage hunt). hang makes the callback never
// settle, so that the tab holds the renewal lock. It resolves with the
// initial token's expiry (ms since 1970).
const tabSetup = `async (opts, hang) => {
	const { load } = await import("/dist/index.js");
	const { checkoutToken } = await import("/static/checkout.js");
	const sb = await load();
	const config = await (await fetch("/api/config")).json();
	window.__calls = 0;
	window.__tokens = [await checkoutToken("inv_1001")];
	window.__client = sb.createClient({
		baseURL: config.providerURL,
		accessToken: window.__tokens[0],
		tokenSkewMs: 500,
		...opts,
		onAccessTokenExpired: async () => {
			window.__calls++;
			if (hang) return new Promise(() => {});
			const t = await checkoutToken("inv_1001");
			window.__tokens.push(t);
			return t;
		},
	});
	return window.__client.claims().expiresAt;
}`

// tabStorm waits until the page clock reaches at, then fires n payments
// at once and leaves the outcome in window.__done.
const tabStorm = `(at, n) => { window.__done = (async () => {
	while (Date.now() < at) await new Promise((r) => setTimeout(r, 10));
	const results = await Promise.allSettled(Array.from({ length: n }, () =>
		window.__client.request({ method: "POST", path: "/v1/invoices/inv_1001/payments", body: { amount: 1 } })));
	return { calls: window.__calls, ok: results.filter((r) => r.status === "fulfilled").length,
		codes: results.filter((r) => r.status === "rejected").map((r) => r.reason.code + " " + r.reason.message) };
})(); return true; }`

type tab struct {
	e   *env
	ctx context.Context
}

// twoTabs opens two tabs of the demo page in one browser context; before
// runs in each before any page script.
func twoTabs(e *env, before string) [2]*tab {
	e.t.Helper()
	var tabs [2]*tab
	for i := range tabs {
		ctx, cancel := chromedp.NewContext(e.tab)
		e.t.Cleanup(cancel)
		chromedp.ListenTarget(ctx, e.onEvent)
		actions := []chromedp.Action{}
		if before != "" {
			actions = append(actions, chromedp.ActionFunc(func(ctx context.Context) error {
				_, err := page.AddScriptToEvaluateOnNewDocument(before).Do(ctx)
				return err
			}))
		}
		// The first tab signs in; the second finds the browser signed in.
		actions = append(actions, chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(`body[data-ready="true"]`, chromedp.ByQuery), signIn())
		require.NoError(e.t, chromedp.Run(ctx, actions...))
		tabs[i] = &tab{e: e, ctx: ctx}
	}
	return tabs
}

func (tb *tab) eval(js string, out any) {
	tb.e.t.Helper()
	require.NoError(tb.e.t, chromedp.Run(tb.ctx, chromedp.Evaluate(js, out, awaitPromise)), "evaluating %s", js)
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// stormBothTabs sets up both tabs, waits for their tokens to expire and
// fires 20 payments in each at the same moment.
func stormBothTabs(t *testing.T, tabs [2]*tab, opts string) [2]stormResult {
	var at float64
	for _, tb := range tabs {
		var exp float64
		tb.eval(fmt.Sprintf(`(%s)(%s, false)`, tabSetup, opts), &exp)
		at = max(at, exp)
	}
	var results [2]stormResult
	var wg sync.WaitGroup
	for i, tb := range tabs {
		var ok bool
		tb.eval(fmt.Sprintf(`(%s)(%f, 20)`, tabStorm, at+100), &ok)
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, chromedp.Run(tb.ctx, chromedp.Evaluate(`window.__done`, &results[i], awaitPromise)))
		}()
	}
	wg.Wait()
	return results
}

func TestTwoTabsShareOneRenewal(t *testing.T) {
	e := newEnv(t, shortTokens)
	tabs := twoTabs(e, "")
	r := stormBothTabs(t, tabs, `{}`)
	require.Equal(t, 20, r[0].OK, "%v", r[0].Codes)
	require.Equal(t, 20, r[1].OK, "%v", r[1].Codes)
	require.Equal(t, 1, r[0].Calls+r[1].Calls, "one onAccessTokenExpired call across both tabs")
	require.Equal(t, 40, e.srv.Sandbox.Payments("inv_1001"))

	// The tokens, the renewed one included, are in no storage of either tab.
	var tokens []string
	for _, tb := range tabs {
		var got []string
		tb.eval(`window.__tokens`, &got)
		tokens = append(tokens, got...)
	}
	require.Len(t, tokens, 3, "two initial tokens and one renewed")
	for _, tb := range tabs {
		var dump struct {
			Text      string   `json:"text"`
			Databases []string `json:"databases"`
			Caches    []string `json:"caches"`
		}
		tb.eval(storageDump, &dump)
		require.Empty(t, dump.Databases, "no IndexedDB database")
		require.Empty(t, dump.Caches, "no Cache Storage")
		e.assertAbsent("tab storage", dump.Text, tokens...)
	}
}

// storageDump is every storage a page script can read or write.
const storageDump = `(async () => ({
	text: JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie,
		locks: await navigator.locks.query() }),
	databases: (await indexedDB.databases()).map((d) => d.name),
	caches: await caches.keys(),
}))()`

func TestTabsRenewAloneWithoutWebLocksOrWhenOptedOut(t *testing.T) {
	noLocks := `Object.defineProperty(Navigator.prototype, "locks", { get() { return undefined; } });`
	for name, c := range map[string]struct{ before, opts string }{
		"no Web Locks": {noLocks, `{}`},
		"opted out":    {"", `{ crossTabRenewal: false }`},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, shortTokens)
			r := stormBothTabs(t, twoTabs(e, c.before), c.opts)
			require.Equal(t, 40, r[0].OK+r[1].OK, "%v %v", r[0].Codes, r[1].Codes)
			require.Equal(t, 1, r[0].Calls, "each tab renews on its own, once")
			require.Equal(t, 1, r[1].Calls)
		})
	}
}

func TestTabClosedWhileHoldingTheLockDoesNotBlockTheOther(t *testing.T) {
	e := newEnv(t, shortTokens)
	tabs := twoTabs(e, "")
	holder, other := tabs[0], tabs[1]
	const lockTimeout = 20000
	var exp float64
	holder.eval(fmt.Sprintf(`(%s)({ lockTimeoutMs: %d, renewTimeoutMs: 60000 }, true)`, tabSetup, lockTimeout), &exp)
	other.eval(fmt.Sprintf(`(%s)({ lockTimeoutMs: %d }, false)`, tabSetup, lockTimeout), &exp)
	var ok bool
	// The holder's renewal hangs inside onAccessTokenExpired, lock held.
	holder.eval(fmt.Sprintf(`(%s)(%f, 1)`, tabStorm, exp+100), &ok)
	var calls int
	// Interval polling: a background tab runs no animation frames.
	require.NoError(t, chromedp.Run(holder.ctx, chromedp.Poll(`window.__calls === 1 ? 1 : null`, &calls, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))))
	other.eval(fmt.Sprintf(`(%s)(0, 5)`, tabStorm), &ok)
	time.Sleep(500 * time.Millisecond)
	other.eval(`window.__calls`, &calls)
	require.Zero(t, calls, "the other tab waits for the holder's renewal")

	start := time.Now()
	require.NoError(t, chromedp.Cancel(holder.ctx)) // close the tab: the browser frees its lock
	var r stormResult
	other.eval(`window.__done`, &r)
	require.Equal(t, 5, r.OK, "%v", r.Codes)
	require.Equal(t, 1, r.Calls, "the other tab renewed itself")
	require.Less(t, time.Since(start), lockTimeout*time.Millisecond, "within the acquire timeout")
	require.False(t, strings.Contains(strings.Join(r.Codes, ""), "timeout"))
}
