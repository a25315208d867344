package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// twinCasesJS are JavaScript bodies in which a member that a reader could
// take for the sealed one would stay in clear: case and Unicode-folding
// variants (ſ U+017F, K U+212A), keys holding a lone surrogate (which Go
// would see as U+FFFD), a pointer holding one, and a value holding one.
const twinCasesJS = `[
	[{ Password: "clear-canary", password: "x" }, ["/password"]],
	[{ password: "x", PASSWORD: "clear-canary" }, ["/password"]],
	[{ Password: "clear-canary" }, ["/password"]],
	[{ "pa\u017f\u017fword": "clear-canary", password: "x" }, ["/password"]],
	[{ "\u212a": "clear-canary", k: "x" }, ["/k"]],
	[{ user: { Login: "clear-canary", login: "x" } }, ["/user/login"]],
	[{ "a\uD800": "clear-canary", "a\uFFFD": "x" }, ["/a\uFFFD"]],
	[{ "a\uD800": "clear-canary" }, ["/a\uD800"]],
	[{ "a\uFFFD": "clear-canary" }, ["/a\uD800"]],
	[{ p: "clear-canary\uDC00" }, ["/p"]],
]`

// The issue class "a sealed field can leave a cleartext twin", from
// JavaScript through the shipped module in Chromium: sealFields and
// client.request({seal}) refuse every such body with invalid_argument,
// naming the pointer, and nothing is sent.
func TestSealedFieldTwinsFromJavaScriptAreRefused(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var results [][]string
	e.eval(`(async () => {
		const { load, SealbridgeError } = await import("/dist/index.js");
		const sb = await load();
		const config = await (await fetch("/api/config")).json();
		const key = await sb.fetchKey(config.keyURL);
		const client = sb.createClient({ key, proxyEndpointDescriptor: { path: "/api/embed-intermediary",
			options: { headers: { "X-Sealbridge-Request": "1" } } } });
		const outcome = async (f) => {
			try { await f(); return ["sent", ""]; }
			catch (e) { return [e instanceof SealbridgeError ? e.code : String(e), e.message]; }
		};
		const out = [];
		for (const [body, pointers] of `+twinCasesJS+`) {
			out.push(await outcome(async () => {
				const sealed = await sb.sealFields(body, pointers, key);
				await fetch("/api/connections", { method: "POST", body: JSON.stringify({ id_connector: 59, ...sealed }),
					headers: { "Content-Type": "application/json", "X-Sealbridge-Request": "1" } });
			}));
			out.push(await outcome(() => client.request({ method: "PATCH", path: "/v2/sepa/beneficiaries/42",
				body: { beneficiary: body }, seal: pointers.map((p) => "/beneficiary" + p) })));
		}
		return out;
	})()`, &results)
	require.Len(t, results, 20)
	for i, r := range results {
		assert.Equal(t, "invalid_argument", r[0], "case %d: %s", i/2, r[1])
		assert.Contains(t, r[1], "pointer", "case %d: the message names the pointer", i/2)
		assert.NotContains(t, r[1], "clear-canary")
	}
	require.Empty(t, e.net.sent("/api/connections"), "nothing was sent")
	require.Empty(t, e.net.sent("/api/embed-intermediary"), "nothing was sent")
	require.Zero(t, e.srv.Sandbox.ConnectionAttempts())
	e.assertAbsent("network traffic", e.sentTraffic(), "clear-canary")
	require.False(t, strings.Contains(e.logs.String(), "clear-canary"))
}
