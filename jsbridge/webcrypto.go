//go:build js && wasm

package jsbridge

import (
	"bytes"
	"context"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// RSAOAEPKey is a provider's RSA public key imported into the platform's
// WebCrypto (crypto.subtle) as a non-extractable CryptoKey for RSA-OAEP
// with SHA-256: the browser's and Node's native, constant-time
// implementation, where Go's RSA compiled to WebAssembly is neither fast
// nor constant-time. It is immutable and safe for concurrent use.
type RSAOAEPKey struct {
	subtle safejs.Value
	key    safejs.Value // CryptoKey, usages ["encrypt"]
	// The globals every seal uses, looked up once: each lookup is a call
	// across the boundary.
	crypto, promise safejs.Value
	parts           Parts // index.js's jweParts, when loaded by it
	modulusBytes    int
	// The algorithm objects, built once: each seal passes them to
	// crypto.subtle, and building them is a dozen calls across the boundary.
	rsaOAEP safejs.Value // {name: "RSA-OAEP"}
	encrypt safejs.Value // ["encrypt"]

	// The additional data is the key's protected header, the same on
	// every seal: copied to JS once (WebCrypto copies it on each call).
	mu        sync.Mutex
	aad       []byte
	aadCopied safejs.Value
}

func (k *RSAOAEPKey) aadJS(aad []byte) (safejs.Value, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.aad != nil && bytes.Equal(k.aad, aad) {
		return k.aadCopied, nil
	}
	v, err := bytesToJS(aad)
	if err != nil {
		return safejs.Value{}, err
	}
	k.aad, k.aadCopied = bytes.Clone(aad), v
	return v, nil
}

// insecureContext is the error for a page where crypto.subtle is missing.
func insecureContext() error {
	return sberr.New(sberr.InsecureContext, "crypto.subtle is missing because this page is not a secure context; serve the page over https (http is only allowed on localhost); nothing was sealed or sent")
}

// Subtle returns crypto.subtle, or insecure_context when the page has none
// (browsers only expose it to secure contexts: https or localhost).
func Subtle() (safejs.Value, error) {
	c, err := safejs.Global().Get("crypto")
	if err != nil || c.Type() != safejs.TypeObject {
		return safejs.Value{}, insecureContext()
	}
	s, err := c.Get("subtle")
	if err != nil || s.Type() != safejs.TypeObject {
		return safejs.Value{}, insecureContext()
	}
	return s, nil
}

// ImportRSAOAEP256 imports the public key (n, e: big-endian, no leading
// zeros; validated by the caller) once, for every later seal with it.
// With parts (index.js's jweParts) every seal is one call into
// JavaScript; with the zero Parts, Go drives each WebCrypto step.
func ImportRSAOAEP256(n, e []byte, parts Parts) (*RSAOAEPKey, error) {
	subtle, err := Subtle()
	if err != nil {
		return nil, err
	}
	jwk, err := safejs.ValueOf(map[string]any{
		"kty": "RSA", "n": b64url(n), "e": b64url(e), "alg": "RSA-OAEP-256", "ext": false,
	})
	if err != nil {
		return nil, err
	}
	alg, err := safejs.ValueOf(map[string]any{"name": "RSA-OAEP", "hash": "SHA-256"})
	if err != nil {
		return nil, err
	}
	p, err := subtle.Call("importKey", "jwk", jwk, alg, false, []any{"encrypt"})
	if err != nil {
		return nil, sberr.Wrap(err, sberr.KeyInvalid, "WebCrypto refused the key: %v; the provider must publish an RSA-OAEP-256 public key", err)
	}
	key, err := Await(context.Background(), p)
	if err != nil {
		return nil, sberr.Wrap(err, sberr.KeyInvalid, "WebCrypto refused the key: %v; the provider must publish an RSA-OAEP-256 public key", err)
	}
	k := &RSAOAEPKey{subtle: subtle, key: key, modulusBytes: len(n), parts: parts}
	if err := k.lookUpGlobals(); err != nil {
		return nil, err
	}
	if k.rsaOAEP, err = safejs.ValueOf(map[string]any{"name": "RSA-OAEP"}); err != nil {
		return nil, err
	}
	if k.encrypt, err = safejs.ValueOf([]any{"encrypt"}); err != nil {
		return nil, err
	}
	return k, nil
}

// EncryptAsync does the two primitives of one JWE in WebCrypto: a fresh
// 256-bit content key and 96-bit IV from crypto.getRandomValues (drawn in
// a JS buffer, so the key never enters Go's memory, and zeroed once
// WebCrypto has copied it), the key wrapped with RSA-OAEP-256 while
// AES-256-GCM encrypts plaintext under it with aad and a 128-bit tag.
// It never blocks: done is called exactly once, at once when the work
// cannot start, otherwise from the promise callback once both primitives
// have finished (see Then: nothing awaits, no goroutine parks).
func (k *RSAOAEPKey) EncryptAsync(aad, plaintext []byte, done func(encryptedKey, iv, sealed []byte, err error)) {
	if k.parts.available() {
		k.encryptWithParts(aad, plaintext, done)
		return
	}
	both, fresh, err := k.start(aad, plaintext)
	if err != nil {
		done(nil, nil, nil, err)
		return
	}
	err = Then(both, func(res safejs.Value, err error) {
		fresh.wipePlaintext()
		if err != nil {
			done(nil, nil, nil, cryptoFailed(err))
			return
		}
		done(k.results(res, fresh, len(plaintext)))
	})
	if err != nil {
		fresh.wipePlaintext()
		done(nil, nil, nil, cryptoFailed(err))
	}
}

// start draws the fresh key and IV and starts both primitives, returning
// the promise of [wrapped key, ciphertext and tag].
func (k *RSAOAEPKey) start(aad, plaintext []byte) (safejs.Value, freshBytes, error) {
	fresh, err := k.freshKeyAndIV()
	if err != nil {
		return safejs.Null(), freshBytes{}, err
	}
	// WebCrypto copies its inputs when called, so the key can go at once.
	defer zeroJS(fresh.buf)
	wrapP, err := k.subtle.Call("encrypt", k.rsaOAEP, k.key, fresh.cek)
	if err != nil {
		return safejs.Null(), freshBytes{}, cryptoFailed(err)
	}
	encP, err := k.gcmEncrypt(&fresh, aad, plaintext)
	if err != nil {
		return safejs.Null(), freshBytes{}, err
	}
	both, err := k.promise.Call("all", []any{wrapP, encP})
	if err != nil {
		fresh.wipePlaintext()
		return safejs.Null(), freshBytes{}, cryptoFailed(err)
	}
	return both, fresh, nil
}

// results copies what WebCrypto produced into Go.
func (k *RSAOAEPKey) results(res safejs.Value, fresh freshBytes, plainLen int) (encryptedKey, iv, sealed []byte, err error) {
	if encryptedKey, err = bufferAt(res, 0, k.modulusBytes); err != nil {
		return nil, nil, nil, err
	}
	if sealed, err = bufferAt(res, 1, plainLen+16); err != nil {
		return nil, nil, nil, err
	}
	iv = make([]byte, 12)
	if _, err = safejs.CopyBytesToGo(iv, fresh.iv); err != nil {
		return nil, nil, nil, err
	}
	return encryptedKey, iv, sealed, nil
}

// gcmEncrypt imports the fresh content key for AES-GCM and encrypts
// plaintext under it, returning the promise of the ciphertext and tag.
// The JS copy of plaintext it makes is kept in fresh, to be wiped once the
// seal settles.
func (k *RSAOAEPKey) gcmEncrypt(fresh *freshBytes, aad, plaintext []byte) (_ safejs.Value, err error) {
	aesP, err := k.subtle.Call("importKey", "raw", fresh.cek, "AES-GCM", false, k.encrypt)
	if err != nil {
		return safejs.Null(), cryptoFailed(err)
	}
	aadJS, err := k.aadJS(aad)
	if err != nil {
		return safejs.Null(), err
	}
	gcm, err := k.gcmParams(fresh.iv, aadJS)
	if err != nil {
		return safejs.Null(), err
	}
	if fresh.plaintext, err = bytesToJS(plaintext); err != nil {
		return safejs.Null(), err
	}
	defer func() {
		if err != nil {
			fresh.wipePlaintext()
		}
	}()
	// Chained in JS rather than awaited from Go: every await costs Go an
	// idle/resume round trip, about as long as the whole JWE in WebCrypto.
	step, err := gcmStep()
	if err != nil {
		return safejs.Null(), err
	}
	bound, err := step.Value().Call("bind", nil, k.subtle, gcm, fresh.plaintext)
	if err != nil {
		return safejs.Null(), err
	}
	encP, err := aesP.Call("then", bound)
	if err != nil {
		return safejs.Null(), cryptoFailed(err)
	}
	return encP, nil
}

// gcmStep is the JS function (subtle, params, plaintext, aesKey) =>
// subtle.encrypt(params, aesKey, plaintext): the then-callback that
// encrypts once the content key is imported. It only starts the
// encryption and returns its promise, so it never blocks. One function
// serves every key and seal, for the life of the module, like the exports.
var gcmStep = sync.OnceValues(func() (safejs.Func, error) {
	return safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) < 4 {
			return nil
		}
		p, err := args[0].Call("encrypt", args[1], args[3], args[2])
		if err != nil {
			return Rejected(cryptoFailed(err))
		}
		return p
	})
})

