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
func (k *Key) Seal(plaintext []byte) (string, error) {
	if k == nil || k.cipher == nil {
		return "", sberr.New(sberr.InvalidArgument, "no key: import the provider key with ImportKey before sealing")
	}
	if len(plaintext) > MaxPlaintext {
		return "", tooLarge(len(plaintext))
	}
	encryptedKey, iv, sealed, err := k.cipher.Encrypt(k.aad, plaintext)
	if err != nil {
		return "", sealFailed(err)
	}
	return k.compact(len(plaintext), encryptedKey, iv, sealed)
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
