package server

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseCSP splits a Content-Security-Policy into directive -> sources.
func parseCSP(t *testing.T, csp string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		name := strings.ToLower(f[0])
		_, dup := out[name]
		require.False(t, dup, "directive %s appears twice (browsers ignore the second)", name)
		out[name] = f[1:]
	}
	return out
}

// assertSecurityHeaders checks what every response must carry: a CSP that
// allows WebAssembly compilation and no other eval or inline script, no
// plugins, no <base> hijack; and nosniff.
func assertSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csps := h.Values("Content-Security-Policy")
	require.Len(t, csps, 1, "%s: exactly one CSP header", what)
	csp := parseCSP(t, csps[0])

	script, ok := csp["script-src"]
	require.True(t, ok, "%s: script-src is set (else default-src applies, without wasm)", what)
	assert.Contains(t, script, "'self'", what)
	assert.Contains(t, script, "'wasm-unsafe-eval'", what)
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "blob:", "http:", "https:"} {
		assert.NotContains(t, script, bad, "%s: script-src must not allow %s", what, bad)
	}
	for name, sources := range csp {
		assert.NotContains(t, sources, "'unsafe-eval'", "%s: %s allows 'unsafe-eval'", what, name)
	}
	assert.NotContains(t, csp["default-src"], "'unsafe-inline'", what)
	assert.Equal(t, []string{"'none'"}, csp["object-src"], "%s: object-src", what)
	assert.Equal(t, []string{"'none'"}, csp["base-uri"], "%s: base-uri", what)
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), what)
}

// The headers are on every response, whatever the route or the outcome;
// env.do checks each response, so this only has to produce a variety of them.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/", "/dist/sealbridge.wasm", "/dist/index.js", "/dist/missing.js", "/static/app.js", "/api/config", "/no-such-page"} {
		e.get(p)
	}
	e.post("/api/connections", []byte(`{}`), nil) // 401
	res, _ := e.post("/", nil, nil)               // method not allowed
	assert.GreaterOrEqual(t, res.StatusCode, 400)
}

// connect-src names the provider (the page fetches its key from it) and
// nothing broader.
func TestCSPConnectSrc(t *testing.T) {
	e := newEnv(t)
	res, _ := e.get("/")
	csp := parseCSP(t, res.Header.Get("Content-Security-Policy"))
	connect := csp["connect-src"]
	assert.Contains(t, connect, "'self'")
	assert.Contains(t, connect, e.srv.ProviderURL)
	assert.False(t, slices.ContainsFunc(connect, func(s string) bool { return s == "*" || s == "http:" || s == "https:" }), "connect-src %v", connect)
	assert.Equal(t, []string{"'none'"}, csp["frame-ancestors"])
}
