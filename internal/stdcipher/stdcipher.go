// Package stdcipher does a JWE's two primitives (RSA-OAEP-256 and
// A256GCM) with the Go standard library. It is the native stand-in for
// WebCrypto: the shim seals with crypto.subtle in the page (so that the
// module links no RSA or AES code), and tests that run natively seal
// through this package instead. The shim never imports it (a guard in
// wasm/deps_test.go keeps crypto/rsa out of the module).
package stdcipher

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"io"
	"math/big"
)

// Cipher seals to one RSA public key. Rand is its randomness (crypto/rand
// unless a test replaces it).
type Cipher struct {
	Pub  *rsa.PublicKey
	Rand io.Reader
}

// New returns a Cipher for the public key n, e (big-endian).
func New(n, e []byte) (*Cipher, error) {
	exp := new(big.Int).SetBytes(e)
	if !exp.IsInt64() || exp.Int64() > 1<<31-1 {
		return nil, errors.New("stdcipher: exponent out of range")
	}
	return &Cipher{Pub: &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}, Rand: rand.Reader}, nil
}

// Encrypt draws a fresh content key and IV from Rand, wraps the key with
// RSA-OAEP-256 and encrypts plaintext with AES-256-GCM and aad.
func (c *Cipher) Encrypt(aad, plaintext []byte) (encryptedKey, iv, sealed []byte, err error) {
	var buf [32 + 12]byte
	defer clear(buf[:])
	if _, err := io.ReadFull(c.Rand, buf[:]); err != nil {
		return nil, nil, nil, err
	}
	cek := buf[:32]
	iv = append([]byte(nil), buf[32:]...)
	encryptedKey, err = rsa.EncryptOAEP(sha256.New(), c.Rand, c.Pub, cek, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, nil, nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, nil, err
	}
	return encryptedKey, iv, gcm.Seal(nil, iv, plaintext, aad), nil
}

// EncryptAsync is Encrypt as a seal.Cipher: done is called before it
// returns.
func (c *Cipher) EncryptAsync(aad, plaintext []byte, done func(encryptedKey, iv, sealed []byte, err error)) {
	done(c.Encrypt(aad, plaintext))
}
