//go:build js && wasm

// Command probe splits the cost of one seal inside Chromium: the RSA-OAEP
// wrap, the AES-GCM encryption, the whole JWE in Go, and the round trip
// of an async call through jsbridge (what every sb.* call pays on top).
// bench/cmd/bench loads it next to the shim; it is not shipped.
package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"runtime/debug"
	"slices"
	"syscall/js"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

func main() {
	debug.SetGCPercent(25) // as the shim
	ns, err := jsbridge.NewNamespace()
	if err != nil {
		panic(err)
	}
	var key *seal.Key
	var pub *rsa.PublicKey
	plain := make([]byte, 100)

	// importKey(jwk JSON): the same validation and key object as the shim.
	_ = ns.Sync("importKey", func(a []safejs.Value) (any, error) {
		s, err := a[0].String()
		if err != nil {
			return nil, err
		}
		if key, err = seal.ImportKey([]byte(s), seal.ImportOptions{}); err != nil {
			return nil, err
		}
		var m struct{ N, E string }
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, err
		}
		n, _ := base64.RawURLEncoding.DecodeString(m.N)
		pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
		return nil, nil
	})
	// time(kind, n): the median ms of n operations, each timed inside Go.
	_ = ns.Sync("time", func(a []safejs.Value) (any, error) {
		kind, _ := a[0].String()
		n, _ := a[1].Int()
		op := map[string]func(){
			"oaep": func() {
				cek := make([]byte, 32)
				_, _ = rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, cek, nil)
			},
			"gcm": func() {
				cek := make([]byte, 44)
				_, _ = rand.Read(cek)
				b, _ := aes.NewCipher(cek[:32])
				g, _ := cipher.NewGCM(b)
				g.Seal(nil, cek[32:], plain, nil)
			},
			"seal": func() { _, _ = key.Seal(plain) },
		}[kind]
		ms := make([]float64, n)
		for i := range ms {
			start := time.Now()
			op()
			ms[i] = float64(time.Since(start)) / float64(time.Millisecond)
		}
		slices.Sort(ms)
		return ms[n/2], nil
	})
	// noop: an async export that does nothing, through the same
	// jsbridge.Namespace.Async path as sb.seal.
	_ = ns.Async("noop", func([]safejs.Value) (any, error) { return "", nil })
	// sealAsync: key.Seal behind that same path, without the shim's
	// argument checks.
	_ = ns.Async("sealAsync", func([]safejs.Value) (any, error) { return key.Seal(plain) })

	if hook := js.Global().Get("__benchReady"); hook.Type() == js.TypeFunction {
		hook.Invoke(js.Value(safejs.Unsafe(ns.Value())))
	}
	select {}
}
