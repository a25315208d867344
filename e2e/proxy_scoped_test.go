package e2e

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/server"
)

// proxyClient builds, in the page, a proxy-mode client whose scoped token
// is for invoice ("" for none) and counts its renewals in window.__renewals.
const proxyClient = `async (invoice) => {
	const { load } = await import("/dist/index.js");
	const { checkoutToken } = await import("/static/checkout.js");
	const sb = await load();
	window.__renewals = 0;
	window.__client = sb.createClient({
		proxyEndpointDescriptor: { path: "/api/embed-intermediary", options: { headers: { "X-Sealbridge-Request": "1" } } },
		...(invoice ? {
			accessToken: await checkoutToken(invoice),
			onAccessTokenExpired: async () => { window.__renewals++; return checkoutToken(invoice); },
		} : {}),
	});
	return true;
}`

// proxyGet sends GET path through window.__client.
const proxyGet = `async (path) => {
	try {
		const res = await window.__client.request({ method: "GET", path });
		return { status: res.status, id: res.body.id, renewals: window.__renewals };
	} catch (e) {
		return { status: e.status || 0, code: e.code, bodyCode: e.body?.code || "", renewals: window.__renewals };
	}
}`

type proxyAnswer struct {
	Status   int    `json:"status"`
	ID       string `json:"id"`
	Code     string `json:"code"`
	BodyCode string `json:"bodyCode"`
	Renewals int    `json:"renewals"`
}

// In proxy mode with SEALBRIDGE_PROXY_REQUIRE_TOKEN, the page's scoped
// token for inv_1001 reads inv_1001 through the intermediary, and nothing
// else: inv_1002's path (the same user's other invoice) is refused with
// 403 before the provider is called, without a renewal; a client with no
// token at all is refused with 401.
func TestProxyScopedTokenReadsOnlyItsInvoice(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.ProxyRequireToken = true })
	e.open("/")
	var ok bool
	e.eval(`(`+proxyClient+`)("inv_1001")`, &ok)

	var got proxyAnswer
	before := e.srv.Sandbox.DispatchCount()
	e.eval(`(`+proxyGet+`)("/v1/invoices/inv_1001")`, &got)
	require.Equal(t, proxyAnswer{Status: 200, ID: "inv_1001"}, got)
	require.Equal(t, before+1, e.srv.Sandbox.DispatchCount())

	for _, path := range []string{"/v1/invoices/inv_1002", "/v1/invoices/INV_1001", "/v1/invoices/inv_2001"} {
		before = e.srv.Sandbox.DispatchCount()
		got = proxyAnswer{}
		e.eval(`(`+proxyGet+`)(`+jsString(path)+`)`, &got)
		require.Equal(t, proxyAnswer{Status: 403, Code: "http_error", BodyCode: "forbidden"}, got, path)
		require.Equal(t, before, e.srv.Sandbox.DispatchCount(), "%s: the provider was not called", path)
	}

	e.eval(`(`+proxyClient+`)("")`, &ok)
	before = e.srv.Sandbox.DispatchCount()
	got = proxyAnswer{}
	e.eval(`(`+proxyGet+`)("/v2/organization")`, &got)
	require.Equal(t, 401, got.Status, "a call without a scoped token: %+v", got)
	require.Equal(t, before, e.srv.Sandbox.DispatchCount())
}