// freshBytes is one seal's randomness (buf holds the content key then the
// IV) and the JS copy of its plaintext, which WebCrypto copies in turn:
// that one is wiped once the seal settles, rather than left in clear for
// the JavaScript garbage collector.
type freshBytes struct{ buf, cek, iv, plaintext safejs.Value }

func (f freshBytes) wipePlaintext() { zeroJS(f.plaintext) }

func (k *RSAOAEPKey) freshKeyAndIV() (freshBytes, error) {
	buf, err := uint8Array().New(32 + 12)
	if err != nil {
		return freshBytes{}, err
	}
	if _, err := k.crypto.Call("getRandomValues", buf); err != nil {
		return freshBytes{}, sberr.Wrap(err, sberr.Internal, "crypto.getRandomValues failed: %v; nothing was sealed or sent", err)
	}
	cek, err := buf.Call("subarray", 0, 32)
	if err != nil {
		return freshBytes{}, err
	}
	iv, err := buf.Call("slice", 32)
	if err != nil {
		return freshBytes{}, err
	}
	return freshBytes{buf: buf, cek: cek, iv: iv}, nil
}

// lookUpGlobals keeps the globals each seal uses.
func (k *RSAOAEPKey) lookUpGlobals() error {
	var err error
	if k.crypto, err = safejs.Global().Get("crypto"); err != nil {
		return err
	}
	k.promise, err = safejs.Global().Get("Promise")
	return err
}

