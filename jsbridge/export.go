//go:build js && wasm

package jsbridge

import (
	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Handler is the Go side of one exported async function.
type Handler func(args []safejs.Value) (any, error)

// Namespace collects the exported functions; Release frees them.
type Namespace struct {
	obj   safejs.Value
	funcs []safejs.Func
}

// NewNamespace makes an empty JS object to export into.
func NewNamespace() (*Namespace, error) {
	obj, err := safejs.MustGetGlobal("Object").New()
	if err != nil {
		return nil, err
	}
	return &Namespace{obj: obj}, nil
}

// Async exports h as name: a JS function that returns a Promise. The
// arguments are read on the promise's goroutine; any panic, even while
// building the promise, becomes a rejection with code "internal".
func (n *Namespace) Async(name string, h Handler) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = Rejected(sberr.New(sberr.Internal, "sealbridge crashed in %s: %v (please report this bug)", name, r))
			}
		}()
		p, err := Promise(func() (any, error) { return h(args) })
		if err != nil {
			return Rejected(err)
		}
		return p
	})
	if err != nil {
		return err
	}
	n.funcs = append(n.funcs, f)
	return n.obj.Set(name, f)
}

// DeferredHandler is the Go side of an exported function that starts its
// work in the call itself and settles through done, now or later from a
// promise callback (see Then). It must not block; only done's first call
// counts.
type DeferredHandler func(args []safejs.Value, done func(any, error))

// Deferred exports h as name: a JS function that returns a Promise, like
// Async, but h runs in the call rather than on a goroutine, and its
// continuations run in promise callbacks. A goroutine that awaits parks
// and costs an idle/resume round trip of the runtime each time, as long as
// a whole JWE in WebCrypto: the seal exports are written this way. A panic
// in h rejects the promise with code "internal".
func (n *Namespace) Deferred(name string, h DeferredHandler) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) (result any) {
		r, err := newResolvers()
		if err != nil {
			return Rejected(err)
		}
		done := r.settler()
		defer func() {
			if p := recover(); p != nil {
				done(nil, sberr.New(sberr.Internal, "sealbridge crashed in %s: %v (please report this bug)", name, p))
				result = r.promise
			}
		}()
		h(args, done)
		return r.promise
	})
	if err != nil {
		return err
	}
	n.funcs = append(n.funcs, f)
	return n.obj.Set(name, f)
}

// Sync exports h as name: a JS function that returns its result directly
// or throws. Only for cheap, non-blocking work (no fetch, no await).
func (n *Namespace) Sync(name string, h Handler) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = errorResult(sberr.New(sberr.Internal, "sealbridge crashed in %s: %v (please report this bug)", name, r))
			}
		}()
		v, err := h(args)
		if err != nil {
			return errorResult(err)
		}
		return v
	})
	if err != nil {
		return err
	}
	n.funcs = append(n.funcs, f)
	return n.obj.Set(name, f)
}

// errorResult wraps an error for a Sync export. A Go callback cannot throw
// into JavaScript, so index.js checks for this shape and throws it.
func errorResult(err error) any {
	return map[string]any{"__sealbridgeError": NewError(err)}
}

// Value is the namespace object.
func (n *Namespace) Value() safejs.Value { return n.obj }

// Release frees every exported function.
func (n *Namespace) Release() {
	for _, f := range n.funcs {
		f.Release()
	}
	n.funcs = nil
}
