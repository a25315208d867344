package server

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const connections = "/api/connections"

// A sealed-looking body: it would be accepted by every check up to the
// provider, so a refusal can only come from the check under test.
func sealedBody(t *testing.T, e *env, login, password string) []byte {
	k := sandboxKey(t, e.srv)
	return fmt.Appendf(nil, `{"id_connector":59,"login":%q,"password":%q}`, sealWith(t, k, login), sealWith(t, k, password))
}

func TestConnectionsNeedSession(t *testing.T) {
	e := newEnv(t)
	body := sealedBody(t, e, "alice", "hunter2")
	for name, cookie := range map[string]*http.Cookie{
		"no cookie":      nil,
		"unknown cookie": {Name: "sealbridge", Value: "forged-session-id"},
		"empty cookie":   {Name: "sealbridge", Value: ""},
	} {
		t.Run(name, func(t *testing.T) {
			res, b := e.post(connections, body, func(r *http.Request) { e.sameOrigin(r, cookie) })
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
			assert.Equal(t, "unauthenticated", apiErr(t, res, b).Code)
		})
	}
	assert.Zero(t, e.srv.Sandbox.ConnectionAttempts(), "nothing reached the provider")
}

// Cross-site requests are refused before the provider is
// called, even with a valid session cookie.
func TestConnectionsCSRF(t *testing.T) {
	e := newEnv(t)
	cookie := e.session()
	body := sealedBody(t, e, "alice", "hunter2")
	otherPort := otherOrigin(t, e.srv.URL)
	cases := map[string]func(*http.Request){
		"no custom header": func(r *http.Request) {
			e.sameOrigin(r, cookie)
			r.Header.Del(CSRFHeader)
		},
		"no custom header, no browser headers": func(r *http.Request) {
			r.AddCookie(cookie)
			r.Header.Set("Content-Type", "application/json")
		},
		"cross-site form (text/plain)": func(r *http.Request) {
			r.AddCookie(cookie)
			r.Header.Set("Content-Type", "text/plain")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			r.Header.Set("Origin", "http://evil.test")
		},
		"Sec-Fetch-Site cross-site": func(r *http.Request) {
			e.sameOrigin(r, cookie)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
		},
		"Sec-Fetch-Site same-site": func(r *http.Request) {
			e.sameOrigin(r, cookie)
			r.Header.Set("Sec-Fetch-Site", "same-site")
		},
		"Origin on another port": func(r *http.Request) {
			e.sameOrigin(r, cookie)
			r.Header.Del("Sec-Fetch-Site")
			r.Header.Set("Origin", otherPort)
		},
		"Origin null": func(r *http.Request) {
			e.sameOrigin(r, cookie)
			r.Header.Del("Sec-Fetch-Site")
			r.Header.Set("Origin", "null")
		},
	}
	for name, prepare := range cases {
		t.Run(name, func(t *testing.T) {
			res, b := e.post(connections, body, prepare)
			assert.Equal(t, http.StatusForbidden, res.StatusCode)
			assert.Equal(t, "csrf", apiErr(t, res, b).Code)
		})
	}
	assert.Zero(t, e.srv.Sandbox.ConnectionAttempts(), "nothing reached the provider")
	assert.Empty(t, e.srv.Sandbox.Connections())
}

// otherOrigin is the server's origin with another port.
func otherOrigin(t *testing.T, origin string) string {
	host, port, err := net.SplitHostPort(strings.TrimPrefix(origin, "http://"))
	require.NoError(t, err)
	other := "1"
	if port == other {
		other = "2"
	}
	return "http://" + net.JoinHostPort(host, other)
}

