//go:build js && wasm

// Package webcrypto gives wasm/seal the page's crypto.subtle (through
// jsbridge) as its seal.Crypto, so that every seal uses the platform's
// native, constant-time RSA-OAEP and AES-GCM. It is the one adapter
// between the two: the shim's main and the benchmark probe both use it.
package webcrypto

import (
	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// Crypto is seal.Crypto on crypto.subtle. Parts, when index.js gave it
// (see jsbridge.Parts), makes each seal one call into JavaScript.
type Crypto struct{ Parts jsbridge.Parts }

var _ seal.Crypto = Crypto{}

// PublicKey imports the RSA public key (n, e) once, non-extractable, for
// RSA-OAEP-256 encryption.
func (c Crypto) PublicKey(n, e []byte) (seal.Cipher, error) {
	k, err := jsbridge.ImportRSAOAEP256(n, e, c.Parts)
	if err != nil {
		return nil, err
	}
	return k, nil
}

// SHA256 hashes with crypto.subtle.digest.
func (Crypto) SHA256(data []byte) ([]byte, error) { return jsbridge.SHA256(data) }
