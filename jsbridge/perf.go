//go:build js && wasm

package jsbridge

import "github.com/hack-pad/safejs"

// Span starts a User Timing measure named name and returns the function
// that ends it: DevTools' Performance panel shows the measure, and a page
// or a benchmark reads it with performance.getEntriesByName(name). Where
// the runtime has no performance.mark it does nothing; it never fails the
// caller. The start is a mark (name + " start"), not a time read in Go,
// which would link float conversions into the module for this alone.
func Span(name string) (end func()) {
	perf, err := safejs.Global().Get("performance")
	if err != nil || perf.Type() != safejs.TypeObject {
		return func() {}
	}
	start := name + " start"
	if _, err := perf.Call("mark", start); err != nil {
		return func() {}
	}
	return func() { _, _ = perf.Call("measure", name, start) }
}
