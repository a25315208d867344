//go:build js && wasm

// Command probe splits the cost of one seal inside Chromium: the WebCrypto
// primitives driven from Go, the whole JWE in Go, and the round trip of an
// async call through jsbridge (what every sb.* call pays on top).
// bench/cmd/bench loads it next to the shim; it is not shipped.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"runtime/debug"
	"slices"
	"syscall/js"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/seal"
	"github.com/sealbridge/sealbridge/wasm/webcrypto"
)

func main() {
	debug.SetGCPercent(25) // as the shim
	ns, err := jsbridge.NewNamespace()
	if err != nil {
		panic(err)
	}
	var key *seal.Key
	var cipher *jsbridge.RSAOAEPKey
	plain := make([]byte, 100)
	aad := []byte("eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiYmVuY2gtMSJ9")

	// importKey(jwk JSON): the same validation and key object as the shim.
	_ = ns.Async("importKey", func(a []safejs.Value) (any, error) {
		s, err := a[0].String()
		if err != nil {
			return nil, err
		}
		if key, err = seal.ImportKey([]byte(s), seal.ImportOptions{}, webcrypto.Crypto{}); err != nil {
			return nil, err
		}
		var m struct{ N, E string }
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, err
		}
		n, _ := base64.RawURLEncoding.DecodeString(m.N)
		e, _ := base64.RawURLEncoding.DecodeString(m.E)
		cipher, err = jsbridge.ImportRSAOAEP256(n, e, jsbridge.Parts{})
		return nil, err
	})
	// time(kind, n): the median ms of n operations, each timed inside Go.
	_ = ns.Async("time", func(a []safejs.Value) (any, error) {
		kind, _ := a[0].String()
		n, _ := a[1].Int()
		op, ok := operations(key, cipher, plain, aad)[kind]
		if !ok || n < 1 {
			return nil, errors.New("probe: time(kind, n): unknown kind or n < 1")
		}
		return medianMS(op, n), nil
	})
	// sealAsync: key.Seal behind that same path, without the shim's
	// argument checks.
	_ = ns.Async("sealAsync", func([]safejs.Value) (any, error) { return key.Seal(plain) })
	// sealDeferred: key.SealAsync behind the deferred path of sb.seal.
	_ = ns.Deferred("sealDeferred", func(_ []safejs.Value, done func(any, error)) {
		key.SealAsync(plain, func(jwe string, err error) { done(jwe, err) })
	})
	exportBoundaryProbes(ns)

	if hook := js.Global().Get("__benchReady"); hook.Type() == js.TypeFunction {
		hook.Invoke(js.Value(safejs.Unsafe(ns.Value())))
	}
	select {}
}

// exportBoundaryProbes exports what only crosses the boundary: noop, an
// async export that does nothing (the jsbridge.Namespace.Async path);
// noopDeferred, the same through Namespace.Deferred; and syncParts, a
// synchronous export given 300 bytes that returns a JWE-sized string (how
// the split seal called Go before memory calls); and memParts, the same
// as a memory call (jsbridge.Namespace.Mem: the split seal's call into Go,
// finishSeal, without its checks).
func exportBoundaryProbes(ns *jsbridge.Namespace) {
	_ = ns.Async("noop", func([]safejs.Value) (any, error) { return "", nil })
	_ = ns.Deferred("noopDeferred", func(_ []safejs.Value, done func(any, error)) { done("", nil) })
	out := make([]byte, 400)
	_ = ns.Sync("syncParts", func(a []safejs.Value) (any, error) {
		buf := make([]byte, 301)
		_, _ = safejs.CopyBytesToGo(buf, a[1])
		return string(out), nil
	})
	_ = ns.Mem("memParts", func([]byte) ([]byte, error) { return make([]byte, len(out)), nil })
}

// operations are what time(kind, n) can time, by kind (importKey has set
// key and cipher by then).
func operations(key *seal.Key, cipher *jsbridge.RSAOAEPKey, plain, aad []byte) map[string]func() {
	return map[string]func(){
		"encrypt": func() {
			ch := make(chan struct{})
			cipher.EncryptAsync(aad, plain, func(_, _, _ []byte, _ error) { close(ch) })
			<-ch
		},
		"seal": func() { _, _ = key.Seal(plain) },
		"await": func() {
			p, _ := safejs.MustGetGlobal("Promise").Call("resolve", 1)
			_, _ = jsbridge.Await(context.Background(), p)
		},
		"digest": func() { _, _ = jsbridge.SHA256(plain) },
		"calls": func() {
			for range 10 {
				_, _ = safejs.MustGetGlobal("Uint8Array").New(12)
			}
		},
	}
}

// medianMS is the median, in ms, of n runs of op, each timed inside Go.
func medianMS(op func(), n int) float64 {
	ms := make([]float64, n)
	for i := range ms {
		start := time.Now()
		op()
		ms[i] = float64(time.Since(start)) / float64(time.Millisecond)
	}
	slices.Sort(ms)
	return ms[n/2]
}
