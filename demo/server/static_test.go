package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/web"
	"github.com/sealbridge/sealbridge/internal/sri"
)

func TestSignInSetsSessionCookie(t *testing.T) {
	e := newEnv(t)
	res, body := e.get("/")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, res.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, string(body), "<")
	assert.Empty(t, res.Header.Values("Set-Cookie"), "a page load creates no session")

	res, _ = e.post("/api/session", []byte(`{"user":"demo"}`), func(r *http.Request) { e.sameOrigin(r, nil) })
	raw := res.Header.Values("Set-Cookie")
	require.Len(t, raw, 1)
	c := res.Cookies()[0]
	assert.Equal(t, "sealbridge", c.Name)
	assert.NotEmpty(t, c.Value)
	assert.True(t, c.HttpOnly, "the page's script cannot read the session")
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, "/", c.Path)
	assert.Empty(t, c.Domain)
	assert.NotContains(t, strings.ToLower(raw[0]), "domain=")
	assert.False(t, c.Secure, "plain-HTTP dev server: a Secure cookie would never come back")
	assert.NotContains(t, e.logs.String(), c.Value, "the session id is not logged")
}

// A page load that already has a live session keeps it: no new cookie.
func TestPageKeepsLiveSession(t *testing.T) {
	e := newEnv(t)
	c := e.session()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/", nil)
	require.NoError(t, err)
	req.AddCookie(c)
	res, _ := e.do(req)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Empty(t, res.Header.Values("Set-Cookie"))
}

func TestSecureCookie(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Secure = true })
	res, _ := e.post("/api/session", []byte(`{"user":"demo"}`), func(r *http.Request) { e.sameOrigin(r, nil) })
	require.Equal(t, http.StatusOK, res.StatusCode)
	cookies := res.Cookies()
	require.Len(t, cookies, 1)
	c := cookies[0]
	assert.True(t, strings.HasPrefix(c.Name, "__Host-"), "name %q", c.Name)
	assert.True(t, c.Secure)
	assert.True(t, c.HttpOnly)
	assert.Equal(t, "/", c.Path, "__Host- requires Path=/")
	assert.Empty(t, c.Domain, "__Host- forbids Domain")
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)

	// The __Host- cookie is the one the API accepts.
	ok, _ := e.post("/api/connections", []byte(`x`), func(r *http.Request) { e.sameOrigin(r, c) })
	assert.NotEqual(t, http.StatusUnauthorized, ok.StatusCode)
	plain := &http.Cookie{Name: "sealbridge", Value: c.Value}
	res, body := e.post("/api/connections", []byte(`{}`), func(r *http.Request) { e.sameOrigin(r, plain) })
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Equal(t, "unauthenticated", apiErr(t, res, body).Code)
}

func TestDistServesWasm(t *testing.T) {
	e := newEnv(t)
	res, body := e.get("/dist/sealbridge.wasm")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/wasm", res.Header.Get("Content-Type"), "instantiateStreaming needs it")
	assert.Equal(t, wasmStub, body)

	res, body = e.get("/dist/index.js")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, res.Header.Get("Content-Type"), "javascript")
	assert.Contains(t, string(body), "export async function load")
}

// The dist handler serves DistDir and nothing above it.
func TestDistNoTraversal(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/dist/../go.mod", "/dist/%2e%2e/static.go", "/dist/..%2fstatic.go"} {
		res, body := e.get(p)
		assert.NotEqual(t, http.StatusOK, res.StatusCode, p)
		assert.NotContains(t, string(body), "package server", p)
	}
}

func TestStartNeedsTheShim(t *testing.T) {
	_, err := Start(Config{Addr: "127.0.0.1:0", DistDir: t.TempDir()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sealbridge.wasm")
	assert.Contains(t, err.Error(), "make wasm", "the message says how to fix it")
}

// Every tag that loads a script, a style or the module carries an SRI
// hash, and it is the hash of what the server sends at that URL (so the
// page loads, and a changed byte would stop it). Each module is pinned by
// the import map, which the page's CSP allows by the hash of its text.
func TestPageTagsCarryTheIntegrityOfWhatIsServed(t *testing.T) {
	e := newEnv(t)
	res, page := e.get("/")
	attr := func(tag []byte, name string) string {
		m := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindSubmatch(tag)
		if m == nil {
			return ""
		}
		return html.UnescapeString(string(m[1]))
	}
	served := func(url string) string {
		res, body := e.get(url)
		require.Equal(t, http.StatusOK, res.StatusCode, url)
		return sri.DigestBytes(body)
	}
	tags := map[string]string{}
	for _, tag := range regexp.MustCompile(`<(?:link|script)\b[^>]*\b(?:href|src)="[^"]*"[^>]*>`).FindAll(page, -1) {
		if attr(tag, "rel") == "icon" {
			continue // SRI does not apply to icons: they run no code
		}
		url := attr(tag, "href") + attr(tag, "src")
		require.NotEmpty(t, attr(tag, "integrity"), "no integrity on %s", tag)
		assert.Equal(t, served(url), attr(tag, "integrity"), "the integrity of %s is not that of the file served", url)
		tags[url] = attr(tag, "integrity")
	}

	m := regexp.MustCompile(`<script type="importmap">(.*?)</script>`).FindSubmatch(page)
	require.NotNil(t, m, "no import map")
	var importMap struct{ Integrity map[string]string }
	require.NoError(t, json.Unmarshal(m[1], &importMap))
	sum := sha256.Sum256(m[1])
	assert.Contains(t, parseCSP(t, res.Header.Get("Content-Security-Policy"))["script-src"], "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'",
		"the CSP does not allow the import map")

	modules, err := fs.Glob(web.Files, "*.js")
	require.NoError(t, err)
	for i := range modules {
		modules[i] = "/static/" + modules[i]
	}
	for _, url := range append(modules, "/dist/index.js", "/dist/wasm_exec.js") {
		if url == "/static/"+pageEntry {
			assert.NotEmpty(t, tags[url], "the entry script has no integrity")
			continue
		}
		assert.Equal(t, served(url), importMap.Integrity[url], "the import map does not pin %s", url)
	}
}
