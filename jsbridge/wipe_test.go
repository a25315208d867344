//go:build js && wasm

package jsbridge

import (
	"bytes"
	"testing"

	"github.com/hack-pad/safejs"
)

// recordGCMPlaintexts makes crypto.subtle.encrypt record every plaintext
// AES-GCM is given (the JS copy a seal makes of the value), until the
// test ends.
func recordGCMPlaintexts(t *testing.T) safejs.Value {
	t.Helper()
	seen := eval(t, `(() => {
		const subtle = globalThis.crypto.subtle, seen = [], encrypt = subtle.encrypt;
		subtle.encrypt = function (alg, key, data) {
			if (alg.name === "AES-GCM") seen.push(data);
			return encrypt.call(this, alg, key, data);
		};
		return seen;
	})()`)
	t.Cleanup(func() { _ = eval(t, `globalThis.crypto.subtle`).Delete("encrypt") })
	return seen
}

// The JS copy of the plaintext a seal hands WebCrypto is wiped once the
// seal is done, both ways a key seals: WebCrypto keeps its own copy, and
// this one would otherwise wait for the JavaScript garbage collector.
func TestSealWipesItsJSCopyOfThePlaintext(t *testing.T) {
	priv := providerKey(t)
	for path, parts := range sealPaths(t) {
		t.Run(path, func(t *testing.T) {
			seen := recordGCMPlaintexts(t)
			k := importProvider(t, priv, "wc", parts)
			if _, err := k.Seal([]byte("s3cret-pin-4829")); err != nil {
				t.Fatal(err)
			}
			if n, _ := seen.Length(); n != 1 {
				t.Fatalf("AES-GCM was given %d plaintexts, want 1", n)
			}
			plain, err := bytesFromJS(must(seen.Index(0)))
			if err != nil || len(plain) == 0 || !bytes.Equal(plain, make([]byte, len(plain))) {
				t.Fatalf("the JS copy of the plaintext outlives the seal: %q (%v)", plain, err)
			}
		})
	}
}

func must(v safejs.Value, err error) safejs.Value {
	if err != nil {
		panic(err)
	}
	return v
}
