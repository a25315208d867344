//go:build js && wasm

package main

import (
	"context"
	"sync/atomic"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/api"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// warmUpMeasure names the User Timing measure of the warm-up, so that a
// page (and the benchmark) can see when it ran and what it cost.
const warmUpMeasure = "sealbridge warm-up"

// warmUpKid marks the made-up key, which no page ever sees.
const warmUpKid = "sealbridge-warm-up"

// keyImported is set by the first fetchKey or importKey call: from then on
// a warm-up would only add work (and memory) to the page.
var keyImported atomic.Bool

// noteKeyImport sets keyImported whenever h (fetchKey, importKey) is called.
func noteKeyImport(h jsbridge.Handler) jsbridge.Handler {
	return func(a []safejs.Value) (any, error) {
		keyImported.Store(true)
		return h(a)
	}
}

// warmUp runs a key import once, exactly as the importKey export does
// (a promise, argument reading, validation, thumbprint, the WebCrypto
// import, the key handle), on a made-up key and into a shim of its own that is dropped
// afterwards: nothing reaches the page's key cache or handles. It exists
// because the engine compiles the module's functions on their first call:
// a page's first import used to pay 15 to 40 ms for that, which the
// warm-up moves to a moment after ready when the page is likely idle.
// Where there is no crypto.subtle there is nothing to warm.
func warmUp(c seal.Crypto) error {
	if _, err := jsbridge.Subtle(); err != nil {
		return nil
	}
	defer jsbridge.Span(warmUpMeasure)()
	jwk, err := jsbridge.ParseJSON(warmUpJWK())
	if err != nil {
		return err
	}
	shim := api.New(nil, c)
	// Through a promise, as the export runs it, so that the promise
	// plumbing is compiled too.
	p, err := jsbridge.Promise(func() (any, error) { return importKey(shim, newSplitSeal(shim), []safejs.Value{jwk}) })
	if err != nil {
		return err
	}
	_, err = jsbridge.Await(context.Background(), p)
	return err
}

// warmUpJWK is a JWK that passes every import check: a 2048-bit odd
// modulus (all bits set; no one holds its private key, and nothing is ever
// sealed to it) and the exponent 65537.
func warmUpJWK() []byte {
	// base64url of 256 bytes 0xff: 341 "_" (six bits set each) and "w"
	// (the last two). A loop, since strings.Repeat would add 4 KB of code.
	n := make([]byte, 342)
	for i := range n {
		n[i] = '_'
	}
	n[341] = 'w'
	return []byte(`{"kty":"RSA","kid":"` + warmUpKid + `","use":"enc","alg":"RSA-OAEP-256","n":"` + string(n) + `","e":"AQAB"}`)
}
