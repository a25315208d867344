//go:build js && wasm

package jsbridge

import (
	"context"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

type settled struct {
	value safejs.Value
	err   error
}

// Await waits for a JS promise (or any thenable) without blocking a JS
// callback: the then(ok, fail) callbacks only hand the outcome to a
// buffered channel, and this goroutine parks on it. Both callbacks are
// released once either has fired. If ctx ends first, Await returns at once
// with a timeout error and the callbacks are released when the promise
// settles later (callers abort the underlying work, e.g. fetch, on ctx).
func Await(ctx context.Context, p safejs.Value) (safejs.Value, error) {
	ch := make(chan settled, 1)
	send := func(s settled) {
		select {
		case ch <- s:
		default: // a thenable that calls back twice: keep the first
		}
	}
	ok, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		send(settled{value: arg(args, 0)})
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	fail, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		send(settled{err: FromJSError(arg(args, 0))})
		return nil
	})
	if err != nil {
		ok.Release()
		return safejs.Value{}, err
	}
	release := func() { ok.Release(); fail.Release() }
	if _, err := p.Call("then", ok, fail); err != nil {
		release()
		return safejs.Value{}, sberr.Wrap(err, sberr.InvalidArgument, "expected a promise: %v", err)
	}
	select {
	case s := <-ch:
		release()
		return s.value, s.err
	case <-ctx.Done():
		go func() { <-ch; release() }()
		return safejs.Value{}, sberr.Wrap(ctx.Err(), sberr.Timeout, "gave up waiting: %v", ctx.Err())
	}
}

func arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}
