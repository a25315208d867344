package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/frame"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/server"
)

const (
	typedLogin = "marie.curie+Société@example.fr"
	// A long password with non-ASCII text, well past one RSA block, so that
	// the whole of it must have gone through AES-GCM.
	typedPasswordStem = "pässwörd-€-🙂-canary-"
)

var typedPassword = strings.Repeat(typedPasswordStem, 20)

// submitConnection types into the secure fields and submits the form,
// waiting for a status.
func (e *env) submitConnection(login, password string) string {
	e.t.Helper()
	var status string
	e.fillSecure(map[string]string{"login": login, "password": password})
	e.run(
		chromedp.Click("#connect-submit", chromedp.ByID),
		chromedp.Poll(`(() => { const s = document.getElementById("connect-status"); return !s.classList.contains("busy") && s.textContent ? s.textContent : null })()`, &status, chromedp.WithPollingTimeout(20*time.Second)),
	)
	return status
}

func TestConnectSealsCredentialsEndToEnd(t *testing.T) {
	e := newEnv(t)
	e.open("/")

	status := e.submitConnection(typedLogin, typedPassword)
	require.Contains(t, status, "Bank connected", "logs:\n%s", e.logs.String())

	conns := e.srv.Sandbox.Connections()
	require.Len(t, conns, 1)
	require.Equal(t, typedLogin, conns[0].Fields["login"], "the sandbox decrypted exactly what was typed")
	require.Equal(t, typedPassword, conns[0].Fields["password"])

	posts := e.net.sent("/api/connections")
	require.Len(t, posts, 1)
	require.Contains(t, posts[0].Body, `"login":"ey`, "the login left the page as a JWE")

	e.assertAbsent("network traffic", e.sentTraffic(), typedLogin, typedPassword, typedPasswordStem)
	e.assertAbsent("page state after submit", e.pageState(), typedLogin, typedPassword, typedPasswordStem)
	e.assertAbsent("server logs", e.logs.String(), typedLogin, typedPassword, typedPasswordStem)
}

func TestConnectKeyFailuresSendNothing(t *testing.T) {
	cases := []struct {
		name   string
		fault  sandbox.KeyFault
		pin    string
		expect string
	}{
		{"http 500", sandbox.KeyHTTP500, "", "couldn't get the bank's encryption key"},
		{"html page", sandbox.KeyHTML, "", "couldn't get the bank's encryption key"},
		{"truncated json", sandbox.KeyTruncated, "", "couldn't get the bank's encryption key"},
		{"no CORS header", sandbox.KeyNoCORS, "", "couldn't get the bank's encryption key"},
		{"1024-bit key", sandbox.KeyWeak1024, "", "failed our safety checks"},
		{"pin mismatch", sandbox.KeyOK, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", "not the one this page expects"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, func(cfg *server.Config) {
				// The pin is the frame server's to set, not the page's.
				cfg.FrameProviders = map[string]frame.Provider{"sandbox": {Pin: c.pin}}
			})
			e.srv.Sandbox.SetKeyFault(c.fault)
			e.open("/")
			status := e.submitConnection(typedLogin, typedPassword)
			require.Contains(t, status, c.expect)
			require.Empty(t, e.net.sent("/api/connections"), "no connection request may leave without a good key")
			require.Zero(t, e.srv.Sandbox.ConnectionAttempts())
			e.assertAbsent("network traffic", e.sentTraffic(), typedLogin, typedPassword)
		})
	}
}

func TestConnectKeyTimeoutSendsNothing(t *testing.T) {
	e := newEnv(t)
	e.srv.Sandbox.SetKeyFault(sandbox.KeyHang)
	e.open("/")
	var code string
	// A short timeout keeps the test quick; the page's default is 10 s.
	e.eval(`(async () => { const { load } = await import("/dist/index.js"); const sb = await load();
		try { await sb.fetchKey(`+jsString(e.srv.ProviderURL+sandbox.KeyPath)+`, { timeoutMs: 300 }); return "resolved"; }
		catch (err) { return err.code } })()`, &code)
	require.Equal(t, "key_unavailable", code)
	require.Empty(t, e.net.sent("/api/connections"))
}

func TestConnectKeyRotationRefetchesOnce(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	// Get the page to fetch (and cache) the current key with a first connection.
	require.Contains(t, e.submitConnection("first", "first-secret-value"), "Bank connected")
	fetchesBefore := e.srv.Sandbox.KeyFetches()
	// Rotate with no grace: the kid the page holds is now unknown.
	_, err := e.srv.Sandbox.RotateKey(0)
	require.NoError(t, err)

	require.Contains(t, e.submitConnection(typedLogin, typedPassword), "Bank connected")
	require.Equal(t, fetchesBefore+1, e.srv.Sandbox.KeyFetches(), "exactly one refetch")
	require.Len(t, e.net.sent("/api/connections"), 3, "one rejected try with the old kid, one retry")
	conns := e.srv.Sandbox.Connections()
	require.Len(t, conns, 2)
	require.Equal(t, typedPassword, conns[1].Fields["password"])
}

func TestConnectProviderThatKeepsRefusingGetsOneRetry(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	require.Contains(t, e.submitConnection("first", "first-secret-value"), "Bank connected")
	fetchesBefore := e.srv.Sandbox.KeyFetches()
	// The provider rotates, and its key endpoint then serves a key it does
	// not decrypt with either: the refetched key is refused too.
	e.srv.Sandbox.SetKeyFault(sandbox.KeyForeign)
	_, err := e.srv.Sandbox.RotateKey(0)
	require.NoError(t, err)

	status := e.submitConnection(typedLogin, typedPassword)
	require.Contains(t, status, "changed its encryption key")
	require.Contains(t, status, "key_unknown")
	require.Equal(t, fetchesBefore+1, e.srv.Sandbox.KeyFetches(), "one refetch")
	require.Len(t, e.net.sent("/api/connections"), 3, "the refused send and one retry: no loop")
	require.Len(t, e.srv.Sandbox.Connections(), 1)
}

// Fifty calls sealed with a key the provider has just rotated out share
// one refetch, and each is resealed and retried once.
func TestConnectRotatedKeyFiftyConcurrentCallsOneFetch(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var ready bool
	e.eval(`(async () => { const { load } = await import("/dist/index.js"); const sb = await load();
		const config = await (await fetch("/api/config")).json();
		window.__client = sb.createClient({ baseURL: location.origin, key: await sb.fetchKey(config.keyURL) });
		return true; })()`, &ready)
	fetchesBefore := e.srv.Sandbox.KeyFetches()
	_, err := e.srv.Sandbox.RotateKey(0)
	require.NoError(t, err)

	var r stormResult
	e.eval(`(async () => {
		const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => window.__client.request({
			method: "POST", path: "/api/connections", headers: { "X-Sealbridge-Request": "1" },
			body: { id_connector: 40, login: "user-" + i, password: "pw-" + i }, seal: ["/login", "/password"] })));
		return { ok: results.filter((x) => x.status === "fulfilled").length,
			codes: results.filter((x) => x.status === "rejected").map((x) => x.reason.code + " " + x.reason.message) };
	})()`, &r)
	require.Equal(t, 50, r.OK, "%v", r.Codes)
	require.Equal(t, fetchesBefore+1, e.srv.Sandbox.KeyFetches(), "one key fetch for 50 refused calls")
	require.LessOrEqual(t, len(e.net.sent("/api/connections")), 100, "at most one retry each")
	require.Len(t, e.srv.Sandbox.Connections(), 50)
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}
