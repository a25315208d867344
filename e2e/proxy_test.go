package e2e

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/server"
)

const stagingCanary = "staging-canary-7f3a9c1e5b"

func withStagingToken(c *server.Config) {
	c.StagingToken = stagingCanary
	c.Sandbox.Dispatch.StagingToken = stagingCanary
}

func TestProxyEditsBeneficiaryWithoutExposingTokens(t *testing.T) {
	e := newEnv(t, withStagingToken)
	e.open("/")
	e.run(chromedp.Click("#ben-load", chromedp.ByID))
	require.Contains(t, e.waitStatus("ben-status"), "beneficiaries", "logs:\n%s", e.logs.String())

	ids := e.srv.Sandbox.BeneficiaryIDs()
	require.NotEmpty(t, ids)
	id := ids[0]
	e.run(chromedp.Click(fmt.Sprintf(`#ben-rows tr[data-id=%q] button`, id), chromedp.ByQuery))
	e.fill(map[string]string{"ben-name": "Société Nouvelle €", "ben-email": "compta@example.fr"})
	e.run(chromedp.Click("#ben-save", chromedp.ByID))
	require.Contains(t, e.waitStatus("ben-status"), "Beneficiary saved")

	b, ok := e.srv.Sandbox.Beneficiary(id)
	require.True(t, ok)
	require.Equal(t, "Société Nouvelle €", b.Name, "the sandbox state changed, UTF-8 intact")

	// The server-held secrets: the bearer token the intermediary used, and the staging token.
	h := e.srv.Sandbox.LastDispatchHeaders()
	require.Equal(t, stagingCanary, h.Get("X-Qonto-Staging-Token"))
	accessToken := strings.TrimPrefix(h.Get("Authorization"), "Bearer ")
	require.NotEmpty(t, accessToken)
	e.assertAbsent("page state", e.pageState(), accessToken, stagingCanary)
	e.assertAbsent("page traffic", e.sentTraffic(), accessToken, stagingCanary)
	e.assertAbsent("server logs", e.logs.String(), accessToken, stagingCanary)
}

func TestProxyForgedDescriptorIsRefusedBeforeUpstream(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	before := e.srv.Sandbox.DispatchCount()
	forge := func(desc string) (status int) {
		e.eval(fmt.Sprintf(`(async () => (await fetch("/api/embed-intermediary", { method: "POST",
			headers: { "Content-Type": "text/plain", "X-Sealbridge-Request": "1" }, body: %q })).status)()`, desc), &status)
		return status
	}
	enc := func(json string) string { return base64.StdEncoding.EncodeToString([]byte(json)) }
	require.Equal(t, http.StatusForbidden, forge(enc(`{"method":"GET","headers":{},"path":"/v2/admin/users"}`)))
	require.Equal(t, http.StatusMethodNotAllowed, forge(enc(`{"method":"DELETE","headers":{},"path":"/v2/sepa/beneficiaries/1"}`)))
	require.Equal(t, http.StatusBadRequest, forge(enc(`{"method":"GET","headers":{},"path":"//evil.example/v2/organization"}`)))
	require.Equal(t, http.StatusBadRequest, forge(enc(`{"method":"GET","headers":{},"path":"/v2/%2e%2e/admin"}`)))
	require.Equal(t, before, e.srv.Sandbox.DispatchCount(), "nothing forged reached the provider")

	// And through the shim, a disallowed path is an http_error 403.
	var code string
	var status int
	e.eval(`(async () => { const { load } = await import("/dist/index.js"); const sb = await load();
		const c = sb.createClient({ proxyEndpointDescriptor: { path: "/api/embed-intermediary", options: { headers: { "X-Sealbridge-Request": "1" } } } });
		try { await c.request({ path: "/v2/admin" }); return ["resolved", 0]; } catch (e) { return [e.code, e.status]; } })()`, &[]any{&code, &status})
	require.Equal(t, "http_error", code)
	require.Equal(t, 403, status)
}

func TestProxyCrossSiteFormPostIsRefused(t *testing.T) {
	e := newEnv(t)
	e.open("/") // the victim has a session cookie
	before := e.srv.Sandbox.DispatchCount()
	desc := base64.StdEncoding.EncodeToString([]byte(`{"method":"PATCH","headers":{},"path":"/v2/sepa/beneficiaries/x","payload":{"beneficiary":{"name":"pwned"}}}`))
	// A page on another loopback origin auto-submits a text/plain form: the
	// classic CSRF that needs no preflight.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<form id="f" method="POST" action="%s/api/embed-intermediary" enctype="text/plain">
			<input name="%s" value=""></form><script>document.getElementById("f").submit()</script>`, e.srv.URL, desc)
	}))
	defer evil.Close()
	var body string
	e.run(
		chromedp.Navigate(evil.URL),
		chromedp.Poll(`location.href.includes("/api/embed-intermediary") && document.body ? document.body.innerText : null`, &body, chromedp.WithPollingTimeout(10*time.Second)),
	)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(body))
	require.NoError(t, err, "the refusal is an envelope too: %q", body)
	require.Contains(t, string(raw), `"csrf"`)
	require.Equal(t, before, e.srv.Sandbox.DispatchCount())
}

func TestProxyProviderDownShowsClearError(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	require.NoError(t, e.srv.CloseSandbox())
	e.run(chromedp.Click("#ben-load", chromedp.ByID))
	status := e.waitStatus("ben-status")
	require.Contains(t, status, "error")
	require.Contains(t, status, "not answering")
}

func TestProxyValidationAndSCAErrorsReachThePage(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	e.run(chromedp.Click("#ben-load", chromedp.ByID))
	require.Contains(t, e.waitStatus("ben-status"), "beneficiaries")
	id := e.srv.Sandbox.BeneficiaryIDs()[0]
	before, _ := e.srv.Sandbox.Beneficiary(id)

	e.run(chromedp.Click(fmt.Sprintf(`#ben-rows tr[data-id=%q] button`, id), chromedp.ByQuery))
	e.fill(map[string]string{"ben-email": "not-an-email"})
	// Let the invalid value past the browser's own form check, so that the
	// provider's 422 is what the page has to explain.
	var ok bool
	e.eval(`(document.getElementById("ben-form").noValidate = true)`, &ok)
	e.run(chromedp.Click("#ben-save", chromedp.ByID))
	require.Contains(t, e.waitStatusFor("ben-status", "not valid"), "error")
	after, _ := e.srv.Sandbox.Beneficiary(id)
	require.Equal(t, before.Email, after.Email, "a 422 changes nothing")

	// A provider 428 (strong customer authentication) stays a 428 for the page.
	var got struct {
		Code   string `json:"code"`
		Status int    `json:"status"`
	}
	e.eval(fmt.Sprintf(`(async () => { const { load } = await import("/dist/index.js"); const sb = await load();
		const c = sb.createClient({ proxyEndpointDescriptor: { path: "/api/embed-intermediary", options: { headers: { "X-Sealbridge-Request": "1" } } } });
		try { await c.request({ method: "PATCH", path: "/v2/sepa/beneficiaries/%s", headers: { "x-sandbox-sca": "required" }, body: { beneficiary: { name: "x" } } }); return {}; }
		catch (e) { return { code: e.code, status: e.status }; } })()`, id), &got)
	require.Equal(t, "http_error", got.Code)
	require.Equal(t, 428, got.Status)
}
