package seal

import (
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// MaxPlaintext bounds one sealed value. Credentials are small; the bound
// keeps a runaway caller from sealing megabytes one RSA operation at a time.
const MaxPlaintext = 64 << 10

// Seal encrypts plaintext to the key as one compact JWE with the protected
// header {"alg":"RSA-OAEP-256","enc":"A256GCM","kid":...}, a fresh content
// key and a fresh IV. An empty plaintext is allowed: a user may leave a
// sensitive field empty, and an empty value must not travel in clear either.
// Seal waits for SealAsync; in the page, only call it from a goroutine.
func (k *Key) Seal(plaintext []byte) (string, error) {
	type result struct {
		jwe string
		err error
	}
	ch := make(chan result, 1)
	k.SealAsync(plaintext, func(jwe string, err error) { ch <- result{jwe, err} })
	r := <-ch
	return r.jwe, r.err
}

// SealAsync is Seal as a continuation: it calls done exactly once, with the
// JWE or the error, and never blocks (done may run later, from the
// platform's callback). The shim's seal exports use it, so that a seal
// costs WebCrypto's time and a few calls, never a parked goroutine.
func (k *Key) SealAsync(plaintext []byte, done func(jwe string, err error)) {
	if k == nil || k.cipher == nil {
		done("", sberr.New(sberr.InvalidArgument, "no key: import the provider key with ImportKey before sealing"))
		return
	}
	if len(plaintext) > MaxPlaintext {
		done("", tooLarge(len(plaintext)))
		return
	}
	k.cipher.EncryptAsync(k.aad, plaintext, func(encryptedKey, iv, sealed []byte, err error) {
		if err != nil {
			done("", sealFailed(err))
			return
		}
		done(k.compact(len(plaintext), encryptedKey, iv, sealed))
	})
}

// sealFailed keeps a Sealbridge error's code (insecure_context) and makes
// anything else from the platform an internal error.
func sealFailed(err error) error {
	if sberr.CodeOf(err) != sberr.Internal {
		return err
	}
	return sberr.Wrap(err, sberr.Internal, "the platform's cryptography failed to seal (%v); nothing was sent", err)
}

func tooLarge(n int) *sberr.Error {
	return sberr.New(sberr.PayloadTooLarge, "value is %d bytes; a sealed value may be at most %d bytes", n, MaxPlaintext)
}
