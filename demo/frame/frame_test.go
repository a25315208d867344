package frame

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/frame/web"
)

const pin = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

func TestParseAncestorsAcceptsOnlyExactOrigins(t *testing.T) {
	got, err := ParseAncestors("https://shop.example.com, http://127.0.0.1:8080")
	require.NoError(t, err)
	require.Equal(t, []string{"https://shop.example.com", "http://127.0.0.1:8080"}, got)
	for _, bad := range []string{"https://shop.example.com/", "https://*.example.com", "shop.example.com", "https://a.example/path",
		"javascript:alert(1)", "https://u@a.example", "'self'", "*", "https://a.example?x", "data:"} {
		_, err := ParseAncestors(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseProviders(t *testing.T) {
	got, err := ParseProviders("bank https://api.bank.example/v1/keys/e2e " + pin + ", other http://127.0.0.1:9000/key")
	require.NoError(t, err)
	require.Equal(t, map[string]Provider{
		"bank":  {KeyURL: "https://api.bank.example/v1/keys/e2e", Pin: pin},
		"other": {KeyURL: "http://127.0.0.1:9000/key"},
	}, got)
	none, err := ParseProviders("  ")
	require.NoError(t, err)
	require.Nil(t, none)
	for _, bad := range []string{"bank", "bank https://a.example/k pin extra", "bank ftp://a.example/k", "bank /relative",
		"bank https://a.example/k short-pin", "b@d https://a.example/k", "a https://a.example/k, a https://b.example/k"} {
		_, err := ParseProviders(bad)
		assert.Error(t, err, bad)
	}
}

// distDir is a dist/ with stand-ins for the files the frame serves.
func distDir(t *testing.T) string {
	dir := t.TempDir()
	for name, body := range map[string]string{"sealbridge.wasm": "\x00asm\x01\x00\x00\x00", "index.js": "export {}", "errors.js": "export {}",
		"wasm_exec.js": "//", "frames.js": "export {}"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	return dir
}

type assets struct{ http.Handler }

func (assets) Version(string) (string, error) { return "abc123", nil }

func newFrame(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	h, err := New(cfg, assets{http.FileServer(http.Dir(distDir(t)))})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

func TestFramePageCarriesItsTrustConfiguration(t *testing.T) {
	srv := newFrame(t, Config{
		Ancestors: []string{"http://127.0.0.1:8080", "https://shop.example.com"},
		Providers: map[string]Provider{"bank": {KeyURL: "https://keys.bank.example/v1/keys/e2e", Pin: pin}},
	})
	res, body := get(t, srv.URL+"/frame.html")
	require.Equal(t, http.StatusOK, res.StatusCode)
	csp := res.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "frame-ancestors http://127.0.0.1:8080 https://shop.example.com;")
	assert.Contains(t, csp, "connect-src 'self' https://keys.bank.example;")
	assert.Contains(t, csp, "script-src 'self' 'wasm-unsafe-eval';")
	assert.Contains(t, csp, "default-src 'none'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.Empty(t, res.Header.Get("X-Frame-Options"), "framing is governed by frame-ancestors")
	assert.Equal(t, "?1", res.Header.Get("Origin-Agent-Cluster"))
	assert.Contains(t, body, `data-config="{&#34;ancestors&#34;:[&#34;http://127.0.0.1:8080&#34;,&#34;https://shop.example.com&#34;]`)
	assert.Contains(t, body, pin)
	assert.Contains(t, body, `href="/dist/sealbridge.wasm?v=abc123"`)
}

func TestFrameServesOnlyItsOwnFiles(t *testing.T) {
	srv := newFrame(t, Config{Ancestors: []string{"http://127.0.0.1:8080"}, Providers: map[string]Provider{"sandbox": {KeyURL: "http://127.0.0.1:9/k"}}})
	for path, want := range map[string]int{
		"/frame/frame.js": 200, "/frame/form.js": 200, "/frame/frame.css": 200, "/dist/index.js": 200, "/dist/sealbridge.wasm": 200,
		"/frame/frame.html": 404, "/frame/embed.go": 404, "/dist/frames.js": 404, "/": 404, "/api/config": 404, "/dist/../go.mod": 404,
	} {
		res, _ := get(t, srv.URL+path)
		assert.Equal(t, want, res.StatusCode, path)
		assert.NotEmpty(t, res.Header.Get("Content-Security-Policy"), path)
	}
}

func TestNewRefusesAnIncompleteConfiguration(t *testing.T) {
	ok := map[string]Provider{"sandbox": {KeyURL: "http://127.0.0.1:9/k"}}
	for name, cfg := range map[string]Config{
		"no ancestors": {Providers: ok},
		"bad ancestor": {Ancestors: []string{"*"}, Providers: ok},
		"no providers": {Ancestors: []string{"http://127.0.0.1:8080"}},
		"bad key URL":  {Ancestors: []string{"http://127.0.0.1:8080"}, Providers: map[string]Provider{"x": {KeyURL: "key"}}},
		"bad pin":      {Ancestors: []string{"http://127.0.0.1:8080"}, Providers: map[string]Provider{"x": {KeyURL: "http://a.example/k", Pin: "x"}}},
		"bad name":     {Ancestors: []string{"http://127.0.0.1:8080"}, Providers: map[string]Provider{"__proto__ ": {KeyURL: "http://a.example/k"}}},
	} {
		_, err := New(cfg, assets{http.NotFoundHandler()})
		assert.Error(t, err, name)
	}
}

// Every postMessage in the frame's scripts and in the host module names
// its target origin: none sends to "*".
func TestNoScriptPostsToAnyOrigin(t *testing.T) {
	star := regexp.MustCompile(`postMessage\([^)]*["'` + "`" + `]\*["'` + "`" + `]`)
	check := func(name, src string) {
		assert.NotRegexp(t, star, src, name)
	}
	require.NoError(t, fs.WalkDir(web.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		b, err := fs.ReadFile(web.Files, p)
		check(p, string(b))
		return err
	}))
	host, err := os.ReadFile("../../jsbridge/frames.js")
	require.NoError(t, err)
	check("jsbridge/frames.js", string(host))
	assert.Regexp(t, `postMessage\(\{ type: "sealbridge:connect", channel, options: forwarded \}, origin, \[port2\]\)`, string(host))
}
