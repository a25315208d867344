//go:build js && wasm

// Command wasm is the Sealbridge shim: it exports the JavaScript API under
// one namespace object, hands it to index.js through the ready hook, and
// never returns (the Go runtime must stay alive for the exports to work).
package main

import (
	"runtime"
	"runtime/debug"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/api"
	"github.com/sealbridge/sealbridge/wasm/webcrypto"
)

// version is the release, stamped by `make wasm` (-X main.version) from
// package.json, as it stamps index.js: the loader refuses a module of
// another release, whose exports may differ from what it wraps.
var version = "dev"

// readyHook is the global function index.js installs before starting Go;
// main calls it with the namespace once every export is in place.
const readyHook = "__sealbridgeReady"

// gcPercent is the shim's GOGC. The shim lives in someone else's page with
// a live heap well under 1 MiB, and WebAssembly memory never shrinks: with
// Go's default (100, so at least 4 MiB of heap before the first
// collection) sealing grew the module's memory by 4.4 MiB of garbage; at
// 25 (at least 1 MiB) it levels off about 1 MiB above the start, for a
// few percent more time in small collections (docs/benchmarks.md).
const gcPercent = 25

// startupIdleAfter is when, after ready, the page is likely idle: the
// warm-up runs, then the start-up garbage is collected.
const startupIdleAfter = 500 * time.Millisecond

func main() {
	debug.SetGCPercent(gcPercent)
	crypto := webcrypto.Crypto{Parts: helpers()}
	shim := api.New(jsbridge.Fetch{}, crypto)
	ns, err := jsbridge.NewNamespace()
	if err != nil {
		panic(err)
	}
	if err := export(ns, shim); err != nil {
		panic(err)
	}
	if err := ns.Value().Set("version", version); err != nil {
		panic(err)
	}
	signalReady(ns.Value())
	// The warm-up and the start-up collection wait until the page is
	// likely idle: before ready they were a large share of Go's start (the
	// collection alone 10 to 15 ms).
	go afterStartup(crypto)
	select {} // keep the runtime (and the exports) alive
}

// helpers reads the JavaScript helpers index.js hands over on its ready
// hook (see jsbridge.Parts); loaded without index.js, there are none.
func helpers() jsbridge.Parts {
	hook, err := safejs.Global().Get(readyHook)
	if err != nil || hook.Type() != safejs.TypeFunction {
		return jsbridge.Parts{}
	}
	return jsbridge.PartsFrom(hook)
}

func signalReady(ns safejs.Value) {
	hook, err := safejs.Global().Get(readyHook)
	if err == nil && hook.Type() == safejs.TypeFunction {
		_, _ = hook.Invoke(ns)
		return
	}
	// Loaded without index.js: leave the API on a well-known global.
	_ = safejs.Global().Set("sealbridge", ns)
}

// afterStartup warms the key import up, unless the page has already
// imported a key (which compiled that code), then collects the start-up
// garbage.
func afterStartup(c webcrypto.Crypto) {
	time.Sleep(startupIdleAfter)
	if !keyImported.Load() {
		_ = warmUp(c) // a failed warm-up only means the first import compiles
	}
	runtime.GC()
}
