package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/server"
	"github.com/sealbridge/sealbridge/internal/sri"
)

// The CSPs the load tests serve: the one the README asks for, and one that
// forgets 'wasm-unsafe-eval'.
const (
	cspAllowsWasm = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'self'"
	cspNoWasm     = "default-src 'self'; script-src 'self'; connect-src 'self'; worker-src 'self'"
)

// loadSite is an integrator's server, right and wrong: /dist/ serves the
// built shim as the dev server does (precompressed, application/wasm), and
// each /bad/<fault>/ a copy of it with one deployment mistake.
type loadSite struct {
	url      string
	manifest sri.Manifest // ../dist/integrity.json, as published
	tampered []byte       // sealbridge.wasm with one byte changed
}

func newLoadSite(t *testing.T) *loadSite {
	t.Helper()
	manifest, err := sri.Read("../dist/integrity.json")
	require.NoError(t, err, "run make wasm first")
	wasm := readDist(t, "sealbridge.wasm")
	s := &loadSite{manifest: manifest, tampered: bytes.Clone(wasm)}
	s.tampered[len(wasm)/2] ^= 0x01

	mux := http.NewServeMux()
	mux.Handle("GET /dist/", http.StripPrefix("/dist/", server.NewAssets("../dist")))
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		csp := cspAllowsWasm
		if r.URL.Query().Get("csp") == "nowasm" {
			csp = cspNoWasm
		}
		if h := r.URL.Query().Get("scripthash"); h != "" {
			csp = strings.Replace(csp, "script-src 'self'", "script-src 'self' '"+h+"'", 1)
		}
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>load</title>`+r.URL.Query().Get("head")+`</head><body></body></html>`)
	})
	mux.HandleFunc("GET /worker.js", func(w http.ResponseWriter, r *http.Request) {
		csp := cspAllowsWasm
		if r.URL.Query().Get("csp") == "nowasm" {
			csp = cspNoWasm
		}
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, sealWorker, manifest.Files["sealbridge.wasm"])
	})
	s.serveBadReleases(t, mux, wasm)

	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// serveBadReleases serves, under /bad/, modules and loaders that load()
// must refuse: compressed without Content-Encoding, the wrong MIME type, a
// flipped bit, a dropped connection, a changed runtime or loader, and a
// loader of another release.
func (s *loadSite) serveBadReleases(t *testing.T, mux *http.ServeMux, wasm []byte) {
	serve := func(path, contentType string, body []byte) {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			_, _ = w.Write(body)
		})
	}
	serve("/bad/gz/sealbridge.wasm", "application/wasm", readDist(t, "sealbridge.wasm.gz"))
	serve("/bad/mime/sealbridge.wasm", "application/octet-stream", wasm)
	serve("/bad/tampered/sealbridge.wasm", "application/wasm", s.tampered)
	mux.HandleFunc("GET /bad/reset/sealbridge.wasm", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close() // the connection drops before any answer: a network error
		}
	})
	// A release whose wasm_exec.js was changed after publishing, and one
	// whose loader is of another version than its module.
	js := "text/javascript"
	serve("/bad/runtime/index.js", js, readDist(t, "index.js"))
	serve("/bad/runtime/errors.js", js, readDist(t, "errors.js"))
	serve("/bad/runtime/seal.js", js, readDist(t, "seal.js"))
	serve("/bad/runtime/wasm_exec.js", js, append(readDist(t, "wasm_exec.js"), "\n// changed\n"...))
	serve("/bad/runtime/sealbridge.wasm", "application/wasm", wasm)
	serve("/bad/loader/index.js", js, append(readDist(t, "index.js"), "\n// changed\n"...))
	stamp := []byte(`export const version = "` + s.manifest.Version + `";`)
	require.True(t, bytes.Contains(readDist(t, "index.js"), stamp), "index.js is not stamped with %s", s.manifest.Version)
	serve("/bad/release/index.js", js, bytes.Replace(readDist(t, "index.js"), stamp, []byte(`export const version = "0.0.0-other";`), 1))
	serve("/bad/release/errors.js", js, readDist(t, "errors.js"))
	serve("/bad/release/seal.js", js, readDist(t, "seal.js"))
	serve("/bad/release/wasm_exec.js", js, readDist(t, "wasm_exec.js"))
	serve("/bad/release/sealbridge.wasm", "application/wasm", wasm)
}

func readDist(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../dist", name))
	require.NoError(t, err, "run make wasm first")
	return b
}

// sealWorker is a module worker that loads Sealbridge with the published
// integrity (%s), seals what the page posts, and posts back the JWE or
// the error.
const sealWorker = `import { load } from "/dist/index.js";
const ready = load({ integrity: %q });
ready.catch(() => {}); // reported on the first message
onmessage = async ({ data }) => {
  try {
    const sb = await ready;
    const key = await sb.importKey(data.jwk);
    postMessage({ jwe: await sb.seal(data.value, key), version: sb.version, inWorker: typeof document === "undefined" });
  } catch (e) {
    postMessage({ error: { name: e.name, code: e.code, message: e.message } });
  }
};
`

// loadResult is what a load() attempt gave, as the page saw it.
type loadResult struct {
	ImportFailed      string `json:"importFailed"` // the browser refused the loader itself
	Loaded            bool   `json:"loaded"`
	IsSealbridgeError bool   `json:"isSealbridgeError"`
	Code              string `json:"code"`
	Message           string `json:"message"`
}

// tryLoad opens /page (with csp, and an import map pinning pins: URL to
// SRI) and runs load() from the loader at loader with options (a JS
// object literal).
func (s *loadSite) tryLoad(e *env, csp string, pins map[string]string, loader, options string) loadResult {
	e.t.Helper()
	q := url.Values{"csp": {csp}}
	if len(pins) > 0 {
		text, err := json.Marshal(map[string]any{"integrity": pins})
		require.NoError(e.t, err)
		sum := sha256.Sum256(text)
		q.Set("head", `<script type="importmap">`+string(text)+`</script>`)
		q.Set("scripthash", "sha256-"+base64.StdEncoding.EncodeToString(sum[:]))
	}
	e.run(chromedp.Navigate(s.url + "/page?" + q.Encode()))
	var r loadResult
	e.eval(`(async () => {
		let sealbridge;
		try {
			sealbridge = await import(`+jsString(loader)+`);
		} catch (e) {
			return { importFailed: e.message };
		}
		const { load, SealbridgeError } = sealbridge;
		try {
			await load(`+options+`);
			return { loaded: true };
		} catch (e) {
			return { isSealbridgeError: e instanceof SealbridgeError, code: e.code ?? "", message: e.message };
		}
	})()`, &r)
	return r
}