// Invariant 2, defence in depth: a page that forgot to seal is stopped at
// the dev server; the cleartext never reaches the provider, nor the logs,
// nor the error message.
func TestConnectionsRefuseCleartext(t *testing.T) {
	e := newEnv(t)
	cookie := e.session()
	k := sandboxKey(t, e.srv)
	sealed := sealWith(t, k, "hunter2-canary")
	cases := map[string]string{
		"cleartext password":   `{"id_connector":59,"login":` + q(sealed) + `,"password":"hunter2-canary"}`,
		"cleartext login":      `{"id_connector":59,"login":"alice-canary","password":` + q(sealed) + `}`,
		"both cleartext":       `{"id_connector":59,"login":"alice-canary","password":"hunter2-canary"}`,
		"password as a number": `{"id_connector":59,"login":` + q(sealed) + `,"password":12345678}`,
		"password as object":   `{"id_connector":59,"login":` + q(sealed) + `,"password":{"v":"hunter2-canary"}}`,
		"empty password":       `{"id_connector":59,"login":` + q(sealed) + `,"password":""}`,
		"three-part token":     `{"id_connector":59,"login":` + q(sealed) + `,"password":"a.hunter2-canary.c"}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			res, b := e.post(connections, []byte(body), func(r *http.Request) { e.sameOrigin(r, cookie) })
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			ae := apiErr(t, res, b)
			assert.Equal(t, "invalid_argument", ae.Code)
			assert.Regexp(t, "login|password", ae.Message, "the message names the field")
			assert.NotContains(t, string(b), "canary", "the value is never echoed")
		})
	}
	assert.Zero(t, e.srv.Sandbox.ConnectionAttempts(), "no cleartext reached the provider")
	assert.NotContains(t, e.logs.String(), "canary", "no cleartext in the logs")
}

func q(s string) string { return `"` + s + `"` }

// A properly sealed body goes through: the provider opens it and holds the
// cleartext, which the dev server never saw in clear and never echoes.
func TestConnectionsSealedBodyIsCreated(t *testing.T) {
	e := newEnv(t)
	cookie := e.session()
	body := sealedBody(t, e, "alice@example.test", "hunter2-canary")

	res, b := e.post(connections, body, func(r *http.Request) { e.sameOrigin(r, cookie) })
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	assert.JSONEq(t, `{"id":1,"id_connector":59,"state":null,"fields":["login","password"]}`, string(b))
	assert.NotContains(t, string(b), "hunter2")

	conns := e.srv.Sandbox.Connections()
	require.Len(t, conns, 1)
	assert.Equal(t, 59, conns[0].Connector)
	assert.Equal(t, map[string]string{"login": "alice@example.test", "password": "hunter2-canary"}, conns[0].Fields)
	assert.Equal(t, 1, e.srv.Sandbox.ConnectionAttempts())
	assert.NotContains(t, e.logs.String(), "hunter2")

	// The provider's own headers are not relayed to the page.
	assert.Empty(t, res.Header.Values("Set-Cookie"))
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))

	// A second connection goes through too (with the cached provider token).
	body = sealedBody(t, e, "bob", "pw2")
	res, b = e.post(connections, body, func(r *http.Request) { e.sameOrigin(r, cookie) })
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
	conns = e.srv.Sandbox.Connections()
	require.Len(t, conns, 2)
	assert.Equal(t, map[string]string{"login": "bob", "password": "pw2"}, conns[1].Fields)
}

// A non-browser client (no Origin, no Sec-Fetch-Site) that has the session
// and the custom header is allowed: CSRF is a browser attack.
func TestConnectionsWithoutBrowserHeaders(t *testing.T) {
	e := newEnv(t)
	cookie := e.session()
	body := sealedBody(t, e, "alice", "pw")
	res, b := e.post(connections, body, func(r *http.Request) {
		r.AddCookie(cookie)
		r.Header.Set(CSRFHeader, "1")
	})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
}

// The provider's refusals pass through with their status and JSON body.
func TestConnectionsRelayProviderRefusal(t *testing.T) {
	e := newEnv(t)
	cookie := e.session()
	k := sandboxKey(t, e.srv)
	body := fmt.Appendf(nil, `{"login":%q,"password":%q}`, sealWith(t, k, "a"), sealWith(t, k, "b")) // no id_connector
	res, b := e.post(connections, body, func(r *http.Request) { e.sameOrigin(r, cookie) })
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, "invalid_request", apiErr(t, res, b).Code)
	assert.Empty(t, e.srv.Sandbox.Connections())
}

func TestConnectionsOversizeBody(t *testing.T) {
	e := newEnv(t)
	cookie := e.session()
	k := sandboxKey(t, e.srv)
	pad := strings.Repeat("a", maxConnectionBody)
	body := fmt.Appendf(nil, `{"id_connector":59,"login":%q,"password":%q,"note":%q}`, sealWith(t, k, "a"), sealWith(t, k, "b"), pad)
	res, b := e.post(connections, body, func(r *http.Request) { e.sameOrigin(r, cookie) })
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	assert.Equal(t, "payload_too_large", apiErr(t, res, b).Code)
	assert.Zero(t, e.srv.Sandbox.ConnectionAttempts())

	// Just under the limit is read whole (and left to the provider).
	fit := bytes.Repeat([]byte(" "), maxConnectionBody-len(`{"id_connector":59}`))
	res, b = e.post(connections, append([]byte(`{"id_connector":59}`), fit...), func(r *http.Request) { e.sameOrigin(r, cookie) })
	assert.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
}

// With the sandbox down the page gets a clear 502, and neither the error
// nor the log carries the provider URL's *url.Error text with a token.
func TestConnectionsProviderDown(t *testing.T) {
	e := newEnv(t)
	cookie := e.session()
	body := sealedBody(t, e, "alice", "pw")
	// Get a provider token first, so that the failure is the call itself.
	res, _ := e.post(connections, body, func(r *http.Request) { e.sameOrigin(r, cookie) })
	require.Equal(t, http.StatusCreated, res.StatusCode)

	require.NoError(t, e.srv.CloseSandbox())
	res, b := e.post(connections, body, func(r *http.Request) { e.sameOrigin(r, cookie) })
	assert.Equal(t, http.StatusBadGateway, res.StatusCode)
	assert.Equal(t, "upstream_unavailable", apiErr(t, res, b).Code)
	assert.NotContains(t, string(b), e.srv.ProviderURL)
}
