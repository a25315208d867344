package e2e

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/sri"
)

// The hashes published in dist/integrity.json are those of the files the
// dev server sends (the browser checks them after undoing brotli), the demo
// page pins its modules and the module with exactly them, and the module
// is still downloaded once: load() reuses the preload.
func TestPublishedIntegrityMatchesWhatIsServed(t *testing.T) {
	manifest, err := sri.Read("../dist/integrity.json")
	require.NoError(t, err, "run make wasm first")
	e := newEnv(t)
	e.open("/")

	var page struct {
		ImportMap     map[string]string `json:"importMap"`
		WasmIntegrity string            `json:"wasmIntegrity"`
		Version       string            `json:"version"`
	}
	e.eval(`(async () => ({
		importMap: JSON.parse(document.querySelector('script[type="importmap"]').textContent).integrity,
		wasmIntegrity: document.querySelector('link[rel="preload"][as="fetch"]').integrity,
		version: (await import("/dist/index.js")).version,
	}))()`, &page)
	assert.Equal(t, manifest.Version, page.Version)
	assert.Equal(t, manifest.Files["sealbridge.wasm"], page.WasmIntegrity)
	assert.Equal(t, manifest.Files["index.js"], page.ImportMap["/dist/index.js"])
	assert.Equal(t, manifest.Files["wasm_exec.js"], page.ImportMap["/dist/wasm_exec.js"])

	files, err := json.Marshal(manifest.Files)
	require.NoError(t, err)
	var failed []string
	e.eval(`(async (files) => {
		const failed = [];
		for (const [name, integrity] of Object.entries(files)) {
			// cache: "no-store" makes the browser download and check each file anew.
			await fetch("/dist/" + name, { integrity, cache: "no-store" }).then((r) => r.arrayBuffer()).catch((e) => failed.push(name + ": " + e.message));
		}
		return failed;
	})(`+string(files)+`)`, &failed)
	assert.Empty(t, failed, "files whose published hash the browser refused")

	var wasmLoads int
	for _, r := range e.net.sent("/dist/sealbridge.wasm") {
		if r.Method == "GET" {
			wasmLoads++
		}
	}
	// One for the page (the preload, reused by load()), one for the check above.
	assert.Equal(t, 2, wasmLoads, "load() did not reuse the preloaded module")
}
