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

// export registers every function of the JS API. Argument checking happens
// here, at the edge; the work happens in package api.
func export(ns *jsbridge.Namespace, shim *api.Shim) error {
	for name, h := range map[string]jsbridge.Handler{
		"fetchKey":   withSubtle(func(a []safejs.Value) (any, error) { return fetchKey(shim, a) }),
		"importKey":  withSubtle(func(a []safejs.Value) (any, error) { return importKey(shim, a) }),
		"seal":       withSubtle(func(a []safejs.Value) (any, error) { return sealValue(shim, a) }),
		"sealFields": withSubtle(func(a []safejs.Value) (any, error) { return sealFields(shim, a) }),
	} {
		if err := ns.Async(name, h); err != nil {
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

func fetchKey(shim *api.Shim, a []safejs.Value) (any, error) {
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
	return handleValue(h), nil
}

func importKey(shim *api.Shim, a []safejs.Value) (any, error) {
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
	return handleValue(h), nil
}

func sealValue(shim *api.Shim, a []safejs.Value) (any, error) {
	v, err := jsbridge.String(jsbridge.Arg(a, 0), "seal(value)")
	if err != nil {
		return nil, err
	}
	h, err := keyArg(shim, jsbridge.Arg(a, 1), "seal(value, key)")
	if err != nil {
		return nil, err
	}
	return shim.Seal(v, h)
}

func sealFields(shim *api.Shim, a []safejs.Value) (any, error) {
	doc, err := jsbridge.JSONOf(jsbridge.Arg(a, 0), "sealFields(body)")
	if err != nil {
		return nil, err
	}
	ptrs, err := pointersArg(jsbridge.Arg(a, 1), "sealFields(body, pointers)")
	if err != nil {
		return nil, err
	}
	h, err := keyArg(shim, jsbridge.Arg(a, 2), "sealFields(body, pointers, key)")
	if err != nil {
		return nil, err
	}
	out, err := shim.SealFields(doc, ptrs, h)
	if err != nil {
		return nil, err
	}
	return jsbridge.ParseJSON(out)
}

// keyArg accepts a key handle from fetchKey/importKey, or a JWK object,
// which it imports on the spot.
func keyArg(shim *api.Shim, v safejs.Value, name string) (api.KeyHandle, error) {
	if v.Type() != safejs.TypeObject {
		return api.KeyHandle{}, sberr.New(sberr.InvalidArgument, "%s must be a key from fetchKey or importKey", name)
	}
	if kty := jsbridge.Field(v, "kty"); !jsbridge.IsMissing(kty) {
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
