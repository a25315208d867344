//go:build js && wasm

// Command wasm is the Sealbridge shim: it exports the JavaScript API under
// one namespace object, hands it to index.js through the ready hook, and
// never returns (the Go runtime must stay alive for the exports to work).
package main

import (
	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/api"
)

// readyHook is the global function index.js installs before starting Go;
// main calls it with the namespace once every export is in place.
const readyHook = "__sealbridgeReady"

func main() {
	shim := api.New(jsbridge.Fetch{})
	ns, err := jsbridge.NewNamespace()
	if err != nil {
		panic(err)
	}
	if err := export(ns, shim); err != nil {
		panic(err)
	}
	signalReady(ns.Value())
	select {} // keep the runtime (and the exports) alive
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
