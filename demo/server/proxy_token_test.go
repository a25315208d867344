package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromEnvProxyRequireToken(t *testing.T) {
	for v, want := range map[string]bool{"": false, "1": true, "true": true, "TRUE": true, "t": true, "0": false, "false": false} {
		c, err := FromEnv(envFrom(map[string]string{EnvProxyRequireToken: v}))
		require.NoError(t, err, v)
		assert.Equal(t, want, c.ProxyRequireToken, "%s=%q", EnvProxyRequireToken, v)
	}
	for _, v := range []string{"yes", "on", "required", " 1"} {
		_, err := FromEnv(envFrom(map[string]string{EnvProxyRequireToken: v}))
		require.ErrorContains(t, err, EnvProxyRequireToken, "%q is a start-up error, not a silent no", v)
	}
}

// Only the sandbox's scoped tokens can be verified: asking for them with
// a real provider must stop the server rather than forward unchecked.
func TestProxyRequireTokenNeedsTheSandbox(t *testing.T) {
	_, err := Start(Config{
		Addr: "127.0.0.1:0", DistDir: distDir(t), ProviderURL: "http://127.0.0.1:1",
		AccessToken: "at-test", ProxyRequireToken: true,
	})
	require.ErrorContains(t, err, EnvProxyRequireToken)
}

// TestProxyBindsScopedToken checks the dev server's wiring end to end: the
// session's user, the demo's ownership table and the sandbox's tokens.
func TestProxyBindsScopedToken(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.ProxyRequireToken = true })
	cookie := e.session()
	own := e.checkoutToken(cookie, "inv_1001")
	other := e.sandboxScopedToken("cus_other", "inv_2001")

	for _, c := range []struct {
		name, auth, path string
		status           int
		code             string
	}{
		{"no token", "", "/v2/organization", 401, "invalid_token"},
		{"basic", "Basic dTpw", "/v2/organization", 401, "invalid_token"},
		{"another customer's token", "Bearer " + other, "/v1/invoices/inv_2001", 403, "forbidden"},
		{"another invoice", "Bearer " + own, "/v1/invoices/inv_1002", 403, "forbidden"},
		{"own invoice", "Bearer " + own, "/v1/invoices/inv_1001", 200, ""},
		{"no {invoice} in the rule", "Bearer " + own, "/v2/organization", 200, ""},
	} {
		before := e.srv.Sandbox.DispatchCount()
		status, code, body := e.proxyCall(cookie, c.auth, c.path)
		require.Equal(t, c.status, status, "%s: %s", c.name, body)
		if c.code != "" {
			assert.Equal(t, c.code, code, c.name)
			assert.Equal(t, before, e.srv.Sandbox.DispatchCount(), "%s: the provider was not called", c.name)
			continue
		}
		assert.Equal(t, before+1, e.srv.Sandbox.DispatchCount(), c.name)
		if strings.HasPrefix(c.path, "/v1/invoices/") {
			assert.Contains(t, body, `"id":"inv_1001"`, "the sandbox's dispatch serves the invoice")
		}
	}
}

// checkoutToken asks the dev server for a scoped token, as the page does.
func (e *env) checkoutToken(cookie *http.Cookie, invoice string) string {
	e.t.Helper()
	res, body := e.post("/api/checkout-token", []byte(`{"invoice_id":"`+invoice+`"}`), func(r *http.Request) { e.sameOrigin(r, cookie) })
	require.Equal(e.t, http.StatusOK, res.StatusCode, string(body))
	var out struct{ Token string }
	require.NoError(e.t, json.Unmarshal(body, &out))
	return out.Token
}

// sandboxScopedToken mints a token at the sandbox directly, with the
// partner's client credentials: the dev server would refuse to mint one
// for a customer its user does not own.
func (e *env) sandboxScopedToken(customer, invoice string) string {
	e.t.Helper()
	id, secret := e.srv.Sandbox.ClientCredentials()
	req, err := http.NewRequest(http.MethodPost, e.srv.ProviderURL+"/auth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	doJSON(e.t, req, &tr)
	req, err = http.NewRequest(http.MethodPost, e.srv.ProviderURL+"/v1/checkout-auth/init",
		strings.NewReader(`{"customer_id":"`+customer+`","invoice_id":"`+invoice+`"}`))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	var ir struct{ Token string }
	doJSON(e.t, req, &ir)
	return ir.Token
}

func doJSON(t *testing.T, req *http.Request, out any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NoError(t, json.NewDecoder(res.Body).Decode(out))
}

// proxyCall sends GET path through the intermediary as the page would and
// returns the status, the error code (if any) and the envelope's body.
func (e *env) proxyCall(cookie *http.Cookie, auth, path string) (status int, code, body string) {
	e.t.Helper()
	desc, err := json.Marshal(map[string]any{"method": "GET", "headers": map[string]string{}, "path": path})
	require.NoError(e.t, err)
	res, raw := e.post("/api/embed-intermediary", []byte(base64.StdEncoding.EncodeToString(desc)), func(r *http.Request) {
		e.sameOrigin(r, cookie)
		r.Header.Set("Content-Type", "text/plain")
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
	})
	dec, err := base64.StdEncoding.DecodeString(string(raw))
	require.NoError(e.t, err, "the intermediary answers envelopes: %q", raw)
	var env struct {
		Body json.RawMessage `json:"body"`
	}
	require.NoError(e.t, json.Unmarshal(dec, &env))
	var errBody struct{ Code string }
	_ = json.Unmarshal(env.Body, &errBody)
	return res.StatusCode, errBody.Code, string(env.Body)
}
