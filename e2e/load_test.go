package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/sri"
	"github.com/sealbridge/sealbridge/internal/testkeys"
)

// Each way a deployment can fail to deliver the module rejects load() with
// its own code and a message that names the fix.
func TestLoadFailuresHaveTheirCodeAndNameTheFix(t *testing.T) {
	site := newLoadSite(t)
	published := site.manifest.Files["sealbridge.wasm"]
	cases := []struct {
		name, csp, loader, wasmURL, integrity string
		pins                                  map[string]string // the page's import map integrity
		code                                  string
		fix                                   []string // the message contains each
	}{
		{name: "404", wasmURL: "/bad/missing/sealbridge.wasm", code: "module_unavailable",
			fix: []string{"HTTP 404", "deploy sealbridge.wasm at that URL", "load({ wasmURL })"}},
		{name: "network error", wasmURL: "/bad/reset/sealbridge.wasm", code: "module_unavailable",
			fix: []string{"could not fetch", "that the server is up", "connect-src"}},
		{name: "gzip served as the module", wasmURL: "/bad/gz/sealbridge.wasm", code: "module_unavailable",
			fix: []string{"is gzip data, not WebAssembly", "Content-Encoding: gzip", "Content-Type: application/wasm"}},
		{name: "wrong MIME type", wasmURL: "/bad/mime/sealbridge.wasm", code: "module_unavailable",
			fix: []string{`served as "application/octet-stream"`, "Content-Type: application/wasm"}},
		{name: "one byte changed", wasmURL: "/bad/tampered/sealbridge.wasm", integrity: published, code: "module_unavailable",
			fix: []string{"does not match its integrity " + published, "the file served is " + sri.DigestBytes(site.tampered),
				"serve the sealbridge.wasm that integrity.json describes"}},
		{name: "module of another release", loader: "/bad/release/index.js", wasmURL: "/bad/release/sealbridge.wasm", code: "module_unavailable",
			fix: []string{"is Sealbridge " + site.manifest.Version + " but index.js is 0.0.0-other", "of one release together"}},
		{name: "wasm_exec.js changed after publishing", loader: "/bad/runtime/index.js", wasmURL: "/bad/runtime/sealbridge.wasm",
			pins: map[string]string{"/bad/runtime/wasm_exec.js": site.manifest.Files["wasm_exec.js"]},
			code: "module_unavailable", fix: []string{"could not load wasm_exec.js", "this release's hash from integrity.json"}},
		{name: "CSP without wasm-unsafe-eval", csp: "nowasm", code: "module_blocked",
			fix: []string{"Content-Security-Policy forbids compiling WebAssembly", "add 'wasm-unsafe-eval' to its script-src"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTab(t)
			loader := c.loader
			if loader == "" {
				loader = "/dist/index.js"
			}
			r := site.tryLoad(e, c.csp, c.pins, loader, loadOptions(c.wasmURL, c.integrity))
			require.Empty(t, r.ImportFailed)
			require.False(t, r.Loaded, "load() succeeded")
			require.True(t, r.IsSealbridgeError, "not a SealbridgeError: %+v", r)
			assert.Equal(t, c.code, r.Code, r.Message)
			for _, want := range c.fix {
				assert.Contains(t, r.Message, want)
			}
			assertNoUnsafeEvalAdvice(t, r.Message)
			if c.code == "module_blocked" {
				// Refused before the download, and the only violation
				// is the compilation load() tried.
				assert.Empty(t, e.net.sent("sealbridge.wasm"), "the module was downloaded although it cannot run")
				takeCSPViolations(e, "wasm-eval")
			}
		})
	}
}

// A changed index.js, pinned by the page's import map, is refused by the
// browser: the import of the loader fails, so nothing of it runs.
func TestChangedLoaderIsRefusedByTheImportMap(t *testing.T) {
	site := newLoadSite(t)
	e := newTab(t)
	pins := map[string]string{"/bad/loader/index.js": site.manifest.Files["index.js"]}
	r := site.tryLoad(e, "", pins, "/bad/loader/index.js", "{}")
	assert.Contains(t, r.ImportFailed, "/bad/loader/index.js", "the changed loader was imported: %+v", r)
}

// A one-byte change to the served module fails the load (above); the
// published file loads with the same integrity.
func TestLoadWithThePublishedIntegrity(t *testing.T) {
	site := newLoadSite(t)
	e := newTab(t)
	pins := map[string]string{"/dist/index.js": site.manifest.Files["index.js"], "/dist/wasm_exec.js": site.manifest.Files["wasm_exec.js"]}
	r := site.tryLoad(e, "", pins, "/dist/index.js", loadOptions("/dist/sealbridge.wasm", site.manifest.Files["sealbridge.wasm"]))
	require.True(t, r.Loaded, "%+v", r)
}

