package seal

import (
	"strings"

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
	if k == nil || k.enc == nil {
		return "", sberr.New(sberr.InvalidArgument, "no key: import the provider key with ImportKey before sealing")
	}
	if len(plaintext) > MaxPlaintext {
		return "", tooLarge(len(plaintext))
	}
	jwe, err := k.enc.encrypt(plaintext)
	if err != nil {
		return "", err
	}
	// Cheap guard that every JWE carries the header checked at import.
	if !strings.HasPrefix(jwe, k.prefix) {
		return "", sberr.New(sberr.Internal, "the protected header changed between seals; refusing to send it")
	}
	return jwe, nil
}

func tooLarge(n int) *sberr.Error {
	return sberr.New(sberr.PayloadTooLarge, "value is %d bytes; a sealed value may be at most %d bytes", n, MaxPlaintext)
}
