package e2e

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// From JavaScript, a request that asks to seal and names nothing a string
// (an empty list, null, the root, a missing member) is refused with
// invalid_argument and nothing reaches the intermediary.
func TestExplicitSealThatSealsNothingSendsNothing(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var codes []string
	e.eval(`(async () => {
		const { load } = await import("/dist/index.js");
		const sb = await load();
		const config = await (await fetch("/api/config")).json();
		const key = await sb.fetchKey(config.keyURL);
		const client = sb.createClient({ key,
			proxyEndpointDescriptor: { path: "/api/embed-intermediary", options: { headers: { "X-Sealbridge-Request": "1" } } } });
		const out = [];
		for (const seal of [[], null, [""], ["/nope"]]) {
			try {
				await client.request({ method: "PATCH", path: "/v2/sepa/beneficiaries/x", body: { iban: "FR76-canary" }, seal });
				out.push("sent");
			} catch (e) { out.push(e.code); }
		}
		return out;
	})()`, &codes)
	require.Equal(t, []string{"invalid_argument", "invalid_argument", "invalid_argument", "invalid_argument"}, codes)
	require.Empty(t, e.net.sent("/api/embed-intermediary"), "nothing was sent")
}
