//go:build js && wasm

// Command hello is the smallest Go/WASM module that talks to the page: it
// imports only syscall/js and says it is ready. It is the floor of every
// Go module's size and start-up in the benchmarks.
package main

import "syscall/js"

func main() {
	if hook := js.Global().Get("__benchReady"); hook.Type() == js.TypeFunction {
		hook.Invoke(js.Global().Get("Object").New())
	}
	select {}
}
