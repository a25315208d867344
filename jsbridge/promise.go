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
	r, err := newResolvers()
	if err != nil {
		return safejs.Value{}, err
	}
	go settle(fn, r.settler())
	return r.promise, nil
}

// resolvers is a pending promise and the two functions that settle it.
type resolvers struct{ promise, resolve, reject safejs.Value }

// newResolvers makes a pending promise. Promise.withResolvers (browsers
// since 2024, Node 22) saves a call from JS back into Go for the executor:
// this runs on every export call.
func newResolvers() (resolvers, error) {
	ctor, err := safejs.Global().Get("Promise")
	if err != nil {
		return resolvers{}, err
	}
	if with, err := ctor.Get("withResolvers"); err == nil && with.Type() == safejs.TypeFunction {
		r, err := ctor.Call("withResolvers")
		if err != nil {
			return resolvers{}, err
		}
		return resolvers{promise: Field(r, "promise"), resolve: Field(r, "resolve"), reject: Field(r, "reject")}, nil
	}
	var out resolvers
	executor, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		out.resolve, out.reject = args[0], args[1]
		return nil
	})
	if err != nil {
		return resolvers{}, err
	}
	// The executor runs synchronously inside new Promise, so it can be
	// released as soon as New returns.
	defer executor.Release()
	if out.promise, err = ctor.New(executor); err != nil {
		return resolvers{}, err
	}
	return out, nil
}

// settler returns the function that settles r's promise with a result or
// an error; only its first call counts.
func (r resolvers) settler() func(any, error) {
	done := false
	return func(v any, err error) {
		if done {
			return
		}
		done = true
		if err != nil {
			_, _ = r.reject.Invoke(NewError(err))
			return
		}
		if _, err := r.resolve.Invoke(v); err != nil {
			_, _ = r.reject.Invoke(NewError(sberr.Wrap(err, sberr.Internal, "could not hand the result to JavaScript: %v", err)))
		}
	}
}

func settle(fn func() (any, error), done func(any, error)) {
	defer func() {
		if r := recover(); r != nil {
			done(nil, sberr.New(sberr.Internal, "sealbridge crashed: %v (please report this bug)", r))
		}
	}()
	done(fn())
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
