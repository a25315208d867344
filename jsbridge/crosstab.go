//go:build js && wasm

package jsbridge

import (
	"context"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
)

// maxTabToken bounds a token heard from another tab; tokens are a few
// hundred bytes.
const maxTabToken = 64 << 10

// CrossTab is the Web Lock and the BroadcastChannel named for one token
// scope, through index.js's crossTab helper. Tokens travel only over the
// channel, in memory: nothing is written to any storage.
type CrossTab struct {
	obj     safejs.Value // {lock(ms), post(kind, token), listen(fn), close()}
	inbox   chan [2]string
	done    chan struct{}
	onMsg   safejs.Func
	closing sync.Once
}

// NewCrossTab opens the lock and channel for name with the helper index.js
// passes to createClient. It returns nil when there is no helper (the
// module was loaded without index.js) or when the page lacks Web Locks or
// BroadcastChannel: the tab then renews on its own.
func NewCrossTab(helper safejs.Value, name string) *CrossTab {
	if helper.Type() != safejs.TypeFunction {
		return nil
	}
	obj, err := helper.Invoke(name)
	if err != nil || obj.Type() != safejs.TypeObject {
		return nil
	}
	return &CrossTab{obj: obj, inbox: make(chan [2]string, 64), done: make(chan struct{})}
}

// Lock waits for the lock until ctx ends. index.js first asks without
// waiting, so waited tells whether another client held it.
func (t *CrossTab) Lock(ctx context.Context) (release func(), waited bool, err error) {
	ms := 5000.0
	if dl, ok := ctx.Deadline(); ok {
		ms = max(1, float64(time.Until(dl).Milliseconds()))
	}
	h, err := t.obj.Call("lock", ms)
	if err != nil {
		return nil, false, err
	}
	var once sync.Once
	release = func() { once.Do(func() { _, _ = h.Call("release") }) }
	v, err := Await(ctx, Field(h, "granted"))
	if err != nil {
		// Given up: stop waiting in line, and let go of a grant that
		// races this (release before the grant frees it at once).
		_, _ = h.Call("abort")
		release()
		return nil, true, err
	}
	waited, _ = v.Bool()
	return release, waited, nil
}

// Post sends a message to the other clients of the scope.
func (t *CrossTab) Post(kind, token string) {
	_, _ = t.obj.Call("post", kind, token)
}

// Listen hands each message from the others to fn on one goroutine, in
// order. The JS callback only queues it (it never blocks: a full queue
// drops the message, as a lost message only costs an extra renewal).
func (t *CrossTab) Listen(fn func(kind, token string)) {
	cb, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		defer func() { _ = recover() }()
		kind, token := arg(args, 0), arg(args, 1)
		if kind.Type() != safejs.TypeString || token.Type() != safejs.TypeString {
			return nil
		}
		k, _ := kind.String()
		tok, _ := token.String()
		if len(tok) > maxTabToken {
			return nil
		}
		select {
		case t.inbox <- [2]string{k, tok}:
		default:
		}
		return nil
	})
	if err != nil {
		return
	}
	t.onMsg = cb
	if _, err := t.obj.Call("listen", cb); err != nil {
		return
	}
	go func() {
		for {
			select {
			case m := <-t.inbox:
				fn(m[0], m[1])
			case <-t.done:
				return
			}
		}
	}()
}

// Close closes the channel and releases the callback.
func (t *CrossTab) Close() {
	t.closing.Do(func() {
		close(t.done)
		_, _ = t.obj.Call("close")
		t.onMsg.Release()
	})
}
