//go:build js && wasm

package jsbridge

import "github.com/hack-pad/safejs"

// CallHook calls a page hook with ev and ignores what it does: a throw
// comes back as an error and is dropped, and a returned promise gets a
// no-op rejection handler, so that a failing hook neither breaks the call
// nor shows up as an unhandled rejection. It runs on the caller's
// goroutine, never inside a JS callback.
func CallHook(fn safejs.Value, ev map[string]any) {
	v, err := safejs.ValueOf(ev)
	if err != nil {
		return
	}
	r, err := fn.Invoke(v)
	if err != nil || Field(r, "then").Type() != safejs.TypeFunction {
		return
	}
	// Function.prototype is a built-in function that does nothing: no
	// js.Func to create and release.
	noop, err := safejs.MustGetGlobal("Function").Get("prototype")
	if err == nil {
		_, _ = r.Call("then", safejs.Undefined(), noop)
	}
}
