package e2e

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// proxyForms builds two clients in the page: the endpoint form, and the
// Qonto Embed SDK's function form, written as an integrator would for that
// SDK (fetch the intermediary, resolve with the response text). The
// function records every descriptor it is handed.
const proxyForms = `(async () => {
	const { load } = await import("/dist/index.js");
	const sb = await load();
	window.__descriptors = [];
	window.__endpoint = sb.createClient({ proxyEndpointDescriptor: { path: "/api/embed-intermediary", options: { headers: { "X-Sealbridge-Request": "1" } } } });
	const proxyRequestFunction = async (operationPayload) => {
		window.__descriptors.push(operationPayload);
		const res = await fetch("/api/embed-intermediary", { method: "POST", headers: { "X-Sealbridge-Request": "1" }, body: operationPayload });
		return res.text();
	};
	window.__function = sb.createClient({ proxyRequest: proxyRequestFunction });
	// The same, resolving with the fetch Response: its status is kept.
	window.__response = sb.createClient({ proxyRequest: (d, init) => fetch("/api/embed-intermediary",
		{ method: "POST", headers: { "X-Sealbridge-Request": "1" }, body: d, signal: init.signal }) });
	return true;
})()`

func TestFunctionProxySendsTheEndpointFormsGoldenDescriptors(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	id := e.srv.Sandbox.BeneficiaryIDs()[0]
	golden := []string{
		`{"method":"GET","headers":{},"path":"/v2/sepa/beneficiaries?per_page=2"}`,
		fmt.Sprintf(`{"method":"PATCH","headers":{"content-type":"application/json"},"path":"/v2/sepa/beneficiaries/%s","payload":{"beneficiary":{"name":"Société € 🙂"}}}`, id),
	}
	calls := fmt.Sprintf(`[{ method: "GET", path: "/v2/sepa/beneficiaries", query: { per_page: 2 } },
		{ method: "PATCH", path: "/v2/sepa/beneficiaries/%s", body: { beneficiary: { name: "Société € 🙂" } } }]`, id)
	var ok bool
	e.eval(proxyForms, &ok)

	var bodies [2][]string
	for i, form := range []string{"__endpoint", "__function"} {
		var got []string
		e.eval(fmt.Sprintf(`(async () => { const out = [];
			for (const c of %s) out.push(JSON.stringify((await window.%s.request(c)).body));
			return out; })()`, calls, form), &got)
		bodies[i] = got
	}
	for _, b := range bodies { // both decode the same envelopes (the PATCH changes what the GET sees next)
		require.Contains(t, b[0], `"per_page":2`)
		require.Contains(t, b[1], `"name":"Société € 🙂"`)
	}

	var handed []string
	e.eval(`window.__descriptors`, &handed)
	sent := e.net.sent("/api/embed-intermediary")
	require.Len(t, sent, 4)
	for i, g := range golden {
		want := base64.StdEncoding.EncodeToString([]byte(g))
		require.Equal(t, want, sent[i].Body, "endpoint form, call %d", i)
		require.Equal(t, want, handed[i], "function form, call %d", i)
		require.Equal(t, want, sent[2+i].Body, "what the function posted")
	}

	// A refusal through a function that resolves with the Response keeps
	// its status, as the endpoint form does.
	var refused [2]string
	for i, form := range []string{"__endpoint", "__response"} {
		e.eval(fmt.Sprintf(`window.%s.request({ path: "/v2/admin" }).then(() => "resolved", (e) => e.code + " " + e.status)`, form), &refused[i])
	}
	require.Equal(t, "http_error 403", refused[0])
	require.Equal(t, refused[0], refused[1])
}

// The hooks see every send, and nothing of what the calls carried: the
// scoped token, the sealed plaintexts, the sealed values, the request and
// response bodies and the query string are hunted in all they received.
func TestHooksReceiveNoTokenPlaintextOrBody(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var got struct {
		Events  []string `json:"events"`
		Token   string   `json:"token"`
		Sealed  []string `json:"sealed"`
		Answers []string `json:"answers"`
		OK      int      `json:"ok"`
	}
	e.eval(`(async () => {
		const { load } = await import("/dist/index.js");
		const { checkoutToken } = await import("/static/checkout.js");
		const sb = await load();
		const config = await (await fetch("/api/config")).json();
		const events = [];
		const record = (kind) => (e) => { events.push(kind + " " + JSON.stringify(e)); };
		const token = await checkoutToken("inv_1001");
		const key = await sb.fetchKey(config.keyURL);
		const sealed = [];
		const client = sb.createClient({ baseURL: location.origin, key, accessToken: token,
			onRequest: (e) => { record("request")(e); throw new Error("a broken hook"); },
			onResponse: async (e) => { record("response")(e); throw new Error("a broken async hook"); } });
		const answers = [];
		let ok = 0;
		for (let i = 0; i < 3; i++) {
			const res = await client.request({ method: "POST", path: "/api/connections", query: { q: "query-canary-4417" },
				headers: { "X-Sealbridge-Request": "1", "X-Note": "header-canary-0931" },
				body: { id_connector: 40, login: "login-canary-5521", password: "password-canary-7734" }, seal: ["/login", "/password"] });
			answers.push(JSON.stringify(res.body));
			ok++;
		}
		for (const b of [{ login: "login-canary-5521" }]) sealed.push((await sb.sealFields(b, ["/login"], key)).login);
		return { events, token, sealed, answers, ok };
	})()`, &got)
	require.Equal(t, 3, got.OK, "hooks that throw and reject do not break the calls")
	require.Len(t, got.Events, 6)
	require.Contains(t, got.Events[0], `"path":"/api/connections"`)
	require.Contains(t, got.Events[1], `"status":201`)
	all := strings.Join(got.Events, "\n")
	e.assertAbsent("hook events", all, got.Token, "login-canary-5521", "password-canary-7734", "query-canary-4417", "header-canary-0931", "Bearer")
	for _, s := range append(got.Sealed, got.Answers...) {
		e.assertAbsent("hook events", all, s)
	}
	// What the provider answered is not in them either: its id, its field list.
	require.NotContains(t, all, "id_connector")
	require.NotContains(t, all, `"id"`)
}
