//go:build js && wasm

package jsbridge

import (
	"context"
	"runtime"
	"testing"

	"github.com/hack-pad/safejs"
)

// Every js.Func a call makes (the export's promise, each Await's two
// callbacks) is released: 10,000 calls through an async export that awaits
// leave the Go heap where it was. An unreleased js.Func stays in
// syscall/js's table with its closure, about 10,000 × 3 of them here.
func TestCallsReleaseTheirFuncs(t *testing.T) {
	ns, err := NewNamespace()
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Release()
	resolved := eval(t, `Promise.resolve("x")`)
	if err := ns.Async("echo", func([]safejs.Value) (any, error) {
		v, err := Await(context.Background(), resolved)
		if err != nil {
			return nil, err
		}
		return v.String()
	}); err != nil {
		t.Fatal(err)
	}
	call := func(n int) {
		for range n {
			p, err := ns.Value().Call("echo")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Await(context.Background(), p); err != nil {
				t.Fatal(err)
			}
		}
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	call(2000) // warm up: the tables grow to their working size
	before := heap()
	call(10000)
	after := heap()
	if grew := int64(after) - int64(before); grew > 256<<10 {
		t.Fatalf("the Go heap grew by %d KiB over 10,000 calls: js.Funcs are not released", grew>>10)
	}
}
