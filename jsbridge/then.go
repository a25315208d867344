//go:build js && wasm

package jsbridge

import (
	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Then calls fn once p settles, with its value or its rejection, from the
// promise's own callback: nothing waits and no goroutine parks. Await costs
// Go an idle/resume round trip per promise, about as long as a whole JWE
// in WebCrypto; Then is for the hot paths that can be written as a
// continuation. fn runs inside a JS callback: it must not block (no
// Await, no channel waits). A panic in fn would end the Go program (it
// runs on the runtime's event goroutine), so it is recovered and fn is
// called once more with an internal error, so that whatever waits on fn
// hears of it; a panic on that second call is dropped. Both callbacks are
// released once either has fired.
func Then(p safejs.Value, fn func(v safejs.Value, err error)) error {
	var ok, fail safejs.Func
	fired := false
	once := func(v safejs.Value, err error) {
		if fired { // a thenable that calls back twice: keep the first
			return
		}
		fired = true
		ok.Release()
		fail.Release()
		callRecovering(fn, v, err)
	}
	var err error
	ok, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		once(arg(args, 0), nil)
		return nil
	})
	if err != nil {
		return err
	}
	fail, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		once(safejs.Undefined(), FromJSError(arg(args, 0)))
		return nil
	})
	if err != nil {
		ok.Release()
		return err
	}
	if _, err := p.Call("then", ok, fail); err != nil {
		ok.Release()
		fail.Release()
		return sberr.Wrap(err, sberr.InvalidArgument, "expected a promise: %v", err)
	}
	return nil
}

func callRecovering(fn func(safejs.Value, error), v safejs.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			defer func() { _ = recover() }()
			fn(safejs.Undefined(), sberr.New(sberr.Internal, "sealbridge crashed in a promise callback: %v (please report this bug)", r))
		}
	}()
	fn(v, err)
}
