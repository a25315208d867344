//go:build js && wasm

// Command refjose is the benchmarks' reference module: the least a Go/WASM
// JWE sealer can be, built with go-jose alone. It imports a JWK once and
// then seals strings; no validation, no error codes, no proxy. Sealbridge's
// size and start-up are measured against it.
package main

import (
	"syscall/js"

	jose "github.com/go-jose/go-jose/v4"
)

func main() {
	var enc jose.Encrypter
	api := js.Global().Get("Object").New()
	api.Set("importKey", js.FuncOf(func(_ js.Value, a []js.Value) any {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON([]byte(a[0].String())); err != nil {
			return err.Error()
		}
		e, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: k.Key, KeyID: k.KeyID}, nil)
		if err != nil {
			return err.Error()
		}
		enc = e
		return nil
	}))
	api.Set("seal", js.FuncOf(func(_ js.Value, a []js.Value) any {
		obj, err := enc.Encrypt([]byte(a[0].String()))
		if err != nil {
			return err.Error()
		}
		s, err := obj.CompactSerialize()
		if err != nil {
			return err.Error()
		}
		return s
	}))
	if hook := js.Global().Get("__benchReady"); hook.Type() == js.TypeFunction {
		hook.Invoke(api)
	}
	select {}
}
