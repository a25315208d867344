//go:build js && wasm

package main

import (
	"time"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/api"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// withSubtle fails every call that imports a key or seals, up front, with
// insecure_context where the page has no crypto.subtle (plain http other
// than localhost): before fetchKey's request, so that nothing is sent.
func withSubtle(h jsbridge.Handler) jsbridge.Handler {
	return func(a []safejs.Value) (any, error) {
		if _, err := jsbridge.Subtle(); err != nil {
			return nil, err
		}
		return h(a)
	}
}

// deferredWithSubtle is withSubtle for a deferred export.
func deferredWithSubtle(h jsbridge.DeferredHandler) jsbridge.DeferredHandler {
	return func(a []safejs.Value, done func(any, error)) {
		if _, err := jsbridge.Subtle(); err != nil {
			done(nil, err)
			return
		}
		h(a, done)
	}
}

// export registers every function of the JS API. Argument checking happens
// here, at the edge; the work happens in package api.
func export(ns *jsbridge.Namespace, shim *api.Shim) error {
	split := newSplitSeal(shim)
	for name, h := range map[string]jsbridge.Handler{
		"fetchKey":  withSubtle(func(a []safejs.Value) (any, error) { return fetchKey(shim, split, a) }),
		"importKey": withSubtle(func(a []safejs.Value) (any, error) { return importKey(shim, split, a) }),
	} {
		if err := ns.Async(name, noteKeyImport(h)); err != nil {
			return err
		}
	}
	// The seals run as continuations of WebCrypto's promises (see
	// jsbridge.Namespace.Deferred): an awaiting goroutine would cost each
	// seal more than the cryptography does.
	for name, h := range map[string]jsbridge.DeferredHandler{
		"seal":       func(a []safejs.Value, done func(any, error)) { sealValue(shim, a, done) },
		"sealFields": func(a []safejs.Value, done func(any, error)) { sealFields(shim, a, done) },
	} {
		if err := ns.Deferred(name, deferredWithSubtle(h)); err != nil {
			return err
		}
	}
	for name, h := range map[string]jsbridge.MemHandler{
		"finishSeal": split.finishSeal, "planFields": split.planFields, "finishFields": split.finishFields,
	} {
		if err := ns.Mem(name, h); err != nil {
			return err
		}
	}
	if testHooks() {
		if err := ns.Async("__panic", func([]safejs.Value) (any, error) { panic("deliberate panic for tests") }); err != nil {
			return err
		}
	}
	return exportClients(ns, shim)
}

// testHooks reports whether the page asked for the test-only exports
// (globalThis.__sealbridgeTestHooks = true before load). They prove, in the
// shipped module, that a panic inside an export rejects cleanly; a normal
// page never gets them.
func testHooks() bool {
	v, err := safejs.Global().Get("__sealbridgeTestHooks")
	if err != nil {
		return false
	}
	on, _ := v.Truthy()
	return on
}

func fetchKey(shim *api.Shim, split *splitSeal, a []safejs.Value) (any, error) {
	url, err := jsbridge.String(jsbridge.Arg(a, 0), "fetchKey(url)")
	if err != nil {
		return nil, err
	}
	opts, err := jsbridge.Options(jsbridge.Arg(a, 1), "fetchKey options")
	if err != nil {
		return nil, err
	}
	var o api.FetchOptions
	if o.Pin, err = jsbridge.OptionalString(opts, "pin"); err != nil {
		return nil, err
	}
	if o.Kid, err = jsbridge.OptionalString(opts, "kid"); err != nil {
		return nil, err
	}
	ms, set, err := jsbridge.OptionalNumber(opts, "timeoutMs")
	if err != nil {
		return nil, err
	}
	if set {
		if ms <= 0 {
			return nil, sberr.New(sberr.InvalidArgument, "timeoutMs must be a positive number of milliseconds")
		}
		o.Timeout = time.Duration(ms * float64(time.Millisecond))
	}
	h, err := shim.FetchKey(ctx(), url, o)
	if err != nil {
		return nil, err
	}
	return split.handle(h)
}

func importKey(shim *api.Shim, split *splitSeal, a []safejs.Value) (any, error) {
	jwk, err := jsonArg(jsbridge.Arg(a, 0), "importKey(jwk)")
	if err != nil {
		return nil, err
	}
	opts, err := jsbridge.Options(jsbridge.Arg(a, 1), "importKey options")
	if err != nil {
		return nil, err
	}
	var o seal.ImportOptions
	if o.Pin, err = jsbridge.OptionalString(opts, "pin"); err != nil {
		return nil, err
	}
	if o.Kid, err = jsbridge.OptionalString(opts, "kid"); err != nil {
		return nil, err
	}
	h, err := shim.ImportKey(jwk, o)
	if err != nil {
		return nil, err
	}
	return split.handle(h)
}

// sealValue and sealFields copy the page's value, or document, into Go
// (jsbridge.StringBytes, JSONOf: one buffer, nothing else refers to it)
// and wipe that copy once the call settles, sealed or refused: it holds
// credentials in clear, and the garbage collector does not zero what it
// frees.
func sealValue(shim *api.Shim, a []safejs.Value, done func(any, error)) {
	v, err := jsbridge.StringBytes(jsbridge.Arg(a, 0), "seal(value)")
	if err != nil {
		done(nil, err)
		return
	}
	done = wipeWhenDone(v, done)
	defer wipeOnPanic(v)
	withKey(shim, jsbridge.Arg(a, 1), "seal(value, key)", done, func(h api.KeyHandle) {
		shim.SealAsync(v, h, func(jwe string, err error) { done(jwe, err) })
	})
}

func sealFields(shim *api.Shim, a []safejs.Value, done func(any, error)) {
	doc, err := jsbridge.JSONOf(jsbridge.Arg(a, 0), "sealFields(body)")
	if err != nil {
		done(nil, err)
		return
	}
	done = wipeWhenDone(doc, done)
	defer wipeOnPanic(doc)
	ptrs, err := pointersArg(jsbridge.Arg(a, 1), "sealFields(body, pointers)")
	if err != nil {
		done(nil, err)
		return
	}
	withKey(shim, jsbridge.Arg(a, 2), "sealFields(body, pointers, key)", done, func(h api.KeyHandle) {
		shim.SealFieldsAsync(doc, ptrs, h, func(out []byte, err error) {
			if err != nil {
				done(nil, err)
				return
			}
			done(jsbridge.ParseJSON(out))
		})
	})
}

// wipeWhenDone is done that first wipes clearText, which nothing needs once
// the call settles (a seal export calls done exactly once, at its end).
func wipeWhenDone(clearText []byte, done func(any, error)) func(any, error) {
	return func(v any, err error) {
		clear(clearText)
		done(v, err)
	}
}

// wipeOnPanic wipes clearText when the export panics (a bug): the Deferred
// export (or the memory call) recovers and settles the call with its own
// done, which does not wipe it, so the copy would stay in memory in
// clear. The panic goes on.
func wipeOnPanic(clearText []byte) {
	if p := recover(); p != nil {
		clear(clearText)
		panic(p)
	}
}

// withKey reads the key argument and calls then with its handle: at once
// for a handle from fetchKey or importKey, or, for a JWK to import on the
// spot, on a goroutine once the import (which awaits WebCrypto) is done.
func withKey(shim *api.Shim, v safejs.Value, name string, done func(any, error), then func(api.KeyHandle)) {
	if isJWK(v) {
		go func() {
			h, err := keyArg(shim, v, name)
			if err != nil {
				done(nil, err)
				return
			}
			then(h)
		}()
		return
	}
	h, err := keyArg(shim, v, name)
	if err != nil {
		done(nil, err)
		return
	}
	then(h)
}

// isJWK tells a JWK given as the key (it has "kty") from a key handle.
func isJWK(v safejs.Value) bool {
	return v.Type() == safejs.TypeObject && !jsbridge.IsMissing(jsbridge.Field(v, "kty"))
}

// keyArg accepts a key handle from fetchKey/importKey, or a JWK object,
// which it imports on the spot.
func keyArg(shim *api.Shim, v safejs.Value, name string) (api.KeyHandle, error) {
	if v.Type() != safejs.TypeObject {
		return api.KeyHandle{}, sberr.New(sberr.InvalidArgument, "%s must be a key from fetchKey or importKey", name)
	}
	if isJWK(v) {
		jwk, err := jsbridge.JSONOf(v, name)
		if err != nil {
			return api.KeyHandle{}, err
		}
		return shim.ImportKey(jwk, seal.ImportOptions{})
	}
	kid, err := jsbridge.OptionalString(v, "kid")
	if err != nil || kid == "" {
		return api.KeyHandle{}, sberr.New(sberr.InvalidArgument, "%s must be a key from fetchKey or importKey (it has no kid)", name)
	}
	tp, err := jsbridge.OptionalString(v, "thumbprint")
	if err != nil {
		return api.KeyHandle{}, err
	}
	return api.KeyHandle{Kid: kid, Thumbprint: tp}, nil
}

// jsonArg reads a JSON document given either as a string or as an object.
func jsonArg(v safejs.Value, name string) ([]byte, error) {
	if v.Type() == safejs.TypeString {
		s, err := v.String()
		return []byte(s), err
	}
	if v.Type() != safejs.TypeObject {
		return nil, sberr.New(sberr.InvalidArgument, "%s must be a JWK object or JSON text", name)
	}
	return jsbridge.JSONOf(v, name)
}

func handleValue(h api.KeyHandle) map[string]any {
	return map[string]any{"kid": h.Kid, "thumbprint": h.Thumbprint, "bits": h.Bits, "alg": "RSA-OAEP-256", "enc": "A256GCM"}
}
