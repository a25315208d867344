package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/internal/testutil"
)

// wasmStub is the smallest valid WebAssembly module: the magic and the
// version. The server only serves it; nothing instantiates it.
var wasmStub = []byte("\x00asm\x01\x00\x00\x00")

type syncBuffer = testutil.Buffer

// lines returns the log lines decoded, failing on a line that is not one
// JSON object: a forged or split line shows up here.

// recorded is one response of the dev server, kept for the canary check.
type recorded struct {
	what   string
	header http.Header
	body   []byte
}

// env is one test's dev server, with its captured logs and every response
// it gave.
type env struct {
	t    *testing.T
	srv  *Server
	logs *syncBuffer
	hc   *http.Client

	mu        sync.Mutex
	responses []recorded
}

// distDir makes a DistDir holding a stub shim.
func distDir(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sealbridge.wasm"), wasmStub, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.js"), []byte("export async function load() {}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "wasm_exec.js"), []byte("globalThis.Go = class {};\n"), 0o644))
	return dir
}

// newEnv starts the real dev server (and its embedded sandbox) on
// loopback. When the test ends, after the server has stopped, it checks
// that no server secret reached any response or log line.
func newEnv(t *testing.T, opts ...func(*Config)) *env {
	t.Helper()
	logs := &syncBuffer{}
	cfg := Config{
		Addr:    "127.0.0.1:0",
		DistDir: distDir(t),
		Logger:  slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := Start(cfg)
	require.NoError(t, err)
	e := &env{
		t: t, srv: srv, logs: logs,
		hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	t.Cleanup(e.checkCanaries) // runs after Close (cleanups are LIFO)
	t.Cleanup(func() {
		e.hc.CloseIdleConnections()
		assert.NoError(t, srv.Close())
	})
	return e
}

// do sends req to the dev server, records the response and checks the
// headers every response must carry.
func (e *env) do(req *http.Request) (*http.Response, []byte) {
	e.t.Helper()
	res, err := e.hc.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	e.mu.Lock()
	e.responses = append(e.responses, recorded{what: req.Method + " " + req.URL.String(), header: res.Header.Clone(), body: body})
	e.mu.Unlock()
	assertSecurityHeaders(e.t, req.Method+" "+req.URL.Path, res.Header)
	return res, body
}

func (e *env) get(path string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	require.NoError(e.t, err)
	return e.do(req)
}

// session signs in as the page's button does and returns the session
// cookie.
func (e *env) session() *http.Cookie {
	e.t.Helper()
	res, body := e.post("/api/session", []byte(`{"user":"demo"}`), func(r *http.Request) { e.sameOrigin(r, nil) })
	require.Equal(e.t, http.StatusOK, res.StatusCode, string(body))
	for _, c := range res.Cookies() {
		if c.Name == e.srv.sessions.CookieName() {
			return c
		}
	}
	e.t.Fatalf("POST /api/session set no session cookie; Set-Cookie: %q", res.Header.Values("Set-Cookie"))
	return nil
}

// sameOrigin marks req the way a browser marks a fetch from the page.
func (e *env) sameOrigin(req *http.Request, cookie *http.Cookie) {
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set(CSRFHeader, "1")
	req.Header.Set("Content-Type", "application/json")
	if cookie != nil {
		req.AddCookie(cookie)
	}
}

func (e *env) post(path string, body []byte, prepare func(*http.Request)) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(body))
	require.NoError(e.t, err)
	if prepare != nil {
		prepare(req)
	}
	return e.do(req)
}

// checkCanaries asserts that no secret leaves the server: the sandbox client
// secret and any provider token (their prefixes) never appear in a
// response (status line aside: headers and body) or in the logs.
func (e *env) checkCanaries() {
	t := e.t
	_, secret := e.srv.Sandbox.ClientCredentials()
	require.NotEmpty(t, secret)
	canaries := []string{secret, "sbx_cs_", "sbx_at_", "sbx_rt_"}
	logs := e.logs.String()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range canaries {
		assert.NotContains(t, logs, c, "a server secret reached the logs")
		for _, r := range e.responses {
			assert.NotContains(t, string(r.body), c, "a server secret reached the body of %s", r.what)
			for name, vs := range r.header {
				for _, v := range vs {
					assert.NotContains(t, v, c, "a server secret reached header %s of %s", name, r.what)
				}
			}
		}
	}
}

// apiErr decodes the dev server's JSON error body.
func apiErr(t *testing.T, res *http.Response, body []byte) apiError {
	t.Helper()
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	var e apiError
	require.NoError(t, json.Unmarshal(body, &e), "body: %s", body)
	assert.NotEmpty(t, e.Message, "an error says what to fix")
	return e
}

// sandboxKey fetches the sandbox's public e2e key, as the page does.
func sandboxKey(t *testing.T, srv *Server) jose.JSONWebKey {
	t.Helper()
	res, err := http.Get(srv.ProviderURL + sandbox.KeyPath)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var k jose.JSONWebKey
	require.NoError(t, json.NewDecoder(res.Body).Decode(&k))
	require.NotEmpty(t, k.KeyID)
	require.True(t, k.IsPublic())
	return k
}

// sealWith makes the compact JWE the shim would: RSA-OAEP-256 and
// A256GCM, with the key's kid in the protected header.
func sealWith(t *testing.T, k jose.JSONWebKey, plaintext string) string {
	t.Helper()
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: k.Key, KeyID: k.KeyID}, nil)
	require.NoError(t, err)
	obj, err := enc.Encrypt([]byte(plaintext))
	require.NoError(t, err)
	s, err := obj.CompactSerialize()
	require.NoError(t, err)
	return s
}

// logLines parses every JSON log line in b.
func logLines(t *testing.T, b *syncBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "log line is not one JSON object: %q", l)
		out = append(out, m)
	}
	return out
}