// A module worker loads Sealbridge (its CSP comes from the worker script's
// own response), seals, and the JWE decrypts to what the page sent.
func TestModuleWorkerSeals(t *testing.T) {
	site := newLoadSite(t)
	e := newTab(t)
	key, _, _ := testkeys.RSA()
	out := site.runWorker(e, "", testkeys.JWK(&key.PublicKey, "worker-1"), "Société €🙂 s3cret")
	require.Empty(t, out.Error, "the worker failed")
	assert.True(t, out.InWorker)
	assert.Equal(t, site.manifest.Version, out.Version)

	jwe, err := jose.ParseEncryptedCompact(out.JWE, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
	require.NoError(t, err)
	assert.Equal(t, "worker-1", jwe.Header.KeyID)
	plain, err := jwe.Decrypt(key)
	require.NoError(t, err)
	assert.Equal(t, "Société €🙂 s3cret", string(plain))
}

// A worker script served without 'wasm-unsafe-eval' in its own CSP (the
// page's allows it) gets module_blocked, naming the worker's header.
func TestModuleWorkerWithoutWasmInItsCSPIsBlocked(t *testing.T) {
	site := newLoadSite(t)
	e := newTab(t)
	key, _, _ := testkeys.RSA()
	out := site.runWorker(e, "nowasm", testkeys.JWK(&key.PublicKey, "worker-1"), "x")
	require.NotNil(t, out.Error, "the worker loaded under a CSP that forbids WebAssembly")
	assert.Equal(t, "SealbridgeError", out.Error.Name)
	assert.Equal(t, "module_blocked", out.Error.Code)
	assert.Contains(t, out.Error.Message, "worker's Content-Security-Policy (sent with the worker script's response)")
	assert.Contains(t, out.Error.Message, "add 'wasm-unsafe-eval' to its script-src")
	assertNoUnsafeEvalAdvice(t, out.Error.Message)
}

type workerOutput struct {
	JWE      string `json:"jwe"`
	Version  string `json:"version"`
	InWorker bool   `json:"inWorker"`
	Error    *struct {
		Name, Code, Message string
	} `json:"error"`
}

// runWorker starts /worker.js (served with csp) from /page, posts it a
// JWK and a value, and returns its answer.
func (s *loadSite) runWorker(e *env, csp string, jwk map[string]any, value string) workerOutput {
	e.t.Helper()
	e.run(chromedp.Navigate(s.url + "/page"))
	msg, err := json.Marshal(map[string]any{"jwk": jwk, "value": value})
	require.NoError(e.t, err)
	var out workerOutput
	e.eval(`new Promise((resolve, reject) => {
		const worker = new Worker("/worker.js?csp=`+csp+`", { type: "module" });
		worker.onmessage = ({ data }) => { worker.terminate(); resolve(data); };
		worker.onerror = (ev) => reject(new Error("worker failed to start: " + ev.message));
		worker.postMessage(`+string(msg)+`);
	})`, &out)
	return out
}

// loadOptions writes load()'s options as a JS object literal.
func loadOptions(wasmURL, integrity string) string {
	var parts []string
	if wasmURL != "" {
		parts = append(parts, "wasmURL: "+jsString(wasmURL))
	}
	if integrity != "" {
		parts = append(parts, "integrity: "+jsString(integrity))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// assertNoUnsafeEvalAdvice fails when msg mentions 'unsafe-eval' other than
// inside 'wasm-unsafe-eval': that would allow eval() too, and is not needed.
func assertNoUnsafeEvalAdvice(t *testing.T, msg string) {
	t.Helper()
	assert.NotContains(t, strings.ReplaceAll(msg, "'wasm-unsafe-eval'", ""), "unsafe-eval", "the message advises 'unsafe-eval': %s", msg)
}

// takeCSPViolations checks that the page's CSP violations so far all
// concern blocked (e.g. "wasm-eval"), and clears them: the test expected
// them.
func takeCSPViolations(e *env, blocked string) {
	e.t.Helper()
	var got []string
	e.eval(`(() => { const v = window.__csp; window.__csp = []; return v; })()`, &got)
	require.NotEmpty(e.t, got, "no CSP violation was reported")
	for _, v := range got {
		assert.Contains(e.t, v, blocked, fmt.Sprintf("unexpected CSP violation %q", v))
	}
}