// gcmParams is {name: "AES-GCM", iv, additionalData, tagLength: 128}.
func (k *RSAOAEPKey) gcmParams(iv, aad safejs.Value) (safejs.Value, error) {
	p, err := safejs.ValueOf(map[string]any{"name": "AES-GCM", "tagLength": 128})
	if err != nil {
		return safejs.Value{}, err
	}
	if err := p.Set("iv", iv); err != nil {
		return safejs.Value{}, err
	}
	if err := p.Set("additionalData", aad); err != nil {
		return safejs.Value{}, err
	}
	return p, nil
}

func cryptoFailed(err error) error {
	return sberr.Wrap(err, sberr.Internal, "WebCrypto failed: %v; nothing was sealed or sent", err)
}

// SHA256 is crypto.subtle.digest("SHA-256", data).
func SHA256(data []byte) ([]byte, error) {
	subtle, err := Subtle()
	if err != nil {
		return nil, err
	}
	in, err := bytesToJS(data)
	if err != nil {
		return nil, err
	}
	p, err := subtle.Call("digest", "SHA-256", in)
	if err != nil {
		return nil, cryptoFailed(err)
	}
	sum, err := Await(context.Background(), p)
	if err != nil {
		return nil, cryptoFailed(err)
	}
	return bytesFromJS(sum)
}
