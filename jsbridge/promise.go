//go:build js && wasm

package jsbridge

import (
	"fmt"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Promise returns a JS Promise settled by fn, which runs on its own
// goroutine so that the calling JS callback returns at once. A panic in fn
// rejects the promise with code "internal"; the runtime stays usable.
func Promise(fn func() (any, error)) (safejs.Value, error) {
	// Promise.withResolvers (browsers since 2024, Node 22) saves a call
	// from JS back into Go for the executor: this runs on every export call.
	ctor, err := safejs.Global().Get("Promise")
	if err != nil {
		return safejs.Value{}, err
	}
	if with, err := ctor.Get("withResolvers"); err == nil && with.Type() == safejs.TypeFunction {
		r, err := ctor.Call("withResolvers")
		if err != nil {
			return safejs.Value{}, err
		}
		go settle(fn, Field(r, "resolve"), Field(r, "reject"))
		return Field(r, "promise"), nil
	}
	executor, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		resolve, reject := args[0], args[1]
		go settle(fn, resolve, reject)
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	// The executor runs synchronously inside new Promise, so it can be
	// released as soon as New returns.
	defer executor.Release()
	return ctor.New(executor)
}

func settle(fn func() (any, error), resolve, reject safejs.Value) {
	defer func() {
		if r := recover(); r != nil {
			_, _ = reject.Invoke(NewError(sberr.New(sberr.Internal, "sealbridge crashed: %v (please report this bug)", r)))
		}
	}()
	v, err := fn()
	if err != nil {
		_, _ = reject.Invoke(NewError(err))
		return
	}
	if _, err := resolve.Invoke(v); err != nil {
		_, _ = reject.Invoke(NewError(sberr.Wrap(err, sberr.Internal, "could not hand the result to JavaScript: %v", err)))
	}
}

// Rejected returns Promise.reject(err) as a last resort when a promise
// cannot even be built.
func Rejected(err error) any {
	ctor, e := safejs.Global().Get("Promise")
	if e != nil {
		return nil
	}
	p, e := ctor.Call("reject", NewError(err))
	if e != nil {
		return fmt.Sprint(err)
	}
	return p
}
